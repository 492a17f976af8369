"""Dynamic programming for the optimal SGD learning-rate schedule on a small NQM.

The expected-loss recurrence of plain SGD on the Noisy Quadratic Model
(``nqm.py``) is a controlled Markov chain on the second moments
s_i = E[theta_i^2]:

    s_i+ = (1 - a h_i)^2 s_i + a^2 h_i / B,      final cost  1/2 sum_i h_i s_i(T).

Bellman's recursion V_T(s) = 1/2 h.s, V_k(s) = min_a V_{k+1}(s+(s, a)) gives the
optimal schedule. The state is d-dimensional, so the value function is tabulated
only for d <= 2: a logarithmic grid per coordinate (plus 0), multilinear
interpolation, and a logarithmic grid of learning rates. The schedule is read off
forward from the exact state and its loss recomputed with the exact recurrence,
so the reported loss is achievable; the grids only limit how close to optimal it
is. This is the global certificate for ``nqm.optimal_schedule``, whose L-BFGS
search on the adjoint gradient is local.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import InputError
from .backend import check_positive_scalar

__all__ = ["DPSchedule", "dp_schedule"]


class DPSchedule(NamedTuple):
    lrs: np.ndarray  # (T,) the schedule read off the value tables
    loss: float  # its final expected loss, recomputed with the exact recurrence
    value: float  # the tabulated optimal value V_0(s0) (grid approximation)


class _Stencil(NamedTuple):
    """Where points fall on the grid: corner indices and weights of multilinear interpolation."""

    index: tuple  # d arrays of corner indices, each (2^d, ...)
    weight: np.ndarray  # (2^d, ...)


def _stencil(grids, points) -> _Stencil:
    """Multilinear-interpolation stencil of ``points`` (..., d); clamped to the grid's edges."""
    d = len(grids)
    lo, frac = [], []
    for j, g in enumerate(grids):
        x = np.clip(points[..., j], g[0], g[-1])
        i = np.clip(np.searchsorted(g, x) - 1, 0, g.size - 2)
        lo.append(i)
        frac.append((x - g[i]) / (g[i + 1] - g[i]))
    idx = [[] for _ in range(d)]
    weights = []
    for corner in range(2**d):
        w = np.ones(points.shape[:-1])
        for j in range(d):
            bit = (corner >> j) & 1
            w = w * (frac[j] if bit else 1.0 - frac[j])
            idx[j].append(lo[j] + bit)
        weights.append(w)
    return _Stencil(tuple(np.stack(ix) for ix in idx), np.stack(weights))


def _apply(st: _Stencil, values):
    return np.sum(st.weight * values[st.index], axis=0)


def dp_schedule(h, T, batch_size, *, theta0_sq=1.0, n_state=160, n_lr=200) -> DPSchedule:
    """Optimal plain-SGD schedule on an NQM with 1 or 2 curvatures ``h``, by dynamic programming."""
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 1 or not 1 <= h.size <= 2 or not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise InputError("h", "must hold 1 or 2 positive finite curvatures (the value grid is d-dimensional)")
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise InputError("T", f"must be a positive integer, got {T!r}")
    B = check_positive_scalar(batch_size, "batch_size")
    s0 = check_positive_scalar(theta0_sq, "theta0_sq")
    lrs_grid = (2.0 / float(np.max(h))) * np.geomspace(1e-4, 0.999, n_lr)
    # Every reachable s_i lies below max(s0, the stationary noise level at the largest lr),
    # since s+ is a contraction towards a^2 h/(B(1 - (1 - a h)^2)) = a/(B(2 - a h)).
    a_max = float(lrs_grid[-1])
    grids = []
    for hi in h:
        top = max(s0, a_max / (B * (2.0 - a_max * hi)))
        grids.append(np.concatenate([[0.0], np.geomspace(1e-14, top, n_state - 1)]))
    mesh = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1)  # (n, .., d)
    a = lrs_grid.reshape((-1,) + (1,) * h.size + (1,))
    # The successors of every grid state under every lr do not depend on the step,
    # so their stencil is computed once and each Bellman step is a gather and a min.
    st = _stencil(grids, (1 - a * h) ** 2 * mesh[None] + a**2 * h / B)  # points (n_lr, n, .., d)
    tables = [0.5 * np.sum(h * mesh, axis=-1)]  # V_T, then V_{T-1}, ..., V_0
    # the gather as one flat take per corner (the same values as values[st.index], without tuple fancy
    # indexing), accumulated corner by corner: the order np.sum(..., axis=0) adds them in, without
    # the (2^d, n_lr, n, ..) temporaries
    flat = np.ravel_multi_index(st.index, tables[0].shape)
    for _ in range(T):
        acc = st.weight[0] * np.take(tables[-1], flat[0])
        for corner in range(1, flat.shape[0]):
            acc += st.weight[corner] * np.take(tables[-1], flat[corner])
        tables.append(np.min(acc, axis=0))
    tables.reverse()  # tables[k] = V_k
    value = float(_apply(_stencil(grids, np.full((1, h.size), s0)), tables[0])[0])
    s = np.full(h.size, s0)
    lrs = np.empty(T)
    for k in range(T):
        succ = (1 - lrs_grid[:, None] * h) ** 2 * s + lrs_grid[:, None] ** 2 * h / B  # (n_lr, d)
        lrs[k] = a_k = lrs_grid[int(np.argmin(_apply(_stencil(grids, succ), tables[k + 1])))]
        s = (1 - a_k * h) ** 2 * s + a_k * a_k * h / B
    return DPSchedule(lrs, float(0.5 * np.sum(h * s)), value)
