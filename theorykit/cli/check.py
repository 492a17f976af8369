"""``theorykit check FILE... [--json] [--timeout SECONDS]``.

Exit codes: 0 every step proved, 1 something refuted, 3 nothing refuted but
something unknown, 2 unreadable input. With several files the worst wins
(2 > 1 > 3 > 0). Bad input prints ``file:line:col: message`` to stderr.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from ..errors import DerivationSyntaxError, TheorykitError

__all__ = ["register", "run", "EXIT_CODES"]

EXIT_CODES = {"proved": 0, "refuted": 1, "unknown": 3, "error": 2}
# severity order for combining several files
_SEVERITY = {0: 0, 3: 1, 1: 2, 2: 3}


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be in (0, 3600] seconds, got {text!r}")
    return value


_FORMAT_EPILOG = """\
file format (full description: docs/derivation-format.md):
  # '#' starts a comment; '# by: ...' on a step is kept as its justification
  assume: L > 0, 0 < eta < 2/L          holds for the whole file; may repeat
  claim: eta*(1 - L*eta/2) <= 1/(2*L)   a standalone step
  start: f - eta*g**2 + L/2*eta**2*g**2 begins a chain
  = f - eta*(1 - L*eta/2)*g**2          each relation line is a step: =, <=, <, >=, >
  <= f

  Names are real symbols; + - * / ** and sqrt exp log Abs Min Max sin cos tan atan
  cosh sinh tanh floor ceiling sign, pi and E. The text is never evaluated as Python.

example:
  theorykit check examples/derivations/*.deriv --json > report.json
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check .deriv derivations step by step",
        description=(
            "Check each step of .deriv derivation files: proved, refuted (with an exact "
            "counterexample) or unknown. Exit code: 0 all proved, 1 something refuted, "
            "3 some step unknown, 2 unreadable input."
        ),
        epilog=_FORMAT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help=".deriv file(s) to check (.tex/.md documents: see docs/latex.md); "
                        "- reads standard input")
    parser.add_argument("--json", action="store_true", help="print the JSON report (an array for several files)")
    parser.add_argument(
        "--timeout",
        type=_timeout,
        default=10.0,
        metavar="SECONDS",
        help="time limit for each step, in (0, 3600] (default: 10); a file takes at most "
        "steps x SECONDS plus a fixed overhead",
    )
    parser.add_argument(
        "--annotate",
        metavar="OUT",
        help="for one .tex file: write OUT.pdf (compiled with pdflatex) or OUT.tex with a margin mark per "
        "checked row; for one .md file: OUT.md with a verdict line after every display",
    )
    parser.set_defaults(func=run)


_COLOURED = re.compile(r"(✓ proved|✗ refuted|\? unknown|: PROVED$|: REFUTED$|: UNKNOWN$)")
_COLOURS = {"PROVED": "green", "REFUTED": "red", "UNKNOWN": "yellow"}


def _print_report(text: str, stdout) -> None:
    """Plain text, with the verdicts coloured by ``rich`` on a terminal."""
    isatty = getattr(stdout, "isatty", None)
    if not (isatty and isatty()):
        print(text, file=stdout)
        return
    try:
        from rich.console import Console
        from rich.markup import escape
    except ImportError:  # pragma: no cover - rich is a dependency, but stay usable
        print(text, file=stdout)
        return

    def colour(match: re.Match) -> str:
        word = match.group(1)
        style = _COLOURS[word.split()[-1].lstrip(": ").upper()]
        return f"[bold {style}]{word}[/bold {style}]"

    lines = [_COLOURED.sub(colour, escape(line)) for line in text.splitlines()]
    Console(file=stdout, highlight=False, soft_wrap=True).print("\n".join(lines))


def _worst(codes) -> int:
    return max(codes, key=_SEVERITY.__getitem__, default=0)


def _error_location(exc: TheorykitError) -> tuple[int, int, str]:
    """(line, column, message) of an error; 1:1 for whole-file errors (an unreadable
    file), the line being read for a reading budget that ran out."""
    if isinstance(exc, DerivationSyntaxError):
        return exc.line, exc.column, exc.message
    message = str(exc)
    if message.startswith("source: "):
        message = message[len("source: ") :]
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if not isinstance(line, int) or line < 1:
        line, column = 1, 1
    if not isinstance(column, int) or column < 1:
        column = 1
    return line, column, message


def _error_line(path: str, exc: TheorykitError) -> str:
    line, column, message = _error_location(exc)
    return f"{path}:{line}:{column}: {message}"


def run(args, *, prover=None, stdout=None, stderr=None) -> int:
    codes: list[int] = []
    try:
        _run(args, prover, stdout or sys.stdout, stderr or sys.stderr, codes)
    except BrokenPipeError:  # only from the final JSON print; per-file output is guarded in _run
        from . import silence_stdout

        silence_stdout()
    return _worst(codes)


def _read_input(path: str, stdin):
    """``-`` is standard input; anything else is a path (so that a missing 'notes.txt' is
    not read as derivation text)."""
    if path == "-":
        return stdin.read() + "\n", "<stdin>"  # the newline keeps one-line text from reading as a path
    return Path(path), path


def _warn_single_use(path: str, source, stderr) -> None:
    """A name used once is likely a typo (it silently became a new symbol): say so."""
    from ..symbolic.lint import single_use_names

    try:
        text = source if isinstance(source, str) else source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for w in single_use_names(text):
        print(f"{path}:{w.line}:{w.column}: {w.message()}", file=stderr)


def _run(args, prover, stdout, stderr, codes: list[int]) -> None:
    from ..report.jsonio import stamp
    from ..symbolic.derivation import check
    from .check_document import document_aware, validate_annotate

    check = document_aware(check, args)  # issue 13: .tex/.md documents, --annotate
    if validate_annotate(args):
        print(validate_annotate(args), file=stderr)
        codes.append(EXIT_CODES["error"])
        return
    documents = []
    piped_out = False  # the reader of stdout left: keep checking, so the exit code covers every file
    for path in args.files:
        try:
            source, name = _read_input(path, sys.stdin)
            report = check(source, timeout=args.timeout, prover=prover)
            report.file = path  # as typed: Path() would turn './a.deriv' into 'a.deriv'

        except TheorykitError as exc:
            line = _error_line(path, exc)
            print(line, file=stderr)
            codes.append(EXIT_CODES["error"])
            document = {"file": path, "status": "error", "error": line}
            at_line, at_column, message = _error_location(exc)
            document.update(line=at_line, column=at_column, message=message)
            documents.append(stamp(document, "derivation"))
            continue
        if not str(path).lower().endswith((".tex", ".md", ".markdown")):
            _warn_single_use(path, source, stderr)
        codes.append(getattr(report, "exit_code", EXIT_CODES[report.status]))  # documents: 2 if unreadable
        if args.json:
            documents.append(stamp(report.to_dict(), "derivation"))
        elif not piped_out:
            try:
                _print_report(str(report), stdout)
                if len(args.files) > 1:
                    print(file=stdout)
                stdout.flush()
            except BrokenPipeError:
                from . import silence_stdout

                silence_stdout()
                piped_out = True
    if args.json:
        if len(args.files) == 1:
            # a document always, with an "error" field for unreadable input
            print(json.dumps(documents[0], indent=2), file=stdout)
        else:
            print(json.dumps(documents, indent=2), file=stdout)
