"""theorykit: check derivations, falsify claims, and tabulate results in
optimization theory for deep learning.

The public API is listed in ``__all__``; everything is imported lazily so that
``import theorykit`` stays cheap and never touches optional backends.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "check": "theorykit.symbolic.derivation",
    "Derivation": "theorykit.symbolic.derivation",
    "DerivationReport": "theorykit.symbolic.derivation",
    "check_latex": "theorykit.symbolic.latex",
    "check_markdown": "theorykit.symbolic.latex",
    "Claim": "theorykit.claims.claim",
    "NumericCheck": "theorykit.claims.claim",
    "Mutant": "theorykit.claims.claim",
    "PepOracle": "theorykit.claims.claim",
    "Source": "theorykit.claims.claim",
    "Kind": "theorykit.claims.claim",
    "get_claim": "theorykit.claims.registry",
    "verify": "theorykit.claims.runner",
    "ClaimResult": "theorykit.claims.result",
    "CheckResult": "theorykit.claims.result",
    "gradcheck": "theorykit.numeric.gradcheck",
    "challenge": "theorykit.claims.challenge",
}
# `claims` is the callable claims package: theorykit.claims("gd.*")
_SUBMODULES = ("probes", "strategies", "errors", "claims", "models")

__all__ = sorted([*_EXPORTS, *_SUBMODULES, "__version__"])


def __getattr__(name: str):
    if name in _EXPORTS:
        if _EXPORTS[name].startswith("theorykit.claims"):
            importlib.import_module("theorykit.report.html")  # registers the notebook renderers
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        if name == "claims":
            importlib.import_module("theorykit.report.html")  # registers the notebook renderers
        module = importlib.import_module(f"theorykit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'theorykit' has no attribute {name!r}")


def __dir__():
    return __all__
