"""Hypothesis strategies for optimization-theory objects (like ``hypothesis.extra.numpy``).

All arguments are keyword-only and checked when the strategy is *built*, so
``spectra(dim=0)`` raises ``InputError("dim", ...)`` at once, not inside a test.
A range argument is either a number (fixed) or a ``(low, high)`` pair (inclusive).

How values are generated (and shrink):

* ``spectra``: the condition number is drawn log-uniformly from ``kappa`` (or
  implied by ``mu`` and ``L``); the endpoints mu and L are always in the
  spectrum, so kappa is attained exactly; interior eigenvalues are
  log-uniform in [mu, L]. Shrinks toward small dims, kappa = 1 and eigenvalues
  equal to mu.
* random rotations and data come from a seed drawn by Hypothesis and a NumPy
  Generator, so they shrink toward seed 0 and are reproducible.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .errors import InputError

__all__ = ["spectra", "spd_matrices", "step_sizes", "quadratics", "logistic_problems"]

_DEFAULT_KAPPA = (1.0, 1e3)
_DEFAULT_SPD_KAPPA = (1.0, 100.0)


# ---------------------------------------------------------------------------
# eager argument checks


def _int_range(value: Any, name: str, minimum: int) -> tuple[int, int]:
    def ok(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if ok(value):
        lo = hi = int(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2 and ok(value[0]) and ok(value[1]):
        lo, hi = int(value[0]), int(value[1])
    else:
        raise InputError(name, f"expected an integer or a (low, high) pair of integers, got {value!r}")
    if lo < minimum:
        raise InputError(name, f"must be >= {minimum}, got {value!r}")
    if hi < lo:
        raise InputError(name, f"low must be <= high, got {value!r}")
    return lo, hi


def _float_range(value: Any, name: str, *, minimum: float, strict: bool) -> tuple[float, float]:
    def num(v):
        if isinstance(v, bool):
            raise TypeError
        return float(v)

    try:
        if isinstance(value, (tuple, list)):
            if len(value) != 2:
                raise TypeError
            lo, hi = num(value[0]), num(value[1])
        else:
            lo = hi = num(value)
    except (TypeError, ValueError):
        raise InputError(name, f"expected a number or a (low, high) pair, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(name, f"must be finite, got {value!r}")
    if lo < minimum or (strict and lo == minimum):
        raise InputError(name, f"must be {'>' if strict else '>='} {minimum}, got {value!r}")
    if hi < lo:
        raise InputError(name, f"low must be <= high, got {value!r}")
    return lo, hi


def _floats(lo: float, hi: float) -> SearchStrategy[float]:
    return st.just(lo) if lo == hi else st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _log_uniform(lo: float, hi: float) -> SearchStrategy[float]:
    """Log-uniform in [lo, hi] (lo > 0), clipped so the endpoints are exact."""
    if lo == hi:
        return st.just(lo)
    return st.floats(math.log(lo), math.log(hi)).map(lambda t: min(max(math.exp(t), lo), hi))


def _seeds() -> SearchStrategy[int]:
    return st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------------------
# spectra


def _check_spectrum_args(dim, mu, L, kappa):
    d_lo, d_hi = _int_range(dim, "dim", 1)
    mu_r = None if mu is None else _float_range(mu, "mu", minimum=0.0, strict=True)
    L_r = None if L is None else _float_range(L, "L", minimum=0.0, strict=True)
    explicit_kappa = kappa is not _DEFAULT_KAPPA and kappa is not _DEFAULT_SPD_KAPPA
    k_r = _float_range(kappa, "kappa", minimum=1.0, strict=False)
    if mu_r and L_r:
        if explicit_kappa:
            raise InputError("kappa", "give at most two of mu, L and kappa (kappa = L/mu is implied)")
        if L_r[1] < mu_r[0]:
            raise InputError("L", f"must allow L >= mu; L range {L_r} lies below mu range {mu_r}")
    # One eigenvalue means kappa = 1; where the ranges exclude that, dims start at 2.
    if d_lo == 1:
        kappa_one_ok = (mu_r is not None and L_r is not None and L_r[0] <= mu_r[1]) or (
            not (mu_r and L_r) and k_r[0] == 1.0
        )
        if not kappa_one_ok:
            if d_hi == 1:
                raise InputError("dim", "dim 1 has kappa = 1, which the mu/L/kappa ranges exclude; allow dim >= 2")
            d_lo = 2
    return (d_lo, d_hi), mu_r, L_r, k_r


@st.composite
def _spectrum(draw, d: int, mu_r, L_r, k_r) -> np.ndarray:
    if mu_r and L_r:
        if d == 1:
            lo, hi = max(mu_r[0], L_r[0]), min(mu_r[1], L_r[1])
            return np.array([draw(_log_uniform(lo, hi))])
        mu = draw(_log_uniform(mu_r[0], min(mu_r[1], L_r[1])))
        L = draw(_log_uniform(max(L_r[0], mu), L_r[1]))
    else:
        kappa = 1.0 if d == 1 else draw(_log_uniform(*k_r))
        if L_r:
            L = draw(_log_uniform(*L_r))
            mu = L / kappa
        elif mu_r:
            mu = draw(_log_uniform(*mu_r))
            L = mu * kappa
        else:
            L = 1.0
            mu = L / kappa
        if d == 1:
            return np.array([L if L_r or not mu_r else mu])
    fractions = draw(st.lists(st.floats(0.0, 1.0), min_size=d - 2, max_size=d - 2))
    inner = [min(max(math.exp(math.log(mu) + f * (math.log(L) - math.log(mu))), mu), L) for f in fractions]
    return np.sort(np.array([mu, *inner, L], dtype=np.float64))


def spectra(
    *,
    dim: int | tuple[int, int] = (1, 8),
    mu: float | tuple[float, float] | None = None,
    L: float | tuple[float, float] | None = None,
    kappa: float | tuple[float, float] = _DEFAULT_KAPPA,
    batch: int | tuple[int, int] | None = None,
) -> SearchStrategy[np.ndarray]:
    """Sorted positive eigenvalue arrays, shape (d,) or, with ``batch``, (batch, d).

    Give at most two of ``mu``, ``L`` and ``kappa`` (numbers or ranges). With
    neither mu nor L, L = 1. The smallest eigenvalue is mu and the largest L
    exactly (for d >= 2), so kappa = L/mu is attained. A single eigenvalue has
    kappa = 1, so when the ranges exclude kappa = 1 the drawn dims start at 2.
    A batch shares one d; each row is drawn independently.
    """
    (d_lo, d_hi), mu_r, L_r, k_r = _check_spectrum_args(dim, mu, L, kappa)
    b_r = None if batch is None else _int_range(batch, "batch", 1)

    @st.composite
    def build(draw):
        d = draw(st.integers(d_lo, d_hi))
        if b_r is None:
            return draw(_spectrum(d, mu_r, L_r, k_r))
        n = draw(st.integers(*b_r))
        return np.stack([draw(_spectrum(d, mu_r, L_r, k_r)) for _ in range(n)])

    return build()


# ---------------------------------------------------------------------------
# matrices and problems


def _rotate(eig: np.ndarray, seed: int) -> np.ndarray:
    from .numeric.problems import _from_spectrum, haar_orthogonal

    return _from_spectrum(eig, haar_orthogonal(eig.shape[-1], np.random.default_rng(seed)))


def _spectrum_source(spectrum, dim, kappa, name="spectrum"):
    if spectrum is None:
        return spectra(dim=dim, kappa=kappa)
    if isinstance(spectrum, SearchStrategy):
        return spectrum
    arr = np.asarray(spectrum, dtype=np.float64) if not isinstance(spectrum, str) else None
    if arr is None or arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(name, "expected a strategy or a non-empty 1-D array of positive finite eigenvalues")
    return st.just(np.sort(arr))


def spd_matrices(
    *,
    dim: int | tuple[int, int] = (1, 6),
    spectrum: Any = None,
    kappa: float | tuple[float, float] = _DEFAULT_SPD_KAPPA,
) -> SearchStrategy[np.ndarray]:
    """Symmetric positive definite matrices Q diag(spectrum) Q^T.

    ``spectrum`` is a fixed 1-D array of positive eigenvalues, a strategy of
    them (e.g. ``spectra(...)``), or None for ``spectra(dim=dim, kappa=kappa)``.
    Q is Haar-random from a drawn seed.
    """
    if spectrum is None:
        _check_spectrum_args(dim, None, None, kappa)
    source = _spectrum_source(spectrum, dim, kappa)
    return st.builds(_rotate, source, _seeds())


def step_sizes(*, L: float = 1.0, fraction: float | tuple[float, float] = (0.05, 0.95)) -> SearchStrategy[float]:
    """Step sizes ``fraction * 2/L``, the fraction drawn uniformly from ``fraction``
    (fractions > 1 give step sizes past GD's stability limit, e.g. for mutants)."""
    L_r = _float_range(L, "L", minimum=0.0, strict=True)
    if L_r[0] != L_r[1]:
        raise InputError("L", "must be a single number")
    f_lo, f_hi = _float_range(fraction, "fraction", minimum=0.0, strict=True)
    scale = 2.0 / L_r[0]
    return _floats(f_lo, f_hi).map(lambda f: f * scale)


def quadratics(
    *,
    dim: int | tuple[int, int] = (1, 6),
    mu: float | tuple[float, float] | None = None,
    L: float | tuple[float, float] | None = None,
    kappa: float | tuple[float, float] = _DEFAULT_SPD_KAPPA,
    linear_term: bool = False,
) -> SearchStrategy:
    """``Quadratic`` problems with Hessian drawn as in ``spd_matrices`` and spectrum
    as in ``spectra``; with ``linear_term`` a Gaussian b (from the drawn seed), else b = 0."""
    if kappa is _DEFAULT_SPD_KAPPA and mu is not None and L is not None:
        kappa = _DEFAULT_KAPPA  # not an explicit kappa
    source = spectra(dim=dim, mu=mu, L=L, kappa=kappa)
    if not isinstance(linear_term, bool):
        raise InputError("linear_term", f"expected True or False, got {linear_term!r}")

    def build(eig, seed):
        from .numeric.problems import Quadratic

        A = _rotate(eig, seed)
        b = np.random.default_rng(seed + 1).standard_normal(eig.size) if linear_term else None
        return Quadratic(A, b)

    return st.builds(build, source, _seeds())


def logistic_problems(
    *,
    n: int | tuple[int, int] = (4, 20),
    dim: int | tuple[int, int] = (1, 4),
    reg: float | tuple[float, float] = (1e-3, 1.0),
    separable: bool | None = None,
) -> SearchStrategy:
    """Small ``LogisticRegression`` problems with Gaussian features.

    ``separable=True``: labels y = sign(X w) for a random w (linearly separable);
    ``False``: labels as for True, then the first point is duplicated with the
    opposite label, so no w separates the data; ``None``: either. Both classes
    always occur. ``reg`` is drawn uniformly from its range (0 allowed).
    """
    n_lo, n_hi = _int_range(n, "n", 2)
    d_r = _int_range(dim, "dim", 1)
    reg_r = _float_range(reg, "reg", minimum=0.0, strict=False)
    if separable not in (True, False, None):
        raise InputError("separable", f"expected True, False or None, got {separable!r}")
    if separable is False and n_hi < 3:
        raise InputError("n", "non-separable data needs n >= 3 (a point and its flipped duplicate)")
    sep = st.sampled_from([True, False]) if separable is None else st.just(separable)

    @st.composite
    def build(draw):
        from .numeric.problems import LogisticRegression

        d = draw(st.integers(*d_r))
        is_sep = draw(sep)
        size = draw(st.integers(max(n_lo, 2 if is_sep else 3), n_hi))
        rng = np.random.default_rng(draw(_seeds()))
        m = size if is_sep else size - 1
        X = rng.standard_normal((m, d))
        w = rng.standard_normal(d)
        y = np.sign(X @ w)
        y[y == 0] = 1.0
        # both classes present: flip the point closest to the boundary if needed
        if np.all(y == y[0]):
            i = int(np.argmin(np.abs(X @ w)))
            X[i] = -X[i]
            y[i] = -y[i]
        if not is_sep:
            X = np.vstack([X, X[:1]])
            y = np.append(y, -y[0])
        return LogisticRegression(X, y, draw(_floats(*reg_r)))

    return build()
