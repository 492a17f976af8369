"""probes._bisect decides several bisection levels (and the bracketing chains) per batched call;
its result must be that of the plain sequential search, bit for bit."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.numeric import probes
from theorykit.numeric.probes import GROWTH_TOL, _bisect, _eigen_growth


def sequential_bisect(stable, scale, tol):
    """The search written plainly: one decision per problem per step (doubling/halving from
    ``scale``, then geometric bisection), every problem decided at every step."""
    lo = np.zeros_like(scale)
    hi = np.full_like(scale, math.inf)
    eta = scale.copy()
    with np.errstate(all="ignore"):
        for _ in range(2 * 64 + 1):
            ok = stable(eta)
            lo = np.where(ok, eta, lo)
            hi = np.where(ok, hi, eta)
            up, down = hi == math.inf, lo == 0
            if not np.any(up | down):
                break
            eta = np.where(up, eta * 2, np.where(down, eta / 2, eta))
        up_or_down = (hi == math.inf) | (lo == 0)
        for _ in range(200):
            width = np.where(up_or_down, 0.0, hi / np.where(lo > 0, lo, 1.0) - 1)
            open_ = width > tol
            if not np.any(open_):
                break
            mid = np.where(up_or_down, lo, np.sqrt(lo) * np.sqrt(np.where(up_or_down, lo, hi)))
            ok = stable(mid)
            lo = np.where(ok & ~up_or_down & open_, mid, lo)
            hi = np.where(~ok & ~up_or_down & open_, mid, hi)
        return np.where(hi == math.inf, hi, np.where(lo == 0, lo, np.sqrt(lo) * np.sqrt(hi)))


thresholds = st.one_of(st.floats(1e-300, 1e300), st.sampled_from([0.0, math.inf, 5e-324, 1.0, 2.0**70]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(thresholds, st.floats(1e-30, 1e30)), min_size=1, max_size=40),
       st.sampled_from([1e-3, 1e-8, 6.25e-9, 1e-12]), st.integers(1, 40))
def test_batched_bisect_equals_sequential_on_step_thresholds(problems, tol, row_size):
    thr = np.array([p[0] for p in problems])
    scale = np.array([p[1] for p in problems])
    seq = sequential_bisect(lambda eta: eta <= thr, scale, tol)
    fast = _bisect(lambda eta, idx: eta <= thr[idx], scale, tol, np, row_size)
    np.testing.assert_array_equal(fast, seq)


@pytest.mark.parametrize("seed", range(4))
def test_batched_bisect_equals_sequential_on_runs(seed):
    rng = np.random.default_rng(seed)
    method = ("gd", "heavy_ball", "nesterov")[seed % 3]
    lam = rng.uniform(0.05, 20.0, (3, 1 + seed))
    lam[2, 0] = -0.1 if seed == 1 else lam[2, 0]  # a negative eigenvalue: no stable step
    mom = np.zeros((3, 1)) if method == "gd" else rng.uniform(0.0, 0.999, (3, 1))
    e0 = rng.standard_normal(lam.shape)
    steps = 2**38

    def stable(eta):
        return _eigen_growth(method, lam, eta[:, None], mom, steps, e0, np) <= GROWTH_TOL

    def rows_stable(eta, idx):
        return _eigen_growth(method, lam[idx], eta[:, None], mom[idx], steps, e0[idx], np) <= GROWTH_TOL

    scale = 1.0 / np.linalg.norm(lam, axis=-1)
    tol = 1e-7 / 16
    np.testing.assert_array_equal(_bisect(rows_stable, scale, tol, np, lam.shape[-1]),
                                  sequential_bisect(stable, scale, tol))


def test_threshold_matrix_still_agrees_with_eigen_version():
    lam = np.array([0.3, 1.0, 2.5])
    th = probes.stability_threshold("heavy_ball", lam, momentum=0.6, rtol=1e-7)
    thm = probes.stability_threshold_matrix("heavy_ball", np.diag(lam), momentum=0.6, rtol=1e-7)
    assert abs(th / thm - 1) <= 2e-7 and abs(th * 2.5 / (2 * 1.6) - 1) <= 1e-7
