"""The claims layer: Claim data, the registry and the runner.

``theorykit.claims`` is both this package and the public lookup function
``theorykit.claims(pattern=None)``: Python binds the submodule to the parent's
attribute on any ``import theorykit.claims.x``, which would shadow a function
of the same name, so the package module itself is made callable.
"""
from __future__ import annotations

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, pattern=None):
        """All registered claims, or those matching ``pattern`` (an id, 'family.*' or a glob)."""
        from .registry import claims

        return claims(pattern)


sys.modules[__name__].__class__ = _CallableModule
