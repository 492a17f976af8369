"""Statements typeset for a paper: names as symbols, terms in the order people write them,
formulas that can break across lines.

``symbol_latex(name)`` maps a catalog name to its symbol: ``eta`` -> ``\\eta``, ``lam`` ->
``\\lambda``, ``f_star`` -> ``f^\\star``, ``beta1`` -> ``\\beta_1``, ``f_next`` -> ``f^{+}``,
``S_eos`` -> ``S_{\\mathrm{eos}}``, ``ratio`` -> ``\\mathrm{ratio}`` (a word is upright, not a
product of italic letters).

``StatementPrinter`` is SymPy's ``LatexPrinter`` with that map (``_print_Symbol``), sums
led by a positive term (``f - \\eta g^2`` rather than ``-\\eta g^2 + f``; ``1 - L\\eta/2``
rather than ``-L\\eta/2 + 1``), logical connectives spelled for reading, and plain or
``\\bigl``/``\\bigr`` parentheses instead of ``\\left``/``\\right``: TeX can break an
inline formula inside those, never inside a ``\\left...\\right`` group, so long statements
wrap in their ``p`` column instead of being shrunk.
"""
from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

__all__ = ["symbol_latex", "statement_latex", "StatementPrinter", "GREEK"]

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
    "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
}
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
# short spellings used in code (lambda is a Python keyword)
_ALIASES = {"lam": r"\lambda", "lamda": r"\lambda", "eps": r"\varepsilon", "epsilon": r"\varepsilon",
            "vphi": r"\varphi", "ell": r"\ell"}
# whole names with a conventional symbol
_WHOLE = {"sigma2": r"\sigma^2", "Dsq": "D^2", "Fbar": r"\bar{F}", "dv": r"\Delta v",
          "lr_unit": r"[\eta]", "k_half": "k_{1/2}", "hs": r"h^\star"}
# suffixes after '_' with a conventional mark
_SUFFIX = {"star": r"^\star", "next": "^{+}", "inf": r"_\infty", "min": r"_{\min}", "max": r"_{\max}",
           "hat": None, "bar": None, "0": "_0"}


def _base(word: str) -> str:
    if word in _ALIASES:
        return _ALIASES[word]
    if word in GREEK:
        return "\\" + word
    if word in _GREEK_CAPITALS:
        return "\\" + word
    if len(word) == 1:
        return word
    return rf"\mathrm{{{word}}}"


def _part(word: str) -> str:
    """One part of a name: greek, a letter, digits, or an upright word; a trailing number is
    a subscript (beta1 -> \\beta_1, w12 -> w_{12})."""
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", word)
    if m and (m.group(1) in GREEK or m.group(1) in _ALIASES or m.group(1) in _GREEK_CAPITALS or len(m.group(1)) == 1):
        digits = m.group(2)
        return f"{_base(m.group(1))}_{{{digits}}}" if len(digits) > 1 else f"{_base(m.group(1))}_{digits}"
    if word.isdigit():
        return word
    return _base(word)


def symbol_latex(name: str) -> str:
    """The symbol of a catalog name (see the module docstring)."""
    if name in _WHOLE:
        return _WHOLE[name]
    head, *rest = name.split("_")
    if not head:  # a leading underscore: keep the name readable
        return rf"\mathrm{{{_escape(name)}}}"
    base = _part(head)
    if not rest:
        return base
    if len(rest) == 1 and rest[0] in _SUFFIX:
        mark = _SUFFIX[rest[0]]
        if rest[0] == "hat":
            return rf"\hat{{{base}}}"
        if rest[0] == "bar":
            return rf"\bar{{{base}}}"
        return base + mark
    subs = ",".join(_part(r) if r else "" for r in rest)
    if "_" in base:  # beta1_max: already subscripted; group it
        base = "{" + base + "}"
    return f"{base}_{{{subs}}}"


_BEFORE_UPRIGHT = re.compile(r"(?<=[\w}]) \\mathrm\{")
_AFTER_UPRIGHT = re.compile(r"(\\mathrm\{\w+\}) (?=[A-Za-z\\])")


def _escape(text: str) -> str:
    return text.replace("_", r"\_")


class StatementPrinter(LatexPrinter):
    """``LatexPrinter`` for statements in tables (see the module docstring)."""

    def __init__(self, settings=None):
        base = {"long_frac_ratio": 6, "fold_frac_powers": True, "order": None}
        super().__init__({**base, **(settings or {})})

    def _print_Symbol(self, expr, style="plain"):  # noqa: N802 - SymPy's naming
        names = self._settings.get("symbol_names") or {}
        if expr in names:
            return names[expr]
        return symbol_latex(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Mul(self, expr):  # noqa: N802
        # SymPy joins factors with a space, which TeX drops: b*gpus*servers would read
        # "bgpusservers". An upright multi-letter name gets a thin space on each side it
        # touches another factor.
        tex = super()._print_Mul(expr)
        tex = _BEFORE_UPRIGHT.sub(lambda m: r"\,\mathrm{", tex)
        return _AFTER_UPRIGHT.sub(lambda m: m.group(1) + r"\,", tex)

    def _print_Add(self, expr, order=None):  # noqa: N802
        terms = list(self._as_ordered_terms(expr, order=order))
        if terms and _negative(terms[0]):
            for i, t in enumerate(terms):
                if not _negative(t):  # lead with the first positive term, keep the rest in order
                    terms = [t] + terms[:i] + terms[i + 1:]
                    break
        out = ""
        for i, term in enumerate(terms):
            if i == 0:
                pass
            elif _negative(term):
                out += " - "
                term = -term
            else:
                out += " + "
            text = self._print(term)
            if self._needs_add_brackets(term) and i > 0:
                text = rf"\left({text}\right)"
            out += text
        return out

    def _print_And(self, expr):  # noqa: N802
        return r",\quad ".join(self._print(a) for a in _ordered_args(expr))

    def _print_Implies(self, expr):  # noqa: N802
        a, b = expr.args
        return rf"{self._print(a)} \;\Longrightarrow\; {self._print(b)}"

    def _print_Equivalent(self, expr):  # noqa: N802
        return r" \;\Longleftrightarrow\; ".join(rf"\bigl({self._print(a)}\bigr)" for a in expr.args)


def _negative(term) -> bool:
    return term.could_extract_minus_sign() if isinstance(term, sympy.Expr) else False


def _ordered_args(expr):
    # equalities first, then inequalities, each in SymPy's stable order
    return sorted(expr.args, key=lambda a: (not isinstance(a, sympy.Eq), sympy.default_sort_key(a)))


_LEFT_RIGHT = re.compile(r"\\left(\(|\[|\|)|\\right(\)|\]|\|)")


def _unleft(tex: str) -> str:
    """``\\left(``/``\\right)`` -> ``\\bigl(``/``\\bigr)`` around fractions, plain elsewhere, so TeX
    may break lines inside. Pairs are matched on a stack."""
    out, stack = [], []
    pos = 0
    for m in _LEFT_RIGHT.finditer(tex):
        out.append(tex[pos:m.start()])
        pos = m.end()
        if m.group(1):
            stack.append(len(out))
            out.append(m.group(1))  # decided when the pair closes
        else:
            start = stack.pop() if stack else None
            inner = "".join(out[start + 1:]) if start is not None else ""
            tall = r"\frac" in inner or r"\sqrt" in inner or "^{" in inner or r"\sum" in inner
            closing = {")": ")", "]": "]", "|": r"\rvert"}[m.group(2)]
            if start is not None:
                opening = {"(": "(", "[": "[", "|": r"\lvert"}[out[start]]
                out[start] = (r"\bigl" + opening) if tall else opening
                out.append((r"\bigr" + closing) if tall else (closing if closing != r"\rvert" else r"\rvert"))
            else:
                out.append(closing)
    out.append(tex[pos:])
    text = "".join(out)
    return text.replace(r"\lvert", r"\lvert ").replace(r"\rvert", r"\rvert ")


def statement_latex(expr, symbol_names: dict | None = None) -> str:
    """A statement (relation, conjunction, implication, ...) typeset for a table."""
    tex = StatementPrinter({"symbol_names": symbol_names or {}}).doprint(expr)
    return _unleft(tex)
