"""Properties: random true identities are never refuted (and are proved); random
false variants (one coefficient perturbed) are never proved, and when refuted the
counterexample really violates them."""
from fractions import Fraction

import sympy
from hypothesis import given
from hypothesis import strategies as st

from theorykit.symbolic.assumptions import Assumptions
from theorykit.symbolic.prover import prove_step

X, Y, Z = (sympy.Symbol(n, real=True) for n in "xyz")
NONE = Assumptions.from_relations([])
small = st.integers(-4, 4)
nonzero = st.integers(-4, 4).filter(bool)


def _check(lhs, op, rhs, cex):
    values = {sympy.Symbol(k, real=True): sympy.Rational(Fraction(v)) for k, v in cex.items()}
    lv, rv = (sympy.Rational(t) if isinstance(t, int) else t for t in (lhs, rhs))
    lv, rv = lv.xreplace(values), rv.xreplace(values)
    if op == "=":
        assert lv != rv
    else:
        rel = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}[op]
        assert bool(rel(lv, rv)) is False


@st.composite
def products(draw):
    nvars = draw(st.integers(1, 3))
    syms = [X, Y, Z][:nvars]
    factors = []
    for _ in range(2):
        coeffs = [draw(small) for _ in syms]
        factors.append(sum(c * s for c, s in zip(coeffs, syms)) + draw(small))
    return factors[0] * factors[1]


@given(products())
def test_polynomial_identities_are_proved(product):
    v = prove_step(sympy.expand(product), "=", product, NONE, timeout=5, isolate=False)
    assert v.status == "proved", v


@given(products(), nonzero, st.sampled_from([1, 0]))
def test_perturbed_identities_are_never_proved(product, delta, where):
    expanded = sympy.expand(product)
    syms = sorted(expanded.free_symbols, key=str)
    # perturb one coefficient: the constant term or the coefficient of a variable
    wrong = expanded + delta * (syms[0] if (syms and where) else 1)
    v = prove_step(wrong, "=", product, NONE, timeout=5, isolate=False)
    assert v.status != "proved", v
    assert v.status == "refuted"
    _check(wrong, "=", product, v.counterexample)


@given(nonzero, small, nonzero, small)
def test_rational_identities(a, b, c, d):
    lhs = (a * X + b) / (c * X + d) + 1
    rhs = ((a + c) * X + b + d) / (c * X + d)
    assert prove_step(lhs, "=", rhs, NONE, timeout=5, isolate=False).status == "proved"
    v = prove_step(lhs, "=", rhs + sympy.Rational(1, 7), NONE, timeout=5, isolate=False)
    assert v.status == "refuted"
    _check(lhs, "=", rhs + sympy.Rational(1, 7), v.counterexample)


@given(nonzero, small, nonzero, st.integers(0, 5))
def test_square_bounds(a, b, c, k):
    square = (a * X + b * Y) ** 2 + c**2 * (Y - 1) ** 2
    v = prove_step(square + k, ">=", 0, NONE, timeout=5, isolate=False)
    assert v.status != "refuted", v
    # the square vanishes at x = -b/a, y = 1: so "> k" is false
    v = prove_step(square + k, ">", k, NONE, timeout=5, isolate=False)
    assert v.status != "proved", v
    if v.status == "refuted":
        _check(square + k, ">", k, v.counterexample)
