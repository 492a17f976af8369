"""The value-function DP for NQM schedules (theorykit.numeric.nqm_dp)."""
from __future__ import annotations

import numpy as np
import pytest

from theorykit.errors import InputError
from theorykit.numeric.nqm import expected_loss, greedy_schedule, optimal_schedule
from theorykit.numeric.nqm_dp import dp_schedule


@pytest.mark.parametrize("h, B, T", [(0.5, 4.0, 40), (1.0, 1.0, 30), (2.0, 16.0, 60)])
def test_one_curvature_dp_recovers_greedy(h, B, T):
    # In one dimension greedy is optimal: s+ = (1 - a h)^2 s + a^2 h/B is nondecreasing in s
    # for every a, so the value function is nondecreasing and minimizing the next s is
    # optimal. The DP, which knows nothing of greedy, must end at greedy's loss up to its grid.
    dp = dp_schedule([h], T, B)
    _, greedy_loss = greedy_schedule(np.array([h]), T, B)
    assert dp.loss >= greedy_loss * (1 - 1e-12)  # nothing beats the optimum
    assert dp.loss <= greedy_loss * (1 + 1e-2)


def test_reported_loss_is_the_exact_loss_of_the_schedule():
    h = np.array([1.0, 0.05])
    dp = dp_schedule(h, 30, 4.0, n_state=60, n_lr=80)
    exact = float(np.asarray(expected_loss(h, dp.lrs[None, :], batch_size=4.0))[0, -1])
    assert abs(dp.loss - exact) <= 1e-12 * exact


def test_two_curvatures_dp_beats_greedy_and_keeps_larger_early_lrs():
    h, T, B = np.array([1.0, 0.01]), 50, 4.0
    dp = dp_schedule(h, T, B, n_state=80, n_lr=100)
    greedy, greedy_loss = greedy_schedule(h, T, B)
    assert dp.loss < greedy_loss
    assert np.mean(dp.lrs[: T // 2]) > np.mean(greedy[: T // 2])
    # Polished by L-BFGS from the DP schedule, the adjoint method can only improve on it a little:
    # a large gap would mean the DP's grids are too coarse.
    _, polished = optimal_schedule(h, T, B, init=dp.lrs)
    assert polished <= dp.loss and dp.loss <= polished * (1 + 1e-2)


@pytest.mark.parametrize("kwargs, argument", [
    ({"h": [1.0, 0.5, 0.1], "T": 10, "batch_size": 4.0}, "h"),
    ({"h": [1.0, -0.5], "T": 10, "batch_size": 4.0}, "h"),
    ({"h": [1.0], "T": 0, "batch_size": 4.0}, "T"),
    ({"h": [1.0], "T": 10, "batch_size": 0.0}, "batch_size"),
])
def test_bad_input_names_the_argument(kwargs, argument):
    with pytest.raises(InputError) as info:
        dp_schedule(**kwargs)
    assert info.value.argument == argument
