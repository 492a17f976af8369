"""momentum.nesterov_rate's Huber search runs FISTA on Huber1D with plain NumPy as the namespace
(a fast clip); the gaps must be those of the default (array_api_compat) namespace, bit for bit."""
import math

import numpy as np
import pytest

from proofs._util import golden_section
from proofs.momentum.accelerated import _convex_gap_huber, fista
from theorykit.numeric.problems import Huber1D


def default_namespace_gap(L_v, R_v, N_v):
    def gap(log_delta):
        prob = Huber1D(L_v, math.exp(log_delta) * R_v)
        return float(prob.loss(fista(prob, np.array([R_v]), L_v, N_v)))

    grid = np.linspace(math.log(1e-4), 0.0, 60)
    vals = [gap(g) for g in grid]
    i = int(np.argmax(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    _, best = golden_section(gap, lo, hi, tol=1e-6, maximize=True)
    return max(best, max(vals))


@pytest.mark.parametrize("L_v, R_v, N_v", [(1.0, 1.0, 10), (0.37, 4.2, 3), (7.5, 0.2, 20), (2.0, 9.0, 1)])
def test_huber_gap_equals_the_default_namespace(L_v, R_v, N_v):
    assert _convex_gap_huber({"L": L_v, "R": R_v, "N": N_v}, None) == default_namespace_gap(L_v, R_v, N_v)
