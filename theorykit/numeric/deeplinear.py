"""Two-layer linear networks y = W2 W1 x trained by full-batch GD (Saxe et al. 2014).

With whitened inputs (X^T X / n = I) the squared loss 1/(2n) sum_i ||y_i - W2 W1 x_i||^2
depends on the data only through the input-output correlation Sigma_31 = Y^T X / n = U S V^T.
``whitened_task`` builds such data with prescribed singular values; ``two_layer_gd`` runs GD
and records the mode strengths u_a(t) = U[:, a]^T W2 W1 V[:, a] (the quantities whose closed-form
trajectories the claim predicts). ``balanced_init`` gives the decoupled, balanced start
W1 = R diag(sqrt(u0)) V^T, W2 = U diag(sqrt(u0)) R^T under which each mode evolves on its own.
Array API code (the data are drawn on the host).
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked

__all__ = ["ModeRun", "Task", "balanced_init", "two_layer_gd", "whitened_task"]


class Task(NamedTuple):
    X: Any  # (n, d_in), X^T X / n = I exactly (up to round-off)
    Y: Any  # (n, d_out), Y^T X / n = U diag(s) V^T
    U: Any  # (d_out, k) output singular vectors
    s: Any  # (k,) singular values (in the given order)
    V: Any  # (d_in, k) input singular vectors


def _haar(rng, n, k):
    q, r = np.linalg.qr(rng.standard_normal((n, k)))
    return q * np.sign(np.diag(r))


def whitened_task(singular_values: Sequence[float], d_in: int, d_out: int, n: int, rng: Any = 0, *,
                  xp: Any = None) -> Task:
    """Whitened inputs and targets with input-output correlation U diag(s) V^T (Haar U, V)."""
    s = np.asarray(singular_values, dtype=np.float64)
    if s.ndim != 1 or s.size < 1 or np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise InputError("singular_values", "expected a non-empty list of positive finite numbers")
    for v, name in ((d_in, "d_in"), (d_out, "d_out"), (n, "n")):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise InputError(name, f"must be a positive integer, got {v!r}")
    if s.size > min(d_in, d_out):
        raise InputError("singular_values", f"at most min(d_in, d_out) = {min(d_in, d_out)} values, got {s.size}")
    if n < d_in:
        raise InputError("n", f"whitening needs n >= d_in = {d_in}, got {n}")
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    Q = _haar(rng, n, d_in)  # orthonormal columns: (sqrt(n) Q)^T (sqrt(n) Q) / n = I
    X = np.sqrt(n) * Q
    U, V = _haar(rng, d_out, s.size), _haar(rng, d_in, s.size)
    M = (U * s) @ V.T  # the correlation Sigma_31
    Y = X @ M.T  # then Y^T X / n = M X^T X / n = M
    xp = xp or __import__("array_api_compat.numpy", fromlist=["numpy"])
    return Task(*(xp.asarray(a) for a in (X, Y, U, s, V)))


def balanced_init(task: Task, hidden: int, u0: Sequence[float] | float, rng: Any = 0) -> tuple[Any, Any]:
    """(W1 (hidden, d_in), W2 (d_out, hidden)) with W2 W1 = U diag(u0) V^T and W1 W1^T = W2^T W2 on the modes."""
    xp = array_namespace(task.X)
    k = task.s.shape[0]
    if isinstance(hidden, bool) or not isinstance(hidden, numbers.Integral) or hidden < k:
        raise InputError("hidden", f"must be an integer >= the number of modes {k}, got {hidden!r}")
    u0 = np.broadcast_to(np.asarray(u0, dtype=np.float64), (k,))
    if np.any(u0 <= 0):
        raise InputError("u0", "initial mode strengths must be positive")
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    R = xp.asarray(_haar(rng, hidden, k))
    a = xp.asarray(np.sqrt(u0))
    return (R * a) @ task.V.T, (task.U * a) @ R.T


class ModeRun(NamedTuple):
    times: Any  # (K,) recorded step counts
    modes: Any  # (K, k) u_a at those steps


def two_layer_gd(task: Task, W1: Any, W2: Any, lr: float, steps: int, *, every: int = 1) -> ModeRun:
    """Full-batch GD on 1/(2n) sum ||y - W2 W1 x||^2; records u_a = U_a^T W2 W1 V_a every ``every`` steps."""
    xp = array_namespace(task.X)
    W1 = asarray_checked(W1, "W1", xp, ndim=2)
    W2 = asarray_checked(W2, "W2", xp, ndim=2)
    try:
        lr = float(lr)
    except (TypeError, ValueError) as exc:
        raise InputError("lr", f"expected a positive number, got {lr!r}") from exc
    if not lr > 0:
        raise InputError("lr", f"must be positive, got {lr}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise InputError("steps", f"must be a non-negative integer, got {steps!r}")
    n = task.X.shape[0]
    C31 = task.Y.T @ task.X / n  # (d_out, d_in): GD only ever sees the data through these two
    C11 = task.X.T @ task.X / n
    # on NumPy, A.dot(B) is A @ B (the same BLAS gemm) without matmul's ufunc dispatch, which with
    # matrices this small is a large part of a step
    mm = np.ndarray.dot if isinstance(W1, np.ndarray) and isinstance(W2, np.ndarray) else xp.matmul
    times, products = [], []
    for t in range(int(steps) + 1):
        P = mm(W2, W1)  # W2 @ W1 @ C11 below is (W2 @ W1) @ C11: the product is formed once per step
        if t % every == 0 or t == steps:
            times.append(t)
            products.append(P)
        if t == steps:
            break
        E = C31 - mm(P, C11)  # minus the gradient of the loss in the product
        W1, W2 = W1 + lr * mm(W2.T, E), W2 + lr * mm(E, W1.T)
    # the mode strengths of all recorded products at once (the loop is overhead-bound on these
    # tiny matrices): U_a^T P V_a = sum over the output axis of U * (P @ V), per product
    Ps = xp.stack(products)
    return ModeRun(xp.asarray(times), xp.sum(task.U * (Ps @ task.V), axis=-2))
