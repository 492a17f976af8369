"""Wall time of verifying the gradient-descent family (and smoothness.*, convexity.*).

Runs ``verify_claim`` on each claim and prints, per claim, the status, the time
spent in the derivation, the checks, the mutants and the PEP oracle, and the
total. The numbers depend on ``--max-examples`` (Hypothesis examples per check
and per mutant) and on the machine; measurements are cached per (check,
parameters) inside a claim, so mutants mostly reuse the checks' runs.

    python benchmarks/bench_verify_gd.py [PATTERN ...] [--max-examples N] [--seed 0] [--backend numpy]
"""
from __future__ import annotations

import argparse
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*", default=["gd.*", "smoothness.*", "convexity.*"])
    ap.add_argument("--max-examples", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", default="numpy")
    args = ap.parse_args(argv)

    from theorykit.claims.registry import claims
    from theorykit.claims.runner import DEFAULT_MAX_EXAMPLES, verify_claim

    selected = []
    for pat in args.patterns:
        selected += [c for c in claims(pat) if c not in selected]
    n_ex = args.max_examples or DEFAULT_MAX_EXAMPLES
    print(f"{len(selected)} claims, max_examples={n_ex}, seed={args.seed}, backend={args.backend}\n")
    print(f"{'claim':30s} {'status':>10s} {'derive*':>7s} {'checks':>7s} {'mutants':>8s} {'oracle':>7s} {'total':>7s}")
    t_all = time.perf_counter()
    ok = True
    for c in selected:
        t0 = time.perf_counter()
        r = verify_claim(c, backend=args.backend, seed=args.seed, max_examples=args.max_examples)
        total = time.perf_counter() - t0
        d = r.to_dict()
        checks_s = sum(x.get("seconds") or 0.0 for x in d.get("checks", []))
        mutants_s = sum(x.get("seconds") or 0.0 for x in d.get("mutants", []))
        oracle_s = (d.get("oracle") or {}).get("seconds") or 0.0
        derive_s = total - checks_s - mutants_s - oracle_s  # the derivation plus bookkeeping
        status = d.get("status", "?")
        ok &= status == "verified"
        print(f"{c.id:30s} {status:>10s} {derive_s:7.2f} {checks_s:7.2f} {mutants_s:8.2f} {oracle_s:7.2f} {total:7.2f}")
    print(f"\ntotal wall time: {time.perf_counter() - t_all:.1f} s   (*derive = total - checks - mutants - oracle)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
