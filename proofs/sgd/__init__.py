"""Stochastic gradient descent: sampling facts (sampling: coverage of an epoch with replacement,
minibatch variance, the unbiased one-sample gradient, reshuffling), the convex rate under bounded
noise (convex_rate), O(1/sqrt(t)) schedules (sqrt_schedule) and data-parallel batches
(data_parallel)."""
from __future__ import annotations

from .convex_rate import SGD_CONVEX_RATE
from .data_parallel import SGD_DATA_PARALLEL
from .sampling import SGD_COVERAGE, SGD_MINIBATCH, SGD_RESHUFFLING, SGD_UNBIASED
from .sqrt_schedule import SGD_SQRT_SCHEDULE

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = (SGD_COVERAGE, SGD_MINIBATCH, SGD_CONVEX_RATE, SGD_UNBIASED, SGD_RESHUFFLING, SGD_SQRT_SCHEDULE,
          SGD_DATA_PARALLEL)
