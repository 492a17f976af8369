"""HTML for Jupyter: a claim card (``Claim._repr_html_``) and result tables
(``ClaimResult._repr_html_``). Math is left as ``$...$`` for the notebook's MathJax;
every other string is HTML-escaped.
"""
from __future__ import annotations

from html import escape
from typing import Iterable

from ..claims.result import ClaimResult, format_number

__all__ = ["claim_html", "result_html", "results_html"]

_COLOURS = {"verified": "#1a7f37", "passed": "#1a7f37", "refuted": "#1a7f37", "proved": "#1a7f37",
            "failed": "#cf222e", "error": "#9a6700", "not refuted": "#cf222e", "unknown": "#9a6700",
            "skipped": "#6e7781", "incomplete": "#9a6700"}


def _badge(status: str) -> str:
    colour = _COLOURS.get(status, "#6e7781")
    return f'<span style="color:{colour};font-weight:bold">{escape(status)}</span>'


def _math(latex: str) -> str:
    return f"${escape(latex, quote=False)}$"


def claim_html(claim) -> str:
    """A card for one Claim: id, title, kind, statement, setting, checks, mutants, sources."""
    import sympy

    checks = "".join(
        f"<li><code>{escape(c.name)}</code> ({escape(c.compare)}, rtol={c.rtol:g}): {escape(c.description)}</li>"
        for c in claim.checks
    )
    mutants = "".join(
        f"<li><code>{escape(m.name)}</code> on <code>{escape(m.check)}</code>: {escape(m.description)}</li>"
        for m in claim.mutants
    )
    sources = "".join(f"<li>{escape(s.cite())}</li>" for s in claim.sources)
    doc = f"<pre style='white-space:pre-wrap'>{escape(claim.doc)}</pre>" if claim.doc else ""
    return (
        f"<div class='theorykit-claim'><p><b><code>{escape(claim.id)}</code></b> "
        f"{escape(claim.title)} <i>({escape(claim.kind.value)})</i></p>"
        f"<p>{_math(sympy.latex(claim.statement))}</p>{doc}"
        f"<p>Checks:</p><ul>{checks}</ul><p>Mutants:</p><ul>{mutants or '<li>none</li>'}</ul>"
        f"<p>References:</p><ol>{sources}</ol></div>"  # numbered: the doc's [n] is sources[n-1]
    )


def _row(r: ClaimResult) -> str:
    k, n = r.mutants_refuted
    checks = "<br>".join(
        f"{escape(c.name)}: {format_number(c.predicted)} / {format_number(c.measured)} {_badge(c.status)}"
        for c in r.checks
    )
    return (
        f"<tr><td><code>{escape(r.claim_id)}</code></td><td>{_math(r.statement_latex)}</td>"
        f"<td>{_badge(r.derivation_status)} ({escape(r.derivation_scope)})</td><td>{checks}</td><td>{k}/{n}</td>"
        f"<td>{_badge(r.status)}</td><td>{escape('; '.join(r.source_keys))}</td></tr>"
    )


_HEAD = ("<tr><th>Claim</th><th>Statement</th><th>Derivation</th><th>Predicted / measured</th>"
         "<th>Mutants refuted</th><th>Status</th><th>Source</th></tr>")


def results_html(results: Iterable[ClaimResult]) -> str:
    return f"<table>{_HEAD}{''.join(_row(r) for r in results)}</table>"


def result_html(result: ClaimResult) -> str:
    """One result: the summary row plus its mutants with their counterexamples."""
    items = "".join(
        f"<li><code>{escape(m.name)}</code>: {_badge(m.status)}"
        + (f" by {escape(m.by)}" if m.by else "")
        + (f" at <code>{escape(str(m.counterexample))}</code>" if m.counterexample else "")
        + f" &mdash; {escape(m.description)}</li>"
        for m in result.mutants
    )
    return (f"{results_html([result])}<p>{escape(result.message)}</p>"
            + (f"<ul>{items}</ul>" if items else ""))


# the claims layer looks its notebook renderers up here instead of importing this module
from ..claims.claim import register_display  # noqa: E402

register_display("claim", claim_html)
register_display("result", result_html)
