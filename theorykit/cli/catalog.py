"""Catalog commands: ``list``, ``derive``, ``verify`` and ``table``.

Exit codes: ``derive`` 0 proved, 1 refuted (or derive() raised), 3 unknown;
``verify`` 0 every claim verified, 1 otherwise; ``table`` 0; all of them 2 for bad
input (unknown claim id, bad option value, unreadable or unwritable path).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from ..errors import InputError

__all__ = ["register", "run_list", "run_derive", "run_verify", "run_table", "table_path_for"]

_FORMATS = ("latex", "markdown", "html")


# ---------------------------------------------------------------------------- argument types
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number of seconds, got {text!r}")
    return value


def table_path_for(path: Path) -> Path:
    """Where ``verify --latex PATH`` puts the table-only variant: PATH's stem + ``-table.tex``."""
    return path.with_name(f"{path.stem}-table.tex")


def _check_writable(path: Path, option: str) -> None:
    """Fail before a long run rather than after it."""
    if path.is_dir():
        raise InputError(option, f"{path} is a directory, expected a file path")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(option, f"directory {parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(option, f"{path} is not writable")
    if not path.exists() and not os.access(parent, os.W_OK):
        raise InputError(option, f"cannot create files in {parent}")


def _write(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(option, f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------- parsers
_LIST_EPILOG = """\
examples:
  theorykit list
  theorykit list 'gd.*'
  theorykit list --json > claims.json
"""

_DERIVE_EPILOG = """\
exit codes: 0 proved, 1 refuted (or the derivation raised), 3 some step unknown, 2 bad input.

examples:
  theorykit derive gd.stability
  theorykit derive gd.stability --latex > derivation.tex
"""

_VERIFY_EPILOG = """\
Each claim is derived (every step checked symbolically), measured (each numeric
check runs the method over explicit examples and a seeded Hypothesis search), and
mutation-tested (each wrong variant must be refuted). A claim is verified iff its
derivation is proved, every check passes, every mutant is refuted and the PEP
oracle (if any, and PEPit is installed) agrees.

--latex PATH writes a standalone, compilable document to PATH and the bare
booktabs tabular (for \\input in a paper) next to it as PATH's stem + "-table.tex"
(results.tex -> results-table.tex). Output paths are checked before anything runs.

exit codes: 0 every claim verified, 1 otherwise, 2 bad input.

examples:
  theorykit verify                           # the whole catalog on NumPy
  theorykit verify gd.stability
  theorykit verify 'gd.*' 'momentum.*' --seed 1 --max-examples 50
  theorykit verify --json results.json --latex results.tex --markdown results.md
  theorykit verify 'gd.*' --backend cupy     # on the GPU (needs the 'gpu' extra)
"""

_TABLE_EPILOG = """\
examples:
  theorykit table results.json --format latex --output table.tex
  theorykit table results.json --format latex --standalone --output results.tex
  theorykit table results.json --format markdown
  theorykit table results.json --pdf results.pdf      # needs pdflatex
"""


def register(subparsers) -> None:
    from ..claims.runner import DEFAULT_MAX_EXAMPLES

    raw = argparse.RawDescriptionHelpFormatter

    p = subparsers.add_parser("list", help="list the claims in the catalog", epilog=_LIST_EPILOG,
                              formatter_class=raw,
                              description="List claims (id, kind, title) from the built-in and installed catalogs.")
    p.add_argument("patterns", nargs="*", metavar="PATTERN", help="claim ids or globs like 'gd.*' (default: all)")
    p.add_argument("--json", action="store_true", help="print a JSON array of {id, kind, title, sources}")
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("derive", help="show a claim's checked derivation", epilog=_DERIVE_EPILOG,
                              formatter_class=raw,
                              description="Check a claim's derivation step by step and print each step's verdict.")
    p.add_argument("claim_id", metavar="ID", help="the claim id, e.g. gd.stability")
    p.add_argument("--latex", action="store_true", help="print the derivation as LaTeX instead of text")
    p.add_argument("--json", action="store_true", help="print the derivation report as JSON")
    p.add_argument("--timeout", type=_timeout, default=None, metavar="SECONDS",
                   help="time limit per derivation step in seconds (default 10)")
    p.set_defaults(func=run_derive)

    p = subparsers.add_parser("verify", help="derive, measure and mutation-test claims", epilog=_VERIFY_EPILOG,
                              formatter_class=raw, description="Verify claims from the catalog.")
    p.add_argument("patterns", nargs="*", metavar="ID", help="claim ids or 'family.*' globs (default: all claims)")
    p.add_argument("--backend", default="numpy", metavar="NAME", help="array backend: numpy (default), cupy, jax, torch or torch-cuda")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of every search and measurement (default 0)")
    p.add_argument("--max-examples", type=_positive_int, default=None, metavar="N",
                   help=f"Hypothesis examples per check and per mutant (default: {DEFAULT_MAX_EXAMPLES})")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the results as JSON")
    p.add_argument("--latex", type=Path, default=None, metavar="PATH",
                   help="write a standalone LaTeX document, plus PATH-stem-table.tex with the bare table")
    p.add_argument("--markdown", type=Path, default=None, metavar="PATH", help="write a Markdown table")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run_verify)

    p = subparsers.add_parser("table", help="re-render saved results as LaTeX, Markdown or HTML",
                              epilog=_TABLE_EPILOG, formatter_class=raw,
                              description="Render a results file written by `theorykit verify --json`.")
    p.add_argument("results", type=Path, metavar="RESULTS.json", help="results file from `theorykit verify --json`")
    p.add_argument("--format", default="latex", metavar="FORMAT",
                   help="latex (booktabs tabular, default), markdown or html")
    p.add_argument("--standalone", action="store_true", help="with --format latex: a compilable document")
    p.add_argument("--output", type=Path, default=None, metavar="PATH", help="write here instead of stdout")
    p.add_argument("--pdf", type=Path, default=None, metavar="PATH",
                   help="also compile the standalone LaTeX document with pdflatex and write the PDF here")
    p.set_defaults(func=run_table)


# ---------------------------------------------------------------------------- commands
def _select(patterns):
    from ..claims.registry import claims

    if not patterns:
        return list(claims())
    chosen = {}
    for pat in patterns:
        for c in claims(pat):
            chosen.setdefault(c.id, c)
    return list(chosen.values())


def run_list(args) -> int:
    selected = _select(args.patterns)
    if args.json:
        data = [{"id": c.id, "kind": c.kind.value, "title": c.title, "sources": [s.key for s in c.sources]}
                for c in selected]
        print(json.dumps(data, indent=2))
        return 0
    if not selected:
        print("no claims in the catalog", file=sys.stderr)
        return 0
    if sys.stdout.isatty():
        from rich.console import Console

        from ..report.terminal import claims_table

        Console().print(claims_table(selected))
    else:  # plain columns for pipes and grep
        width = max(len(c.id) for c in selected)
        kind_w = max(len(c.kind.value) for c in selected)
        for c in selected:
            print(f"{c.id:<{width}}  {c.kind.value:<{kind_w}}  {c.title}")
    return 0


_DERIVE_EXIT = {"proved": 0, "refuted": 1, "unknown": 3}


def run_derive(args) -> int:
    from ..claims.registry import get_claim

    claim = get_claim(args.claim_id)
    from ..symbolic.builder import DEFAULT_STEP_TIMEOUT, step_timeout

    try:
        with step_timeout(args.timeout if args.timeout is not None else DEFAULT_STEP_TIMEOUT):
            report = claim.derive()
    except Exception as exc:  # a bug in the claim's derivation, not bad input
        print(f"theorykit derive: {claim.id}: the derivation raised {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    elif args.latex:
        print(report.to_latex() if hasattr(report, "to_latex") else report._repr_latex_())
    else:
        print(f"{claim.id}: {claim.title}")
        print(str(report))
    return _DERIVE_EXIT.get(str(report.status), 1)


class _Progress:
    """Rich progress bar on a TTY stderr, plain lines otherwise; fed by the runner's ProgressEvents."""

    def __init__(self, selected, quiet: bool):
        from ..claims.runner import claim_steps

        self.quiet = quiet
        self.offsets, total = [], 0
        for c in selected:
            self.offsets.append(total)
            total += claim_steps(c)
        self.total = total
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("verifying", total=total)

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, event) -> None:
        if self.quiet:
            return
        done = self.offsets[event.claim_index] + event.step
        where = f"[{event.claim_index + 1}/{event.claim_count}] {event.claim_id}"
        if self.bar is not None:
            self.bar.update(self.task, completed=done, description=f"{where}: {event.stage}")
        elif event.stage == "done":
            print(f"{where}: done", file=sys.stderr, flush=True)
        else:
            print(f"{where}: {event.stage}", file=sys.stderr, flush=True)


def run_verify(args) -> int:
    from ..claims.runner import verify
    from ..numeric.backend import get_namespace

    outputs = [(args.json, "--json"), (args.markdown, "--markdown"), (args.latex, "--latex")]
    if args.latex is not None:
        outputs.append((table_path_for(args.latex), "--latex"))
    for path, option in outputs:
        if path is not None:
            _check_writable(path, option)
    get_namespace(args.backend)  # an unknown or unavailable backend fails here, before any claim runs
    selected = _select(args.patterns)
    if not selected:
        print("theorykit verify: the catalog has no claims", file=sys.stderr)
        return 1
    with _Progress(selected, args.quiet) as progress:
        results = verify(backend=args.backend, seed=args.seed, max_examples=args.max_examples,
                         progress=progress, claims=selected)

    from rich.console import Console

    from ..report.terminal import print_summary

    # a pipe or log file gets a fixed, wide table instead of rich's 80-column default
    print_summary(results, Console(file=sys.stdout, width=None if sys.stdout.isatty() else 140))
    if args.json is not None:
        from ..report.jsonio import dump_results

        dump_results(results, args.json)
    if args.markdown is not None:
        from ..report.markdown import markdown_table

        _write(args.markdown, markdown_table(results), "--markdown")
    if args.latex is not None:
        from ..report.latex import latex_document, latex_table

        _write(args.latex, latex_document(results), "--latex")
        _write(table_path_for(args.latex), latex_table(results), "--latex")
    return 0 if all(r.status == "verified" for r in results) else 1


def _write_pdf(results, target: Path) -> None:
    import shutil
    import tempfile

    from ..report.latex import compile_pdf, latex_document

    with tempfile.TemporaryDirectory(prefix="theorykit-pdf-") as tmp:
        pdf = compile_pdf(latex_document(results), tmp)
        try:
            shutil.copyfile(pdf, target)
        except OSError as exc:
            raise InputError("--pdf", f"cannot write {target}: {exc.strerror or exc}") from None


def run_table(args) -> int:
    from ..report.jsonio import load_results

    fmt = args.format.lower()
    if fmt not in _FORMATS:
        raise InputError("--format", f"choose one of {', '.join(_FORMATS)}, got {args.format!r}")
    if args.standalone and fmt != "latex":
        raise InputError("--standalone", "only applies to --format latex")
    for path, option in ((args.output, "--output"), (args.pdf, "--pdf")):
        if path is not None:
            _check_writable(path, option)
    results = load_results(args.results)
    if args.pdf is not None:
        _write_pdf(results, args.pdf)
    if fmt == "latex":
        from ..report.latex import latex_document, latex_table

        text = latex_document(results) if args.standalone else latex_table(results)
    elif fmt == "markdown":
        from ..report.markdown import markdown_table

        text = markdown_table(results)
    else:
        from ..report.html import results_html

        text = results_html(results) + "\n"
    if args.pdf is not None and args.output is None:
        return 0  # asked for the PDF only
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(args.output, text, "--output")
    return 0
