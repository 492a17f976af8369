"""Parsing of vector derivations: declarations and typed expressions.

A vector derivation is a ``.deriv`` file with at least one of the lines
``function NAME: classes``, ``vectors: ...``, ``minimizer: X of F`` or
``let: X = ...``. Expressions are read with the same ``ast`` whitelist as the
scalar format (nothing is evaluated), plus the forms ``f(v)``, ``grad(f, v)``,
``dot(u, v)``, ``norm(v)`` and vector arithmetic. Every expression is typed
(scalar or vector) while it is built; type errors name the line and column.

The built objects live in the *Gram representation*: a vector is a linear
combination of *basis vectors* (the declared free vectors and one gradient
per point where a gradient is taken), with coefficients that are SymPy
expressions in the scalars; a scalar is a SymPy expression in the scalars, the
function values ``F[f, point]`` and the Gram entries ``G[a, b] = <a, b>``. The
placeholder symbols use names with double underscores, which user text cannot
contain (the scalar parser rejects them).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import sympy

from ...errors import DerivationSyntaxError
from ..parse import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    _Builder,
    _Located,
    _precheck,
    _syntax_tree,
    _tree_depth,
)

__all__ = [
    "VECTOR_KEYWORDS",
    "VectorContext",
    "Vector",
    "Point",
    "is_vector_text",
    "parse_vector_expression",
    "VectorTypeError",
]

VECTOR_KEYWORDS = ("function", "vectors", "minimizer", "stationary", "let", "noise")
_VECTOR_LINE = re.compile(r"^\s*(?:function\s+[A-Za-z_]\w*|vectors|minimizer|stationary|let|noise)\s*:", re.MULTILINE)
_RESERVED = {"grad", "dot", "norm"}


def is_vector_text(text: str) -> bool:
    """True when the text declares functions, vectors, minimizers or lets."""
    for raw in text.split("\n"):
        content = raw.split("#", 1)[0]
        if _VECTOR_LINE.match(content):
            return True
    return False


class VectorTypeError(DerivationSyntaxError):
    """A type error in a vector expression (vector where a scalar is needed, ...)."""


@dataclass(frozen=True)
class Vector:
    """A linear combination of basis vectors: ``((basis_name, coefficient), ...)``."""

    terms: tuple

    @staticmethod
    def of(mapping: dict) -> "Vector":
        items = []
        for name in sorted(mapping):
            coeff = sympy.cancel(mapping[name])
            if coeff != 0:
                items.append((name, coeff))
        return Vector(tuple(items))

    def as_dict(self) -> dict:
        return dict(self.terms)

    def __add__(self, other: "Vector") -> "Vector":
        out = self.as_dict()
        for name, coeff in other.terms:
            out[name] = out.get(name, 0) + coeff
        return Vector.of(out)

    def scale(self, c) -> "Vector":
        return Vector.of({name: coeff * c for name, coeff in self.terms})

    def __neg__(self) -> "Vector":
        return self.scale(-1)

    def __sub__(self, other: "Vector") -> "Vector":
        return self + (-other)

    def is_zero(self) -> bool:
        return not self.terms


@dataclass
class Point:
    """A point where a function is evaluated: its location and its value/gradient names."""

    function: str
    location: Vector
    label: str  # a vector name of the file, or 'p<k>' for an anonymous point
    value: sympy.Symbol  # the placeholder for f(point)
    grad: str | None  # the basis name of grad f(point); None at a minimizer (zero gradient)
    stationary: bool = False  # zero gradient only ('stationary:'), not known to be a global minimizer


def _value_symbol(function: str, index: int) -> sympy.Symbol:
    return sympy.Symbol(f"F__{function}__{index}", real=True)


def moment_symbol(noise: str) -> sympy.Symbol:
    """The scalar E||e||^2 of a noise vector e (a name user text cannot write: double underscores)."""
    return sympy.Symbol(f"Enorm2__{noise}", real=True)


def gram_symbol(a: str, b: str) -> sympy.Symbol:
    a, b = sorted((a, b))
    return sympy.Symbol(f"G__{a}__{b}", real=True)


@dataclass
class VectorContext:
    """Declarations of a vector derivation and the points met so far."""

    functions: dict = field(default_factory=dict)  # name -> FunctionClass
    vectors: list = field(default_factory=list)  # free vector names, in order
    lets: dict = field(default_factory=dict)  # name -> Vector (in basis terms)
    let_order: list = field(default_factory=list)
    let_text: dict = field(default_factory=dict)  # name -> source text
    minimizers: dict = field(default_factory=dict)  # (vector name, function name) -> 'minimizer' | 'stationary'
    points: list = field(default_factory=list)  # Point, in order of appearance
    basis: list = field(default_factory=list)  # basis vector names, in order
    basis_label: dict = field(default_factory=dict)  # basis name -> readable text
    noises: list = field(default_factory=list)  # random vectors with E[e | the rest] = 0 ('noise:'); not in basis

    def add_free_vector(self, name: str) -> None:
        self.vectors.append(name)
        self.basis.append(name)
        self.basis_label[name] = name

    def vector_names(self) -> set:
        return set(self.vectors) | set(self.lets) | set(self.noises)

    def noise_symbols(self) -> dict:
        """Gram symbol -> (noise, other basis name) for every Gram entry that involves a noise vector."""
        out = {}
        for n in self.noises:
            for b in list(self.basis) + list(self.noises):
                out[gram_symbol(n, b)] = (n, b) if b not in self.noises or b >= n else (b, n)
        return out

    def random(self, vector: "Vector") -> list:
        """The noise vectors that ``vector`` depends on."""
        return [name for name, _ in vector.terms if name in self.noises]

    def point_for(self, function: str, location: Vector) -> Point:
        for point in self.points:
            if point.function == function and _same(point.location, location):
                return point
        label = self._label(location)
        index = sum(1 for p in self.points if p.function == function)
        at_minimizer = (label, function) in self.minimizers  # zero gradient there
        grad = None
        if not at_minimizer:
            grad = f"g__{function}__{index}"
            self.basis.append(grad)
            self.basis_label[grad] = f"grad({function}, {label})"
        point = Point(function, location, label, _value_symbol(function, index), grad,
                      self.minimizers.get((label, function)) == "stationary")
        self.points.append(point)
        return point

    def _label(self, location: Vector) -> str:
        for name in self.vectors:
            if _same(location, Vector(((name, sympy.Integer(1)),))):
                return name
        for name in self.let_order:
            if _same(location, self.lets[name]):
                return name
        return f"@{len(self.points)}"  # anonymous: no file name can start with @

    def ensure_minimizer_points(self) -> None:
        for name, function in self.minimizers:
            self.point_for(function, Vector(((name, sympy.Integer(1)),)))


def _same(u: Vector, v: Vector) -> bool:
    return (u - v).is_zero()


# ---------------------------------------------------------------- typed values


@dataclass(frozen=True)
class _Scalar:
    expr: sympy.Expr


_TYPE_NAMES = {_Scalar: "a scalar", Vector: "a vector"}


def _kind(value) -> str:
    return _TYPE_NAMES[type(value)]


class _TypedBuilder:
    """Builds typed values from a whitelisted ``ast`` tree (no evaluation)."""

    def __init__(self, loc: _Located, ctx: VectorContext):
        self.loc = loc
        self.ctx = ctx
        self.scalar = _Builder(loc)  # numbers are read exactly as in the scalar format
        self.in_expectation = False

    def fail(self, message: str, node: ast.AST):
        line, column = self.loc.at_node(node)
        raise VectorTypeError(message, line, column, self.loc.source)

    def build(self, node: ast.AST):
        if isinstance(node, ast.Constant):
            return _Scalar(self.scalar._constant(node))
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            value = self.build(node.operand)
            if isinstance(node.op, ast.USub):
                return -value if isinstance(value, Vector) else _Scalar(-value.expr)
            if isinstance(node.op, ast.UAdd):
                return value
            self.fail("only unary '-' and '+' are allowed", node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        # everything else is rejected with the scalar parser's messages
        self.scalar._build(node)
        self.fail(f"'{type(node).__name__}' is not allowed here", node)  # pragma: no cover

    def _name(self, node: ast.Name):
        name = node.id
        if "__" in name:  # reserved for the checker's own placeholders (F__..., G__...)
            self.fail(f"name '{name}' is not allowed (double underscores)", node)
        if name in self.ctx.lets:
            return self.ctx.lets[name]
        if name in self.ctx.vectors or name in self.ctx.noises:
            return Vector(((name, sympy.Integer(1)),))
        if name in self.ctx.functions:
            self.fail(f"'{name}' is a function: write {name}(v) for its value at a vector v", node)
        if name in _RESERVED:
            self.fail(f"'{name}' is a built-in: call it as {name}(...)", node)
        if name in CONSTANTS:
            return _Scalar(CONSTANTS[name])
        if name in FUNCTIONS:
            self.fail(f"'{name}' is a function: call it as {name}(...), or pick another variable name", node)
        return _Scalar(sympy.Symbol(name, real=True))

    def _binop(self, node: ast.BinOp):
        op = node.op
        if not isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            self.scalar._binop(node)  # raises the scalar parser's message
            self.fail("operator not supported", node)  # pragma: no cover
        if isinstance(op, ast.Pow):
            return self._apply(node, self.build(node.left), self.build(node.right))
        # fold long left-nested sums/products without deep recursion
        family = (ast.Add, ast.Sub) if isinstance(op, (ast.Add, ast.Sub)) else (ast.Mult, ast.Div)
        chain = []
        current = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, family):
            chain.append(current)
            current = current.left
        value = self.build(current)
        for item in reversed(chain):
            value = self._apply(item, value, self.build(item.right))
        return value

    def _apply(self, node: ast.BinOp, left, right):
        op = node.op
        if isinstance(op, (ast.Add, ast.Sub)):
            if type(left) is not type(right):
                self.fail(
                    f"cannot {'add' if isinstance(op, ast.Add) else 'subtract'} {_kind(right)} "
                    f"{'to' if isinstance(op, ast.Add) else 'from'} {_kind(left)}",
                    node,
                )
            if isinstance(left, Vector):
                return left + right if isinstance(op, ast.Add) else left - right
            return _Scalar(left.expr + right.expr if isinstance(op, ast.Add) else left.expr - right.expr)
        if isinstance(op, ast.Mult):
            if isinstance(left, Vector) and isinstance(right, Vector):
                self.fail("cannot multiply two vectors: use dot(u, v) for the inner product", node)
            if isinstance(left, Vector):
                return left.scale(right.expr)
            if isinstance(right, Vector):
                return right.scale(left.expr)
            return _Scalar(left.expr * right.expr)
        if isinstance(op, ast.Div):
            if isinstance(right, Vector):
                self.fail("cannot divide by a vector", node.right)
            if right.expr.is_zero:
                self.fail("division by zero", node.right)
            if isinstance(left, Vector):
                return left.scale(1 / right.expr)
            return _Scalar(left.expr / right.expr)
        # power
        if isinstance(left, Vector):
            self.fail("cannot raise a vector to a power: use norm(v)**2 or dot(v, v)", node)
        if isinstance(right, Vector):
            self.fail("a power must be a scalar", node.right)
        exponent = right.expr
        if _mentions_placeholders(left.expr) and not (exponent.is_Integer and exponent > 0):
            self.fail("a power of an expression in vectors or function values must be a positive integer "
                      "(use norm(v) for square roots)", node.right)
        if exponent.is_Rational and (abs(exponent.p) > 1000 or exponent.q > 1000):
            self.fail("exponent is too large", node.right)
        if left.expr.is_zero and exponent.is_Number and exponent.is_negative:
            self.fail("division by zero (0 to a negative power)", node)
        return _Scalar(sympy.Pow(left.expr, exponent))

    def _args(self, node: ast.Call, name: str, count: int):
        if node.keywords:
            self.fail(f"{name}() takes positional arguments only", node.keywords[0].value)
        if len(node.args) != count:
            self.fail(f"{name}() takes {count} argument{'s' if count > 1 else ''}, got {len(node.args)}", node)
        return node.args

    def _want_vector(self, node: ast.AST, what: str) -> Vector:
        if isinstance(node, ast.Name) and node.id not in self.ctx.vector_names() and node.id not in self.ctx.functions:
            self.fail(f"{what} must be a vector, but '{node.id}' is not a declared vector "
                      f"(add it to 'vectors:' or define it with 'let:')", node)
        value = self.build(node)
        if not isinstance(value, Vector):
            self.fail(f"{what} must be a vector, got a scalar", node)
        return value

    def _want_function(self, node: ast.AST, what: str) -> str:
        if not isinstance(node, ast.Name):
            self.fail(f"{what} must be the name of a declared function", node)
        if node.id not in self.ctx.functions:
            self.fail(f"undeclared function '{node.id}' (declare it with 'function {node.id}: convex', ...)", node)
        return node.id

    def _call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            self.fail("only calls of functions by name are allowed", node)
        name = node.func.id
        if "__" in name:
            self.fail(f"name '{name}' is not allowed (double underscores)", node.func)
        if name in self.ctx.functions:
            (arg,) = self._args(node, name, 1)
            location = self._want_vector(arg, f"the argument of {name}()")
            self._deterministic(location, f"{name}()", arg)
            return _Scalar(self.ctx.point_for(name, location).value)
        if name == "E" and self.ctx.noises:
            return self._expectation(node)
        if name == "grad":
            fnode, vnode = self._args(node, "grad", 2)
            function = self._want_function(fnode, "the first argument of grad()")
            location = self._want_vector(vnode, "the second argument of grad()")
            self._deterministic(location, "grad()", vnode)
            point = self.ctx.point_for(function, location)
            if point.grad is None:
                return Vector(())
            return Vector(((point.grad, sympy.Integer(1)),))
        if name == "dot":
            unode, vnode = self._args(node, "dot", 2)
            u = self._want_vector(unode, "the first argument of dot()")
            v = self._want_vector(vnode, "the second argument of dot()")
            return _Scalar(inner(u, v))
        if name == "norm":
            (vnode,) = self._args(node, "norm", 1)
            v = self._want_vector(vnode, "the argument of norm()")
            return _Scalar(sympy.sqrt(inner(v, v)))
        if name in FUNCTIONS:
            builder, low, high = FUNCTIONS[name]
            if node.keywords:
                self.fail(f"{name}() takes positional arguments only", node.keywords[0].value)
            if not low <= len(node.args) <= high:
                self.fail(f"{name}() takes {low} to {high} arguments, got {len(node.args)}", node)
            args = []
            for arg in node.args:
                value = self.build(arg)
                if isinstance(value, Vector):
                    self.fail(f"{name}() takes scalars, got a vector (use norm(v) for its length)", arg)
                if name == "sqrt" and _mentions_placeholders(value.expr):
                    # every square root of a Gram expression is a norm, which the checker relies on
                    self.fail("sqrt() of an expression in vectors or function values is not supported; "
                              "use norm(v)", arg)
                args.append(value.expr)
            return _Scalar(builder(*args))
        if name in self.ctx.vectors or name in self.ctx.lets:
            self.fail(f"'{name}' is a vector, not a function", node.func)
        known = ", ".join(sorted(set(FUNCTIONS) | _RESERVED | set(self.ctx.functions), key=str.lower))
        self.fail(f"unknown function '{name}' (known: {known}; declare functions with 'function {name}: ...')", node.func)


    # ------------------------------------------------------------ expectations (noise: e)

    def _deterministic(self, location: Vector, what: str, node: ast.AST) -> None:
        random = self.ctx.random(location)
        if random:
            self.fail(f"{what} at a point that depends on the noise vector '{random[0]}' is outside what the "
                      f"checker can reduce (E of a function of a random point is not a polynomial in dot "
                      f"products); take the expectation of a Gram expression instead", node)

    def _expectation(self, node: ast.Call):
        """E(s) for a scalar s that is a polynomial in dot products: E is linear, a term linear in a
        noise vector e (times deterministic factors) has expectation 0, E||e||^2 is the scalar
        Enorm2__e; anything else (dot(e, a)*dot(e, b), norm(e) unsquared, e in a denominator, two
        different noises in one term) is refused, never guessed."""
        if self.in_expectation:
            self.fail("nested E(...): take one expectation of the whole expression", node)
        (arg,) = self._args(node, "E", 1)
        self.in_expectation = True
        try:
            value = self.build(arg)
        finally:
            self.in_expectation = False
        if isinstance(value, Vector):
            self.fail("E() takes a scalar expression (such as norm(v)**2 or dot(u, v)); "
                      "E of a vector is not supported", arg)
        reduced = expectation(value.expr, self.ctx)
        if isinstance(reduced, str):
            self.fail(reduced, arg)
        return _Scalar(reduced)


def _noise_degree(expr, noisy) -> int | None:
    """An upper bound on the degree of ``expr`` in the noise Gram symbols, without expanding it;
    None when ``expr`` is not a polynomial in them (a root, a quotient, a function of them)."""
    if not any(s in noisy for s in expr.free_symbols):
        return 0
    if expr in noisy:
        return 1
    if isinstance(expr, sympy.Add):
        degrees = [_noise_degree(a, noisy) for a in expr.args]
        return None if None in degrees else max(degrees)
    if isinstance(expr, sympy.Mul):
        degrees = [_noise_degree(a, noisy) for a in expr.args]
        return None if None in degrees else sum(degrees)
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and expr.exp > 0:
        base = _noise_degree(expr.base, noisy)
        return None if base is None else base * int(expr.exp)
    return None


def expectation(expr, ctx: VectorContext):
    """E(expr) over the noise vectors of ``ctx`` (see :meth:`_TypedBuilder._expectation`), or a
    message saying why it cannot be reduced exactly. Nothing is expanded: the degree in the noise
    Gram symbols is bounded first (so E(norm(x + e)**400) is refused at once), and a term linear
    in them is split by differentiation, which leaves the deterministic factors as written."""
    noisy = ctx.noise_symbols()
    expr = sympy.sympify(expr)
    present = sorted((s for s in expr.free_symbols if s in noisy), key=lambda s: s.name)
    if not present:
        return expr
    degree = _noise_degree(expr, noisy)
    if degree is None:
        return ("E() of this expression is not reducible: a noise vector appears under a square root "
                "(norm(e) unsquared), in a denominator or inside another function; write norm(v)**2 or dot(u, v)")
    if degree > 1:
        return ("E() of a product of two terms in a noise vector (such as dot(e, a)*dot(e, b) or "
                "norm(e)**4) is not reducible: only E(dot(e, a)) = 0 and E(norm(e)**2) are known")
    total = expr.xreplace({s: sympy.Integer(0) for s in present})
    for symbol in present:  # affine in the noise symbols: the coefficient is the derivative
        coeff = sympy.diff(expr, symbol)
        if coeff == 0:
            continue
        a, b = noisy[symbol]
        if a == b:
            total += coeff * moment_symbol(a)
        elif b in ctx.noises:
            return (f"E(dot({a}, {b})) of two noise vectors is not reducible (their correlation is not "
                    "declared)")
        # else: dot(e, a) with a deterministic: E[e] = 0
    return total


def mentions_noise(expr, ctx: VectorContext) -> bool:
    noisy = ctx.noise_symbols()
    return any(s in noisy for s in sympy.sympify(expr).free_symbols)


def _mentions_placeholders(expr) -> bool:
    return any(s.name.startswith(("F__", "G__")) for s in expr.free_symbols)


def inner(u: Vector, v: Vector) -> sympy.Expr:
    total = sympy.Integer(0)
    for a, ca in u.terms:
        for b, cb in v.terms:
            total += ca * cb * gram_symbol(a, b)
    return total


def parse_vector_expression(text: str, ctx: VectorContext, *, line: int = 1, column: int = 1,
                            source: str | None = None, want: str | None = "scalar"):
    """Parse and type one expression; returns a SymPy scalar or a :class:`Vector`.

    ``want`` is ``"scalar"``, ``"vector"`` or ``None`` (either).
    """
    stripped = text.lstrip()
    column += len(text) - len(stripped)
    text = stripped.rstrip()
    loc = _Located(text, line, column, source)
    _precheck(loc)
    tree = _syntax_tree(loc)
    if _tree_depth(tree.body) > MAX_DEPTH:
        loc.fail_offset(f"expression nested more than {MAX_DEPTH} deep", 0)
    builder = _TypedBuilder(loc, ctx)
    value = builder.build(tree.body)
    if want == "scalar" and isinstance(value, Vector):
        builder.fail("expected a scalar here, got a vector (use norm(v) or dot(u, v))", tree.body)
    if want == "vector" and not isinstance(value, Vector):
        builder.fail("expected a vector here, got a scalar", tree.body)
    if isinstance(value, _Scalar):
        expr = value.expr
        if ctx.noises and mentions_noise(expr, ctx):
            builder.fail("a noise vector appears outside E(...): a step compares deterministic scalars, so "
                         "every term in a noise vector must be inside E(...)", tree.body)
        if any(expr.has(bad) for bad in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)):
            builder.fail("expression is undefined or infinite (division by zero?)", tree.body)
        if expr.has(sympy.I):
            builder.fail("expression is not real", tree.body)
        return expr
    return value
