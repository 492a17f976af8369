"""Results to and from JSON files.

The file is one object: ``{"schema": "theorykit.results", "version": 1,
"theorykit": <version>, "results": [<ClaimResult.to_dict()>, ...]}``. Loading
validates every field and names the file (and the field) when something is wrong.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from ..claims.result import ClaimResult
from ..errors import InputError

__all__ = ["dump_results", "load_results", "results_to_json", "results_from_json", "stamp", "SCHEMA",
           "SCHEMA_VERSION", "DOCUMENT_VERSIONS"]

SCHEMA = "theorykit.results"
SCHEMA_VERSION = 1
# every JSON document theorykit prints names what it is and its layout version:
# "theorykit.results" (verify), "theorykit.derivation" (check, derive), "theorykit.catalog" (list)
DOCUMENT_VERSIONS = {"results": SCHEMA_VERSION, "derivation": 1, "catalog": 1}


def stamp(document: dict, kind: str) -> dict:
    """``document`` with ``schema``, ``version`` and the ``theorykit`` version first."""
    from .. import __version__

    head = {"schema": f"theorykit.{kind}", "version": DOCUMENT_VERSIONS[kind], "theorykit": __version__}
    return {**head, **{k: v for k, v in document.items() if k not in head}}


def results_to_json(results: Iterable[ClaimResult]) -> str:
    from .. import __version__

    doc = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "theorykit": __version__,
        "results": [r.to_dict() for r in results],
    }
    # allow_nan=False: non-finite numbers are already strings, so the file is strict JSON
    return json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def dump_results(results: Iterable[ClaimResult], path: str | Path) -> Path:
    """Write results as JSON to ``path``; returns the path."""
    path = Path(path)
    text = results_to_json(results)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write results: {exc.strerror or exc}") from exc
    return path


def results_from_json(text: str, name: str = "<string>") -> list[ClaimResult]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(name, f"not a theorykit results file (expected an object with \"schema\": \"{SCHEMA}\")")
    if doc.get("version") != SCHEMA_VERSION:
        raise InputError(name, f"results schema version {doc.get('version')!r} is not supported "
                               f"(this theorykit reads version {SCHEMA_VERSION})")
    items = doc.get("results")
    if not isinstance(items, list):
        raise InputError(name, "field 'results' must be a list")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(ClaimResult.from_dict(item, where=f"results[{i}]"))
        except ValueError as exc:
            raise InputError(name, str(exc)) from None
    return out


def load_results(path: str | Path) -> list[ClaimResult]:
    """Read a results file written by ``dump_results`` (or ``theorykit verify --json``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, expected a results JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from None
    return results_from_json(text, str(path))
