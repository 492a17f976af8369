"""CG, greedy heavy ball and steepest descent on random quadratics."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.krylov import conjugate_gradient, greedy_heavy_ball, quadratic_loss, steepest_descent


def _quadratic(d, kappa, seed):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    # evenly spaced spectrum: the Krylov basis stays well conditioned, so rounding
    # does not separate the two recursions (geometric spectra with kappa >= 16 and
    # d ~ 20 amplify rounding to ~1e-9 in the last steps, for CG itself too)
    lam = np.linspace(1.0, kappa, d)
    A = Q @ np.diag(lam) @ Q.T
    A = (A + A.T) / 2
    return A, rng.standard_normal(d), rng.standard_normal(d)


@given(d=st.integers(1, 20), kappa=st.floats(1.0, 10.0), seed=st.integers(0, 2**16))
def test_greedy_heavy_ball_is_cg(d, kappa, seed):
    A, b, x0 = _quadratic(d, kappa, seed)
    x_star = np.linalg.solve(A, b)
    scale = np.linalg.norm(x0 - x_star)
    cg = conjugate_gradient(A, b, x0, d)
    hb = greedy_heavy_ball(A, b, x0, d)
    assert cg.shape == hb.shape == (d + 1, d)
    assert np.max(np.linalg.norm(cg - hb, axis=1)) <= 1e-10 * scale
    assert np.linalg.norm(hb[-1] - x_star) <= 1e-10 * scale


def test_greedy_params_and_monotone_loss():
    A, b, x0 = _quadratic(8, 10.0, 1)
    xs, etas, betas = greedy_heavy_ball(A, b, x0, 6, return_params=True)
    assert len(etas) == len(betas) == 6 and betas[0] == 0.0
    assert all(e > 0 for e in etas)
    losses = [quadratic_loss(A, b, x) for x in xs]
    assert all(l1 <= l0 + 1e-12 for l0, l1 in zip(losses, losses[1:]))


def test_steepest_descent_does_not_terminate():
    A, b, x0 = _quadratic(10, 10.0, 2)
    x_star = np.linalg.solve(A, b)
    sd = steepest_descent(A, b, x0, 10)
    assert np.linalg.norm(sd[-1] - x_star) > 1e-4 * np.linalg.norm(x0 - x_star)


def test_runs_past_convergence_stay_finite():
    A, b, x0 = _quadratic(3, 5.0, 3)
    for f in (conjugate_gradient, greedy_heavy_ball, steepest_descent):
        xs = f(A, b, x0, 12)
        assert np.all(np.isfinite(xs))


def test_bad_input():
    with pytest.raises(InputError):
        conjugate_gradient(np.ones((2, 3)), None, np.zeros(2), 2)
    with pytest.raises(InputError):
        greedy_heavy_ball(np.eye(2), None, np.zeros(3), 2)
    with pytest.raises(InputError):
        steepest_descent(np.eye(2), None, np.zeros(2), -1)
