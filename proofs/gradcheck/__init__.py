"""Finite differences and gradient checks: truncation order (order), the optimal step (optimal_h),
checks that miss or fake a bug (bugs), and checks limited by precision (precision)."""
from __future__ import annotations

from ._common import difference_quotient
from .bugs import GRADCHECK_DROPOUT, GRADCHECK_RELU_KINK, GRADCHECK_SPECIAL_POINT, GRADCHECK_WEIGHT_DECAY
from .optimal_h import GRADCHECK_OPTIMAL_H
from .order import GRADCHECK_CENTERED, GRADCHECK_FORWARD
from .precision import GRADCHECK_DEPTH, GRADCHECK_FLOAT32

__all__ = ["CLAIMS", "difference_quotient"]

# the order of the single module this package replaces (catalog listings follow it)
CLAIMS = (GRADCHECK_CENTERED, GRADCHECK_FORWARD, GRADCHECK_OPTIMAL_H, GRADCHECK_RELU_KINK, GRADCHECK_WEIGHT_DECAY,
          GRADCHECK_DEPTH, GRADCHECK_SPECIAL_POINT, GRADCHECK_DROPOUT, GRADCHECK_FLOAT32)
