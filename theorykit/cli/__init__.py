"""The ``theorykit`` command line.

Each subcommand lives in its own module with ``register(subparsers)`` that adds
its parser and sets ``func``; ``func(args) -> int`` returns the exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import TheorykitError

__all__ = ["main", "build_parser"]

# module name inside theorykit.cli -> loaded lazily so `theorykit check` does not import numpy-heavy code
_SUBCOMMAND_MODULES = ("check", "catalog", "figure", "model")

_DESCRIPTION = """\
theorykit: check derivations, verify optimization-theory claims, and tabulate results.

  theorykit check FILE...          check a .deriv derivation step by step
  theorykit list                   list the claims in the catalog
  theorykit derive ID              show a claim's checked derivation
  theorykit verify [ID|family.*]   derive, measure and mutation-test claims
  theorykit table RESULTS.json     re-render saved results as LaTeX or Markdown
  theorykit figure ID PATH         draw a claim's figure (needs the 'plot' extra)
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except TheorykitError as exc:
        print(f"theorykit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
