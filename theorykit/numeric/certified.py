"""Certified asymptotic rates of the methods' eigen-recurrences.

On a quadratic the error of GD / heavy ball / Nesterov evolves along each
eigendirection by a 2x2 transition T_i read off the method's own update
(``methods.eigen_iteration``); the asymptotic contraction factor of the run is
max_i rho(T_i) exactly. A float64 trajectory estimates it only to about
log(C N)/N (C: the start's projection and the eigenvector conditioning), which is
~1e-12 at N = 2^40 and depends on the seed; and near a double root (critical
damping) rho(T) moves by sqrt(eps) ~ 1e-8 when T's entries are rounded. Both
are far too coarse when 1 - rate is itself 1e-12 (kappa = 1e12) or 1e-8
(optimally tuned heavy ball at kappa = 1e16).

So the value reported here is rho of the transition built by running the
method's update in extended precision (mpmath, ``DPS`` digits) on the exact
binary values of the float64 inputs. Each entry is then correct to ~10^-58
relative, the spectral radius of a 2x2 block to ~10^-28 even at a double root
(the square root halves the digits), and the bound ``error`` stated with every
value covers that plus the final rounding to float64. ``margin`` = 1 - rate is
computed before rounding, so it keeps its relative accuracy when the rate is
within 1e-16 of 1. A problem with a zero eigenvalue under GD has a block with
eigenvalue exactly 1 and gets rate exactly 1.0.

A problem whose float64 spectral radius has a rounding bound below 1e-12
(relative) and lies clearly on one side of 1 keeps the float64 value, with that
bound as its ``error`` (and as its ``sensitivity``: one ulp in an input moves it
by less). Otherwise the extended-precision path below runs.

Which blocks need extended precision is decided from float64 bounds: a block is
evaluated in mpmath when its float64 estimate, widened by a bound on the
rounding (16 eps S + 4 sqrt(eps) S, S the block's largest entry), could be the
maximum. The others are provably smaller.

The float64 trajectory (what the probe always ran) is kept as an independent
cross-check: it must agree with rho of the *float64* transition (also computed
in mpmath) to within its own bias bound; otherwise the measurement is
"inconclusive" and ``linear_rate`` raises ``InconclusiveMeasurement`` instead of
returning a number.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import TheorykitError
from .methods import eigen_iteration, quiet

__all__ = ["DPS", "Rate", "RateReport", "InconclusiveMeasurement", "ThresholdCheck", "certified_rates",
           "certified_growth", "certify_thresholds", "spectral_bounded", "trajectory_tolerance"]

DPS = 60  # decimal digits of the extended-precision evaluation
_EPS = float(np.finfo(np.float64).eps)
_MP_REL = 1e-27
_FLOAT_OK = 1e-12  # a float64 rate whose rounding bound is below this (relative) is kept as is  # certified relative accuracy of rho from DPS-digit entries (sqrt halves the digits)


class InconclusiveMeasurement(TheorykitError):
    """A probe could not certify its value; it reports this instead of a number."""


class Rate(float):
    """A measured rate (a float) with ``error`` (certified bound on |value - the rate of the
    iteration with exactly these float64 inputs|), ``margin`` (1 - rate, accurate even when
    the rate rounds to 1.0), ``sensitivity`` (how far one ulp in an input moves the rate),
    ``status`` ("certified") and ``trajectory`` (the float64 run's N-th root estimate)."""

    error: float
    margin: float
    sensitivity: float
    status: str
    trajectory: float

    def __new__(cls, value: float, *, error: float, margin: float, sensitivity: float, status: str,
                trajectory: float):
        self = super().__new__(cls, value)
        self.error, self.margin, self.sensitivity = error, margin, sensitivity
        self.status, self.trajectory = status, trajectory
        return self

    def __reduce__(self):
        return (_make_rate, (float(self), self.error, self.margin, self.sensitivity, self.status, self.trajectory))


def _make_rate(value, error, margin, sensitivity, status, trajectory):
    return Rate(value, error=error, margin=margin, sensitivity=sensitivity, status=status, trajectory=trajectory)


class RateReport(NamedTuple):
    """Per problem (arrays of shape (batch,)): the certified ``rate``, its ``error`` bound,
    ``margin`` = 1 - rate, the trajectory estimate and whether the two agree (``status``)."""

    rate: np.ndarray
    error: np.ndarray
    margin: np.ndarray
    trajectory: np.ndarray
    sensitivity: np.ndarray  # max change of the rate when one input moves by one ulp
    status: np.ndarray  # "certified" | "inconclusive" per problem


def trajectory_tolerance(steps: int) -> float:
    """How far a float64 trajectory's N-th root may sit from rho of its (float64) transition:
    log(C N)/N with a generous log C <= 60 (start projection, eigenvector conditioning), plus
    the round-off of the log-form powering."""
    return (math.log(steps) + 60.0) / steps + 1e-13


def _float_rho(m11, m12, m21, m22):
    with quiet():
        t = (m11 + m22) / 2
        det = m11 * m22 - m12 * m21
        disc = t * t - det
        real = np.abs(t) + np.sqrt(np.maximum(disc, 0.0))
        cplx = np.sqrt(np.maximum(det, 0.0))
        rho = np.where(disc >= 0, real, cplx)
        S = np.maximum.reduce([np.abs(m11), np.abs(m12), np.abs(m21), np.abs(m22), np.ones_like(m11)])
    return rho, S


def _mp_rho(m11, m12, m21, m22):
    """rho of a 2x2 block in the current mpmath precision, and 1 - rho."""
    import mpmath

    t = (m11 + m22) / 2
    det = m11 * m22 - m12 * m21
    disc = t * t - det
    rho = abs(t) + mpmath.sqrt(disc) if disc >= 0 else mpmath.sqrt(det)
    return rho, 1 - rho


def _perturbed(lam, lr, mom):
    """The exact inputs, then each input moved by a relative 2^-52 (one ulp or more) down and
    up: 7 sets. Relative, so an exact zero (a singular direction) stays exactly zero."""
    import mpmath

    base = [[mpmath.mpf(float(x)) for x in v] for v in (lam, lr, mom)]
    sets = [base]
    for which in range(3):
        for sign in (-1, 1):
            moved = list(base)
            moved[which] = [x * (1 + sign * mpmath.mpf(2) ** -52) for x in base[which]]
            sets.append(moved)
    return [np.array(sum((st[k] for st in sets), []), dtype=object) for k in range(3)], len(sets)


def _mp_max_rho(method, lam, lr, mom, n_sets=1):
    """max over blocks of rho (and 1 - rho), per input set, in the current mpmath precision."""
    Te = eigen_iteration(method, lam, lr, momentum=mom)
    nc = len(lam) // n_sets
    out = []
    for k in range(n_sets):
        best = None
        for j in range(k * nc, (k + 1) * nc):
            rho, marg = _mp_rho(Te[0][j], Te[1][j], Te[2][j], Te[3][j])
            if best is None or rho > best[0]:
                best = (rho, marg)
        out.append(best)
    return out


def certified_rates(method: str, lam: Any, lr: Any, mom: Any, trajectory: Any, steps: int) -> RateReport:
    """Certified max_i rho(T_i) per problem. ``lam`` (batch, d); ``lr``/``mom`` (batch, 1);
    ``trajectory`` (batch,) the float64 run's estimate; all NumPy arrays (host).

    A problem is "inconclusive" when the trajectory disagrees with rho beyond its
    bias bound, or when moving an input by one ulp moves the rate across 1: then
    float64 inputs do not determine whether the method converges.
    """
    import mpmath

    lam = np.asarray(lam, dtype=np.float64)
    batch, d = lam.shape
    lr_b = np.broadcast_to(np.asarray(lr, dtype=np.float64), (batch, d))
    mom_b = np.broadcast_to(np.asarray(mom, dtype=np.float64), (batch, d))
    Tf = eigen_iteration(method, lam, lr_b, momentum=mom_b)
    m = [np.asarray(x, dtype=np.float64) for x in Tf]
    finite = np.all(np.isfinite(m[0]) & np.isfinite(m[1]) & np.isfinite(m[2]) & np.isfinite(m[3]), axis=-1)
    rho_f, S = _float_rho(*m)
    with quiet():
        half = (m[0] - m[3]) / 2
        delta = np.abs(half * half + m[1] * m[2])
        # rounding T's entries moves rho by ~eps S, or by sqrt(eps) S at a double root (delta = 0)
        jordan = np.sqrt(delta + 8 * _EPS * S * S) - np.sqrt(delta)
        bound = np.where(np.isfinite(S), 16 * _EPS * S + 2 * jordan, 0.0)
        # one ulp in lam, lr or momentum moves an entry by at most P (first order; P = 0 for lam = 0)
        P = 2 * _EPS * (np.abs(lr_b * lam) * (1 + mom_b) + mom_b)
        sens_f = np.where(np.isfinite(S), 2 * P + 2 * (np.sqrt(delta + 4 * S * P) - np.sqrt(delta)), 0.0)
        rho_fs = np.where(np.isfinite(rho_f), rho_f, 0.0)
    r_f = np.max(rho_fs, axis=-1)
    e_f = np.max(bound, axis=-1)
    cand = rho_fs + bound >= np.max(rho_fs - bound, axis=-1, keepdims=True)
    sens = np.max(np.where(cand, sens_f, 0.0), axis=-1)
    rate, error, margin = r_f.copy(), e_f.copy(), 1.0 - r_f
    decided = np.ones(batch, dtype=bool)
    # float64 suffices where its rounding bound is tiny and the rate is clearly on one side of 1
    extended = finite & ~((e_f <= _FLOAT_OK * np.maximum(1.0, r_f)) & (np.abs(1.0 - r_f) > 4 * (e_f + sens)))
    rows = np.flatnonzero(extended)
    if rows.size:
        rr, cc = np.nonzero(cand[rows])
        rr = rows[rr]
        with mpmath.workdps(DPS):
            to_mp = lambda v: np.array([mpmath.mpf(float(x)) for x in v], dtype=object)  # noqa: E731 (exact)
            Te = eigen_iteration(method, to_mp(lam[rr, cc]), to_mp(lr_b[rr, cc]), momentum=to_mp(mom_b[rr, cc]))
            best: dict[int, tuple] = {}
            for j, b in enumerate(rr.tolist()):
                rho, marg = _mp_rho(Te[0][j], Te[1][j], Te[2][j], Te[3][j])
                if b not in best or rho > best[b][0]:
                    best[b] = (rho, marg)
            for b, (rho, marg) in best.items():
                value = float(rho)
                rate[b], margin[b] = value, float(marg)
                error[b] = float(abs(mpmath.mpf(value) - rho)) + _MP_REL * float(np.max(S[b][cand[b]]))
                if abs(margin[b]) <= sens[b]:
                    # the first-order bound cannot tell which side of 1: move each input by an ulp, exactly
                    c = np.flatnonzero(cand[b])
                    sets, n_sets = _perturbed(lam[b, c], lr_b[b, c], mom_b[b, c])
                    per_set = _mp_max_rho(method, *sets, n_sets=n_sets)
                    sens[b] = max(float(abs(r - rho)) for r, _ in per_set)
                    decided[b] = len({bool(r < 1) for r, _ in per_set}) == 1
    rate = np.where(finite, rate, math.inf)
    error = np.where(finite, error, 0.0)
    margin = np.where(finite, margin, -math.inf)
    sens = np.where(finite, sens, 0.0)
    traj = np.asarray(trajectory, dtype=np.float64).reshape(batch)
    tol = trajectory_tolerance(steps)
    with quiet():
        agree = np.abs(traj - rate) <= (tol + e_f) * np.maximum(1.0, rate)
    agree |= (traj == 0.0) & (rate < 1e-3)  # an underflowed run (error exactly 0)
    agree |= ~finite
    status = np.where(agree & decided, "certified", "inconclusive").astype(object)
    return RateReport(rate, error, margin, traj, sens, status)


# -- certified stability thresholds ---------------------------------------------------

class ThresholdCheck(NamedTuple):
    """Per problem: ``certified`` (bool), and the certified spectral radii just below and
    just above the reported threshold (``rho_below`` < 1 < ``rho_above`` when certified)."""

    certified: Any
    rho_below: Any
    rho_above: Any


def certify_thresholds(method: str, lam: Any, mom: Any, eta: Any, rtol: float) -> ThresholdCheck:
    """Check a measured stability threshold ``eta`` (batch,) against the exact 2x2 blocks.

    The bisection decides boundedness from float64 runs; near the float64 resolution
    (momentum close to 1, a rate within 1e-12 of 1) a run can decide wrongly, and the
    threshold would be a bare number off by more than ``rtol``. Here the spectral radius
    max_i rho(T_i) of the method's transition is evaluated, with a certified error
    bound (``certified_rates``: float64 where its rounding bound decides, else mpmath at
    ``DPS`` digits), at eta/(1 + rtol) and at eta*(1 + rtol). rho < 1 below (beyond its
    error) means every run there is bounded; rho > 1 above means the runs there grow.
    With the stable set an interval (0, eta*], the true threshold then lies within
    ``rtol`` of ``eta``. ``inf`` and ``0`` (the bracket never closed) keep the probe's
    documented meaning and are not checked here.
    """
    lam = np.asarray(lam, dtype=np.float64)
    batch = lam.shape[0]
    eta = np.asarray(eta, dtype=np.float64).reshape(batch)
    mom = np.broadcast_to(np.asarray(mom, dtype=np.float64).reshape(batch, -1), (batch, 1))
    finite = np.isfinite(eta) & (eta > 0)
    certified = ~finite  # inf / 0: the probe's documented bracket ends
    below = np.full(batch, np.nan)
    above = np.full(batch, np.nan)
    rows = np.flatnonzero(finite)
    if rows.size:
        lo = (eta[rows] / (1 + rtol))[:, None]
        hi = (eta[rows] * (1 + rtol))[:, None]
        sub_lam, sub_mom = lam[rows], mom[rows]
        r_lo = certified_rates(method, sub_lam, lo, sub_mom, np.zeros(rows.size), 2)
        r_hi = certified_rates(method, sub_lam, hi, sub_mom, np.zeros(rows.size), 2)
        with quiet():
            stable = np.asarray(r_lo.margin, dtype=np.float64) > np.asarray(r_lo.error, dtype=np.float64)
            unstable = -np.asarray(r_hi.margin, dtype=np.float64) > np.asarray(r_hi.error, dtype=np.float64)
        certified[rows] = stable & unstable
        below[rows] = np.asarray(r_lo.rate, dtype=np.float64)
        above[rows] = np.asarray(r_hi.rate, dtype=np.float64)
    return ThresholdCheck(certified, below, above)


# -- boundedness cross-check ----------------------------------------------------------

def spectral_bounded(method: str, lam: Any, lr: Any, mom: Any, steps: int, growth_tol: float) -> np.ndarray:
    """Per problem: +1 when the exact iteration certainly stays below ``growth_tol`` (a log)
    for every number of steps, -1 when it certainly exceeds it within ``steps`` steps from
    any start with a non-negligible dominant component, 0 when the spectrum cannot tell.

    For a 2x2 block with eigenvalues of modulus <= rho (Sylvester / Cayley-Hamilton:
    T^k = a_k T + b_k I with |a_k| <= k rho^(k-1), |b_k| <= k rho^k),
    ||T^k|| <= k rho^(k-1) (||T||_F + rho), and sup_k k rho^(k-1) is 1 for rho <= 1/2
    and at most 1/(e rho ln(1/rho)) otherwise; blocks act on orthogonal coordinates, so
    the state's growth is at most the largest block bound. rho comes with its certified
    error from :func:`certified_rates`. The -1 side asks for steps*log(rho) to exceed the
    level by 100 (a start component down to e^-100 still grows past it)."""
    lam = np.asarray(lam, dtype=np.float64)
    batch, d = lam.shape
    lr_b = np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(batch, -1), (batch, d))
    mom_b = np.broadcast_to(np.asarray(mom, dtype=np.float64).reshape(batch, -1), (batch, d))
    report = certified_rates(method, lam, lr_b[:, :1], mom_b[:, :1], np.zeros(batch), 2)
    rate = np.asarray(report.rate, dtype=np.float64)
    err = np.asarray(report.error, dtype=np.float64)
    T = eigen_iteration(method, lam, lr_b, momentum=mom_b)
    with quiet():
        fro = np.sqrt(T[0] ** 2 + T[1] ** 2 + T[2] ** 2 + T[3] ** 2)
        # a 1 ulp-per-entry allowance for the float64 entries of T
        fro = np.max(fro, axis=-1) * (1 + 8 * _EPS)
        hi = rate + err
        sup = np.where(hi <= 0.5, 1.0, 1.0 / (math.e * hi * np.log(1.0 / np.minimum(hi, 1 - 1e-300))))
        sup = np.maximum(sup, 1.0)
        log_bound = np.log(sup) + np.log(fro + hi)
        lo = rate - err
        grows = steps * np.log(np.maximum(lo, 1.0)) > growth_tol + 100.0
    out = np.zeros(batch, dtype=int)
    out[(hi < 1) & np.isfinite(log_bound) & (log_bound < growth_tol)] = 1
    out[np.isfinite(rate) & grows] = -1
    out[~np.isfinite(rate)] = -1
    return out


# -- certified growth -----------------------------------------------------------------

_GROWTH_SLACK = 60.0  # blocks whose float64 log-norm is this far below the largest are negligible


def _mp_block_log_norm(m11, m12, m21, m22, e, steps, dps):
    """log |T^steps (e, e)| for one 2x2 block, in mpmath at ``dps`` digits, by
    Cayley-Hamilton: T^n = a_n T + b_n I, a_n = (l1^n - l2^n)/(l1 - l2), b_n = -det a_(n-1)
    (a_n = n l^(n-1) at a double root). Returns an mpf (or -inf for a zero state)."""
    import mpmath

    with mpmath.workdps(dps):
        m11, m12, m21, m22, e = (mpmath.mpf(float(v)) for v in (m11, m12, m21, m22, e))
        t = (m11 + m22) / 2
        det = m11 * m22 - m12 * m21
        root = mpmath.sqrt(mpmath.mpc(t * t - det))
        l1, l2 = t + root, t - root

        def a(n):
            if n == 0:
                return mpmath.mpf(0)
            if root == 0:
                return n * t ** (n - 1)
            return (l1**n - l2**n) / (l1 - l2)

        an, an1 = a(steps), a(steps - 1)
        bn = -det * an1
        v1 = an * (m11 * e + m12 * e) + bn * e
        v2 = an * (m21 * e + m22 * e) + bn * e
        sq = mpmath.re(v1) ** 2 + mpmath.re(v2) ** 2
        return mpmath.log(sq) / 2 if sq > 0 else mpmath.mpf("-inf")


def certified_growth(method: str, lam: Any, lr: Any, mom: Any, steps: int, e0: Any, float_end: Any):
    """log(|s_N| / |s_0|) per problem with an error bound: the blocks that can matter (float64
    log-norm within ``_GROWTH_SLACK`` of the largest) are recomputed in mpmath at 60 and at
    90 digits (+ digits lost to a near double root); the error is twice their difference
    plus the neglected blocks' share (d e^-60). Returns (value, error) arrays (batch,)."""
    import mpmath

    lam = np.asarray(lam, dtype=np.float64)
    batch, d = lam.shape
    lr_b = np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(batch, -1), (batch, d))
    mom_b = np.broadcast_to(np.asarray(mom, dtype=np.float64).reshape(batch, -1), (batch, d))
    e0 = np.asarray(e0, dtype=np.float64).reshape(batch, d)
    end = np.asarray(float_end, dtype=np.float64).reshape(batch, d)
    T = [np.asarray(x, dtype=np.float64) for x in eigen_iteration(method, lam, lr_b, momentum=mom_b)]
    value = np.empty(batch)
    error = np.empty(batch)
    for b in range(batch):
        with quiet():
            top = np.max(np.where(np.isfinite(end[b]), end[b], -np.inf))
        if not all(np.all(np.isfinite(m[b])) for m in T):
            value[b], error[b] = math.nan, math.inf
            continue
        # a run that ended at exactly 0 (a nilpotent block) or overflowed: every block exactly
        cand = np.flatnonzero(end[b] >= top - _GROWTH_SLACK) if np.isfinite(top) else np.arange(d)
        results = []
        for dps in (60, 90):
            logs = []
            for i in cand.tolist():
                gap = abs((T[0][b, i] - T[3][b, i]) ** 2 / 4 + T[1][b, i] * T[2][b, i])
                extra = 0 if gap == 0 else max(0, int(-math.log10(gap)) // 2)
                logs.append(_mp_block_log_norm(T[0][b, i], T[1][b, i], T[2][b, i], T[3][b, i], e0[b, i],
                                               steps, dps + extra))
            with mpmath.workdps(dps):
                # the probe's norm: the sum over blocks of each block's 2-norm (probes._eigen_growth)
                start = mpmath.log(mpmath.fsum(mpmath.sqrt(2 * mpmath.mpf(float(x)) ** 2) for x in e0[b]))
                finite_logs = [x for x in logs if x != mpmath.mpf("-inf")]
                if not finite_logs:
                    results.append(mpmath.mpf("-inf"))
                    continue
                m = max(finite_logs)
                total = m + mpmath.log(mpmath.fsum(mpmath.exp(x - m) for x in finite_logs))
                results.append(total - start)
        lo, hi = results
        if hi == mpmath.mpf("-inf") and lo == hi:
            value[b], error[b] = -math.inf, 0.0  # the exact state is 0
            continue
        value[b] = float(hi)
        neglected = d * math.exp(-_GROWTH_SLACK)
        error[b] = float(2 * abs(hi - lo)) + neglected + abs(float(hi)) * _EPS
    return value, error
