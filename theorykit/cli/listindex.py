"""A cached index of the catalog for ``theorykit list``: id, kind, title, sources.

Building the catalog imports SymPy, NumPy, SciPy and Hypothesis and constructs every
claim (seconds); listing needs four strings per claim. The index is stored in the
user cache directory under a key made of the theorykit version, the Python version,
and the name, size and mtime of every source file of every catalog (the built-in one
and each ``theorykit.catalogs`` entry point) and of ``theorykit/claims`` -- the same
invalidation rule as Python's own ``.pyc`` files. Any change, or any problem reading
the cache, falls back to loading the catalog (and rewrites the index).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

__all__ = ["cached_rows", "store_rows", "index_key"]

_FORMAT = 1


def _files_of(module_name: str) -> list[Path]:
    """Source files of a top-level module or package, without importing it."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        out = []
        for loc in spec.submodule_search_locations:
            out.extend(sorted(Path(loc).rglob("*.py")))
        return out
    return [Path(spec.origin)] if spec.origin and spec.origin not in ("built-in", "frozen") else []


def _builtin_module() -> str:
    from ..claims import registry

    return registry.builtin_module()


def index_key() -> str | None:
    """The cache key of the installed catalogs, or None when it cannot be computed."""
    from importlib import metadata

    from .. import __version__

    h = hashlib.sha256()
    h.update(f"{_FORMAT}|{__version__}|{sys.version}|{sys.executable}".encode())
    modules = [_builtin_module()]
    try:
        eps = sorted(metadata.entry_points(group="theorykit.catalogs"), key=lambda ep: (ep.name, ep.value))
    except Exception:
        return None
    for ep in eps:
        h.update(f"ep|{ep.name}|{ep.value}".encode())
        modules.append(ep.value.split(":")[0].split(".")[0])
    files = _files_of("theorykit.claims")
    for name in modules:
        files.extend(_files_of(name))
    if len(files) <= len(_files_of("theorykit.claims")):
        return None  # no catalog source found: do not cache a guess
    for f in files:
        try:
            st = f.stat()
        except OSError:
            return None
        h.update(f"{f}|{st.st_size}|{st.st_mtime_ns}".encode())
    # sys.path decides which copies are imported
    h.update("|".join(sys.path).encode())
    return h.hexdigest()[:24]


def _path(key: str) -> Path:
    from .._cache import user_cache_dir

    return user_cache_dir() / f"list-index-{key}.json"


def cached_rows() -> tuple[str | None, list[dict] | None]:
    """(key, rows) with rows None on a miss."""
    if os.environ.get("THEORYKIT_NO_LIST_CACHE"):
        return None, None
    try:
        key = index_key()
    except Exception:  # the index is an optimization: never fail `list` because of it
        return None, None
    if key is None:
        return None, None
    try:
        rows = json.loads(_path(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return key, None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and {"id", "kind", "title", "sources"} <= set(r)
                                             for r in rows):
        return key, None
    return key, rows


def store_rows(key: str | None, rows: list[dict]) -> None:
    if key is None:
        return
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a concurrent `list` never reads half a file
        for old in path.parent.glob("list-index-*.json"):  # keep only the current index
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
