"""The catalog's structure (issue 14): a family is one module, or one package when it is large, never a
family spread over several top-level modules; every module stays under the guide's ~600 lines."""
from __future__ import annotations

import sys
from pathlib import Path

from theorykit.claims.registry import builtin_module, claims

ROOT = Path(__file__).resolve().parents[1] / "proofs"


def _defining_modules(claim) -> set[str]:
    """The catalog modules (not package __init__ re-exports) whose globals hold the claim object."""
    prefix = builtin_module() + "."
    out = set()
    for name, mod in list(sys.modules.items()):
        if not name.startswith(prefix) or mod is None or getattr(mod, "__file__", "").endswith("__init__.py"):
            continue
        if any(v is claim for v in vars(mod).values()):
            out.add(name[len(prefix):])
    return out


def test_every_family_is_one_module_or_one_package():
    builtin = [c for c in claims() if not c.id.startswith("toy.")]
    assert builtin
    for c in builtin:
        modules = _defining_modules(c)
        assert modules, c.id
        # proofs/gd/rates.py holds gd.* claims; proofs/gd_rates.py would be a second top-level module
        assert {m.split(".")[0] for m in modules} == {c.family}, (c.id, sorted(modules))


def test_modules_stay_under_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) >= 600}
    assert not long, long


def test_every_relative_import_in_the_catalog_resolves():
    """Static: each relative import, function-local ones too (derive() often imports lazily), names a module
    or package of the catalog (a family moved into a package keeps no import of a sibling that is not there)."""
    import ast

    missing = []
    for path in ROOT.rglob("*.py"):
        package = path.parent  # a module and an __init__.py both resolve from their folder
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package
            for _ in range(node.level - 1):
                base = base.parent
            targets = [node.module] if node.module else [a.name for a in node.names]
            for target in targets:
                where = base.joinpath(*target.split("."))
                if not (where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {'.' * node.level}{target}")
    assert not missing, missing
