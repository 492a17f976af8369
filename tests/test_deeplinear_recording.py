"""two_layer_gd computes the recorded mode strengths after the loop, all at once; they must be
those of a plain loop that records u_a = U_a^T W2 W1 V_a at each step, bit for bit."""
import numpy as np
import pytest

from theorykit.numeric.deeplinear import balanced_init, two_layer_gd, whitened_task


def plain_two_layer_gd(task, W1, W2, lr, steps, every):
    n = task.X.shape[0]
    C31, C11 = task.Y.T @ task.X / n, task.X.T @ task.X / n
    times, modes = [], []
    for t in range(steps + 1):
        P = W2 @ W1
        if t % every == 0 or t == steps:
            times.append(t)
            modes.append(np.sum(task.U * (P @ task.V), axis=0))
        if t == steps:
            break
        E = C31 - P @ C11
        W1, W2 = W1 + lr * (W2.T @ E), W2 + lr * (E @ W1.T)
    return np.asarray(times), np.stack(modes)


@pytest.mark.parametrize("seed", range(4))
def test_modes_equal_the_plain_recording_loop(seed):
    rng = np.random.default_rng(seed)
    k = 1 + seed % 3
    task = whitened_task(list(rng.uniform(0.2, 3.0, k)), 5, 4, 12, rng)
    if seed % 2:
        W1, W2 = balanced_init(task, 6, list(rng.uniform(1e-3, 0.1, k)), rng)
    else:
        W1, W2 = rng.standard_normal((7, 5)) * 0.1, rng.standard_normal((4, 7)) * 0.1
    steps, every = int(rng.integers(1, 400)), int(rng.integers(1, 5))
    run = two_layer_gd(task, W1, W2, 0.01, steps, every=every)
    times, modes = plain_two_layer_gd(task, W1, W2, 0.01, steps, every)
    np.testing.assert_array_equal(run.times, times)
    np.testing.assert_array_equal(run.modes, modes)


def test_crossing_times_share_one_run_per_example_and_equal_separate_runs():
    from proofs.deeplinear import _crossing_time_run, _mode_trajectory

    def separate(s_, u0_, level, lr, words):  # the crossing from a run of its own
        rng = np.random.default_rng(list(words))
        task = whitened_task([s_, 0.7, 0.3], 5, 4, 12, rng)
        W1, W2 = balanced_init(task, 6, [u0_, 0.01, 0.01], rng)
        steps = int(np.ceil(1.5 * np.log(s_ / u0_) / (s_ * lr)))
        u = np.asarray(plain_two_layer_gd(task, W1, W2, lr, steps, 1)[1])[:, 0]
        k = int(np.argmax(u >= level))
        return (k - 1 + (level - u[k - 1]) / (u[k] - u[k - 1])) * lr

    words = (11, 22, 33, 44)
    _mode_trajectory.cache_clear()
    for level in (1.25, 2.5 - 1e-2):
        assert _crossing_time_run(2.5, 1e-2, level, 4e-3, words) == separate(2.5, 1e-2, level, 4e-3, words)
    assert _mode_trajectory.cache_info().misses == 1
