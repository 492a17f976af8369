"""Newton–Schulz iterations for the orthogonal polar factor, as used by Muon.

For a matrix G = U diag(s) V^T (thin SVD) the polar factor is U V^T. An odd
matrix polynomial step

    X <- c_1 X + c_2 (X X^T) X + c_3 (X X^T)^2 X + ...

keeps the singular vectors and maps each singular value s to
p(s) = c_1 s + c_2 s^3 + c_3 s^5 + ... (with sign: p(s) < 0 flips the pair).
This module only *runs* the matrix iteration; the scalar map p is what the
claims in ``proofs/muon.py`` predict, and what they compare the measured
singular values / singular pairs of the iterate with.

Coefficients:
  * ``CUBIC = (1.5, -0.5)``: the classical Newton–Schulz step (Higham 2008,
    "Functions of Matrices", Sec. 8.3), converging to U V^T for s in (0, sqrt 3).
  * ``MUON_QUINTIC = (3.4445, -4.7750, 2.0315)``: the tuned quintic of
    K. Jordan et al. (2024), https://kellerjordan.github.io/posts/muon/ and
    https://github.com/KellerJordan/Muon, applied after dividing by the
    Frobenius norm; it trades convergence for speed (it has no fixed point at 1).

Array API code: runs on NumPy and CuPy.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked

__all__ = [
    "CUBIC",
    "MUON_QUINTIC",
    "SVDMatrix",
    "matrix_with_singular_values",
    "newton_schulz",
    "polar_factor",
    "singular_values",
]

CUBIC: tuple[float, ...] = (1.5, -0.5)
MUON_QUINTIC: tuple[float, ...] = (3.4445, -4.7750, 2.0315)


def _check_coefficients(coefficients: Sequence[float]) -> tuple[float, ...]:
    try:
        coeffs = tuple(float(c) for c in coefficients)
    except (TypeError, ValueError) as exc:
        raise InputError("coefficients", f"expected a sequence of real numbers, got {coefficients!r}") from exc
    if not coeffs or not all(math.isfinite(c) for c in coeffs):
        raise InputError("coefficients", f"expected a non-empty sequence of finite numbers, got {coefficients!r}")
    return coeffs


def newton_schulz(G: Any, steps: int, *, coefficients: Sequence[float] = CUBIC, normalize: bool = False) -> Any:
    """``steps`` iterations of X <- sum_j c_j (X X^T)^(j-1) X from X_0 = G (m, n).

    ``normalize=True`` starts from G / ||G||_F as Muon does (so every singular
    value is <= 1); a zero matrix then raises InputError. The Gram matrix is
    formed on the smaller side (X^T X when m > n) since (X X^T)^j X = X (X^T X)^j.
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise InputError("steps", f"must be a non-negative integer, got {steps!r}")
    coeffs = _check_coefficients(coefficients)
    try:
        xp = array_namespace(G)
    except TypeError:
        import array_api_compat.numpy as xp
    X = asarray_checked(G, "G", xp, ndim=2)
    if normalize:
        fro = float(xp.sqrt(xp.sum(X * X)))
        if fro == 0.0:
            raise InputError("G", "is the zero matrix: it has no polar factor to normalize towards")
        X = X / fro
    tall = X.shape[0] > X.shape[1]
    for _ in range(int(steps)):
        A = X.T @ X if tall else X @ X.T  # (k, k) Gram matrix, k = min(m, n)
        # Horner in the Gram matrix: P(A) = c_1 I + c_2 A + c_3 A^2 + ...
        P = coeffs[-1] * xp.eye(A.shape[0], dtype=X.dtype)
        for c in reversed(coeffs[:-1]):
            P = P @ A + c * xp.eye(A.shape[0], dtype=X.dtype)
        X = X @ P if tall else P @ X
    return X


def singular_values(X: Any) -> Any:
    """Singular values of X (min(m, n),), descending, by the backend's SVD."""
    xp = array_namespace(X)
    return xp.linalg.svdvals(X)


def polar_factor(G: Any) -> Any:
    """U V^T from the thin SVD of G (the target the iterations should reach)."""
    xp = array_namespace(G)
    U, _, Vh = xp.linalg.svd(G, full_matrices=False)
    return U @ Vh


class SVDMatrix(NamedTuple):
    """A matrix built from chosen singular values, with its factors kept."""

    G: Any  # (m, n) = U diag(s) V^T
    U: Any  # (m, k) orthonormal columns, k = len(s)
    V: Any  # (n, k) orthonormal columns
    s: Any  # (k,) the singular values, in the order given


def _haar(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, k)))
    return q * np.sign(np.diag(r))  # Haar-distributed orthonormal columns


def matrix_with_singular_values(s: Sequence[float], shape: tuple[int, int], rng: np.random.Generator,
                                xp: Any = None) -> SVDMatrix:
    """G = U diag(s) V^T with Haar-random U (m, k), V (n, k); k = len(s) <= min(m, n).

    Drawn on the host so one seed gives the same matrix on every backend.
    """
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 1 or s.size < 1 or not np.all(np.isfinite(s)) or np.any(s < 0):
        raise InputError("s", "expected a non-empty 1-D sequence of finite non-negative numbers")
    m, n = (int(v) for v in shape)
    if s.size > min(m, n):
        raise InputError("shape", f"{shape} has room for {min(m, n)} singular values, got {s.size}")
    U, V = _haar(rng, m, s.size), _haar(rng, n, s.size)
    G = (U * s) @ V.T
    if xp is not None:
        return SVDMatrix(xp.asarray(G), xp.asarray(U), xp.asarray(V), xp.asarray(s))
    return SVDMatrix(G, U, V, s)
