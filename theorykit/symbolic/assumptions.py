"""What a derivation may assume about its symbols.

``Assumptions.from_relations`` turns relations such as ``L > 0``, ``eta < 2/L``,
``kappa = L/mu`` into

* symbols carrying SymPy assumptions where that is sound (``x > 0`` makes ``x``
  positive, ``x >= 0`` nonnegative, ...), so that ``sqrt(x**2)`` simplifies;
* constant interval bounds per symbol (``1 < x <= 3``);
* definitions ``kappa = L/mu`` (a symbol equal to an expression in the others);
* the remaining relations between symbols (``eta < 2/L``).

Everything the prover does with these is a weakening or an exact rewrite, and a
counterexample must satisfy every relation, checked in exact arithmetic.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy

from ..errors import InputError
from .exact import rationalize_floats, sign_at, sign_of_number, to_rational

__all__ = ["Assumptions", "Contradiction", "Undecidable", "flatten_relations"]


class Contradiction(InputError):
    """The relations certainly leave no point (checked exactly): a region that is empty."""


class Undecidable(InputError):
    """A symbol-free relation whose truth cannot be certified (``log(4) - 2*log(2) >= 0``).

    Never read as empty or as true: an argument that needs it fails."""

_STRICT = {sympy.StrictGreaterThan: True, sympy.StrictLessThan: True,
           sympy.GreaterThan: False, sympy.LessThan: False}


def flatten_relations(relations) -> list:
    """Split ``And`` into its parts; reject anything that is not a usable relation."""
    out = []
    stack = list(relations)[::-1]
    while stack:
        r = stack.pop()
        if isinstance(r, bool):
            r = sympy.true if r else sympy.false
        if r is sympy.true:
            continue
        if r is sympy.false:
            raise Contradiction("assume", "an assumption is false for every value (contradictory assumptions)")
        if isinstance(r, sympy.And):
            stack.extend(r.args[::-1])
            continue
        if isinstance(r, sympy.Ne):
            raise InputError("assume", f"'{r}': '!=' cannot be used as an assumption; give bounds instead")
        if isinstance(r, sympy.Or):
            raise InputError("assume", f"'{r}': 'or' assumptions are not supported; split the derivation")
        if not isinstance(r, (sympy.Eq, *tuple(_STRICT))):
            raise InputError("assume", f"{r!r} is not a relation (use <, <=, >, >=, =)")
        for side in r.args:
            if not isinstance(side, sympy.Expr):
                raise InputError("assume", f"'{r}': both sides must be expressions")
            if side.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise InputError("assume", f"'{r}': sides must be finite real expressions")
            for s in side.free_symbols:
                if not isinstance(s, sympy.Symbol):
                    raise InputError("assume", f"'{r}': {s} is not a plain symbol")
        out.append(r)
    return out


def _as_positive_form(rel) -> tuple[sympy.Expr, bool]:
    """``rel`` as ``g > 0`` (strict) or ``g >= 0``: returns (g, strict)."""
    strict = _STRICT[type(rel)]
    if isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan)):
        return rel.lhs - rel.rhs, strict
    return rel.rhs - rel.lhs, strict


class Assumptions:
    """Symbols, bounds, definitions and constraints; see the module docstring."""

    def __init__(self, symbols, bounds, definitions, constraints, forms):
        self.symbols: dict[str, sympy.Symbol] = symbols
        self._bounds: dict[str, sympy.Interval] = bounds
        self.definitions: dict[sympy.Symbol, sympy.Expr] = definitions
        self.constraints: tuple = constraints
        # (g, strict) meaning g > 0 / g >= 0, in assumption symbols, definitions substituted
        self.forms: tuple[tuple[sympy.Expr, bool], ...] = forms

    # -- construction -----------------------------------------------------
    @classmethod
    def from_relations(cls, relations: Sequence = ()) -> Assumptions:
        if relations is None:
            relations = ()
        if isinstance(relations, (sympy.Basic, bool)):
            relations = [relations]
        # evaluate=False: symbol-free relations are decided below in certified arithmetic,
        # never by SymPy's own comparison of closed forms
        rels = [r.func(rationalize_floats(r.lhs), rationalize_floats(r.rhs), evaluate=False)
                if isinstance(r, sympy.Rel) else r
                for r in flatten_relations(relations)]
        rels = flatten_relations(rels)  # rationalizing can fold a relation to True/False
        names: dict[str, None] = {}
        for r in rels:
            for s in sorted(r.free_symbols, key=lambda s: s.name):
                names.setdefault(s.name, None)
        plain = {n: sympy.Symbol(n, real=True) for n in names}
        rels = [r.xreplace({s: plain[s.name] for s in r.free_symbols}) for r in rels]
        # xreplace rebuilds a relation with evaluation: SymPy's sign facts may fold it
        # (x**2 >= 0 is True for real x); a folded True adds nothing, a folded False is a
        # contradiction certified by those facts
        if any(r is sympy.false for r in rels):
            raise Contradiction("assume", "an assumption is false for every value (contradictory assumptions)")
        rels = [r for r in rels if r is not sympy.true]

        definitions: dict[sympy.Symbol, sympy.Expr] = {}
        inequalities = []
        for r in rels:
            if isinstance(r, sympy.Eq):
                target, value = _definition(r)
                if target in definitions:
                    raise InputError("assume", f"'{r}': {target} is defined twice")
                definitions[target] = value
            else:
                inequalities.append(r)
        definitions = _resolve_definitions(definitions)

        # constant bounds per free (non-defined) symbol
        lo: dict[str, tuple] = {}
        hi: dict[str, tuple] = {}
        rest = []
        for r in inequalities:
            g, strict = _as_positive_form(r)
            g = sympy.expand(g.xreplace(definitions)) if g.free_symbols & set(definitions) else g
            if g.free_symbols == set():
                sg = sign_of_number(g)
                if sg is None:
                    raise Undecidable("assume", f"'{r}': cannot decide whether this holds")
                if sg > 0 or (sg == 0 and not strict):
                    continue
                raise Contradiction("assume", f"'{r}' is false (contradictory assumptions)")
            bound = _constant_bound(g)
            if bound is not None:
                sym, value, is_lower = bound
                table = lo if is_lower else hi
                old = table.get(sym.name)
                if old is None or (value > old[0] if is_lower else value < old[0]) or (value == old[0] and strict):
                    table[sym.name] = (value, strict)
                continue
            rest.append((r, g, strict))

        # Signs implied by relations between symbols (lam > 0, lam <= L gives L > 0),
        # so that later relations such as eta < 2/L can be read as bounds on eta.
        for _ in range(4):
            bounds, attrs = _bounds_and_attrs(names, lo, hi)
            current = {n: sympy.Symbol(n, **attrs[n]) for n in names}
            to = {plain[n]: current[n] for n in names}
            changed = False
            for _r, g, strict in rest:
                for sym, value, is_lower, st in _implied_sign_bounds(g.xreplace(to), strict):
                    table = lo if is_lower else hi
                    old = table.get(sym.name)
                    if old is None or (value > old[0] if is_lower else value < old[0]) or (value == old[0] and st and not old[1]):
                        table[sym.name] = (value, st)
                        changed = True
            if not changed:
                break
        bounds, attrs = _bounds_and_attrs(names, lo, hi)
        # A defined symbol inherits what SymPy can tell about its definition.
        symbols = {}
        for n in names:
            symbols[n] = sympy.Symbol(n, **attrs[n])
        swap = {plain[n]: symbols[n] for n in names}
        definitions = {swap[k]: v.xreplace(swap) for k, v in definitions.items()}
        for k, v in list(definitions.items()):
            if v.is_positive and not k.is_positive and bounds[k.name].inf == -sympy.oo:
                pos = sympy.Symbol(k.name, real=True, positive=True)
                symbols[k.name] = pos
                definitions[pos] = definitions.pop(k)
        constraints = []
        for r in rels:
            to = {plain[s.name]: symbols[s.name] for s in r.free_symbols}
            # evaluate=False: with the new assumptions SymPy would fold ``x > 0`` to True
            constraints.append(type(r)(r.lhs.xreplace(to), r.rhs.xreplace(to), evaluate=False))
        forms = tuple((g.xreplace(swap), strict) for _, g, strict in rest)
        return cls(symbols, bounds, definitions, tuple(constraints), forms)

    # -- queries ----------------------------------------------------------
    def bounds(self, name: str) -> sympy.Interval:
        return self._bounds.get(name, sympy.Interval(-sympy.oo, sympy.oo, True, True))

    def symbol(self, name: str) -> sympy.Symbol:
        return self.symbols.get(name) or sympy.Symbol(name, real=True)

    def rebind(self, expr):
        """Swap plain symbols for the assumption-carrying ones (others become real)."""
        if not isinstance(expr, sympy.Basic):
            return expr
        return expr.xreplace({s: self.symbol(s.name) for s in expr.free_symbols if isinstance(s, sympy.Symbol)})

    def expand_definitions(self, expr):
        """Replace defined symbols by their definitions (exact rewrite)."""
        if not self.definitions:
            return expr
        return expr.xreplace(self.definitions)

    @property
    def free_names(self) -> list[str]:
        """Assumed symbols that are not defined by an equation."""
        defined = {k.name for k in self.definitions}
        return [n for n in self.symbols if n not in defined]

    def complete(self, assignment: Mapping[str, sympy.Rational]) -> dict[str, sympy.Rational] | None:
        """Add the values of defined symbols; None when a definition is undefined or irrational."""
        values = {n: to_rational(v) for n, v in assignment.items()}
        subs = {self.symbol(n): v for n, v in values.items()}
        for k, expr in self.definitions.items():
            if k.name in values and k.name in assignment:
                continue
            v = expr.xreplace(subs)
            if not (isinstance(v, sympy.Basic) and v.is_Rational):
                return None
            values[k.name] = v
            subs[k] = v
        return values

    def satisfied_exactly(self, assignment: Mapping[str, sympy.Rational]) -> bool:
        """Every assumption holds at this rational point (exact arithmetic)."""
        try:
            values = {n: to_rational(v) for n, v in assignment.items()}
        except (TypeError, ValueError, ZeroDivisionError):
            return False
        subs = {self.symbol(n): v for n, v in values.items()}
        for s in self.symbols.values():
            if s not in subs:
                return False
        for rel in self.constraints:
            if isinstance(rel, sympy.Eq):
                d = rel.lhs - rel.rhs
                if sign_at(d, subs) != 0:
                    return False
                continue
            g, strict = _as_positive_form(rel)
            sg = sign_at(g, subs)
            if sg is None or sg < 0 or (strict and sg == 0):
                return False
        return True

    def __repr__(self) -> str:
        return f"Assumptions({', '.join(str(c) for c in self.constraints)})"


def _bounds_and_attrs(names, lo, hi):
    bounds, attrs = {}, {}
    for n in names:
        a, a_open = lo.get(n, (-sympy.oo, True))
        b, b_open = hi.get(n, (sympy.oo, True))
        if a > b or (a == b and (a_open or b_open)):
            raise Contradiction("assume", f"the bounds on {n} leave no value ({a} .. {b})")
        bounds[n] = sympy.Interval(a, b, a_open, b_open)
        kw = {"real": True}
        if a > 0 or (a == 0 and a_open):
            kw["positive"] = True
        elif a == 0:
            kw["nonnegative"] = True
        if b < 0 or (b == 0 and b_open):
            kw["negative"] = True
        elif b == 0:
            kw["nonpositive"] = True
        attrs[n] = kw
    return bounds, attrs


def _implied_sign_bounds(g, strict):
    """From g > 0 (or >= 0) linear in a symbol v: v > 0 / v >= 0 / v < 0 ... when the
    other side has a known sign. Yields (v, 0, is_lower, strict)."""
    for v in g.free_symbols:
        try:
            p = sympy.Poly(g, v)
        except sympy.PolynomialError:
            continue
        if p.degree() != 1:
            continue
        a, b = p.all_coeffs()
        c = -b / a
        if a.is_positive:  # v > c (or >=)
            if c.is_positive or (c.is_nonnegative and strict):
                yield v, sympy.Integer(0), True, True
            elif c.is_nonnegative:
                yield v, sympy.Integer(0), True, False
        elif a.is_negative:  # v < c
            if c.is_negative or (c.is_nonpositive and strict):
                yield v, sympy.Integer(0), False, True
            elif c.is_nonpositive:
                yield v, sympy.Integer(0), False, False


def _definition(eq) -> tuple[sympy.Symbol, sympy.Expr]:
    for a, b in ((eq.lhs, eq.rhs), (eq.rhs, eq.lhs)):
        if isinstance(a, sympy.Symbol) and a not in b.free_symbols:
            return a, b
    raise InputError("assume", f"'{eq}': an equality assumption must define one symbol, like 'kappa = L/mu'")


def _resolve_definitions(defs: dict) -> dict:
    """Substitute definitions into each other; reject cycles."""
    resolved = dict(defs)
    for _ in range(len(defs) + 1):
        changed = False
        for k, v in resolved.items():
            nv = v.xreplace({kk: vv for kk, vv in resolved.items() if kk != k})
            if k in nv.free_symbols:
                raise InputError("assume", f"the definition of {k} refers to itself")
            if nv != v:
                resolved[k] = nv
                changed = True
        if not changed:
            return resolved
    raise InputError("assume", "definitions refer to each other in a cycle")


def _constant_bound(g):
    """For ``g = a*x + b`` with rational a != 0, b: (x, -b/a, a > 0) meaning a bound on x."""
    syms = g.free_symbols
    if len(syms) != 1:
        return None
    (x,) = syms
    try:
        poly = sympy.Poly(g, x)
    except sympy.PolynomialError:
        return None
    if poly.degree() != 1 or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    a, b = poly.all_coeffs()
    return x, -b / a, bool(a > 0)
