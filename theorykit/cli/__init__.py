"""The ``theorykit`` command line.

Each subcommand lives in its own module with ``register(subparsers)`` that adds
its parser and sets ``func``; ``func(args) -> int`` returns the exit code.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import TheorykitError

__all__ = ["main", "build_parser", "silence_stdout"]

# module name inside theorykit.cli -> loaded lazily so `theorykit check` does not import numpy-heavy code
_SUBCOMMAND_MODULES = ("check", "catalog", "figure", "cache", "sweep", "challenge", "model")

_DESCRIPTION = """\
theorykit: check derivations, verify optimization-theory claims, and tabulate results.

  theorykit check FILE...          check a .deriv derivation step by step
  theorykit list                   list the claims in the catalog
  theorykit derive ID              show a claim's checked derivation
  theorykit verify [ID|family.*]   derive, measure and mutation-test claims
  theorykit table RESULTS.json     re-render saved results as LaTeX or Markdown
  theorykit figure ID PATH         draw a claim's figure (needs the 'plot' extra)
  theorykit sweep ID --grid ...    measure a claim over a grid; a phase diagram
  theorykit cache clear            clear the result cache of verify and sweep
  theorykit sharpness|gradcheck|eos MODULE:FACTORY   the checks on your own JAX/PyTorch model

Run `theorykit COMMAND --help` for the options of each command.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="theorykit",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"theorykit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a subcommand module not written yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


def silence_stdout() -> None:
    """After a BrokenPipeError (``theorykit ... | head`` and the reader left): send the rest
    of stdout to /dev/null, so that neither later prints nor Python's flush at exit fail."""
    try:
        if sys.stdout.fileno() != 1:  # a test's capture, not the process's stdout: leave it alone
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's StringIO)
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from .._cache import keep_hypothesis_out_of_cwd

    keep_hypothesis_out_of_cwd()  # verify/check/derive must not leave .hypothesis/ in the CWD
    try:
        return int(args.func(args))
    except TheorykitError as exc:
        print(f"theorykit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # a command that did not handle it itself (e.g. `theorykit list | head`): its work
        # was printing, and the reader took what it wanted
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
