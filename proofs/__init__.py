"""The theorykit claim catalog: one module per family of claims, or one package
for a large family.

Each family module (or package) exports ``CLAIMS``, a tuple of ``theorykit.Claim``. This
package is the built-in catalog registered under the entry-point group
``theorykit.catalogs``; third-party catalogs follow the same shape.
"""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["CLAIMS", "FAMILY_MODULES"]

# Discovered rather than listed, so adding a family is adding a module.
FAMILY_MODULES = tuple(
    sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
)


def _collect():
    out = []
    for name in FAMILY_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        out.extend(getattr(module, "CLAIMS", ()))
    return tuple(out)


def __getattr__(name):
    # Lazy so that `import proofs` does not build every claim until asked.
    if name == "CLAIMS":
        value = _collect()
        globals()["CLAIMS"] = value
        return value
    raise AttributeError(name)
