"""Sphinx configuration of the theorykit documentation.

Why Sphinx + MyST-NB (and not MkDocs Material + mkdocstrings): theorykit's docstrings
are reStructuredText (``double backticks``, field lists), which Sphinx's autodoc reads
natively; the CLI reference is generated from the real argument parser (``--help`` of every command);
MyST-NB executes the tutorial notebooks during the build and fails it when a cell
raises; and ``sphinx-build -W`` turns every warning (a broken cross-reference, a
malformed docstring) into an error, so the site cannot silently rot.

The catalog reference (``catalog/``) is generated at build time from the claims
(``theorykit.report.docs_catalog``). Verdicts, measured values and mutation scores
come from a results file when one is given:
``THEORYKIT_DOCS_RESULTS=results.json`` (from ``theorykit verify --json``), else
``docs/_data/results.json`` if present; figures from ``docs/_data/figures/<id>.png``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # document the checkout being built

project = "theorykit"
author = "theorykit developers"
copyright = "theorykit developers"

from theorykit import __version__ as release  # noqa: E402

version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
if os.environ.get("THEORYKIT_DOCS_MATH") == "svg":  # offline builds (no MathJax CDN): math as SVG via LaTeX
    extensions[extensions.index("sphinx.ext.mathjax")] = "sphinx.ext.imgmath"
    imgmath_image_format = "svg"
    imgmath_latex_preamble = r"\usepackage{amssymb}"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# the tutorials are executed on every build (THEORYKIT_DOCS_EXECUTE=off skips them while editing)
nb_execution_mode = "off" if os.environ.get("THEORYKIT_DOCS_EXECUTE") == "off" else "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_show_tb = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # signatures stay readable; types are in the docstrings
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
html_theme = "furo"
html_title = f"theorykit {release}"
exclude_patterns = ["_build", "_data", "_generated", "latex", "Thumbs.db", ".DS_Store"]
html_static_path = ["_static"]
html_css_files = ["theorykit.css"]
suppress_warnings = [
    "myst.header",  # ARCHITECTURE.md is read on GitHub too
    "misc.highlighting_failure",  # a JSON excerpt with "..." in derivation-format.md
]
if nb_execution_mode == "off":  # unexecuted notebooks carry no kernel language
    suppress_warnings.append("myst-nb.lexer")


def _plain_text_docstrings(app, what, name, obj, options, lines) -> None:
    """Many docstrings are plain text with math such as |x| and ||g||^2, which reST reads
    as substitutions. A docstring that does not parse cleanly as reST is shown verbatim
    (a literal block) instead of failing the build or rendering garbled."""
    import docutils.frontend
    import docutils.parsers.rst
    import docutils.utils

    text = "\n".join(lines)
    if not text.strip():
        return
    parser = docutils.parsers.rst.Parser()
    settings = docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    settings.report_level = 5  # collect, do not print
    settings.halt_level = 5
    doc = docutils.utils.new_document(name, settings)
    problems = []
    doc.reporter.attach_observer(lambda msg: problems.append(msg) if msg["level"] >= 2 else None)
    try:
        parser.parse(text, doc)
    except Exception:
        problems.append("exception")
    from docutils import nodes

    if any(True for _ in doc.findall(nodes.substitution_reference)):  # |x| read as a substitution
        problems.append("substitution")
    if problems:
        lines[:] = ["::", ""] + ["    " + line for line in text.splitlines()] + [""]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_text_docstrings)


def _generate_catalog() -> None:
    from theorykit.claims.registry import claims
    from theorykit.report.docs_catalog import write_catalog

    results = None
    source = os.environ.get("THEORYKIT_DOCS_RESULTS") or (HERE / "_data" / "results.json")
    if Path(source).exists():
        from theorykit.report.jsonio import load_results

        results = load_results(source)
    figures = HERE / "_data" / "figures"
    write_catalog(HERE / "catalog", claims(), results, figures_dir=figures if figures.is_dir() else None)


def _generate_cli() -> None:
    """The CLI reference: each command's --help exactly as argparse prints it (the
    RawDescription epilogs keep their layout, which reST would reflow)."""
    from theorykit.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the page needs a fixed width
    parser = build_parser()
    out = ["## theorykit", "", "```text", parser.format_help().rstrip(), "```", ""]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in sub.choices.items():
        out += [f"## theorykit {name}", "", "```text", command.format_help().rstrip(), "```", ""]
    target = HERE / "_generated"
    target.mkdir(exist_ok=True)
    (target / "cli.md").write_text("\n".join(out), encoding="utf-8")


_generate_catalog()
_generate_cli()
