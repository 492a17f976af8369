"""Uncertified rates for searches: the run's own N-th root, without the extended-precision step.

``probes.linear_rate`` certifies every value: the spectral radius of each
eigendirection's transition in 60-digit arithmetic, cross-checked against the
float64 run. A search over step sizes (a zoomed grid, a golden section) needs
that only for the point it settles on; ranking the grid points takes only the
run. ``trajectory_rates`` is that run, (|s_N| / |s_0|)^(1/N) after N = 2^40
steps (``methods.eigen_power_run``, exactly the run ``linear_rate`` makes),
whose bias is at most log(C N)/N ~ 1e-11 (``certified.trajectory_tolerance``).
A caller reports ``linear_rate`` at the point found, so every reported value is
certified; only which grid point wins can differ, by that bias.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .backend import to_numpy
from .methods import quiet
from .probes import _RATE_STEPS, _rate_run

__all__ = ["trajectory_rates"]


def trajectory_rates(method: str, eigenvalues: Any, lr: Any, *, momentum: Any = 0.0, seed: int = 0,
                     backend: str = "numpy") -> np.ndarray:
    """(batch,) float64 N-th roots of the runs ``linear_rate`` makes (N = 2^40, same start from
    ``seed``); inf where a run overflows. Inputs as ``linear_rate_report``'s."""
    g = _rate_run(method, eigenvalues, lr, momentum, _RATE_STEPS, seed, backend)[-1]
    with quiet():
        out = np.exp(to_numpy(g) / _RATE_STEPS)
    return np.where(np.isnan(out), np.inf, out)
