"""Confidence intervals for Monte Carlo measurements, and run sizes that guarantee them.

A stochastic claim is checked by running a method many times with seeded noise
and comparing the claim's prediction with an interval around the Monte Carlo
estimate at a stated confidence ``level`` (e.g. 0.999). Three interval kinds:

* ``mean_interval``: mean +- z * SE with the sample standard error (normal
  approximation, CLT); z = Phi^{-1}((1 + level)/2).
* ``wilson_interval``: score interval for a proportion [1].
* ``clopper_pearson_interval``: exact (conservative) interval for a proportion [2].

A ``NumericCheck`` compares against a fixed ``atol``/``rtol``, so checks size
their runs in advance: ``runs_for_halfwidth(variance_bound, halfwidth, level)``
is the number of independent runs after which the normal-approximation
half-width z * sqrt(variance_bound / n) is at most ``halfwidth``.

References:
  [1] E. B. Wilson (1927). Probable inference, the law of succession, and
      statistical inference. JASA 22(158), 209-212. doi:10.1080/01621459.1927.10502953
  [2] C. J. Clopper, E. S. Pearson (1934). The use of confidence or fiducial limits
      illustrated in the case of the binomial. Biometrika 26(4), 404-413. doi:10.1093/biomet/26.4.404
"""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, NamedTuple

from ..errors import InputError

__all__ = [
    "DEFAULT_LEVEL",
    "Interval",
    "clopper_pearson_interval",
    "halfwidth",
    "mean_interval",
    "row_chunks",
    "CHUNK_ELEMENTS",
    "runs_for_halfwidth",
    "wilson_interval",
    "z_value",
]

#: Confidence level used by the stochastic claims unless they say otherwise.
DEFAULT_LEVEL = 0.999


class Interval(NamedTuple):
    """A Monte Carlo estimate with its confidence interval [lo, hi] at ``level`` from ``n_runs`` runs."""

    estimate: float
    lo: float
    hi: float
    level: float
    n_runs: int

    @property
    def halfwidth(self) -> float:
        return (self.hi - self.lo) / 2

    def contains(self, value: float) -> bool:
        return self.lo <= float(value) <= self.hi

    def __str__(self) -> str:
        return (f"{self.estimate:.6g} in [{self.lo:.6g}, {self.hi:.6g}] "
                f"({100 * self.level:g}% CI, {self.n_runs} runs)")

    def value(self, value: float | None = None) -> MonteCarloValue:
        """The estimate (or ``value``, e.g. a confidence bound) as a float that carries this interval."""
        return MonteCarloValue(self.estimate if value is None else value, self)


class MonteCarloValue(float):
    """A measured float that also carries its ``Interval`` as ``.interval``.

    A ``NumericCheck.measure`` may return one: ``float(v)`` is the number the check
    compares, and a runner that looks for ``.interval`` can print the interval and
    the number of runs next to it.
    """

    interval: Interval

    def __new__(cls, value: float, interval: Interval):
        obj = super().__new__(cls, value)
        obj.interval = interval
        return obj

    def __reduce__(self):  # pickles (multiprocessing) keep the interval
        return (MonteCarloValue, (float(self), self.interval))


def _check_level(level: Any) -> float:
    try:
        v = float(level)
    except (TypeError, ValueError) as exc:
        raise InputError("level", f"expected a number in (0, 1), got {level!r}") from exc
    if not 0.0 < v < 1.0:
        raise InputError("level", f"must lie in (0, 1), got {level!r}")
    return v


def _check_count(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise InputError(name, f"expected an integer, got {value!r}")
    v = int(value)
    if v < minimum:
        raise InputError(name, f"must be >= {minimum}, got {v}")
    return v


def z_value(level: float) -> float:
    """Two-sided normal quantile: P(|Z| <= z) = level."""
    return NormalDist().inv_cdf((1.0 + _check_level(level)) / 2.0)


def mean_interval(samples: Any, level: float = DEFAULT_LEVEL) -> Interval:
    """mean +- z * s / sqrt(n) over the first axis of ``samples`` (1-D, any array namespace)."""
    from array_api_compat import array_namespace

    level = _check_level(level)
    try:
        xp = array_namespace(samples)
    except TypeError:
        import numpy as np

        samples = np.asarray(samples, dtype=np.float64)
        xp = array_namespace(samples)
    if samples.ndim != 1:
        raise InputError("samples", f"expected a 1-D array of run results, got shape {tuple(samples.shape)}")
    n = int(samples.shape[0])
    if n < 2:
        raise InputError("samples", f"need at least 2 runs for a standard error, got {n}")
    if not bool(xp.all(xp.isfinite(samples))):
        raise InputError("samples", "contains NaN or inf (a run diverged)")
    mean = float(xp.mean(samples))
    sd = float(xp.std(samples, correction=1))
    hw = z_value(level) * sd / math.sqrt(n)
    return Interval(mean, mean - hw, mean + hw, level, n)


def wilson_interval(successes: int, n: int, level: float = DEFAULT_LEVEL) -> Interval:
    """Wilson score interval for a binomial proportion; the estimate is successes / n."""
    n = _check_count(n, "n", 1)
    k = _check_count(successes, "successes", 0)
    if k > n:
        raise InputError("successes", f"must be <= n = {n}, got {k}")
    z = z_value(level)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    hw = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - hw), min(1.0, centre + hw), float(level), n)


def clopper_pearson_interval(successes: int, n: int, level: float = DEFAULT_LEVEL) -> Interval:
    """Exact Clopper-Pearson interval from Beta quantiles (needs SciPy)."""
    n = _check_count(n, "n", 1)
    k = _check_count(successes, "successes", 0)
    if k > n:
        raise InputError("successes", f"must be <= n = {n}, got {k}")
    level = _check_level(level)
    from scipy.stats import beta

    alpha = 1.0 - level
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return Interval(k / n, lo, hi, level, n)


def runs_for_halfwidth(variance_bound: float, halfwidth: float, level: float = DEFAULT_LEVEL) -> int:
    """Smallest n with z * sqrt(variance_bound / n) <= halfwidth (at least 2)."""
    from .backend import check_positive_scalar

    var = check_positive_scalar(variance_bound, "variance_bound", allow_zero=True)
    hw = check_positive_scalar(halfwidth, "halfwidth")
    z = z_value(level)
    return max(2, math.ceil(z * z * var / (hw * hw)))


def halfwidth(variance_bound: float, n_runs: int, level: float = DEFAULT_LEVEL) -> float:
    """z * sqrt(variance_bound / n_runs): the half-width that n_runs runs guarantee."""
    from .backend import check_positive_scalar

    var = check_positive_scalar(variance_bound, "variance_bound", allow_zero=True)
    n = _check_count(n_runs, "n_runs", 1)
    return z_value(level) * math.sqrt(var / n)


#: Elements a Monte Carlo measure materializes at once (2^25 float64 = 256 MiB per array).
CHUNK_ELEMENTS = 2**25


def row_chunks(n_rows: int, row_elements: int, max_elements: int = CHUNK_ELEMENTS):
    """(start, stop) blocks of rows, each at most ``max_elements`` elements (at least one row).

    Drawing an (R, k) array from a NumPy ``Generator`` (``random``, ``integers``,
    ``standard_normal``) block by block gives exactly the numbers of one (R, k) draw,
    since the stream is consumed row-major: chunking bounds the memory of a run with
    many repetitions (216k runs x 1500 examples of a minibatch check is 2.6 GB at once)
    without changing any result.
    """
    n_rows, row_elements = _check_count(n_rows, "n_rows", 0), _check_count(row_elements, "row_elements", 1)
    step = max(1, int(max_elements) // row_elements)
    return [(a, min(a + step, n_rows)) for a in range(0, n_rows, step)]
