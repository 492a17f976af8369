"""Newton's method and its test functions (theorykit.numeric.newton): derivatives, constants, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.gradcheck import gradcheck
from theorykit.numeric.newton import (
    SECH2_LIPSCHITZ,
    CubicRidge1D,
    LogCoshRidge,
    Polynomial1D,
    Reparametrized,
    newton_step,
    run_newton,
)
from theorykit.numeric.problems import Quadratic

seeds = st.integers(0, 2**31 - 1)


def logcosh(seed, dim=3, k=4, mu=0.3, scale=2.0):
    return LogCoshRidge.random(dim, k, mu, rng=np.random.default_rng(seed), scale=scale)


def test_sech2_lipschitz_constant_is_the_max_slope():
    z = np.linspace(-5, 5, 200_001)
    slope = np.abs(-2 / np.cosh(z) ** 2 * np.tanh(z))
    assert slope.max() <= SECH2_LIPSCHITZ
    assert slope.max() == pytest.approx(SECH2_LIPSCHITZ, rel=1e-8)


@given(seed=seeds)
def test_logcosh_minimizer_gradient_and_hessian(seed):
    prob = logcosh(seed)
    rng = np.random.default_rng(seed)
    assert np.allclose(prob.grad(np.zeros(prob.dim)), 0.0, atol=1e-15)
    assert float(prob.loss(np.zeros(prob.dim))) == pytest.approx(0.0, abs=1e-15)
    x = rng.standard_normal(prob.dim) * 2
    assert gradcheck(prob.loss, x, prob.grad)
    H = prob.hessian(x)
    assert np.allclose(H, H.T)
    assert np.linalg.eigvalsh(H)[0] >= prob.mu * (1 - 1e-12)  # mu-strongly convex
    v = rng.standard_normal(prob.dim)
    np.testing.assert_allclose(prob.hvp(x, v), H @ v, rtol=1e-12, atol=1e-14)
    # Hessian columns are differences of gradients
    for j in range(prob.dim):
        e = np.zeros(prob.dim)
        e[j] = 1e-6
        fd = (prob.grad(x + e) - prob.grad(x - e)) / 2e-6
        np.testing.assert_allclose(H[:, j], fd, rtol=1e-5, atol=1e-7)


@given(seed=seeds)
def test_logcosh_hessian_lipschitz_bound_holds(seed):
    prob = logcosh(seed)
    rng = np.random.default_rng(seed + 1)
    for _ in range(20):
        x, y = rng.standard_normal((2, prob.dim)) * rng.uniform(0.01, 3)
        lhs = np.linalg.norm(prob.hessian(x) - prob.hessian(y), 2)
        assert lhs <= prob.M * np.linalg.norm(x - y) * (1 + 1e-10)


def test_logcosh_is_overflow_free_far_out():
    prob = logcosh(0)
    x = np.full(prob.dim, 1e4)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        assert np.isfinite(prob.loss(x)) and np.all(np.isfinite(prob.grad(x))) and np.all(np.isfinite(prob.hessian(x)))


@given(mu=st.floats(0.1, 10), M=st.floats(0.1, 10), x=st.floats(-5, 5), y=st.floats(-5, 5))
def test_cubic_ridge_constants_are_exact(mu, M, x, y):
    prob = CubicRidge1D(mu, M)
    hx, hy = float(prob.hessian(np.array([x]))[0, 0]), float(prob.hessian(np.array([y]))[0, 0])
    assert hx >= mu and hy >= mu
    assert abs(hx - hy) <= M * abs(x - y) * (1 + 1e-12) + 1e-12
    if x * y >= 0:  # same side of 0: equality
        assert abs(hx - hy) == pytest.approx(M * abs(x - y), rel=1e-9, abs=1e-9)


def test_cubic_ridge_gradient():
    prob = CubicRidge1D(0.7, 3.0)
    for x0 in (-2.0, -0.1, 0.3, 4.0):
        assert gradcheck(prob.loss, np.array([x0]), prob.grad)


@given(coef=st.lists(st.integers(-5, 5), min_size=1, max_size=6), x=st.floats(-3, 3))
def test_polynomial_derivatives_match_numpy(coef, x):
    prob = Polynomial1D(coef)
    p = np.polynomial.Polynomial(coef)
    z = np.array([x])
    assert float(prob.loss(z)) == pytest.approx(p(x), rel=1e-12, abs=1e-12)
    assert float(prob.grad(z)[0]) == pytest.approx(p.deriv(1)(x), rel=1e-12, abs=1e-12)
    assert float(prob.hessian(z)[0, 0]) == pytest.approx(p.deriv(2)(x) if len(coef) > 2 else 0.0, rel=1e-12, abs=1e-12)


def test_newton_one_step_on_quadratic_and_quadratic_rate():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 4))
    A = A @ A.T + np.eye(4)
    b = rng.standard_normal(4)
    prob = Quadratic(A, b)
    x1 = newton_step(prob, rng.standard_normal(4))
    np.testing.assert_allclose(x1, np.linalg.solve(A, b), rtol=1e-10)
    cubic = CubicRidge1D(1.0, 4.0)
    xs = run_newton(cubic, np.array([0.05]), 3)
    e = np.abs(xs[:, 0])
    # e+ = M e^2 / (2 (mu + M e)) exactly for this function
    for k in range(2):
        assert e[k + 1] == pytest.approx(4.0 * e[k] ** 2 / (2 * (1.0 + 4.0 * e[k])), rel=1e-9)


@given(seed=seeds, c=st.floats(0.01, 100), s=st.floats(0.01, 100))
def test_reparametrized_derivatives(seed, c, s):
    base = logcosh(seed, dim=2, k=3)
    prob = Reparametrized(base, c, s)
    phi = np.random.default_rng(seed).standard_normal(2) * c
    assert float(prob.loss(phi)) == pytest.approx(s * float(base.loss(phi / c)), rel=1e-12)
    np.testing.assert_allclose(prob.grad(phi), s / c * base.grad(phi / c), rtol=1e-12)
    np.testing.assert_allclose(prob.hessian(phi), s / c**2 * base.hessian(phi / c), rtol=1e-12)
    # Newton is equivariant: one step in phi is c times one step in theta
    np.testing.assert_allclose(newton_step(prob, phi), c * newton_step(base, phi / c), rtol=1e-9, atol=1e-12 * c)


@pytest.mark.parametrize(
    "call,argument",
    [
        (lambda: LogCoshRidge(np.ones((2, 2)), np.zeros(2), np.array([1.0, -1.0]), 1.0), "a"),
        (lambda: LogCoshRidge(np.ones((2, 2)), np.zeros(3), np.ones(2), 1.0), "c"),
        (lambda: LogCoshRidge(np.ones((2, 2)), np.zeros(2), np.ones(2), 0.0), "mu"),
        (lambda: LogCoshRidge(np.ones((2, 2)) * math.nan, np.zeros(2), np.ones(2), 1.0), "W"),
        (lambda: CubicRidge1D(1.0, -1.0), "M"),
        (lambda: LogCoshRidge.random(0, 2, 1.0, rng=np.random.default_rng(0)), "dim"),
        (lambda: LogCoshRidge.random(2, 2, 1.0, rng=0), "rng"),
        (lambda: Polynomial1D([]), "coef"),
        (lambda: Reparametrized(CubicRidge1D(1.0, 1.0), 0.0), "c"),
        (lambda: newton_step(CubicRidge1D(1.0, 1.0), np.zeros((2, 1))), "x"),
        (lambda: run_newton(CubicRidge1D(1.0, 1.0), np.zeros(1), -1), "steps"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InputError) as info:
        call()
    assert info.value.argument == argument
