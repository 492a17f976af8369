"""A result cache on disk, shared by ``verify`` and ``sweep``.

Entries are keyed by what determines a result: the kind of entry ("claim" for a
whole verified claim, "measure" for one sweep measurement), the claim id, the
check, the parameters (as the runner's repr-exact JSON key), the seed, the
backend, the example budget, and a hash of the code that computes them. The code
hash covers every source file of the ``theorykit`` package and of the package
that defines the claim (``proofs`` for the built-in catalog), so editing any of
them invalidates the entries instead of serving stale results. The hash is
conservative on purpose: a stale hit would be a wrong verdict, a miss only costs
time.

Storage is ``diskcache`` (SQLite underneath): safe for several processes writing
at once, which the parallel runner and Dask clients do, and an interrupted run
keeps every entry written before the interruption, so the next run resumes.
Values are plain JSON-able dicts, never pickles of claim objects.

The directory is ``$THEORYKIT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/theorykit``
(``~/.cache/theorykit/results``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["ResultCache", "default_cache_dir", "code_hash", "claim_code_hash", "cache_key", "cached_run"]

_SCHEMA = 1  # bump when the stored value layout changes


def default_cache_dir() -> Path:
    env = os.environ.get("THEORYKIT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "theorykit" / "results"  # a folder of its own: ~/.cache/theorykit holds other files


def _hash_tree(root: Path, h) -> None:
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")


@functools.lru_cache(maxsize=None)
def _package_hash(package_dir: str) -> str:
    h = hashlib.sha256()
    _hash_tree(Path(package_dir), h)
    return h.hexdigest()


def code_hash() -> str:
    """Hash of every source file of the installed ``theorykit`` package."""
    return _package_hash(str(Path(__file__).resolve().parent.parent))


def _defining_dirs(claim) -> list[str]:
    """Source directories (or single files) of the code behind a claim's checks."""
    funcs = [claim.derive, claim.strategy]
    for chk in claim.checks:
        funcs += [chk.measure, chk.predict, chk.strategy]
    for m in claim.mutants:
        funcs += [m.predict, m.strategy]
    out = set()
    for f in funcs:
        mod = sys.modules.get(getattr(f, "__module__", None) or "")
        file = getattr(mod, "__file__", None)
        if not file:
            continue
        top = sys.modules.get(mod.__name__.split(".")[0])
        top_file = getattr(top, "__file__", None)
        # a package: hash all of it (helpers such as proofs/_util.py live next to the claim)
        if top_file and Path(top_file).name == "__init__.py":
            out.add(str(Path(top_file).resolve().parent))
        else:
            out.add(str(Path(file).resolve()))
    return sorted(out)


def claim_code_hash(claim) -> str:
    """Hash of theorykit plus the code that defines ``claim`` (its package, or its module file)."""
    h = hashlib.sha256(code_hash().encode())
    for d in _defining_dirs(claim):
        p = Path(d)
        h.update(_package_hash(d).encode() if p.is_dir() else p.read_bytes())
    return h.hexdigest()


def cache_key(kind: str, **fields: Any) -> str:
    """A stable string key from JSON-able fields (sorted)."""
    return json.dumps({"schema": _SCHEMA, "kind": kind, **fields}, sort_keys=True, default=str)


class ResultCache:
    """``get(key) -> dict | None`` and ``set(key, value)`` on a diskcache directory."""

    def __init__(self, directory: str | os.PathLike | None = None):
        try:
            import diskcache
        except ModuleNotFoundError as exc:  # a core dependency; only a broken install lacks it
            raise InputError("cache", "the result cache needs diskcache (pip install diskcache), "
                                      "or run with --no-cache") from exc
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._store = diskcache.Cache(str(self.directory))
        except OSError as exc:
            raise InputError("cache", f"cannot use cache directory {self.directory}: {exc.strerror or exc}") from None

    def get(self, key: str) -> dict | None:
        try:
            value = self._store.get(key, default=None)
        except Exception:  # a corrupt entry is a miss, never a crash
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict) -> None:
        self._store.set(key, value)

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        n = len(self._store)
        self._store.clear()
        return n

    def __len__(self) -> int:
        return len(self._store)

    def count(self, kind: str) -> int:
        """Entries of one kind: "claim" (verified claims), "measure" (sweep points), "seconds"."""
        n = 0
        for key in self._store.iterkeys():
            try:
                n += json.loads(key).get("kind") == kind
            except (TypeError, ValueError, AttributeError):
                continue
        return n

    def close(self) -> None:
        self._store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # diskcache handles are not picklable; a worker opens its own from the directory
    def __getstate__(self):
        return {"directory": str(self.directory)}

    def __setstate__(self, state):
        self.__init__(state["directory"])


# --------------------------------------------------------------------------- expensive runs
def _function_code_hash(fn) -> str:
    """theorykit's code hash plus that of the package (or module file) defining ``fn``."""
    h = hashlib.sha256(code_hash().encode())
    mod = sys.modules.get(getattr(fn, "__module__", "") or "")
    file = getattr(mod, "__file__", None)
    if file:
        top = sys.modules.get(mod.__name__.split(".")[0])
        top_file = getattr(top, "__file__", None)
        if top_file and Path(top_file).name == "__init__.py":
            h.update(_package_hash(str(Path(top_file).resolve().parent)).encode())
        else:
            h.update(Path(file).read_bytes())
    return h.hexdigest()


_RUN_CACHE: dict = {}


def _run_store():
    if os.environ.get("THEORYKIT_RUN_CACHE", "1") == "0":
        return None
    if "store" not in _RUN_CACHE:
        try:
            _RUN_CACHE["store"] = ResultCache()
        except InputError:
            _RUN_CACHE["store"] = None
    return _RUN_CACHE["store"]


def cached_run(name: str):
    """Cache an expensive run on disk: ``fn(params) -> dict`` of JSON-able numbers (the scalars a
    claim's measures read), keyed by ``name``, the parameters and the code hash of theorykit plus
    the package defining ``fn`` (an edit invalidates every entry; a stale hit would be a wrong
    verdict, a miss only costs time). ``THEORYKIT_RUN_CACHE=0`` turns it off; an unusable cache
    directory is a miss, never an error. In-process repeats are served from memory."""

    def decorate(fn):
        memo: dict = {}

        @functools.wraps(fn)
        def wrapper(params):
            fields = json.dumps(dict(params), sort_keys=True, default=repr)
            if fields in memo:
                return memo[fields]
            store = _run_store()
            key = cache_key("run", name=name, params=fields, code=_function_code_hash(fn)) if store is not None else None
            hit = store.get(key) if store is not None else None
            if hit is not None and isinstance(hit.get("value"), dict):
                value = hit["value"]
            else:
                value = fn(params)
                if store is not None:
                    try:
                        store.set(key, {"value": value})
                    except Exception:  # a full or read-only disk: the run is still good
                        pass
            memo[fields] = value
            return value

        return wrapper

    return decorate
