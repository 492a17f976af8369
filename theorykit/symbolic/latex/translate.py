"""Parsed LaTeX expressions -> typed ``.deriv`` expression text.

Every value is a scalar (``s``), a vector (``v``) or a transposed vector
waiting for its partner (``r``: ``u^\\top`` in ``u^\\top v``). The emitted
syntax is the ``.deriv`` one, with the vector forms of issue 12:
``f(v)``, ``grad(f, v)``, ``dot(u, v)``, ``norm(v)``, ``c*v``, ``v/c``.

Juxtaposition is read the way a reader would: ``f(x)`` applies a declared
function f; ``t(y-x)`` multiplies when t is not one; ``g(x)`` with an
undeclared function-like letter (f, g, h, F, G, H, \\phi, \\psi, \\ell, ...)
is an *undeclared function* and makes the step unreadable rather than guess.
"""
from __future__ import annotations

from typing import NamedTuple

from .grammar import Node
from .names import NameKey, NameTable

__all__ = ["Value", "Unreadable", "Emitter", "FUNCTION_LIKE"]

MAX_NUMBER_DIGITS = 300
# letters that name functions when a '(' follows and they are not declared
FUNCTION_LIKE = frozenset({"f", "g", "h", "F", "G", "H", "phi", "varphi", "psi", "Phi", "Psi", "ell", "O", "o"})
# decorations that make a name an operator: \mathcal{O}(1/k), \operatorname{dist}(x, X)
_OPERATOR_DECORATIONS = frozenset({"cal", "op", "scr"})
_ATOM, _POW, _NEG, _PRODUCT, _SUM = 5, 4, 3, 2, 1


class Value(NamedTuple):
    text: str
    typ: str  # 's' scalar, 'v' vector, 'r' transposed vector
    prec: int


class Unreadable(Exception):
    """A construct the translation cannot read, located in the document."""

    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


def _wrap(value: Value, below: int) -> str:
    return f"({value.text})" if value.prec < below else value.text


class Emitter:
    def __init__(self, text: str, table: NameTable, vectors: set[str], functions: dict[NameKey, str]):
        self.text = text  # the document, for the LaTeX source of names
        self.table = table
        self.vectors = vectors  # identifiers of vectors
        self.functions = functions  # declared function keys -> identifiers

    # ------------------------------------------------------------ entry points

    def expression(self, node: Node) -> Value:
        try:
            value = self.expr(node)
        except RecursionError:
            raise Unreadable("expression nested too deeply", node.start, node.end) from None
        if value.typ == "r":
            raise Unreadable("a transposed vector with no vector after it", node.start, node.end)
        return value

    def name_of(self, node: Node) -> str:
        """The identifier of a lone name (declarations)."""
        if node.kind != "name":
            raise Unreadable("expected a name", node.start, node.end)
        tok = node.children[0]
        return self.table.ident(tok.value, self.text[tok.start : tok.end])

    # ------------------------------------------------------------ dispatch

    def expr(self, node: Node) -> Value:
        handler = getattr(self, "_" + node.kind, None)
        if handler is None:  # pragma: no cover - every grammar alias has a handler
            raise Unreadable(f"cannot read '{node.kind}'", node.start, node.end)
        return handler(node)

    def _number(self, node: Node) -> Value:
        raw = node.children[0].value
        whole, _, fraction = raw.partition(".")
        if len(whole) + len(fraction) > MAX_NUMBER_DIGITS:
            raise Unreadable(f"number with more than {MAX_NUMBER_DIGITS} digits", node.start, node.end)
        whole = whole.lstrip("0") or "0"
        return Value(f"{whole}.{fraction}" if fraction else whole, "s", _ATOM)

    def _name(self, node: Node) -> Value:
        tok = node.children[0]
        key: NameKey = tok.value
        source = self.text[tok.start : tok.end]
        if key in self.functions or key.without_marks() in self.functions:
            raise Unreadable(f"the function {source} is used without an argument", tok.start, tok.end)
        if key == NameKey("e", ("const",)):
            return Value("E", "s", _ATOM)
        if key == NameKey("pi"):
            return Value("pi", "s", _ATOM)
        ident = self.table.ident(key, source)
        if key == NameKey("e") and ident not in self.vectors:
            return Value("E", "s", _ATOM)
        return Value(ident, "v" if ident in self.vectors else "s", _ATOM)

    def _nabla(self, node: Node) -> Value:
        raise Unreadable("\\nabla must be followed by a declared function and its argument", node.start, node.end)

    # Brackets keep the inner precedence: every operator wraps its operands by
    # precedence, so the .deriv text has the parentheses it needs and no more.
    def _group(self, node: Node) -> Value:
        return self.expr(node.children[0])

    def _paren(self, node: Node) -> Value:
        args = node.children[0].children
        if len(args) != 1:
            raise Unreadable("a tuple (a, b) is not an expression", node.start, node.end)
        return self.expr(args[0])

    def _args(self, node: Node) -> Value:  # pragma: no cover - reached through _paren
        return self._paren(Node("paren", (node,), node.start, node.end))

    # ------------------------------------------------------------ sums

    def _spine(self, node: Node, kinds: tuple[str, ...]) -> list[tuple[str, Node]]:
        """Left-associative chains flattened without recursion."""
        items: list[tuple[str, Node]] = []
        while node.kind in kinds:
            items.append((node.kind, node.children[1]))
            node = node.children[0]
        items.append(("first", node))
        items.reverse()
        return items

    def _add(self, node: Node) -> Value:
        items = self._spine(node, ("add", "sub"))
        acc = self.expr(items[0][1])
        for kind, child in items[1:]:
            right = self.expr(child)
            if acc.typ != right.typ:
                raise Unreadable(
                    f"adding a {_TYPE[acc.typ]} and a {_TYPE[right.typ]}", node.start, child.end
                )
            sign = "+" if kind == "add" else "-"
            right_text = _wrap(right, _PRODUCT) if kind == "sub" else right.text
            acc = Value(f"{acc.text} {sign} {right_text}", acc.typ, _SUM)
        return acc

    _sub = _add

    def _neg(self, node: Node) -> Value:
        inner = self.expr(node.children[0])
        return Value(f"-{_wrap(inner, _NEG)}", inner.typ, _NEG)

    def _pos(self, node: Node) -> Value:
        return self.expr(node.children[0])

    # ------------------------------------------------------------ products

    def _mul(self, node: Node) -> Value:
        items = self._spine(node, ("mul", "div", "imul"))
        values: list[tuple[str, Value, Node]] = []
        index = 0
        while index < len(items):
            kind, child = items[index]
            consumed, value = self._application(items, index)
            if value is None:
                value = self.expr(child)
                consumed = 1
            values.append((kind, value, child))
            index += consumed
        for (kind, _, _), (next_kind, _, child) in zip(values, values[1:]):
            if kind == "div" and next_kind == "imul":
                # 1/2L: 1/(2L) to many readers, (1/2)L to the grammar
                raise Unreadable("ambiguous: write \\frac{a}{bc}, a/(bc) or (a/b)c", node.start, child.end)
        acc = values[0][1]
        for kind, value, child in values[1:]:
            if acc.typ == "r" and child.kind == "name" and child.children[0].value.base[:1].isupper() \
                    and len(child.children[0].value.base) == 1:
                # u^T A v: A reads as a matrix, and matrices are not in the format
                raise Unreadable("a matrix in a quadratic form (u^\\top A v) is not supported", node.start, child.end)
            acc = self._combine(acc, kind, value, node.start, child.end)
        return acc

    _div = _mul
    _imul = _mul

    def _combine(self, acc: Value, kind: str, value: Value, start: int, end: int) -> Value:
        if kind == "div":
            if value.typ != "s":
                raise Unreadable(f"division by a {_TYPE[value.typ]}", start, end)
            return Value(f"{_wrap(acc, _PRODUCT)}/{_wrap(value, _POW)}", acc.typ, _PRODUCT)
        pair = acc.typ + value.typ
        if pair == "ss":
            return Value(f"{_wrap(acc, _PRODUCT)}*{_wrap(value, _POW)}", "s", _PRODUCT)
        if pair in ("sv", "sr"):
            return Value(f"{_wrap(acc, _PRODUCT)}*{_wrap(value, _POW)}", value.typ, _PRODUCT)
        if pair in ("vs", "rs"):  # scalars go first: c*v
            return Value(f"{_wrap(value, _POW)}*{_wrap(acc, _POW)}", acc.typ, _PRODUCT)
        if pair == "rv" or (pair == "vv" and kind == "mul"):
            return Value(f"dot({acc.text}, {value.text})", "s", _ATOM)
        if pair == "vv":
            raise Unreadable(
                "a product of two vectors (write \\langle u, v\\rangle, u^\\top v or u \\cdot v)", start, end
            )
        raise Unreadable(f"a product of a {_TYPE[acc.typ]} and a {_TYPE[value.typ]}", start, end)

    def _application(self, items, index: int) -> tuple[int, Value | None]:
        """``\\nabla f(x)``, ``f(x)``, ``f'(x)`` at ``items[index]``: (items used, value)."""
        kind, child = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        after = items[index + 2] if index + 2 < len(items) else None
        if child.kind == "nabla":
            if following is None or following[0] != "imul" or following[1].kind != "name":
                raise Unreadable("\\nabla must be followed by a declared function", child.start, child.end)
            fkey = following[1].children[0].value
            fsource = self.text[following[1].start : following[1].end]
            if fkey not in self.functions:
                raise Unreadable(f"undeclared function {fsource}", following[1].start, following[1].end)
            if after is None or after[0] != "imul":
                raise Unreadable(f"\\nabla {fsource} needs an argument", child.start, following[1].end)
            value = self._applied(after[1], lambda arg: self._call("grad", fkey, arg, after[1]))
            if value is None:
                raise Unreadable(f"\\nabla {fsource} needs an argument in parentheses", child.start, after[1].end)
            return 3, value
        if child.kind != "name":
            return 1, None
        key: NameKey = child.children[0].value
        source = self.text[child.start : child.end]
        if key in self.functions or (key.marks and key.without_marks() in self.functions):
            gradient = key not in self.functions
            if gradient and key.marks != ("prime",):
                raise Unreadable(f"{source}: only the first derivative f' is supported", child.start, child.end)
            if following is None or following[0] != "imul":
                raise Unreadable(f"the function {source} is used without an argument", child.start, child.end)
            fkey = key.without_marks() if gradient else key
            value = self._applied(
                following[1], lambda arg: self._call("grad" if gradient else "apply", fkey, arg, following[1])
            )
            if value is None:
                raise Unreadable(f"the function {source} needs an argument in parentheses", child.start, following[1].end)
            return 2, value
        if (
            following is not None
            and following[0] == "imul"
            and self._applied(following[1], None, probe=True)
            and (set(key.decorations) & _OPERATOR_DECORATIONS or key.base in ("O", "o") and not key.decorations)
        ):
            raise Unreadable(
                f"{source}(...) is an operator or asymptotic notation, not supported", child.start, following[1].end
            )
        if (
            following is not None
            and following[0] == "imul"
            and key.base in FUNCTION_LIKE
            and not key.subscript
            and not key.decorations
            and self._applied(following[1], None, probe=True)
            and self.table.ident(key, source) not in self.vectors
        ):
            # g(x) and \phi(2x) read as functions to most readers: never guess a product
            raise Unreadable(
                f"undeclared function {source} (declare it: % theorykit: function {source}: ...; "
                f"for a product write {source} \\cdot (...))",
                child.start,
                following[1].end,
            )
        return 1, None

    def _looks_like_argument(self, node: Node) -> bool:
        """``g(x)``, ``g(x, y)``, ``g(x - y)`` with vectors: an argument, not a factor
        such as ``g(1 - L\\eta/2)``."""
        while node.kind in ("pow", "transpose"):
            node = node.children[0]
        if node.kind != "paren":
            return False
        args = node.children[0].children
        if len(args) > 1 or args[0].kind == "name":
            return True
        try:
            return self.expr(args[0]).typ == "v"
        except Unreadable:
            return False

    def _applied(self, node: Node, make, probe: bool = False):
        """Apply ``make`` to the argument of a parenthesised group, keeping the
        powers and transposes written on the group (``f(x)^2``)."""
        if node.kind == "paren":
            if probe:
                return True
            args = node.children[0].children
            if len(args) != 1:
                raise Unreadable("functions take one argument", node.start, node.end)
            return make(self.expr(args[0]))
        if node.kind in ("pow", "transpose"):
            inner = node.children[0]
            if probe:
                return self._applied(inner, None, probe=True)
            value = self._applied(inner, make)
            if value is None:
                return None
            if node.kind == "transpose":
                return self._transposed(value, node)
            return self._power(value, node.children[1], node)
        return None if not probe else False

    def _call(self, what: str, fkey: NameKey, arg: Value, node: Node) -> Value:
        name = self.functions[fkey]
        if arg.typ != "v":
            raise Unreadable(f"the function is applied to a {_TYPE[arg.typ]}, not a vector", node.start, node.end)
        if what == "grad":
            return Value(f"grad({name}, {arg.text})", "v", _ATOM)
        return Value(f"{name}({arg.text})", "s", _ATOM)

    # ------------------------------------------------------------ powers

    def iterate_key(self, key: NameKey, start: int, end: int) -> NameKey | None:
        """``x^{k+1}`` as the name of an iterate: x's key with the mark ('up', units)."""
        from .tex import _encode_index

        raw = self.text[start:end].strip()
        if raw.startswith("^"):
            raw = raw[1:].strip()
        if raw.startswith("{") and raw.endswith("}"):
            raw = raw[1:-1]
        units = _encode_index(raw)
        return key._replace(marks=key.marks + (("up", units),)) if units else None

    def _pow(self, node: Node) -> Value:
        base = node.children[0]
        if base.kind == "name" and self.vectors:
            # a vector has no powers: x^{k+1} is the iterate x^{k+1} when it is declared
            exponent = node.children[1]
            key = self.iterate_key(base.children[0].value, base.end, exponent.end)
            if key is not None:
                ident = self.table.known(key)
                if ident is not None and ident in self.vectors:
                    return Value(ident, "v", _ATOM)
        if base.kind == "name" and base.children[0].value == NameKey("e"):
            ident = self.table.ident(NameKey("e"), "e")
            if ident not in self.vectors:
                exponent = self.expr(node.children[1])
                if exponent.typ != "s":
                    raise Unreadable("e to the power of a vector", node.start, node.end)
                return Value(f"exp({exponent.text})", "s", _ATOM)
        return self._power(self.expr(base), node.children[1], node)

    def _power(self, base: Value, exponent_node: Node, node: Node) -> Value:
        if base.typ == "v" and exponent_node.kind == "name" and exponent_node.children[0].value == NameKey("T"):
            return Value(base.text, "r", base.prec)
        if base.typ != "s":
            raise Unreadable(f"a power of a {_TYPE[base.typ]} (write \\|v\\|^2 for a squared norm)", node.start, node.end)
        exponent = self.expr(exponent_node)
        if exponent.typ != "s":
            raise Unreadable("a power with a vector exponent", node.start, node.end)
        return Value(f"{_wrap(base, _ATOM)}**{_wrap(exponent, _ATOM)}", "s", _POW)

    def _transpose(self, node: Node) -> Value:
        return self._transposed(self.expr(node.children[0]), node)

    def _transposed(self, value: Value, node: Node) -> Value:
        if value.typ == "v":
            return Value(value.text, "r", value.prec)
        raise Unreadable(f"a transpose of a {_TYPE[value.typ]}", node.start, node.end)

    # ------------------------------------------------------------ the rest

    def _scalar(self, node: Node, what: str) -> Value:
        value = self.expr(node)
        if value.typ != "s":
            raise Unreadable(f"{what} of a {_TYPE[value.typ]}", node.start, node.end)
        return value

    def _abs(self, node: Node) -> Value:
        inner = self.expr(node.children[0])
        if inner.typ == "v":
            return Value(f"norm({inner.text})", "s", _ATOM)
        if inner.typ != "s":
            raise Unreadable("|...| of a transposed vector", node.start, node.end)
        return Value(f"Abs({inner.text})", "s", _ATOM)

    _norm = _abs

    def _inner(self, node: Node) -> Value:
        left, right = (self.expr(child) for child in node.children)
        if left.typ != "v" or right.typ != "v":
            raise Unreadable("\\langle u, v\\rangle needs two vectors", node.start, node.end)
        return Value(f"dot({left.text}, {right.text})", "s", _ATOM)

    def _frac(self, node: Node) -> Value:
        top_source = self.text[node.children[0].start : node.children[0].end].lstrip("{ ")
        bottom_source = self.text[node.children[1].start : node.children[1].end].lstrip("{ ")
        if bottom_source.startswith(("d", "\\mathrm{d}", "\\mathrm d")) and top_source.startswith(
                ("d", "\\mathrm{d}", "\\mathrm d")):
            raise Unreadable("derivatives (\\frac{d}{dt}) are not supported", node.start, node.end)
        top = self.expr(node.children[0])
        bottom = self._scalar(node.children[1], "a denominator")
        if top.typ == "r":
            raise Unreadable("a fraction of a transposed vector", node.start, node.end)
        return Value(f"{_wrap(top, _POW)}/{_wrap(bottom, _ATOM)}", top.typ, _PRODUCT)

    def _sqrt(self, node: Node) -> Value:
        return Value(f"sqrt({self._scalar(node.children[0], 'a square root').text})", "s", _ATOM)

    def _root(self, node: Node) -> Value:
        degree = self._scalar(node.children[0], "a root degree")
        radicand = self._scalar(node.children[1], "a root")
        return Value(f"{_wrap(radicand, _ATOM)}**(1/{_wrap(degree, _ATOM)})", "s", _POW)

    def _func(self, node: Node) -> Value:
        tok, argument = node.children
        if argument.kind == "pow" and argument.children[0].kind == "paren":
            # \cos(x)^2 is (cos x)^2; \log x^2 stays log(x^2)
            inner = self._func(Node("func", (tok, argument.children[0]), node.start, argument.children[0].end))
            return self._power(inner, argument.children[1], node)
        value = self._scalar(argument, f"\\{tok.value}")
        return Value(f"{tok.value}({value.text})", "s", _ATOM)

    def _funcpow(self, node: Node) -> Value:
        tok, exponent, argument = node.children  # \sin^2 x = (sin x)^2
        inner = self._func(Node("func", (tok, argument), node.start, node.end))
        return self._power(inner, exponent, node)

    def _maxmin(self, node: Node) -> Value:
        tok, args = node.children
        values = [self._scalar(arg, "\\max or \\min") for arg in args.children]
        return Value(f"{tok.value}({', '.join(v.text for v in values)})", "s", _ATOM)


_TYPE = {"s": "scalar", "v": "vector", "r": "transposed vector"}
