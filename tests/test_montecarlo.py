"""Confidence intervals: coverage at the stated level, edge cases, run sizing, bad input."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.montecarlo import (
    Interval,
    clopper_pearson_interval,
    halfwidth,
    mean_interval,
    runs_for_halfwidth,
    wilson_interval,
    z_value,
)


def test_z_values_match_normal_quantiles():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.999) == pytest.approx(3.290527, abs=1e-6)


def _coverage(intervals, truth):
    return sum(iv.lo <= truth <= iv.hi for iv in intervals) / len(intervals)


def test_mean_interval_covers_at_its_level():
    rng = np.random.default_rng(1)
    ivs = [mean_interval(rng.exponential(2.0, size=200), level=0.9) for _ in range(3000)]
    cov = _coverage(ivs, 2.0)
    # the coverage itself is a proportion over 3000 intervals: check it with a 99.9% Wilson interval
    w = wilson_interval(round(cov * 3000), 3000, level=0.999)
    assert w.lo - 0.02 <= 0.9 <= w.hi + 0.02  # slack: CLT error of skewed samples at n = 200
    assert all(iv.level == 0.9 and iv.n_runs == 200 for iv in ivs[:3])


def test_clopper_pearson_is_conservative_and_wilson_close():
    rng = np.random.default_rng(2)
    p, n = 0.07, 60
    ks, counts = np.unique(rng.binomial(n, p, size=4000), return_counts=True)
    total = counts.sum()
    # one interval per distinct k, weighted by how often that k was drawn
    cp = sum(c for k, c in zip(ks, counts) if clopper_pearson_interval(int(k), n, level=0.95).contains(p)) / total
    wl = sum(c for k, c in zip(ks, counts) if wilson_interval(int(k), n, level=0.95).contains(p)) / total
    assert cp >= 0.95  # exact intervals never under-cover
    assert wl >= 0.92  # Wilson is approximate but close at n = 60


@pytest.mark.parametrize("interval", [wilson_interval, clopper_pearson_interval])
def test_proportion_edges(interval):
    lo0 = interval(0, 50)
    assert lo0.lo == 0.0 and 0 < lo0.hi < 0.2 and lo0.estimate == 0.0
    hi1 = interval(50, 50)
    assert hi1.hi == 1.0 and 0.8 < hi1.lo < 1.0


@given(var=st.floats(1e-6, 1e3), hw=st.floats(1e-4, 1.0), level=st.sampled_from([0.9, 0.99, 0.999]))
def test_runs_for_halfwidth_is_the_smallest_that_suffices(var, hw, level):
    n = runs_for_halfwidth(var, hw, level)
    assert halfwidth(var, n, level) <= hw * (1 + 1e-12)
    if n > 2:
        assert halfwidth(var, n - 1, level) > hw


def test_interval_helpers():
    iv = Interval(1.0, 0.5, 1.5, 0.999, 10)
    assert iv.halfwidth == 0.5 and iv.contains(1.2) and not iv.contains(2.0)
    assert "99.9% CI" in str(iv) and "10 runs" in str(iv)


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: z_value(1.0), "level"),
        (lambda: z_value("x"), "level"),
        (lambda: mean_interval(np.ones((3, 2))), "samples"),
        (lambda: mean_interval([1.0]), "samples"),
        (lambda: mean_interval([1.0, math.inf]), "samples"),
        (lambda: wilson_interval(5, 3), "successes"),
        (lambda: wilson_interval(1, 0), "n"),
        (lambda: clopper_pearson_interval(-1, 3), "successes"),
        (lambda: runs_for_halfwidth(1.0, 0.0), "halfwidth"),
        (lambda: runs_for_halfwidth(-1.0, 0.1), "variance_bound"),
        (lambda: halfwidth(1.0, 0), "n_runs"),
    ],
)
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.argument == argument


def test_monte_carlo_value_is_a_float_carrying_its_interval():
    import pickle

    iv = mean_interval(np.array([1.0, 2.0, 3.0, 4.0]), level=0.99)
    v = iv.value()
    assert isinstance(v, float) and float(v) == 2.5 and v.interval == iv
    hi = iv.value(iv.hi)
    assert float(hi) == iv.hi and hi.interval is iv
    back = pickle.loads(pickle.dumps(v))
    assert float(back) == 2.5 and back.interval == iv


def test_row_chunks_bound_memory_and_keep_the_draws():
    from theorykit.numeric.montecarlo import row_chunks

    blocks = row_chunks(1001, 13, max_elements=300)
    assert blocks[0] == (0, 23) and blocks[-1][1] == 1001 and all(b - a <= 23 for a, b in blocks)
    assert row_chunks(5, 10**9, max_elements=10) == [(a, a + 1) for a in range(5)]  # at least a row
    whole = np.random.default_rng(4).random((1001, 13))
    g = np.random.default_rng(4)
    assert np.array_equal(whole, np.concatenate([g.random((b - a, 13)) for a, b in blocks]))
    whole = np.random.default_rng(4).integers(0, 97, size=(1001, 13))
    g = np.random.default_rng(4)
    assert np.array_equal(whole, np.concatenate([g.integers(0, 97, size=(b - a, 13)) for a, b in blocks]))
