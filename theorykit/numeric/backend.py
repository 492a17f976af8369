"""Array backends: NumPy always; CuPy with a CUDA device; JAX and PyTorch when installed.

Numeric code is written once against the array API: a function takes its
namespace from its inputs (``array_namespace``) or from ``get_namespace``.
CuPy is imported only inside ``get_namespace("cupy")`` so that ``import
theorykit`` never touches CUDA; JAX and PyTorch likewise (``"jax"``: ``jax.numpy``
with float64 enabled, on JAX's default device, a GPU when ``jax[cuda]`` is
installed; ``"torch"``: array-api-compat's torch namespace on the CPU,
``"torch-cuda"``: the same with arrays made on the GPU).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import BackendUnavailable, InputError

__all__ = ["BACKENDS", "DEFAULT_DTYPE", "get_namespace", "backend_name", "to_numpy", "asarray_checked"]

BACKENDS = ("numpy", "cupy", "jax", "torch", "torch-cuda")
DEFAULT_DTYPE = np.float64

_GPU_HINT = "backend 'cupy' needs CuPy and a CUDA GPU: pip install 'theorykit[gpu]'"


def get_namespace(backend: str = "numpy") -> Any:
    """The array-API namespace for ``backend`` ("numpy" or "cupy")."""
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise InputError("backend", f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "numpy":
        import array_api_compat.numpy as xp

        return xp
    if backend in ("jax", "torch", "torch-cuda"):
        from .backend_frameworks import framework_namespace

        return framework_namespace(backend)
    try:
        import cupy  # noqa: F401  (lazy on purpose: importing it initialises CUDA)

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise BackendUnavailable(f"{_GPU_HINT} (no CUDA device found)")
        import array_api_compat.cupy as xp
    except BackendUnavailable:
        raise
    except Exception as exc:  # ImportError, CUDARuntimeError, missing driver libraries, ...
        raise BackendUnavailable(f"{_GPU_HINT} ({type(exc).__name__}: {exc})") from exc
    return xp


def backend_name(xp: Any) -> str:
    """"cupy", "jax" or "torch" for those namespaces, else "numpy"."""
    name = getattr(xp, "__name__", "")
    for b in ("cupy", "jax", "torch"):
        if b in name:
            return b
    return "numpy"


def backend_name_of(x: Any) -> str:
    """The backend an array belongs to ("numpy" for anything else)."""
    mod = type(x).__module__
    for b in ("cupy", "jax", "torch"):
        if mod.startswith(b) or (b == "jax" and mod.startswith("jaxlib")):
            return b
    return "numpy"


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy/view of ``x`` (CuPy arrays are moved to the host)."""
    if hasattr(x, "get") and type(x).__module__.startswith("cupy"):
        return x.get()
    if type(x).__module__.startswith("torch"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def asarray_checked(
    x: Any,
    name: str,
    xp: Any,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    dtype: Any = None,
) -> Any:
    """``x`` as a float64 array of namespace ``xp``, or InputError naming ``name``.

    ``ndim`` is an allowed number of dimensions (or a tuple of them); ``finite``
    rejects NaN and inf.
    """
    try:
        if type(x).__module__.startswith(("cupy", "torch")) and backend_name(xp) != backend_name_of(x):
            x = to_numpy(x)
        arr = xp.asarray(x, dtype=dtype if dtype is not None else xp.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected an array of real numbers ({exc})") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(a) for a in allowed)
            raise InputError(name, f"expected {want} dimension(s), got shape {tuple(arr.shape)}")
    if finite and not bool(xp.all(xp.isfinite(arr))):
        raise InputError(name, "contains NaN or inf")
    return arr


def check_positive_scalar(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """A finite real number > 0 (>= 0 with ``allow_zero``), else InputError."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected a real number, got {value!r}") from exc
    if not math.isfinite(v):
        raise InputError(name, f"must be finite, got {v}")
    if v < 0 or (v == 0 and not allow_zero):
        raise InputError(name, f"must be {'>= 0' if allow_zero else '> 0'}, got {v}")
    return v
