"""The quick exact sign test used before the scalar prover (theorykit.symbolic.vector.signs):
whatever it calls positive/nonnegative must be so at every admissible point."""
from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.symbolic.derivation import _make_assumptions
from theorykit.symbolic.vector.signs import handelman_sign, positive_atoms, quick_sign

L, mu, eta, c = (sympy.Symbol(n, real=True) for n in ("L", "mu", "eta", "c"))
ASSUME = _make_assumptions([mu > 0, L > mu, eta > 0, eta <= 2 / L, c >= 0], False)
ATOMS = positive_atoms(ASSUME)


def test_products_and_sums_of_assumed_factors():
    assert quick_sign(L, ATOMS) == "pos"
    assert quick_sign((L - mu) / (L**3 + L**2 * mu), ATOMS) == "pos"
    assert quick_sign(eta * (2 / L - eta), ATOMS) == "nonneg"  # eta = 2/L allowed
    assert quick_sign(c * (L - mu) ** 2, ATOMS) == "nonneg"
    assert quick_sign((L - mu) ** 2, ATOMS) == "pos"
    for undecided in (L - 2 * mu, mu - L, -L, (L - mu) * (mu - L), 1 / (mu - L), eta - 1 / L, c - 1):
        assert quick_sign(undecided, ATOMS) is None, undecided


FACTORS = [L, mu, L - mu, eta, 2 / L - eta, c, L + mu, mu - L, eta - 1 / L, L - 2 * mu, sympy.Integer(-1),
           sympy.Rational(1, 3)]


def _admissible(draw):
    m = Fraction(draw(st.integers(1, 40)), draw(st.integers(1, 9)))
    big = m + Fraction(draw(st.integers(1, 40)), draw(st.integers(1, 9)))
    e = Fraction(2) / big * Fraction(draw(st.integers(0, 20)), 20)
    if e == 0:
        e = Fraction(1, 10**6)
    cc = Fraction(draw(st.integers(0, 10)), 3)
    return {mu: sympy.Rational(m.numerator, m.denominator), L: sympy.Rational(big.numerator, big.denominator),
            eta: sympy.Rational(e.numerator, e.denominator), c: sympy.Rational(cc.numerator, cc.denominator)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FACTORS), st.integers(-2, 3)), min_size=1, max_size=4),
       st.lists(st.tuples(st.sampled_from(FACTORS), st.integers(1, 2)), max_size=2), st.data())
def test_never_claims_a_sign_that_fails_at_an_admissible_point(product, extra_terms, data):
    expr = sympy.Integer(1)
    for factor, power in product:
        expr *= factor**power
    for factor, power in extra_terms:
        expr += factor**power
    for verdict in (quick_sign(expr, ATOMS), handelman_sign(expr, ATOMS)):
        if verdict is not None:
            _holds_at_admissible_points(expr, verdict, data)


def _holds_at_admissible_points(expr, verdict, data):
    for _ in range(5):
        point = _admissible(data.draw)
        value = expr.xreplace(point)
        if value.has(sympy.zoo, sympy.nan):
            continue
        assert value > 0 if verdict == "pos" else value >= 0, (expr, verdict, point, value)


def test_handelman_certificates_for_step_size_conditions():
    assert handelman_sign(2 - eta * mu, ATOMS) == "pos"  # = L (2/L - eta) + eta (L - mu)
    assert handelman_sign(1 - eta * mu, ATOMS) is None  # eta <= 2/L allows eta*mu > 1
    assert handelman_sign(2 - eta * L, ATOMS) == "nonneg"
    assert handelman_sign(eta * mu - 1, ATOMS) is None
    assert handelman_sign(L - 2 * mu, ATOMS) is None
