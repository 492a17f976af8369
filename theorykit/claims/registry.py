"""The claim registry: the built-in ``proofs`` catalog plus installed plugin catalogs.

A catalog is an entry point in the group ``theorykit.catalogs`` that resolves to a
module (or any object) with a ``CLAIMS`` attribute, a callable returning claims, or
an iterable of claims. The built-in catalog is the repository's ``proofs/`` folder,
installed as the package ``theorykit.catalog`` (registered as the entry point
``builtin``; loaded directly too, so that a source checkout without installed
metadata still has it, under its folder name ``proofs``).

Claims are loaded once and cached; ``clear_cache()`` forces a reload (tests, or
after installing a catalog in a running session).
"""
from __future__ import annotations

import difflib
import fnmatch
import importlib
import threading
from importlib import metadata
from pathlib import Path

from ..errors import TheorykitError, UnknownClaimError
from .claim import Claim

__all__ = ["claims", "get_claim", "families", "catalogs", "clear_cache", "CatalogError", "ENTRY_POINT_GROUP",
           "builtin_module"]

ENTRY_POINT_GROUP = "theorykit.catalogs"
BUILTIN_MODULE = "theorykit.catalog"  # what `pip install` makes of the repository's proofs/
SOURCE_MODULE = "proofs"  # the same package in a source checkout


def builtin_module() -> str:
    """``theorykit.catalog`` when installed; ``proofs`` when running from a source checkout
    (or an editable install), where ``proofs/`` sits beside ``theorykit/``. The catalog
    always comes from the same tree as the theorykit being run."""
    package = Path(__file__).resolve().parents[1]
    source = package.parent / SOURCE_MODULE / "__init__.py"
    if not (package / "catalog").is_dir() and source.is_file() and _importable_from(SOURCE_MODULE, source):
        return SOURCE_MODULE
    # an installed wheel, or an editable install run from elsewhere (proofs/ is then
    # not on sys.path, but the package-dir mapping serves it as theorykit.catalog)
    return BUILTIN_MODULE


def _importable_from(name: str, init: Path) -> bool:
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    return spec is not None and spec.origin is not None and Path(spec.origin).resolve() == init.resolve()

_lock = threading.Lock()
_cache: tuple[tuple[Claim, ...], dict[str, str]] | None = None  # (claims, id -> catalog name)


class CatalogError(TheorykitError):
    """A catalog could not be loaded, or two catalogs define the same claim id."""


def clear_cache() -> None:
    global _cache
    with _lock:
        _cache = None


def _as_claims(obj, origin: str) -> tuple[Claim, ...]:
    """Resolve what a catalog entry point gave us into a tuple of claims."""
    if hasattr(obj, "CLAIMS"):  # a module (the lazy CLAIMS of a package may import its families here)
        obj = obj.CLAIMS
    elif callable(obj):
        try:
            obj = obj()
        except TheorykitError:
            raise
        except Exception as exc:
            raise CatalogError(f"catalog {origin}: calling it raised {type(exc).__name__}: {exc}") from exc
    try:
        items = tuple(obj)
    except TypeError:
        raise CatalogError(
            f"catalog {origin}: expected a module with CLAIMS, a callable returning claims, "
            f"or an iterable of claims; got {type(obj).__name__}"
        ) from None
    for item in items:
        if not isinstance(item, Claim):
            raise CatalogError(f"catalog {origin}: {item!r} is not a theorykit Claim")
    return items


def _catalog_sources():
    """(origin name, loader) pairs: the builtin first, then plugins sorted by name."""
    builtin = builtin_module()
    out = [(f"builtin ({builtin})", lambda: importlib.import_module(builtin), builtin)]
    eps = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value))
    seen_values = {BUILTIN_MODULE, SOURCE_MODULE}
    for ep in eps:
        if ep.value in seen_values:  # the builtin is registered as an entry point too
            continue
        seen_values.add(ep.value)
        out.append((f"{ep.name} ({ep.value})", ep.load, ep.value))
    return out


def _load() -> tuple[tuple[Claim, ...], dict[str, str]]:
    ordered: list[Claim] = []
    origin_of: dict[str, str] = {}
    by_id: dict[str, Claim] = {}
    for origin, loader, _value in _catalog_sources():
        try:
            obj = loader()
        except ModuleNotFoundError as exc:
            if _value in (BUILTIN_MODULE, SOURCE_MODULE) and exc.name == _value:
                continue  # theorykit installed without its catalog: plugins only
            raise CatalogError(f"catalog {origin} could not be imported: {exc}") from exc
        except TheorykitError:
            raise
        except Exception as exc:
            raise CatalogError(f"catalog {origin} could not be loaded: {type(exc).__name__}: {exc}") from exc
        try:
            found = _as_claims(obj, origin)
        except TheorykitError:
            raise
        except Exception as exc:  # e.g. the lazy CLAIMS of a package whose family module is broken
            raise CatalogError(f"catalog {origin} could not be loaded: {type(exc).__name__}: {exc}") from exc
        for claim in found:
            if claim.id in by_id:
                if by_id[claim.id] is claim:  # the same object re-exported: not a conflict
                    continue
                raise CatalogError(
                    f"duplicate claim id {claim.id!r}: defined by catalog {origin_of[claim.id]} "
                    f"and by catalog {origin}"
                )
            by_id[claim.id] = claim
            origin_of[claim.id] = origin
            ordered.append(claim)
    return tuple(ordered), origin_of


def _registry() -> tuple[tuple[Claim, ...], dict[str, str]]:
    global _cache
    with _lock:
        if _cache is None:
            _cache = _load()
        return _cache


def catalogs() -> dict[str, str]:
    """claim id -> the catalog that defines it."""
    return dict(_registry()[1])


def families() -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.family for c in _registry()[0]))


def _close_ids(query: str, all_claims: tuple[Claim, ...]) -> list[str]:
    ids = [c.id for c in all_claims]
    fams = list(dict.fromkeys(c.family for c in all_claims))
    family, _, name = query.partition(".")
    close = difflib.get_close_matches(query, ids, n=5, cutoff=0.6)
    # A family typo ("gdd.*", "momentm.rate"): offer the close families and their ids.
    near_fams = [family] if family in fams else difflib.get_close_matches(family, fams, n=2, cutoff=0.6)
    for fam in near_fams:
        if name in ("*", "") or any(ch in query for ch in "*?["):
            close.append(f"{fam}.*")
        close.extend(c.id for c in all_claims if c.family == fam)
    return list(dict.fromkeys(close))[:10]


def claims(pattern: str | None = None) -> tuple[Claim, ...]:
    """All claims, or those matching ``pattern``: an exact id, ``family.*`` or an fnmatch glob.

    A pattern that matches nothing raises ``UnknownClaimError`` listing close ids.
    """
    all_claims = _registry()[0]
    if pattern is None:
        return all_claims
    if not isinstance(pattern, str) or not pattern.strip():
        from ..errors import InputError

        raise InputError("pattern", f"expected a claim id or glob like 'family.*', got {pattern!r}")
    pattern = pattern.strip()
    exact = [c for c in all_claims if c.id == pattern]
    if exact:
        return tuple(exact)
    if any(ch in pattern for ch in "*?["):
        hits = tuple(c for c in all_claims if fnmatch.fnmatchcase(c.id, pattern))
        if hits:
            return hits
    elif pattern in {c.family for c in all_claims}:  # a bare family name means the whole family
        return tuple(c for c in all_claims if c.family == pattern)
    raise UnknownClaimError(pattern, _close_ids(pattern, all_claims))


def get_claim(claim_id: str) -> Claim:
    """The claim with exactly this id; ``UnknownClaimError`` (listing close ids) otherwise."""
    all_claims = _registry()[0]
    for c in all_claims:
        if c.id == claim_id:
            return c
    raise UnknownClaimError(str(claim_id), _close_ids(str(claim_id), all_claims))
