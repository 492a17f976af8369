"""Parallel verify, Dask, the result cache and the NQM first-hit search: ratios side by side.

    python benchmarks/bench_parallel.py [PATTERN ...] [--max-examples N] [--nqm-d 10000] [--skip dask,nqm]

Prints, each measured in this process on the same claims and seed:
  1. verify -j 2 against -j 1 (the whole catalog without PATTERN),
  2. a Dask LocalCluster with 2 worker processes against -j 2,
  3. a cached rerun against the uncached run,
  4. the NQM critical batch size (SGD) at d = --nqm-d: the jumping search against stepping.
Every parallel result is checked equal to the serial one. Timings need a quiet
machine: on a loaded one only the ratios of runs taken back to back mean anything.
"""
from __future__ import annotations

import argparse
import tempfile
import time

from theorykit.claims.cache import ResultCache
from theorykit.claims.result import strip_timings
from theorykit.claims.runner import _resolve, verify


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _plain(results):
    return [strip_timings(r.to_dict()) for r in results]


def _row(label, a, ta, b, tb):
    print(f"{label:<34} {a:>8}: {ta:9.3f} s   {b:>8}: {tb:9.3f} s   {a}/{b} = {ta / tb:.3g}", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*")
    ap.add_argument("--max-examples", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nqm-d", type=int, default=10_000)
    ap.add_argument("--skip", default="", help="comma-separated: verify,dask,cache,nqm")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    claims = _resolve(args.patterns or None)
    kw = dict(claims=claims, seed=args.seed, max_examples=args.max_examples)
    print(f"{len(claims)} claims, max_examples={args.max_examples or 'default'}, seed={args.seed}")
    serial = par = None
    if not {"verify", "dask", "cache"} <= skip:
        serial, t1 = _timed(lambda: verify(jobs=1, **kw))
        par, t2 = _timed(lambda: verify(jobs=2, **kw))
        assert _plain(par) == _plain(serial), "-j 2 differs from -j 1"
        _row("verify", "-j 2", t2, "-j 1", t1)
    if "dask" not in skip:
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            dres, td = _timed(lambda: verify(dask=cluster.scheduler_address, **kw))
        assert _plain(dres) == _plain(serial), "Dask differs from -j 1"
        _row("verify on Dask (2 workers)", "dask", td, "-j 2", t2)
    if "cache" not in skip:
        with tempfile.TemporaryDirectory() as tmp:
            cache = ResultCache(tmp)
            _, tu = _timed(lambda: verify(jobs=2, cache=cache, **kw))
            cres, tc = _timed(lambda: verify(jobs=2, cache=cache, **kw))
            assert _plain(cres) == _plain(par), "cached differs"
            _row("verify, result cache", "cached", tc, "uncached", tu)
    if "nqm" not in skip:
        from theorykit.numeric import nqm

        sgd = {"sgd": nqm.VARIANTS["sgd"]}
        new, tn = _timed(lambda: nqm.critical_batch_sizes(args.nqm_d, 0.01, variants=sgd))
        nqm.USE_JUMP = False
        try:
            old, to = _timed(lambda: nqm.critical_batch_sizes(args.nqm_d, 0.01, variants=sgd))
        finally:
            nqm.USE_JUMP = True
        assert new == old, (new, old)
        _row(f"NQM critical batch, d={args.nqm_d}", "jump", tn, "step", to)


if __name__ == "__main__":
    main()
