"""A framework model seen as a ``Problem`` over one flat float64 parameter vector.

The adapters (``from_jax``, ``from_torch``) compile three functions of the flat
vector in the framework: loss, (loss, gradient) and the Hessian-vector product.
``ModelProblem`` wraps them behind the ``Problem`` protocol of
``theorykit.numeric.problems``: inputs and outputs are host NumPy float64
arrays of length ``dim`` (the framework may compute on a GPU; one vector moves
each way per call), so ``sharpness``, ``gradcheck``, ``gradcheck_hvp``, the
central flow and the training runs take it unchanged. Like the other
Problems, ``loss``/``grad``/``hvp`` also take a batch of points (rows).

``L``, ``mu``, ``x_star``, ``f_star`` are None: unknown for a network.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ...errors import InputError
from ..backend import asarray_checked, get_namespace

__all__ = ["ModelProblem", "Compiled", "check_batch_size", "check_data_rows"]


class Compiled(NamedTuple):
    """Framework functions of (flat host vector) returning host float64 arrays / floats."""

    loss: Callable[[np.ndarray], float]
    loss_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]]
    hvp: Callable[[np.ndarray, np.ndarray], np.ndarray]


def check_batch_size(batch_size: Any, n: int) -> int | None:
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise InputError("batch_size", f"expected an integer in [1, n = {n}] or None (full batch), got {batch_size!r}")
    return int(batch_size)


def check_data_rows(sizes: list[int], name: str) -> int:
    """The common leading dimension (number of examples) of the data arrays."""
    if not sizes:
        raise InputError(name, "holds no arrays")
    if any(s != sizes[0] for s in sizes):
        raise InputError(name, f"arrays disagree on the number of examples (leading dimension): {sizes}")
    if sizes[0] < 1:
        raise InputError(name, "holds no examples")
    return int(sizes[0])


class ModelProblem:
    """A model's loss as a Problem over R^P; build it with ``from_jax`` / ``from_torch``.

    Attributes: ``dim`` (P), ``w0`` (the initial flat parameters, host float64),
    ``framework`` ("jax" / "torch"), ``n_examples`` (rows the loss averages over:
    the full batch, or the fixed minibatch), ``unflatten(w)`` (framework
    parameters from a flat vector), ``minibatch(size, seed)`` (the same model on
    a fixed random subset of the examples, drawn once).
    """

    L = None
    mu = None
    x_star = None
    f_star = None
    max_hessian_dim = 4000  # hessian() builds P HVPs and a P x P matrix

    def __init__(self, compiled: Compiled, w0: np.ndarray, *, framework: str, n_examples: int,
                 unflatten: Callable[[np.ndarray], Any], rebuild: Callable[..., "ModelProblem"],
                 description: str = "", device: str = "cpu"):
        self._c = compiled
        self.xp = get_namespace("numpy")
        self.w0 = np.ascontiguousarray(np.asarray(w0, dtype=np.float64).reshape(-1))
        self.dim = int(self.w0.size)
        self.framework = framework
        self.n_examples = int(n_examples)
        self.unflatten = unflatten
        self._rebuild = rebuild
        self.description = description
        self.device = device

    # -- the Problem protocol --------------------------------------------------------------
    def _check_w(self, w: Any, name: str = "w", ndim: Any = 1) -> np.ndarray:
        w = asarray_checked(w, name, self.xp, ndim=ndim)
        if w.shape[-1] != self.dim:
            raise InputError(name, f"expected flat vectors of length P = {self.dim} ({self.description}), "
                                   f"got {w.shape[-1]}")
        return np.ascontiguousarray(np.asarray(w, dtype=np.float64))

    def loss(self, w: Any) -> Any:
        w = self._check_w(w, ndim=(1, 2))
        if w.ndim == 2:
            return np.asarray([self._c.loss(row) for row in w])
        return np.float64(self._c.loss(w))

    def loss_and_grad(self, w: Any) -> tuple[Any, np.ndarray]:
        """(loss, gradient (P,)) from one forward and one backward pass."""
        w = self._check_w(w)
        f, g = self._c.loss_and_grad(w)
        return np.float64(f), g

    def grad(self, w: Any) -> np.ndarray:
        w = self._check_w(w, ndim=(1, 2))
        if w.ndim == 2:
            return np.stack([self._c.loss_and_grad(row)[1] for row in w])
        return self._c.loss_and_grad(w)[1]

    def hvp(self, w: Any, v: Any) -> np.ndarray:
        """Exact H(w) v by automatic differentiation (no finite differences)."""
        w = self._check_w(w, ndim=(1, 2))
        v = self._check_w(v, "v", ndim=w.ndim)
        if w.ndim == 2:
            if v.shape[0] != w.shape[0]:
                raise InputError("v", f"expected {w.shape[0]} rows like w, got {v.shape[0]}")
            return np.stack([self._c.hvp(a, b) for a, b in zip(w, v)])
        return self._c.hvp(w, v)

    def hessian(self, w: Any) -> np.ndarray:
        """The P x P Hessian, column j = hvp(w, e_j); P <= max_hessian_dim."""
        if self.dim > self.max_hessian_dim:
            raise InputError("w", f"hessian() is for small models: P = {self.dim} > max_hessian_dim = "
                                  f"{self.max_hessian_dim}; use hvp() or sharpness()")
        w = self._check_w(w)
        eye = np.eye(self.dim)
        H = np.stack([self._c.hvp(w, eye[j]) for j in range(self.dim)], axis=1)
        return (H + H.T) / 2

    # -- extras ----------------------------------------------------------------------------
    def minibatch(self, size: int, seed: int = 0) -> "ModelProblem":
        """The same model and initial point on a fixed random subset of ``size`` examples."""
        return self._rebuild(batch_size=size, seed=seed)

    def __repr__(self) -> str:
        return f"ModelProblem({self.framework}: {self.description}, P={self.dim}, n={self.n_examples})"
