"""The catalog as documentation pages: one MyST Markdown page per claim, generated from the
claim itself (and, when given, from its verification result).

A page holds the title, id, kind and family; the statement typeset as LaTeX math
(``latex_symbols.statement_latex``) with its symbols defined (``glossary.py``); the
claim's documentation (setting, algorithm, derivation, references); what each numeric
check measures, its comparison and tolerance; the mutants; the figure when one exists;
and the sources with links. With a ``ClaimResult`` (from ``theorykit verify --json``) it
adds the checked derivation step by step with each verdict, the measured values, the
mutation score and the counterexamples that refuted each mutant.

``write_catalog(outdir, claims, results=None, figures_dir=None)`` writes ``index.md`` and
``<claim id>.md`` per claim; the Sphinx build (docs/conf.py) calls it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

__all__ = ["claim_page", "catalog_index", "write_catalog", "page_name"]


def page_name(claim_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", claim_id)


def _md(text: str) -> str:
    """Plain text for Markdown: characters MyST would read as markup are escaped."""
    return re.sub(r"([\\`*_\[\]<>|$#])", r"\\\1", str(text))


def _number(x) -> str:
    from ..claims.result import format_number

    return "—" if x is None else format_number(x)


_CMP = {"tight": "= (tight)", "upper": "≤ (predicted is an upper bound)", "lower": "≥ (predicted is a lower bound)"}


def _statement(claim) -> tuple[str, list[tuple[str, str]]]:
    from .glossary import define
    from .latex_symbols import statement_latex, symbol_latex

    try:
        tex = statement_latex(claim.statement)
    except Exception:  # a statement the printer cannot typeset: SymPy's own LaTeX
        import sympy

        tex = sympy.latex(claim.statement)
    names = sorted({s.name for s in getattr(claim.statement, "free_symbols", ())}, key=str.lower)
    return tex, [(symbol_latex(n), define(claim.id, n)) for n in names]


def _source_line(s, number: int | None = None) -> str:
    links = []
    if getattr(s, "arxiv", None):
        links.append(f"[arXiv:{s.arxiv}](https://arxiv.org/abs/{s.arxiv})")
    if getattr(s, "doi", None):
        links.append(f"[doi:{s.doi}](https://doi.org/{s.doi})")
    cite = s.cite() if callable(getattr(s, "cite", None)) else str(s)
    bullet = f"{number}." if number is not None else "-"
    return f"{bullet} **{_md(s.key)}**: {_md(cite)}" + (f" ({', '.join(links)})" if links else "")


def _step_math(lhs: str, relation: str, rhs: str) -> str:
    """A derivation step from a results file, typeset: the text is read back with the
    derivation parser (a whitelist, never evaluated); anything it refuses stays code."""
    try:
        from ..symbolic.parse import parse_expression
        from .latex_symbols import statement_latex

        rel = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}[relation]
        left, right = statement_latex(parse_expression(lhs)), statement_latex(parse_expression(rhs))
        return f"${left} {rel} {right}$"
    except Exception:
        return f"`{lhs} {relation} {rhs}`".replace("|", "\\|")


def _derivation(result) -> list[str]:
    d = result.derivation or {}
    steps = d.get("steps") or []
    out = ["## Checked derivation", "",
           f"Verdict: **{_md(result.derivation_status)}** (every step checked symbolically under the claim's "
           "assumptions; see [the derivation format](../derivation-format.md) for the verdicts).", ""]
    if steps:
        out += ["| step | relation | verdict | method | by |", "|---|---|---|---|---|"]
        for st in steps:
            rel = _step_math(st.get("lhs", ""), st.get("relation", ""), st.get("rhs", ""))
            out.append(f"| {st.get('index', '')} | {rel} | {_md(st.get('status', ''))} | "
                       f"{_md(st.get('method', ''))} | {_md(st.get('justification') or '')} |")
        out.append("")
    return out


def claim_page(claim, result=None, *, figure: str | None = None) -> str:
    """The MyST Markdown page of one claim (see the module docstring)."""
    tex, symbols = _statement(claim)
    lines = [f"({page_name(claim.id)})=", f"# `{claim.id}`: {_md(claim.title)}", "",
             f"**Kind:** {claim.kind.value} · **Family:** `{claim.family}`", "",
             "## Statement", "", "```{math}", tex, "```", ""]
    if symbols:
        lines += ["where " + "; ".join(f"${sym}$ is the {_md(meaning)}" for sym, meaning in symbols) + ".", ""]
    if claim.assumptions:
        import sympy

        from .latex_symbols import statement_latex

        assumed = ", ".join(f"${statement_latex(a) if isinstance(a, sympy.Basic) else a}$" for a in claim.assumptions)
        lines += [f"**Assumptions:** {assumed}", ""]
    if claim.doc:
        lines += ["## Setting, claim and derivation", "", "```text", claim.doc.strip(), "```", ""]
    if result is not None:
        lines += [f"**Verification** (seed {result.seed}, backend {result.backend}): **{result.status}**. "
                  f"{_md(result.message)}", ""]
        lines += _derivation(result)
    lines += ["## Numeric checks", "", "Each check runs the method and measures; it never evaluates the formula "
              "under test.", "", "| check | what is measured | comparison | rtol | atol |"
              + (" predicted | measured | status |" if result is not None else ""),
              "|---|---|---|---|---|" + ("---|---|---|" if result is not None else "")]
    measured = {c.name: c for c in (result.checks if result is not None else ())}
    for c in claim.checks:
        row = (f"| `{c.name}` | {_md(' '.join(c.description.split()))} | {_CMP.get(c.compare, c.compare)} | "
               f"{c.rtol:g} | {c.atol:g} |")
        if result is not None:
            m = measured.get(c.name)
            row += (f" {_number(m.predicted)} | {_md(m.measured_text())} | {m.status} |" if m is not None
                    else " — | — | not run |")
        lines.append(row)
    lines.append("")
    lines += ["## Mutants", "", "Plausible wrong variants; the same checks must refute every one."]
    if result is not None and result.mutants:
        k, n = result.mutants_refuted
        lines[-1] += f" **Mutation score: {k}/{n}.**"
    lines += ["", "| mutant | what it changes | verdict |", "|---|---|---|"]
    by_name = {m.name: m for m in (result.mutants if result is not None else ())}
    for m in claim.mutants:
        r = by_name.get(m.name)
        verdict = "—"
        if r is not None:
            verdict = "refuted" if r.refuted else f"**{_md(r.status)}**"
            if r.counterexample:
                verdict += " at " + _md(", ".join(f"{k} = {v}" for k, v in r.counterexample.items()))
        lines.append(f"| `{m.name}` | {_md(' '.join(m.description.split()))} | {verdict} |")
    lines.append("")
    if figure:
        lines += ["## Figure", "", f"```{{image}} {figure}", f":alt: figure of {claim.id}", "```", ""]
    elif claim.figures:
        lines += ["## Figure", "", f"Draw it with `theorykit figure {claim.id} figure.png` (needs the `plot` extra).", ""]
    if claim.sources:
        # numbered in the order of ``sources=``: the doc's [n] cites sources[n-1] (never re-typed in the doc)
        lines += ["## References", "", *(_source_line(s, i) for i, s in enumerate(claim.sources, 1)), ""]
    return "\n".join(lines)


def catalog_index(claims) -> str:
    lines = ["# Catalog reference", "",
             "One page per claim, generated from the claim itself: its statement, checked derivation, "
             "numeric checks, mutants, figure and references.", ""]
    families: dict[str, list] = {}
    for c in claims:
        families.setdefault(c.family, []).append(c)
    toc = ["```{toctree}", ":hidden:", ""]
    for fam, members in families.items():
        lines += [f"## `{fam}`", "", "| claim | kind | title |", "|---|---|---|"]
        for c in members:
            lines.append(f"| [`{c.id}`]({page_name(c.id)}.md) | {c.kind.value} | {_md(c.title)} |")
            toc.append(page_name(c.id))
        lines.append("")
    return "\n".join(lines + toc + ["```", ""])


def write_catalog(outdir, claims: Iterable, results: Iterable | None = None, figures_dir=None) -> list[Path]:
    """Write ``index.md`` and one page per claim into ``outdir``; returns the paths.
    ``figures_dir``: where ``<claim id>.png`` figures are (shown when present)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    claims = list(claims)
    by_id = {r.claim_id: r for r in (results or ())}
    written = [outdir / "index.md"]
    written[0].write_text(catalog_index(claims), encoding="utf-8")
    for c in claims:
        figure = None
        if figures_dir is not None and (Path(figures_dir) / f"{c.id}.png").exists():
            figure = str(Path(figures_dir) / f"{c.id}.png")
        path = outdir / f"{page_name(c.id)}.md"
        path.write_text(claim_page(c, by_id.get(c.id), figure=figure), encoding="utf-8")
        written.append(path)
    return written
