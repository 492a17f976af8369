"""The report of a checked LaTeX/Markdown document: every step in its original
LaTeX, with the checker's verdict, or ``unreadable`` with a located message.

Plain text (the terminal) shows the LaTeX source; ``_repr_html_`` (Jupyter)
typesets it with MathJax.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["LatexStep", "LatexChain", "LatexReport", "EXIT_CODES"]

EXIT_CODES = {"proved": 0, "refuted": 1, "unknown": 3, "unreadable": 2}
_SYMBOLS = {"proved": "✓", "refuted": "✗", "unknown": "?", "unreadable": "?"}
_COLOURS = {"proved": "#1a7f37", "refuted": "#cf222e", "unknown": "#9a6700", "unreadable": "#6e7781"}
STATUSES = ("proved", "refuted", "unknown", "unreadable")


@dataclass
class LatexStep:
    index: int
    line: int
    column: int
    latex: str
    lhs_latex: str
    relation_latex: str
    rhs_latex: str
    relation: str | None
    lhs: str | None  # the .deriv text of each side (None when unreadable)
    rhs: str | None
    status: str
    method: str
    counterexample: dict | None
    seconds: float
    justification: str | None = None
    message: str | None = None  # for unreadable steps: 'line:col: what'
    mark: int = 0  # document offset of the row's end (annotation)
    display: int = 0

    def to_dict(self) -> dict:
        data = {
            "index": self.index, "line": self.line, "column": self.column, "latex": self.latex,
            "relation": self.relation, "lhs": self.lhs, "rhs": self.rhs, "status": self.status,
            "method": self.method, "counterexample": self.counterexample,
            "seconds": round(float(self.seconds), 6),
        }
        if self.justification:
            data["justification"] = self.justification
        if self.message:
            data["message"] = self.message
        return data


@dataclass
class LatexChain:
    start_line: int
    relation: str | None
    status: str
    step_indices: list[int] = field(default_factory=list)
    method: str = "steps"
    counterexample: dict | None = None

    def to_dict(self) -> dict:
        return {"start_line": self.start_line, "relation": self.relation, "status": self.status,
                "steps": list(self.step_indices)}


@dataclass
class LatexReport:
    file: str | None
    kind: str  # 'latex' or 'markdown'
    steps: list[LatexStep]
    chains: list[LatexChain]
    names: dict[str, str]  # .deriv identifier -> original LaTeX
    deriv_sources: list[str] = field(default_factory=list)
    translation: object | None = None  # the Translation, for annotation

    @property
    def status(self) -> str:
        statuses = {step.status for step in self.steps} | {chain.status for chain in self.chains}
        if "refuted" in statuses:
            return "refuted"
        if statuses & {"unknown", "unreadable"}:
            return "unknown"
        return "proved"

    @property
    def exit_code(self) -> int:
        if any(step.status == "unreadable" for step in self.steps):
            return EXIT_CODES["unreadable"]
        return EXIT_CODES[self.status]

    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for step in self.steps:
            counts[step.status] += 1
        return counts

    def counterexample_text(self, counterexample) -> str:
        """A counterexample with the document's own names (``\\eta = 3/2``)."""
        if counterexample is None:
            return ""
        if not counterexample:
            return "none needed (no symbols; false in exact arithmetic)"
        if "scalars" in counterexample or "vectors" in counterexample:
            parts = [f"{self.names.get(k, k)} = {v}" for k, v in dict(counterexample.get("scalars", {})).items()]
            parts += [f"{self.names.get(k, k)} = ({', '.join(map(str, v))})"
                      for k, v in dict(counterexample.get("vectors", {})).items()]
            for fname, points in dict(counterexample.get("functions", {})).items():
                for point in points or []:
                    at = point.get("at")
                    at = self.names.get(at, at) if isinstance(at, str) else at
                    grad = point.get("grad")
                    grad = f"({', '.join(map(str, grad))})" if isinstance(grad, (list, tuple)) else grad
                    parts.append(f"{self.names.get(fname, fname)}({at}) = {point.get('value')}, "
                                 f"\\nabla {self.names.get(fname, fname)}({at}) = {grad}")
            return "; ".join(parts)
        return ", ".join(f"{self.names.get(k, k)} = {v}" for k, v in counterexample.items())

    def to_dict(self) -> dict:
        steps = []
        for step in self.steps:
            data = step.to_dict()
            if step.counterexample is not None:
                data["counterexample_latex"] = self.counterexample_text(step.counterexample)
            steps.append(data)
        return {
            "file": self.file, "format": self.kind, "status": self.status, "exit_code": self.exit_code,
            "counts": self.counts(), "steps": steps, "chains": [chain.to_dict() for chain in self.chains],
            "names": dict(self.names), "deriv": list(self.deriv_sources),
        }

    def __str__(self) -> str:
        counts = self.counts()
        head = f"{self.file or '<document>'}: {self.status.upper()}"
        lines = [head]
        for step in self.steps:
            lines.append(f"  [{step.index}] line {step.line}: {step.latex}")
            detail = step.method if step.status != "unreadable" else step.message
            timing = f", {step.seconds:.2f} s" if step.status != "unreadable" else ""
            lines.append(f"      {_SYMBOLS[step.status]} {step.status} ({detail}{timing})")
            if step.counterexample is not None:
                lines.append(f"      counterexample: {self.counterexample_text(step.counterexample)}")
            if step.justification:
                lines.append(f"      by: {step.justification}")
        for chain in self.chains:
            if len(chain.step_indices) > 1:
                first, last = self.steps[chain.step_indices[0]], self.steps[chain.step_indices[-1]]
                relation = {"<=": "\\le", ">=": "\\ge"}.get(chain.relation, chain.relation or "?")
                lines.append(f"  chain from line {chain.start_line}: {first.lhs_latex} {relation} "
                             f"{last.rhs_latex}: {chain.status}")
        lines.append(f"  {self.status} ({len(self.steps)} steps: " + ", ".join(
            f"{counts[s]} {s}" for s in STATUSES) + ")")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = []
        for step in self.steps:
            colour = _COLOURS[step.status]
            detail = step.message if step.status == "unreadable" else step.method
            extra = self.counterexample_text(step.counterexample)
            rows.append(
                f"<tr><td>{step.index}</td><td>{step.line}</td><td>\\({esc(step.latex)}\\)</td>"
                f'<td style="color:{colour};font-weight:bold">{_SYMBOLS[step.status]} {esc(step.status)}</td>'
                f"<td>{esc(detail or '')}</td><td>{esc(extra)}</td><td>{esc(step.justification or '')}</td></tr>"
            )
        colour = _COLOURS.get(self.status, "#000")
        return (
            f"<div><p><b>{esc(self.file or 'document')}</b>: "
            f'<span style="color:{colour};font-weight:bold">{esc(self.status)}</span></p>'
            "<table><thead><tr><th>#</th><th>line</th><th>step</th><th>verdict</th><th>how</th>"
            "<th>counterexample</th><th>by</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
