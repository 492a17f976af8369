"""The central flow of GD at the edge of stability (Cohen, Damian et al. 2024, arXiv:2410.24206).

Gradient flow (time t counted in GD steps):      dw/dt = -eta grad L(w)
Central flow:                                    dw/dt = -eta [grad L(w) + 1/2 sigma^2 grad S(w)]
with S = lambda_1(grad^2 L) and sigma^2 >= 0 the smallest value that keeps S <= 2/eta.
On the boundary S = 2/eta, dS/dt = 0 gives sigma^2 = -2 <grad S, grad L> / ||grad S||^2.
Numerically the constraint is imposed with a relaxation rate ``kappa`` (per step):

    sigma^2 = max(0, 2 [kappa (S - 2/eta)/eta - <grad S, grad L>] / ||grad S||^2),

so that dS/dt = -kappa (S - 2/eta) whenever sigma^2 > 0, and sigma^2 = 0 (gradient flow)
while gradient flow itself keeps S below 2/eta. The flow's predicted time-averaged GD loss
is L(w) + 1/2 sigma^2 S(w) [1]: GD oscillates along the top eigenvector u with
mean-square amplitude sigma^2, which adds 1/2 sigma^2 S to the quadratic model's loss.

grad S(w) = D^3 L(w)[u, u, .] (the derivative of a simple eigenvalue is u^T (dH) u) is
computed as the central difference (H(w + eps u) u - H(w - eps u) u) / (2 eps) of exact
HVPs; its truncation error is O(eps^2 ||D^5 L||) and is estimated on every call by comparing
with step 2 eps (Richardson): ``FlowRun.grad_s_rel_error`` reports the largest such estimate.

The ODE is integrated with scipy's ``solve_ivp`` (RK45); the top eigenpair comes from Lanczos
on exact HVPs, warm-started from the previous eigenvector.

[1] J. M. Cohen, A. Damian, A. Talwalkar, J. Z. Kolter, J. D. Lee (2024). Understanding
    optimization in deep learning with central flows. arXiv:2410.24206
"""
from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError
from .eos import top_eigenpair

__all__ = ["FlowComparison", "FlowRun", "GDPath", "compare_flows", "flow", "gd_path", "grad_sharpness"]


class FlowRun(NamedTuple):
    t: np.ndarray  # (k,) output times, in GD steps
    w: np.ndarray  # (k, P) flow state
    loss: np.ndarray  # (k,) L(w(t))
    sharpness: np.ndarray  # (k,) S(w(t))
    sigma2: np.ndarray  # (k,) sigma^2(t); 0 for gradient flow
    predicted_loss: np.ndarray  # (k,) L + 1/2 sigma^2 S: the predicted time-averaged GD loss
    grad_s_rel_error: float  # largest Richardson estimate of the relative error of grad S (0 if never used)
    rhs_evals: int


class GDPath(NamedTuple):
    w: np.ndarray  # (T+1, P) GD iterates
    loss: np.ndarray  # (T+1,)


def gd_path(problem: Any, w0: np.ndarray, lr: float, steps: int) -> GDPath:
    """All iterates of ``steps`` full-batch GD steps from w0 (for comparing with flows)."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError("lr", f"expected a positive real number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError("steps", f"expected a positive integer, got {steps!r}")
    w = np.asarray(w0, dtype=np.float64).copy()
    ws, ls = [w], []
    for _ in range(steps):
        loss, g = problem.loss_and_grad(w)
        ls.append(float(loss))
        w = w - lr * np.asarray(g)
        ws.append(w)
    ls.append(float(problem.loss(w)))
    return GDPath(np.stack(ws), np.asarray(ls))


def grad_sharpness(problem: Any, w: np.ndarray, u: np.ndarray, eps: float = 1e-4) -> tuple[np.ndarray, float]:
    """(grad S(w), estimated relative error): central difference of HVPs along the unit
    top eigenvector u, checked against the difference with step 2 eps."""
    # the four HVPs as one batch of points (a NetProblem of a small NumPy net does them in one pass)
    steps = np.asarray([eps, -eps, 2 * eps, -2 * eps])
    Hu = np.asarray(problem.hvp(w[None, :] + steps[:, None] * u[None, :], np.broadcast_to(u, (4, u.shape[0]))))
    g1, g2 = (Hu[0] - Hu[1]) / (2 * eps), (Hu[2] - Hu[3]) / (4 * eps)
    # the error of the eps estimate is ~ (g2 - g1)/3 (leading term O(eps^2))
    err = float(np.linalg.norm(g2 - g1) / 3 / max(np.linalg.norm(g1), 1e-300))
    return (4 * g1 - g2) / 3, err


def flow(problem: Any, w0: np.ndarray, lr: float, t_end: float, *, central: bool = True, t_eval=None,
         kappa: float = 0.5, rtol: float = 1e-6, atol: float = 1e-9, eps: float = 1e-4,
         eig_tol: float = 1e-10) -> FlowRun:
    """Integrate gradient flow (``central=False``) or the central flow from w0 over [0, t_end]
    (t in GD steps) and evaluate loss, sharpness, sigma^2 and predicted loss at ``t_eval``.
    ``eig_tol``: ARPACK tolerance of the warm-started top eigenpair in each evaluation."""
    from scipy.integrate import solve_ivp

    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise InputError("lr", f"expected a positive real number, got {lr!r}")
    if not (isinstance(t_end, (int, float)) and t_end > 0):
        raise InputError("t_end", f"expected a positive time, got {t_end!r}")
    thr = 2.0 / lr
    state = {"u": None, "err": 0.0, "evals": 0}

    def parts(w):
        g = np.asarray(problem.grad(w))
        if not central:
            return g, 0.0, math.nan
        # warm start from the last eigenvector: ~7 HVPs instead of ~20
        S, u = top_eigenpair(problem, w, v0=state["u"], tol=eig_tol, ncv=6 if state["u"] is not None else None)
        state["u"] = u
        sigma2 = 0.0
        gS, err = grad_sharpness(problem, w, u, eps)
        nS = float(gS @ gS)
        if nS > 0:
            sigma2 = max(0.0, 2.0 * (kappa * (S - thr) / lr - float(gS @ g)) / nS)
        if sigma2 > 0:
            state["err"] = max(state["err"], err)  # only errors that entered the flow
        return g + 0.5 * sigma2 * gS, sigma2, S

    def rhs(t, w):
        state["evals"] += 1
        return -lr * parts(w)[0]

    t_eval = np.linspace(0.0, t_end, 11) if t_eval is None else np.asarray(t_eval, dtype=np.float64)
    sol = solve_ivp(rhs, (0.0, float(t_end)), np.asarray(w0, dtype=np.float64), t_eval=t_eval, rtol=rtol,
                    atol=atol, method="RK45")
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    W = sol.y.T
    loss, sharp, sig = [], [], []
    state["u"] = None
    for w in W:
        _, s2, S = parts(w)
        if not central:  # gradient flow never needed S while integrating
            S, state["u"] = top_eigenpair(problem, w, v0=state["u"], tol=1e-10)
        loss.append(float(problem.loss(w)))
        sharp.append(S)
        sig.append(s2)
    loss, sharp, sig = np.asarray(loss), np.asarray(sharp), np.asarray(sig)
    return FlowRun(sol.t, W, loss, sharp, sig, loss + 0.5 * sig * sharp, state["err"], state["evals"])


class FlowComparison(NamedTuple):
    """GD, gradient flow and central flow from the same point w_onset of a GD run."""

    onset: int  # GD step where the Lanczos sharpness first reached 0.9 * 2/eta (checked every 20 steps)
    t: np.ndarray  # (k,) flow output times, steps after the onset
    gd_loss: np.ndarray  # (window+1,) GD loss at steps onset .. onset + window
    gd_mid: np.ndarray  # (k, P) GD two-step averages (w_j + w_{j+1})/2 at j = onset + t (removes the period-2 swing)
    central: FlowRun
    gradient: FlowRun


def compare_flows(width: int = 32, lr: float = 0.4, net_seed: int = 0, window: int = 400, every: float = 5.0,
                  init_scale: float = 1 / math.sqrt(3)) -> FlowComparison:
    """Run GD on ``chebyshev_problem(width)`` until it nears the edge of stability, then run GD,
    gradient flow and the central flow for ``window`` more steps from the same point. Cached."""
    return _compare(int(width), float(lr), int(net_seed), int(window), float(every), float(init_scale))


@functools.lru_cache(maxsize=16)
def _compare(width, lr, net_seed, window, every, init_scale):
    from .eos import chebyshev_problem

    prob = chebyshev_problem(width)
    w = np.asarray(prob.mlp.init_params(net_seed, init_scale))
    onset, u = 0, None
    while True:  # sharpen under GD until S >= 0.9 * 2/eta
        S, u = top_eigenpair(prob, w, v0=u)
        if S >= 0.9 * 2 / lr:
            break
        if onset > 200_000:
            raise InputError("lr", f"GD did not reach 0.9 * 2/lr within {onset} steps")
        path = gd_path(prob, w, lr, 20)
        w, onset = path.w[-1], onset + 20
    path = gd_path(prob, w, lr, window + 1)
    t = np.arange(0.0, window + every / 2, every)
    cf = flow(prob, w, lr, float(window), central=True, t_eval=t, rtol=1e-4, atol=1e-7, eig_tol=1e-7)
    gf = flow(prob, w, lr, float(window), central=False, t_eval=t, rtol=1e-4, atol=1e-7)
    idx = t.astype(int)
    mid = 0.5 * (path.w[idx] + path.w[idx + 1])
    return FlowComparison(onset, t, path.loss[: window + 1], mid, cf, gf)
