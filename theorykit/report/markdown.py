"""Markdown (GitHub-flavoured) table of claim results.

Columns: claim id, statement (``$...$`` math), derivation verdict, predicted vs
measured (one line per check, at its canonical example), mutants refuted k/n,
status, and sources (arXiv links when known).
"""
from __future__ import annotations

import re
from typing import Iterable

from ..claims.result import ClaimResult, format_number

__all__ = ["markdown_table", "markdown_math", "escape_cell"]

_HEADER = ("Claim", "Statement", "Derivation", "Predicted / measured", "Mutants refuted", "Status", "Source")


def escape_cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, line breaks folded."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown_math(latex: str) -> str:
    """Inline math without ``|`` characters (a pipe would end the table cell even inside $...$)."""
    s = latex.replace(r"\left|", r"\left\vert ").replace(r"\right|", r"\right\vert ")
    s = s.replace(r"\|", r"\Vert ")
    s = re.sub(r"(?<!\\)\|", r"\\vert ", s)
    return f"${' '.join(s.split())}$"


def _checks_cell(r: ClaimResult) -> str:
    lines = []
    for c in r.checks:
        mark = "" if c.status == "passed" else f" **{c.status}**"
        lines.append(f"{escape_cell(c.name)}: {format_number(c.predicted)} / {escape_cell(c.measured_text())}{mark}")
    return "<br>".join(lines) if lines else "—"


def _sources_cell(r: ClaimResult) -> str:
    out = []
    for s in r.sources:
        key = escape_cell(s.get("key", ""))
        if s.get("arxiv"):
            out.append(f"[{key}](https://arxiv.org/abs/{s['arxiv']})")
        elif s.get("doi"):
            out.append(f"[{key}](https://doi.org/{s['doi']})")
        else:
            out.append(key)
    return "; ".join(out) if out else "—"


def _row(r: ClaimResult) -> list[str]:
    k, n = r.mutants_refuted
    status = r.status if r.status == "verified" else f"**{r.status}**"
    return [
        f"`{r.claim_id}`",
        markdown_math(r.statement_latex),
        escape_cell(r.derivation_cell),
        _checks_cell(r),
        f"{k}/{n}",
        status,
        _sources_cell(r),
    ]


def markdown_table(results: Iterable[ClaimResult]) -> str:
    """A GitHub-flavoured Markdown table, one row per result, ending with a newline."""
    rows = [list(_HEADER), ["---"] * len(_HEADER)] + [_row(r) for r in results]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows) + "\n"
