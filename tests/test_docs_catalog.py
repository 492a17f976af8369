"""The catalog reference pages (generated from the claims) and the docs configuration."""
from __future__ import annotations

import sys
from pathlib import Path

from theorykit.claims.runner import verify_claim
from theorykit.report.docs_catalog import catalog_index, claim_page, page_name, write_catalog

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_claim_page_from_the_claim_alone():
    claim = toy.contraction_claim()
    page = claim_page(claim)
    assert page.startswith("(toy.gd_contraction)=\n# `toy.gd_contraction`: GD contraction factor")
    assert "```{math}" in page and r"\rho = \lvert" in page  # the statement, typeset
    assert "| `rate` | per-step contraction" in page and "= (tight)" in page
    assert "| `no_abs` | forgets the absolute value" in page
    assert "**Toy 2024**" in page and "https://arxiv.org/abs/" in page
    assert "Mutation score" not in page  # nothing was run


def test_claim_page_with_its_result_shows_verdicts_and_mutation_score():
    claim = toy.contraction_claim()
    result = verify_claim(claim, seed=0, max_examples=3)
    page = claim_page(claim, result)
    assert "## Checked derivation" in page and "Verdict: **proved**" in page
    k, n = result.mutants_refuted
    assert f"Mutation score: {k}/{n}." in page
    assert "refuted at " in page  # the counterexample that refuted a mutant


def test_write_catalog_writes_an_index_and_a_page_per_claim(tmp_path):
    claims = [toy.contraction_claim(), toy.threshold_claim()]
    paths = write_catalog(tmp_path, claims)
    assert sorted(p.name for p in paths) == ["index.md", "toy.gd_contraction.md", "toy.gd_threshold.md"]
    index = catalog_index(claims)
    assert "[`toy.gd_threshold`](toy.gd_threshold.md)" in index and ":hidden:" in index
    assert page_name("a.b c/d") == "a.b-c-d"


def test_docs_extra_and_project_urls_are_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert "[project.urls]" in text and "Documentation" in text
    assert 'docs = ["sphinx' in text and "myst-nb" in text and "furo" in text
    for page in ("index.md", "quickstart.md", "tables.md", "cli.md", "api/index.md", "tutorials/index.md", "conf.py"):
        assert (ROOT / "docs" / page).exists(), page
