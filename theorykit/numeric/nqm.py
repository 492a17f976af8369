"""The Noisy Quadratic Model (NQM): exact expected-loss recurrences and Monte Carlo runs.

Model (Zhang et al. 2019 [1], Sec. 3): the loss is a sum of independent
one-dimensional quadratics in the Hessian eigenbasis,

    L(theta) = sum_i 1/2 h_i theta_i^2,

and a minibatch of size B gives the gradient h_i theta_i + eps_i with
eps_i ~ N(0, h_i / B) independent across coordinates and steps (gradient
noise covariance H/B). The update with learning rate alpha_k, diagonal
preconditioner p_i = h_i^(-power) and heavy-ball momentum beta is

    v+ = beta v + g,        theta+ = theta - alpha_k p_i v+      (v_0 = 0).

``beta = 0`` is plain preconditioned SGD. Because the dynamics are linear
with Gaussian noise, the second moments (E theta^2, E v^2, E theta v) of each
coordinate obey a closed linear recurrence; ``expected_loss`` iterates it
exactly (no sampling), batched over schedules. ``simulate`` runs the
stochastic iteration itself, batched over independent runs, for Monte Carlo.

References:
  [1] G. Zhang, L. Li, Z. Nado, J. Martens, S. Sachdeva, G. E. Dahl, C. J. Shallue,
      R. Grosse (2019). Which algorithmic choices matter at which batch sizes?
      Insights from a noisy quadratic model. NeurIPS. arXiv:1907.04164
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import InputError
from .backend import asarray_checked, check_positive_scalar, to_numpy

__all__ = [
    "Moments",
    "Runs",
    "critical_batch_sizes",
    "expected_loss",
    "greedy_lr",
    "greedy_schedule",
    "harmonic_spectrum",
    "moment_step",
    "one_step_losses",
    "optimal_schedule",
    "polynomial_grid",
    "simulate",
    "steps_to_target",
    "tuned_losses",
    "tuned_steps",
]


class Moments(NamedTuple):
    """Per-coordinate second moments; every field has shape (S, d) (S schedules, d coordinates)."""

    theta2: Any  # E[theta_i^2]
    v2: Any  # E[v_i^2]
    cross: Any  # E[theta_i v_i]


def harmonic_spectrum(d: int) -> np.ndarray:
    """h_i = 1/i, i = 1..d: the spectrum used in [1] (NumPy, float64)."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InputError("d", f"must be a positive integer, got {d!r}")
    return 1.0 / np.arange(1, d + 1, dtype=np.float64)


def _namespace(xp, *arrays):
    if xp is not None:
        return xp
    from array_api_compat import array_namespace

    try:
        return array_namespace(*[a for a in arrays if hasattr(a, "shape")])
    except TypeError:
        from .backend import get_namespace

        return get_namespace("numpy")


def _curvatures(h, xp):
    h = asarray_checked(h, "h", xp, ndim=1)
    if h.shape[0] < 1 or not bool(xp.all(h > 0)):
        raise InputError("h", "curvatures must be a non-empty 1-D array of positive numbers")
    return h


def _schedule(schedule, xp):
    """(S, T) learning rates; a 1-D schedule is one schedule (squeezed on output)."""
    s = asarray_checked(schedule, "schedule", xp, ndim=(1, 2))
    if not bool(xp.all(s >= 0)):
        raise InputError("schedule", "learning rates must be >= 0")
    return (s[None, :], True) if s.ndim == 1 else (s, False)


def _momentum(momentum) -> float:
    try:
        b = float(momentum)
    except (TypeError, ValueError) as exc:
        raise InputError("momentum", f"expected a number in [0, 1), got {momentum!r}") from exc
    if not 0.0 <= b < 1.0:
        raise InputError("momentum", f"must lie in [0, 1), got {momentum!r}")
    return b


def _power(precond_power) -> float:
    try:
        p = float(precond_power)
    except (TypeError, ValueError) as exc:
        raise InputError("precond_power", f"expected a number in [0, 1], got {precond_power!r}") from exc
    if not 0.0 <= p <= 1.0:
        raise InputError("precond_power", f"must lie in [0, 1], got {precond_power!r}")
    return p


def _theta0(theta0_sq, h, xp):
    t = asarray_checked(theta0_sq, "theta0_sq", xp, ndim=(0, 1))
    if not bool(xp.all(t >= 0)):
        raise InputError("theta0_sq", "initial second moments must be >= 0")
    if t.ndim == 1 and t.shape[0] != h.shape[0]:
        raise InputError("theta0_sq", f"has {t.shape[0]} entries but h has {h.shape[0]}")
    return t * xp.ones_like(h)


def moment_step(m: Moments, a: Any, h: Any, noise: Any, beta: float) -> Moments:
    """One exact step of the second moments.

    ``a`` = alpha * p_i (S, d), ``h`` (d,), ``noise`` = Var(eps_i) = h_i/B (d,).
    With theta+ = (1 - a h) theta - a beta v - a eps and v+ = h theta + beta v + eps,
    the moments of the pair transform by M Sigma M^T plus the noise's outer product
    (-a, 1)(-a, 1)^T Var(eps); written out per entry below.
    """
    r = 1.0 - a * h
    theta2 = r * r * m.theta2 - 2.0 * r * a * beta * m.cross + (a * beta) ** 2 * m.v2 + a * a * noise
    v2 = h * h * m.theta2 + 2.0 * h * beta * m.cross + beta * beta * m.v2 + noise
    cross = r * h * m.theta2 + beta * (1.0 - 2.0 * a * h) * m.cross - a * beta * beta * m.v2 - a * noise
    return Moments(theta2, v2, cross)


def _setup(h, schedule, batch_size, momentum, precond_power, xp):
    xp = _namespace(xp, h, schedule)
    h = _curvatures(h, xp)
    sched, squeeze = _schedule(schedule, xp)
    B = check_positive_scalar(batch_size, "batch_size")
    beta = _momentum(momentum)
    p = _power(precond_power)
    precond = h ** (-p)  # p_i = h_i^(-power)
    return xp, h, sched, squeeze, B, beta, precond


def expected_loss(h, schedule, *, batch_size, momentum=0.0, precond_power=0.0, theta0_sq=1.0,
                  xp=None, return_moments=False):
    """Exact expected NQM loss E[sum_i 1/2 h_i theta_i^2] after 0..T steps.

    ``h``: (d,) curvatures; ``schedule``: (T,) or (S, T) learning rates (batched over
    schedules); ``theta0_sq``: E[theta_i^2] at the start (scalar or (d,)), v_0 = 0.
    Returns (T+1,) or (S, T+1); with ``return_moments`` also the final ``Moments``.
    """
    xp, h, sched, squeeze, B, beta, precond = _setup(h, schedule, batch_size, momentum, precond_power, xp)
    S, T = int(sched.shape[0]), int(sched.shape[1])
    t0 = _theta0(theta0_sq, h, xp)
    zeros = xp.zeros((S, h.shape[0]), dtype=xp.float64)
    m = Moments(zeros + t0, zeros, zeros)
    noise = h / B
    loss = _plain_sgd_losses(m.theta2, sched, precond, h, noise, xp) if beta == 0.0 and not return_moments else None
    if loss is None:
        out = [xp.sum(0.5 * h * m.theta2, axis=1)]
        for k in range(T):
            a = sched[:, k : k + 1] * precond
            m = moment_step(m, a, h, noise, beta)
            out.append(xp.sum(0.5 * h * m.theta2, axis=1))
        loss = xp.stack(out, axis=1)
    if squeeze:
        loss = loss[0, ...]
        m = Moments(*(f[0, ...] for f in m))
    return (loss, m) if return_moments else loss


def _plain_sgd_losses(theta2, sched, precond, h, noise, xp):
    """``expected_loss``'s losses for momentum 0, or None where that shortcut could differ.

    With beta = 0 ``moment_step``'s theta2 update is r^2 theta2 - (2 r a 0) cross + (a 0)^2 v2
    + a^2 noise, and its middle terms are exactly +-0 while cross, v2 and 2 r a are finite;
    then theta2 alone follows r^2 theta2 + a^2 noise, the same numbers in the same order
    (and nothing else need be computed). Finite is guaranteed when the recorded losses bound
    theta2 (<= loss / min(h/2)) well inside float64 range for every product the full step forms;
    otherwise (an overflowing run, whose later moments are NaN in the full step) None sends
    the caller to the full step."""
    if int(sched.shape[1]) == 0:
        return None
    hh = 0.5 * h
    with np.errstate(all="ignore"):
        # every step's a = lr * p_i is at most this (a product of the maxima, rounded up or equal)
        a_max = float(xp.max(xp.abs(sched))) * float(xp.max(precond))
        out = [xp.sum(hh * theta2, axis=1)]
        for k in range(int(sched.shape[1])):
            a = sched[:, k : k + 1] * precond
            r = 1.0 - a * h
            theta2 = r * r * theta2 + a * a * noise
            out.append(xp.sum(hh * theta2, axis=1))
        loss = xp.stack(out, axis=1)
        h_max, hh_min, top = float(xp.max(h)), float(xp.min(hh)), float(xp.max(loss))
        # |cross|, v2, 2 r a of the full step stay below this when theta2 <= top / min(h/2)
        scale = (1.0 + a_max * h_max) * max(h_max, h_max * h_max, 1.0) * (top / hh_min + float(xp.max(noise)))
    if not (math.isfinite(scale) and scale < 1e290 and a_max < 1e100 and a_max * h_max < 1e100):
        return None
    return loss


class Runs(NamedTuple):
    """Monte Carlo NQM runs."""

    loss: Any  # (n_runs, T+1): 1/2 sum_i h_i theta_i^2 per run and step
    theta: Any  # (n_runs, d): final iterates
    v: Any  # (n_runs, d): final momentum buffers
    ema: Any = None  # (n_runs, d): final EMA of the iterates (when asked for)
    ema_loss: Any = None  # (n_runs, T+1): 1/2 sum_i h_i bar_theta_i^2 (when asked for)


def simulate(h, schedule, *, batch_size, n_runs, rng, momentum=0.0, precond_power=0.0, theta0=1.0,
             xp=None, ema=None) -> Runs:
    """Run the stochastic NQM iteration ``n_runs`` times independently (one schedule (T,)).

    ``theta0``: deterministic start (scalar or (d,)); ``rng``: a NumPy Generator (noise
    is drawn on the host and moved to ``xp``, so runs are reproducible on any backend).
    ``ema``: a factor in [0, 1) to also track bar_theta+ = ema bar_theta + (1 - ema) theta+
    (started at theta0), reported in ``Runs.ema`` / ``Runs.ema_loss``.
    """
    xp, h, sched, squeeze, B, beta, precond = _setup(h, schedule, batch_size, momentum, precond_power, xp)
    if not squeeze:
        raise InputError("schedule", "simulate takes one schedule of shape (T,)")
    if isinstance(n_runs, bool) or not isinstance(n_runs, int) or n_runs < 1:
        raise InputError("n_runs", f"must be a positive integer, got {n_runs!r}")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", f"expected a numpy.random.Generator, got {type(rng).__name__}")
    if ema is not None:
        try:
            ema = float(ema)
        except (TypeError, ValueError) as exc:
            raise InputError("ema", f"expected a number in [0, 1), got {ema!r}") from exc
        if not 0.0 <= ema < 1.0:
            raise InputError("ema", f"must lie in [0, 1), got {ema}")
    d = int(h.shape[0])
    t0 = asarray_checked(theta0, "theta0", xp, ndim=(0, 1))
    theta = xp.zeros((n_runs, d), dtype=xp.float64) + t0
    v = xp.zeros((n_runs, d), dtype=xp.float64)
    avg = theta
    sd = xp.sqrt(h / B)
    losses = [xp.sum(0.5 * h * theta * theta, axis=1)]
    avg_losses = [losses[0]]
    lrs = to_numpy(sched[0, ...]).tolist()  # host floats: one scalar per step, no device sync
    for lr in lrs:
        eps = xp.asarray(rng.standard_normal((n_runs, d))) * sd
        v = beta * v + (h * theta + eps)
        theta = theta - lr * precond * v
        losses.append(xp.sum(0.5 * h * theta * theta, axis=1))
        if ema is not None:
            avg = ema * avg + (1.0 - ema) * theta
            avg_losses.append(xp.sum(0.5 * h * avg * avg, axis=1))
    if ema is None:
        return Runs(xp.stack(losses, axis=1), theta, v)
    return Runs(xp.stack(losses, axis=1), theta, v, avg, xp.stack(avg_losses, axis=1))


def one_step_losses(h, theta0_sq, lrs, batch_size) -> np.ndarray:
    """Expected loss after one plain-SGD step from E theta^2 = ``theta0_sq`` (v = 0), for each lr in ``lrs``.

    ``expected_loss``'s first step (``moment_step``, bit for bit) on NumPy inputs the caller has
    validated: a search that evaluates it thousands of times skips the per-call validation."""
    h = np.asarray(h, dtype=np.float64)
    zeros = np.zeros((len(lrs), h.shape[0]))
    m = Moments(zeros + theta0_sq * np.ones_like(h), zeros, zeros)
    m = moment_step(m, np.asarray(lrs, dtype=np.float64)[:, None] * h ** (-0.0), h, h / batch_size, 0.0)
    return np.sum(0.5 * h * m.theta2, axis=1)


#: steps_to_target on NumPy jumps over blocks that provably hold no hit (``nqm_fast``);
#: False steps every step (the reference, kept for benchmarks/bench_parallel.py).
USE_JUMP = True


def steps_to_target(h, lrs, *, batch_size, target, max_steps, momentum=0.0, precond_power=0.0,
                    theta0_sq=1.0, xp=None, first_only=False):
    """First step k at which the exact expected loss with constant lr is <= ``target``.

    ``lrs``: (S,) constant learning rates, run together; returns a NumPy float
    array (S,) of step counts, ``inf`` where the target is not reached within
    ``max_steps`` (or the run diverges). The loop stops once every lr has hit;
    with ``first_only`` it stops as soon as any lr has hit, which is all that
    tuning needs: the minimum over lrs is then exact, and lrs still above the
    target are reported as ``inf``.
    """
    xp = _namespace(xp, h, lrs)
    h = _curvatures(h, xp)
    lrs = asarray_checked(lrs, "lrs", xp, ndim=1)
    B = check_positive_scalar(batch_size, "batch_size")
    target = check_positive_scalar(target, "target")
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise InputError("max_steps", f"must be a positive integer, got {max_steps!r}")
    beta, p = _momentum(momentum), _power(precond_power)
    precond = h ** (-p)
    S = int(lrs.shape[0])
    t0 = _theta0(theta0_sq, h, xp)
    if USE_JUMP and (xp is np or getattr(xp, "__name__", "").endswith("numpy")):
        # jump over blocks that provably hold no hit (nqm_fast); the same steps as the loop below
        from .nqm_fast import first_hits

        return first_hits(np.asarray(h), np.asarray(lrs)[:, None] * np.asarray(precond), np.asarray(h) / B, beta,
                          np.asarray(t0), target, max_steps, first_only)
    zeros = xp.zeros((S, h.shape[0]), dtype=xp.float64)
    m = Moments(zeros + t0, zeros, zeros)
    a = lrs[:, None] * precond
    noise = h / B
    hit = np.full(S, math.inf)
    if float(xp.sum(0.5 * h * m.theta2[0, ...])) <= target:
        return np.zeros(S)
    # check in chunks: one host sync per chunk keeps the loop cheap on a GPU
    chunk = 16
    for k0 in range(0, max_steps, chunk):
        losses = []
        for _ in range(min(chunk, max_steps - k0)):
            m = moment_step(m, a, h, noise, beta)
            losses.append(xp.sum(0.5 * h * m.theta2, axis=1))
        block = to_numpy(xp.stack(losses, axis=1))
        below = block <= target
        first = np.where(below.any(axis=1), below.argmax(axis=1) + k0 + 1, math.inf)
        hit = np.where(np.isinf(hit), first, hit)
        if not np.isinf(hit).any() or (first_only and np.isfinite(hit).any()):
            break
        finite = np.isfinite(block[:, -1])
        if not finite.any():
            break
    return hit


# --------------------------------------------------------------------------- tuning helpers
#: log-spaced constant lrs per tuning, from 1e-4 to 0.99 of the stiffest coordinate's stability limit
LR_GRID = 48
#: batch size standing for B = oo: gradient-noise variance h/B ~ 1e-15, deterministic in float64
NOISELESS_B = 1e15
#: the variants compared in Zhang et al. (2019): plain SGD, heavy ball (beta tuned), preconditioning
VARIANTS = {"sgd": {}, "momentum": {"betas": (0.0, 0.5, 0.9)}, "precond": {"power": 0.5}}


def tuned_steps(h, batch_size, *, target, betas=(0.0,), power=0.0, max_steps=200_000, xp=None) -> float:
    """min over the lr grid (and over ``betas``) of the steps the exact recurrence needs to reach ``target``."""
    h_np = to_numpy(h)
    if USE_JUMP and (xp is None or xp is np or getattr(xp, "__name__", "").endswith("numpy")):
        # one search over every (beta, lr) row: the first hit found caps all the others
        from .nqm_fast import first_hits

        h_np = np.asarray(_curvatures(h_np, np), dtype=np.float64)
        B = check_positive_scalar(batch_size, "batch_size")
        target = check_positive_scalar(target, "target")
        p = _power(power)
        bs = [_momentum(b) for b in betas]
        rows = [2.0 * (1.0 + b) / float(np.max(h_np ** (1.0 - p))) * np.geomspace(1e-4, 0.99, LR_GRID)
                for b in bs]
        lrs = np.concatenate(rows)
        hit = first_hits(h_np, lrs[:, None] * h_np ** (-p), h_np / B, np.repeat(bs, LR_GRID), 1.0, target,
                         max_steps, True)
        return float(np.min(hit))
    best = math.inf
    for b in betas:
        top = 2.0 * (1.0 + b) / float(np.max(h_np ** (1.0 - power)))  # heavy-ball stability limit
        lrs = top * np.geomspace(1e-4, 0.99, LR_GRID)
        hit = steps_to_target(h, lrs, batch_size=batch_size, target=target, max_steps=max_steps, momentum=b,
                              precond_power=power, first_only=True, xp=xp)
        best = min(best, float(np.min(hit)))
    return best


def critical_batch_sizes(d=100, target_frac=0.01, b_ref=16.0, variants=None, xp=None) -> dict:
    """{variant: (B_crit, steps(b_ref), steps(oo))} on the NQM h_i = 1/i, E theta_i(0)^2 = 1.

    B_crit = b_ref steps(b_ref) / steps(oo): where the perfect-scaling line through
    b_ref meets the large-batch floor; target = target_frac x initial loss.
    """
    h = harmonic_spectrum(d)
    target = target_frac * 0.5 * float(h.sum())
    out = {}
    for name, kw in (variants or VARIANTS).items():
        s_ref = tuned_steps(h, b_ref, target=target, xp=xp, **kw)
        s_inf = tuned_steps(h, NOISELESS_B, target=target, xp=xp, **kw)
        out[name] = (b_ref * s_ref / s_inf, s_ref, s_inf)
    return out


def greedy_lr(h, s, batch_size) -> float:
    """The lr minimizing the next expected loss of plain SGD from second moments ``s`` (NumPy)."""
    num = float(np.sum(h**2 * s))
    if num == 0.0:  # at the optimum already: any lr > 0 only adds noise
        return 0.0
    return num / float(np.sum(h**2 * (h * s + 1.0 / batch_size)))


def greedy_schedule(h, T, batch_size, theta0_sq=1.0):
    """(lrs (T,), final expected loss) of the greedy rule of Wu et al. (2018), NumPy."""
    h = np.asarray(h, dtype=np.float64)
    s = np.full_like(h, theta0_sq)
    lrs = np.empty(T)
    for k in range(T):
        lrs[k] = a = greedy_lr(h, s, batch_size)
        s = (1 - a * h) ** 2 * s + a * a * h / batch_size
    return lrs, float(0.5 * np.sum(h * s))


def polynomial_grid(T, top, *, n_alpha=8, n_K=8, betas=(0.5, 1.0, 1.5, 2.0, 3.0)):
    """(params list, schedules (n, T)) for alpha0/(1 + k/K)^beta over a grid (``schedules.polynomial``)."""

    grid = [(float(a), float(K), float(b)) for a in top * np.geomspace(0.02, 0.995, n_alpha)
            for K in np.geomspace(1.0, T, n_K) for b in betas]
    k = np.arange(T, dtype=np.float64)
    # evaluated in closed form for speed; tests check it equals schedules.values(polynomial(...))
    rows = np.stack([a / (1.0 + k / K) ** b for a, K, b in grid])
    return grid, rows


def tuned_losses(h, T, batch_size, xp=None):
    """Final expected losses (best constant lr over 80, best polynomial decay over 320), one batched sweep each."""
    h = np.asarray(h, dtype=np.float64)
    top = 2.0 / float(np.max(h))
    const = top * np.geomspace(1e-3, 0.995, 80)
    fixed = expected_loss(h, np.repeat(const[:, None], T, axis=1), batch_size=batch_size, xp=xp)[:, -1]
    _, rows = polynomial_grid(T, top)
    poly = expected_loss(h, rows, batch_size=batch_size, xp=xp)[:, -1]
    return float(np.min(to_numpy(fixed))), float(np.min(to_numpy(poly)))


def _loss_and_grad(lrs, h, batch_size, theta0_sq):
    """Final expected loss of plain SGD and its gradient in the lrs (backward costate recursion)."""
    T = lrs.size
    a = lrs[:, None]
    contract = (1 - a * h) ** 2  # (T, d): s_{k+1} = contract_k s_k + a_k^2 h / B
    inject = a * a * h / batch_size
    s = np.empty((T + 1, h.size))
    s[0] = theta0_sq
    for k in range(T):  # the forward recursion is sequential; everything else is batched over k
        s[k + 1] = contract[k] * s[k] + inject[k]
    # lam_k = d loss / d s_k, the dynamic-programming costate: lam_T = h/2, lam_k = lam_{k+1} contract_k,
    # a running product from the end (np.cumprod multiplies in that order, the loop's roundings)
    lam = np.cumprod(np.concatenate([(0.5 * h)[None], contract[::-1]]), axis=0)[::-1]  # lam[k] = lam_k
    # grad_k = sum(lam_{k+1} (-2 h (1 - a_k h) s_k + 2 a_k h / B)), row by row the same sum
    grad = np.sum(lam[1:] * (-2.0 * h * (1 - a * h) * s[:-1] + 2.0 * a * h / batch_size), axis=1)
    return float(0.5 * np.sum(h * s[-1])), grad


def optimal_schedule(h, T, batch_size, *, theta0_sq=1.0, init=None, maxiter=5000):
    """(lrs (T,), final loss) minimizing the final expected loss of plain SGD over lrs in [0, 2/max h].

    The gradient comes from the backward costate recursion of dynamic programming
    (lam_k = lam_{k+1} (1 - a_k h)^2); L-BFGS-B from ``init`` (default: the greedy
    schedule) finds a local optimum, so the result is an upper bound on the optimal loss.
    """
    from scipy.optimize import minimize

    h = np.asarray(h, dtype=np.float64)
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise InputError("T", f"must be a positive integer, got {T!r}")
    B = check_positive_scalar(batch_size, "batch_size")
    x0 = greedy_schedule(h, T, B, theta0_sq)[0] if init is None else np.asarray(init, dtype=np.float64)
    res = minimize(_loss_and_grad, x0, args=(h, B, theta0_sq), jac=True, method="L-BFGS-B",
                   bounds=[(0.0, 2.0 / float(np.max(h)))] * T,
                   options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-12})
    return np.asarray(res.x), float(res.fun)
