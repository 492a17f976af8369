"""``from_jax``: a JAX loss function and its parameters as a flat-vector ``Problem``.

HVPs are exact, by forward-over-reverse differentiation: H v = d/dt grad L(w + t v)
at t = 0, i.e. ``jax.jvp(jax.grad(L), (w,), (v,))``, one forward and one backward
pass with tangents (Pearlmutter 1994; the recommended form in JAX's autodiff
cookbook). Float64 needs JAX's ``jax_enable_x64`` flag, which is process-wide:
``x64=True`` (the default) turns it on before any array is made here. The three
functions are ``jax.jit``-compiled once; the batch is passed as an argument (not
closed over) so it is not baked into the compiled program as a constant.

JAX is imported inside the functions only: ``import theorykit`` never needs it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...errors import BackendUnavailable, InputError
from .flat import Compiled, ModelProblem, check_batch_size, check_data_rows

__all__ = ["from_jax", "import_jax"]

_HINT = "the JAX adapter needs JAX: pip install 'theorykit[jax]'"


def import_jax(x64: bool = True):
    """The ``jax`` module with float64 enabled (``x64``), or BackendUnavailable naming the extra."""
    try:
        import jax
    except ImportError as exc:
        raise BackendUnavailable(f"{_HINT} ({exc})") from exc
    if x64:
        jax.config.update("jax_enable_x64", True)
    return jax


def _subset(jax, batch: Any, batch_size: int | None, seed: int, n: int) -> Any:
    if batch_size is None:
        return batch
    idx = np.sort(np.random.default_rng(seed).choice(n, size=batch_size, replace=False))
    return jax.tree_util.tree_map(lambda a: a[idx], batch)


def from_jax(loss_fn: Callable[[Any, Any], Any], params: Any, batch: Any, *, batch_size: int | None = None,
             seed: int = 0, x64: bool = True) -> ModelProblem:
    """A ``Problem`` over the flattened ``params`` of ``loss_fn(params, batch) -> scalar``.

    ``params``: any pytree of float arrays (dicts, lists, tuples; flattened in
    ``jax.flatten_util.ravel_pytree``'s order). ``batch``: a pytree of arrays sharing
    their leading dimension n (the examples). ``batch_size``: None for the full-batch
    loss, or k for the loss on a fixed random minibatch of k examples, drawn once
    from ``seed``. ``x64``: compute in float64 (JAX's process-wide flag; with
    ``x64=False`` and the flag off, the model runs in float32 and the Problem still
    speaks float64 NumPy).
    """
    jax = import_jax(x64)
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    if not callable(loss_fn):
        raise InputError("loss_fn", f"expected a callable loss_fn(params, batch), got {type(loss_fn).__name__}")
    dtype = jnp.float64 if jax.config.jax_enable_x64 else jnp.float32
    leaves = jax.tree_util.tree_leaves(params)
    if not leaves:
        raise InputError("params", "holds no arrays")
    for leaf in leaves:
        kind = np.asarray(leaf).dtype.kind if not hasattr(leaf, "dtype") else np.dtype(leaf.dtype).kind
        if kind not in "fiu":
            raise InputError("params", f"leaves must be real float arrays, got dtype {leaf.dtype}")
    params = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype=dtype), params)
    w0, unravel = ravel_pytree(params)

    def cast(a):
        a = jnp.asarray(a)
        return a.astype(dtype) if jnp.issubdtype(a.dtype, jnp.floating) else a

    try:
        batch = jax.tree_util.tree_map(cast, batch)
    except TypeError as exc:
        raise InputError("batch", f"expected a pytree of arrays ({exc})") from exc
    n = check_data_rows([int(np.shape(a)[0]) if np.ndim(a) else 0 for a in jax.tree_util.tree_leaves(batch)], "batch")
    batch_size = check_batch_size(batch_size, n)
    data = _subset(jax, batch, batch_size, int(seed), n)

    def f(w, b):
        return loss_fn(unravel(w), b)

    try:
        out = jax.eval_shape(f, w0, data)
    except Exception as exc:  # the user's function failed on their own params/batch: say so, no traceback
        raise InputError("loss_fn", f"failed on the given params and batch: {type(exc).__name__}: {exc}") from exc
    if getattr(out, "shape", None) != ():
        raise InputError("loss_fn", f"must return a scalar, got {out!r}")

    # The compiled functions take the parameter pytree, not the flat vector: slicing a flat vector
    # inside the program made XLA's CPU backend about 2x slower per HVP at 1e5 parameters (measured
    # against jax.jvp(jax.grad(loss)) on the pytree; the dots get the slices fused in). The flat <->
    # pytree views are made on the host: NumPy slices, one device copy per leaf.
    leaves0, treedef = jax.tree_util.tree_flatten(params)
    shapes = [tuple(np.shape(a)) for a in leaves0]
    bounds = np.concatenate([[0], np.cumsum([int(np.prod(s, dtype=np.int64)) for s in shapes])]).tolist()
    np_dtype = np.dtype(dtype)

    def tree(w):
        w = np.asarray(w, dtype=np_dtype).reshape(-1)
        return jax.tree_util.tree_unflatten(
            treedef, [jnp.asarray(w[a:b].reshape(s)) for a, b, s in zip(bounds[:-1], bounds[1:], shapes)])

    def flat(t):
        return np.concatenate([np.asarray(x, dtype=np.float64).reshape(-1) for x in jax.tree_util.tree_leaves(t)])

    loss_j = jax.jit(loss_fn)
    vg_j = jax.jit(jax.value_and_grad(loss_fn))
    hvp_j = jax.jit(lambda p, v, b: jax.jvp(jax.grad(lambda q: loss_fn(q, b)), (p,), (v,))[1])

    def loss(w):
        return float(loss_j(tree(w), data))

    def loss_and_grad(w):
        val, g = vg_j(tree(w), data)
        return float(val), flat(g)

    def hvp(w, v):
        return flat(hvp_j(tree(w), tree(v), data))

    def rebuild(*, batch_size, seed):
        return from_jax(loss_fn, params, batch, batch_size=batch_size, seed=seed, x64=x64)

    size = "full batch" if batch_size is None else f"fixed minibatch of {batch_size} (seed {seed})"
    desc = f"{getattr(loss_fn, '__name__', 'loss_fn')}, {size}, {np.dtype(dtype).name}"
    device = jax.devices()[0].platform
    return ModelProblem(Compiled(loss, loss_and_grad, hvp), np.asarray(w0, dtype=np.float64), framework="jax",
                        n_examples=batch_size or n, unflatten=lambda w: unravel(jnp.asarray(w, dtype=dtype)),
                        rebuild=rebuild, description=desc, device=device)
