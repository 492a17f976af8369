"""CPU seconds per claim (this process plus its waited-for children: the prover's forks), one claim at a time.

    python benchmarks/claim_cpu.py [PATTERN ...] [--out times.json] [--before times.json] [--profile ID]

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
    args = ap.parse_args(argv)
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
    times = {}
    for claim in _resolve(args.patterns or None):
        t0, w0 = _cpu(), time.perf_counter()
        res = verify_claim(claim)
        times[claim.id] = _cpu() - t0
        print(f"{claim.id:<44} {times[claim.id]:8.2f} CPU-s  wall {time.perf_counter() - w0:7.2f}  {res.status}",
              flush=True)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(times, fh, indent=1, sort_keys=True)
    if args.before:
        with open(args.before) as fh:
            before = json.load(fh)
        print(f"\n{'claim':<44} {'before':>8} {'after':>8} {'after/before':>12}")
        for cid in sorted(times, key=lambda c: -before.get(c, 0.0)):
            if cid in before:
                print(f"{cid:<44} {before[cid]:8.2f} {times[cid]:8.2f} {times[cid] / max(before[cid], 1e-9):12.3f}")
        common = [c for c in times if c in before]
        tb, ta = sum(before[c] for c in common), sum(times[c] for c in common)
        print(f"{'total (' + str(len(common)) + ' claims)':<44} {tb:8.2f} {ta:8.2f} {ta / max(tb, 1e-9):12.3f}")
    print(f"catalog: {len(times)} claims, {sum(times.values()):.1f} CPU-s")


if __name__ == "__main__":
    main()
