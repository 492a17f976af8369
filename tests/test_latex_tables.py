"""Paper-grade LaTeX tables: symbols, term order, comparisons, widths, BibTeX, and the
one-column and two-column test documents compiled with real pdflatex (the log must show
no overfull box, no float too large for its page, no undefined citation)."""
from __future__ import annotations

import dataclasses
import re
import shutil
import sys
from pathlib import Path

import pytest
import sympy

from theorykit.claims import registry
from theorykit.claims.runner import verify_claim
from theorykit.report.bibtex import bib_key, bibtex
from theorykit.report.glossary import undefined
from theorykit.report.latex_symbols import statement_latex, symbol_latex
from theorykit.report.latex_table import comparison_tex, is_test_statistic, latex_table
from theorykit.report.latex_testdocs import layout_results, write_documents

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


@pytest.mark.parametrize("name, tex", [
    ("eta", r"\eta"), ("lam", r"\lambda"), ("f_star", r"f^\star"), ("beta1", r"\beta_1"), ("f_next", "f^{+}"),
    ("S_eos", r"S_{\mathrm{eos}}"), ("ratio", r"\mathrm{ratio}"), ("alpha_min", r"\alpha_{\min}"),
    ("w12", "w_{12}"), ("Lambda", r"\Lambda"), ("x_cg_t", r"x_{\mathrm{cg},t}"), ("eps", r"\varepsilon"),
])
def test_names_become_symbols(name, tex):
    assert symbol_latex(name) == tex


def test_statements_lead_with_a_positive_term_and_can_break():
    f, eta, g, L, f_next = sympy.symbols("f eta g L f_next", real=True)
    tex = statement_latex(sympy.Le(f_next, f - eta * (1 - L * eta / 2) * g**2))
    assert tex.startswith(r"f^{+} \leq f - \eta g^{2}") and r"1 - \frac{L \eta}{2}" in tex
    assert r"\left" not in tex and r"\right" not in tex  # TeX may break inside \bigl( \bigr)
    both = statement_latex(sympy.And(sympy.Eq(f, 1), sympy.Le(eta, 2 / L)))
    assert r",\quad" in both


def test_comparisons_and_test_statistics():
    check = verify_claim(toy.contraction_claim(), seed=0, max_examples=3).checks[0]
    tight = dataclasses.replace(check, compare="tight", rtol=1e-6, atol=0.0)
    assert comparison_tex(tight) == r"$=$\;{\scriptsize$10^{-6}$}"
    upper = dataclasses.replace(check, compare="upper", rtol=1e-9, atol=1e-12, name="welch_t_same_product")
    assert comparison_tex(upper).startswith(r"$\le$\;{\scriptsize$10^{-9}, 10^{-12}$}")
    assert is_test_statistic(upper) and "test statistic" in comparison_tex(upper)
    assert not is_test_statistic(tight)


@pytest.fixture(scope="module")
def toy_results():
    good = verify_claim(toy.contraction_claim(), seed=0, max_examples=3)
    return [good, verify_claim(toy.threshold_claim(), seed=0, max_examples=3)]


def test_widths_floats_and_no_shrinking(toy_results):
    claims = [toy.contraction_claim(), toy.threshold_claim()]
    column = latex_table(toy_results, claims=claims)
    page = latex_table(toy_results, width="page", claims=claims)
    long = latex_table(toy_results, longtable=True, claims=claims)
    assert r"\begin{table}[tbp]" in column and "What is measured" not in column
    assert r"\begin{table*}[tbp]" in page and "What is measured" in page
    assert r"\begin{longtable}" in long and r"\endhead" in long
    for tex in (column, page, long):
        assert r"\resizebox" not in tex and r"\scalebox" not in tex
        assert re.search(r"p\{\\dimexpr", tex)  # wrapping p columns
        assert r"\emph{Symbols:}" in tex and r"\emph{Comparison}" in tex
    bare = latex_table(toy_results, float_env=False)
    assert r"\begin{table}" not in bare and r"\begin{tabular}" in bare


def test_bib_keys_are_cited_and_written(toy_results):
    tex = latex_table(toy_results, bib="refs")
    bib = bibtex(toy_results)
    keys = set(re.findall(r"\\cite\{([^}]*)\}", tex))
    assert keys and all(k in bib for ks in keys for k in ks.split(","))
    assert bib.count("@misc{") == len({s["key"] for r in toy_results for s in r.sources})
    assert bib_key("Cohen et al. 2021") == "Cohen-et-al.-2021" and bib_key("2021 x")[0].isalpha()


def test_every_catalog_symbol_is_defined():
    missing = [(c.id, s.name) for c in registry.claims() for s in c.statement.free_symbols
               if undefined(c.id, s.name)]
    assert missing == []


@needs_pdflatex
def test_one_and_two_column_documents_compile_cleanly(toy_results, tmp_path):
    catalog = layout_results(registry.claims())  # every claim's statement, checks and sources
    family = [r for r in catalog if r.claim_id.startswith("gd.")]
    pdfs = write_documents(tmp_path, family + toy_results, catalog)
    for name, pdf in pdfs.items():
        assert pdf.read_bytes().startswith(b"%PDF")
        log = (tmp_path / f"{name}.log").read_text(errors="replace")
        assert "Overfull \\hbox" not in log, name  # nothing runs off its column or page
        assert "Float too large" not in log, name
        assert "undefined" not in log.lower() or "Citation" not in log, name



def test_upright_names_in_a_product_stay_apart():
    # TeX drops the space SymPy puts between factors: b*gpus*servers read "bgpusservers"
    import sympy

    from theorykit.report.latex_symbols import statement_latex

    b, gpus, servers, B = sympy.symbols("b gpus servers B_eff")
    assert statement_latex(sympy.Eq(B, b * gpus * servers)) == r"B_{\mathrm{eff}} = b\,\mathrm{gpus}\,\mathrm{servers}"
    eta, L = sympy.symbols("eta L")
    assert statement_latex(sympy.Eq(B, eta * L / 2)) == r"B_{\mathrm{eff}} = \frac{L \eta}{2}"  # single letters unchanged
