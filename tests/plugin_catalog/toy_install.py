"""Install the toy catalog for a test run without pip: entry-point metadata on a temporary sys.path entry.

``importlib.metadata`` finds a ``*.dist-info`` directory with an ``entry_points.txt``
on any sys.path entry, which is exactly what ``pip install`` would leave behind.
"""
from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent


def install(monkeypatch, tmp_path, entry_points: dict[str, str] | None = None, dist: str = "theorykit_toycatalog"):
    """Register ``entry_points`` (name -> "module[:attr]") in group theorykit.catalogs."""
    entry_points = entry_points or {"toy": "theorykit_toycatalog"}
    site = tmp_path / f"site-{dist}"
    info = site / f"{dist}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n")
    lines = ["[theorykit.catalogs]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    monkeypatch.syspath_prepend(str(site))
    return site
