"""One-column and two-column test documents for the results tables, as a paper would
``\\input`` them: a family table in ``table`` (one column) and ``table*`` (both columns),
and a longtable of the whole catalog after ``\\onecolumn``.

Used by the tests (compile with pdflatex, then read the log: no overfull boxes, no
undefined citations) and by ``python -m theorykit.report.latex_testdocs OUTDIR RESULTS.json
[CATALOG.json]`` to write the documents and their PDFs for a look.

``layout_results(claims)`` builds ``ClaimResult``s for *layout only*: every claim's real
statement, checks, tolerances and sources with placeholder numbers (measured = predicted
= 1), so that the whole catalog's typesetting can be compiled without running it.
"""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["two_column_document", "one_column_document", "layout_results", "write_documents"]

_HEAD = r"""\documentclass[{opts}]{{article}}
\usepackage[margin=0.75in,columnsep=0.25in]{{geometry}}
\usepackage{{booktabs,array,longtable,amsmath,amssymb}}
\begin{{document}}
\title{{theorykit tables in a {kind} paper}}\author{{test}}\date{{}}\maketitle
"""


def _filler(paragraphs: int) -> str:
    """Running text around the floats (written here: no lipsum package needed in CI)."""
    sentence = ("The step size of gradient descent on a smooth function is bounded by the curvature, "
                "and the table reports each check of that bound as measured by running the method. ")
    return "\n\n".join(sentence * 6 for _ in range(paragraphs))


def _doc(kind: str, opts: str, family: str, catalog: str | None, bib: str | None, two: bool) -> str:
    body = [_HEAD.format(opts=opts, kind=kind), r"\section{Results}", _filler(2),
            rf"\input{{{family}-column}}", _filler(2)]
    if two:
        body += [rf"\input{{{family}-page}}", _filler(4)]
    if catalog:
        body += [r"\onecolumn" if two else "", r"\section*{Appendix: the whole catalog}", rf"\input{{{catalog}}}"]
    if bib:
        body += [r"\bibliographystyle{plain}", rf"\bibliography{{{bib}}}"]
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"


def two_column_document(family="family", catalog="catalog", bib=None) -> str:
    """NeurIPS/ICML-like: two columns, 0.75in margins, 0.25in column gap."""
    return _doc("two-column", "10pt,twocolumn", family, catalog, bib, True)


def one_column_document(family="family", catalog="catalog", bib=None) -> str:
    return _doc("one-column", "11pt", family, catalog, bib, False)


def layout_results(claims) -> list:
    """Placeholder-number results for typesetting only (see the module docstring)."""
    from ..claims.result import CheckResult, ClaimResult

    out = []
    for c in claims:
        checks = tuple(CheckResult(name=k.name, status="passed", message="layout only", measured=1.0, predicted=1.0,
                                   ratio=1.0, passed=True, compare=k.compare, rtol=k.rtol, atol=k.atol, seed=0,
                                   backend="numpy", examples=1) for k in c.checks)
        import sympy

        out.append(ClaimResult(
            claim_id=c.id, title=c.title, kind=c.kind.value, statement=str(c.statement),
            statement_latex=sympy.latex(c.statement), derivation_status="proved", derivation=None, checks=checks,
            mutants=(), oracle=None, status="verified", message="layout only", seed=0, backend="numpy",
            sources=tuple({"key": s.key, "cite": s.cite(), "arxiv": s.arxiv, "doi": s.doi} for s in c.sources)))
    return out


def write_documents(outdir, family_results, catalog_results=None, *, bib: bool = True, compile: bool = True):
    """Write family-column.tex, family-page.tex, catalog.tex, refs.bib and the two test
    documents into ``outdir``; compile them when ``compile``. Returns {name: pdf or tex path}."""
    from .bibtex import bibtex
    from .latex import compile_pdf
    from .latex_table import latex_table

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    bib_name = "refs" if bib else None
    everything = list(family_results) + list(catalog_results or [])
    (outdir / "family-column.tex").write_text(latex_table(family_results, width="column", bib=bib_name,
                                                          label="tab:family"))
    # table*: a few claims (a float cannot break across pages; the whole catalog is the longtable)
    (outdir / "family-page.tex").write_text(latex_table(list(family_results)[:3], width="page", bib=bib_name,
                                                        label="tab:family-page"))
    catalog = None
    if catalog_results:
        catalog = "catalog"
        (outdir / "catalog.tex").write_text(latex_table(catalog_results, longtable=True, bib=bib_name,
                                                        label="tab:catalog"))
    if bib:
        (outdir / "refs.bib").write_text(bibtex(everything))
    docs = {"two-column": two_column_document(catalog=catalog, bib=bib_name),
            "one-column": one_column_document(catalog=catalog, bib=bib_name)}
    out = {}
    for name, tex in docs.items():
        out[name] = compile_pdf(tex, outdir, name=name) if compile else outdir / f"{name}.tex"
        if not compile:
            out[name].write_text(tex)
    return out


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    from .jsonio import load_results

    target, family = sys.argv[1], load_results(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "--catalog":
        from ..claims.registry import claims as _claims

        catalog_results = layout_results(_claims())
    else:
        catalog_results = None
    for name, path in write_documents(target, family, catalog_results).items():
        print(name, path)
