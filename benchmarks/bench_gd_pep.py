"""Gradient descent worst cases at N = 1..20: theorykit vs PEPit, side by side.

For each N, with L = 1 and ||x0 - x*|| = 1, step 1/L:
  * predicted: the statement of ``gd.convex_rate_tight`` (L R^2/(4N+2)), lambdified;
  * measured:  f(x_N) - f* from running GD on the Drori-Teboulle Huber instance
               (the claim's ``huber_worst_case`` measure);
  * PEPit:     the worst case over all convex 1-smooth functions, the SDP solved by
               Clarabel through cvxpy (``theorykit.claims.pep.gd_worst_case``);
with the relative gaps, agreement under the oracle's tolerance and solve time.
Optionally the strongly convex variant (``--mu``): ||x_N - x*||^2 at step
2/(mu+L) against ((kappa-1)/(kappa+1))^(2N).

    python benchmarks/bench_gd_pep.py [--nmax 20] [--mu 0.1] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nmax", type=int, default=20)
    ap.add_argument("--mu", type=float, default=None, help="also run the strongly convex variant")
    ap.add_argument("--json", default=None, help="write the rows as JSON here")
    args = ap.parse_args(argv)

    from proofs.gd.one_step import GD_STRONGLY_CONVEX_RATE
    from proofs.gd.rates import GD_CONVEX_RATE_TIGHT
    from theorykit.claims import pep
    from theorykit.claims.claim import Context
    from theorykit.numeric.backend import get_namespace

    if not pep.pep_available():
        print("PEPit / cvxpy / clarabel not installed: pip install 'theorykit[pep]'", file=sys.stderr)
        return 2

    claim = GD_CONVEX_RATE_TIGHT
    oracle = claim.oracle
    huber = claim.check_named("huber_worst_case")
    ctx = Context(xp=get_namespace("numpy"), backend="numpy", seed=0, rng=np.random.default_rng(0))

    t0 = time.perf_counter()
    pep.gd_worst_case(1)  # import cvxpy/PEPit once, outside the timings
    print(f"(first PEP call incl. imports: {time.perf_counter() - t0:.2f} s)\n")

    rows = []
    print(f"{'N':>3} {'predicted':>12} {'measured(Huber)':>16} {'PEPit':>12} {'|PEP-pred|/pred':>16} "
          f"{'|meas-pred|/pred':>17} {'agree':>6} {'PEP s':>7}")
    for n in range(1, args.nmax + 1):
        pred = oracle.predict(n)
        meas = huber.measure({"L": 1.0, "N": n, "R": 1.0, "h": 1.0}, ctx)
        t = time.perf_counter()
        w = oracle.worst_case(n)
        secs = time.perf_counter() - t
        gap_pep = abs(w - pred) / pred
        gap_meas = abs(meas - pred) / pred
        agree = gap_pep <= oracle.rtol
        rows.append(dict(variant="convex", N=n, predicted=pred, measured=meas, pepit=w, rel_gap_pep=gap_pep,
                         rel_gap_measured=gap_meas, agree=agree, pep_seconds=secs))
        print(f"{n:3d} {pred:12.8f} {meas:16.8f} {w:12.8f} {gap_pep:16.2e} {gap_meas:17.2e} {str(agree):>6} {secs:7.3f}")
    n_ok = sum(r["agree"] for r in rows)
    print(f"\nconvex: {n_ok}/{len(rows)} agree within rtol {oracle.rtol:g}; "
          f"max |PEP - predicted|/predicted = {max(r['rel_gap_pep'] for r in rows):.2e}; "
          f"PEP time {sum(r['pep_seconds'] for r in rows):.2f} s total")

    if args.mu is not None:
        from theorykit.claims.pep import gd_strongly_convex_worst_case

        from proofs._util import oracle_predictor
        from proofs.gd.one_step import SC_RATE, n_

        mu = args.mu
        kappa = 1.0 / mu
        rho = oracle_predictor(SC_RATE, kappa=kappa)(1)  # the claim's statement, lambdified
        predict_sq = oracle_predictor(SC_RATE ** (2 * n_), kappa=kappa)
        rate_check = GD_STRONGLY_CONVEX_RATE.check_named("rate_at_optimal_step")
        measured_rate = rate_check.measure({"eigenvalues": (mu, 1.0)}, ctx)
        print(f"\nstrongly convex, mu = {mu:g}, L = 1, step 2/(mu+L): predicted rate {rho:.10f}, "
              f"measured (linear_rate) {measured_rate:.10f}")
        print(f"{'N':>3} {'rho^(2N)':>14} {'PEPit':>14} {'rel gap':>10} {'PEP s':>7}")
        for n in range(1, args.nmax + 1):
            pred = predict_sq(n)
            t = time.perf_counter()
            w = gd_strongly_convex_worst_case(n, mu=mu, L=1.0)
            secs = time.perf_counter() - t
            gap = abs(w - pred) / pred
            rows.append(dict(variant=f"strongly_convex_mu={mu:g}", N=n, predicted=pred, pepit=w, rel_gap_pep=gap,
                             agree=gap <= 1e-4, pep_seconds=secs))
            print(f"{n:3d} {pred:14.10f} {w:14.10f} {gap:10.2e} {secs:7.3f}")

    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1, default=bool)
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
