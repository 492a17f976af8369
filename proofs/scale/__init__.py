"""Scale invariance, L(c w) = L(w) for c > 0 (normalization layers), and (S)GD with weight decay on
such losses: the identities, norm dynamics and exponential learning-rate equivalence (invariance);
the norm equilibrium, learning-rate decays and the intrinsic learning rate (equilibrium)."""
from __future__ import annotations

from . import equilibrium, invariance

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = invariance.CLAIMS + equilibrium.CLAIMS
