"""Check the derivations in LaTeX and Markdown documents (issue 13).

The document is translated into the ``.deriv`` format (``document.py``),
keeping a map from every produced line back to its LaTeX, and handed to the
existing checker (``check.py``). The LaTeX math grammar is a lark grammar
(``grammar.py``) over a hand-written lexer (``lexer.py``); displays and
declarations are found by a linear scanner (``scan.py``). Nothing of the
user's text is evaluated: no eval, sympify or ``sympy.parsing.latex``.
"""
from __future__ import annotations

from .check import check_document, check_latex, check_markdown, vector_syntax_supported
from .document import Translation, translate_document, translate_expression
from .report import LatexReport

__all__ = [
    "check_latex",
    "check_markdown",
    "check_document",
    "translate_document",
    "translate_expression",
    "translate_latex",
    "translate_markdown",
    "vector_syntax_supported",
    "Translation",
    "LatexReport",
]


def translate_latex(text: str, *, source: str | None = None) -> Translation:
    """The ``.deriv`` translation of a LaTeX document (no checking)."""
    return translate_document(text, kind="latex", source=source)


def translate_markdown(text: str, *, source: str | None = None) -> Translation:
    """The ``.deriv`` translation of Markdown text (no checking)."""
    return translate_document(text, kind="markdown", source=source)
