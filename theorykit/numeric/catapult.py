"""The catapult model: GD on a two-layer linear network with one training input.

Model (Lewkowycz et al. 2020, arXiv:2003.02218, Sec. 2): parameters u, v in R^n,

    f(u, v) = v^T u x / sqrt(n),      loss  L = (f - y)^2 / 2,   here y = 0,

and the neural-tangent-kernel eigenvalue for the single input x is
lambda = (||u||^2 + ||v||^2) x^2 / n (the squared norm of the gradient of f).

Everything here *runs GD on (u, v)*: f and lambda are read back from the
parameters after each step; the closed-form (f, lambda) recurrence is what the
claim ``catapult.regimes`` predicts and is never used to produce a measurement.

``initial_params`` builds (u, v) with prescribed f0 and lambda0 so that a
measurement is reproducible and the prediction can be written in terms of the
example's parameters (f0, lambda0, n, x, h = eta lambda0).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError

__all__ = ["CatapultRun", "divergence_boundary", "initial_params", "run_catapult", "spike_boundary"]

#: |f| beyond this is divergence: f^2 x^2 eta^2 / n then dwarfs every O(1) term.
DIVERGED_F = 1e8


class CatapultRun(NamedTuple):
    f: np.ndarray  # (T+1,) network output after each step (step 0 = initialization)
    lam: np.ndarray  # (T+1,) NTK eigenvalue (||u||^2 + ||v||^2) x^2 / n after each step
    loss: np.ndarray  # (T+1,) f^2 / 2
    diverged: bool  # |f| exceeded DIVERGED_F (the arrays stop there)


def _positive(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected a positive real number, got {value!r}") from exc
    if not (math.isfinite(v) and v > 0):
        raise InputError(name, f"must be finite and > 0, got {value!r}")
    return v


def initial_params(n: int, f0: float, lam0: float, x: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) (each (n,)) with v^T u x / sqrt(n) = f0 and (||u||^2+||v||^2) x^2/n = lam0.

    Writing a = u + v, b = u - v: ||u||^2 + ||v||^2 = (||a||^2 + ||b||^2)/2 and
    u^T v = (||a||^2 - ||b||^2)/4, so random directions for a and b scaled to
    ||a||^2 = S + 2P, ||b||^2 = S - 2P (S = lam0 n / x^2, P = f0 sqrt(n) / x)
    hit both targets exactly; this needs S > 2|P|, i.e. |f0| x < lam0 sqrt(n) / 2.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise InputError("n", f"expected an integer width >= 2, got {n!r}")
    lam0, x = _positive(lam0, "lam0"), _positive(x, "x")
    try:
        f0 = float(f0)
    except (TypeError, ValueError) as exc:
        raise InputError("f0", f"expected a real number, got {f0!r}") from exc
    S, P = lam0 * n / x**2, f0 * math.sqrt(n) / x
    if not S > 2 * abs(P):
        raise InputError("f0", f"|f0| x must be < lam0 sqrt(n)/2 = {lam0 * math.sqrt(n) / 2:g}, got |f0| x = {abs(f0) * x:g}")
    a = rng.standard_normal(n)
    b = rng.standard_normal(n)
    b -= a * (a @ b) / (a @ a)  # a and b orthogonal, so ||u||, ||v|| follow from ||a||, ||b|| exactly
    a *= math.sqrt(S + 2 * P) / np.linalg.norm(a)
    b *= math.sqrt(S - 2 * P) / np.linalg.norm(b)
    return (a + b) / 2, (a - b) / 2


def run_catapult(u: np.ndarray, v: np.ndarray, x: float, lr: float, steps: int) -> CatapultRun:
    """``steps`` GD steps on L(u, v) = (v^T u x / sqrt(n))^2 / 2 (target 0), from (u, v).

    The gradient is dL/du = f x v / sqrt(n), dL/dv = f x u / sqrt(n). u, v may live in any
    array-API namespace (NumPy, CuPy); the recorded f, lam, loss are host arrays."""
    x, lr = _positive(x, "x"), _positive(lr, "lr")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError("steps", f"expected a positive integer, got {steps!r}")
    try:
        xp = array_namespace(u, v)
    except TypeError:  # lists and other non-arrays
        from .backend import get_namespace

        xp = get_namespace("numpy")
    u = xp.asarray(u, dtype=xp.float64)
    v = xp.asarray(v, dtype=xp.float64)
    if u.ndim != 1 or u.shape != v.shape:
        raise InputError("v", f"u and v must be vectors of the same length, got {u.shape} and {v.shape}")
    n = u.shape[0]
    c = x / math.sqrt(n)
    fs, lams = [], []
    diverged = False
    # np.add.reduce is np.sum without its Python dispatch (the same pairwise sum, bit for bit);
    # on a small network that dispatch is most of a step's time
    total = np.add.reduce if isinstance(u, np.ndarray) else xp.sum
    with np.errstate(all="ignore"):
        for _ in range(steps + 1):
            f = float(total(v * u)) * c
            lam = float(total(u * u) + total(v * v)) * x * x / n
            fs.append(f)
            lams.append(lam)
            if not (abs(f) < DIVERGED_F and math.isfinite(lam)):
                diverged = True
                break
            gu, gv = f * c * v, f * c * u
            u, v = u - lr * gu, v - lr * gv
    f_arr = np.asarray(fs)
    return CatapultRun(f_arr, np.asarray(lams), f_arr**2 / 2, diverged)


def _flags(u, v, x: float, lrs: np.ndarray, steps: int, *, spikes: bool) -> np.ndarray:
    """Per lr (K,): did a ``steps``-step GD run from (u, v) diverge (or, with ``spikes``, diverge or
    raise the loss above its initial value)? All lrs run together as rows; a row stops once decided.
    Row by row this is ``run_catapult``'s arithmetic in the same order, so the flags are the same."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    n = u.shape[0]
    c = x / math.sqrt(n)
    K = lrs.shape[0]
    U, V = np.tile(u, (K, 1)), np.tile(v, (K, 1))
    lr = np.asarray(lrs, dtype=np.float64)[:, None]
    out = np.zeros(K, dtype=bool)
    rows = np.arange(K)
    total = np.add.reduce
    loss0 = None
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            f = total(V * U, axis=1) * c
            lam = total(U * U, axis=1) + total(V * V, axis=1)
            lam = lam * x * x / n
            bad = ~((np.abs(f) < DIVERGED_F) & np.isfinite(lam))
            if spikes:
                loss = f**2 / 2
                if loss0 is None:
                    loss0 = loss
                elif k > 0:
                    bad = bad | (loss > loss0)
            if bad.any():
                out[rows[bad]] = True
                keep = ~bad
                rows, U, V, lr, f = rows[keep], U[keep], V[keep], lr[keep], f[keep]
                if spikes:
                    loss0 = loss0[keep]
                if rows.size == 0:
                    break
            if k == steps:
                break
            fc = (f * c)[:, None]
            U, V = U - lr * (fc * V), V - lr * (fc * U)
    return out


def _bisect(pred, lo: float, hi: float, rtol: float, *, batch=None, depth: int = 3) -> float:
    """Boundary of a predicate that is False at lo and True at hi.

    With ``batch`` (a vectorized ``pred``: (K,) step sizes -> (K,) bools) the next
    ``depth`` levels of the bisection tree are decided in one call: every midpoint the
    sequential bisection could visit there, then the path it does take. The result is
    the sequential one exactly; there are ``depth`` times fewer (wider) runs."""
    if batch is None:
        if pred(lo) or not pred(hi):
            raise InputError("bracket", f"the predicate must be False at {lo} and True at {hi}")
        while hi - lo > rtol * hi:
            mid = (lo + hi) / 2
            if pred(mid):
                hi = mid
            else:
                lo = mid
        return (lo + hi) / 2
    # the two ends are decided in the same call as the first subtree (whose values are used only
    # once the ends are confirmed)
    mids = _subtree(lo, hi, rtol, depth)
    got = batch(np.array([lo, hi] + mids)).tolist()
    if got[0] or not got[1]:
        raise InputError("bracket", f"the predicate must be False at {lo} and True at {hi}")
    value = dict(zip(mids, got[2:]))
    while hi - lo > rtol * hi:
        if not value:
            mids = _subtree(lo, hi, rtol, depth)
            value = dict(zip(mids, batch(np.array(mids)).tolist()))
        for _ in range(depth):
            if not hi - lo > rtol * hi:
                break
            mid = (lo + hi) / 2
            if value[mid]:
                hi = mid
            else:
                lo = mid
        value = {}
    return (lo + hi) / 2


def _subtree(lo: float, hi: float, rtol: float, depth: int) -> list:
    """Every midpoint the sequential bisection could visit in its next ``depth`` levels from
    [lo, hi], in the order it would make them."""
    mids, level = [], [(lo, hi)]
    for _ in range(depth):
        nxt = []
        for a, b in level:
            if b - a > rtol * b:
                m = (a + b) / 2
                mids.append(m)
                nxt += [(a, m), (m, b)]
        level = nxt
    return mids


def spike_boundary(u, v, x: float, *, steps: int = 200, lo: float = 0.5, hi: float = 3.5, rtol: float = 1e-7) -> float:
    """Smallest h = eta lambda0 at which the loss rises above its initial value at some
    step of a ``steps``-step GD run from (u, v): bisection on runs (batched, ``_flags``)."""
    return _run_boundary(u, v, x, steps, lo, hi, rtol, spikes=True)


def divergence_boundary(u, v, x: float, *, steps: int = 2000, lo: float = 2.5, hi: float = 6.0,
                        rtol: float = 1e-7) -> float:
    """Smallest h = eta lambda0 at which a ``steps``-step GD run from (u, v) blows up
    (|f| > DIVERGED_F). Slow convergence is not counted: below the boundary lam is
    non-increasing, so |f| <= lam0 sqrt(n) / (2x) stays bounded (eta lam >= 2 sqrt(q))."""
    return _run_boundary(u, v, x, steps, lo, hi, rtol, spikes=False)


def _run_boundary(u, v, x, steps, lo, hi, rtol, *, spikes: bool) -> float:
    """Bisection in h = eta lambda0 on the batched runs' flags (``_flags``: a spike, or a blow-up)."""
    lam0 = float(u @ u + v @ v) * x * x / u.shape[0]
    x = _positive(x, "x")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError("steps", f"expected a positive integer, got {steps!r}")

    def flagged(h):
        return _flags(u, v, x, np.asarray(h) / lam0, steps, spikes=spikes)

    return _bisect(None, lo, hi, rtol, batch=flagged)
