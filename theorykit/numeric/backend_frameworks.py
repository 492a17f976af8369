"""The JAX and PyTorch array namespaces for ``get_namespace`` (imported lazily from there).

* ``"jax"``: ``jax.numpy``, which implements the array API standard itself (array-api-compat
  hands it back unchanged), with ``jax_enable_x64`` turned on so that float64 means float64.
  JAX arrays are immutable: numeric code that must write into an array goes through
  ``set_item`` below (``x.at[i].set(v)`` on JAX, assignment elsewhere).
* ``"torch"`` / ``"torch-cuda"``: ``array_api_compat.torch``. For ``"torch-cuda"`` the
  process's default torch device becomes the GPU (``torch.set_default_device``), so the
  namespace's creation functions (``asarray``, ``zeros``, ...) allocate there; without a
  CUDA device it raises ``BackendUnavailable``.
"""
from __future__ import annotations

from typing import Any

from ..errors import BackendUnavailable

__all__ = ["framework_namespace", "set_item"]

_HINTS = {
    "jax": "backend 'jax' needs JAX: pip install 'theorykit[jax]'",
    "torch": "backend 'torch' needs PyTorch: pip install 'theorykit[torch]'",
    "torch-cuda": "backend 'torch-cuda' needs a CUDA build of PyTorch and a CUDA device",
}


def framework_namespace(backend: str) -> Any:
    try:
        if backend == "jax":
            import jax

            jax.config.update("jax_enable_x64", True)
            import jax.numpy as xp

            return xp
        import torch

        if backend == "torch-cuda":
            if not torch.cuda.is_available():
                raise BackendUnavailable(f"{_HINTS[backend]} (torch.cuda.is_available() is False)")
            torch.set_default_device("cuda")
        import array_api_compat.torch as xp

        return xp
    except BackendUnavailable:
        raise
    except ImportError as exc:
        raise BackendUnavailable(f"{_HINTS[backend]} ({exc})") from exc


def set_item(x: Any, index: Any, value: Any) -> Any:
    """``x`` with ``x[index] = value``: functional on JAX (immutable arrays), in place elsewhere."""
    if hasattr(x, "at") and type(x).__module__.startswith(("jax", "jaxlib")):
        return x.at[index].set(value)
    x[index] = value
    return x
