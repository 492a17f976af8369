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
from .argtypes import positive_int as _positive_int, seed as _seed, timeout as _timeout
from .progress import PROGRESS_MODES

__all__ = ["register", "run_list", "run_derive", "run_verify", "run_table", "table_path_for"]

_FORMATS = ("latex", "markdown", "html")


# ---------------------------------------------------------------------------- argument types


def table_path_for(path: Path) -> Path:
    """Kept for callers of older versions: ``verify --latex`` now writes exactly PATH."""
    return path.with_name(f"{path.stem}-table.tex")


def _is_stdout(path) -> bool:
    return path is not None and str(path) == "-"


def _check_writable(path: Path, option: str) -> None:
    """Fail before a long run rather than after it. ``-`` is standard output."""
    if _is_stdout(path):
        return
    if path.is_dir():
        raise InputError(option, f"{path} is a directory, expected a file path")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(option, f"directory {parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(option, f"{path} is not writable")
    if not path.exists() and not os.access(parent, os.W_OK):
        raise InputError(option, f"cannot create files in {parent}")


def _emit(text: str) -> None:
    """Write to stdout; a reader that left (``| head``) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        from . import silence_stdout

        silence_stdout()


def _write(path: Path, text: str, option: str) -> None:
    if _is_stdout(path):
        _emit(text)
        return
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
  theorykit derive 'gd.*'                     # every claim of a family (globs work)
  theorykit derive gd.stability --latex > derivation.tex
  theorykit derive gd.stability --json -      # "-" (or no PATH) is standard output
"""

_VERIFY_EPILOG = """\
Each claim is derived (every step checked symbolically), measured (each numeric
check runs the method over explicit examples and a seeded Hypothesis search), and
mutation-tested (each wrong variant must be refuted). A claim is verified iff its
derivation is proved, every check passes, every mutant is refuted and the PEP
oracle (if any, and PEPit is installed) agrees.

--latex PATH writes exactly PATH: a .pdf path compiles the standalone document
with pdflatex; any other path gets the table to \\input in a paper (with
--standalone, the compilable document). --width column|page sizes the table for
one column (table) or the full width of a two-column page (table*); --longtable
breaks the whole catalog across pages. --bib refs.bib writes BibTeX for every
source (the table then \\cite's them). "-" as a PATH means standard output.
Output paths are checked before anything runs.

A claim whose evidence was skipped (a check, or the PEP oracle without PEPit) is
"incomplete", never verified; it makes the exit code 1 unless --allow-incomplete.

exit codes: 0 every claim verified, 1 otherwise, 2 bad input.

examples:
  theorykit verify                           # the whole catalog on NumPy
  theorykit verify gd.stability
  theorykit verify 'gd.*' 'momentum.*' --seed 1 --max-examples 50
  theorykit verify --json results.json --latex results.tex --markdown results.md
  theorykit verify 'gd.*' --latex gd.pdf                  # compile the PDF
  theorykit verify 'gd.*' --json - | jq .results[0]      # JSON on stdout
  theorykit verify 'gd.*' --backend cupy     # on the GPU (needs the 'gpu' extra)
"""

_TABLE_EPILOG = """\
examples:
  theorykit table results.json --format latex --output table.tex
  theorykit table results.json --format latex --standalone --output results.tex
  theorykit table results.json --format markdown
  theorykit table results.json --pdf results.pdf      # needs pdflatex
  theorykit table results.json --width page --bib refs.bib --output table.tex
  theorykit table results.json --longtable --output catalog.tex
"""


def register(subparsers) -> None:
    from ..claims.runner import DEFAULT_MAX_EXAMPLES

    raw = argparse.RawDescriptionHelpFormatter

    p = subparsers.add_parser("list", help="list the claims in the catalog", epilog=_LIST_EPILOG,
                              formatter_class=raw,
                              description="List claims (id, kind, title) from the built-in and installed catalogs.")
    p.add_argument("patterns", nargs="*", metavar="PATTERN", help="claim ids or globs like 'gd.*' (default: all)")
    p.add_argument("--json", action="store_true",
                   help='print {"schema": "theorykit.catalog", "version": 1, "claims": [{id, kind, title, sources}]}')
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("derive", help="show a claim's checked derivation", epilog=_DERIVE_EPILOG,
                              formatter_class=raw,
                              description="Check a claim's derivation step by step and print each step's verdict.")
    p.add_argument("claim_ids", nargs="+", metavar="ID", help="claim ids or globs like 'gd.*'")
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
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the results as JSON (- for stdout)")
    p.add_argument("--latex", type=Path, default=None, metavar="PATH",
                   help="write the LaTeX table to PATH (- for stdout); a .pdf PATH compiles the document")
    p.add_argument("--markdown", type=Path, default=None, metavar="PATH", help="write a Markdown table (- for stdout)")
    _latex_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress output (the same as --progress none)")
    p.add_argument("--progress", default="auto", choices=PROGRESS_MODES,
                   help="auto (default): a bar with an ETA when stderr is a terminal, nothing when it is "
                        "piped; lines: one line per stage with an ETA (logs); bar; none")
    _add_run_options(p)
    p.add_argument("--mutation", action="store_true",
                   help="also run near-miss mutation analysis (score and survivors go into --json)")
    p.add_argument("--allow-incomplete", action="store_true",
                   help="exit 0 when claims are verified or incomplete (some evidence skipped, e.g. no PEPit)")
    p.set_defaults(func=run_verify)

    p = subparsers.add_parser("table", help="re-render saved results as LaTeX, Markdown or HTML",
                              epilog=_TABLE_EPILOG, formatter_class=raw,
                              description="Render a results file written by `theorykit verify --json`.")
    p.add_argument("results", type=Path, metavar="RESULTS.json", help="results file from `theorykit verify --json`")
    p.add_argument("--format", default="latex", metavar="FORMAT",
                   help="latex (booktabs tabular, default), markdown or html")
    p.add_argument("--output", type=Path, default=None, metavar="PATH",
                   help="write here instead of stdout (- is stdout; a .pdf PATH compiles the document)")
    p.add_argument("--pdf", type=Path, default=None, metavar="PATH",
                   help="also compile the standalone LaTeX document with pdflatex and write the PDF here")
    _latex_options(p)
    p.set_defaults(func=run_table)


def _latex_options(p) -> None:
    p.add_argument("--standalone", action="store_true", help="LaTeX: a compilable document instead of the table")
    p.add_argument("--width", default="column", choices=("column", "page"),
                   help="LaTeX: fit one column (table, default) or a two-column page's full width (table*)")
    p.add_argument("--longtable", action="store_true",
                   help="LaTeX: a longtable that breaks across pages (the whole catalog)")
    p.add_argument("--bib", type=Path, default=None, metavar="PATH",
                   help="write BibTeX for every source to PATH; the LaTeX table then \\cite's them")


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


def _list_rows(patterns) -> list[dict]:
    """(id, kind, title, sources) rows, from the cached index when the catalog is unchanged
    (listing then imports neither SymPy nor NumPy); patterns that the index cannot answer
    go to the registry, which also names close ids for a typo."""
    import fnmatch

    from .listindex import cached_rows, store_rows

    key, rows = cached_rows()
    if rows is None:
        from ..claims.registry import claims

        rows = [{"id": c.id, "kind": c.kind.value, "title": c.title, "sources": [s.key for s in c.sources]}
                for c in claims()]
        store_rows(key, rows)
    if not patterns:
        return rows
    chosen: dict[str, dict] = {}
    for pat in patterns:
        pat = pat.strip()
        hits = [r for r in rows if r["id"] == pat]
        if not hits and any(ch in pat for ch in "*?["):
            hits = [r for r in rows if fnmatch.fnmatchcase(r["id"], pat)]
        elif not hits:
            hits = [r for r in rows if r["id"].split(".", 1)[0] == pat]
        if not hits:  # the registry raises UnknownClaimError with close ids
            ids = {c.id for c in _select([pat])}
            hits = [r for r in rows if r["id"] in ids]
        for r in hits:
            chosen.setdefault(r["id"], r)
    return list(chosen.values())


def run_list(args) -> int:
    rows = _list_rows(args.patterns)
    if args.json:
        from ..report.jsonio import stamp

        _emit(json.dumps(stamp({"claims": rows}, "catalog"), indent=2) + "\n")
        return 0
    if not rows:
        print("no claims in the catalog", file=sys.stderr)
        return 0
    if sys.stdout.isatty():
        from types import SimpleNamespace

        from rich.console import Console

        from ..report.terminal import claims_table

        class _Kind(str):
            value = property(str.__str__)

        Console().print(claims_table([SimpleNamespace(id=r["id"], title=r["title"], kind=_Kind(r["kind"]),
                                                      family=r["id"].split(".", 1)[0]) for r in rows]))
    else:  # plain columns for pipes and grep
        width = max(len(r["id"]) for r in rows)
        kind_w = max(len(r["kind"]) for r in rows)
        _emit("".join(f"{r['id']:<{width}}  {r['kind']:<{kind_w}}  {r['title']}\n" for r in rows))
    return 0


_DERIVE_EXIT = {"proved": 0, "refuted": 1, "unknown": 3}
# several claims: the worst verdict decides (as in `check`): 1 > 3 > 0
_DERIVE_SEVERITY = {0: 0, 3: 1, 1: 2}


def derivation_document(claim, report) -> dict:
    """The JSON document of one claim's derivation: ``claim`` names it, and ``file`` (a path
    for ``check``) is null because a catalog derivation has no file."""
    from ..report.jsonio import stamp

    body = report.to_dict()
    body["file"] = None
    return stamp({"claim": claim.id, "title": claim.title, **body}, "derivation")


def run_derive(args) -> int:
    from ..symbolic.builder import DEFAULT_STEP_TIMEOUT, step_timeout

    selected = _select(args.claim_ids)
    codes, documents, texts = [], [], []
    for claim in selected:
        try:
            with step_timeout(args.timeout if args.timeout is not None else DEFAULT_STEP_TIMEOUT):
                report = claim.derive()
        except Exception as exc:  # a bug in the claim's derivation, not bad input
            print(f"theorykit derive: {claim.id}: the derivation raised {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            codes.append(1)
            continue
        codes.append(_DERIVE_EXIT.get(str(report.status), 1))
        if args.json:
            documents.append(derivation_document(claim, report))
        elif args.latex:
            texts.append(report.to_latex() if hasattr(report, "to_latex") else report._repr_latex_())
        else:
            texts.append(f"{claim.id}: {claim.title}\n{report}")
    if args.json:
        doc = documents[0] if len(args.claim_ids) == 1 and len(documents) == 1 and len(selected) == 1 else documents
        _emit(json.dumps(doc, indent=2, default=str) + "\n")
    else:
        if texts:
            _emit("\n\n".join(texts) + "\n")
    return max(codes, key=_DERIVE_SEVERITY.__getitem__, default=1)


def _add_run_options(p) -> None:
    """-j, --dask and the result cache: shared by ``verify`` and ``sweep``."""
    from ..claims.parallel import default_jobs

    p.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                   help=f"worker processes (default: every core, here {default_jobs()}); results equal -j 1's")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster: a scheduler address such as tcp://scheduler:8786, or 'local' for a "
                        "LocalCluster of one worker process per core started for this run (needs the 'dask' extra)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="result cache directory (default $THEORYKIT_CACHE_DIR or ~/.cache/theorykit/results)")


def _run_options(args):
    from ..claims.cache import ResultCache
    from ..claims.parallel import default_jobs

    jobs = args.jobs if args.jobs is not None else default_jobs()
    # THEORYKIT_NO_CACHE=1 turns the default cache off (the test suite sets it); --cache-dir turns it back on
    off = args.no_cache or (args.cache_dir is None and os.environ.get("THEORYKIT_NO_CACHE", "") not in ("", "0"))
    cache = None if off else ResultCache(args.cache_dir)
    return jobs, cache, args.dask


def run_verify(args) -> int:
    from ..claims.runner import verify
    from ..numeric.backend import get_namespace
    from .progress import Progress

    outputs = [(args.json, "--json"), (args.markdown, "--markdown"), (args.latex, "--latex"), (args.bib, "--bib")]
    _check_outputs(outputs)
    get_namespace(args.backend)  # an unknown or unavailable backend fails here, before any claim runs
    selected = _select(args.patterns)
    if not selected:
        print("theorykit verify: the catalog has no claims", file=sys.stderr)
        return 1
    jobs, cache, dask = _run_options(args)
    with Progress(selected, args.progress, quiet=args.quiet) as progress:
        results = verify(backend=args.backend, seed=args.seed, max_examples=args.max_examples,
                         progress=progress, claims=selected, jobs=jobs, cache=cache, dask=dask,
                         mutation=getattr(args, "mutation", False))
    accepted = ("verified", "incomplete") if getattr(args, "allow_incomplete", False) else ("verified",)
    code = 0 if all(r.status in accepted for r in results) else 1

    # files first: a summary reader that leaves early (`| head`) must not cost the results
    _write_outputs(results, args)
    from rich.console import Console

    from ..report.terminal import print_summary

    # with a document on stdout ("--json -"), the summary goes to stderr
    to_stdout = not any(_is_stdout(path) for path, _ in outputs)
    stream = sys.stdout if to_stdout else sys.stderr
    try:
        # a pipe or log file gets a fixed, wide table instead of rich's 80-column default
        print_summary(results, Console(file=stream, width=None if stream.isatty() else 140))
        if getattr(args, "mutation", False):
            print(_mutation_summary(results), file=stream)
        stream.flush()
    except BrokenPipeError:
        from . import silence_stdout

        silence_stdout()
    return code


def _mutation_summary(results) -> str:
    """One line: the near-miss mutation score over the verified claims (as ``theorykit mutate`` prints)."""
    killed = counted = 0
    low, unscored = [], []
    for r in results:
        m = r.mutation or {}
        if m.get("score") is None:
            unscored.append(r.claim_id)
            continue
        n = m["generated"] - m["equivalent"] - len(m.get("implied") or ()) - len(m.get("undefined") or ())
        killed, counted = killed + m["killed"], counted + n
        if m["score"] < 0.75:
            low.append(r.claim_id)
    score = f"{100 * killed / counted:.1f}%" if counted else "n/a"
    return (f"mutation score: {killed}/{counted} near-miss mutants killed ({score}); "
            f"{len(low)} claim(s) below 75%" + (f": {', '.join(low)}" if low else "")
            + (f"; not scored: {', '.join(unscored)}" if unscored else ""))


def _check_outputs(outputs) -> None:
    stdout_options = [option for path, option in outputs if _is_stdout(path)]
    if len(stdout_options) > 1:
        raise InputError(stdout_options[1], f"only one output can be '-' (stdout); {stdout_options[0]} already is")
    for path, option in outputs:
        if path is not None:
            _check_writable(path, option)
    for path, option in outputs:
        if path is not None and (option == "--pdf" or path.suffix.lower() == ".pdf"):
            import shutil

            if shutil.which("pdflatex") is None:  # say so before a long run, not after it
                raise InputError(option, f"{path}: pdflatex not found on PATH; install a TeX distribution "
                                         "(e.g. TeX Live) to compile PDFs, or write a .tex file")
        if option == "--bib" and _is_stdout(path):
            raise InputError("--bib", "give a file name: the table \\cite's keys from it")


def _latex_text(results, args, *, standalone: bool) -> str:
    from ..report.latex import latex_document, latex_table

    bib = None if args.bib is None else args.bib.stem
    if standalone:
        return latex_document(results, width=args.width, bib=bib)
    return latex_table(results, width=args.width, longtable=args.longtable, bib=bib)


def _write_latex(results, path: Path, args, option: str) -> None:
    if path.suffix.lower() == ".pdf":
        _write_pdf(results, path, args, option)
    else:
        _write(path, _latex_text(results, args, standalone=args.standalone), option)


def _write_bib(results, path: Path) -> None:
    from ..report.bibtex import bibtex

    _write(path, bibtex(results), "--bib")


def _write_outputs(results, args) -> None:
    if args.json is not None:
        from ..report.jsonio import dump_results, results_to_json

        if _is_stdout(args.json):
            _emit(results_to_json(results))
        else:
            dump_results(results, args.json)
    if args.markdown is not None:
        from ..report.markdown import markdown_table

        _write(args.markdown, markdown_table(results), "--markdown")
    if args.bib is not None:
        _write_bib(results, args.bib)
    if args.latex is not None:
        _write_latex(results, args.latex, args, "--latex")


def _write_pdf(results, target: Path, args=None, option: str = "--pdf") -> None:
    import shutil
    import tempfile

    from ..report.latex import compile_pdf, latex_document

    with tempfile.TemporaryDirectory(prefix="theorykit-pdf-") as tmp:
        bib_name = None
        if args is not None and args.bib is not None:  # the document \cite's: compile with its .bib beside it
            from ..report.bibtex import bibtex

            bib_name = "theorykit-refs"
            Path(tmp, f"{bib_name}.bib").write_text(bibtex(results), encoding="utf-8")
        tex = latex_document(results, width=getattr(args, "width", "column"), bib=bib_name)
        pdf = compile_pdf(tex, tmp)
        try:
            shutil.copyfile(pdf, target)
        except OSError as exc:
            raise InputError(option, f"cannot write {target}: {exc.strerror or exc}") from None


def run_table(args) -> int:
    from ..report.jsonio import load_results

    fmt = args.format.lower()
    if fmt not in _FORMATS:
        raise InputError("--format", f"choose one of {', '.join(_FORMATS)}, got {args.format!r}")
    if args.standalone and fmt != "latex":
        raise InputError("--standalone", "only applies to --format latex")
    _check_outputs([(args.output, "--output"), (args.pdf, "--pdf"), (args.bib, "--bib")])
    results = load_results(args.results)
    if args.bib is not None:
        _write_bib(results, args.bib)
    if args.pdf is not None:
        _write_pdf(results, args.pdf, args)
    if args.output is not None and args.output.suffix.lower() == ".pdf":
        _write_pdf(results, args.output, args, "--output")
        return 0
    if fmt == "latex":
        text = _latex_text(results, args, standalone=args.standalone)
    elif fmt == "markdown":
        from ..report.markdown import markdown_table

        text = markdown_table(results)
    else:
        from ..report.html import results_html

        text = results_html(results) + "\n"
    if args.pdf is not None and args.output is None:
        return 0  # asked for the PDF only
    _write(args.output if args.output is not None else Path("-"), text, "--output")
    return 0
