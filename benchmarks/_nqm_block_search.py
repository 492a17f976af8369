# The 64-step block search of nqm_fast before the 2^l jumps (commit 5e9fdd8), kept as the
# reference "old" path of bench_nqm_critical.py.
"""The first step at which the NQM's exact expected loss reaches a target, by jumping.

For a constant learning rate each coordinate's second moments m = (E theta^2,
E v^2, E theta v) follow an affine map m+ = M m + c (``nqm.moment_step`` written
as a 3x3 matrix), so with the fixed point m* and e = m - m*, K steps are one
product: e_{k+K} = M^K e_k. Between two jumps the loss can only dip below

    loss(k) - sum_i h_i/2 * G_i * max|e_i(k)|,    G_i = max_{1<=j<=K} ||row_theta(M_i^j - I)||_1,

so a block of K steps whose lower bound stays above the target holds no hit and
is skipped with one jump; a block that may hold one is stepped exactly, step by
step, as ``nqm.steps_to_target`` does. The bound is tight where it matters: a
slow coordinate barely moves in K steps (G_i ~ K a h_i) and a fast one sits at
its fixed point (e_i ~ 0). So the work is O(steps/K + K) batched 3x3 products
per learning rate instead of O(steps), which is what makes the critical batch
size at d = 10^4 (Zhang et al. 2019, arXiv:1907.04164) take seconds.

NumPy only (the jump uses batched 3x3 matrix products); other namespaces use
the step-by-step loop.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["moment_matrices", "first_hits", "BLOCK"]

#: steps per jump
BLOCK = 64


def moment_matrices(a, h, noise, beta: float):
    """(M, c): M (..., 3, 3) and c (..., 3) with moment_step(m) = M m + c in the order
    (theta2, v2, cross); ``a`` (S, d), ``h`` and ``noise`` (d,)."""
    r = 1.0 - a * h
    hh = np.broadcast_to(h, a.shape)
    M = np.empty(a.shape + (3, 3))
    M[..., 0, 0], M[..., 0, 1], M[..., 0, 2] = r * r, (a * beta) ** 2, -2.0 * r * a * beta
    M[..., 1, 0], M[..., 1, 1], M[..., 1, 2] = hh * hh, beta * beta, 2.0 * hh * beta
    M[..., 2, 0], M[..., 2, 1], M[..., 2, 2] = r * hh, -a * beta * beta, beta * (1.0 - 2.0 * a * hh)
    n = np.broadcast_to(noise, a.shape)
    c = np.stack([a * a * n, n + 0.0 * a, -a * n], axis=-1)
    return M, c


def _loss(h, m):
    return np.sum(0.5 * h * m[0], axis=-1)


def _apply(M, v):
    """M v for M (3, 3, S, d) and v (3, S, d), entry by entry (batched 3x3 matmul is slow in NumPy)."""
    return np.stack([M[i, 0] * v[0] + M[i, 1] * v[1] + M[i, 2] * v[2] for i in range(3)])


def _square(M):
    return np.stack([np.stack([M[i, 0] * M[0, j] + M[i, 1] * M[1, j] + M[i, 2] * M[2, j] for j in range(3)])
                     for i in range(3)])


def first_hits(h, a, noise, beta: float, theta0_sq, target: float, max_steps: int, first_only: bool,
               block: int = BLOCK) -> np.ndarray:
    """(S,) first step with loss <= target (inf if none within max_steps). ``a`` (S, d) = lr * precond;
    ``block`` must be a power of two."""
    S, d = a.shape
    Mb, cb = moment_matrices(a, h, noise, beta)
    M = np.moveaxis(Mb, (-2, -1), (0, 1))  # (3, 3, S, d)
    c = np.moveaxis(cb, -1, 0)  # (3, S, d)
    with np.errstate(all="ignore"):
        try:
            mstar = np.moveaxis(np.linalg.solve(np.eye(3) - Mb, cb[..., None])[..., 0], -1, 0)
        except np.linalg.LinAlgError:  # a singular I - M somewhere: no fixed point to bound around
            mstar = np.full_like(c, np.nan)
        # G_i = max_j ||row_theta(M^j - I)||_1: row 0 of M^j is (row 0 of M^(j-1)) M
        row = np.stack([np.ones((S, d)), np.zeros((S, d)), np.zeros((S, d))])
        G = np.zeros((S, d))
        for _ in range(block):
            row = np.stack([row[0] * M[0, j] + row[1] * M[1, j] + row[2] * M[2, j] for j in range(3)])
            G = np.maximum(G, np.abs(row[0] - 1.0) + np.abs(row[1]) + np.abs(row[2]))
        MK = M
        for _ in range(int(round(math.log2(block)))):
            MK = _square(MK)
    m = np.zeros((3, S, d))
    m[0] = theta0_sq
    hit = np.full(S, math.inf)
    loss0 = _loss(h, m)
    if np.all(loss0 <= target):
        return np.zeros(S)
    alive = np.isfinite(loss0)
    k = 0
    with np.errstate(all="ignore"):
        while k < max_steps:
            loss_k = _loss(h, m)
            e = m - mstar
            lower = loss_k - np.sum(0.5 * h * G * np.max(np.abs(e), axis=0), axis=-1)
            lower = lower - 1e-12 * np.abs(loss_k)  # round-off slack
            open_ = alive & np.isinf(hit)
            n = min(block, max_steps - k)
            maybe = open_ & ~(lower > target)  # NaN bounds (no fixed point) count as "maybe"
            step = maybe if n == block else np.ones(S, dtype=bool)
            if step.any():
                # rows that may hit inside the block: exactly, as the step-by-step loop
                idx = np.flatnonzero(step)
                Ms, cs, ms = M[:, :, idx], c[:, idx], m[:, idx]
                for j in range(1, n + 1):
                    ms = _apply(Ms, ms) + cs
                    lj = _loss(h, ms)
                    hit[idx] = np.where(np.isinf(hit[idx]) & (lj <= target), k + j, hit[idx])
            if not step.all():
                m = _apply(MK, e) + mstar  # the others jump the whole block
            if step.any():
                m[:, idx] = ms
            k += n
            alive &= np.all(np.isfinite(m), axis=(0, 2))
            if not np.isinf(hit).any() or (first_only and np.isfinite(hit).any()) or not alive.any():
                break
    return hit
