"""trajectory_rates is linear_rate's own run: it agrees with the certified rate within the run's bias bound."""
import numpy as np
import pytest

from theorykit.numeric.certified import trajectory_tolerance
from theorykit.numeric.probes import linear_rate_report
from theorykit.numeric.rate_search import trajectory_rates


@pytest.mark.parametrize("method, mom", [("gd", 0.0), ("heavy_ball", 0.6), ("nesterov", 0.5)])
def test_trajectory_rates_are_the_runs_of_linear_rate(method, mom):
    eig = np.tile(np.linspace(0.5, 10.0, 4), (16, 1))
    lrs = np.linspace(0.01, 0.25, 16)
    got = trajectory_rates(method, eig, lrs, momentum=np.full(16, mom), seed=3)
    report = linear_rate_report(method, eig, lrs, momentum=np.full(16, mom), seed=3)
    assert np.array_equal(got, report.trajectory)
    ok = report.status == "certified"
    assert ok.sum() >= 8
    assert np.all(np.abs(got[ok] - report.rate[ok]) <= 2 * trajectory_tolerance(2**40) * np.maximum(1, report.rate[ok]))


def test_trajectory_rates_reject_float32_like_linear_rate():
    with pytest.raises(Exception, match="eigenvalues"):
        trajectory_rates("gd", np.ones(3, dtype=np.float32), 0.1)
