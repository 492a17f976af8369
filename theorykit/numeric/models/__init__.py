"""Bring your own model: JAX and PyTorch models as ``Problem``s (``theorykit.models``).

* ``from_jax(loss_fn, params, batch)`` and ``from_torch(module, loss_fn, data)`` return a
  ``ModelProblem``: a Problem over one flat float64 parameter vector with exact HVPs, so
  ``theorykit.probes.sharpness``, ``theorykit.gradcheck``, ``gradcheck_hvp``, the central
  flow and ``run_eos`` take it unchanged. Full batch, or a fixed minibatch (``batch_size``).
* ``run_eos`` / ``summarize_eos``: training with sharpness tracking, and the plateau
  against the method's threshold.
* ``load_digits`` / ``digits_problem``: the bundled 8x8 digits and small nets on them.
* ``load_model("module:factory")``: what the ``theorykit sharpness|gradcheck|eos`` commands load.

JAX and PyTorch are imported only when an adapter is called.
"""
from .digits import digits_problem, init_params, load_digits
from .factory import load_model
from .flat import ModelProblem
from .jax_adapter import from_jax
from .torch_adapter import from_torch
from .training import EoSSummary, EoSTrace, eos_threshold, run_eos, summarize_eos

__all__ = [
    "EoSSummary",
    "EoSTrace",
    "ModelProblem",
    "digits_problem",
    "eos_threshold",
    "from_jax",
    "from_torch",
    "init_params",
    "load_digits",
    "load_model",
    "run_eos",
    "summarize_eos",
]
