"""``theorykit sweep``: measure a claim's checks over a grid or a sample; a table and a phase diagram."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError

__all__ = ["register", "run_sweep"]

_EPILOG = """\
Each point is the check's canonical example with the swept parameters replaced,
measured exactly as `theorykit verify` measures it (same seeding), one measurement
per unit of work: on -j worker processes, or on a Dask cluster with --dask.
Measurements go into the result cache as they finish, so an interrupted sweep
resumes where it stopped.

--grid takes NAME=v1,v2,... (values), NAME=lo:hi:n (n evenly spaced; add :log for
geometric spacing) or, with --sample lhs|sobol, NAME=lo:hi[:log] (a range to sample).
Sampled points outside the claim's assumption region are dropped.

The table (--out) has one row per point and check: the parameters, measured,
predicted, passed (the check's comparison) and error. Parquet when the path ends
in .parquet and pyarrow is installed, else CSV. --plot draws the phase diagram with
the prediction overlaid (needs matplotlib).

examples:
  theorykit sweep eos.gd_sharpness --grid lr=0.1:0.4:4 width=16,32 --out eos.parquet --plot eos.png
  theorykit sweep momentum.heavy_ball_stability --grid beta=0:0.95:12 --plot hb.png
  theorykit sweep catapult.regimes --check catapult_final_sharpness --grid h=2.2:3.8:8 n=256,2048 --plot cat.png
  theorykit sweep nqm.critical_batch_size --grid d=20:200:5 --sample sobol --n 8 --dask tcp://sched:8786
"""


def register(subparsers) -> None:
    from .catalog import _add_run_options

    p = subparsers.add_parser("sweep", help="measure a claim over a grid; a phase diagram", epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Measure a claim's checks over a grid or a Latin-hypercube/Sobol sample.")
    p.add_argument("claim_id", metavar="ID", help="the claim id, e.g. eos.gd_sharpness")
    p.add_argument("--grid", nargs="+", required=True, metavar="NAME=SPEC", help="swept parameters (see below)")
    p.add_argument("--check", action="append", default=None, metavar="NAME",
                   help="check to measure (repeatable; default: the claim's first check)")
    p.add_argument("--sample", choices=("lhs", "sobol"), default=None, help="sample the ranges instead of a grid")
    p.add_argument("--n", type=int, default=64, metavar="N", help="sample size with --sample (default 64)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="run seed (default 0)")
    p.add_argument("--backend", default="numpy", metavar="NAME", help="array backend (default numpy)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help="write the table (.parquet or .csv)")
    p.add_argument("--plot", type=Path, default=None, metavar="PNG", help="draw the phase diagram")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _add_run_options(p)
    p.set_defaults(func=run_sweep)


def run_sweep(args) -> int:
    from ..claims.registry import get_claim
    from ..claims.sweep import parse_axis, sweep, write_table
    from ..numeric.backend import get_namespace
    from .catalog import _check_writable, _run_options

    if args.seed < 0:
        raise InputError("--seed", f"must be >= 0, got {args.seed}")
    if args.n < 1:
        raise InputError("--n", f"must be >= 1, got {args.n}")
    for path, opt in ((args.out, "--out"), (args.plot, "--plot")):
        if path is not None:
            _check_writable(path, opt)
    if args.plot is not None:
        import importlib.util

        if importlib.util.find_spec("matplotlib") is None:
            raise InputError("--plot", "needs matplotlib: pip install 'theorykit[plot]'")
    claim = get_claim(args.claim_id)
    axes = [parse_axis(s) for s in args.grid]
    get_namespace(args.backend)
    jobs, cache, dask = _run_options(args)

    bar = None
    if not args.quiet and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn(f"sweeping {claim.id}"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
                       TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        task = bar.add_task("sweep", total=None)

    def progress(done, total):
        if bar is not None:
            bar.update(task, completed=done, total=total)

    if bar is not None:
        bar.start()
    try:
        result = sweep(claim, axes, checks=args.check, sample=args.sample, n=args.n, seed=args.seed,
                       backend=args.backend, jobs=jobs, cache=cache, dask=dask, progress=progress)
    finally:
        if bar is not None:
            bar.stop()
    rows = result.rows
    n_err = sum(bool(r["error"]) for r in rows)
    n_fail = sum((not r["passed"]) and not r["error"] for r in rows)
    print(f"{claim.id}: {len(rows)} measurements over {', '.join(result.swept)}; "
          f"{len(rows) - n_fail - n_err} agree with the prediction, {n_fail} do not, {n_err} raised")
    if args.out is not None:
        fmt, written = write_table(result, args.out)
        print(f"wrote {fmt} table {written}")
    if args.plot is not None:
        from ..report.sweep_plot import plot_sweep

        for i, chk in enumerate(result.checks):
            target = args.plot if i == 0 else args.plot.with_name(f"{args.plot.stem}-{chk}{args.plot.suffix}")
            plot_sweep(result, target, check=chk)
            print(f"wrote phase diagram {target}")
    return 0
