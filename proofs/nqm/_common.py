"""Shared by the nqm family modules: Monte Carlo run size and step-size parametrisation."""
from __future__ import annotations

import numpy as np

from theorykit.numeric.montecarlo import runs_for_halfwidth

from .._stochastic import LEVEL

__all__ = ["NQM_RTOL", "NQM_RUNS", "momentum_steps"]

#: relative half-width of every NQM Monte Carlo check (see proofs/nqm/recurrence.py's docstring)
NQM_RTOL = 0.04
#: runs making z * sqrt(2) E[loss] / sqrt(R) <= NQM_RTOL * E[loss] at LEVEL
NQM_RUNS = runs_for_halfwidth(2.0, NQM_RTOL, LEVEL)


def momentum_steps(params):
    """(h (d,), a (d,), beta): a_i = alpha h_i^-power with alpha = lr_frac * 2(1 + beta)/max_i h_i^(1-power).

    Heavy ball on one coordinate is stable iff 0 < a h < 2(1 + beta) (Polyak 1964), so
    lr_frac in (0, 1) keeps every coordinate stable.
    """
    hs = np.asarray(params["h"], dtype=np.float64)
    power = float(params.get("power", 0.0))
    b = float(params.get("beta", 0.0))
    alpha = float(params["lr_frac"]) * 2.0 * (1.0 + b) / float(np.max(hs ** (1.0 - power)))
    return hs, alpha * hs ** (-power), b
