"""The first step at which the NQM's exact expected loss reaches a target, by jumps of 2^l steps.

For a constant learning rate each coordinate's second moments m = (E theta^2,
E v^2, E theta v) follow an affine map m+ = M m + c (``nqm.moment_step`` written
as a 3x3 matrix), so with the fixed point m* and e = m - m*, 2^l steps are one
product: e_{k+2^l} = M^(2^l) e_k. Between k and k + 2^l the loss can only dip to

    sum_i h_i/2 * max(0, E theta_i^2(k) - sum_c G_l[c, i] |e_c,i(k)|),
    G_l[c] >= max_{j<=2^l} |row_theta(M^j - I)[c]|   (E theta_i^2 >= 0 clips each term),

so when that lower bound stays above the target the next 2^l steps hold no hit
and are skipped with one product. Each row takes the longest jump its bound
allows and one exact step (``M m + c``, checked against the target) when even
a single step might hit. The bounds come from the squarings P_l = M^(2^l) by
doubling: with R_l = row_theta(P_l) - e_theta and H_l[c', c] >=
max_{t<=2^l} |(M^t)[c', c]|, since row(M^(2^l + t)) - e = R_l M^t + (row(M^t) - e),

    G_{l+1} = G_l + |R_l| H_l,      H_{l+1} = max(H_l, |P_l| H_l),

which is tight where it matters: a slow coordinate moves ~2^l a h in 2^l steps and
G_l adds up to ~2^l a h, a fast one sits at its fixed point (e ~ 0); with
beta = 0 only the theta column is nonzero. The loss falls by a little per step
near the hit, so each row needs O(log steps) jumps instead of steps / block, which
is what makes the critical batch size at d = 10^4 (Zhang et al. 2019,
arXiv:1907.04164) take seconds. Rows are processed in chunks (the 2^l powers
take (levels, 3, 3, d) memory per row); with ``first_only`` the first hit found
caps the search of every later row, since only the minimum is wanted.

NumPy only; other namespaces use the step-by-step loop of ``nqm.steps_to_target``.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["moment_matrices", "first_hits"]

#: floats of 2^l powers kept per chunk of rows (levels * 9 * rows * d): bounds the memory to ~100 MB
_CHUNK_FLOATS = 12_000_000
#: relative round-off slack on the loss bound (the old block search used the same)
_SLACK = 1e-12


def moment_matrices(a, h, noise, beta):
    """(M, c): M (..., 3, 3) and c (..., 3) with moment_step(m) = M m + c in the order
    (theta2, v2, cross); ``a`` (S, d), ``h`` (d,), ``noise`` (d,) or (S, d), ``beta`` scalar or (S, 1)."""
    r = 1.0 - a * h
    hh = np.broadcast_to(h, a.shape)
    beta = np.broadcast_to(np.asarray(beta, dtype=np.float64), a.shape)
    M = np.empty(a.shape + (3, 3))
    M[..., 0, 0], M[..., 0, 1], M[..., 0, 2] = r * r, (a * beta) ** 2, -2.0 * r * a * beta
    M[..., 1, 0], M[..., 1, 1], M[..., 1, 2] = hh * hh, beta * beta, 2.0 * hh * beta
    M[..., 2, 0], M[..., 2, 1], M[..., 2, 2] = r * hh, -a * beta * beta, beta * (1.0 - 2.0 * a * hh)
    n = np.broadcast_to(noise, a.shape)
    c = np.stack([a * a * n, n + 0.0 * a, -a * n], axis=-1)
    return M, c


def _mul(A, B):
    """A B for A, B (S, n, n, d), entry by entry (batched 3x3 matmul is slow in NumPy)."""
    n = A.shape[1]
    if n == 1:
        return A * B
    return np.stack([np.stack([A[:, i, 0] * B[:, 0, j] + A[:, i, 1] * B[:, 1, j] + A[:, i, 2] * B[:, 2, j]
                               for j in range(3)], axis=1) for i in range(3)], axis=1)


def _apply(A, v):
    """A v for A (S, n, n, d) and v (S, n, d)."""
    if A.shape[1] == 1:
        return A[:, :, 0] * v
    return np.stack([A[:, i, 0] * v[:, 0] + A[:, i, 1] * v[:, 1] + A[:, i, 2] * v[:, 2] for i in range(3)], axis=1)


def _levels(M, n_levels):
    """P (L, S, 3, 3, d) with P[l] = M^(2^l) and G (L, S, 3, d), the doubling bounds of the module doc."""
    S, n, _, d = M.shape
    P = np.empty((n_levels, S, n, n, d))
    G = np.empty((n_levels, S, n, d))
    e0 = np.eye(n)[0][None, :, None]
    P[0] = M
    G[0] = np.abs(M[:, 0] - e0)  # j in {0, 1}
    H = np.maximum(np.abs(M), np.eye(n)[None, :, :, None])  # max over t in {0, 1} of |M^t|
    for l in range(n_levels - 1):
        R = np.abs(P[l][:, 0] - e0)  # (S, 3, d)
        G[l + 1] = G[l] + np.sum(R[:, :, None] * H, axis=1)
        absP = np.abs(P[l])
        H = np.maximum(H, np.sum(absP[:, :, :, None] * H[:, None], axis=2))
        P[l + 1] = _mul(P[l], P[l])
    return P, G


def _search(h, M, c, mstar, m, target, limit, n_levels, best):
    """First hits (S,) of rows whose moments start at ``m`` at step 0; rows stop at ``limit`` steps,
    or at ``best[0] - 1`` once a hit has been found there when ``best`` is given (first_only)."""
    S, _, d = m.shape
    P, G = _levels(M, n_levels)
    hit = np.full(S, math.inf)
    k = np.zeros(S, dtype=np.int64)
    active = np.ones(S, dtype=bool)
    hh = 0.5 * h
    pow2 = 2 ** np.arange(n_levels, dtype=np.int64)
    while active.any():
        idx = np.flatnonzero(active)
        cap = limit if best is None else min(limit, best[0] - 1)
        left = cap - k[idx]
        over = left <= 0
        if over.any():  # reached the cap without a hit
            active[idx[over]] = False
            idx, left = idx[~over], left[~over]
            if idx.size == 0:
                break
        ms = m[idx]
        loss = np.sum(hh * ms[:, 0], axis=-1)
        e = ms - mstar[idx]
        # each coordinate's E theta^2 stays >= 0, so its bound is clipped at 0: a diverging (or
        # fully decaying) coordinate can at most vanish, whatever G says
        drop = np.einsum("lscd,scd->lsd", G[:, idx], hh * np.abs(e), optimize=False)
        lower = np.sum(np.maximum(hh * ms[:, 0] - drop, 0.0), axis=-1)
        lower = np.where(np.isnan(drop).any(axis=-1), -np.inf, lower)  # NaN (no fixed point): no bound
        ok = (lower - _SLACK * np.abs(loss)) > target
        lvl = np.sum(np.cumprod(ok, axis=0), axis=0) - 1  # the longest jump the bound allows; -1: none
        # never jump past the cap: a jump of 2^l >= left proves no hit up to the cap
        done = (lvl >= 0) & (pow2[np.maximum(lvl, 0)] >= left)
        active[idx[done]] = False
        jump = (lvl >= 0) & ~done
        step = lvl < 0
        if jump.any():
            j, lj = idx[jump], lvl[jump]
            m[j] = _apply(P[lj, j], e[jump]) + mstar[j]
            k[j] += pow2[lj]
        if step.any():
            s = idx[step]
            m[s] = _apply(M[s], m[s]) + c[s]
            k[s] += 1
            ls = np.sum(hh * m[s][:, 0], axis=-1)
            now = ls <= target
            hit[s[now]] = k[s[now]]
            active[s[now]] = False
            if best is not None and now.any():
                best[0] = min(best[0], int(np.min(k[s[now]])))
        moved = np.flatnonzero(jump | step)
        if moved.size:
            rows = idx[moved]
            bad = ~np.all(np.isfinite(m[rows]), axis=(1, 2))
            active[rows[bad]] = False  # diverged: never hits
    return hit


def first_hits(h, a, noise, beta, theta0_sq, target: float, max_steps: int, first_only: bool) -> np.ndarray:
    """(S,) first step with loss <= target (inf if none within max_steps). ``a`` (S, d) = lr * precond;
    ``noise`` (d,) or (S, d); ``beta`` a number or (S,) (one momentum per row). With ``first_only``
    the minimum is exact and a row whose first hit comes later may read ``inf``."""
    a = np.asarray(a, dtype=np.float64)
    S, d = a.shape
    beta = np.asarray(beta, dtype=np.float64).reshape(-1, 1) if np.ndim(beta) else float(beta)
    Mb, cb = moment_matrices(a, h, noise, beta)
    m0 = np.zeros((S, 3, d))
    m0[:, 0] = theta0_sq
    if np.all(np.sum(0.5 * h * m0[:, 0], axis=-1) <= target):
        return np.zeros(S)
    n_levels = max(1, int(math.ceil(math.log2(max(max_steps, 2)))) + 1)
    chunk = max(1, _CHUNK_FLOATS // (n_levels * 9 * d))
    hit = np.full(S, math.inf)
    best = [max_steps + 1] if first_only else None
    betas = np.broadcast_to(np.asarray(beta, dtype=np.float64).reshape(-1), (S,))
    with np.errstate(all="ignore"):
        for sl in _chunks(betas, chunk):
            Ms, cs = Mb[sl], cb[sl]
            try:
                mstar = np.linalg.solve(np.eye(3) - Ms, cs[..., None])[..., 0]
            except np.linalg.LinAlgError:  # a singular I - M somewhere: no fixed point to bound around
                mstar = np.full_like(cs, np.nan)
            M = np.moveaxis(Ms, 1, -1)  # (s, 3, 3, d)
            c = np.moveaxis(cs, 1, -1)  # (s, 3, d)
            mstar, m = np.moveaxis(mstar, 1, -1), m0[sl].copy()
            # without momentum E theta^2 evolves on its own (M[0, 1] = M[0, 2] = 0): a 1x1 recurrence
            n = 1 if not np.any(betas[sl]) else 3
            cap = max_steps if best is None else min(max_steps, best[0] - 1)
            levels = max(1, int(math.ceil(math.log2(max(cap, 2)))) + 1)
            hit[sl] = _search(h, M[:, :n, :n], c[:, :n], mstar[:, :n], m[:, :n], target, max_steps, levels, best)
    return hit


def _chunks(betas, size):
    """Slices of at most ``size`` rows, each of one momentum (so beta = 0 rows run the 1x1 recurrence)."""
    start = 0
    for end in [*(np.flatnonzero(np.diff(betas)) + 1).tolist(), betas.size]:
        for lo in range(start, end, size):
            yield slice(lo, min(end, lo + size))
        start = end
