"""Printers: JSON round trip, Markdown shape, LaTeX (compiled with real pdflatex), HTML, terminal."""
from __future__ import annotations

import dataclasses
import json
import math
import shutil
import sys
from pathlib import Path

import pytest

from theorykit.claims.result import ClaimResult
from theorykit.claims.runner import verify_claim
from theorykit.errors import InputError
from theorykit.report import html as html_report
from theorykit.report.jsonio import dump_results, load_results, results_to_json
from theorykit.report.latex import PREAMBLE, LatexError, compile_pdf, escape_latex, latex_document, latex_number, latex_table
from theorykit.report.markdown import markdown_math, markdown_table
from theorykit.report.terminal import summary_table

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402


class _Proved:
    status = "proved"

    def to_dict(self):
        return {"status": "proved", "steps": [{"index": 0, "seconds": 0.01}]}


@pytest.fixture(scope="module")
def results() -> list[ClaimResult]:
    good = verify_claim(toy.contraction_claim(derive=_Proved), seed=0, max_examples=5)
    loose = toy.contraction_claim(
        id="toy.weird_id&50%_#{x}", derive=_Proved,
        mutants=(toy.Mutant("loose", "a true upper bound & so not refutable", "rate",
                            predict=lambda p: abs(1 - p["lr"] * p["h"]) + 1, compare="upper"),))
    bad = verify_claim(loose, seed=0, max_examples=5)
    # a diverged measurement: inf must survive JSON and print as infinity
    check = dataclasses.replace(bad.checks[0], measured=math.inf, ratio=None)
    bad = dataclasses.replace(bad, checks=(check,), title="Odd title with $ & _ ^ ~ \\ chars and β ≤ ‖x‖² → √κ, Λ, é")
    return [good, bad]


def test_json_round_trip(results, tmp_path):
    path = dump_results(results, tmp_path / "r.json")
    text = path.read_text()
    json.loads(text)  # strict JSON (no bare Infinity)
    assert "Infinity" not in text and '"inf"' in text
    back = load_results(path)
    assert back == results
    assert math.isinf(back[1].checks[0].measured)
    assert results_to_json(back) == text


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ('{"schema": "other"}', "not a theorykit results file"),
        ('{"schema": "theorykit.results", "version": 99, "results": []}', "version 99 is not supported"),
        ('{"schema": "theorykit.results", "version": 1, "results": [{"claim_id": "a.b"}]}',
         "results[0]: missing field 'title'"),
    ],
)
def test_bad_json_names_the_file(tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_results(path)
    assert str(path) in str(info.value) and needle in str(info.value)


def test_bad_field_value_is_named(results, tmp_path):
    doc = json.loads(results_to_json(results))
    doc["results"][0]["checks"][0]["measured"] = "lots"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"results\[0\]\.checks\[0\]\.measured: expected a number, got 'lots'"):
        load_results(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_results(tmp_path / "nope.json")


def test_markdown_shape(results):
    md = markdown_table(results)
    lines = md.strip().splitlines()
    assert len(lines) == 2 + len(results)
    header = [c.strip() for c in lines[0].strip("|").split(" | ")]
    assert header == ["Claim", "Statement", "Derivation", "Predicted / measured", "Mutants refuted", "Status", "Source"]
    for line in lines:
        # every row has 7 cells: count unescaped pipes
        unescaped = line.replace("\\|", "").count("|")
        assert unescaped == 8, line
    assert "`toy.gd_contraction`" in lines[2] and "| 2/2 |" in lines[2] and "verified" in lines[2]
    assert "0.9 / 0.9" in lines[2]
    assert "[Toy 2024](https://arxiv.org/abs/0000.00000)" in lines[2]
    assert "| 0/1 |" in lines[3] and "**failed**" in lines[3] and "0.9 / inf" in lines[3]
    assert "\\vert" in lines[2]  # |1 - h lr| typeset without a table-breaking pipe


def test_markdown_math_has_no_pipes():
    assert "|" not in markdown_math(r"\left|{x}\right| + \|y\| + |z|")


def test_latex_unicode_is_spelled_as_latex():
    out = escape_latex("β ≤ ‖x‖² → √κ Λ Α é x₁ ☃")
    assert out.isascii()
    assert out == (r"\ensuremath{\beta} \ensuremath{\le} \ensuremath{\|}x\ensuremath{\|}\ensuremath{^2} "
                   r"\ensuremath{\to} \ensuremath{\surd}\ensuremath{\kappa} \ensuremath{\Lambda} A e "
                   r"x\ensuremath{_1} ?")


def test_latex_escaping_and_numbers():
    assert escape_latex("a_b & 50% #1 {x} $ ~ ^ \\") == (
        r"a\_b \& 50\% \#1 \{x\} \$ \textasciitilde{} \textasciicircum{} \textbackslash{}")
    assert latex_number(1.5e-7) == r"$1.5\times10^{-7}$"
    assert latex_number(math.inf) == r"$\infty$" and latex_number(None) == "---"


def test_latex_table_structure(results):
    tex = latex_table(results)
    assert r"\begin{table}" in tex and r"\begin{tabular}" in tex and r"\toprule" in tex and r"\bottomrule" in tex
    assert r"\texttt{toy.\allowbreak{}gd\_\allowbreak{}contraction}" in tex
    assert r"weird\_\allowbreak{}id\&50\%\_\allowbreak{}\#\{x\}" in tex
    assert r"\resizebox" not in tex  # statements wrap; nothing is shrunk
    assert r"$\infty$" in tex and r"\textbf{failed}" in tex
    # one sub-row per check: name, comparison, predicted, measured
    rows = [ln for ln in tex.splitlines() if ln.endswith(r"\\") and not ln.startswith(r"\multicolumn")]
    assert len(rows) == 1 + sum(len(r.checks) for r in results) and all(ln.count(" & ") == 3 for ln in rows)
    assert r"\begin{table*}" in latex_table(results, width="page")
    assert r"\begin{longtable}" in latex_table(results, longtable=True)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_document_compiles_with_pdflatex(results, tmp_path):
    pdf = compile_pdf(latex_document(results), tmp_path)
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"
    log = (tmp_path / "theorykit-results.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log  # the table fits the text width


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_table_only_variant_compiles_when_input(results, tmp_path):
    (tmp_path / "table.tex").write_text(latex_table(results))
    doc = (f"\\documentclass{{article}}\n{PREAMBLE}\n"
           "\\begin{document}\n\\input{table.tex}\n\\end{document}\n")
    pdf = compile_pdf(doc, tmp_path, name="paper")
    assert pdf.exists()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_compile_error_shows_the_log(tmp_path):
    with pytest.raises(LatexError) as info:
        compile_pdf("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}", tmp_path)
    assert "Undefined control sequence" in str(info.value)


def test_missing_pdflatex_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(LatexError, match="pdflatex not found"):
        compile_pdf("x", tmp_path)


def test_html_escapes_and_renders(results):
    page = html_report.results_html(results)
    assert page.count("<tr>") == 1 + len(results)
    assert "toy.weird_id&amp;50%_#{x}" in page and "<script" not in page
    card = toy.contraction_claim()._repr_html_()
    assert "toy.gd_contraction" in card and "no_abs" in card and "Gradient descent on a parabola" in card
    assert "verified" in results[0]._repr_html_()
    assert results[0]._repr_latex_().startswith("$\\text{toy.gd\\_contraction}")


def test_terminal_summary(results):
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(summary_table(results))
    text = console.export_text()
    assert "toy.gd_contraction" in text and "verified" in text and "failed" in text and "0/1" in text
