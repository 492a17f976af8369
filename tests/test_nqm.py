"""NQM: the exact expected-loss recurrence against Monte Carlo, batching, steps-to-target, bad input."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.montecarlo import halfwidth, mean_interval
from theorykit.numeric.nqm import (
    expected_loss,
    harmonic_spectrum,
    simulate,
    steps_to_target,
)


@pytest.mark.parametrize("momentum, power", [(0.0, 0.0), (0.8, 0.0), (0.0, 1.0), (0.5, 0.5)])
def test_expected_loss_matches_monte_carlo(momentum, power):
    h = np.array([2.0, 0.5, 0.05])
    sched = np.linspace(0.6, 0.1, 40) * (1 + momentum) / np.max(h ** (1 - power))
    exact = expected_loss(h, sched, batch_size=3.0, momentum=momentum, precond_power=power)
    runs = simulate(h, sched, batch_size=3.0, n_runs=20000, rng=np.random.default_rng(7),
                    momentum=momentum, precond_power=power)
    for k in (1, 10, 40):
        iv = mean_interval(runs.loss[:, k], level=0.999)
        # the sample CI at 99.9%, widened by nothing: three fixed steps per case
        assert iv.contains(exact[k]), (k, iv, exact[k])


def test_cv_bound_behind_the_claims_run_sizes():
    # the nqm claims size their runs from Var(loss) <= 2 E[loss]^2 (Gaussian iterates)
    h = harmonic_spectrum(5)
    runs = simulate(h, np.full(30, 0.9), batch_size=1.0, n_runs=40000, rng=np.random.default_rng(3), theta0=0.0)
    cv = runs.loss[:, 1:].std(axis=0) / runs.loss[:, 1:].mean(axis=0)
    assert np.all(cv <= np.sqrt(2) * 1.05)  # sampling error of a std from 4e4 runs is < 1%
    from proofs.nqm._common import NQM_RTOL, NQM_RUNS

    assert halfwidth(2.0, NQM_RUNS) <= NQM_RTOL  # relative half-width the claims state as rtol


def test_batched_schedules_equal_single_runs():
    h = harmonic_spectrum(10)
    scheds = np.stack([np.full(25, 0.3), np.linspace(1.0, 0.1, 25), np.zeros(25)])
    batched = expected_loss(h, scheds, batch_size=2.0, momentum=0.3)
    for i in range(3):
        np.testing.assert_allclose(batched[i], expected_loss(h, scheds[i], batch_size=2.0, momentum=0.3), rtol=1e-14)
    np.testing.assert_allclose(batched[2], 0.5 * h.sum())  # lr 0 never moves


@settings(max_examples=15)
@given(st.floats(0.05, 1.9), st.sampled_from([1.0, 8.0]), st.integers(1, 30))
def test_sgd_recurrence_reaches_its_fixed_point(ah, B, d):
    # iterate long enough and the loss is the fixed point of s = (1-ah)^2 s + a^2 h/B
    h = np.full(d, 1.0)
    steps = int(np.ceil(20 / min(ah, 2 - ah)))
    loss = expected_loss(h, np.full(steps, ah), batch_size=B)[-1]
    assert loss == pytest.approx(d * ah / (2 * B * (2 - ah)), rel=1e-6)


def test_steps_to_target_first_only_gives_the_same_minimum():
    h = harmonic_spectrum(30)
    lrs = np.geomspace(0.01, 1.9, 25)
    target = 0.05 * 0.5 * h.sum()
    full = steps_to_target(h, lrs, batch_size=8.0, target=target, max_steps=5000)
    first = steps_to_target(h, lrs, batch_size=8.0, target=target, max_steps=5000, first_only=True)
    assert np.min(full) == np.min(first) and np.isfinite(np.min(full))
    exact = expected_loss(h, np.full(int(np.min(full)), lrs[np.argmin(full)]), batch_size=8.0)
    assert exact[-1] <= target < exact[-2]


def test_tuned_steps_do_not_grow_with_batch_size():
    h = harmonic_spectrum(30)
    lrs = np.geomspace(1e-3, 1.9, 30)
    target = 0.05 * 0.5 * h.sum()
    steps = [steps_to_target(h, lrs, batch_size=B, target=target, max_steps=50000, first_only=True).min()
             for B in (1.0, 4.0, 16.0, 64.0)]
    assert all(a >= b for a, b in itertools.pairwise(steps))


def test_simulate_is_reproducible_and_tracks_ema():
    h = np.array([1.0])
    a = simulate(h, np.full(50, 0.5), batch_size=1.0, n_runs=64, rng=np.random.default_rng(5), ema=0.9)
    b = simulate(h, np.full(50, 0.5), batch_size=1.0, n_runs=64, rng=np.random.default_rng(5), ema=0.9)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.ema, b.ema)
    assert a.ema_loss.shape == (64, 51) and a.ema.shape == (64, 1)
    assert simulate(h, np.full(3, 0.5), batch_size=1.0, n_runs=2, rng=np.random.default_rng(0)).ema is None


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: expected_loss([1.0, -1.0], [0.1], batch_size=1), "h"),
        (lambda: expected_loss([1.0], [0.1, np.nan], batch_size=1), "schedule"),
        (lambda: expected_loss([1.0], [-0.1], batch_size=1), "schedule"),
        (lambda: expected_loss([1.0], [0.1], batch_size=0), "batch_size"),
        (lambda: expected_loss([1.0], [0.1], batch_size=1, momentum=1.0), "momentum"),
        (lambda: expected_loss([1.0], [0.1], batch_size=1, precond_power=2), "precond_power"),
        (lambda: expected_loss([1.0, 2.0], [0.1], batch_size=1, theta0_sq=[1.0]), "theta0_sq"),
        (lambda: simulate([1.0], [0.1], batch_size=1, n_runs=0, rng=np.random.default_rng()), "n_runs"),
        (lambda: simulate([1.0], [0.1], batch_size=1, n_runs=2, rng=0), "rng"),
        (lambda: simulate([1.0], [[0.1]], batch_size=1, n_runs=2, rng=np.random.default_rng()), "schedule"),
        (lambda: simulate([1.0], [0.1], batch_size=1, n_runs=2, rng=np.random.default_rng(), ema=1.0), "ema"),
        (lambda: steps_to_target([1.0], [0.1], batch_size=1, target=0.1, max_steps=0), "max_steps"),
        (lambda: harmonic_spectrum(0), "d"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.argument == argument


def test_cupy_backend_matches_numpy_when_available():
    cp = pytest.importorskip("cupy")
    from theorykit.errors import BackendUnavailable
    from theorykit.numeric.backend import get_namespace

    try:
        xp = get_namespace("cupy")
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    del cp
    h = harmonic_spectrum(20)
    sched = np.linspace(1.0, 0.1, 30)
    gpu = expected_loss(xp.asarray(h), xp.asarray(sched), batch_size=2.0, momentum=0.5, xp=xp)
    np.testing.assert_allclose(gpu.get(), expected_loss(h, sched, batch_size=2.0, momentum=0.5), rtol=1e-12)


def test_polynomial_grid_matches_the_symbolic_schedules():
    from theorykit.numeric.nqm import polynomial_grid
    from theorykit.symbolic import schedules as sch

    grid, rows = polynomial_grid(50, 2.0, n_alpha=2, n_K=3, betas=(0.5, 3.0))
    assert rows.shape == (12, 50)
    for (a, K, b), row in zip(grid, rows):
        np.testing.assert_allclose(row, sch.values(sch.polynomial(a, K, b), 50), rtol=1e-12)


def test_greedy_schedule_minimizes_each_next_loss():
    from theorykit.numeric.nqm import greedy_schedule

    h = harmonic_spectrum(8)
    lrs, final = greedy_schedule(h, 20, 2.0)
    assert final == pytest.approx(expected_loss(h, lrs, batch_size=2.0)[-1], rel=1e-12)
    # perturbing any single step's lr cannot lower the loss right after that step
    for k in (0, 5, 19):
        base = expected_loss(h, lrs[: k + 1], batch_size=2.0)[-1]
        for f in (0.9, 1.1):
            other = lrs[: k + 1].copy()
            other[k] *= f
            assert expected_loss(h, other, batch_size=2.0)[-1] >= base


def test_critical_batch_sizes_order():
    from theorykit.numeric.nqm import critical_batch_sizes

    crit = critical_batch_sizes(50, 0.02)
    assert crit["momentum"][0] > crit["sgd"][0] and crit["precond"][0] > crit["sgd"][0]
    assert all(s_ref >= s_inf for _, s_ref, s_inf in crit.values())
