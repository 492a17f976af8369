"""Momentum on quadratics: heavy ball's recurrence, stability region and rates (heavy_ball, where
the family's setting is stated), Nesterov's method, heavy ball versus GD and greedy heavy ball =
conjugate gradient (accelerated); what both share is in _common."""
from __future__ import annotations

from . import accelerated, heavy_ball

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = heavy_ball.CLAIMS + accelerated.CLAIMS
