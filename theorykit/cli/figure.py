"""``theorykit figure ID PATH``: draw a claim's figure (needs the 'plot' extra)."""
from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from .argtypes import int_in, seed as _seed

__all__ = ["register", "run_figure"]

_EPILOG = """\
examples:
  theorykit figure --list
  theorykit figure momentum.heavy_ball_stability regions.png
  theorykit figure momentum.hb_beats_gd rates.pdf --seed 1

Figures draw the claim's predicted curves (from its SymPy statement) with the
values measured by running the methods on top. PNG, PDF and SVG are supported.
"""


_dpi = int_in(20, 1200)


def register(subparsers) -> None:
    p = subparsers.add_parser("figure", help="draw a claim's figure (needs the 'plot' extra)", epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Draw the figure of a claim into PATH (.png, .pdf or .svg).")
    p.add_argument("claim_id", nargs="?", metavar="ID", help="claim id, e.g. momentum.heavy_ball_stability")
    p.add_argument("path", nargs="?", metavar="PATH", help="output file")
    p.add_argument("--list", action="store_true", help="list the claim ids that have a figure")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the measurements (default 0)")
    p.add_argument("--backend", default="numpy", metavar="NAME", help="array backend: numpy (default), cupy, jax, torch or torch-cuda")
    p.add_argument("--dpi", type=_dpi, default=120, metavar="N", help="resolution of raster output (default 120)")
    p.set_defaults(func=run_figure)


def run_figure(args) -> int:
    from ..report import figures

    if args.list:
        for cid in figures.figure_ids():
            print(cid)
        return 0
    if not args.claim_id or not args.path:
        raise InputError("ID PATH", "give a claim id and an output path, or --list")
    out = figures.render(args.claim_id, args.path, seed=args.seed, backend=args.backend, dpi=args.dpi)
    print(f"wrote {out}", file=sys.stderr)
    return 0
