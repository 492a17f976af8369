"""Derivation results (``DerivationReport``, ``StepResult``, ``ChainResult``)
and their rendering as plain text, HTML and LaTeX.

``derivation.py`` fills these in and re-exports them. The render functions
take the report duck-typed (``file``, ``status``, ``steps``, ``chains``,
``assumptions``).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import sympy

__all__ = [
    "StepResult",
    "ChainResult",
    "DerivationReport",
    "render_text",
    "render_html",
    "render_latex",
    "format_counterexample",
    "LATEX_RELATIONS",
]

LATEX_RELATIONS = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", None: r"\;?\;"}
_COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "unknown": "#9a6700"}
_LATEX_COLOURS = {"proved": "green!50!black", "refuted": "red!75!black", "unknown": "orange!80!black"}
_SYMBOLS = {"proved": "✓", "refuted": "✗", "unknown": "?"}


# Numbers with more digits than this print as an approximation: CPython refuses to
# print integers over 4300 digits, and nobody reads them in a report anyway.
MAX_PRINTED_DIGITS = 60


def _approx_number(q) -> sympy.Symbol:
    import mpmath

    value = mpmath.mpf(int(q.p)) / mpmath.mpf(int(q.q))
    return sympy.Symbol(f"~{mpmath.nstr(value, 6)}")


def bounded(expr):
    """``expr`` with huge rational numbers replaced by short approximations (for printing)."""
    if not isinstance(expr, sympy.Basic):
        return expr
    big = {}
    limit = MAX_PRINTED_DIGITS * 3.33  # bits
    for q in expr.atoms(sympy.Rational):
        if int(q.p).bit_length() > limit or int(q.q).bit_length() > limit:
            big[q] = _approx_number(q)
    return expr.xreplace(big) if big else expr


def expr_text(expr) -> str:
    """``str(expr)`` with huge numbers abbreviated, never an exception."""
    try:
        return str(bounded(expr))
    except (ValueError, RecursionError):
        return "<expression too large to print>"
    except Exception:  # noqa: BLE001 - SymPy orders terms numerically and can give up
        try:
            return sympy.sstr(bounded(expr), order="none")
        except Exception:  # noqa: BLE001
            return "<expression that cannot be printed>"


def format_counterexample(counterexample) -> str:
    if counterexample is None:
        return ""
    if not counterexample:  # a step without symbols is false as evaluated exactly
        return "none needed (no symbols; false in exact arithmetic)"
    if set(counterexample) >= {"scalars", "vectors", "functions"}:  # a vector counterexample
        return _format_vector_counterexample(counterexample)
    return ", ".join(f"{name} = {value}" for name, value in counterexample.items())


def _format_vector_counterexample(cex) -> str:
    def vec(v):
        return "(" + ", ".join(v) + ")"

    parts = [f"{k} = {v}" for k, v in cex["scalars"].items()]
    parts += [f"{k} = {vec(v)}" for k, v in cex["vectors"].items()]
    for name, rows in cex["functions"].items():
        for row in rows:
            at = row["at"] if isinstance(row["at"], str) else vec(row["at"])
            parts.append(f"{name}({at}) = {row['value']}, grad {name}({at}) = {vec(row['grad'])}")
    text = "; ".join(parts)
    if cex.get("realized_by"):
        text += f"; realized by {cex['realized_by']}"
    return text


def _tally(report) -> str:
    counts = {status: 0 for status in _COLOURS}
    for step in report.steps:
        counts[step.status] = counts.get(step.status, 0) + 1
    total = len(report.steps)
    return f"{total} step{'s' if total != 1 else ''}: " + ", ".join(
        f"{counts[status]} {status}" for status in _COLOURS
    )


_TEXT_RELATIONS = {"==": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}


def _relation_text(relation) -> str:
    # str(Eq(a, b)) is 'Eq(a, b)'; the file syntax is 'a = b'
    op = _TEXT_RELATIONS.get(getattr(relation, "rel_op", None))
    return f"{expr_text(relation.lhs)} {op} {expr_text(relation.rhs)}" if op else expr_text(relation)


def _assumption_text(report) -> str:
    return ", ".join(_relation_text(r) for r in getattr(report, "assumptions", []) or [])


def render_text(report) -> str:
    """A readable plain-text report: every step, the chains, the verdict."""
    lines = [f"{report.file or '<derivation>'}: {report.status.upper()}"]
    assumptions = _assumption_text(report)
    lines.append(f"  assuming: {assumptions}" if assumptions else "  assuming: nothing")
    for warning in getattr(report, "warnings", None) or []:
        lines.append(f"  warning: {warning}")
    for step in report.steps:
        lines.append(f"  [{step.index}] line {step.line}: {expr_text(step.lhs)} {step.relation} {expr_text(step.rhs)}")
        lines.append(
            f"      {_SYMBOLS.get(step.status, '?')} {step.status} ({step.method}, {step.seconds:.2f} s)"
        )
        if step.counterexample is not None:
            lines.append(f"      counterexample: {format_counterexample(step.counterexample)}")
        if getattr(step, "certificate", None) and step.certificate.get("text"):
            lines.append(f"      certificate: {step.certificate['text']}")
        if step.justification:
            lines.append(f"      by: {step.justification}")
    for chain in report.chains:
        relation = chain.relation or "(no conclusion: <= meets >=)"
        first = report.steps[chain.step_indices[0]].lhs if getattr(chain, "step_indices", None) else None
        last = report.steps[chain.step_indices[-1]].rhs if getattr(chain, "step_indices", None) else None
        conclusion = (f"{expr_text(first)} {relation} {expr_text(last)}"
                      if first is not None and chain.relation else relation)
        lines.append(f"  chain from line {chain.start_line}: {conclusion}: {chain.status}")
        if getattr(chain, "domain", None):
            lines.append(f"      proved only where {', '.join(chain.domain)} (where the middle expressions are defined)")
        if getattr(chain, "counterexample", None) is not None:
            lines.append(f"      counterexample: {format_counterexample(chain.counterexample)}")
    lines.append(f"  {report.status} ({_tally(report)})")
    return "\n".join(lines)


def _latex(expr) -> str:
    try:
        return sympy.latex(bounded(expr))
    except Exception:  # noqa: BLE001 - SymPy orders terms numerically and can give up
        try:
            return sympy.latex(bounded(expr), order="none")
        except Exception:  # noqa: BLE001
            return r"\text{(cannot be typeset)}"


def _latex_step(step) -> str:
    return f"{_latex(step.lhs)} {LATEX_RELATIONS[step.relation]} {_latex(step.rhs)}"


def render_html(report) -> str:
    """An HTML table for notebooks; steps typeset for MathJax with ``\\( \\)``."""
    esc = html.escape
    rows = []
    for step in report.steps:
        colour = _COLOURS.get(step.status, "#000")
        rows.append(
            "<tr>"
            f"<td>{step.index}</td><td>{step.line}</td>"
            f"<td>\\({esc(_latex_step(step))}\\)</td>"
            f'<td style="color:{colour};font-weight:bold">{esc(step.status)}</td>'
            f"<td>{esc(step.method)}"
            + (f"<br>\\({esc(step.certificate['latex'])}\\)" if getattr(step, "certificate", None)
               and step.certificate.get("latex") else "")
            + "</td>"
            f"<td>{esc(format_counterexample(step.counterexample))}</td>"
            f"<td>{esc(step.justification or '')}</td>"
            f"<td>{step.seconds:.2f}</td>"
            "</tr>"
        )
    chains = "".join(
        f"<li>chain from line {chain.start_line}: relation {esc(chain.relation or 'none')}, "
        f'<span style="color:{_COLOURS.get(chain.status, "#000")}">{esc(chain.status)}</span></li>'
        for chain in report.chains
    )
    colour = _COLOURS.get(report.status, "#000")
    title = esc(report.file or "derivation")
    assumptions = esc(_assumption_text(report) or "nothing")
    return (
        f"<div><p><b>{title}</b>: "
        f'<span style="color:{colour};font-weight:bold">{esc(report.status)}</span> '
        f"({esc(_tally(report))}); assuming {assumptions}</p>"
        "<table><thead><tr><th>#</th><th>line</th><th>step</th><th>verdict</th><th>method</th>"
        "<th>counterexample</th><th>by</th><th>s</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f"<ul>{chains}</ul>" if chains else "")
        + "</div>"
    )


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in str(text))


def render_latex(report, *, display: bool = False) -> str:
    """LaTeX of the report.

    ``display=False``: a booktabs ``tabular`` for documents (needs ``booktabs``
    and ``xcolor``). ``display=True``: a math-mode ``array`` that MathJax can
    show in notebooks (``_repr_latex_``), where text environments do not work.
    """
    if display:
        rows = [
            rf"{step.index} & {_latex_step(step)} & \text{{{latex_escape(step.status)}}}"
            + (
                rf" & \text{{{latex_escape(format_counterexample(step.counterexample))}}}"
                if step.counterexample
                else " & "
            )
            for step in report.steps
        ]
        body = r" \\ ".join(rows)
        return rf"$\begin{{array}}{{rlll}} {body} \end{{array}}$"
    lines = [
        r"\begin{tabular}{rrlll}",
        r"\toprule",
        r"\# & line & step & verdict & method \\",
        r"\midrule",
    ]
    for step in report.steps:
        colour = _LATEX_COLOURS.get(step.status, "black")
        verdict = rf"\textcolor{{{colour}}}{{{latex_escape(step.status)}}}"
        if step.counterexample is not None:
            verdict += rf" (${latex_escape(format_counterexample(step.counterexample))}$)"
        lines.append(
            rf"{step.index} & {step.line} & ${_latex_step(step)}$ & {verdict} & "
            rf"{latex_escape(step.method)} \\"
        )
    lines.append(r"\bottomrule")
    lines.append(r"\end{tabular}")
    return "\n".join(lines)


# ---------------------------------------------------------------- result types


@dataclass
class StepResult:
    index: int
    line: int
    lhs: sympy.Expr
    relation: str
    rhs: sympy.Expr
    status: str
    method: str
    counterexample: dict[str, str] | None
    seconds: float
    justification: str | None = None
    # vector steps: the proof as a dict (see theorykit.symbolic.vector.render)
    certificate: dict | None = None

    def to_dict(self) -> dict:
        data = {
            "index": self.index,
            "line": self.line,
            "lhs": expr_text(self.lhs),
            "relation": self.relation,
            "rhs": expr_text(self.rhs),
            "status": self.status,
            "method": self.method,
            "counterexample": dict(self.counterexample) if self.counterexample is not None else None,
            "seconds": round(float(self.seconds), 6),
        }
        if self.justification:
            data["justification"] = self.justification
        if self.certificate is not None:
            data["certificate"] = dict(self.certificate)
        return data


@dataclass
class ChainResult:
    start_line: int
    relation: str | None
    status: str
    # indices into DerivationReport.steps; not part of the JSON schema
    step_indices: list[int] = field(default_factory=list)
    # how the status was reached: "steps" or the prover method on start-vs-last
    method: str = "steps"
    # for a refuted chain: where start-vs-last fails (not in the JSON schema)
    counterexample: dict[str, str] | None = None
    # every step proved, but the middle expressions need these conditions, which
    # the ends' domain does not imply: the conclusion holds only where they do
    domain: list[str] | None = None

    def to_dict(self) -> dict:
        data = {"start_line": self.start_line, "relation": self.relation, "status": self.status}
        if self.domain:
            data["domain"] = list(self.domain)
            data["method"] = self.method
        return data


@dataclass
class DerivationReport:
    file: str | None
    status: str
    steps: list[StepResult]
    chains: list[ChainResult]
    assumptions: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        data = {
            "file": self.file,
            "status": self.status,
            "steps": [step.to_dict() for step in self.steps],
            "chains": [chain.to_dict() for chain in self.chains],
        }
        if self.warnings:
            data["warnings"] = list(self.warnings)
        return data

    def __str__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        return render_html(self)

    def _repr_latex_(self) -> str:
        return render_latex(self, display=True)

    def to_latex(self) -> str:
        """A ``tabular`` for LaTeX documents (needs ``booktabs`` and ``xcolor``)."""
        return render_latex(self, display=False)
