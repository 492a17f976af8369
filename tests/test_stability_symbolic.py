"""Jury / Schur–Cohn conditions against numeric root moduli, and the
per-eigendirection reduction against the full iteration matrix."""

import numpy as np
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.symbolic.stability import (
    boundary_curves,
    characteristic_polynomial,
    companion_matrix,
    eigendirection_blocks,
    iteration_matrix,
    jury_conditions,
    schur_stable,
    stability_interval,
)

z = sympy.Symbol("z")
A_SYMS = sympy.symbols("a0:5", real=True)


def _general(n):
    """Symbolic polynomial of degree n with a free leading coefficient."""
    return sum(A_SYMS[k] * z**k for k in range(n + 1))


# Small rationals put many polynomials near the unit circle, where the test bites.
coef = st.fractions(min_value=-3, max_value=3, max_denominator=8)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@given(data=st.data())
def test_jury_matches_root_moduli(n, data):
    cs = data.draw(st.lists(coef, min_size=n + 1, max_size=n + 1))
    assume(cs[n] != 0)
    conds = jury_conditions(_general(n), z)
    decided = schur_stable(conds, {A_SYMS[k]: sympy.Rational(c.numerator, c.denominator) for k, c in enumerate(cs)})
    # exact roots' moduli, to 30 digits, from the same exact coefficients
    p = sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in reversed(cs)], z)
    radius = max(abs(r) for r in p.nroots(n=30, maxsteps=200))
    assume(abs(radius - 1) > 1e-20)  # a root on the circle is not strictly inside
    assert decided == (radius < 1), (cs, conds, radius)


def test_jury_known_cases():
    # roots 1/2, -1/3, 1/4 inside; 2 outside
    inside = sympy.expand((z - sympy.Rational(1, 2)) * (z + sympy.Rational(1, 3)) * (z - sympy.Rational(1, 4)))
    assert all(bool(c) for c in jury_conditions(inside, z))
    outside = sympy.expand(inside * (z - 2))
    assert not all(bool(c) for c in jury_conditions(outside, z))
    # negative leading coefficient: same roots
    assert all(bool(c) for c in jury_conditions(-inside, z))


def test_jury_rejects_bad_input():
    with pytest.raises(InputError):
        jury_conditions(sympy.Integer(3), z)
    with pytest.raises(InputError):
        jury_conditions(sympy.sin(z), z)


def test_heavy_ball_companion_and_triangle():
    eta, beta, lam, h = sympy.symbols("eta beta lambda h", real=True)
    B = companion_matrix("heavy_ball", eta, beta, lam)
    assert B == sympy.Matrix([[1 + beta - eta * lam, -beta], [1, 0]])
    p = characteristic_polynomial(B, z)
    assert sympy.expand(p - (z**2 - (1 + beta - eta * lam) * z + beta)) == 0
    conds = jury_conditions(p.subs(eta * lam, h), z)
    assert set(conds) == {h > 0, 2 * beta - h + 2 > 0, sympy.Abs(beta) < 1}
    assert stability_interval(conds, h, {beta: sympy.Rational(1, 2)}) == sympy.Interval.open(0, 3)
    assert 2 * beta + 2 in [sympy.expand(b) for b in boundary_curves(conds, h)]


def test_nesterov_companion():
    beta, h = sympy.symbols("beta h", real=True)
    p = characteristic_polynomial(companion_matrix("nesterov", 1, beta, h), z)
    assert sympy.expand(p - (z**2 - (1 + beta) * (1 - h) * z + beta * (1 - h))) == 0
    region = stability_interval(jury_conditions(p, z), h, {beta: sympy.Rational(1, 2)})
    assert region == sympy.Interval.open(0, sympy.Rational(3, 2))  # 2(1+β)/(1+2β)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_eigendirection_blocks_symbolic_rotation(method):
    eta, beta, theta = sympy.symbols("eta beta theta", real=True)
    l1, l2 = sympy.symbols("l1 l2", positive=True)
    Q = sympy.Matrix([[sympy.cos(theta), -sympy.sin(theta)], [sympy.sin(theta), sympy.cos(theta)]])
    blocks = eigendirection_blocks(method, [l1, l2], Q, eta, beta)
    for lam, blk in zip([l1, l2], blocks):
        assert (blk - companion_matrix(method, eta, beta, lam)).applyfunc(sympy.simplify) == sympy.zeros(2, 2)


@pytest.mark.parametrize("method", ["heavy_ball", "nesterov"])
def test_full_matrix_spectrum_is_union_of_char_poly_roots(method):
    rng = np.random.default_rng(3)
    d = 4
    lams = np.array([0.3, 1.0, 2.5, 4.0])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = Q @ np.diag(lams) @ Q.T
    eta, beta = 0.3, 0.6
    M = np.array(iteration_matrix(method, sympy.Matrix(A), eta, beta).evalf(), dtype=float)
    full = np.sort_complex(np.linalg.eigvals(M))
    roots = []
    for lam in lams:
        p = characteristic_polynomial(companion_matrix(method, eta, beta, lam), z)
        roots.extend(np.roots([float(c) for c in sympy.Poly(p, z).all_coeffs()]))
    np.testing.assert_allclose(full, np.sort_complex(np.array(roots)), atol=1e-8)


def test_unknown_method():
    with pytest.raises(InputError):
        companion_matrix("adam", 1, 0, 1)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_jury_sample_covers_both_outcomes(n):
    """A fixed sample with roots placed near the unit circle: both verdicts occur, all agree."""
    rng = np.random.default_rng(n)
    conds = jury_conditions(_general(n), z)
    outcomes = []
    for _ in range(120):
        # monic polynomial from random roots of modulus in [0.6, 1.4] (conjugate pairs kept real)
        roots = []
        while len(roots) < n:
            r, phi = rng.uniform(0.6, 1.4), rng.uniform(0, np.pi)
            roots.extend([r * np.exp(1j * phi), r * np.exp(-1j * phi)] if len(roots) <= n - 2 else [r * rng.choice([-1, 1])])
        coeffs = np.real(np.poly(roots))[::-1]  # increasing powers, leading 1
        exact = {A_SYMS[k]: sympy.Rational(round(c * 2**20), 2**20) for k, c in enumerate(coeffs)}
        p = sympy.Poly([exact[A_SYMS[k]] for k in reversed(range(n + 1))], z)
        radius = max(abs(r) for r in p.nroots(n=25, maxsteps=200))
        if abs(radius - 1) < 1e-12:
            continue
        decided = schur_stable(conds, exact)
        assert decided == (radius < 1)
        outcomes.append(decided)
    assert sum(outcomes) > 10 and len(outcomes) - sum(outcomes) > 10
