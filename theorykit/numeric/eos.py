"""Full-batch training runs of a small MLP with sharpness tracking (edge of stability).

``train(config)`` runs GD, heavy ball, Nesterov or Adam on ``chebyshev_problem``
(a tanh MLP fitting a Chebyshev polynomial, MSE) and records the loss at every
step and, every ``config.every`` steps, the sharpness lambda_1(H) by Lanczos on
exact HVPs (``theorykit.numeric.sharpness``); for Adam the preconditioned
sharpness lambda_1(P^-1 H). With ``track_flips`` it also records how often the
iterate's displacement along the top Hessian eigenvector u, measured from its
local two-step mean (the second difference u . (x_{k+1} - 2 x_k + x_{k-1})),
changes sign: the period-two oscillation of Cohen et al. 2021 (arXiv:2103.00065).

Runs are cached per configuration within a process (``functools.lru_cache`` on
the hashable ``TrainConfig``): several checks and mutants read one run.

Method conventions (state x_t, previous x_{t-1}, gradient g):
  gd          x+ = x - lr g(x)
  heavy_ball  x+ = x - lr g(x) + beta (x - x_prev)
  nesterov    y = x + beta (x - x_prev);  x+ = y - lr g(y)
  adam        m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
              P = (1 - b1^(t+1)) (sqrt(v / (1 - b2^(t+1))) + eps);  x+ = x - lr m / P
The Adam form puts both bias corrections into the preconditioner P, as Cohen et
al. 2022 (arXiv:2207.14484) do, so that Adam is "preconditioned heavy
ball in EMA form" and lambda_1(P^-1 H) is the quantity their threshold speaks of.
"""
from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError
from .backend import BACKENDS, get_namespace, to_numpy
from .nets import MLP, NetProblem
from .sharpness import sharpness

__all__ = ["TRAIN_METHODS", "TrainConfig", "TrainRun", "chebyshev_problem", "top_eigenpair", "train"]

TRAIN_METHODS = ("gd", "heavy_ball", "nesterov", "adam")
_DIVERGED_LOSS = 1e8  # far above any loss of a fit to |y| <= 1 targets


class TrainConfig(NamedTuple):
    """One training run (hashable: the cache key)."""

    width: int = 32  # hidden width of the 1 -> width -> 1 MLP
    points: int = 20  # training inputs, evenly spaced on [-1, 1]
    degree: int = 4  # targets T_degree(x), the Chebyshev polynomial
    init_scale: float = 1 / math.sqrt(3)  # W ~ N(0, scale^2 / fan_in); 1/sqrt(3) = PyTorch's default variance
    net_seed: int = 0  # initialization seed
    method: str = "gd"
    lr: float = 0.4
    beta: float = 0.0  # momentum (heavy ball, Nesterov) or Adam's beta1
    beta2: float = 0.999  # Adam only
    eps: float = 1e-8  # Adam only
    steps: int = 3000
    every: int = 25  # sharpness sampling interval (steps)
    track_flips: bool = False
    activation: str = "tanh"
    backend: str = "numpy"  # "numpy" or "cupy": where the network runs (Lanczos always runs on the host)


class TrainRun(NamedTuple):
    config: TrainConfig
    loss: np.ndarray  # (T+1,) full-batch loss at x_0 .. x_T (shorter if diverged)
    sample_steps: np.ndarray  # (k,) steps t at which the sharpness was measured
    sharpness: np.ndarray  # (k,) lambda_1(H(x_t)); Adam: lambda_1(P_t^-1 H(x_t))
    flips: np.ndarray  # (k,) per block [t, t+every): fraction of consecutive steps k at which u_t . (x_{k+1} - 2 x_k + x_{k-1}) changes sign (u_t: top eigenvector at x_t); NaN if not tracked
    w_final: np.ndarray  # (P,) last iterate (host array)
    diverged: bool


def chebyshev_problem(width: int = 32, points: int = 20, degree: int = 4, activation: str = "tanh",
                      xp: Any = None) -> NetProblem:
    """A 1 -> width -> 1 MLP fitting y = T_degree(x) at ``points`` evenly spaced x in [-1, 1] (MSE);
    the data live in namespace ``xp`` (NumPy by default)."""
    for name, v, lo in (("width", width, 1), ("points", points, 1), ("degree", degree, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise InputError(name, f"expected an integer >= {lo}, got {v!r}")
    x = np.linspace(-1.0, 1.0, int(points))
    y = np.cos(degree * np.arccos(np.clip(x, -1.0, 1.0)))  # T_k(cos t) = cos(k t)
    xp = get_namespace("numpy") if xp is None else xp
    return NetProblem(MLP((1, int(width), 1), activation, "mse"), xp.asarray(x[:, None]), xp.asarray(y))


def top_eigenpair(problem: Any, w: np.ndarray, v0: np.ndarray | None = None, tol: float = 1e-8,
                  ncv: int | None = None, *, seed: int = 0):
    """(lambda_1, unit host eigenvector (P,)) of the Hessian at w by Lanczos (ARPACK, host) on
    exact HVPs computed in the problem's namespace.

    ``v0``: start vector (warm start from a nearby point's eigenvector: a few HVPs suffice);
    ``ncv``: Lanczos basis size (ARPACK's default when None; small values are cheaper per restart).
    Without ``v0`` the start vector is drawn from ``seed``: ARPACK's own random start changes
    from call to call, and with it the last digits (and the sign) of the result."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    dim = problem.dim
    xp = getattr(problem, "xp", None) or get_namespace("numpy")

    from .sharpness import hvp_at

    if getattr(problem, "_hvp_trusted", None) is not None:
        w = problem._check_w(w)  # validated once here, not in every matvec
    # without a warm start a small net's exact pair is cheaper; a warm-started Lanczos needs only
    # ~7 HVPs, cheaper than the dense eigenvectors
    pair = _dense_eigenpair(problem, w) if v0 is None else None
    if pair is not None:
        return pair
    at_w = hvp_at(problem, w)

    def matvec(v):
        return to_numpy(at_w(xp.asarray(np.asarray(v, dtype=np.float64).reshape(-1))))

    op = LinearOperator((dim, dim), matvec=matvec, dtype=np.float64)
    v0 = np.random.default_rng(seed).standard_normal(dim) if v0 is None else to_numpy(v0)
    vals, vecs = eigsh(op, k=1, which="LA", tol=tol, v0=v0, ncv=None if ncv is None else min(int(ncv), dim))
    return float(vals[0]), vecs[:, 0]


def _dense_eigenpair(problem: Any, w: Any):
    """(lambda_1, unit eigenvector) from the whole Hessian when the problem builds it in one batched
    pass (``NetProblem._hessian_trusted``: small NumPy MLPs), else None."""
    dense = getattr(problem, "_hessian_trusted", None)
    H = dense(w) if dense is not None else None
    if H is None:
        return None
    from .sharpness import LANCZOS_BLAS_THREADS, _blas_threads, top_symmetric_eig

    with _blas_threads(LANCZOS_BLAS_THREADS):
        vals, vecs = top_symmetric_eig((H + H.T) / 2, 1, vectors=True)
    return float(vals[-1]), vecs[:, -1]


def _check_config(cfg: TrainConfig) -> TrainConfig:
    if not isinstance(cfg, TrainConfig):
        raise InputError("config", f"expected a TrainConfig, got {type(cfg).__name__}")
    if cfg.method not in TRAIN_METHODS:
        raise InputError("config", f"method must be one of {', '.join(TRAIN_METHODS)}, got {cfg.method!r}")
    if not (math.isfinite(cfg.lr) and cfg.lr > 0):
        raise InputError("config", f"lr must be finite and > 0, got {cfg.lr!r}")
    if not 0 <= cfg.beta < 1 or not 0 <= cfg.beta2 < 1:
        raise InputError("config", f"beta and beta2 must lie in [0, 1), got {cfg.beta!r}, {cfg.beta2!r}")
    if cfg.steps < 1 or cfg.every < 1:
        raise InputError("config", f"steps and every must be >= 1, got {cfg.steps!r}, {cfg.every!r}")
    if cfg.backend not in BACKENDS:
        raise InputError("config", f"backend must be one of {', '.join(BACKENDS)}, got {cfg.backend!r}")
    return cfg


def train(config: TrainConfig) -> TrainRun:
    """Run (or fetch from the per-process cache) the training run ``config`` describes."""
    return _train(_check_config(config))


@functools.lru_cache(maxsize=64)
def _train(cfg: TrainConfig) -> TrainRun:
    xp = get_namespace(cfg.backend)
    prob = chebyshev_problem(cfg.width, cfg.points, cfg.degree, cfg.activation, xp=xp)
    w = prob.mlp.init_params(cfg.net_seed, cfg.init_scale, xp=xp)  # drawn on the host: same net on every backend
    w_prev = w
    m = xp.zeros_like(w)
    v = xp.zeros_like(w)
    losses, samples, sharp, flips = [], [], [], []
    u, last_sign, block_flips, block_pairs = None, 0.0, 0, 0
    diverged = False
    with np.errstate(all="ignore"):
        for t in range(cfg.steps + 1):
            loss, g = prob._loss_and_grad_trusted(w)  # w is this loop's own iterate: no per-step validation
            loss = float(loss)
            losses.append(loss)
            if not (math.isfinite(loss) and loss < _DIVERGED_LOSS):
                diverged = True
                break
            if t == cfg.steps:
                break
            # the step from x_t, and Adam's preconditioner P_t (used for the sharpness below)
            if cfg.method == "gd":
                w_next = w - cfg.lr * g
            elif cfg.method == "heavy_ball":
                w_next = w - cfg.lr * g + cfg.beta * (w - w_prev)
            elif cfg.method == "nesterov":
                y = w + cfg.beta * (w - w_prev)
                w_next = y - cfg.lr * prob._loss_and_grad_trusted(y)[1]
            else:
                m = cfg.beta * m + (1 - cfg.beta) * g
                v = cfg.beta2 * v + (1 - cfg.beta2) * g * g
                P = (1 - cfg.beta ** (t + 1)) * (xp.sqrt(v / (1 - cfg.beta2 ** (t + 1))) + cfg.eps)
                w_next = w - cfg.lr * m / P
            if t % cfg.every == 0:
                if block_pairs:
                    flips.append(block_flips / block_pairs)
                elif u is not None:
                    flips.append(math.nan)
                samples.append(t)
                pre = P if cfg.method == "adam" else None
                # a small net's exact eigenpair gives the flips' direction and the sharpness: one
                # eigen-solve per sample; otherwise a warm-started Lanczos direction and a cold value
                pair = _dense_eigenpair(prob, w) if cfg.track_flips and pre is None else None
                if cfg.track_flips:
                    _, u_host = pair or top_eigenpair(prob, w, v0=None if u is None else to_numpy(u))
                    u = xp.asarray(u_host)
                    last_sign, block_flips, block_pairs = 0.0, 0, 0
                sharp.append(pair[0] if pair else sharpness(prob, w, preconditioner=pre, tol=1e-8, seed=t))
            if cfg.track_flips and u is not None:
                # second difference along u: a period-two oscillation (-1)^k a flips it every step,
                # while the slow drift of the iterate (which can dominate the plain step when the
                # oscillation is small) has a negligible second difference
                s = float(xp.sign(xp.sum(u * (w_next - 2 * w + w_prev))))
                if last_sign != 0.0 and s != 0.0:
                    block_pairs += 1
                    block_flips += int(s != last_sign)
                last_sign = s
            w_prev, w = w, w_next
    if len(flips) < len(samples):
        flips.append(block_flips / block_pairs if block_pairs else math.nan)
    flips_arr = np.asarray(flips, dtype=np.float64) if cfg.track_flips else np.full(len(samples), np.nan)
    return TrainRun(cfg, np.asarray(losses), np.asarray(samples, dtype=np.int64), np.asarray(sharp),
                    flips_arr, to_numpy(w), diverged)
