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
from .probes import _RATE_STEPS, _inconclusive_rate, _rate_run, _single_rate, linear_rate_report

__all__ = ["trajectory_rates", "linear_rates"]


def trajectory_rates(method: str, eigenvalues: Any, lr: Any, *, momentum: Any = 0.0, seed: int = 0,
                     backend: str = "numpy", blocks: int = 1) -> np.ndarray:
    """(batch,) float64 N-th roots of the runs ``linear_rate`` makes (N = 2^40, same start from
    ``seed``); inf where a run overflows. Inputs as ``linear_rate_report``'s (``blocks``: the
    batch is that many equal blocks, each run as a call on that block alone would run it)."""
    g = _rate_run(method, eigenvalues, lr, momentum, _RATE_STEPS, seed, backend, blocks)[-1]
    with quiet():
        out = np.exp(to_numpy(g) / _RATE_STEPS)
    return np.where(np.isnan(out), np.inf, out)


def linear_rates(method: str, eigenvalues: Any, lr: Any, *, momentum: Any = 0.0, seed: int = 0,
                 backend: str = "numpy") -> list:
    """Per row of the (k, d) ``eigenvalues`` (``lr``/``momentum``: scalars or (k,)), what
    ``linear_rate(method, eigenvalues[i], lr[i], momentum=momentum[i], seed=seed)`` returns,
    a certified ``Rate``, or the ``InconclusiveMeasurement`` it raises (returned, not raised:
    a search evaluating candidates ahead raises only for the ones it uses). One batched run
    and one batched certification (``linear_rate_report``) for all k."""
    rep = linear_rate_report(method, eigenvalues, lr, momentum=momentum, seed=seed, backend=backend,
                             blocks=len(eigenvalues))
    return [_single_rate(rep, b) if rep.status[b] == "certified" else _inconclusive_rate(rep, b, "")
            for b in range(rep.rate.shape[0])]
