"""Certified stability thresholds on full symmetric Hessians.

On f = x^T A x / 2 with A symmetric, GD / heavy ball / Nesterov decompose along A's
eigenvectors into the 2x2 blocks of ``methods.eigen_iteration``, so the threshold depends
only on the spectrum. Here the spectrum is *enclosed*, not just computed:

* ``eigenvalue_enclosure``: float64 ``eigh`` gives A Q ~ Q diag(w). With R = A Q - Q diag(w)
  and Q nonsingular, Q^-1 A Q = diag(w) + Q^-1 R, so by Bauer-Fike (diag(w) is normal)
  every eigenvalue of A lies within r = ||R||_2 / sigma_min(Q) of some w_j; and
  diag(w) = Q^-1 (A - R Q^-1) Q, so (A is normal) every w_j lies within r of some
  eigenvalue of A (Bauer & Fike 1960). ||R||_2 <= ||R||_F is bounded from the float64
  residual plus the standard rounding bound of a computed matrix product,
  |fl(A Q) - A Q| <= gamma_n |A| |Q| elementwise, gamma_n = n u / (1 - n u) (Higham,
  Accuracy and Stability of Numerical Algorithms, 2nd ed., sec. 3.5), valid for any
  summation order and with FMA; sigma_min(Q)^2 >= 1 - ||Q^T Q - I||_F, bounded the same way.
  The bound is taken twice as generous as the theorem needs, and every float64 step of
  the bound itself is rounded outward.

* ``certify_matrix_thresholds``: for fixed momentum, one block is stable (rho < 1) exactly
  when lr*lam lies in an interval (0, c) (Jury's conditions on z^2 - a z + b are linear in
  lam; e.g. c = 2 for GD, 2 (1 + beta) for heavy ball, Polyak 1964), so for a fixed step
  the stable lam form an interval. Hence: if both ends of every enclosure interval
  [w_j - r, w_j + r] are certifiably stable at eta / (1 + rtol) (``certified_rates``, which
  evaluates the blocks in mpmath where float64 cannot decide), every eigenvalue of A is; and
  if the lower end w_max - r (stable, so > 0, at the smaller step) is certifiably unstable
  at eta (1 + rtol), so is the eigenvalue of A within r of w_max (it is >= w_max - r). The
  stable steps form (0, eta*], so eta* then lies in [eta / (1 + rtol), eta (1 + rtol)).

When r is too large for that (an eigenvalue whose sign float64 cannot fix, a threshold
closer than the enclosure allows) the check fails and the probe raises
``InconclusiveMeasurement`` instead of returning a number.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .certified import certified_rates
from .methods import quiet

__all__ = ["EigenEnclosure", "MatrixThresholdCheck", "eigenvalue_enclosure", "certify_matrix_thresholds"]

_U = 2.0**-53  # unit round-off of float64
_TINY = 2.0**-1022  # smallest normal: an absolute allowance for underflow in each operation


class EigenEnclosure(NamedTuple):
    """Per problem: computed eigenvalues ``w`` (batch, d), ascending, and ``radius`` (batch,):
    every eigenvalue of A is within ``radius`` of some w_j and every w_j within ``radius`` of
    some eigenvalue of A (``inf`` when no bound could be established)."""

    w: np.ndarray
    radius: np.ndarray


def _gamma(n: int) -> float:
    return n * _U / (1 - n * _U)


def _fro_up(M: np.ndarray) -> np.ndarray:
    """An upper bound on the Frobenius norm of each nonnegative (..., n, n) matrix: the float64
    sum of squares of n^2 terms is within gamma_(n^2+1) of the exact one, the sqrt within u."""
    n2 = M.shape[-1] * M.shape[-2]
    with quiet():
        s = np.sum(M * M, axis=(-2, -1))
        return np.sqrt(s * (1 + 2 * _gamma(n2 + 2)) + n2 * _TINY) * (1 + 4 * _U)


def eigenvalue_enclosure(A: Any) -> EigenEnclosure:
    """Rigorous enclosure of the eigenvalues of the exactly symmetric float64 matrices
    A (batch, d, d) (see the module docstring)."""
    A = np.asarray(A, dtype=np.float64)
    if not np.array_equal(A, np.swapaxes(A, -1, -2), equal_nan=True):
        raise ValueError("eigenvalue_enclosure needs exactly symmetric matrices")
    d = A.shape[-1]
    radius = np.full(A.shape[0], np.inf)
    w = np.full(A.shape[:-1], np.nan)
    ok = np.all(np.isfinite(A), axis=(-2, -1))
    if not ok.any():
        return EigenEnclosure(w, radius)
    # scale each matrix by a power of 2 (exact) so that the squares in the norms neither
    # overflow nor underflow; eigenvalues and radius scale back exactly
    with quiet():
        big = np.max(np.abs(A[ok]), axis=(-2, -1))
    _, ex = np.frexp(np.where(big > 0, big, 1.0))
    Af = np.ldexp(A[ok], -ex[:, None, None])
    wf, Q = np.linalg.eigh(Af)
    with quiet():
        absA, absQ = np.abs(Af), np.abs(Q)
        # residual R = A Q - Q diag(w): |fl(R) - R| <= gamma_(d+2) (|A||Q| + |Q||diag(w)|), doubled
        R = Af @ Q - Q * wf[:, None, :]
        errR = 2 * _gamma(d + 2) * (absA @ absQ + absQ * np.abs(wf)[:, None, :]) * (1 + 2 * _gamma(d + 2))
        normR = _fro_up(np.abs(R) + errR + 2 * d * _TINY)
        # E = Q^T Q - I: |fl(E) - E| <= gamma_(d+1) |Q|^T |Q|, doubled
        E = np.swapaxes(Q, -1, -2) @ Q - np.eye(d)
        errE = 2 * _gamma(d + 1) * (np.swapaxes(absQ, -1, -2) @ absQ) * (1 + 2 * _gamma(d + 1))
        normE = _fro_up(np.abs(E) + errE + 2 * d * _TINY)
        one_minus = np.nextafter(1.0 - normE, -np.inf)  # sigma_min(Q)^2 >= 1 - ||E||_2
        sig = np.nextafter(np.sqrt(np.where(one_minus > 0, one_minus, np.nan)), -np.inf)
        r = np.nextafter(normR / sig, np.inf) * (1 + 4 * _U)
    r = np.where(np.isfinite(r) & (normE < 0.5), r, np.inf)
    with quiet():
        # 2^ex back: exact unless a value goes subnormal, where w and the radius each round by
        # at most 2^-1075; one ulp of the radius (>= 2^-1074) up covers both
        w[ok] = np.ldexp(wf, ex[:, None])
        radius[ok] = np.nextafter(np.ldexp(r, ex), np.inf)
    radius[~np.isfinite(radius)] = np.inf
    return EigenEnclosure(w, radius)


class MatrixThresholdCheck(NamedTuple):
    """``certified.ThresholdCheck``'s fields plus the enclosure ``radius`` it used."""

    certified: Any
    rho_below: Any
    rho_above: Any
    radius: Any


def certify_matrix_thresholds(method: str, A: Any, mom: Any, eta: Any, rtol: float) -> MatrixThresholdCheck:
    """Check measured thresholds ``eta`` (batch,) of exactly symmetric A (batch, d, d) to
    ``rtol`` through the enclosure of A's spectrum (module docstring). ``inf`` and ``0``
    (the bisection's bracket never closed) keep the probe's documented meaning and are not
    checked, as in ``certified.certify_thresholds``."""
    A = np.asarray(A, dtype=np.float64)
    batch, d = A.shape[0], A.shape[-1]
    eta = np.asarray(eta, dtype=np.float64).reshape(batch)
    mom = np.broadcast_to(np.asarray(mom, dtype=np.float64).reshape(batch, -1)[:, :1], (batch, 1))
    enc = eigenvalue_enclosure(A)
    finite = np.isfinite(eta) & (eta > 0)
    certified = (eta == np.inf) | (eta == 0)  # the bracket ends; NaN is never certified
    below = np.full(batch, np.nan)
    above = np.full(batch, np.nan)
    rows = np.flatnonzero(finite & np.isfinite(enc.radius))
    if rows.size:
        w, r = enc.w[rows], enc.radius[rows][:, None]
        with quiet():
            # the interval ends, rounded outward
            ends = np.concatenate([np.nextafter(w - r, -np.inf), np.nextafter(w + r, np.inf)], axis=-1)
        top_low = ends[:, d - 1:d]  # w_max - r (w is ascending)
        lo = (eta[rows] / (1 + rtol))[:, None]
        hi = (eta[rows] * (1 + rtol))[:, None]
        sub_mom = mom[rows]
        ok_ends = np.all(np.isfinite(ends), axis=-1)
        r_lo = certified_rates(method, np.where(np.isfinite(ends), ends, 0.0), lo, sub_mom, np.zeros(rows.size), 2)
        r_hi = certified_rates(method, np.where(np.isfinite(top_low), top_low, 0.0), hi, sub_mom,
                               np.zeros(rows.size), 2)
        with quiet():
            stable = np.asarray(r_lo.margin, dtype=np.float64) > np.asarray(r_lo.error, dtype=np.float64)
            unstable = -np.asarray(r_hi.margin, dtype=np.float64) > np.asarray(r_hi.error, dtype=np.float64)
        certified[rows] = ok_ends & stable & unstable
        below[rows] = np.asarray(r_lo.rate, dtype=np.float64)
        above[rows] = np.asarray(r_hi.rate, dtype=np.float64)
    return MatrixThresholdCheck(certified, below, above, enc.radius)

