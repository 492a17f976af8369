"""Bring your own model (public): ``theorykit.models.from_jax``, ``from_torch``, ``run_eos``, ...

See ``theorykit.numeric.models`` for the contracts. Neither JAX nor PyTorch is
imported until an adapter is called.
"""
from .numeric.models import *  # noqa: F401,F403
from .numeric.models import __all__  # noqa: F401
