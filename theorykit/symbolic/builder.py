"""The ``Derivation`` builder: a derivation written in Python, checked like a
``.deriv`` file (see ``derivation.py`` for the verdict rules)."""
from __future__ import annotations

import contextlib
import contextvars
from fractions import Fraction
from typing import Callable, Iterator

import sympy

from ..errors import InputError
from .derivation import ParsedDerivation, _Chain, _Step, check_parsed
from .parse import RELATIONS, make_relation, parse_assumptions, parse_expression
from .report import DerivationReport

__all__ = ["Derivation", "step_timeout", "DEFAULT_STEP_TIMEOUT"]

DEFAULT_STEP_TIMEOUT = 10.0
# Catalog claims call ``d.check()`` without a timeout; callers such as
# ``theorykit derive --timeout`` set the per-step budget for them through this.
_STEP_TIMEOUT: contextvars.ContextVar[float] = contextvars.ContextVar("step_timeout", default=DEFAULT_STEP_TIMEOUT)


@contextlib.contextmanager
def step_timeout(seconds: float) -> Iterator[None]:
    """Per-step time budget for every ``Derivation.check()`` without an explicit timeout."""
    token = _STEP_TIMEOUT.set(float(seconds))
    try:
        yield
    finally:
        _STEP_TIMEOUT.reset(token)




def _real_expr(value, argument: str, line: int) -> sympy.Expr:
    """A SymPy expression whose symbols are plain real symbols, by name."""
    if isinstance(value, str):
        return parse_expression(value, line=line, column=1, source="<Derivation>")
    if isinstance(value, bool):
        raise InputError(argument, "expected an expression, got a bool")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        raise InputError(
            argument, f"floating-point number {value!r}: pass a string like '{value!r}' or sympy.Rational"
        )
    if not isinstance(value, sympy.Basic) or not isinstance(value, sympy.Expr):
        raise InputError(argument, f"expected a SymPy expression or a string, got {type(value).__name__}")
    if value.atoms(sympy.core.function.AppliedUndef):
        raise InputError(argument, f"'{value}' contains an undefined function; names must be plain symbols")
    if value.atoms(sympy.Float):
        raise InputError(argument, f"'{value}' contains a floating-point number; use sympy.Rational")
    if any(value.has(bad) for bad in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I)):
        raise InputError(argument, f"'{value}' is not a finite real expression")
    # assumptions are attached by name, so x (positive) and x (real) must be one symbol
    renames = {s: sympy.Symbol(s.name, real=True) for s in value.free_symbols if isinstance(s, sympy.Symbol)}
    if len(value.free_symbols) != len(renames):
        raise InputError(argument, f"'{value}' has free symbols that are not plain Symbols")
    return value.xreplace(renames)


def _sign_facts(value, argument: str) -> list[sympy.Rel]:
    """Relations implied by SymPy symbol assumptions, e.g. positive=True -> x > 0.

    The checker rebinds every name to a plain real symbol, so facts carried by
    the user's symbols would otherwise be lost, and a step true for positive
    eta could be "refuted" at a negative one.
    """
    if not isinstance(value, sympy.Basic):
        return []
    facts = []
    for symbol in sorted(value.free_symbols, key=lambda s: s.name):
        real = sympy.Symbol(symbol.name, real=True)
        if symbol.is_integer or symbol.is_real is False or symbol.is_rational or symbol.is_prime:
            raise InputError(
                argument,
                f"symbol '{symbol.name}' carries assumptions the checker cannot use "
                "(names are real-valued); use plain or positive/negative symbols",
            )
        if symbol.is_zero:
            facts.append(make_relation(real, "=", sympy.Integer(0)))
        elif symbol.is_positive:
            facts.append(make_relation(real, ">", sympy.Integer(0)))
        elif symbol.is_negative:
            facts.append(make_relation(real, "<", sympy.Integer(0)))
        elif symbol.is_nonnegative:
            facts.append(make_relation(real, ">=", sympy.Integer(0)))
        elif symbol.is_nonpositive:
            facts.append(make_relation(real, "<=", sympy.Integer(0)))
        elif symbol.is_nonzero:
            raise InputError(
                argument, f"symbol '{symbol.name}' is nonzero=True, which is not a conjunction of bounds"
            )
    return facts


_REL_OP = {"==": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}


class Derivation:
    """Build a derivation in Python and check it like a ``.deriv`` file.

    >>> d = Derivation(assume=["L > 0", "eta > 0", "eta < 2/L"])
    >>> d.start("f - eta*g**2 + L/2*eta**2*g**2").eq("f - eta*(1 - L*eta/2)*g**2").le("f")  # doctest: +SKIP
    """

    def __new__(cls, *args, functions=None, vectors=None, minimizers=None, let=None, stationary=None, noise=None,
                **kwargs):
        # declarations of functions/vectors make it a vector derivation (theorykit.symbolic.vector)
        if cls is Derivation and any(x is not None for x in (functions, vectors, minimizers, let, stationary, noise)):
            from .vector.builder import VectorDerivation

            return super().__new__(VectorDerivation)
        return super().__new__(cls)

    def __init__(self, assume=(), *, name: str | None = None, functions=None, vectors=None, minimizers=None,
                 let=None, stationary=None, noise=None):
        self.name = name
        self._parsed = ParsedDerivation(source=name)
        self._calls = 0
        self._chain: _Chain | None = None
        self._current: sympy.Expr | None = None
        if isinstance(assume, (str, sympy.Basic)):
            assume = [assume]
        for position, item in enumerate(assume, start=1):
            self._add_assumption(item, position)

    def _add_assumption(self, item, position: int = 1) -> None:
        if isinstance(item, str):
            # errors name the item's position in the assume list as the line
            for relation in parse_assumptions(item, line=position, column=1, source="<assume>"):
                self._parsed.assumptions.append((relation, 0, 1))
            return
        if item is sympy.true or item is True:
            return  # SymPy already decided it: nothing left to assume
        if item is sympy.false or item is False:
            raise InputError("assume", "an assumption is always false")
        if isinstance(item, sympy.And):
            for part in item.args:
                self._add_assumption(part, position)
            return
        if not isinstance(item, sympy.core.relational.Relational) or item.rel_op not in _REL_OP:
            raise InputError("assume", f"{item!r} is not a relation like L > 0")
        lhs = self._convert(item.lhs, "assume", 0)
        rhs = self._convert(item.rhs, "assume", 0)
        self._parsed.assumptions.append((make_relation(lhs, _REL_OP[item.rel_op], rhs), 0, 1))

    def _convert(self, value, argument: str, line: int) -> sympy.Expr:
        expr = _real_expr(value, argument, line)
        known = {relation for relation, _, _ in self._parsed.assumptions}
        for fact in _sign_facts(value, argument):
            if fact not in known:
                self._parsed.assumptions.append((fact, 0, 1))
                known.add(fact)
        return expr

    def start(self, expr) -> "Derivation":
        self._calls += 1
        self._current = self._convert(expr, "start", self._calls)
        self._chain = _Chain(start_line=self._calls)
        self._parsed.chains.append(self._chain)
        return self

    def _relate(self, op: str, expr, by) -> "Derivation":
        self._calls += 1
        if self._chain is None:
            raise InputError(op, "call .start(expr) before adding relation steps")
        new = self._convert(expr, "expr", self._calls)
        self._parsed.steps.append(_Step(self._calls, self._current, op, new, _by(by)))
        self._chain.steps.append(len(self._parsed.steps) - 1)
        self._current = new
        return self

    def eq(self, expr, by: str | None = None) -> "Derivation":
        return self._relate("=", expr, by)

    def le(self, expr, by: str | None = None) -> "Derivation":
        return self._relate("<=", expr, by)

    def lt(self, expr, by: str | None = None) -> "Derivation":
        return self._relate("<", expr, by)

    def ge(self, expr, by: str | None = None) -> "Derivation":
        return self._relate(">=", expr, by)

    def gt(self, expr, by: str | None = None) -> "Derivation":
        return self._relate(">", expr, by)

    def claim(self, lhs, rel: str, rhs, by: str | None = None) -> "Derivation":
        self._calls += 1
        op = "=" if rel == "==" else rel
        if op not in RELATIONS:
            raise InputError("rel", f"{rel!r} is not one of {', '.join(RELATIONS)}")
        left = self._convert(lhs, "lhs", self._calls)
        right = self._convert(rhs, "rhs", self._calls)
        self._parsed.steps.append(_Step(self._calls, left, op, right, _by(by)))
        self._chain, self._current = None, None
        return self

    def check(self, timeout: float | None = None, *, prover: Callable | None = None) -> DerivationReport:
        """Check every step; ``timeout`` is the per-step budget in seconds
        (default: the enclosing ``step_timeout(...)``, else 10 s)."""
        if timeout is None:
            timeout = _STEP_TIMEOUT.get()
        if not self._parsed.steps:
            raise InputError("derivation", "no steps to check: add .claim(...) or .start(...).le(...)")
        for chain in self._parsed.chains:
            if not chain.steps:
                raise InputError("start", f".start() (call {chain.start_line}) has no relation steps")
        return check_parsed(self._parsed, timeout=timeout, prover=prover)

    # -- display (Jupyter shows _repr_html_ instead of an object address) -------------
    def _rows(self) -> list[tuple[str, sympy.Expr | None, str, sympy.Expr, str | None]]:
        """(label, lhs or None for a chain continuation, relation, rhs, justification)."""
        rows = []
        starts = {chain.steps[0]: chain for chain in self._parsed.chains if chain.steps}
        for index, step in enumerate(self._parsed.steps):
            if index in starts:
                rows.append((f"[{index}]", step.lhs, step.op, step.rhs, step.justification))
            elif any(index in chain.steps for chain in self._parsed.chains):
                rows.append((f"[{index}]", None, step.op, step.rhs, step.justification))
            else:
                rows.append((f"[{index}]", step.lhs, step.op, step.rhs, step.justification))
        return rows

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return (f"<Derivation{name}: {len(self._parsed.assumptions)} assumptions, "
                f"{len(self._parsed.steps)} steps, not checked; call .check()>")

    def _repr_html_(self) -> str:
        import html

        tex = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}
        title = f"Derivation {html.escape(self.name)}" if self.name else "Derivation"
        def m(expr) -> str:
            # \( \) rather than $ $: MathJax takes these in Jupyter and in Sphinx (myst-nb) pages;
            # escaped, since L < 2 is also HTML
            return rf"\({html.escape(expr if isinstance(expr, str) else sympy.latex(expr), quote=False)}\)"

        assumed = ", ".join(m(rel) for rel, _, _ in self._parsed.assumptions) or "nothing"
        body = []
        for label, lhs, op, rhs, by in self._rows():
            left = m(lhs) if lhs is not None else ""
            body.append(
                f"<tr><td>{label}</td><td style='text-align:right'>{left}</td><td>{m(tex[op])}</td>"
                f"<td style='text-align:left'>{m(rhs)}</td>"
                f"<td style='text-align:left'>{html.escape(by) if by else ''}</td></tr>")
        if self._chain is not None and not self._chain.steps:  # a start() awaiting its first step
            body.append(f"<tr><td>start</td><td style='text-align:right'>{m(self._current)}</td>"
                        "<td></td><td></td><td></td></tr>")
        return (f"<div class='theorykit-derivation'><b>{title}</b> (not checked yet: call "
                f"<code>.check()</code>)<br>assuming: {assumed}"
                "<table><thead><tr><th>step</th><th></th><th></th><th></th><th>by</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table></div>")


def _by(by) -> str | None:
    if by is None:
        return None
    if not isinstance(by, str):
        raise InputError("by", f"expected a string, got {type(by).__name__}")
    return by.strip() or None
