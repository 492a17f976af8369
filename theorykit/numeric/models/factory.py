"""``load_model("module:factory")``: the user's model for the command line.

``module`` is an importable dotted name (the current directory is searched first, as
``python -m`` does) or a path to a ``.py`` file; ``factory`` is a function in it,
called with no arguments. It returns

* a ``Problem`` built by the adapters (``from_jax`` / ``from_torch``), or any object
  with ``dim``, ``loss``, ``grad``, ``hvp`` and an initial point ``w0``;
* or the adapters' arguments: a dict ``{"module": ..., "loss_fn": ..., "data": ...}``
  (PyTorch) or ``{"loss_fn": ..., "params": ..., "batch": ...}`` (JAX), or the same as
  a tuple ``(module, loss_fn, data)`` / ``(loss_fn, params, batch)``.

Every failure is an ``InputError`` naming MODEL (no traceback): a malformed spec, a
module that cannot be imported (with the reason), a missing or non-callable factory,
a factory that raised, or a return value of the wrong kind.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from typing import Any

from ...errors import InputError, TheorykitError

__all__ = ["load_model", "to_problem"]

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ARG = "MODEL"


def _is_torch_module(obj: Any) -> bool:
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module" for c in type(obj).__mro__)


def _import(mod: str):
    if mod.endswith(".py"):
        if not os.path.isfile(mod):
            raise InputError(_ARG, f"no such file: {mod}")
        name = "_theorykit_model_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(mod))[0])
        spec = importlib.util.spec_from_file_location(name, mod)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    if not _DOTTED.match(mod):
        raise InputError(_ARG, f"{mod!r} is not a module name (dotted identifiers) or a path to a .py file")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(mod)


def load_model(spec: Any) -> Any:
    """The Problem that ``spec`` = "module:factory" names (module docstring)."""
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise InputError(_ARG, f"expected MODULE:FACTORY (e.g. mymodels:make_problem), got {spec!r}")
    mod, fac = spec.rsplit(":", 1)
    if not fac.isidentifier():
        raise InputError(_ARG, f"factory {fac!r} is not a Python identifier")
    try:
        module = _import(mod)
    except TheorykitError:
        raise
    except ModuleNotFoundError as exc:
        raise InputError(_ARG, f"cannot import {mod!r}: {exc}") from exc
    except Exception as exc:  # the user's module raised while importing
        raise InputError(_ARG, f"importing {mod!r} failed: {type(exc).__name__}: {exc}") from exc
    factory = getattr(module, fac, None)
    if factory is None:
        public = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_"))[:10]
        raise InputError(_ARG, f"module {mod!r} has no {fac!r}" + (f" (callables: {', '.join(public)})" if public else ""))
    if not callable(factory):
        raise InputError(_ARG, f"{spec} is a {type(factory).__name__}, not a callable factory")
    try:
        made = factory()
    except TheorykitError:
        raise
    except Exception as exc:
        raise InputError(_ARG, f"{spec}() raised {type(exc).__name__}: {exc}") from exc
    return to_problem(made, spec)


def to_problem(made: Any, spec: str = "factory") -> Any:
    """A factory's return value as a Problem with ``w0`` (module docstring)."""
    from .jax_adapter import from_jax
    from .torch_adapter import from_torch

    if isinstance(made, dict):
        if "module" in made:
            return from_torch(**made)
        if "params" in made:
            return from_jax(**made)
        raise InputError(_ARG, f"{spec}() returned a dict without 'module' (PyTorch) or 'params' (JAX): "
                               f"keys {sorted(made)}")
    if isinstance(made, (tuple, list)) and len(made) == 3:
        if _is_torch_module(made[0]):
            return from_torch(*made)
        if callable(made[0]):
            return from_jax(*made)
    for attr in ("dim", "w0"):
        if not hasattr(made, attr):
            raise InputError(_ARG, f"{spec}() must return a Problem from theorykit.models.from_jax/from_torch "
                                   f"(or their arguments); got {type(made).__name__} without .{attr}")
    for attr in ("loss", "grad", "hvp"):
        if not callable(getattr(made, attr, None)):
            raise InputError(_ARG, f"{spec}() returned {type(made).__name__} without a callable .{attr}")
    return made
