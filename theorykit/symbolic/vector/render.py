"""How vector steps and certificates are shown: as a person would write them."""
from __future__ import annotations

import re

import sympy

__all__ = ["WrittenExpr", "certificate_dict", "vector_text", "latex_of_text"]


class WrittenExpr(sympy.Symbol):
    """A step side shown as written in the file (vector expressions have no SymPy form)."""

    def _latex(self, printer):
        return latex_of_text(self.name)


_LATEX_SUBS = [
    (re.compile(r"grad\(\s*(\w+)\s*,\s*"), r"\\nabla \1("),
    (re.compile(r"\bnorm\("), r"\\operatorname{norm}("),
    (re.compile(r"\bdot\("), r"\\operatorname{dot}("),
]


def latex_of_text(text: str) -> str:
    out = text.replace("**", "^").replace("*", r" \cdot ")
    out = re.sub(r"\b([A-Za-z]+)(\d+)\b", r"\1_{\2}", out)
    for pattern, repl in _LATEX_SUBS:
        out = pattern.sub(repl, out)
    return out


def _label(basis_label: dict, name: str) -> str:
    return basis_label.get(name, name)


def vector_text(combination: dict, basis_label: dict) -> str:
    """A linear combination of basis vectors, e.g. ``grad(f, x0) - L*x0 + L*x1``."""
    parts = []
    for name, coeff in combination.items():
        coeff = sympy.factor(coeff)
        label = _label(basis_label, name)
        if coeff == 1:
            term = label
        elif coeff == -1:
            term = f"-{label}"
        else:
            text = str(coeff)
            if isinstance(coeff, sympy.Add):
                text = f"({text})"
            term = f"{text}*{label}"
        parts.append(term)
    text = " + ".join(parts) if parts else "0"
    return text.replace("+ -", "- ")


def _times(coeff, what: str) -> str:
    if coeff == 1:
        return what
    text = str(coeff)
    if isinstance(coeff, sympy.Add):
        text = f"({text})"
    return f"{text}·{what}"


def certificate_dict(cert, op: str, basis_label: dict) -> dict:
    side = "RHS - LHS" if op in ("<=", "<") else "LHS - RHS"
    # multipliers refer to the inequalities as the papers write them (expr = scale * that form)
    shown = [(q, sympy.factor(sympy.cancel(lam * q.scale))) for q, lam in cert.multipliers]
    multipliers = [{"inequality": q.label, "multiplier": str(lam)} for q, lam in shown]
    squares = [{"weight": str(sympy.factor(w)), "vector": vector_text(comb, basis_label)} for w, comb in cert.squares]
    pieces = [_times(lam, f"[{q.label}]") for q, lam in shown]
    pieces += [_times(sympy.factor(w), f"‖{vector_text(comb, basis_label)}‖²") for w, comb in cert.squares]
    if cert.constant != 0:
        pieces.append(str(sympy.factor(cert.constant)))
    text = f"{side} = " + (" + ".join(pieces) if pieces else "0")
    latex = [rf"{sympy.latex(lam)}\,[\text{{{q.label}}}]" for q, lam in shown]
    latex += [rf"{sympy.latex(sympy.factor(w))}\,\left\|{latex_of_text(vector_text(comb, basis_label))}\right\|^2"
              for w, comb in cert.squares]
    if cert.constant != 0:
        latex.append(sympy.latex(sympy.factor(cert.constant)))
    side_tex = r"\mathrm{RHS}-\mathrm{LHS}" if op in ("<=", "<") else r"\mathrm{LHS}-\mathrm{RHS}"
    return {"identity": side, "multipliers": multipliers, "squares": squares,
            "constant": str(sympy.factor(cert.constant)), "text": text,
            "latex": side_tex + " = " + (" + ".join(latex) if latex else "0")}


