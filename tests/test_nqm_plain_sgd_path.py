"""expected_loss at momentum 0 follows E theta^2 alone (nqm._plain_sgd_losses); its losses must be
those of the full moment recurrence (moment_step, written out step by step here), bit for bit,
including runs that overflow (where the full step's moments turn NaN)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.numeric.nqm import Moments, expected_loss, moment_step, tuned_losses


def full_recurrence(h, sched, B, theta0_sq=1.0, precond_power=0.0):
    h = np.asarray(h, dtype=np.float64)
    sched = np.atleast_2d(np.asarray(sched, dtype=np.float64))
    zeros = np.zeros((sched.shape[0], h.size))
    m = Moments(zeros + np.asarray(theta0_sq) * np.ones_like(h), zeros, zeros)
    precond, noise = h ** (-precond_power), h / B
    out = [np.sum(0.5 * h * m.theta2, axis=1)]
    with np.errstate(all="ignore"):
        for k in range(sched.shape[1]):
            m = moment_step(m, sched[:, k : k + 1] * precond, h, noise, 0.0)
            out.append(np.sum(0.5 * h * m.theta2, axis=1))
    return np.stack(out, axis=1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=6), st.integers(1, 5), st.integers(0, 60),
       st.floats(0.01, 2.5), st.floats(1.0, 256.0), st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 2**31))
def test_momentum_free_losses_equal_the_full_recurrence(h, S, T, reach, B, power, seed):
    rng = np.random.default_rng(seed)
    h = np.asarray(h)
    # lrs up to `reach` times the stability edge 2/h_max (beyond it the runs grow, some overflow)
    sched = rng.uniform(0.0, reach * 2.0 / h.max(), (S, T)) * h.max() ** power
    theta0 = rng.uniform(0.0, 3.0, h.size)
    got = expected_loss(h, sched, batch_size=B, theta0_sq=theta0, precond_power=power)
    np.testing.assert_array_equal(got, full_recurrence(h, sched, B, theta0, power))


def test_an_overflowing_run_keeps_the_full_steps_nan():
    h = np.array([1.0, 1e3])
    sched = np.full((1, 400), 2.5)  # |1 - a h| = 2499 on the stiff direction: overflow, then NaN
    got = expected_loss(h, sched, batch_size=4.0)
    want = full_recurrence(h, sched, 4.0)
    assert np.isnan(want[0, -1])
    np.testing.assert_array_equal(got, want)


def test_tuned_losses_unchanged():
    h = 1.0 / np.arange(1, 21)
    T, B = 50, 4.0
    top = 2.0 / h.max()
    const = top * np.geomspace(1e-3, 0.995, 80)
    fixed = full_recurrence(h, np.repeat(const[:, None], T, axis=1), B)[:, -1]
    assert tuned_losses(h, T, B)[0] == float(np.min(fixed))


def plain_loss_and_grad(lrs, h, batch_size, theta0_sq):
    """The final loss and its gradient in the lrs by the costate recursion, written as loops."""
    T = lrs.size
    s = np.empty((T + 1, h.size))
    s[0] = theta0_sq
    for k in range(T):
        a = lrs[k]
        s[k + 1] = (1 - a * h) ** 2 * s[k] + a * a * h / batch_size
    lam = 0.5 * h
    grad = np.empty(T)
    for k in range(T - 1, -1, -1):
        a = lrs[k]
        grad[k] = float(np.sum(lam * (-2.0 * h * (1 - a * h) * s[k] + 2.0 * a * h / batch_size)))
        lam = lam * (1 - a * h) ** 2
    return float(0.5 * np.sum(h * s[-1])), grad


@pytest.mark.parametrize("seed", range(4))
def test_loss_and_grad_equals_the_plain_costate_loop(seed):
    from theorykit.numeric.nqm import _loss_and_grad

    rng = np.random.default_rng(seed)
    h = rng.uniform(0.01, 2.0, 1 + 7 * seed)
    lrs = rng.uniform(0.0, 2.0 / h.max(), int(rng.integers(1, 300)))
    theta0 = rng.uniform(0.1, 2.0, h.size) if seed % 2 else 1.0
    loss, grad = _loss_and_grad(lrs, h, 4.0, theta0)
    want_loss, want_grad = plain_loss_and_grad(lrs, h, 4.0, theta0)
    assert loss == want_loss
    np.testing.assert_array_equal(grad, want_grad)


@pytest.mark.parametrize("seed", range(3))
def test_greedy_lr_search_equals_the_sequential_golden_section(seed):
    from types import SimpleNamespace

    from proofs._util import golden_section
    from proofs.nqm.batch import _measured_greedy_lr
    from theorykit.numeric.nqm import one_step_losses

    rng = np.random.default_rng(seed)
    d = 1 + seed
    params = {"h": tuple(np.round(rng.uniform(0.01, 2.0, d), 6)), "s": tuple(np.round(rng.uniform(0.0, 4.0, d), 6)),
              "B": float(rng.integers(1, 64))}
    hs, s_ = np.asarray(params["h"]), np.asarray(params["s"])
    want = golden_section(lambda a: float(one_step_losses(hs, s_, np.array([a]), params["B"])[0]), 0.0,
                          1.5 / float(np.min(hs)), tol=1e-12)[0]
    assert _measured_greedy_lr(params, SimpleNamespace(rng=rng)) == want
