"""First-order methods as one-step maps, trajectory runners and, on quadratics,
exact linear iterations that can be run for 2^k steps in k matrix products.

The three methods, with momentum beta and step size lr:

    gd:          x+ = x - lr grad f(x)
    heavy_ball:  x+ = x - lr grad f(x) + beta (x - x_prev)
    nesterov:    y  = x + beta (x - x_prev);  x+ = y - lr grad f(y)

Everything here is built from ``update``: the eigenbasis transition matrices are
obtained by *running* ``update`` on unit states, so the probes that use them run
the same method as ``run`` does.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked

__all__ = [
    "METHODS",
    "RECORDABLE",
    "DIVERGENCE_BOUND",
    "check_method",
    "check_lr",
    "check_momentum",
    "update",
    "State",
    "step",
    "Trajectory",
    "run",
    "Transition",
    "eigen_iteration",
    "linear_iteration",
    "transition_matrix",
    "eigen_step",
    "PowerRun",
    "eigen_power_run",
    "dense_power_run",
    "quiet",
]

METHODS = ("gd", "heavy_ball", "nesterov")
RECORDABLE = ("loss", "dist", "grad_norm", "x")
# An iterate this far out is reported as diverged: well inside float64 range, so
# the loss of any test problem there (quadratic in |x|) still does not overflow
# for L up to ~1e100.
DIVERGENCE_BOUND = 1e100


def quiet():
    """Silence NumPy floating-point warnings: overflow is detected and reported
    as divergence by the caller, never as a RuntimeWarning. (CuPy never warns.)"""
    return np.errstate(all="ignore")


# ---------------------------------------------------------------------------
# validation


def check_method(method: Any) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise InputError("method", f"unknown method {method!r}; valid methods: {', '.join(METHODS)}")
    return method


def check_lr(lr: Any, xp: Any, *, name: str = "lr") -> Any:
    """A positive finite step size: float, or an array (e.g. one per problem)."""
    if isinstance(lr, bool):
        raise InputError(name, f"expected a positive real number, got {lr!r}")
    arr = asarray_checked(lr, name, xp, ndim=(0, 1))
    if not bool(xp.all(arr > 0)):
        raise InputError(name, f"must be > 0, got {_show(arr, xp)}")
    return float(arr) if arr.ndim == 0 else arr


def check_momentum(method: str, momentum: Any, xp: Any) -> Any:
    """Momentum in [0, 1) for heavy_ball/nesterov; exactly 0 for gd."""
    if isinstance(momentum, bool):
        raise InputError("momentum", f"expected a real number, got {momentum!r}")
    arr = asarray_checked(momentum, "momentum", xp, ndim=(0, 1))
    if method == "gd":
        if bool(xp.any(arr != 0)):
            raise InputError("momentum", f"gd has no momentum; got {_show(arr, xp)} (use heavy_ball or nesterov)")
    elif not bool(xp.all((arr >= 0) & (arr < 1))):
        raise InputError("momentum", f"must be in [0, 1) for {method}, got {_show(arr, xp)}")
    return float(arr) if arr.ndim == 0 else arr


def _show(arr: Any, xp: Any) -> str:
    return repr(float(arr)) if arr.ndim == 0 else f"values in [{float(xp.min(arr)):.4g}, {float(xp.max(arr)):.4g}]"


def _check_steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise InputError(name, f"must be an integer >= 0, got {steps!r}")
    return int(steps)


# ---------------------------------------------------------------------------
# the one-step map


def update(method: str, grad: Callable[[Any], Any], x: Any, x_prev: Any, lr: Any, momentum: Any = 0.0) -> Any:
    """x_{k+1} from x_k = ``x`` and x_{k-1} = ``x_prev``; ``lr``/``momentum``
    broadcast against ``x`` (shape them (batch, 1) for one value per row)."""
    if method == "gd":
        return x - lr * grad(x)
    if method == "heavy_ball":
        return x - lr * grad(x) + momentum * (x - x_prev)
    if method == "nesterov":
        y = x + momentum * (x - x_prev)
        return y - lr * grad(y)
    raise InputError("method", f"unknown method {method!r}; valid methods: {', '.join(METHODS)}")


class State(NamedTuple):
    x: Any  # (d,) or (batch, d): current iterate x_k
    x_prev: Any  # same shape: x_{k-1} (equal to x at the start)


def step(method: str, problem: Any, state: State, lr: Any, momentum: Any = 0.0) -> State:
    """One step of ``method`` on ``problem``."""
    return State(update(method, problem.grad, state.x, state.x_prev, lr, momentum), state.x)


class Trajectory(NamedTuple):
    x: Any  # (d,) / (batch, d): last iterate before divergence (never inf/NaN)
    loss: Any  # (steps+1,) / (steps+1, batch) or None; inf from the divergence step on
    dist: Any  # |x_k - x*|, same shape as loss, or None
    grad_norm: Any  # |grad f(x_k)|, same shape as loss, or None
    xs: Any  # (steps+1, d) / (steps+1, batch, d) iterates, or None
    diverged: Any  # bool / (batch,) bool
    diverged_at: Any  # int / (batch,) int: first step whose iterate left the bound; -1 if none
    steps: int  # steps actually run (fewer than asked when every row diverged)


def _per_row(v: Any, xp: Any, batch: int | None, name: str) -> Any:
    """Scalar stays scalar; a (batch,) array becomes (batch, 1) to broadcast over d."""
    if isinstance(v, float):
        return v
    if batch is None or v.shape[0] != batch:
        raise InputError(name, f"an array {name} needs batched x0 with one row per value; got shape {tuple(v.shape)}")
    return v[:, None]


def run(
    method: str,
    problem: Any,
    x0: Any,
    lr: Any,
    steps: int,
    *,
    momentum: Any = 0.0,
    record: tuple[str, ...] = ("loss",),
) -> Trajectory:
    """Run ``steps`` steps of ``method`` from ``x0`` (with x_{-1} = x0).

    ``x0`` of shape (batch, d) runs a batch of starts (or, for a batched problem,
    one start per problem); ``lr`` and ``momentum`` may be (batch,) arrays. A row
    whose iterate leaves ``DIVERGENCE_BOUND * (1 + |x0|)`` or becomes non-finite is
    frozen and flagged; the run stops early once every row has diverged.
    """
    method = check_method(method)
    xp = problem.xp
    steps = _check_steps(steps)
    if isinstance(record, str):
        record = (record,)
    for r in record:
        if r not in RECORDABLE:
            raise InputError("record", f"unknown quantity {r!r}; choose from {', '.join(RECORDABLE)}")
    if "dist" in record and problem.x_star is None:
        raise InputError("record", f"'dist' needs a known minimiser, and {problem!r} has x_star = None")
    x0 = asarray_checked(x0, "x0", xp, ndim=(1, 2))
    if x0.shape[-1] != problem.dim:
        raise InputError("x0", f"last dimension must be {problem.dim}, got shape {tuple(x0.shape)}")
    n_problems = getattr(problem, "batch", None)
    if n_problems is not None:
        if x0.ndim == 1:
            x0 = xp.broadcast_to(x0, (n_problems, problem.dim))
        elif x0.shape[0] != n_problems:
            raise InputError("x0", f"expected {n_problems} rows (one per problem), got shape {tuple(x0.shape)}")
    batch = x0.shape[0] if x0.ndim == 2 else None
    lr_b = _per_row(check_lr(lr, xp), xp, batch, "lr")
    mom_b = _per_row(check_momentum(method, momentum, xp), xp, batch, "momentum")

    bound = DIVERGENCE_BOUND * (1.0 + xp.linalg.vector_norm(x0, axis=-1))
    diverged = xp.zeros(x0.shape[:-1], dtype=xp.bool)
    diverged_at = xp.full(x0.shape[:-1], -1, dtype=xp.int64)
    logs: dict[str, list] = {r: [] for r in record}

    def log(x):
        for r in record:
            if r == "loss":
                v = problem.loss(x)
            elif r == "dist":
                v = xp.linalg.vector_norm(x - problem.x_star, axis=-1)
            elif r == "grad_norm":
                v = xp.linalg.vector_norm(problem.grad(x), axis=-1)
            else:
                v = x
            if r != "x":
                v = xp.where(diverged, xp.full_like(v, math.inf), v)
            logs[r].append(v)

    x, x_prev = x0, x0
    done = 0
    with quiet():
        log(x)
        for k in range(steps):
            x_new = update(method, problem.grad, x, x_prev, lr_b, mom_b)
            norm = xp.linalg.vector_norm(x_new, axis=-1)
            bad = ~xp.isfinite(norm) | (norm > bound)
            diverged_at = xp.where(bad & ~diverged, xp.full_like(diverged_at, k + 1), diverged_at)
            diverged = diverged | bad
            keep = diverged[..., None]
            x_prev = xp.where(keep, x_prev, x)
            x = xp.where(keep, x, x_new)
            done = k + 1
            log(x)
            if bool(xp.all(diverged)):
                break

    def stacked(r):
        return xp.stack(logs[r]) if r in logs else None

    if batch is None:
        diverged_out, at_out = bool(diverged), int(diverged_at)
    else:
        diverged_out, at_out = diverged, diverged_at
    return Trajectory(
        x=x,
        loss=stacked("loss"),
        dist=stacked("dist"),
        grad_norm=stacked("grad_norm"),
        xs=stacked("x"),
        diverged=diverged_out,
        diverged_at=at_out,
        steps=done,
    )


# ---------------------------------------------------------------------------
# quadratics: exact linear iterations


class Transition(NamedTuple):
    """Per-eigendirection 2x2 transition matrices [[m11, m12], [m21, m22]] acting
    on the error state (e_k, e_{k-1}); each entry has the eigenvalues' shape."""

    m11: Any
    m12: Any
    m21: Any
    m22: Any


def eigen_iteration(method: str, eigenvalues: Any, lr: Any, *, momentum: Any = 0.0) -> Transition:
    """The method's error recurrence on each eigendirection of a quadratic.

    On f = sum_i lam_i e_i^2 / 2 the update is linear in (e_k, e_{k-1}), so its
    matrix is read off by running ``update`` once on the unit states (1, 0) and
    (0, 1). ``eigenvalues`` is (..., d); ``lr`` and ``momentum`` are scalars or
    broadcast against ``eigenvalues`` (pass (batch, 1) for one per problem).
    """
    method = check_method(method)
    xp = array_namespace(eigenvalues)
    lam = eigenvalues

    def grad(e):
        return lam * e

    one, zero = xp.ones_like(lam), xp.zeros_like(lam)
    with quiet():
        col1 = update(method, grad, one, zero, lr, momentum)  # from (e_k, e_{k-1}) = (1, 0)
        col2 = update(method, grad, zero, one, lr, momentum)  # from (0, 1)
    # the second row shifts e_k into e_{k-1}
    return Transition(col1 + zero, col2 + zero, one, zero)


linear_iteration = eigen_iteration


def transition_matrix(method: str, A: Any, lr: Any, *, momentum: Any = 0.0) -> Any:
    """The (2d, 2d) matrix of the method on f = e^T A e / 2 (A: (..., d, d)),
    acting on the stacked error state (e_k, e_{k-1}); built by running ``update``
    on the 2d unit states. ``lr``/``momentum``: scalars or shaped (..., 1, 1)."""
    method = check_method(method)
    xp = array_namespace(A)
    d = A.shape[-1]
    eye, zero = xp.eye(d, dtype=A.dtype), xp.zeros((d, d), dtype=A.dtype)
    # row j of (cur, prev) is the j-th unit state; grad acts on rows (A symmetric)
    cur = xp.concat([eye, zero], axis=0)  # (2d, d)
    prev = xp.concat([zero, eye], axis=0)
    shape = A.shape[:-2] + (2 * d, d)
    cur, prev = xp.broadcast_to(cur, shape), xp.broadcast_to(prev, shape)
    with quiet():
        top = update(method, lambda e: xp.matmul(e, A), cur, prev, lr, momentum)  # (..., 2d, d): rows = images
    top_t = xp.matrix_transpose(top)  # (..., d, 2d)
    bottom = xp.broadcast_to(xp.concat([eye, zero], axis=1), A.shape[:-2] + (d, 2 * d))
    return xp.concat([top_t, bottom], axis=-2)


def eigen_step(T: Transition, e: Any, e_prev: Any) -> tuple[Any, Any]:
    """One step of the eigenbasis recurrence: (e_{k+1}, e_k)."""
    return T.m11 * e + T.m12 * e_prev, T.m21 * e + T.m22 * e_prev


class PowerRun(NamedTuple):
    """The state after n steps as unit direction times exp(log_norm)."""

    direction: Any  # eigen: (e, e_prev) tuple of (..., d) arrays; dense: (..., 2d)
    log_norm: Any  # eigen: (..., d) per direction; dense: (...,). -inf: reached 0 exactly; inf: overflowed


def eigen_power_run(T: Transition, e0: Any, e_prev0: Any, steps: int) -> PowerRun:
    """Run the recurrence ``steps`` times exactly, in O(log steps) products.

    Binary powering: the state is multiplied by T^(2^j) for each set bit j of
    ``steps``. T^(2^j) is kept as exp(scale) * (t I + D) with D traceless: by
    Cayley-Hamilton D^2 = delta I (delta = d11^2 + d12 d21), so

        (t I + D)^2 = (t^2 + delta) I + 2t D,    delta' = 4 t^2 delta,

    which squares without the cancellation that plain 2x2 products suffer near
    a Jordan block (critical damping): there the product entries cancel to
    O(1/n) and plain squaring loses a factor n of relative accuracy. The scale
    and the state's norm are kept in log form, so 2^40 steps neither overflow
    nor underflow.
    """
    steps = _check_steps(steps)
    xp = array_namespace(T.m11, e0)
    with quiet():
        finite = xp.isfinite(T.m11) & xp.isfinite(T.m12) & xp.isfinite(T.m21) & xp.isfinite(T.m22)
        zero = xp.zeros_like(T.m11)
        m11, m12, m21, m22 = (xp.where(finite, m, zero) for m in T)
        t = (m11 + m22) / 2
        # D = [[d0, d1], [d2, -d0]] kept as three arrays: this loop runs ~40 times per call on
        # tiny arrays, so the number of array operations, not their size, is what it costs
        d0, d1, d2 = (m11 - m22) / 2, m12, m21
        delta = d0 * d0 + d1 * d2
        p_scale, one_t = xp.zeros_like(t), xp.ones_like(t)
        u, w = e0 + zero, e_prev0 + zero
        n0 = xp.sqrt(u * u + w * w)
        log_norm = xp.log(n0)
        # Normalize by division: the reciprocal of a subnormal norm overflows to inf.
        # A state that is exactly 0 stays 0 (divided by 1), not NaN.
        one = xp.ones_like(n0)
        safe = xp.where(n0 == 0, one, n0)
        u, w = u / safe, w / safe
        n = steps
        while n:
            if n & 1:
                u, w = t * u + d0 * u + d1 * w, t * w + d2 * u - d0 * w
                s = xp.sqrt(u * u + w * w)
                log_norm = log_norm + p_scale + xp.log(s)
                safe = xp.where(s == 0, one, s)
                u, w = u / safe, w / safe
            n >>= 1
            if n:
                s = xp.maximum(xp.maximum(xp.abs(t), xp.abs(d0)), xp.maximum(xp.abs(d1), xp.abs(d2)))
                p_scale = 2 * (p_scale + xp.log(s))
                safe = xp.where(s == 0, one_t, s)
                # delta <= 2 s^2, so (delta/s)/s stays O(1); s*s alone underflows for s < 1e-154
                t, d0, d1, d2, delta = t / safe, d0 / safe, d1 / safe, d2 / safe, (delta / safe) / safe
                tt, t2 = t * t, t + t
                t, d0, d1, d2, delta = tt + delta, t2 * d0, t2 * d1, t2 * d2, 4 * tt * delta
        log_norm = xp.where(finite, log_norm, xp.full_like(log_norm, math.inf))
    return PowerRun((u, w), log_norm)


def dense_power_run(M: Any, s0: Any, steps: int) -> PowerRun:
    """``eigen_power_run`` for a dense transition matrix M (..., n, n) and state s0 (..., n)."""
    steps = _check_steps(steps)
    xp = array_namespace(M, s0)
    with quiet():
        finite = xp.all(xp.isfinite(M), axis=(-2, -1))
        P = xp.where(finite[..., None, None], M, xp.zeros_like(M))
        p_scale = xp.zeros(M.shape[:-2], dtype=M.dtype)
        v = s0 + xp.zeros(M.shape[:-1], dtype=M.dtype)
        nv = xp.linalg.vector_norm(v, axis=-1)
        log_norm = xp.log(nv)
        one = xp.ones_like(nv)
        v = v / xp.where(nv > 0, nv, one)[..., None]
        n = steps
        while n:
            if n & 1:
                v = xp.matmul(P, v[..., None])[..., 0]
                s = xp.linalg.vector_norm(v, axis=-1)
                log_norm = log_norm + p_scale + xp.log(s)
                v = v / xp.where(s > 0, s, one)[..., None]
            n >>= 1
            if n:
                s = xp.max(xp.abs(P), axis=(-2, -1))
                p_scale = 2 * (p_scale + xp.log(s))
                P = P / xp.where(s > 0, s, one)[..., None, None]
                P = xp.matmul(P, P)
        log_norm = xp.where(finite, log_norm, xp.full_like(log_norm, math.inf))
    return PowerRun(v, log_norm)
