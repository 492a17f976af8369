"""``theorykit check paper.tex`` / ``notes.md`` (issue 13): the document part of
``theorykit check``, kept apart from ``check.py`` so that the dispatch there stays
one line. Exit code 2 when a step is unreadable, else as for ``.deriv`` files.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["DOCUMENT_SUFFIXES", "is_document", "check_document_file", "validate_annotate", "document_aware"]

DOCUMENT_SUFFIXES = {".tex": "latex", ".ltx": "latex", ".md": "markdown", ".markdown": "markdown"}


def is_document(path: str) -> bool:
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def validate_annotate(args) -> str | None:
    """An error message when ``--annotate`` cannot apply to these files, else None."""
    out = getattr(args, "annotate", None)
    if out is None:
        return None
    kind = DOCUMENT_SUFFIXES.get(Path(args.files[0]).suffix.lower()) if len(args.files) == 1 else None
    if kind is None:
        return "--annotate needs exactly one .tex or .md file to check"
    allowed = (".tex", ".pdf") if kind == "latex" else (".md",)
    if Path(out).suffix.lower() not in allowed:
        return f"--annotate: expected an output ending in {' or '.join(allowed)}, got {out!r}"
    if Path(out).resolve() == Path(args.files[0]).resolve():
        return "--annotate: the output would overwrite the input document"
    return None


def check_document_file(path: str, args, prover=None):
    """Check one document: (report, exit code). Raises TheorykitError on bad input."""
    from ..symbolic.latex.check import check_latex, check_markdown

    kind = DOCUMENT_SUFFIXES[Path(path).suffix.lower()]
    checker = check_latex if kind == "latex" else check_markdown
    report = checker(Path(path), timeout=args.timeout, prover=prover)
    report.file = path
    if getattr(args, "annotate", None):
        from ..report.annotate import write_annotation

        write_annotation(report, args.annotate)
    return report, report.exit_code


def document_aware(check, args):
    """``check`` for .deriv files, extended to .tex/.md documents (and --annotate)."""

    def dispatch(path, *, timeout, prover=None):
        if is_document(str(path)):
            report, _ = check_document_file(str(path), args, prover)
            return report
        return check(path, timeout=timeout, prover=prover)

    return dispatch
