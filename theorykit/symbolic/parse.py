"""Safe parsing of derivation text into SymPy objects.

Derivation text is untrusted, so nothing here hands it to ``eval``, ``exec``,
``sympify`` or ``parse_expr``. Instead the text goes through Python's ``ast``
parser and a small whitelist of node types, and the SymPy objects are built
here by hand. Every rejection is a :class:`DerivationSyntaxError` that names
the line and (1-based) column in the original file.

Limits keep evaluation bounded: text length, nesting depth, integer literal
size, power exponents and the size of exact powers of numbers.
"""
from __future__ import annotations

import ast
import keyword
import math
import re
from fractions import Fraction

import sympy

from ..errors import DerivationSyntaxError
from .domain import Condition, power_conditions, simplify_conditions

__all__ = [
    "RELATIONS",
    "FUNCTIONS",
    "CONSTANTS",
    "MAX_TEXT_LENGTH",
    "MAX_DEPTH",
    "MAX_LITERAL_DIGITS",
    "MAX_EXPONENT",
    "MAX_POWER_DIGITS",
    "parse_expression",
    "parse_expression_with_domain",
    "parse_relation",
    "parse_relation_with_domain",
    "parse_assumptions",
    "split_relations",
]

RELATIONS = ("=", "<=", "<", ">=", ">")

MAX_TEXT_LENGTH = 10_000
MAX_DEPTH = 60
MAX_LITERAL_DIGITS = 400
# bounds on exact numeric powers: |exponent| (numerator and denominator) and
# the number of decimal digits a power of a number may produce
MAX_EXPONENT = 1000
MAX_POWER_DIGITS = 2000
# decimal exponent allowed in float literals such as 1e-300
MAX_FLOAT_EXPONENT = 400
MAX_CALL_ARGS = 32

# name -> (builder, min arity, max arity)
FUNCTIONS: dict[str, tuple] = {
    "sqrt": (sympy.sqrt, 1, 1),
    "exp": (sympy.exp, 1, 1),
    "log": (sympy.log, 1, 2),
    "Abs": (sympy.Abs, 1, 1),
    "Min": (sympy.Min, 1, MAX_CALL_ARGS),
    "Max": (sympy.Max, 1, MAX_CALL_ARGS),
    "sin": (sympy.sin, 1, 1),
    "cos": (sympy.cos, 1, 1),
    "tan": (sympy.tan, 1, 1),
    "atan": (sympy.atan, 1, 1),
    "cosh": (sympy.cosh, 1, 1),
    "sinh": (sympy.sinh, 1, 1),
    "tanh": (sympy.tanh, 1, 1),
    "floor": (sympy.floor, 1, 1),
    "ceiling": (sympy.ceiling, 1, 1),
    "sign": (sympy.sign, 1, 1),
}
CONSTANTS = {"pi": sympy.pi, "E": sympy.E}

_DIGIT_RUN = re.compile(r"[0-9_]+")
_FLOAT_LITERAL = re.compile(
    r"^(?P<mant>(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+))(?:[eE](?P<exp>[+-]?[0-9_]+))?$"
)
_WORD = re.compile(r"[^\W\d]\w*")
_UNDEFINED = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

_OPEN = "([{"
_CLOSE = ")]}"


def _fail(message: str, line: int, column: int, source: str | None):
    raise DerivationSyntaxError(message, line, column, source)


class _Located:
    """Maps offsets within a text fragment to file line/column (1-based)."""

    def __init__(self, text: str, line: int, column: int, source: str | None):
        self.text = text
        self.line = line
        self.column = column
        self.source = source
        self._lines = text.split("\n")

    def at_offset(self, offset: int) -> tuple[int, int]:
        """Line/column of a 0-based character offset into ``text``."""
        before = self.text[:offset]
        extra_lines = before.count("\n")
        if extra_lines:
            return self.line + extra_lines, offset - before.rfind("\n")
        return self.line, self.column + offset

    def at_node(self, node: ast.AST) -> tuple[int, int]:
        # ast columns are UTF-8 byte offsets; convert to characters
        lineno = getattr(node, "lineno", 1)
        byte_col = getattr(node, "col_offset", 0)
        text_line = self._lines[lineno - 1] if 0 < lineno <= len(self._lines) else ""
        char_col = len(text_line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        if lineno > 1:
            return self.line + lineno - 1, char_col + 1
        return self.line, self.column + char_col

    def fail_offset(self, message: str, offset: int):
        line, column = self.at_offset(offset)
        _fail(message, line, column, self.source)

    def fail_node(self, message: str, node: ast.AST):
        line, column = self.at_node(node)
        _fail(message, line, column, self.source)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""


def _precheck(loc: _Located) -> None:
    """Cheap checks that must run before ``ast.parse`` sees the text."""
    text = loc.text
    if len(text) > MAX_TEXT_LENGTH:
        loc.fail_offset(
            f"expression is too long ({len(text)} characters; the limit is {MAX_TEXT_LENGTH})", 0
        )
    if not text.strip():
        loc.fail_offset("expected an expression, found nothing", 0)
    depth = 0
    for offset, char in enumerate(text):
        if char in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                loc.fail_offset(f"brackets nested more than {MAX_DEPTH} deep", offset)
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                loc.fail_offset(f"unmatched '{char}'", offset)
        elif char == "^":
            loc.fail_offset("'^' is not a power here: use ** for powers (x**2)", offset)
        elif char == "\x00" or (not char.isprintable() and char not in " \t\n"):
            loc.fail_offset(f"unexpected character {char!r}", offset)
    if depth > 0:
        loc.fail_offset("unclosed '(': a ')' is missing", len(text.rstrip()))
    for match in _DIGIT_RUN.finditer(text):
        if len(match.group().replace("_", "")) > MAX_LITERAL_DIGITS:
            loc.fail_offset(
                f"number literal with more than {MAX_LITERAL_DIGITS} digits", match.start()
            )


def _keyword_hint(text: str) -> str:
    for word in _WORD.findall(text):
        if keyword.iskeyword(word) or keyword.issoftkeyword(word):
            if word in ("match", "case", "_", "type"):
                continue  # soft keywords are valid names
            return f" ('{word}' is a reserved word and cannot be a name; try '{word[:3]}_' or similar)"
    return ""


def _syntax_tree(loc: _Located) -> ast.Expression:
    try:
        return ast.parse(loc.text, mode="eval")
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if "Exceeds the limit" in message:
            message = f"number literal with more than {MAX_LITERAL_DIGITS} digits"
        elif message.startswith("invalid syntax") or message.startswith("invalid character"):
            message = f"{message}{_keyword_hint(loc.text)}"
        lineno = exc.lineno or 1
        lines = loc.text.split("\n")
        if exc.offset == 0:  # CPython's way of saying "at the end of the input"
            char_offset = len(loc.text)
            if message == "invalid syntax":
                message = "unexpected end of the expression"
        else:
            offset = max((exc.offset or 1) - 1, 0)
            char_offset = sum(len(item) + 1 for item in lines[: lineno - 1]) + offset
        loc.fail_offset(message, min(char_offset, len(loc.text)))
    except (RecursionError, MemoryError):
        loc.fail_offset("expression is too long or too deeply nested to parse", 0)
    except ValueError as exc:  # e.g. null bytes, depending on the Python version
        loc.fail_offset(str(exc), 0)
    raise AssertionError("unreachable")  # pragma: no cover


def _tree_depth(root: ast.AST) -> int:
    # iterative, so that a degenerate tree cannot exhaust the Python stack
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        # flat chains like a + b + c + ... are folded by the builder, so they
        # do not count as nesting
        if isinstance(node, ast.BinOp) and isinstance(node.left, ast.BinOp):
            same = _chain_family(node.op) is not None and _chain_family(node.op) == _chain_family(
                node.left.op
            )
            stack.append((node.left, depth if same else depth + 1))
            stack.append((node.right, depth + 1))
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
    return deepest


def _chain_family(op: ast.operator) -> str | None:
    if isinstance(op, (ast.Add, ast.Sub)):
        return "sum"
    if isinstance(op, (ast.Mult, ast.Div)):
        return "product"
    return None


_REJECTED_NODES = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed (a stray comma?)",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Compare: "a comparison cannot appear inside an expression",
    ast.BoolOp: "'and'/'or' are not allowed; separate assumptions with commas",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}

_REJECTED_OPERATORS = {
    ast.BitXor: "'^' is not a power here: use ** for powers (x**2)",
    ast.Mod: "'%' is not supported",
    ast.FloorDiv: "'//' is not supported; use floor(a/b)",
    ast.MatMult: "'@' is not supported",
    ast.BitAnd: "'&' is not supported",
    ast.BitOr: "'|' is not supported",
    ast.LShift: "'<<' is not supported",
    ast.RShift: "'>>' is not supported",
}


class _Builder:
    """Turns a whitelisted ``ast`` tree into a SymPy expression."""

    def __init__(self, loc: _Located):
        self.loc = loc
        # the domain of every operation as written, recorded before SymPy folds it
        self.conditions: list[Condition] = []

    def build(self, node: ast.AST) -> sympy.Expr:
        expr = self._build(node)
        self._check_defined(expr, node)
        return expr

    def _check_defined(self, expr: sympy.Expr, node: ast.AST) -> None:
        if any(expr.has(bad) for bad in _UNDEFINED):
            self.loc.fail_node("expression is undefined or infinite (division by zero?)", node)
        # (-8)**(1/3) is SymPy's complex principal root, not the real cube root
        try:
            not_real = expr.is_extended_real is False
        except Exception:  # noqa: BLE001 - SymPy's numeric evaluation gave up (PrecisionExhausted)
            not_real = False  # undecided here: the prover and the exact checks decide later
        if expr.has(sympy.I) or not_real:
            self.loc.fail_node(
                "expression is not real (a root or fractional power of a negative number?)", node
            )

    def _build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        message = _REJECTED_NODES.get(type(node), f"'{type(node).__name__}' is not allowed here")
        self.loc.fail_node(message, node)
        raise AssertionError("unreachable")  # pragma: no cover

    def _constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            self.loc.fail_node(f"'{value!r}' is not a number", node)
        if isinstance(value, int):
            if value.bit_length() > MAX_LITERAL_DIGITS * 3.33:
                self.loc.fail_node(f"number literal with more than {MAX_LITERAL_DIGITS} digits", node)
            return sympy.Integer(value)
        if isinstance(value, float):
            return self._exact_float(node)
        if isinstance(value, complex):
            self.loc.fail_node("complex numbers are not allowed", node)
        if isinstance(value, (str, bytes)):
            self.loc.fail_node("strings are not allowed", node)
        self.loc.fail_node(f"unsupported literal {value!r}", node)
        raise AssertionError("unreachable")  # pragma: no cover

    def _exact_float(self, node: ast.Constant) -> sympy.Rational:
        # the decimal text, not the binary float, so 0.1 becomes exactly 1/10
        text = self.loc.segment(node).replace("_", "")
        match = _FLOAT_LITERAL.match(text)
        if not match:
            self.loc.fail_node(f"cannot read the number {text!r}", node)
        exponent = int(match.group("exp") or 0)
        if abs(exponent) > MAX_FLOAT_EXPONENT:
            self.loc.fail_node(
                f"exponent of the number {text!r} exceeds {MAX_FLOAT_EXPONENT} in size", node
            )
        value = Fraction(match.group("mant")) * Fraction(10) ** exponent
        return sympy.Rational(value.numerator, value.denominator)

    def _name(self, node: ast.Name) -> sympy.Expr:
        name = node.id
        if name.startswith("__") or name.endswith("__"):
            self.loc.fail_node(f"name '{name}' is not allowed (double underscores)", node)
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            self.loc.fail_node(
                f"'{name}' is a function: call it as {name}(...), or pick another variable name", node
            )
        return sympy.Symbol(name, real=True)

    def _unary(self, node: ast.UnaryOp) -> sympy.Expr:
        operand = self._build(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        symbol = "not" if isinstance(node.op, ast.Not) else "~"
        self.loc.fail_node(f"'{symbol}' is not allowed", node)
        raise AssertionError("unreachable")  # pragma: no cover

    def _chain(self, node: ast.BinOp) -> sympy.Expr:
        """Folds a left-nested a+b-c+... or a*b/c*... chain without recursion."""
        family = _chain_family(node.op)
        items = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and _chain_family(current.op) == family:
            items.append((current.op, current.right))
            current = current.left
        items.reverse()
        result = self._build(current)
        terms = [result]
        for op, right_node in items:
            right = self._build(right_node)
            if isinstance(op, ast.Add):
                terms.append(right)
            elif isinstance(op, ast.Sub):
                terms.append(-right)
            elif isinstance(op, ast.Mult):
                terms.append(right)
            else:
                if right.is_zero:
                    self.loc.fail_node("division by zero", right_node)
                self.conditions.append(Condition(right, "!="))
                terms.append(sympy.Pow(right, -1))
            self._check_size(terms[-1], right_node)
        result = sympy.Add(*terms) if family == "sum" else sympy.Mul(*terms)
        self._check_size(result, node)
        return result

    def _check_size(self, expr: sympy.Expr, node: ast.AST) -> None:
        if expr.is_Rational:
            digits = max(_digits(expr.p), _digits(expr.q))
            if digits > MAX_POWER_DIGITS * 4:
                self.loc.fail_node("number is too large", node)

    def _binop(self, node: ast.BinOp) -> sympy.Expr:
        if type(node.op) in _REJECTED_OPERATORS:
            self.loc.fail_node(_REJECTED_OPERATORS[type(node.op)], node)
        if _chain_family(node.op) is not None:
            return self._chain(node)
        base = self._build(node.left)
        exponent = self._build(node.right)
        self._check_power(base, exponent, node)
        if base.is_zero and exponent.is_Number and exponent.is_negative:
            self.loc.fail_node("division by zero (0 to a negative power)", node)
        self.conditions.extend(power_conditions(base, exponent))
        return sympy.Pow(base, exponent)

    def _check_power(self, base: sympy.Expr, exponent: sympy.Expr, node: ast.BinOp) -> None:
        if exponent.is_Rational:
            if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
                self.loc.fail_node(
                    f"exponent {exponent} is too large (the limit is {MAX_EXPONENT} in size)",
                    node.right,
                )
            if base.is_Rational and base != 0:
                size = max(_digits(base.p), _digits(base.q)) * abs(exponent.p) / exponent.q
                if size > MAX_POWER_DIGITS:
                    self.loc.fail_node(
                        f"this power of a number would have more than {MAX_POWER_DIGITS} digits",
                        node,
                    )
        elif exponent.is_Number:  # pragma: no cover - floats never survive parsing
            self.loc.fail_node("exponent must be exact", node.right)

    def _call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            self.loc.fail_node("only calls of the built-in functions by name are allowed", node)
        name = node.func.id
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS, key=str.lower))
            self.loc.fail_node(f"unknown function '{name}' (known: {known})", node.func)
        if node.keywords:
            self.loc.fail_node(f"{name}() takes positional arguments only", node.keywords[0].value)
        builder, low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            self.loc.fail_node(
                f"{name}() takes {wanted} argument{'s' if high > 1 else ''}, got {len(node.args)}",
                node,
            )
        args = [self._build(arg) for arg in node.args]
        if name == "sqrt":
            self.conditions.append(Condition(args[0], ">="))
        elif name == "log":
            self.conditions.append(Condition(args[0], ">"))
            if len(args) == 2:
                self.conditions.append(Condition(args[1], ">"))
                self.conditions.append(Condition(args[1] - 1, "!="))
        elif name == "tan":
            self.conditions.append(Condition(sympy.cos(args[0]), "!="))
        if name == "log":
            if args[0].is_zero:
                self.loc.fail_node("log(0) is undefined", node)
            if len(args) == 2 and (args[1].is_zero or args[1] == 1):
                self.loc.fail_node("log base must not be 0 or 1", node.args[1])
        # SymPy folds sin(E**E**E**E) or floor(exp(exp(exp(exp(2))))) by evaluating a
        # number with millions of digits: keep such calls unevaluated
        evaluate = not (name in _FOLDS_HUGE and _huge_constant(args[0]))
        try:
            return builder(*args) if evaluate else builder(*args, evaluate=False)
        except ValueError as exc:
            if name in ("Max", "Min") and all(a.is_real is not False and not a.has(sympy.I) for a in args):
                # an argument SymPy cannot compare (log(4) - 2*log(2), secretly 0): the
                # identities Max(a, b) = (a + b + |a - b|)/2, Min(a, b) = (a + b - |a - b|)/2
                # keep the value and never assume an order
                sign = 1 if name == "Max" else -1
                out = args[0]
                for b in args[1:]:
                    out = (out + b + sign * sympy.Abs(out - b)) / 2
                return out
            self.loc.fail_node(f"cannot evaluate {name}(...): {type(exc).__name__}: {exc}"[:200], node)
        except (OverflowError, TypeError, ZeroDivisionError, ArithmeticError) as exc:
            self.loc.fail_node(f"cannot evaluate {name}(...): {type(exc).__name__}: {exc}"[:200], node)
        except (RecursionError, MemoryError):
            self.loc.fail_node(f"{name}(...) is too large to evaluate", node)
        raise AssertionError("unreachable")  # pragma: no cover


# functions whose automatic evaluation reduces a constant argument exactly
_FOLDS_HUGE = {"sin", "cos", "tan", "floor", "ceiling", "sign", "atan", "tanh", "sinh", "cosh", "Abs", "exp"}
_HUGE = 10**30


def _huge_constant(arg) -> bool:
    """A symbol-free argument whose size is above 1e30, or that cannot be sized cheaply.
    A float estimate is enough here: it only decides whether to fold, never a verdict."""
    if arg.free_symbols or arg.is_Rational:
        return False
    try:
        value = _float_size(arg, 0)
    except (OverflowError, ValueError, ZeroDivisionError, TypeError, RecursionError):
        return True
    return not math.isfinite(value) or abs(value) >= _HUGE


_FLOAT_FUNCS = {sympy.exp: math.exp, sympy.log: math.log, sympy.sin: math.sin, sympy.cos: math.cos,
                sympy.tan: math.tan, sympy.atan: math.atan, sympy.sinh: math.sinh, sympy.cosh: math.cosh,
                sympy.tanh: math.tanh, sympy.Abs: abs, sympy.floor: math.floor, sympy.ceiling: math.ceil}


def _float_size(x, depth: int) -> float:
    if depth > MAX_DEPTH:
        raise RecursionError
    if x.is_Rational:
        return float(x)
    if x is sympy.pi:
        return math.pi
    if x is sympy.E:
        return math.e
    if x.is_Add:
        return math.fsum(_float_size(a, depth + 1) for a in x.args)
    if x.is_Mul:
        out = 1.0
        for a in x.args:
            out *= _float_size(a, depth + 1)
        return out
    if x.is_Pow:
        return math.pow(_float_size(x.base, depth + 1), _float_size(x.exp, depth + 1))
    f = _FLOAT_FUNCS.get(type(x))
    if f is not None and len(x.args) == 1:
        return float(f(_float_size(x.args[0], depth + 1)))
    raise TypeError("no float estimate")


def _digits(value: int) -> float:
    value = abs(int(value))
    return math.log10(value) + 1 if value else 1


def parse_expression(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> sympy.Expr:
    """Parse one expression of derivation syntax into a SymPy expression.

    ``line``/``column`` locate the first character of ``text`` in its file so
    that errors point at the right place; ``source`` names the file.
    """
    return parse_expression_with_domain(text, line=line, column=column, source=source)[0]


def parse_expression_with_domain(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> tuple[sympy.Expr, list[Condition]]:
    """Like :func:`parse_expression`, with the domain of the expression as written
    (see :mod:`theorykit.symbolic.domain`). An expression that is defined nowhere
    because a number under a root or log is certainly out of range is an error."""
    if not isinstance(text, str):
        raise TypeError(f"parse_expression expects a str, got {type(text).__name__}")
    stripped = text.lstrip()
    column += len(text) - len(stripped)  # ast rejects leading spaces; keep columns right
    text = stripped.rstrip()
    loc = _Located(text, line, column, source)
    _precheck(loc)
    tree = _syntax_tree(loc)
    if _tree_depth(tree.body) > MAX_DEPTH:
        loc.fail_offset(f"expression nested more than {MAX_DEPTH} deep", 0)
    builder = _Builder(loc)
    expr = builder.build(tree.body)
    conditions = simplify_conditions(builder.conditions)
    for c in conditions:
        if not c.expr.free_symbols:
            from .exact import sign_of_number

            s = sign_of_number(c.expr)
            if s is not None:  # simplify_conditions kept it, so it certainly fails
                loc.fail_offset(f"expression is undefined: it needs {c}, which is false", 0)
    return expr, conditions


def split_relations(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> tuple[list[tuple[str, int]], list[str]]:
    """Split ``text`` at top-level relation operators.

    Returns ``(parts, ops)`` where each part is ``(text, column)`` and
    ``len(parts) == len(ops) + 1``. ``==`` is read as ``=``; ``!=``, ``=<`` and
    ``=>`` are rejected with a hint.
    """
    parts: list[tuple[str, int]] = []
    ops: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif depth == 0 and char in "<>=!":
            two = text[index : index + 2]
            if two == "!=":
                _fail("'!=' is not a supported relation", line, column + index, source)
            if two in ("=<", "=>"):
                _fail(f"'{two}' is not a relation; did you mean '{two[::-1]}'?", line, column + index, source)
            if char == "!":
                index += 1
                continue
            if two in ("<=", ">=", "=="):
                op, width = ("=" if two == "==" else two), 2
            else:
                op, width = char, 1
            if text[index + width : index + width + 1] in ("<", ">", "="):
                _fail(f"unexpected '{text[index:index + width + 1]}'", line, column + index, source)
            parts.append((text[start:index], column + start))
            ops.append(op)
            index += width
            start = index
            continue
        index += 1
    parts.append((text[start:], column + start))
    return parts, ops


def parse_relation(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> tuple[sympy.Expr, str, sympy.Expr]:
    """Parse ``lhs REL rhs`` with exactly one relation from :data:`RELATIONS`."""
    lhs, op, rhs, _ = parse_relation_with_domain(text, line=line, column=column, source=source)
    return lhs, op, rhs


def parse_relation_with_domain(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> tuple[sympy.Expr, str, sympy.Expr, list[Condition]]:
    """Like :func:`parse_relation`, with the domain of both sides as written."""
    if len(text) > MAX_TEXT_LENGTH * 2 + 2:
        _fail(f"relation is too long (limit {MAX_TEXT_LENGTH * 2} characters)", line, column, source)
    parts, ops = split_relations(text, line=line, column=column, source=source)
    if not ops:
        _fail("expected a relation (=, <=, <, >=, >) between two expressions", line, column, source)
    if len(ops) > 1:
        second = parts[1][1] + len(parts[1][0])  # where the second relation starts
        _fail(
            "more than one relation; write a chain with start: and relation lines instead",
            line,
            second,
            source,
        )
    (left, left_col), (right, right_col) = parts
    lhs, left_domain = parse_expression_with_domain(left, line=line, column=left_col, source=source)
    rhs, right_domain = parse_expression_with_domain(right, line=line, column=right_col, source=source)
    return lhs, ops[0], rhs, simplify_conditions(left_domain + right_domain)


_SYMPY_RELATION = {
    "=": sympy.Eq,
    "<=": sympy.Le,
    "<": sympy.Lt,
    ">=": sympy.Ge,
    ">": sympy.Gt,
}


_FLIPPED = {"=": "=", "<=": ">=", "<": ">", ">=": "<=", ">": "<"}


def _split_commas(text: str, column: int) -> list[tuple[str, int]]:
    pieces = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append((text[start:index], column + start))
            start = index + 1
    pieces.append((text[start:], column + start))
    return pieces


def make_relation(lhs: sympy.Expr, op: str, rhs: sympy.Expr) -> sympy.Rel:
    """A SymPy relational that is never auto-evaluated to True/False."""
    return _SYMPY_RELATION[op](lhs, rhs, evaluate=False)


def parse_assumptions(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None
) -> list[sympy.Rel]:
    """Parse comma-separated relations; a chain ``0 < eta < 2/L`` gives two."""
    located = parse_assumptions_located(text, line=line, column=column, source=source)
    return [relation for relation, _ in located]


def parse_assumptions_located(
    text: str, *, line: int = 1, column: int = 1, source: str | None = None,
    domain: list | None = None,
) -> list[tuple[sympy.Rel, int]]:
    """Like :func:`parse_assumptions`, with the column where each relation starts.

    When ``domain`` is a list, the domain conditions of the assumptions as written
    are appended to it (an assumption holds only where it is defined)."""
    if len(text) > MAX_TEXT_LENGTH * 4:
        _fail("assumption line is too long", line, column, source)
    relations: list[tuple[sympy.Rel, int]] = []
    for piece, piece_col in _split_commas(text, column):
        if not piece.strip():
            _fail("empty assumption (a stray comma?)", line, piece_col, source)
        parts, ops = split_relations(piece, line=line, column=piece_col, source=source)
        offset = len(piece) - len(piece.lstrip())
        if not ops:
            _fail(
                "an assumption must be a relation such as 'L > 0'", line, piece_col + offset, source
            )
        exprs = []
        for t, c in parts:
            expr, conditions = parse_expression_with_domain(t, line=line, column=c, source=source)
            exprs.append(expr)
            if domain is not None:
                domain.extend(conditions)
        for index, op in enumerate(ops):
            lhs, rhs = exprs[index], exprs[index + 1]
            if lhs.is_number and not rhs.is_number:
                # '0 < eta' reads as 'eta > 0': the variable first, as people write bounds
                lhs, rhs, op = rhs, lhs, _FLIPPED[op]
            relations.append((make_relation(lhs, op, rhs), piece_col + offset))
    return relations
