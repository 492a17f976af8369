"""Paper-grade LaTeX tables of verification results.

Layout: one *claim row* per claim (id, kind, verdicts, citation) followed by its
statement, typeset by ``latex_symbols.statement_latex``, then one *sub-row per
numeric check*: the check's name and what it measures, the comparison with its
tolerance, the prediction and the measurement (with the Monte Carlo interval where
there is one). Under the tabular, a legend says what each comparison means and
defines every symbol the table uses (``glossary.py``), and lists the sources unless
``bib`` is given (then the claim rows ``\\cite`` them; ``bibtex.py`` writes the file).

Widths: ``width="column"`` is a ``table`` float for one column of a two-column paper,
``"page"`` a ``table*`` across both columns; ``longtable=True`` breaks the whole catalog
across pages (a longtable needs one-column mode: in a two-column paper put it after
``\\onecolumn``, as an appendix). Nothing is shrunk: every cell is a ``p`` column that
wraps, and statements break at their operators.

Extending: the sub-row columns are the ``Column`` tuples in ``COLUMNS`` (header, width
share per layout, cell function of a ``CheckRow``), and the claim row is built from
``CLAIM_FACTS`` (functions of a ``ClaimResult`` returning a short fragment or None);
a new field (e.g. a derivation's scope) is one more entry in either.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable, NamedTuple

from ..claims.result import CheckResult, ClaimResult, format_number
from ..errors import InputError

__all__ = ["latex_table", "table_body", "Column", "COLUMNS", "CLAIM_FACTS", "TABLE_PACKAGES", "comparison_tex",
           "is_test_statistic"]

TABLE_PACKAGES = ("booktabs", "array", "amsmath", "amssymb", "longtable")
WIDTHS = ("column", "page")


class CheckRow(NamedTuple):
    result: ClaimResult
    check: CheckResult
    description: str  # what the check measures ("" when the claim is not installed)


class Column(NamedTuple):
    header: str
    share: dict  # layout ("column" | "page") -> percent of the usable width; 0 hides it
    align: str  # "l" ragged right, "r" ragged left, "c" centred
    cell: Callable[[CheckRow], str]


# ------------------------------------------------------------------ small pieces
def _esc(text) -> str:
    from .latex import escape_latex

    return escape_latex(text)


_GREEK_WORDS = {"alpha": "α", "beta": "β", "gamma": "γ", "eta": "η", "kappa": "κ", "lam": "λ", "lambda": "λ",
                "mu": "μ", "rho": "ρ", "sigma": "σ", "tau": "τ", "theta": "θ", "eps": "ε", "xi": "ξ"}
_ASCII_MATH = [("||", "‖"), ("<=", "≤"), (">=", "≥"), ("->", "→"), ("^2", "²"), ("^3", "³"),
               ("^-1", "⁻¹"), ("sqrt", "√"), ("+-", "±")]


def _prose(text: str) -> str:
    """A check's plain-ASCII description made readable: ||g||^2 -> ‖g‖², eta -> η, <= -> ≤
    (escape_latex then spells those as LaTeX)."""
    import re

    text = re.sub(r"\b(" + "|".join(_GREEK_WORDS) + r")(?=\b|_|\d)", lambda m: _GREEK_WORDS[m.group(1)], text)
    for a, b in _ASCII_MATH:
        text = text.replace(a, b)
    return text


def _num(x) -> str:
    from .latex import latex_number

    return latex_number(x, digits=5)  # five significant digits fit a one-column cell


def _tt_id(text: str) -> str:
    from .latex import claim_id_tex

    return claim_id_tex(text)


def _pow10(x: float) -> str:
    """A tolerance: 10^{-6} for powers of ten, else 6 significant digits."""
    if x > 0:
        e = math.log10(x)
        if abs(e - round(e)) < 1e-9:
            return rf"10^{{{int(round(e))}}}"
    s = format_number(x, 3)
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant}\times10^{{{int(exp)}}}"
    return s


_STATISTIC_WORDS = ("welch", "statistic", "t-test", "z-score", "p-value", "number of", "count of")


def is_test_statistic(check: CheckResult, description: str = "") -> bool:
    """A check whose measured value is a test statistic compared with a threshold (|Welch t|
    <= 4, the number of loss increases >= 1), not a quantity the claim's formula predicts."""
    text = f"{check.name} {description}".lower()
    return check.compare != "tight" and any(w in text for w in _STATISTIC_WORDS)


def comparison_tex(check: CheckResult, description: str = "") -> str:
    """'$=$ 10^{-6}' / '$\\le$ 10^{-9}, 10^{-12}' (rtol, then atol when set) / '$\\ge$', and
    'test statistic' under it for a statistic compared with a threshold."""
    op = {"tight": "=", "upper": r"\le", "lower": r"\ge"}.get(check.compare, check.compare)
    tol = [_pow10(check.rtol) if check.rtol else "0"]
    if check.atol:
        tol.append(_pow10(check.atol))
    text = rf"${op}$\;{{\scriptsize${', '.join(tol)}$}}" if (check.rtol or check.atol) else f"${op}$"
    if is_test_statistic(check, description):
        text += r"\newline{\scriptsize\itshape test statistic}"
    return text


def _breakable(text: str) -> str:
    """Escaped prose whose long tokens (log(e2/e1)/log(e1/e0), B_crit(...)) may break."""
    out = _esc(_prose(text))
    return out.replace("/", r"/\allowbreak{}").replace(r"\_", r"\_\allowbreak{}")


def _check_cell(row: CheckRow, *, with_description: bool) -> str:
    name = _tt_id(row.check.name)
    if with_description and row.description:
        return rf"{name}\newline{{\footnotesize {_breakable(row.description)}}}"
    return name


def _measured_cell(row: CheckRow) -> str:
    c = row.check
    out = _num(c.measured)
    if c.interval:  # the confidence interval on its own line, then its level and number of runs
        from .latex import latex_number

        iv = c.interval
        lo, hi = latex_number(iv.get("lo"), digits=4), latex_number(iv.get("hi"), digits=4)
        out += (rf"\newline{{\scriptsize [{lo},\,{hi}]}}"
                rf"\newline{{\scriptsize {100 * float(iv.get('level', 0.95)):g}\%, $n{{=}}{int(iv.get('n_runs', 0))}$}}")
    if c.status != "passed":
        out += rf"\newline\textbf{{{_esc(c.status)}}}"
    return out


COLUMNS: list[Column] = [
    # column layout: the description wraps under the name; page layout: its own column
    # one column: name only (what each check measures is in the page and longtable layouts,
    # where it has its own column); a family's table then fits one column of a page
    Column("Check", {"column": 30, "page": 17}, "l", lambda r: _check_cell(r, with_description=False)),
    Column("What is measured", {"column": 0, "page": 38}, "l", lambda r: _breakable(r.description) or "---"),
    Column(r"Comparison {\scriptsize(rtol, atol)}", {"column": 24, "page": 15}, "l",
           lambda r: comparison_tex(r.check, r.description)),
    Column("Predicted", {"column": 20, "page": 13}, "r", lambda r: _num(r.check.predicted)),
    Column("Measured", {"column": 26, "page": 17}, "r", _measured_cell),
]


def _scope_mark(r: ClaimResult) -> str:
    scope = getattr(r, "derivation_scope", "reduced")
    return r"\textsuperscript{G}" if scope == "general" else r"\textsuperscript{R}"


def _fact_status(r: ClaimResult) -> str:
    text = _esc(r.status)
    return text if r.status == "verified" else rf"\textbf{{{text}}}"


def _fact_mutants(r: ClaimResult) -> str | None:
    k, n = r.mutants_refuted
    return f"mutants {k}/{n}" if n else None


CLAIM_FACTS: list[Callable[[ClaimResult], str | None]] = [
    lambda r: _esc(r.kind),
    _fact_status,
    # the scope says whether the whole theorem (G) or a special case (R) was derived
    lambda r: _esc(r.derivation_status) + _scope_mark(r),
    _fact_mutants,
    lambda r: (f"PEP {_esc(r.oracle.status)}" if r.oracle is not None else None),
]


# ------------------------------------------------------------------ layout
def _visible(width: str) -> list[Column]:
    return [c for c in COLUMNS if c.share.get(width, 0) > 0]


def _colspec(width: str) -> str:
    cols = _visible(width)
    total = sum(c.share[width] for c in cols)
    gaps = 2 * (len(cols) - 1)
    specs = []
    for c in cols:
        ragged = {"l": r"\raggedright", "r": r"\raggedleft", "c": r"\centering"}[c.align]
        share = c.share[width] * 1000 // total
        specs.append(rf">{{{ragged}\arraybackslash}}p{{\dimexpr(\linewidth-{gaps}\tabcolsep)*{share}/1000\relax}}")
    return "@{}" + "".join(specs) + "@{}"


def _span(width: str, body: str) -> str:
    n = len(_visible(width))
    return rf"\multicolumn{{{n}}}{{@{{}}>{{\raggedright\arraybackslash}}p{{\linewidth}}@{{}}}}{{{body}}} \\"


def _cite(r: ClaimResult, bib: str | None) -> str:
    if not r.sources:
        return ""
    if bib:
        from .bibtex import bib_key

        keys = ",".join(bib_key(s.get("key") or s.get("cite")) for s in r.sources)
        return rf"~\cite{{{keys}}}"
    return " [" + "; ".join(_esc(s.get("key", "")) for s in r.sources) + "]"


def _claim_rows(r: ClaimResult, width: str, bib: str | None, statement: str) -> list[str]:
    """The claim's id, citation and verdicts (right), then its statement on a row of its own."""
    facts = [f for f in (fn(r) for fn in CLAIM_FACTS) if f]
    head = rf"\textbf{{{_tt_id(r.claim_id)}}}{_cite(r, bib)}"
    # the verdicts stay together, flush right: on the id's line when they fit, else on the next
    # (a line break discards the first glue; \hspace* survives it and pushes the box right)
    head += rf"\hspace{{1em plus 1fill}}\hspace*{{0pt plus 1fill}}\mbox{{\scriptsize {'; '.join(facts)}}}"
    rows = [_span(width, head)]
    if statement:
        rows.append(_span(width, rf"\hspace*{{1em}}${statement}$"))
    return rows


def _check_rows(rows: list[CheckRow], width: str) -> list[str]:
    out = []
    for row in rows:
        out.append(" & ".join(c.cell(row) for c in _visible(width)) + r" \\")
    return out


def _header(width: str) -> str:
    return " & ".join(c.header for c in _visible(width)) + r" \\"


def table_body(results, context, width: str, bib: str | None) -> list[str]:
    """The rows between \\midrule and \\bottomrule."""
    lines = []
    for i, r in enumerate(results):
        if i:
            lines.append(r"\midrule")
        lines += _claim_rows(r, width, bib, context.statements.get(r.claim_id, ""))
        rows = [CheckRow(r, c, context.descriptions.get((r.claim_id, c.name), "")) for c in r.checks]
        lines += _check_rows(rows, width)
    return lines


def _check_args(results, width):
    results = list(results)
    for i, r in enumerate(results):
        if not isinstance(r, ClaimResult):
            raise InputError("results", f"item {i} is a {type(r).__name__}, expected a ClaimResult")
    if width not in WIDTHS:
        raise InputError("width", f"choose column or page, got {width!r}")
    return results


def latex_table(results: Iterable[ClaimResult], *, width: str = "column", longtable: bool = False,
                bib: str | None = None, caption: str | None = None, label: str = "tab:theorykit",
                float_env: bool = True, claims=None) -> str:
    """The table for ``\\input`` in a paper (see the module docstring).

    ``float_env=False`` leaves out the ``table``/``table*`` wrapper (for a float of your own).
    ``claims``: the Claim objects behind the results (default: the installed catalog's).
    The preamble needs ``\\usepackage{booktabs,array,amsmath,amssymb}`` (and ``longtable``).
    """
    from .latex_context import table_context

    results = _check_args(results, width)
    ctx = table_context(results, claims)
    if longtable:
        width = "page"
    caption = caption if caption is not None else _default_caption(results)
    spec = _colspec(width)
    head = [r"\toprule", _header(width), r"\midrule"]
    legend = ctx.legend(results, bib=bib)
    packages = ",".join(p for p in TABLE_PACKAGES if longtable or p != "longtable")
    lines = [f"% theorykit results table ({'longtable' if longtable else width} width); "
             f"preamble: \\usepackage{{{packages}}}"]
    if longtable:
        n = len(_visible(width))
        lines += [r"{\footnotesize\setlength{\tabcolsep}{4pt}%",
                  rf"\begin{{longtable}}{{{spec}}}",
                  rf"\caption{{{caption}}}\label{{{label}}}\\",
                  *head, r"\endfirsthead",
                  rf"\multicolumn{{{n}}}{{@{{}}l}}{{\footnotesize\itshape (continued)}}\\",
                  *head, r"\endhead",
                  r"\midrule", rf"\multicolumn{{{n}}}{{r@{{}}}}{{\footnotesize\itshape (continued on the next page)}}\\",
                  r"\endfoot", r"\bottomrule", r"\endlastfoot",
                  *table_body(results, ctx, width, bib),
                  r"\end{longtable}}",
                  rf"{{\footnotesize\raggedright\noindent {legend}\par}}"]
        return "\n".join(lines) + "\n"
    env = "table*" if width == "page" else "table"
    # in one column of a page the legend is set smaller, so that a whole family's table fits
    legend_size = r"\scriptsize" if width == "column" else r"\footnotesize"
    inner = [r"{\footnotesize\setlength{\tabcolsep}{4pt}%", rf"\begin{{tabular}}{{{spec}}}", *head,
             *table_body(results, ctx, width, bib), r"\bottomrule", r"\end{tabular}\par}",
             rf"\vspace{{2pt}}{{{legend_size}\raggedright\noindent {legend}\par}}"]
    if not float_env:
        return "\n".join(lines + inner) + "\n"
    lines += [rf"\begin{{{env}}}[tbp]", r"\centering", rf"\caption{{{caption}}}\label{{{label}}}", *inner,
              rf"\end{{{env}}}"]
    return "\n".join(lines) + "\n"


def _default_caption(results) -> str:
    from .. import __version__

    runs = sorted({(r.seed, r.backend) for r in results})
    prov = "; ".join(f"seed {s}, {_esc(b)}" for s, b in runs) or "no results"
    n = len(results)
    ok = sum(r.status == "verified" for r in results)
    return f"{ok} of {n} claims verified by theorykit {_esc(__version__)} ({prov})."
