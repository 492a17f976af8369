"""The batched catapult bisections (all lrs of a few bisection levels in one run) equal the sequential ones."""
import numpy as np
import pytest

from theorykit.numeric import catapult


def _sequential(u, v, x, steps, lo, hi, rtol, spikes):
    lam0 = float(u @ u + v @ v) * x * x / u.shape[0]

    def pred(h):
        r = catapult.run_catapult(u, v, x, h / lam0, steps)
        return bool(r.diverged or (spikes and np.max(r.loss[1:]) > r.loss[0]))

    return catapult._bisect(pred, lo, hi, rtol)


@pytest.mark.parametrize("n, f0, x", [(8, 0.3, 1.0), (64, 1.0, 0.5), (512, 0.5, 1.0)])
def test_batched_boundaries_equal_sequential_bisection(n, f0, x):
    u, v = catapult.initial_params(n, f0, 1.0, x, np.random.default_rng(n))
    spike = catapult.spike_boundary(u, v, x, steps=50, rtol=1e-8)
    div = catapult.divergence_boundary(u, v, x, steps=200, rtol=1e-8)
    assert spike == _sequential(u, v, x, 50, 0.5, 3.5, 1e-8, True)
    assert div == _sequential(u, v, x, 200, 2.5, 6.0, 1e-8, False)
    assert 0.5 < spike < div < 6.0


def test_batched_flags_match_single_runs_row_by_row():
    u, v = catapult.initial_params(32, 0.5, 2.0, 1.0, np.random.default_rng(3))
    lam0 = float(u @ u + v @ v) / 32
    hs = np.linspace(0.5, 5.5, 23)
    flags = catapult._flags(u, v, 1.0, hs / lam0, 100, spikes=True)
    for h, flag in zip(hs, flags):
        r = catapult.run_catapult(u, v, 1.0, h / lam0, 100)
        assert flag == bool(r.diverged or np.max(r.loss[1:]) > r.loss[0])
    assert flags.any() and not flags.all()


def test_bad_bracket_is_an_input_error():
    u, v = catapult.initial_params(8, 0.3, 1.0, 1.0, np.random.default_rng(0))
    with pytest.raises(Exception, match="bracket"):
        catapult.spike_boundary(u, v, 1.0, lo=3.0, hi=3.5)
