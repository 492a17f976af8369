"""Four phase-diagram sweeps (``theorykit sweep``), on local worker processes or a Dask cluster.

Run:  python examples/sweeps.py [eos|catapult|heavy_ball|nqm|all] [OUTDIR] [--dask local|ADDRESS] [-j N]

Each sweep measures one check of a catalog claim at every point of a grid (the
check's canonical example with the swept parameters replaced), writes a tidy
table (Parquet with pyarrow, else CSV) and draws the phase diagram with the
claim's prediction overlaid:

  eos         eos.gd_sharpness, late_max_sharpness over (eta, width): sharpness
              settles at the 2/eta line (Cohen et al. 2021, arXiv:2103.00065)
  catapult    catapult.regimes, catapult_final_sharpness over (eta*lam0, width):
              after the catapult the kernel's sharpness ends below 2/eta
              (Lewkowycz et al. 2020, arXiv:2003.02218)
  heavy_ball  momentum.heavy_ball_stability, threshold over beta: the measured
              stability boundary eta*(beta) against 2(1 + beta)/L (Polyak 1964)
  nqm         nqm.critical_batch_size, perfect_scaling_small_B over the NQM size d
              (the spectrum h_i = 1/i, kappa = d) and the target: steps halve when
              B doubles below the critical batch size (Zhang et al. 2019, arXiv:1907.04164)

The same from the shell, e.g.:

  theorykit sweep eos.gd_sharpness --check late_max_sharpness \\
      --grid lr=0.2,0.3,0.4 width=16,32 --out eos.parquet --plot eos.png

``--dask local`` starts a scheduler and two worker processes on this machine
(dask.distributed.LocalCluster) and submits every measurement to it; any other
value is a scheduler address. On a SLURM cluster start the workers with
dask-jobqueue (``SLURMCluster(cores=1, memory="4GB").scale(jobs=16)``) and pass
``cluster.scheduler_address``; on Kubernetes use dask-kubernetes' ``KubeCluster``
the same way. Workers need only theorykit installed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from theorykit.claims.cache import ResultCache
from theorykit.claims.registry import get_claim
from theorykit.claims.sweep import parse_axis, sweep, write_table
from theorykit.report.sweep_plot import plot_sweep

SWEEPS = {
    "eos": ("eos.gd_sharpness", "late_max_sharpness", ["lr=0.2,0.3,0.4", "width=16,32"]),
    "catapult": ("catapult.regimes", "catapult_final_sharpness", ["h=2.2:3.8:6", "n=256,2048"]),
    "heavy_ball": ("momentum.heavy_ball_stability", "threshold", ["beta=0:0.95:12"]),
    "nqm": ("nqm.critical_batch_size", "perfect_scaling_small_B", ["d=20,40,80", "target_frac=0.01,0.02"]),
}


def run(name: str, outdir: Path, *, jobs: int, dask, cache) -> Path:
    claim_id, check, grid = SWEEPS[name]
    res = sweep(get_claim(claim_id), [parse_axis(g) for g in grid], checks=[check], jobs=jobs, dask=dask,
                cache=cache)
    fmt, table = write_table(res, outdir / f"{name}.parquet")
    png = plot_sweep(res, outdir / f"{name}.png")
    ok = sum(r["passed"] for r in res.rows)
    print(f"{name}: {claim_id}:{check}, {ok}/{len(res.rows)} points agree; {fmt} table {table}, diagram {png}")
    return png


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("which", nargs="?", default="all", choices=[*SWEEPS, "all"])
    ap.add_argument("outdir", nargs="?", type=Path, default=Path("."))
    ap.add_argument("--dask", default=None, help="'local' for a LocalCluster with 2 workers, or a scheduler address")
    ap.add_argument("-j", type=int, default=2, help="local worker processes without --dask")
    ap.add_argument("--no-cache", action="store_true")
    args = ap.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    cache = None if args.no_cache else ResultCache()
    cluster = None
    dask = args.dask
    if dask == "local":
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        dask = cluster.scheduler_address
    try:
        for name in SWEEPS if args.which == "all" else [args.which]:
            run(name, args.outdir, jobs=args.j, dask=dask, cache=cache)
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
