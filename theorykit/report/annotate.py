"""Annotated copies of checked documents: a margin mark on every checked row.

``annotate_latex(report)`` returns the document's LaTeX with, at the end of
every row that holds a step, a mark in the right margin (a tikz overlay
node, which works inside any display environment): ✓ proved, ✗ refuted
(numbered; the counterexample is in a footnote ``T1``, ``T2``, ... after the
display), ? unknown, and a grey ? for unreadable (its reason in a footnote).
A summary closes the document.

``compile_annotated(tex, pdf)`` compiles with real pdflatex, safely:

* documents that read or write files or change TeX's reading in ways that
  could hide such commands (``\\openin``, ``\\write``, ``\\catcode``,
  ``\\csname``, ``^^`` notation, ``\\scantokens``, ...) are refused;
  ``\\input{..}``, ``\\include{..}``, ``\\includegraphics{..}`` and their
  kin are replaced by a visible "omitted" box, so nothing outside the
  document is read;
* pdflatex runs in a fresh temporary directory holding only the copy, with
  ``-no-shell-escape``, kpathsea's paranoid ``openin_any=p``/``openout_any=p``
  (no absolute paths, no parent directories), a time limit and resource
  limits.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError, TheorykitError

__all__ = ["annotate_latex", "annotate_markdown", "compile_annotated", "write_annotation", "AnnotationError",
           "unsafe_constructs", "REFUSED_COMMANDS", "OMITTED_COMMANDS"]

# commands that read/write files or re-read text (which could build such commands)
REFUSED_COMMANDS = frozenset(
    """write18 immediate openout openin read readline write closein closeout newread newwrite
    catcode csname scantokens lccode uccode endlinechar everyeof special directlua luaexec
    pdfximage pdfobj pdffiledump pdfmdfivesum pdffilesize pdffilemoddate pdfrefximage
    pdfshellescape ShellEscape IfFileExists InputIfFileExists inputlineno@ input@path
    Gin@setfile CatchFileDef CatchFileEdef filecontents verbatiminput VerbatimInput
    lstinputlisting inputminted newlinechar""".split()
)
# commands whose {file} argument is replaced by an "omitted" box
OMITTED_COMMANDS = frozenset(
    """input include includeonly includegraphics bibliography addbibresource includepdf
    externaldocument import subimport subfile includestandalone""".split()
)
_SYMBOL = {
    "proved": r"\textcolor{green!50!black}{\ding{51}}",
    "refuted": r"\textcolor{red!75!black}{\ding{55}}",
    "unknown": r"\textcolor{orange!85!black}{\textbf{?}}",
    "unreadable": r"\textcolor{black!45}{\textbf{?}}",
}
_PREAMBLE = r"""
% ---- added by theorykit: margin marks for checked rows ----
\usepackage{tikz}
\usepackage{pifont}
\makeatletter
% right margin; in two-column documents the left column's marks go to the left margin
\newcommand{\theorykit@right}[1]{\tikz[remember picture,overlay,baseline=0pt]\node[anchor=base west,inner sep=0pt,font=\normalsize\normalfont] at ([xshift=-2.3cm]current page.east |- 0,0) {#1};}
\newcommand{\theorykit@left}[1]{\tikz[remember picture,overlay,baseline=0pt]\node[anchor=base east,inner sep=0pt,font=\normalsize\normalfont] at ([xshift=2.3cm]current page.west |- 0,0) {#1};}
\newcommand{\theorykitmark}[1]{\if@twocolumn\if@firstcolumn\theorykit@left{#1}\else\theorykit@right{#1}\fi\else\theorykit@right{#1}\fi}
\makeatother
\newcommand{\theorykitnote}[2]{{\renewcommand{\thefootnote}{\textsf{T#1}}\footnotetext[#1]{\textsf{theorykit:} #2}}}
% ---- end of theorykit additions ----
"""
_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


class AnnotationError(TheorykitError, RuntimeError):
    """The annotated document cannot be written or compiled."""


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in str(text))


def _number(value) -> str:
    text = str(value)
    if text and all(char in "0123456789-+/. e" for char in text):
        return text.replace("e", r"\mathrm{e}")
    return r"\text{" + _escape(text) + "}"


def _counterexample(report, counterexample) -> str:
    if not counterexample:
        return "false as written (no symbols)"
    if "scalars" in counterexample or "vectors" in counterexample:
        return _vector_counterexample(report, counterexample)
    parts = [f"{report.names.get(name, _escape(name))} = {_number(value)}"
             for name, value in counterexample.items()]
    return "$" + r",\ ".join(parts) + "$"


def _vector(values) -> str:
    if isinstance(values, (list, tuple)):
        return r"\left(" + ", ".join(_number(v) for v in values) + r"\right)"
    return _number(values)


def _vector_counterexample(report, counterexample) -> str:
    """The counterexample shape of issue 12 in math mode, with the document's names."""
    names = report.names

    def name(key) -> str:
        return names.get(key, r"\text{" + _escape(key) + "}") if isinstance(key, str) else _vector(key)

    parts = [f"{name(k)} = {_number(v)}" for k, v in dict(counterexample.get("scalars") or {}).items()]
    parts += [f"{name(k)} = {_vector(v)}" for k, v in dict(counterexample.get("vectors") or {}).items()]
    for fname, points in dict(counterexample.get("functions") or {}).items():
        for point in points or []:
            if not isinstance(point, dict):
                continue
            at = name(point.get("at"))
            parts.append(f"{name(fname)}({at}) = {_number(point.get('value'))}")
            parts.append(rf"\nabla {name(fname)}({at}) = {_vector(point.get('grad'))}")
    dimension = counterexample.get("dimension")
    prefix = f"in dimension {_escape(dimension)}: " if dimension is not None else ""
    return prefix + "$" + r",\ ".join(parts) + "$"


def annotate_latex(report) -> str:
    """The annotated LaTeX source of a checked LaTeX document."""
    translation = getattr(report, "translation", None)
    if translation is None or translation.kind != "latex":
        raise InputError("report", "annotation needs the report of a LaTeX document (check_latex)")
    text = translation.text
    inserts: list[tuple[int, int, str]] = []  # (offset, order, text)
    marks: dict[int, list[str]] = {}
    notes: dict[int, list[str]] = {}  # display -> footnotes
    number = 0
    for step in report.steps:
        symbol = _SYMBOL[step.status]
        if step.status in ("refuted", "unreadable"):
            number += 1
            symbol += rf"\textsuperscript{{\textsf{{T{number}}}}}"
            if step.status == "refuted":
                body = (f"line {step.line}: refuted, counterexample "
                        f"{_counterexample(report, step.counterexample)}.")
            else:
                where, _, what = (step.message or "").partition(": ")
                line, _, column = where.partition(":")
                if line.isdigit() and column.isdigit():
                    body = f"not read (line {line}, column {column}): {_escape(what)}."
                else:
                    body = f"not read: {_escape(step.message or '')}."
            notes.setdefault(step.display, []).append(rf"\theorykitnote{{{number}}}{{{body}}}")
        marks.setdefault(step.mark, []).append(symbol)
    for offset, symbols in marks.items():
        inserts.append((offset, 0, r"\theorykitmark{" + r"\,".join(symbols) + "}"))
    for display, items in notes.items():
        # \ignorespaces: the display ended with it, and the notes must not add a space
        inserts.append((translation.displays[display].end, 1, "".join(items) + r"\ignorespaces"))
    counts = report.counts()
    summary = (
        "\n\\par\\bigskip\\noindent\\fbox{\\parbox{\\dimexpr\\linewidth-2\\fboxsep-2\\fboxrule}{\\small "
        f"\\textsf{{theorykit}} checked {len(report.steps)} displayed steps: "
        f"{counts['proved']} {_SYMBOL['proved']} proved, {counts['refuted']} {_SYMBOL['refuted']} refuted, "
        f"{counts['unknown']} {_SYMBOL['unknown']} unknown, {counts['unreadable']} {_SYMBOL['unreadable']} "
        "not read. Marks in the margin; footnotes T$n$ give counterexamples and reasons.}}\n"
    )
    if translation.begin_document is None:
        inserts.append((len(text), 2, summary))
        body = _splice(text, inserts)
        return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n" + _PREAMBLE
                + "\\begin{document}\n" + body + "\n\\end{document}\n")
    end = translation.end_document if translation.end_document is not None else len(text)
    inserts.append((end, 2, summary))
    inserts.append((translation.begin_document, -1, _PREAMBLE))
    return _splice(text, inserts)


_PLAIN = {"proved": "✓ proved", "refuted": "✗ refuted", "unknown": "? unknown", "unreadable": "? not read"}


def annotate_markdown(report) -> str:
    """Markdown notes with a verdict line after every checked display, and a summary."""
    translation = getattr(report, "translation", None)
    if translation is None or translation.kind != "markdown":
        raise InputError("report", "needs the report of a Markdown document (check_markdown)")
    lines: dict[int, list[str]] = {}
    for step in report.steps:
        item = f"line {step.line} {_PLAIN[step.status]}"
        if step.status == "refuted":
            item += f" (counterexample: {report.counterexample_text(step.counterexample)})"
        elif step.status == "unreadable":
            item += f" ({step.message})"
        lines.setdefault(step.display, []).append(item)
    inserts = [(translation.displays[d].end, 0, "\n\n> **theorykit:** " + "; ".join(items) + "\n")
               for d, items in lines.items()]
    counts = report.counts()
    inserts.append((len(translation.text), 1, (
        f"\n\n---\n*theorykit checked {len(report.steps)} displayed steps: {counts['proved']} proved, "
        f"{counts['refuted']} refuted, {counts['unknown']} unknown, {counts['unreadable']} not read.*\n")))
    return _splice(translation.text, inserts)


def _splice(text: str, inserts) -> str:
    out, last = [], 0
    for offset, _, piece in sorted(inserts, key=lambda item: (item[0], item[1])):
        out.append(text[last:offset])
        out.append(piece)
        last = offset
    out.append(text[last:])
    return "".join(out)


def _control_sequences(text: str):
    """(name, offset) of every control word, outside nothing: comments count too."""
    i, n = 0, len(text)
    while i < n:
        i = text.find("\\", i)
        if i < 0:
            return
        j = i + 1
        while j < n and (text[j].isascii() and (text[j].isalpha() or text[j] == "@")):
            j += 1
        if j == i + 1:
            j += 1
        yield text[i + 1 : j], i
        i = j


def _file_like(name: str) -> bool:
    """Names such as \\@@input, \\@iinput, \\lstinputlisting, \\readfile: internal or
    package commands that read or write files are refused unless known to be omitted."""
    lowered = name.lower()
    return any(part in lowered for part in ("input", "include", "openin", "openout", "write", "read", "file"))


def unsafe_constructs(text: str) -> list[tuple[str, int]]:
    """Constructs that make a document unsafe to compile: (what, offset)."""
    found = [(f"\\{name}", offset) for name, offset in _control_sequences(text)
             if name in REFUSED_COMMANDS or (name not in OMITTED_COMMANDS and _file_like(name))]
    caret = text.find("^^")
    if caret >= 0:
        found.append(("^^ character notation", caret))
    return sorted(found, key=lambda item: item[1])


def _omit_inputs(text: str) -> str:
    """Replace ``\\input{..}`` and kin by a visible box; refuse other forms."""
    out, last = [], 0
    for name, offset in list(_control_sequences(text)):
        if name not in OMITTED_COMMANDS or offset < last:
            continue
        j = offset + 1 + len(name)
        if j < len(text) and text[j] == "*":
            j += 1
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "[":
            close = text.find("]", j)
            j = close + 1 if close > 0 else j
        if j >= len(text) or text[j] != "{":
            raise AnnotationError(
                f"\\{name} at offset {offset} is not followed by {{file}}; refusing to compile a document "
                "whose file reads cannot be told apart"
            )
        close = text.find("}", j)
        if close < 0:
            raise AnnotationError(f"\\{name}{{ is not closed")
        out.append(text[last:offset])
        out.append(rf"\fbox{{\ttfamily [\textbackslash {name} omitted by theorykit]}}")
        last = close + 1
    out.append(text[last:])
    return "".join(out)


def _limits():  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def compile_annotated(tex: str, pdf_path, *, timeout: float = 60.0) -> Path:
    """Compile annotated LaTeX to ``pdf_path`` with pdflatex (see the module doc)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise AnnotationError("pdflatex not found on PATH; install TeX Live to write an annotated PDF "
                              "(or use --annotate out.tex for the source)")
    problems = unsafe_constructs(tex)
    if problems:
        what, offset = problems[0]
        line = tex.count("\n", 0, offset) + 1
        raise AnnotationError(
            f"refusing to compile: {what} (line {line} of the annotated source) can read or write files "
            "or hide commands that do; remove it, or use --annotate out.tex for the source"
        )
    tex = _omit_inputs(tex)
    pdf_path = Path(pdf_path)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "openin_any": "p", "openout_any": "p", "shell_escape": "f",
        "LANG": "C.UTF-8",
    }
    with tempfile.TemporaryDirectory(prefix="theorykit-annotate-") as tmp:
        env["HOME"] = env["TEXMFOUTPUT"] = env["TEXMFVAR"] = tmp
        (Path(tmp) / "annotated.tex").write_text(tex, encoding="utf-8")
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error", "annotated.tex"]
        for _ in range(2):  # tikz 'remember picture' positions settle on the second run
            try:
                proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True, preexec_fn=_limits)
            except OSError as exc:
                raise AnnotationError(f"cannot run pdflatex: {exc}") from None
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise AnnotationError(f"pdflatex did not finish within {timeout:g} s") from None
            if proc.returncode != 0:
                log = output.decode("utf-8", errors="replace")
                errors = [line for line in log.splitlines() if line.startswith(("!", "./annotated.tex:"))]
                raise AnnotationError("pdflatex failed on the annotated document:\n" + "\n".join(errors[:8] or
                                                                                             log.splitlines()[-8:]))
        built = Path(tmp) / "annotated.pdf"
        if not built.exists():
            raise AnnotationError("pdflatex produced no PDF")
        try:
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, pdf_path)
        except OSError as exc:
            raise InputError("annotate", f"cannot write {pdf_path}: {exc.strerror or exc}") from None
    return pdf_path


def write_annotation(report, out, *, timeout: float = 60.0) -> Path:
    """``out.tex``: the annotated source; ``out.pdf``: compiled with pdflatex."""
    out = Path(out)
    suffix = out.suffix.lower()
    translation = getattr(report, "translation", None)
    if translation is not None and translation.kind == "markdown":
        if suffix != ".md":
            raise InputError("annotate", f"a Markdown document is annotated as .md, got {str(out)!r}")
        try:
            out.write_text(annotate_markdown(report), encoding="utf-8")
        except OSError as exc:
            raise InputError("annotate", f"cannot write {out}: {exc.strerror or exc}") from None
        return out
    if suffix not in (".tex", ".pdf"):
        raise InputError("annotate", f"expected an output ending in .tex or .pdf, got {str(out)!r}")
    tex = annotate_latex(report)
    if suffix == ".tex":
        try:
            out.write_text(tex, encoding="utf-8")
        except OSError as exc:
            raise InputError("annotate", f"cannot write {out}: {exc.strerror or exc}") from None
        return out
    return compile_annotated(tex, out, timeout=timeout)
