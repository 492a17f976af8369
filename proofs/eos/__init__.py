"""Edge of stability: full-batch GD, momentum and Adam on a small tanh MLP (tanh_mlp, where the
setting is stated), and GD on the bundled digits in JAX and PyTorch (digits, present with JAX)."""
from __future__ import annotations

from . import digits, tanh_mlp

__all__ = ["CLAIMS"]

# the order of the modules this package replaces (catalog listings follow it)
CLAIMS = tanh_mlp.CLAIMS + digits.CLAIMS
