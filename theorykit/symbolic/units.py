"""Dimensional analysis of update rules with two independent base units.

theta (the parameters) and the loss are independent base dimensions: a quantity
has dimension theta^p loss^q with rational p, q. Derived quantities follow:
gradient loss/theta, Hessian loss/theta^2, second-moment estimates loss^2/theta^2.
An update rule is *unit-consistent* when every sum adds like dimensions, and it
moves theta by a quantity of dimension theta only if its hyperparameters carry
the missing units; e.g. GD's lr must be theta^2/loss (the inverse of a curvature).

Numerically, a change of units theta -> c theta, loss -> s loss multiplies a
quantity of dimension theta^p loss^q by c^p s^q (``Dimension.scale``); a rule is
equivariant under that change exactly when its hyperparameters are rescaled the
same way (checked by ``proofs/units.py``).

The walker is deliberately small: numbers are dimensionless, +, -, max and min
need equal dimensions, * adds and rational powers scale exponents, and
transcendental functions (exp, log, sin, ...) need a dimensionless argument.
Abs and sign are allowed (|x| has x's dimension, sign(x) none).
"""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple

import sympy

from ..errors import InputError

__all__ = [
    "DIMENSIONLESS",
    "GRAD",
    "HESSIAN",
    "LOSS",
    "THETA",
    "UNIT_SYMBOLS",
    "Dimension",
    "DimensionMismatch",
    "dimension_of",
    "monomial",
    "unit_skeleton",
]


class Dimension(NamedTuple):
    """theta^theta * loss^loss (exponents are Fractions)."""

    theta: Fraction
    loss: Fraction

    def __mul__(self, other: Dimension) -> Dimension:  # type: ignore[override]
        return Dimension(self.theta + other.theta, self.loss + other.loss)

    def __truediv__(self, other: Dimension) -> Dimension:
        return Dimension(self.theta - other.theta, self.loss - other.loss)

    def __pow__(self, k) -> Dimension:
        k = Fraction(k)
        return Dimension(self.theta * k, self.loss * k)

    def scale(self, c: float, s: float) -> float:
        """Factor by which a value of this dimension changes when theta -> c theta, loss -> s loss."""
        return float(c) ** float(self.theta) * float(s) ** float(self.loss)

    def __str__(self) -> str:
        def part(name, e):
            if e == 0:
                return ""
            return name if e == 1 else f"{name}^{e}"

        parts = [p for p in (part("theta", self.theta), part("loss", self.loss)) if p]
        return " ".join(parts) if parts else "1"


def _dim(theta=0, loss=0) -> Dimension:
    return Dimension(Fraction(theta), Fraction(loss))


DIMENSIONLESS = _dim()
THETA = _dim(1, 0)
LOSS = _dim(0, 1)
GRAD = _dim(-1, 1)  # d loss / d theta
HESSIAN = _dim(-2, 1)  # d^2 loss / d theta^2

#: the positive symbols that stand for the two base units in derivations
UNIT_SYMBOLS = (sympy.Symbol("Theta", positive=True), sympy.Symbol("Lambda", positive=True))


class DimensionMismatch(InputError):
    """An expression adds (or compares) quantities of different dimensions."""

    def __init__(self, message: str):
        super().__init__("expr", message)


_DIMENSIONLESS_FUNCS = (sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.tanh, sympy.cosh,
                        sympy.sinh, sympy.atan)


def _as_fraction(e: sympy.Basic, where: sympy.Basic) -> Fraction:
    if not (e.is_Rational or e.is_Integer):
        raise InputError("expr", f"exponent {e} in {where} must be a rational number for dimensional analysis")
    return Fraction(int(e.p), int(e.q))


def dimension_of(expr, units: Mapping) -> Dimension:
    """Dimension of ``expr`` (a SymPy expression) given ``units``: symbol (or its name) -> Dimension.

    Raises ``DimensionMismatch`` for inconsistent sums and ``InputError`` naming
    "units" for a symbol without a unit.
    """
    if not isinstance(expr, sympy.Basic):
        raise InputError("expr", f"expected a SymPy expression, got {type(expr).__name__}")
    table: dict[str, Dimension] = {}
    for key, dim in dict(units).items():
        name = key.name if isinstance(key, sympy.Symbol) else str(key)
        if not isinstance(dim, Dimension):
            raise InputError("units", f"unit of {name!r} must be a Dimension, got {dim!r}")
        table[name] = dim
    return _walk(expr, table)


def _walk(e: sympy.Basic, table: Mapping[str, Dimension]) -> Dimension:
    if e.is_Number or e in (sympy.pi, sympy.E):
        return DIMENSIONLESS
    if isinstance(e, sympy.Symbol):
        if e.name not in table:
            raise InputError("units", f"no unit given for symbol {e.name!r}")
        return table[e.name]
    if isinstance(e, (sympy.Add, sympy.Max, sympy.Min)):
        dims = [(_walk(a, table), a) for a in e.args]
        first, a0 = dims[0]
        for d, a in dims[1:]:
            if d != first:
                raise DimensionMismatch(f"cannot combine {a0} [{first}] with {a} [{d}] in {e}")
        return first
    if isinstance(e, sympy.Mul):
        out = DIMENSIONLESS
        for a in e.args:
            out = out * _walk(a, table)
        return out
    if isinstance(e, sympy.Pow):
        base, k = e.args
        if _walk(k, table) != DIMENSIONLESS:
            raise DimensionMismatch(f"exponent {k} of {e} must be dimensionless")
        bd = _walk(base, table)
        if bd == DIMENSIONLESS:
            return DIMENSIONLESS
        return bd ** _as_fraction(k, e)
    if isinstance(e, sympy.Abs):
        return _walk(e.args[0], table)
    if isinstance(e, sympy.sign):
        _walk(e.args[0], table)
        return DIMENSIONLESS
    if isinstance(e, _DIMENSIONLESS_FUNCS):
        inner = _walk(e.args[0], table)
        if inner != DIMENSIONLESS:
            raise DimensionMismatch(f"the argument of {e.func.__name__} must be dimensionless, got [{inner}] in {e}")
        return DIMENSIONLESS
    raise InputError("expr", f"dimensional analysis does not know {type(e).__name__} (in {e})")


def monomial(dim: Dimension, symbols=UNIT_SYMBOLS) -> sympy.Expr:
    """Theta^p Lambda^q as a SymPy expression in positive unit symbols (for derivations)."""
    th, lo = symbols
    return th ** sympy.Rational(dim.theta) * lo ** sympy.Rational(dim.loss)


def unit_skeleton(expr, units: Mapping, symbols=UNIT_SYMBOLS) -> tuple[sympy.Expr, list[tuple[sympy.Expr, sympy.Expr]]]:
    """(skeleton, sums): ``expr`` with each symbol replaced by its unit monomial, built
    unevaluated so a derivation shows the bookkeeping, and each sum replaced by its
    first term (units add like that: [a + b] = [a] when [a] = [b]). ``sums`` lists
    (skeleton of term i, skeleton of term 0) for every other term of every sum: the
    consistency conditions a derivation states before using the skeleton."""
    if not isinstance(expr, sympy.Basic):
        raise InputError("expr", f"expected a SymPy expression, got {type(expr).__name__}")
    table = {}
    for key, dim in dict(units).items():
        name = key.name if isinstance(key, sympy.Symbol) else str(key)
        table[name] = monomial(dim, symbols)
    sums: list[tuple[sympy.Expr, sympy.Expr]] = []

    def walk(e):
        if e.is_Number:
            return sympy.Integer(1)  # numbers carry no units (a factor 2 does not change them)
        if isinstance(e, sympy.Symbol):
            if e.name not in table:
                raise InputError("units", f"no unit given for symbol {e.name!r}")
            return table[e.name]
        if isinstance(e, (sympy.Add, sympy.Max, sympy.Min)):
            parts = [walk(a) for a in e.args]
            sums.extend((p, parts[0]) for p in parts[1:])
            return parts[0]
        if isinstance(e, sympy.Mul):
            return sympy.Mul(*[walk(a) for a in e.args], evaluate=False)
        if isinstance(e, sympy.Pow):
            return sympy.Pow(walk(e.args[0]), e.args[1], evaluate=False)
        if isinstance(e, sympy.Abs):
            return walk(e.args[0])
        raise InputError("expr", f"unit_skeleton does not know {type(e).__name__} (in {e})")

    return walk(expr), sums
