"""Learning-rate schedules as SymPy expressions: endpoints, evaluation, bad input."""
import math

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.symbolic import schedules as sch


def at(s, k):
    return s.expr.subs(s.k, k)


def test_endpoints_are_exact():
    assert at(sch.cosine(1, 100), 0) == 1 and at(sch.cosine(1, 100), 100) == 0
    assert at(sch.cosine(2, 10, sympy.Rational(1, 10)), 10) == sympy.Rational(1, 10)
    assert at(sch.polynomial(3, 10, 2), 0) == 3 and at(sch.polynomial(3, 10, 2), 10) == sympy.Rational(3, 4)
    assert at(sch.exponential(5, sympy.Rational(1, 2)), 3) == sympy.Rational(5, 8)
    assert at(sch.linear_warmup(1, 4), 0) == 0 and at(sch.linear_warmup(1, 4), 4) == 1
    s = sch.step(1, sympy.Rational(1, 10), 3)
    assert [at(s, k) for k in (0, 2, 3, 5, 6)] == [1, 1, sympy.Rational(1, 10), sympy.Rational(1, 10),
                                                    sympy.Rational(1, 100)]


def test_floats_become_exact_rationals():
    assert sch.polynomial(0.1, 10, 1).expr.subs(sch.K, 0) == sympy.Rational(1, 10)


@given(kind=st.sampled_from(["cosine", "polynomial", "exponential", "step", "warmup"]),
       T=st.integers(1, 300))
def test_values_agree_with_exact_substitution(kind, T):
    s = {"cosine": sch.cosine(1.5, 50, 0.1), "polynomial": sch.polynomial(1.0, 7, 1.5),
         "exponential": sch.exponential(1.0, 0.97), "step": sch.step(1.0, 0.5, 9),
         "warmup": sch.linear_warmup(2.0, 13)}[kind]
    v = sch.values(s, T)
    assert v.shape == (T,)
    for k in {0, T // 2, T - 1}:
        assert v[k] == pytest.approx(float(at(s, k)), rel=1e-12, abs=1e-300)


def test_symbolic_parameters_stay_symbolic():
    a, T = sympy.Symbol("a", positive=True), sympy.Symbol("T", positive=True)
    s = sch.cosine(a, T)
    assert s.expr.free_symbols == {a, T, sch.K}
    assert sympy.simplify(at(s, T)) == 0
    with pytest.raises(InputError) as err:
        sch.values(s, 5)
    assert err.value.argument == "schedule" and "a" in str(err.value)


def test_constant_schedule_evaluates_to_an_array():
    v = sch.values(sch.polynomial(1, 1, 0), 4)
    np.testing.assert_array_equal(v, np.ones(4))


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: sch.cosine(-1, 10), "alpha0"),
        (lambda: sch.cosine(1, 0), "T"),
        (lambda: sch.cosine(1, 10, -0.5), "alpha_min"),
        (lambda: sch.polynomial(1, 10, math.nan), "beta"),
        (lambda: sch.exponential(1, "0.5"), "gamma"),
        (lambda: sch.step(True, 0.5, 2), "alpha0"),
        (lambda: sch.linear_warmup(1, 0), "W"),
        (lambda: sch.values(sch.cosine(1, 10), 0), "T"),
        (lambda: sch.values("cosine", 3), "schedule"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.argument == argument
