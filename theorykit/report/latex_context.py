"""What a results table needs beyond the results file: each statement typeset from the
claim's SymPy object, what each check measures, and the legend (comparisons, symbols,
sources).

Results files carry the statement as text and as SymPy's LaTeX. When the claim is
installed (built-in catalog or plugin) and its statement still prints as the file
says, the table typesets the SymPy object itself with ``StatementPrinter`` (names as
symbols, natural term order); otherwise it falls back to the stored LaTeX. Check
descriptions come from the installed claim too (empty when it is not installed).
"""
from __future__ import annotations

from typing import NamedTuple

from ..claims.result import ClaimResult

__all__ = ["table_context", "TableContext", "COMPARISON_LEGEND"]

COMPARISON_LEGEND = (
    r"\emph{Claim rows:} id [sources]: statement; then its kind, its verdict, the derivation's verdict "
    r"(\textsuperscript{G}: for the whole stated class; \textsuperscript{R}: a special case), "
    r"mutants (wrong variants) refuted/tried, and the PEP oracle if any. "
    r"\emph{Comparison} of the measured value $m$ with the predicted $p$: "
    r"$=$: $|m-p| \le \mathrm{rtol}\,|p| + \mathrm{atol}$ (a tight value); "
    r"$\le$: $m \le p\,(1+\mathrm{rtol}) + \mathrm{atol}$ ($p$ is an upper bound); "
    r"$\ge$: $m \ge p - \mathrm{rtol}\,|p| - \mathrm{atol}$ ($p$ is a lower bound). "
    r"$p$ is the claim's formula at the check's first example, or the threshold of a test statistic; "
    r"$m$ comes from running the method. Monte Carlo values show their confidence interval and number of runs."
)


def _installed_claims(ids) -> dict:
    try:
        from ..claims.registry import get_claim
    except Exception:  # pragma: no cover - the registry is part of theorykit
        return {}
    out = {}
    for cid in ids:
        try:
            out[cid] = get_claim(cid)
        except Exception:  # not installed, or the catalog fails to load: use the stored text
            continue
    return out


class TableContext(NamedTuple):
    statements: dict  # claim id -> LaTeX of the statement
    descriptions: dict  # (claim id, check name) -> text
    symbols: dict  # claim id -> [(name, LaTeX symbol)]

    def legend(self, results, *, bib: str | None) -> str:
        from .glossary import define
        from .latex import claim_id_tex
        from .latex_table import _breakable as escape_latex  # meanings are ASCII math like the descriptions

        parts = [COMPARISON_LEGEND]
        # a symbol with one meaning across the table is defined once; otherwise per claim
        meanings: dict[str, dict[str, list[str]]] = {}
        for r in results:
            for name, tex in self.symbols.get(r.claim_id, []):
                meaning = define(r.claim_id, name)
                meanings.setdefault(tex, {}).setdefault(meaning, []).append(r.claim_id)
        defs = []
        for tex, by_meaning in meanings.items():
            if len(by_meaning) == 1:
                (meaning, _ids), = by_meaning.items()
                defs.append(f"${tex}$ {escape_latex(meaning)}")
            else:
                for meaning, ids in by_meaning.items():
                    where = ", ".join(claim_id_tex(i) for i in ids)
                    defs.append(f"${tex}$ ({where}) {escape_latex(meaning)}")
        if defs:
            parts.append(r"\emph{Symbols:} " + "; ".join(defs) + ".")
        if not bib:
            seen, cites = set(), []
            for r in results:
                for s in r.sources:
                    key = s.get("key", "")
                    if key and key not in seen:
                        seen.add(key)
                        cites.append(rf"[{escape_latex(key)}] {escape_latex(s.get('cite', ''))}")
            if cites:
                parts.append(r"\emph{Sources:} " + "; ".join(cites) + ".")
        return r" \par\smallskip\noindent ".join(parts)


def table_context(results: list[ClaimResult], claims=None) -> TableContext:
    """``claims``: Claim objects to typeset from (default: the installed ones, by id)."""
    from .latex_symbols import statement_latex, symbol_latex

    if claims is None:
        claims = _installed_claims([r.claim_id for r in results])
    else:
        claims = {c.id: c for c in claims}
    statements, descriptions, symbols = {}, {}, {}
    for r in results:
        claim = claims.get(r.claim_id)
        expr = claim.statement if claim is not None and str(claim.statement) == r.statement else None
        if expr is not None:
            try:
                statements[r.claim_id] = statement_latex(expr)
                names = sorted({s.name for s in expr.free_symbols}, key=str.lower)
                symbols[r.claim_id] = [(n, symbol_latex(n)) for n in names]
            except Exception:  # a statement the printer cannot handle: SymPy's own LaTeX
                expr = None
        if expr is None:
            statements[r.claim_id] = r.statement_latex
            symbols[r.claim_id] = []
        if claim is not None:
            for c in claim.checks:
                descriptions[(r.claim_id, c.name)] = c.description
    return TableContext(statements, descriptions, symbols)
