"""LaTeX results: tables for papers, a standalone document, compiled with real pdflatex.

``latex_table(results, width=..., longtable=..., bib=...)`` (``latex_table.py``) is a
``table``/``table*`` float or a ``longtable`` to ``\\input`` into a paper;
``latex_document(results)`` is a compilable article with the catalog as a longtable
and, per claim, the checks and the mutants with the counterexamples that refuted
them. ``compile_pdf(tex, outdir)`` runs ``pdflatex -interaction=nonstopmode
-halt-on-error`` (and ``bibtex`` when the document cites a ``.bib``).

Statements are typeset by ``latex_symbols.StatementPrinter`` in wrapping ``p`` columns
(never shrunk); all other text is escaped by ``escape_latex``.
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Iterable

from ..claims.result import ClaimResult, format_number
from ..errors import InputError, TheorykitError

__all__ = ["latex_table", "latex_document", "compile_pdf", "escape_latex", "latex_number", "claim_id_tex",
           "LatexError", "PREAMBLE"]

PREAMBLE = r"\usepackage{booktabs,array,longtable,amsmath,amssymb,graphicx}"

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))

class LatexError(TheorykitError):
    """pdflatex is missing or failed; the message carries the log's errors and tail."""


# Unicode that titles and descriptions use (β, √κ, ‖x‖², ≤, →): pdflatex's default
# input encoding rejects most of it, so it is spelled as LaTeX. \ensuremath works in
# text and math and, unlike $...$, never forms "$$" with a neighbour.
_UNICODE = {
    "−": "-", "–": "--", "—": "---", "…": r"\ldots{}", "‘": "`", "’": "'", "“": "``", "”": "''",
    "√": r"\ensuremath{\surd}", "‖": r"\ensuremath{\|}", "→": r"\ensuremath{\to}", "←": r"\ensuremath{\leftarrow}",
    "⇒": r"\ensuremath{\Rightarrow}", "⇔": r"\ensuremath{\Leftrightarrow}", "↔": r"\ensuremath{\leftrightarrow}",
    "≤": r"\ensuremath{\le}", "≥": r"\ensuremath{\ge}", "≠": r"\ensuremath{\ne}", "≈": r"\ensuremath{\approx}",
    "≡": r"\ensuremath{\equiv}", "≪": r"\ensuremath{\ll}", "≫": r"\ensuremath{\gg}", "∝": r"\ensuremath{\propto}",
    "∞": r"\ensuremath{\infty}", "·": r"\ensuremath{\cdot}", "×": r"\ensuremath{\times}", "±": r"\ensuremath{\pm}",
    "∇": r"\ensuremath{\nabla}", "∂": r"\ensuremath{\partial}", "∑": r"\ensuremath{\sum}", "∏": r"\ensuremath{\prod}",
    "∫": r"\ensuremath{\int}", "∈": r"\ensuremath{\in}", "∉": r"\ensuremath{\notin}", "⊂": r"\ensuremath{\subset}",
    "⊆": r"\ensuremath{\subseteq}", "∀": r"\ensuremath{\forall}", "∃": r"\ensuremath{\exists}",
    "⊤": r"\ensuremath{\top}", "ᵀ": r"\ensuremath{^\top}", "∘": r"\ensuremath{\circ}", "°": r"\ensuremath{^\circ}",
    "⟨": r"\ensuremath{\langle}", "⟩": r"\ensuremath{\rangle}", "∗": "*", "½": r"\ensuremath{\tfrac12}",
    "²": r"\ensuremath{^2}", "³": r"\ensuremath{^3}", "¹": r"\ensuremath{^1}", "⁻": r"\ensuremath{^-}",
    "ⁿ": r"\ensuremath{^n}", "⋆": r"\ensuremath{^\star}", "★": r"\ensuremath{\star}",
    **{chr(0x2080 + d): rf"\ensuremath{{_{d}}}" for d in range(10)},
}
_GREEK_COMMANDS = {"lamda": "lambda", "omicron": "o"}
# capitals that look like Latin letters have no LaTeX command
_GREEK_LATIN_CAPITALS = {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I", "Kappa": "K",
                         "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X"}
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def _unicode_char(ch: str) -> str:
    if ch in _UNICODE:
        return _UNICODE[ch]
    name = unicodedata.name(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) and len(name.split()) == 4:
        letter = _GREEK_COMMANDS.get(name.split()[-1].lower(), name.split()[-1].lower())
        if "CAPITAL" in name:
            cap = letter.capitalize()
            return rf"\ensuremath{{\{cap}}}" if cap in _GREEK_CAPITALS else _GREEK_LATIN_CAPITALS.get(cap, "?")
        return rf"\ensuremath{{\{letter}}}" if letter != "o" else "o"
    ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return escape_latex(ascii_form) if ascii_form else "?"


def escape_latex(text: str) -> str:
    """Plain text made safe for pdflatex: special characters escaped, common Unicode math
    (Greek letters, ≤, ‖, √, ², ...) spelled as LaTeX, whitespace folded."""
    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], " ".join(str(text).split()))
    return "".join(ch if ord(ch) < 128 else _unicode_char(ch) for ch in text)


def claim_id_tex(claim_id: str) -> str:
    """An id in typewriter type that may break after '.' and '_' inside a narrow column."""
    parts = [escape_latex(p) for p in re.split(r"([._])", claim_id)]
    out = "".join(p + (r"\allowbreak{}" if p in (".", r"\_") else "") for p in parts)
    return rf"\texttt{{{out}}}"


_claim_id = claim_id_tex


def latex_number(x: float | None, digits: int = 6) -> str:
    """A number in math mode: 6 significant digits, 1.5\\times10^{-7} rather than 1.5e-07."""
    if x is None:
        return "---"
    if math.isnan(x):
        return r"$\mathrm{NaN}$"
    if math.isinf(x):
        return r"$\infty$" if x > 0 else r"$-\infty$"
    s = format_number(x, digits)
    if "e" in s:
        mant, exp = s.split("e")
        return rf"${mant}\times10^{{{int(exp)}}}$"
    return f"${s}$"


def _check_results(results) -> list[ClaimResult]:
    results = list(results)
    for i, r in enumerate(results):
        if not isinstance(r, ClaimResult):
            raise InputError("results", f"item {i} is a {type(r).__name__}, expected a ClaimResult")
    return results


def latex_table(results: Iterable[ClaimResult], *, width: str = "column", longtable: bool = False,
                bib: str | None = None, **kw) -> str:
    """See ``theorykit.report.latex_table.latex_table``."""
    from .latex_table import latex_table as _table

    return _table(results, width=width, longtable=longtable, bib=bib, **kw)


def _cex(cex) -> str:
    if not cex:
        return ""
    return ", ".join(f"{escape_latex(k)} $=$ {escape_latex(v)}" for k, v in cex.items())


def _details(r: ClaimResult) -> list[str]:
    out = [rf"\subsection*{{{_claim_id(r.claim_id)}: {escape_latex(r.title)}}}",
           rf"Status: \textbf{{{escape_latex(r.status)}}}. {escape_latex(r.message)}"]
    items = []
    for c in r.checks:
        items.append(rf"\item Check \texttt{{{escape_latex(c.name)}}}: {escape_latex(c.status)}. {escape_latex(c.message)}")
    for m in r.mutants:
        by = f" by {escape_latex(m.by)}" if m.by else ""
        where = f" at {_cex(m.counterexample)}" if m.counterexample else ""
        verdict = "refuted" if m.refuted else r"\textbf{" + escape_latex(m.status) + "}"
        items.append(rf"\item Mutant \texttt{{{escape_latex(m.name)}}} ({escape_latex(m.description)}): "
                     rf"{verdict}{by}{where}.")
    if r.oracle is not None:
        items.append(rf"\item PEP oracle: {escape_latex(r.oracle.status)}. {escape_latex(r.oracle.message)}")
    if items:
        out += [r"\begin{itemize}", *items, r"\end{itemize}"]
    if r.sources:
        # DOIs and arXiv ids have no spaces: allow breaks after their slashes and dots
        cites = "; ".join(re.sub(r"([/.])(?=\S)", r"\1\\allowbreak{}", escape_latex(s.get("cite", s.get("key", ""))))
                          for s in r.sources)
        out.append(rf"\noindent\textit{{Sources:}} {cites}")
    return out


def latex_document(results: Iterable[ClaimResult], *, title: str = "theorykit results", width: str = "column",
                   bib: str | None = None) -> str:
    """A standalone article: the results as a longtable (with the legend), then per claim its
    checks, mutants and sources. ``bib``: the name of a ``.bib`` beside the document
    (without ``.bib``); the table then ``\\cite``s and a bibliography is printed."""
    results = _check_results(results)
    from .. import __version__
    from .latex_table import latex_table as _table

    lines = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        PREAMBLE,
        r"\begin{document}",
        r"\sloppy",  # long identifiers in the details: prefer loose lines to overfull ones
        rf"\section*{{{escape_latex(title)}}}",
        rf"Generated by theorykit {escape_latex(__version__)}.",
        _table(results, longtable=True, bib=bib),
    ]
    for r in results:
        lines += _details(r)
    if bib:
        lines += [r"\bibliographystyle{plain}", rf"\bibliography{{{bib}}}"]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def _log_excerpt(log: str, tail: int = 25) -> str:
    lines = log.splitlines()
    errors = []
    for i, line in enumerate(lines):
        if line.startswith("!"):
            errors.extend(lines[i : i + 3])
    body = errors[:30] if errors else lines[-tail:]
    return "\n".join(body)


def compile_pdf(tex: str, outdir: str | Path, *, name: str = "theorykit-results", timeout: float = 120.0) -> Path:
    """Write ``tex`` to ``outdir/name.tex`` and compile it with pdflatex; returns the PDF path.

    Raises ``LatexError`` when pdflatex is not installed or the compilation fails
    (with the errors from the log), ``InputError`` when ``outdir`` is unusable.
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise LatexError("pdflatex not found on PATH; install a TeX distribution (e.g. TeX Live) to compile PDFs")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise InputError("name", f"use letters, digits, '.', '_' or '-' only, got {name!r}")
    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        (outdir / f"{name}.tex").write_text(tex, encoding="utf-8")
    except OSError as exc:
        raise InputError("outdir", f"cannot write to {outdir}: {exc.strerror or exc}") from None
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", f"-jobname={name}", f"{name}.tex"]
    bibtex_done = "\\bibliography{" not in tex or shutil.which("bibtex") is None
    for _ in range(4):  # longtable may ask for a rerun to settle column widths; \cite after bibtex
        try:
            proc = subprocess.run(cmd, cwd=outdir, capture_output=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, text=True, errors="replace")
        except subprocess.TimeoutExpired:
            raise LatexError(f"pdflatex did not finish within {timeout:g} s on {outdir / (name + '.tex')}") from None
        log_path = outdir / f"{name}.log"
        log = log_path.read_text(errors="replace") if log_path.exists() else proc.stdout
        if proc.returncode != 0:
            raise LatexError(f"pdflatex failed on {outdir / (name + '.tex')} (exit {proc.returncode}):\n"
                             + _log_excerpt(log))
        if not bibtex_done:  # the first pass wrote the .aux that bibtex reads
            bibtex_done = True
            subprocess.run([shutil.which("bibtex"), name], cwd=outdir, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, text=True, errors="replace")
            continue
        if "Rerun" not in log and "undefined references" not in log:
            break
    pdf = outdir / f"{name}.pdf"
    if not pdf.exists():
        raise LatexError(f"pdflatex produced no PDF for {outdir / (name + '.tex')}:\n" + _log_excerpt(log))
    return pdf
