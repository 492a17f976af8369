"""``from_torch``: a PyTorch module, a loss and data as a flat-vector ``Problem``.

The module is copied (the caller's module is left as it was), cast to float64
and called functionally on a flat parameter vector with
``torch.func.functional_call``. Two exact HVPs:

* ``"func"``: forward-over-reverse, ``torch.func.jvp(torch.func.grad(L), (w,), (v,))``;
* ``"double_backward"``: reverse-over-reverse, g = dL/dw with ``create_graph=True``,
  then d<g, v>/dw (Pearlmutter 1994; what PyHessian and hessian-eigenthings do). The graph
  of g is kept for the last w (per thread) and reused while w is equal in value, so the
  HVPs of one Lanczos run share one forward and backward pass, as PyHessian's do.

``hvp="auto"`` (default) uses double backward: it needs only that the backward
pass is itself differentiable (a custom ``torch.autograd.Function`` whose
backward is written in torch operations qualifies), while forward mode also
needs a forward-mode formula for every op (a custom Function's ``jvp``; in
torch 2.14 ``torch.nn.functional.mse_loss`` has none that works under
``torch.func.grad``). ``hvp="func"`` checks this at construction. The gradient is plain reverse mode (``torch.autograd.grad``), so a
custom backward is what ``gradcheck`` compares with finite differences.

PyTorch is imported inside the functions only.
"""
from __future__ import annotations

import copy
import threading
from typing import Any, Callable

import numpy as np

from ...errors import BackendUnavailable, InputError
from .flat import Compiled, ModelProblem, check_batch_size, check_data_rows

__all__ = ["from_torch", "import_torch", "HVP_MODES"]

HVP_MODES = ("auto", "func", "double_backward")
_HINT = "the PyTorch adapter needs PyTorch: pip install 'theorykit[torch]'"


def import_torch():
    try:
        import torch
    except ImportError as exc:
        raise BackendUnavailable(f"{_HINT} ({exc})") from exc
    return torch


def _device(torch, device: Any) -> Any:
    if device is None:
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InputError("device", f"not a torch device: {device!r} ({exc})") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise BackendUnavailable("device 'cuda' needs a CUDA build of PyTorch and a CUDA device (none found)")
    return dev


def _tensor(torch, a: Any, dtype: Any, dev: Any, name: str) -> Any:
    try:
        t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a))
    except (TypeError, ValueError, RuntimeError) as exc:
        raise InputError(name, f"expected a tensor or array ({exc})") from exc
    t = t.detach().to(dev)
    return t.to(dtype) if t.is_floating_point() else t


def from_torch(module: Any, loss_fn: Callable[..., Any], data: Any, *, batch_size: int | None = None, seed: int = 0,
               device: Any = None, dtype: str = "float64", hvp: str = "auto",
               num_threads: int | None = None) -> ModelProblem:
    """A ``Problem`` over the flattened trainable parameters of ``module``.

    ``loss_fn(outputs, *targets) -> scalar`` with ``outputs = module(inputs)`` and
    ``data = (inputs, *targets)`` (tensors or arrays sharing their leading
    dimension n; e.g. ``(X, y)``). ``batch_size``: None for the full-batch loss,
    or k for a fixed random minibatch of k examples drawn once from ``seed``.
    ``device``: "cpu" (default) or "cuda". ``dtype``: "float64" (default) or
    "float32". ``hvp``: one of ``HVP_MODES`` (see the module docstring).
    ``num_threads``: if given, ``torch.set_num_threads(num_threads)`` (process-wide): for
    small models on a busy CPU, 1 thread avoids OpenMP oversubscription, which measured
    10-30x slower per step on a loaded 2-core machine.
    """
    torch = import_torch()
    from torch.func import functional_call

    if not isinstance(module, torch.nn.Module):
        raise InputError("module", f"expected a torch.nn.Module, got {type(module).__name__}")
    if not callable(loss_fn):
        raise InputError("loss_fn", f"expected a callable loss_fn(outputs, *targets), got {type(loss_fn).__name__}")
    if hvp not in HVP_MODES:
        raise InputError("hvp", f"unknown mode {hvp!r}; choose one of {', '.join(HVP_MODES)}")
    if dtype not in ("float64", "float32"):
        raise InputError("dtype", f"expected 'float64' or 'float32', got {dtype!r}")
    tdtype = getattr(torch, dtype)
    if num_threads is not None:
        if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
            raise InputError("num_threads", f"expected a positive integer or None, got {num_threads!r}")
        torch.set_num_threads(num_threads)
    dev = _device(torch, device)
    if not isinstance(data, (tuple, list)) or not data:
        raise InputError("data", "expected a tuple (inputs, *targets) of tensors or arrays")
    tensors = [_tensor(torch, a, tdtype, dev, "data") for a in data]
    n = check_data_rows([int(t.shape[0]) if t.ndim else 0 for t in tensors], "data")
    batch_size = check_batch_size(batch_size, n)
    if batch_size is not None:
        idx = torch.as_tensor(np.sort(np.random.default_rng(int(seed)).choice(n, batch_size, replace=False)), device=dev)
        tensors = [t[idx] for t in tensors]
    inputs, targets = tensors[0], tensors[1:]

    model = copy.deepcopy(module).to(device=dev, dtype=tdtype)
    named = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
    if not named:
        raise InputError("module", "has no trainable parameters")
    names = [k for k, _ in named]
    shapes = [tuple(p.shape) for _, p in named]
    sizes = [int(p.numel()) for _, p in named]
    buffers = dict(model.named_buffers())
    w0 = torch.cat([p.detach().reshape(-1) for _, p in named]).cpu().numpy().astype(np.float64)

    offsets = np.concatenate([[0], np.cumsum(sizes)]).tolist()

    def unflat(w):
        # slices + reshape rather than torch.split + view: forward-mode AD (hvp="func") meets
        # immutable zero tangents through split's views
        return {k: w[a:b].reshape(s) for k, a, b, s in zip(names, offsets[:-1], offsets[1:], shapes)}

    def f(w):
        return loss_fn(functional_call(model, (unflat(w), buffers), (inputs,)), *targets)

    def f_list(ps):
        return loss_fn(functional_call(model, (dict(zip(names, ps)), buffers), (inputs,)), *targets)

    def leaves(w):
        # one leaf per parameter (as a raw loop over module.parameters() has): autograd then
        # never scatters gradients back into a flat vector (zero-fill + add per slice)
        return [w[a:b].reshape(s).detach().requires_grad_(True) for a, b, s in zip(offsets[:-1], offsets[1:], shapes)]

    def cat(ts):
        return torch.cat([t.reshape(-1) for t in ts])

    def to_t(a):
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(device=dev, dtype=tdtype)

    def host(t):
        return t.detach().to("cpu", torch.float64).numpy()

    def loss(w):
        with torch.no_grad():
            return float(f(to_t(w)))

    def filled(gs, ps):  # a parameter the loss does not use has gradient 0 (autograd says None)
        return [torch.zeros_like(p) if g is None else g for g, p in zip(gs, ps)]

    def loss_and_grad(w):
        ps = leaves(to_t(w))
        val = f_list(ps)
        g = torch.autograd.grad(val, ps, allow_unused=True)
        return float(val.detach()), host(cat(filled(g, ps)))

    last = threading.local()  # the gradient graph at the last w, per thread

    def grad_graph(w):
        """(leaves, dL/dw with its graph) at w, reused while w is equal in value (PyHessian keeps its
        gradsH across power iterations the same way): a Lanczos run at one w then pays the forward
        and backward pass once, and each HVP only the double-backward pass."""
        key = getattr(last, "w", None)
        if key is not None and key.shape == w.shape and np.array_equal(key, w):
            return last.ps, last.g
        last.w = last.ps = last.g = None  # free the old graph before building the new one
        ps = leaves(to_t(w))
        g = torch.autograd.grad(f_list(ps), ps, create_graph=True, allow_unused=True)
        last.w, last.ps, last.g = np.array(w, dtype=np.float64, copy=True), ps, g
        return ps, g

    def hvp_double(w, v):
        ps, g = grad_graph(np.asarray(w, dtype=np.float64).reshape(-1))
        vt = to_t(v)
        vs = [vt[a:b].reshape(s) for a, b, s in zip(offsets[:-1], offsets[1:], shapes)]
        # gradient blocks that do not depend on w (linear terms) contribute nothing to H v
        live = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None and gi.requires_grad]
        if not live:
            return np.zeros(w0.size)
        hv = torch.autograd.grad([gi for gi, _ in live], ps, grad_outputs=[vi for _, vi in live], allow_unused=True,
                                 retain_graph=True)
        return host(cat(filled(hv, ps)))

    def hvp_func(w, v):
        return host(torch.func.jvp(torch.func.grad(f), (to_t(w),), (to_t(v),))[1])

    try:
        with torch.no_grad():
            out = f(to_t(w0))
    except Exception as exc:  # the user's module / loss failed on their own data: say so, no traceback
        raise InputError("loss_fn", f"failed on the given module and data: {type(exc).__name__}: {exc}") from exc
    if not isinstance(out, torch.Tensor) or out.numel() != 1 or out.ndim > 1:
        raise InputError("loss_fn", f"must return a scalar tensor, got {type(out).__name__} "
                                    f"{tuple(getattr(out, 'shape', ()))}")
    hvp_fn = hvp_func if hvp == "func" else hvp_double
    if hvp == "func":  # forward mode lacks formulas for some ops (mse_loss in torch 2.14): fail here, clearly
        try:
            hvp_func(w0, w0)
        except Exception as exc:
            raise InputError("hvp", f"forward-over-reverse (torch.func) failed on this model: {type(exc).__name__}: "
                                    f"{str(exc)[:200]}; use hvp='double_backward'") from exc

    def rebuild(*, batch_size, seed):
        return from_torch(module, loss_fn, data, batch_size=batch_size, seed=seed, device=device, dtype=dtype, hvp=hvp,
                          num_threads=num_threads)

    size = "full batch" if batch_size is None else f"fixed minibatch of {batch_size} (seed {seed})"
    desc = f"{type(module).__name__}, {size}, {dtype}, hvp={'func' if hvp == 'func' else 'double_backward'}"
    prob = ModelProblem(Compiled(loss, loss_and_grad, hvp_fn), w0, framework="torch", n_examples=batch_size or n,
                        unflatten=lambda w: unflat(to_t(w)), rebuild=rebuild, description=desc, device=str(dev))
    prob.module = model
    return prob
