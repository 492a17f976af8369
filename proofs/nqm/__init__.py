"""The Noisy Quadratic Model (Zhang et al. 2019): the SGD recurrence (recurrence, whose docstring
states the family's conventions and Monte Carlo run size), the heavy-ball moments (momentum),
the critical batch size and the short-horizon bias (batch); shared constants in _common."""
from __future__ import annotations

from .batch import NQM_CRITICAL_BATCH, NQM_SHORT_HORIZON
from .momentum import NQM_MOMENTUM
from .recurrence import NQM_SGD

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = (NQM_SGD, NQM_MOMENTUM, NQM_CRITICAL_BATCH, NQM_SHORT_HORIZON)
