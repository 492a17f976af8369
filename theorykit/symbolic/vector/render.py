"""How vector steps and certificates are shown: as a person would write them."""
from __future__ import annotations

import ast
import re

import sympy

__all__ = ["WrittenExpr", "certificate_dict", "vector_text", "latex_of_text"]


class WrittenExpr(sympy.Symbol):
    """A step side shown as written in the file (vector expressions have no SymPy form)."""

    def _latex(self, printer):
        return latex_of_text(self.name)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu", "rho",
          "sigma", "tau", "phi", "psi", "omega", "Phi", "Psi", "Delta", "Gamma"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 3}


def _name_tex(name: str) -> str:
    if name == "xs":
        return "x^{\\star}"
    base, _, sub = name.partition("_")
    match = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if match and not sub:
        base, sub = match.group(1), match.group(2)
    base = f"\\{base}" if base in _GREEK else (base if len(base) == 1 else f"\\mathrm{{{base}}}")
    return f"{base}_{{{_name_tex(sub) if sub and not sub.isdigit() else sub}}}" if sub else base


def _tex(node, parent: int = 0) -> str:
    """LaTeX of a parsed .deriv expression (the text was already accepted by the checker)."""
    if isinstance(node, ast.Expression):
        return _tex(node.body)
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Name):
        return _name_tex(node.id)
    if isinstance(node, ast.UnaryOp):
        inner = _tex(node.operand, 2)
        return f"-{inner}" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        prec = _PRECEDENCE.get(type(node.op), 3)
        if isinstance(node.op, ast.Div):
            return f"\\frac{{{_tex(node.left)}}}{{{_tex(node.right)}}}"
        if isinstance(node.op, ast.Pow):
            base = node.left
            if isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id == "norm":
                text = _tex(base)
            else:
                text = _tex(base, 4)
            return f"{text}^{{{_tex(node.right)}}}"
        op = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: " \\, "}[type(node.op)]
        right_prec = prec + 1 if isinstance(node.op, ast.Sub) else prec
        text = _tex(node.left, prec) + op + _tex(node.right, right_prec)
        return f"\\left({text}\\right)" if prec < parent else text
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name, args = node.func.id, node.args
        if name == "norm" and len(args) == 1:
            return f"\\left\\|{_tex(args[0])}\\right\\|"
        if name == "dot" and len(args) == 2:
            return f"\\left\\langle {_tex(args[0])}, {_tex(args[1])}\\right\\rangle"
        if name == "grad" and len(args) == 2:
            return f"\\nabla {_tex(args[0])}\\left({_tex(args[1])}\\right)"
        if name == "sqrt" and len(args) == 1:
            return f"\\sqrt{{{_tex(args[0])}}}"
        return f"{_name_tex(name)}\\left({', '.join(_tex(a) for a in args)}\\right)"
    raise ValueError("not an expression of the .deriv syntax")


def latex_of_text(text: str) -> str:
    """LaTeX of a step side or a vector as written; plain text in \\texttt when it cannot be read."""
    try:
        return _tex(ast.parse(text.strip(), mode="eval"))
    except (SyntaxError, ValueError, RecursionError, KeyError):
        escaped = "".join("\\" + c if c in "&%$#_{}" else c for c in text)
        return f"\\texttt{{{escaped}}}"


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


