"""Measurement primitives (public): run a method and measure a threshold or a rate.

    >>> from theorykit import probes
    >>> round(probes.stability_threshold("gd", [1.0, 2.0, 4.0]), 6)
    0.5

See ``theorykit.numeric.probes`` for how each probe measures.
"""
from .numeric.probes import (
    GROWTH_TOL,
    bounded,
    growth,
    linear_rate,
    linear_rate_report,
    stability_threshold,
    stability_threshold_matrix,
)
from .numeric.nqm import expected_loss
from .numeric.sharpness import sharpness

__all__ = [
    "expected_loss",
    "GROWTH_TOL",
    "bounded",
    "growth",
    "linear_rate",
    "linear_rate_report",
    "sharpness",
    "stability_threshold",
    "stability_threshold_matrix",
]
