"""Rate searches evaluate their candidates in batches (rate_search.linear_rates, trajectory_rates
with ``blocks``, proofs._golden.golden_section_many); every value must be what the one-by-one
calls give, bit for bit, and the searches must land where the sequential ones did."""
from types import SimpleNamespace

import numpy as np
import pytest

from proofs._util import golden_section
from theorykit.numeric.certified import InconclusiveMeasurement
from theorykit.numeric.probes import linear_rate
from theorykit.numeric.rate_search import linear_rates, trajectory_rates


@pytest.mark.parametrize("seed", range(3))
def test_linear_rates_equal_lone_linear_rate_calls(seed):
    rng = np.random.default_rng(seed)
    method = ("gd", "heavy_ball", "nesterov")[seed]
    lam = rng.uniform(0.1, 5.0, (6, 3))
    lr = rng.uniform(0.05, 0.45, 6)
    mom = np.zeros(6) if method == "gd" else rng.uniform(0.0, 0.95, 6)
    lam[5], lr[5] = [0.0, 1.0, 1.0], 1.0  # gd: rate exactly 1 along the zero eigenvalue
    got = linear_rates(method, lam, lr, momentum=mom, seed=seed + 7)
    for i in range(6):
        try:
            want = linear_rate(method, lam[i], float(lr[i]), momentum=float(mom[i]), seed=seed + 7)
        except InconclusiveMeasurement as exc:
            assert isinstance(got[i], InconclusiveMeasurement) and str(got[i]) == str(exc)
            continue
        assert float(got[i]) == float(want)
        assert (got[i].error, got[i].margin, got[i].trajectory, got[i].sensitivity) == (
            want.error, want.margin, want.trajectory, want.sensitivity)


def test_an_uncertifiable_candidate_comes_back_as_the_exception_linear_rate_raises():
    # heavy ball at h = 2(1 + beta): a root on the unit circle, one ulp decides convergence
    lam, beta = np.array([[1.0], [1.0]]), np.array([0.5, 0.5])
    lr = np.array([0.3, 3.0])
    got = linear_rates("heavy_ball", lam, lr, momentum=beta, seed=1)
    with pytest.raises(InconclusiveMeasurement) as exc:
        linear_rate("heavy_ball", [1.0], 3.0, momentum=0.5, seed=1)
    assert isinstance(got[1], InconclusiveMeasurement) and str(got[1]) == str(exc.value)
    assert float(got[0]) == float(linear_rate("heavy_ball", [1.0], 0.3, momentum=0.5, seed=1))


def test_trajectory_rate_blocks_equal_separate_calls():
    rng = np.random.default_rng(3)
    lam = rng.uniform(0.1, 4.0, (5, 3))
    lrs, moms = rng.uniform(0.05, 0.4, (3, 5)), rng.uniform(0.0, 0.9, (3, 5))
    joint = trajectory_rates("heavy_ball", np.tile(lam, (3, 1)), lrs.reshape(-1), momentum=moms.reshape(-1),
                             seed=4, blocks=3)
    alone = np.concatenate([trajectory_rates("heavy_ball", lam, lrs[j], momentum=moms[j], seed=4) for j in range(3)])
    np.testing.assert_array_equal(joint, alone)


def test_gd_optimal_step_search_equals_the_sequential_golden_section():
    from proofs.gd.one_step import _sc_measured_step

    for ev, seed in (((0.5, 1.0, 5.0), 3), ((0.31, 2.2, 7.9, 12.4), 11)):
        old = golden_section(lambda lr: float(linear_rate("gd", list(ev), lr, seed=seed)),  # noqa: B023
                             1e-3 / max(ev), 2.0 / max(ev), tol=1e-9)[0]
        assert _sc_measured_step({"eigenvalues": ev}, SimpleNamespace(seed=seed, backend="numpy")) == old


def _sequential_hb_search(params, seed):
    """momentum.heavy_ball_optimal's search written one candidate at a time."""
    from proofs.momentum._common import spread

    eig = spread(params["mu"], params["L"], params["n"])
    grid, seen = 64, []
    batch = np.tile(eig, (grid, 1))

    def best_over_eta(beta_v):
        lo, hi = 0.0, 4.0 / params["L"]
        for _ in range(6):
            etas = np.linspace(lo, hi, grid + 1)[1:]
            i = int(np.argmin(trajectory_rates("heavy_ball", batch, etas, momentum=np.full(grid, beta_v), seed=seed)))
            step = etas[1] - etas[0]
            lo, hi = max(etas[i] - step, 0.0), etas[i] + step
        rate = float(linear_rate("heavy_ball", eig, float(etas[i]), momentum=float(beta_v), seed=seed))
        seen.append((rate, float(beta_v)))
        return rate

    golden_section(lambda sv: best_over_eta(sv * sv), 0.0, 0.999, tol=1e-6)
    return min(seen)


@pytest.mark.parametrize("params", [{"mu": 1.0, "L": 100.0, "n": 2}, {"mu": 0.37, "L": 41.3, "n": 4}])
def test_heavy_ball_search_equals_the_sequential_search(params):
    from proofs.momentum.heavy_ball import _search

    ctx = SimpleNamespace(rng=np.random.default_rng(5), seed=12345, backend="numpy")
    seed = int(np.random.default_rng(5).integers(0, 2**31 - 1))  # what _search draws from ctx.rng
    assert _search(params, ctx) == _sequential_hb_search(params, seed)
