"""Hostile LaTeX (issue 13): clear errors, bounded time, nothing executed or read."""
from __future__ import annotations

import argparse
import io
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.cli.check import run
from theorykit.errors import DerivationSyntaxError, InputError
from theorykit.report.annotate import AnnotationError, annotate_latex, compile_annotated, unsafe_constructs
from theorykit.symbolic.latex import check_latex, translate_latex

TIMEOUT = 2.0


def _one_step(doc: str):
    (step,) = translate_latex(doc).steps
    return step


def test_input_and_write18_are_never_followed_when_checking(tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("\\[ 1 \\le 0 \\]\n")  # a refutable step that must not be read
    marker = tmp_path / "pwned"
    doc = (f"\\input{{{secret}}}\n\\immediate\\write18{{touch {marker}}}\n"
           "\\[ a^2 \\ge 0 \\]\n")
    report = check_latex(doc, timeout=TIMEOUT)
    assert [s.status for s in report.steps] == ["proved"]
    assert not marker.exists()


def test_commands_inside_a_display_make_the_step_unreadable():
    step = _one_step("\\[ a \\le \\input{/etc/passwd} \\]")
    assert "\\input is not supported" in step.unreadable
    first = translate_latex("\\[ \\catcode`\\$=12 a \\le b \\]").steps[0]
    assert "\\catcode" in first.unreadable


def test_deeply_nested_braces_are_refused_quickly():
    start = time.perf_counter()
    step = _one_step("\\[ a \\le " + "{" * 5000 + "b" + "}" * 5000 + " \\]")
    assert "nested more than" in step.unreadable
    step = _one_step("\\[ a \\le " + "\\left(" * 3000 + "b" + "\\right)" * 3000 + " \\]")
    assert step.unreadable is not None
    assert time.perf_counter() - start < 10


def test_hundred_thousand_nested_braces_and_a_megabyte_row(tmp_path):
    start = time.perf_counter()
    step = _one_step("\\[ a \\le " + "{" * 100_000 + "b" + "}" * 100_000 + " \\]")
    assert "row longer than" in step.unreadable
    big = tmp_path / "big.tex"
    big.write_text("\\[ a \\le " + "a + " * 260_000 + "a \\]")
    with pytest.raises(InputError, match="larger than"):
        check_latex(big, timeout=TIMEOUT)
    step = _one_step("\\[ a \\le " + "a + " * 200_000 + "a \\]")  # 800 kB in one row
    assert "row longer than" in step.unreadable
    assert time.perf_counter() - start < 20


def test_long_but_legal_rows_are_bounded():
    step = _one_step("\\[ a \\le " + "a+" * 4000 + "a \\]")
    assert "longer than" in step.unreadable
    step = _one_step("\\[ a \\le " + "\\bar{" * 30 + "x" + "}" * 30 + " \\]")
    assert step.unreadable is None or "not a name" in step.unreadable


def test_too_many_steps_and_unclosed_constructs():
    with pytest.raises(DerivationSyntaxError, match="more than 1000"):
        translate_latex("$$ a \\le b $$\n" * 1200)
    with pytest.raises(DerivationSyntaxError, match="never closed"):
        translate_latex("text\n\\[ a \\le b\n")
    with pytest.raises(DerivationSyntaxError, match="verb"):
        translate_latex("\\verb|abc\n|")


def test_huge_exponents_and_numbers_become_unreadable_not_hangs():
    report = check_latex("\\[ x^{99999999} \\le x^{2} \\]\n\\[ 1 \\le 2 \\]", timeout=TIMEOUT)
    assert [s.status for s in report.steps] == ["unreadable", "proved"]
    assert "checker cannot read" in report.steps[0].message


@pytest.mark.parametrize("construct", ["\\write18{ls}", "\\immediate\\write", "\\openin", "\\catcode`\\^=7",
                                       "\\csname input\\endcsname", "^^5cinput", "\\scantokens{x}",
                                       "\\pdfximage{/etc/passwd}", "\\IfFileExists{x}{}{}",
                                       "\\makeatletter\\@@input /etc/passwd", "\\lstinputlisting{x}"])
def test_annotation_refuses_unsafe_documents(construct, tmp_path):
    doc = f"\\documentclass{{article}}\n\\begin{{document}}\n{construct}\n\\[ a^2 \\ge 0 \\]\n\\end{{document}}\n"
    assert unsafe_constructs(doc)
    if "catcode" in construct:  # not even checked: the reading of every later character changes
        with pytest.raises(DerivationSyntaxError, match="catcode"):
            check_latex(doc, timeout=TIMEOUT)
        return
    report = check_latex(doc, timeout=TIMEOUT)
    with pytest.raises(AnnotationError, match="refusing to compile"):
        compile_annotated(annotate_latex(report), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_cli_reports_refused_annotation_as_a_clean_error(tmp_path):
    doc = tmp_path / "evil.tex"
    doc.write_text("\\documentclass{article}\\begin{document}\\immediate\\write18{touch pwned}"
                   "\\[ a^2 \\ge 0 \\]\\end{document}")
    err = io.StringIO()
    args = argparse.Namespace(files=[str(doc)], json=False, timeout=TIMEOUT, annotate=str(tmp_path / "o.pdf"))
    assert run(args, stdout=io.StringIO(), stderr=err) == 2
    assert "refusing to compile: \\write18" in err.getvalue() or "refusing to compile: \\immediate" in err.getvalue()


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (TeX Live)")
def test_input_is_omitted_from_the_compiled_copy(tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("\\undefinedcommandthatwouldfail\n")
    doc = (f"\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\begin{{document}}\n\\input{{{secret}}}\n"
           "\\include{../../etc/passwd}\n\\[ a^2 \\ge 0 \\]\n\\end{document}\n")
    report = check_latex(doc, timeout=TIMEOUT)
    pdf = compile_annotated(annotate_latex(report), tmp_path / "out.pdf")
    assert Path(pdf).read_bytes().startswith(b"%PDF")


def test_macro_bombs_are_bounded():
    start = time.perf_counter()
    doc = ("\\newcommand{\\loop}{\\loop}\n\\newcommand{\\a}{\\b\\b}\\newcommand{\\b}{\\c\\c}\\newcommand{\\c}{\\d\\d}"
           "\\newcommand{\\d}{\\e\\e}\\newcommand{\\e}{\\f\\f}\\newcommand{\\f}{\\g\\g}\\newcommand{\\g}{xx}\n"
           "\\newcommand{\\twice}[1]{#1#1}\n"
           "\\[ a \\le \\loop \\]\n\\[ a \\le \\a\\a\\a\\a\\a\\a\\a\\a \\]\n"
           "\\[ a \\le \\twice{\\twice{\\twice{\\twice{\\twice{\\twice{\\twice{\\twice{\\twice{y}}}}}}}}} \\]\n")
    result = translate_latex(doc).steps
    assert "expands too deeply" in result[0].unreadable
    assert all(step.unreadable or step.rhs for step in result)
    assert time.perf_counter() - start < 10


_PIECES = ["\\[", "\\]", "$$", "$", "\\\\", "&", "{", "}", "(", ")", "[", "]", "|", "\\|", "^", "_", "'",
           "\\frac", "\\sqrt", "\\left", "\\right", "\\le", "=", "<", "\\langle", "\\rangle", ",", "x", "2",
           "\\eta", "\\nabla", "f", "\\text{a}", "%", "\n", " ", "\\begin{align}", "\\end{align}",
           "\\newcommand{\\m}[1]{#1#1}", "\\m", "\\def", "\\verb|", "% theorykit: assume: x > 0\n",
           "% theorykit: vectors: x\n", "% theorykit: function f: convex\n", "\\sum", "\\bar", "*", "+", "-"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_random_latex_never_crashes_the_translation(pieces):
    """Any text: a translation or a located DerivationSyntaxError, nothing else."""
    doc = "".join(pieces)
    try:
        translation = translate_latex(doc)
    except DerivationSyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1
        return
    for step in translation.steps:
        assert step.unreadable or (step.lhs and step.rhs)


def test_a_parser_crash_on_one_step_leaves_the_others_checked():
    # SymPy's Max refuses a complex argument with a ValueError inside the .deriv parser
    report = check_latex("\\[ \\max\\{\\sqrt{-2}, 1\\} \\le 1 \\] \\[ 1 \\le 2 \\]", timeout=TIMEOUT)
    assert [s.status for s in report.steps] == ["unreadable", "proved"]
    assert "ValueError" in report.steps[0].message
