"""Implicit bias of gradient descent: the runs, and the independent references.

* ``least_squares_gd``: GD on f(x) = 1/2 ||A x - b||^2 (A: (n, d), any n, d).
  From x_0 = 0 on an underdetermined system it stays in the row space of A and
  converges to the minimum-norm solution pinv(A) b; the reference is
  ``pinv_solution`` (the backend's SVD pseudo-inverse), never the GD formula.
* ``logistic_gd``: GD on the unregularized logistic loss
  L(w) = sum_i log(1 + exp(-y_i x_i^T w)) of linearly separable data, recording
  w at chosen times; its direction tends to the L2 max-margin separator
  (Soudry et al. 2018, arXiv:1710.10345), computed independently by
  ``max_margin_direction`` (a QP solved with SciPy, then polished on its
  support set by an exact KKT solve).

Array API code for the runs; the QP runs on the host (SciPy).
"""
from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked, to_numpy

__all__ = [
    "LogisticRun",
    "MaxMargin",
    "direction_gap",
    "least_squares_gd",
    "logistic_gd",
    "max_margin_direction",
    "null_space_projector",
    "pinv_solution",
]


def _steps(steps: Any, name: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise InputError(name, f"must be a non-negative integer, got {steps!r}")
    return int(steps)


def _lr(lr: Any) -> float:
    try:
        v = float(lr)
    except (TypeError, ValueError) as exc:
        raise InputError("lr", f"expected a positive number, got {lr!r}") from exc
    if not (v > 0 and np.isfinite(v)):
        raise InputError("lr", f"must be positive and finite, got {lr!r}")
    return v


def least_squares_gd(A: Any, b: Any, x0: Any, lr: float, steps: int) -> Any:
    """x_T of GD x <- x - lr A^T (A x - b) from x0 (d,), T = ``steps``."""
    try:
        xp = array_namespace(A)
    except TypeError:
        import array_api_compat.numpy as xp
    A = asarray_checked(A, "A", xp, ndim=2)
    b = asarray_checked(b, "b", xp, ndim=1)
    x = asarray_checked(x0, "x0", xp, ndim=1)
    if b.shape[0] != A.shape[0]:
        raise InputError("b", f"expected length {A.shape[0]} (rows of A), got {b.shape[0]}")
    if x.shape[0] != A.shape[1]:
        raise InputError("x0", f"expected length {A.shape[1]} (columns of A), got {x.shape[0]}")
    lr, steps = _lr(lr), _steps(steps)
    for _ in range(steps):
        x = x - lr * (A.T @ (A @ x - b))
    return x


def pinv_solution(A: Any, b: Any) -> Any:
    """pinv(A) b by the backend's SVD pseudo-inverse (the reference, not a GD run)."""
    xp = array_namespace(A)
    return xp.linalg.pinv(A) @ b


def null_space_projector(A: Any) -> Any:
    """I - pinv(A) A: the orthogonal projector onto the null space of A (d, d)."""
    xp = array_namespace(A)
    return xp.eye(A.shape[1], dtype=A.dtype) - xp.linalg.pinv(A) @ A


class LogisticRun(NamedTuple):
    """Iterates of GD on the logistic loss at the requested times."""

    times: tuple[int, ...]  # increasing step counts t
    w: Any  # (len(times), d): w_t


def logistic_gd(X: Any, y: Any, lr: float, times: Sequence[int], w0: Any = None) -> LogisticRun:
    """GD w <- w - lr grad L(w) on L(w) = sum_i log(1 + exp(-y_i x_i^T w)), X: (n, d),
    labels y in {-1, +1}; returns w_t for each t in ``times`` (from w0, default 0)."""
    try:
        xp = array_namespace(X)
    except TypeError:
        import array_api_compat.numpy as xp
    X = asarray_checked(X, "X", xp, ndim=2)
    y = asarray_checked(y, "y", xp, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise InputError("y", f"expected {X.shape[0]} labels, got {y.shape[0]}")
    if not bool(xp.all((y == 1.0) | (y == -1.0))):
        raise InputError("y", "labels must be -1 or +1")
    lr = _lr(lr)
    times = tuple(_steps(t, "times") for t in times)
    if any(b <= a for a, b in itertools.pairwise(times)):
        raise InputError("times", f"must be strictly increasing, got {times}")
    Z = X * y[:, None]  # rows y_i x_i: the margins are Z w
    # -d/dm log(1 + e^{-m}) = sigmoid(-m) = (1 - tanh(m/2))/2: one transcendental call per step
    # and no overflow; its absolute error ~1e-16 is far below the weights that matter
    # (support vectors carry ~1/t, i.e. >= 1e-6 for t <= 1e6). The step is
    # w + lr Z^T (1/2 - tanh(Z w / 2)/2) with the halvings moved onto Z and lr, where they are
    # exact (a power of two), so each step is six array operations and the same numbers
    Z_half, ZT, lr_half = 0.5 * Z, Z.T, 0.5 * lr
    if isinstance(Z, np.ndarray):  # ndarray.dot skips matmul's ufunc dispatch: the same BLAS gemv
        by_Z, by_ZT = Z_half.dot, ZT.dot
    else:
        by_Z, by_ZT = (lambda v: Z_half @ v), (lambda v: ZT @ v)
    w = xp.zeros(X.shape[1], dtype=xp.float64) if w0 is None else asarray_checked(w0, "w0", xp, ndim=1)
    out, t = [], 0
    for target in times:
        while t < target:
            w = w + lr_half * by_ZT(1.0 - xp.tanh(by_Z(w)))
            t += 1
        out.append(w)
    return LogisticRun(times, xp.stack(out) if out else xp.zeros((0, X.shape[1])))


class MaxMargin(NamedTuple):
    """The hard-margin SVM through the origin: min ||w||^2/2 s.t. y_i x_i^T w >= 1."""

    w: np.ndarray  # (d,) the max-margin vector w_hat (margin 1/||w_hat||)
    support: np.ndarray  # indices of the active constraints
    alpha: np.ndarray  # (n,) dual variables, w_hat = sum_i alpha_i y_i x_i (NaN when the polish was rejected)


def max_margin_direction(X: Any, y: Any) -> MaxMargin:
    """Solve the hard-margin QP with SciPy (SLSQP), then polish exactly: on the active set S
    solve [Z_S Z_S^T] alpha_S = 1 so that w = Z_S^T alpha_S meets its constraints with equality.
    Raises InputError when the data are not linearly separable through the origin."""
    from scipy.optimize import minimize

    Xh = np.asarray(to_numpy(X), dtype=np.float64)
    yh = np.asarray(to_numpy(y), dtype=np.float64)
    Z = Xh * yh[:, None]
    n = Z.shape[0]
    res = minimize(lambda w: 0.5 * w @ w, np.linalg.lstsq(Z, np.ones(n), rcond=None)[0], jac=lambda w: w,
                   constraints=[{"type": "ineq", "fun": lambda w: Z @ w - 1.0, "jac": lambda w: Z}],
                   method="SLSQP", options={"ftol": 1e-14, "maxiter": 1000})
    if not res.success or np.min(Z @ res.x) < 1 - 1e-6:
        raise InputError("X", f"the data are not linearly separable through the origin ({res.message})")
    w = res.x
    active = np.flatnonzero(Z @ w < 1 + 1e-6)
    # polish: KKT on the active set (least squares handles more active points than dimensions)
    alpha_s, *_ = np.linalg.lstsq(Z[active] @ Z[active].T, np.ones(active.size), rcond=None)
    w_pol = Z[active].T @ alpha_s
    alpha = np.zeros(n)
    if np.all(alpha_s >= -1e-12) and np.min(Z @ w_pol) >= 1 - 1e-9:
        w = w_pol
        alpha[active] = alpha_s
    else:  # degenerate active set: keep SLSQP's answer; the duals are not recovered
        alpha[:] = np.nan
    return MaxMargin(w, active, alpha)


def direction_gap(w: Any, w_ref: Any) -> float:
    """|| w/||w|| - w_ref/||w_ref|| || (Euclidean)."""
    a = np.asarray(to_numpy(w), dtype=np.float64)
    r = np.asarray(to_numpy(w_ref), dtype=np.float64)
    return float(np.linalg.norm(a / np.linalg.norm(a) - r / np.linalg.norm(r)))
