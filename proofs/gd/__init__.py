"""Gradient descent x+ = x - eta grad f(x): one-step guarantees and step-size thresholds (one_step),
and the convergence rates, convex O(1/N), the exact 1/(4N+2) worst case and the nonconvex
gradient-norm bound (rates)."""
from __future__ import annotations

from . import one_step, rates

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = one_step.CLAIMS + rates.CLAIMS
