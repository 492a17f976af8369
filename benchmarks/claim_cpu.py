"""CPU seconds per claim (this process plus its waited-for children: the prover's forks), one claim at a time.

    python benchmarks/claim_cpu.py [PATTERN ...] [--out times.json] [--before times.json] [--profile ID]
    python benchmarks/claim_cpu.py --compare BEFORE.json AFTER.json

``benchmarks/data/claim_cpu_{before,after}_perf2.json`` hold the per-claim CPU seconds measured
before and after the issue-16 slow-path work (serially, on the same 2-core machine under a load
of ~10 from other jobs, so absolute values run high; eos.digits_gd is there because JAX was
installed). Before: commit 5e9fdd8. After: the whole catalog at 60092ac, then the ten claims
changed after it re-measured at the final commit. ``--compare`` prints their ratios.
``claim_cpu_{before,after}_perf3.json``: the third round, the whole catalog serially with one BLAS
thread in the dev venv (JAX installed, so eos.digits_gd is in it), before at 63e2133 on a quiet
machine and after at a5cd18b with another job on the second core: 186.9 -> 148.5 CPU-s in all,
142.7 -> 105.2 without eos.digits_gd.

The two cores of a shared machine make wall time meaningless, so this measures
CPU time: ``verify_claim`` on each claim, serially, without the result cache.
``--before`` prints each claim's ratio after/before side by side (a file that an
earlier run wrote with ``--out``) and the catalog totals; ``--profile ID`` prints
cProfile's top functions of one claim instead.
"""
from __future__ import annotations

import argparse
import json
import resource
import time


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main(argv=None) -> None:
    from theorykit.claims.runner import _resolve, verify_claim

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*")
    ap.add_argument("--out")
    ap.add_argument("--before")
    ap.add_argument("--profile")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args(argv)
    if args.compare:
        with open(args.compare[0]) as fb, open(args.compare[1]) as fa:
            _ratios(json.load(fb), json.load(fa))
        return
    if args.profile:
        import cProfile
        import pstats

        (claim,) = _resolve([args.profile])
        prof = cProfile.Profile()
        t0 = _cpu()
        prof.runcall(verify_claim, claim)
        print(f"{claim.id}: {_cpu() - t0:.2f} CPU-s (profiled)")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
        return
    times = _measure(_resolve(args.patterns or None), verify_claim)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(times, fh, indent=1, sort_keys=True)
    if args.before:
        with open(args.before) as fh:
            _ratios(json.load(fh), times)
    print(f"catalog: {len(times)} claims, {sum(times.values()):.1f} CPU-s")


def _measure(claims, verify_claim) -> dict:
    times = {}
    for claim in claims:
        t0, w0 = _cpu(), time.perf_counter()
        res = verify_claim(claim)
        times[claim.id] = _cpu() - t0
        print(f"{claim.id:<44} {times[claim.id]:8.2f} CPU-s  wall {time.perf_counter() - w0:7.2f}  {res.status}",
              flush=True)
    return times


def _ratios(before: dict, after: dict, top: int | None = None) -> None:
    print(f"\n{'claim':<44} {'before':>8} {'after':>8} {'after/before':>12}")
    common = sorted((c for c in after if c in before), key=lambda c: -before[c])
    for cid in common[:top]:
        print(f"{cid:<44} {before[cid]:8.2f} {after[cid]:8.2f} {after[cid] / max(before[cid], 1e-9):12.3f}")
    tb, ta = sum(before[c] for c in common), sum(after[c] for c in common)
    print(f"{'total (' + str(len(common)) + ' claims)':<44} {tb:8.2f} {ta:8.2f} {ta / max(tb, 1e-9):12.3f}")


if __name__ == "__main__":
    main()
