"""Dimensional analysis (theorykit.symbolic.units)."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.symbolic.units import (
    DIMENSIONLESS,
    GRAD,
    HESSIAN,
    LOSS,
    THETA,
    UNIT_SYMBOLS,
    Dimension,
    DimensionMismatch,
    dimension_of,
    monomial,
    unit_skeleton,
)

g, h, v, eps, eta, m = sympy.symbols("g h v eps eta m", real=True)
UNITS = {"g": GRAD, "h": HESSIAN, "v": GRAD**2, "eps": GRAD, "m": GRAD}

exps = st.fractions(min_value=-4, max_value=4, max_denominator=4)
dims = st.builds(Dimension, exps, exps)


def test_update_directions():
    assert dimension_of(g / h, UNITS) == THETA  # Newton
    assert dimension_of(m / (sympy.sqrt(v) + eps), UNITS) == DIMENSIONLESS  # Adam
    assert THETA / dimension_of(g, UNITS) == Dimension(Fraction(2), Fraction(-1))  # GD's lr: theta^2/loss
    assert dimension_of(sympy.sqrt(v), UNITS) == GRAD
    assert dimension_of(sympy.Abs(g) * sympy.sign(g) * 3, UNITS) == GRAD


def test_inconsistent_sums_and_functions_are_rejected():
    with pytest.raises(DimensionMismatch):
        dimension_of(v + eps, UNITS)  # (loss/theta)^2 + loss/theta
    with pytest.raises(DimensionMismatch):
        dimension_of(sympy.exp(g), UNITS)
    with pytest.raises(DimensionMismatch):
        dimension_of(sympy.Max(g, h), UNITS)
    assert dimension_of(sympy.exp(g / sympy.sqrt(v)), UNITS) == DIMENSIONLESS


def test_missing_unit_and_bad_input_name_the_argument():
    with pytest.raises(InputError) as info:
        dimension_of(g * eta, UNITS)
    assert info.value.argument == "units" and "eta" in str(info.value)
    with pytest.raises(InputError) as info:
        dimension_of(g ** sympy.pi, UNITS)
    assert info.value.argument == "expr"
    with pytest.raises(InputError) as info:
        dimension_of("g", UNITS)
    assert info.value.argument == "expr"
    with pytest.raises(InputError) as info:
        dimension_of(g, {"g": (1, 0)})
    assert info.value.argument == "units"


@given(a=dims, b=dims, k=st.integers(-3, 3))
def test_dimensions_form_a_group(a, b, k):
    x, y = sympy.symbols("x y", positive=True)
    units = {"x": a, "y": b}
    assert dimension_of(x * y, units) == a * b
    assert dimension_of(x / y, units) == a / b
    assert dimension_of(x**k, units) == a**k
    # scale: a change of units multiplies a product by the product of the factors
    assert (a * b).scale(3.0, 0.5) == pytest.approx(a.scale(3.0, 0.5) * b.scale(3.0, 0.5), rel=1e-12)


def test_monomial_and_skeleton():
    TH, LA = UNIT_SYMBOLS
    assert sympy.simplify(monomial(HESSIAN) - LA / TH**2) == 0
    skeleton, sums = unit_skeleton(m / (sympy.sqrt(v) + eps), UNITS)
    assert len(sums) == 1  # sqrt(v) and eps must share units
    lhs, rhs = sums[0]
    assert sympy.simplify(lhs - rhs) == 0
    assert sympy.simplify(skeleton) == 1
    assert str(LOSS) == "loss" and str(DIMENSIONLESS) == "1" and str(GRAD) == "theta^-1 loss"
