"""Lines per claim in proofs/: how long a catalog entry is to read (issue 14: "a typical claim of
well under 100 lines").

    python benchmarks/claim_lines.py [--top N] [--json out.json]

The measure, per claim (read from the source with ``ast``; nothing is imported):

* **own**: the non-blank lines of the claim's ``NAME = Claim(...)`` statement plus every
  top-level function, class or assignment in ``proofs/`` that the claim reaches (through
  names, transitively, across modules of the catalog) and that no other claim reaches;
* **shared**: the helpers that two or more claims reach, each split evenly among the claims
  that reach it (so the catalog's total is preserved: the sum over claims of own + shared
  is every reached line exactly once);
* **total** = own + shared; **doc** is the part of own that is the ``doc=`` prose.

Imports from ``theorykit`` (the library) are not counted: a claim that uses a library
probe is short because the library does the work, which is the point. Module docstrings,
imports and ``__all__`` are not counted either. Median, p90 and max are printed for own
and total, and the longest claims are listed.
"""
from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROOFS = ROOT / "proofs"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PROOFS.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve_from(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


class Node:
    __slots__ = ("module", "name", "lines", "doc_lines", "refs", "is_claim")

    def __init__(self, module, name, lines, doc_lines, refs, is_claim):
        self.module, self.name, self.lines, self.doc_lines = module, name, lines, doc_lines
        self.refs, self.is_claim = refs, is_claim


def _nonblank(src_lines: list[str], start: int, end: int) -> int:
    return sum(1 for line in src_lines[start - 1:end] if line.strip())


def _is_claim_call(value) -> bool:
    return isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", None)) == "Claim"


def _doc_lines(call: ast.Call, src_lines: list[str]) -> int:
    for kw in call.keywords:
        if kw.arg == "doc":
            return _nonblank(src_lines, kw.value.lineno, kw.value.end_lineno)
    return 0


def _names_used(node) -> set:
    """Names and dotted attribute chains (``mod.name``) read inside ``node``."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            out.add(f"{sub.value.id}.{sub.attr}")
    return out


def parse_catalog(root: Path = PROOFS):
    """All top-level definitions of the catalog as nodes keyed by 'module:name', with resolved references."""
    nodes: dict[str, Node] = {}
    raw: dict[str, tuple[str, set, dict]] = {}
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path)
        is_package = path.name == "__init__.py"
        text = path.read_text()
        src_lines = text.splitlines()
        tree = ast.parse(text)
        aliases: dict[str, str] = {}  # local name -> 'module:name' or 'module' (a catalog module)
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.level:
                for a in stmt.names:
                    src = _resolve_from(module, is_package, stmt.level, stmt.module)
                    local = a.asname or a.name
                    sub = f"{src}.{a.name}"
                    # `from . import _util` names a module; `from ._util import x` a definition
                    aliases[local] = sub if (root.parent / Path(*sub.split("."))).with_suffix(".py").exists() \
                        or (root.parent / Path(*sub.split("."))).is_dir() else f"{src}:{a.name}"
        for stmt in tree.body:
            targets = []
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                targets = [stmt.name]
                start = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            elif isinstance(stmt, ast.Assign):
                targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                start = stmt.lineno
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                targets = [stmt.target.id]
                start = stmt.lineno
            targets = [t for t in targets if t not in ("__all__", "CLAIMS")]
            if not targets:
                continue
            value = getattr(stmt, "value", None)
            is_claim = _is_claim_call(value)
            lines = _nonblank(src_lines, start, stmt.end_lineno)
            doc = _doc_lines(value, src_lines) if is_claim else 0
            for i, t in enumerate(targets):  # a multi-target assignment is counted once
                key = f"{module}:{t}"
                nodes[key] = Node(module, t, lines if i == 0 else 0, doc if i == 0 else 0, set(), is_claim)
                raw[key] = (module, _names_used(stmt), aliases)
    for key, (module, used, aliases) in raw.items():
        refs = set()
        for name in used:
            head, _, attr = name.partition(".")
            if attr:
                target = aliases.get(head)
                if target and ":" not in target and f"{target}:{attr}" in nodes:
                    refs.add(f"{target}:{attr}")
                continue
            if f"{module}:{name}" in nodes:
                refs.add(f"{module}:{name}")
            elif name in aliases and aliases[name] in nodes:
                refs.add(aliases[name])
        refs.discard(key)
        nodes[key].refs = refs
    return nodes


def _reach(nodes: dict[str, Node], start: str) -> set:
    seen, stack = set(), [start]
    while stack:
        k = stack.pop()
        for r in nodes[k].refs:
            if r not in seen and not nodes[r].is_claim:  # another claim object is its own entry
                seen.add(r)
                stack.append(r)
    return seen


def measure(nodes: dict[str, Node]) -> list[dict]:
    claims = [k for k, n in nodes.items() if n.is_claim]
    reach = {c: _reach(nodes, c) for c in claims}
    users = defaultdict(set)
    for c, rs in reach.items():
        for r in rs:
            users[r].add(c)
    rows = []
    for c in claims:
        own = nodes[c].lines + sum(nodes[r].lines for r in reach[c] if len(users[r]) == 1)
        shared = sum(nodes[r].lines / len(users[r]) for r in reach[c] if len(users[r]) > 1)
        rows.append({"claim": c, "own": own, "shared": round(shared, 1), "total": round(own + shared, 1),
                     "doc": nodes[c].doc_lines, "claim_call": nodes[c].lines})
    return rows


def _stats(values: list[float]) -> str:
    v = sorted(values)
    p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
    return f"median {statistics.median(v):.0f}, p90 {p90:.0f}, max {v[-1]:.0f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    rows = measure(parse_catalog())
    print(f"{len(rows)} claim objects in proofs/")
    for col in ("own", "total", "doc", "claim_call"):
        print(f"  {col:<10} {_stats([r[col] for r in rows])}")
    print(f"\nlongest by total (own + shared share), top {args.top}:")
    print(f"{'claim':<58} {'own':>5} {'shared':>7} {'total':>7} {'doc':>5}")
    for r in sorted(rows, key=lambda r: -r["total"])[: args.top]:
        print(f"{r['claim']:<58} {r['own']:>5} {r['shared']:>7} {r['total']:>7} {r['doc']:>5}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
