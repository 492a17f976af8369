import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.methods import run
from theorykit.numeric.problems import (
    BatchedQuadratic,
    Huber1D,
    LogisticRegression,
    Problem,
    Quadratic,
    SinusoidalQuadratic,
    haar_orthogonal,
    random_quadratic,
    random_quadratics,
)


def finite_difference_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# -- quadratics ---------------------------------------------------------------


def test_quadratic_constants_and_minimiser():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    q = Quadratic(A, b)
    lam = np.linalg.eigvalsh(A)
    assert q.L == pytest.approx(lam[-1]) and q.mu == pytest.approx(lam[0])
    assert np.allclose(q.grad(q.x_star), 0, atol=1e-12)
    # f* is the smallest value: compare with random points
    pts = np.random.default_rng(0).normal(size=(200, 2)) * 3
    assert np.all(q.loss(pts) >= q.f_star - 1e-12)
    assert isinstance(q, Problem)


def test_quadratic_grad_hvp_hessian_and_batching():
    rng = np.random.default_rng(1)
    q = random_quadratic([0.5, 1.0, 4.0], rng=rng, b=rng.normal(size=3))
    x = rng.normal(size=3)
    assert np.allclose(q.grad(x), finite_difference_grad(q.loss, x), atol=1e-6)
    v = rng.normal(size=3)
    assert np.allclose(q.hvp(x, v), q.hessian(x) @ v)
    X = rng.normal(size=(5, 3))
    assert q.loss(X).shape == (5,) and q.grad(X).shape == (5, 3)
    assert np.allclose(q.loss(X), [q.loss(r) for r in X])
    assert q.hessian(X).shape == (5, 3, 3)


def test_random_quadratic_has_the_spectrum_and_a_haar_rotation():
    eig = np.array([0.1, 1.0, 2.0, 7.0])
    q = random_quadratic(eig, rng=np.random.default_rng(2))
    assert np.allclose(np.linalg.eigvalsh(q.A), eig)
    Q = haar_orthogonal(5, np.random.default_rng(3))
    assert np.allclose(Q @ Q.T, np.eye(5), atol=1e-12)
    # same seed, same problem
    q2 = random_quadratic(eig, rng=np.random.default_rng(2))
    assert np.array_equal(q.A, q2.A)


def test_haar_rotation_is_unbiased_in_sign():
    # Without the sign fix QR's Q has a biased diagonal (mostly negative in LAPACK).
    Qs = haar_orthogonal(3, np.random.default_rng(4), batch=4000)
    diag_mean = np.mean(np.diagonal(Qs, axis1=1, axis2=2))
    assert abs(diag_mean) < 0.05


def test_batched_quadratic_matches_single_problems():
    eig = np.array([[1.0, 2.0, 3.0], [0.5, 0.6, 9.0]])
    bq = random_quadratics(eig, rng=np.random.default_rng(5))
    assert isinstance(bq, BatchedQuadratic) and len(bq) == 2
    assert np.allclose(bq.L, eig[:, -1]) and np.allclose(bq.mu, eig[:, 0])
    X = np.random.default_rng(6).normal(size=(2, 3))
    for i in range(2):
        qi = bq[i]
        assert bq.loss(X)[i] == pytest.approx(qi.loss(X[i]))
        assert np.allclose(bq.grad(X)[i], qi.grad(X[i]))


@pytest.mark.parametrize(
    "A, kwargs, arg, fragment",
    [
        ([[1.0, 2.0], [0.0, 1.0]], {}, "A", "symmetric"),
        ([[1.0, 0.0], [0.0, -1.0]], {"require_psd": True}, "A", "positive semidefinite"),
        ([[1.0, math.nan], [math.nan, 1.0]], {}, "A", "NaN"),
        ([[1.0, 0.0, 0.0]], {}, "A", "square"),
        ([1.0, 2.0], {}, "A", "dimension"),
    ],
)
def test_quadratic_rejects_bad_matrices(A, kwargs, arg, fragment):
    with pytest.raises(InputError) as err:
        Quadratic(A, **kwargs)
    assert err.value.argument == arg and fragment in str(err.value)


def test_quadratic_rejects_bad_b_and_x():
    with pytest.raises(InputError) as err:
        Quadratic(np.eye(2), [1.0, 2.0, 3.0])
    assert err.value.argument == "b"
    with pytest.raises(InputError) as err:
        Quadratic(np.eye(2)).loss(np.ones(3))
    assert err.value.argument == "x"


def test_indefinite_quadratic_without_require_psd_has_no_minimiser():
    q = Quadratic(np.diag([-1.0, 2.0]))
    assert q.mu == -1.0 and q.x_star is None and q.f_star is None


# -- Huber --------------------------------------------------------------------


@given(
    L=st.floats(0.1, 10.0),
    N=st.integers(0, 200),
    x0=st.floats(0.01, 100.0) | st.floats(-100.0, -0.01),
)
def test_huber_worst_case_is_attained_by_running_gd(L, N, x0):
    h = Huber1D.worst_case_for_gd(L, N, x0)
    traj = run("gd", h, [x0], 1.0 / L, N)
    gap = float(traj.loss[-1]) - h.f_star
    bound = L * x0**2 / (4 * N + 2)
    assert gap == pytest.approx(bound, rel=1e-12, abs=1e-12 * bound)


def test_huber_other_delta_is_not_worse():
    # the derived delta maximises the final gap: perturbing it in either direction lowers it
    L, N, x0 = 2.0, 7, 3.0
    best = Huber1D.worst_case_for_gd(L, N, x0)

    def gap(delta):
        h = Huber1D(L, delta)
        return float(run("gd", h, [x0], 1.0 / L, N).loss[-1])

    for factor in (0.9, 1.1):
        assert gap(best.delta * factor) < gap(best.delta)


def test_huber_derivatives():
    h = Huber1D(3.0, 0.5)
    for x in (-2.0, -0.2, 0.3, 4.0):
        xa = np.array([x])
        assert np.allclose(h.grad(xa), finite_difference_grad(h.loss, xa), atol=1e-6)
    assert h.hessian(np.array([[0.1], [2.0]])).shape == (2, 1, 1)
    assert float(h.hvp(np.array([0.1]), np.array([1.0]))[0]) == 3.0
    assert float(h.hvp(np.array([2.0]), np.array([1.0]))[0]) == 0.0


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda: Huber1D(0.0, 1.0), "L"),
        (lambda: Huber1D(1.0, -1.0), "delta"),
        (lambda: Huber1D.worst_case_for_gd(1.0, -1, 1.0), "N"),
        (lambda: Huber1D.worst_case_for_gd(1.0, 3, 0.0), "x0"),
        (lambda: Huber1D.worst_case_for_gd(1.0, 3, math.nan), "x0"),
    ],
)
def test_huber_validation(call, arg):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.argument == arg


# -- logistic regression -----------------------------------------------------


def _logistic(seed=0, n=12, d=3, reg=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.where(rng.normal(size=n) > 0, 1.0, -1.0)
    return LogisticRegression(X, y, reg), rng


def test_logistic_derivatives_and_smoothness_constant():
    p, rng = _logistic()
    for _ in range(5):
        w = rng.normal(size=3) * 2
        assert np.allclose(p.grad(w), finite_difference_grad(p.loss, w), atol=1e-7)
        v = rng.normal(size=3)
        fd_hvp = (p.grad(w + 1e-6 * v) - p.grad(w - 1e-6 * v)) / 2e-6
        assert np.allclose(p.hvp(w, v), fd_hvp, atol=1e-6)
        lam = np.linalg.eigvalsh(p.hessian(w))
        # L bounds the curvature everywhere; mu = reg bounds it from below
        assert lam[-1] <= p.L * (1 + 1e-12) and lam[0] >= p.mu * (1 - 1e-12)
    W = rng.normal(size=(4, 3))
    assert p.loss(W).shape == (4,) and p.grad(W).shape == (4, 3) and p.hessian(W).shape == (4, 3, 3)


def test_logistic_is_stable_for_huge_margins():
    p, _ = _logistic(reg=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for w in (np.full(3, 1e6), np.full(3, -1e6)):
            assert np.isfinite(p.loss(w)) and np.all(np.isfinite(p.grad(w)))
            assert np.all(np.isfinite(p.hessian(w)))


@pytest.mark.parametrize(
    "X, y, reg, arg",
    [
        (np.ones((3, 2)), np.array([1.0, 0.0, 1.0]), 0.0, "y"),
        (np.ones((3, 2)), np.array([1.0, -1.0]), 0.0, "y"),
        (np.ones((3, 2)), np.array([1.0, -1.0, 1.0]), -1.0, "reg"),
        (np.full((3, 2), math.nan), np.array([1.0, -1.0, 1.0]), 0.0, "X"),
        (np.ones(3), np.array([1.0, -1.0, 1.0]), 0.0, "X"),
    ],
)
def test_logistic_validation(X, y, reg, arg):
    with pytest.raises(InputError) as err:
        LogisticRegression(X, y, reg)
    assert err.value.argument == arg


# -- sinusoidal quadratic -----------------------------------------------------


@pytest.mark.parametrize("a", [-7.0, 0.0, 1.0, 2.5, 12.0])
def test_sinusoidal_infimum_matches_a_brute_force_scan(a):
    p = SinusoidalQuadratic(a, 3)
    t = np.linspace(-abs(a) - 5, abs(a) + 5, 2_000_001)
    scan = np.min(t * t / 2 + a * np.sin(t))
    assert p.f_inf <= 3 * scan + 1e-12
    assert p.f_inf == pytest.approx(3 * scan, abs=1e-9)
    assert np.allclose(p.grad(p.x_star), 0, atol=1e-12)
    assert float(p.loss(p.x_star)) == pytest.approx(p.f_inf, abs=1e-12)


def test_sinusoidal_constants_and_derivatives():
    p = SinusoidalQuadratic(2.0, 4)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 4)) * 3
    diag = np.diagonal(p.hessian(X), axis1=1, axis2=2)
    assert np.all(np.abs(diag) <= p.L) and np.all(diag >= p.mu)
    x = X[0]
    assert np.allclose(p.grad(x), finite_difference_grad(p.loss, x), atol=1e-6)
    v = rng.normal(size=4)
    assert np.allclose(p.hvp(x, v), p.hessian(x) @ v)
    assert p.mu < 0  # nonconvex for a > 1


@pytest.mark.parametrize("a, dim, arg", [(math.nan, 2, "a"), ("x", 2, "a"), (1.0, 0, "dim"), (1.0, 2.5, "dim")])
def test_sinusoidal_validation(a, dim, arg):
    with pytest.raises(InputError) as err:
        SinusoidalQuadratic(a, dim)
    assert err.value.argument == arg
