"""Edge-of-stability runs on any ``Problem``: train, track sharpness, summarize.

``run_eos(problem, w0, lr=..., steps=..., optimizer=...)`` trains with full-batch
(or fixed-minibatch: whatever loss the Problem is) GD, heavy ball, Nesterov or
Adam and measures the sharpness lambda_1(H) every ``every`` steps by Lanczos on
exact HVPs, warm-started from the previous top eigenvector (a few HVPs per
sample instead of ~20). For Adam it is the preconditioned sharpness
lambda_1(P^-1 H), through the similar symmetric P^-1/2 H P^-1/2.

The update rules are those of ``theorykit.numeric.eos`` (Adam with both bias
corrections in P, as in Cohen et al. 2022). Each method's quadratic-model
stability threshold (``eos_threshold``) is what the measured plateau is
compared with:
  gd 2/eta;  heavy ball (2 + 2b)/eta;  Nesterov (2 + 2b)/(eta (1 + 2b));
  Adam (2 + 2 b1)/(eta (1 - b1)) for lambda_1(P^-1 H)
(Cohen et al. 2021, arXiv:2103.00065; Cohen et al. 2022, arXiv:2207.14484).

``summarize_eos(trace)`` reads the run: where progressive sharpening ran, when
the sharpness first came within the band of the threshold, and the plateau
after that, with a confidence interval for its mean from batch means (the
samples are autocorrelated, so the plain standard error would be too narrow).
"""
from __future__ import annotations

import math
import time
from statistics import NormalDist
from typing import Any, Callable, NamedTuple

import numpy as np

from ...errors import InputError

__all__ = ["OPTIMIZERS", "EoSTrace", "EoSSummary", "eos_threshold", "run_eos", "summarize_eos", "TopEig",
           "adam_preconditioner"]

OPTIMIZERS = ("gd", "hb", "nesterov", "adam")
_DIVERGED = 1e12


def eos_threshold(optimizer: str, lr: float, momentum: float = 0.0) -> float:
    """The quadratic-model stability threshold of the method (the prediction a run is compared with)."""
    b = float(momentum)
    if optimizer == "gd":
        return 2.0 / lr
    if optimizer == "hb":
        return (2 + 2 * b) / lr
    if optimizer == "nesterov":
        return (2 + 2 * b) / (lr * (1 + 2 * b))
    if optimizer == "adam":
        return (2 + 2 * b) / (lr * (1 - b))
    raise InputError("optimizer", f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


def adam_preconditioner(v: np.ndarray, t: int, beta1: float, beta2: float, eps: float) -> np.ndarray:
    """P_t = (1 - b1^t) (sqrt(v / (1 - b2^t)) + eps) after t >= 1 updates of v (theorykit.numeric.eos's form)."""
    return (1 - beta1**t) * (np.sqrt(v / (1 - beta2**t)) + eps)


class TopEig:
    """lambda_1 of H (or of P^-1 H) by Lanczos, warm-started from the last eigenvector."""

    def __init__(self, problem: Any, tol: float = 1e-7, seed: int = 0):
        self.problem, self.tol = problem, tol
        self.u: np.ndarray | None = None
        self.rng = np.random.default_rng(seed)
        self.hvps = 0

    def __call__(self, w: np.ndarray, preconditioner: np.ndarray | None = None) -> float:
        from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

        dim = self.problem.dim
        d = None if preconditioner is None else 1.0 / np.sqrt(preconditioner)

        def matvec(v):
            self.hvps += 1
            v = np.asarray(v, dtype=np.float64).reshape(-1)
            if d is None:
                return np.asarray(self.problem.hvp(w, v), dtype=np.float64)
            return d * np.asarray(self.problem.hvp(w, d * v), dtype=np.float64)

        if dim <= 3:
            M = np.stack([matvec(e) for e in np.eye(dim)], axis=1)
            return float(np.linalg.eigvalsh((M + M.T) / 2)[-1])
        v0 = self.u if self.u is not None else self.rng.standard_normal(dim)
        op = LinearOperator((dim, dim), matvec=matvec, dtype=np.float64)
        try:
            vals, vecs = eigsh(op, k=1, which="LA", tol=self.tol, v0=v0, ncv=min(dim, 20))
        except ArpackNoConvergence:  # cold restart once, with ARPACK's default basis
            vals, vecs = eigsh(op, k=1, which="LA", tol=self.tol, v0=self.rng.standard_normal(dim))
        self.u = vecs[:, 0]
        return float(vals[0])


class EoSTrace(NamedTuple):
    optimizer: str
    lr: float
    momentum: float  # heavy ball / Nesterov beta, Adam's beta1; 0 for GD
    steps: int
    every: int
    loss: np.ndarray  # (T+1,) training loss at w_0 .. w_T (shorter if diverged)
    sample_steps: np.ndarray  # (k,) steps at which the sharpness was measured
    sharpness: np.ndarray  # (k,) lambda_1(H(w_t)); Adam: lambda_1(P_t^-1 H(w_t))
    threshold: float  # the method's quadratic-model threshold (eos_threshold)
    w_final: np.ndarray  # (P,)
    adam_v: np.ndarray | None  # Adam's second moment at the end (for --precond files), else None
    diverged: bool
    seconds: float
    hvps: int  # HVPs spent on sharpness tracking


def _check(lr: Any, steps: Any, every: Any, optimizer: Any, momentum: Any) -> tuple[float, int, int, float]:
    try:
        lr = float(lr)
    except (TypeError, ValueError) as exc:
        raise InputError("lr", f"expected a positive number, got {lr!r}") from exc
    if not (math.isfinite(lr) and lr > 0):
        raise InputError("lr", f"must be finite and > 0, got {lr}")
    for name, v in (("steps", steps), ("every", every)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InputError(name, f"expected an integer >= 1, got {v!r}")
    if optimizer not in OPTIMIZERS:
        raise InputError("optimizer", f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    momentum = float(momentum)
    if not 0 <= momentum < 1:
        raise InputError("momentum", f"must lie in [0, 1), got {momentum}")
    if optimizer == "gd" and momentum != 0:
        raise InputError("momentum", "plain GD has no momentum: use --optimizer hb, nesterov or adam")
    return lr, int(steps), int(every), momentum


def run_eos(problem: Any, w0: Any, *, lr: float, steps: int, optimizer: str = "gd", momentum: float = 0.0,
            beta2: float = 0.999, eps: float = 1e-8, every: int = 10, tol: float = 1e-7, seed: int = 0,
            progress: Callable[[int, int], None] | None = None) -> EoSTrace:
    """Train from ``w0`` and track the sharpness (see the module docstring).

    ``momentum``: heavy-ball / Nesterov beta, or Adam's beta1 (default 0.9 for Adam
    when 0 is given). ``progress(step, steps)`` is called every ``every`` steps.
    The run stops early (``diverged``) when the loss is not finite or above 1e12.
    """
    if optimizer == "adam" and float(momentum) == 0.0:
        momentum = 0.9
    lr, steps, every, beta = _check(lr, steps, every, optimizer, momentum)
    w = np.array(w0, dtype=np.float64).reshape(-1)
    if w.shape[0] != problem.dim:
        raise InputError("w0", f"expected length dim = {problem.dim}, got {w.shape[0]}")
    top = TopEig(problem, tol=tol, seed=seed)
    w_prev = w.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    losses, samples, sharp = [], [], []
    diverged = False
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            f, g = problem.loss_and_grad(w) if hasattr(problem, "loss_and_grad") else (problem.loss(w), problem.grad(w))
            f = float(f)
            losses.append(f)
            if not (math.isfinite(f) and abs(f) < _DIVERGED) or not np.all(np.isfinite(g)):
                diverged = True
                break
            if t == steps:
                break
            P = None
            if optimizer == "gd":
                w_next = w - lr * g
            elif optimizer == "hb":
                w_next = w - lr * g + beta * (w - w_prev)
            elif optimizer == "nesterov":
                y = w + beta * (w - w_prev)
                w_next = y - lr * np.asarray(problem.grad(y))
            else:
                m = beta * m + (1 - beta) * g
                v = beta2 * v + (1 - beta2) * g * g
                P = adam_preconditioner(v, t + 1, beta, beta2, eps)
                w_next = w - lr * m / P
            if t % every == 0:
                samples.append(t)
                sharp.append(top(w, P))
                if progress is not None:
                    progress(t, steps)
            w_prev, w = w, w_next
    if progress is not None:
        progress(steps, steps)
    return EoSTrace(optimizer, lr, beta, steps, every, np.asarray(losses), np.asarray(samples, dtype=np.int64),
                    np.asarray(sharp), eos_threshold(optimizer, lr, beta), w,
                    v if optimizer == "adam" else None, diverged, time.perf_counter() - t0, top.hvps)


class EoSSummary(NamedTuple):
    threshold: float
    band: float  # relative band around the threshold that counts as "at the edge"
    reached_step: int | None  # first sampled step with sharpness >= (1 - band) threshold; None if never
    sharpening_start: int  # step of the lowest sharpness before reaching the edge (start of progressive sharpening)
    sharpness_start: float  # sharpness there
    sharpness_reached: float | None  # sharpness at reached_step
    plateau_steps: tuple[int, int] | None  # [first, last] sampled step of the plateau window
    plateau_mean: float | None  # mean sharpness over the plateau window
    plateau_ci: tuple[float, float] | None  # confidence interval of that mean (batch means, t quantile)
    plateau_range: tuple[float, float] | None  # (10th, 90th) percentile of the samples in the window
    ratio: float | None  # plateau_mean / threshold
    at_edge: bool  # the interval meets the band [1 - band, 1 + band] x threshold
    level: float
    diverged: bool


def _t_quantile(p: float, dof: int) -> float:
    try:
        from scipy.stats import t as student_t

        return float(student_t.ppf(p, dof))
    except ImportError:  # pragma: no cover - scipy is a core dependency
        return NormalDist().inv_cdf(p)


def summarize_eos(trace: EoSTrace, *, band: float = 0.05, level: float = 0.95, batches: int = 10) -> EoSSummary:
    """Progressive-sharpening phase and plateau of a run (module docstring).

    Reaching the edge is the first upward crossing of (1 - band) x threshold (a start above it,
    before the first steps' catapult, does not count); progressive sharpening runs from the
    lowest sharpness before that to the crossing. The plateau window is the last two thirds of the time after the sharpness first
    came within ``band`` of the threshold (the first third is the approach). Its mean
    gets a ``level`` confidence interval from ``batches`` batch means (Student t).
    """
    thr, S, ts = trace.threshold, trace.sharpness, trace.sample_steps
    if not S.size:
        return EoSSummary(thr, band, None, 0, math.nan, None, None, None, None, None, None, False, level, trace.diverged)
    # Reaching the edge = the first upward crossing of (1 - band) thr. A start above it (an
    # initial transient that the first steps' catapult removes) is not sharpening: skip it.
    below = S < (1 - band) * thr
    if not below.any():
        reach = 0
    else:
        first_below = int(np.argmax(below))
        hit = np.nonzero(~below[first_below:])[0]
        reach = first_below + int(hit[0]) if hit.size else None
    before = S[: (reach if reach is not None else S.size) + 1]
    i0 = int(np.argmin(before))
    if reach is None:
        return EoSSummary(thr, band, None, int(ts[i0]), float(S[i0]), None, None, None, None, None, None, False,
                          level, trace.diverged)
    last = int(ts[-1])
    start = int(ts[reach]) + (last - int(ts[reach])) // 3
    win = S[ts >= start]
    mean = float(win.mean())
    k = min(batches, win.size)
    if k >= 2:
        means = np.array([b.mean() for b in np.array_split(win, k)])
        half = _t_quantile((1 + level) / 2, k - 1) * float(means.std(ddof=1)) / math.sqrt(k)
    else:
        half = math.inf
    ci = (mean - half, mean + half)
    at_edge = ci[0] <= (1 + band) * thr and ci[1] >= (1 - band) * thr and not trace.diverged
    return EoSSummary(thr, band, int(ts[reach]), int(ts[i0]), float(S[i0]), float(S[reach]), (start, last), mean, ci,
                      (float(np.percentile(win, 10)), float(np.percentile(win, 90))), mean / thr, bool(at_edge),
                      level, trace.diverged)
