"""Momentum stability regions and rates: symbolic conditions next to measurements.

Run:  python examples/momentum_regions.py [OUTDIR]

1. Derives each method's per-eigendirection characteristic polynomial from its
   step rule and the Jury conditions for stability (theorykit.symbolic.stability).
2. Measures the stability threshold by bisection on runs and compares it with the
   boundary solved from those conditions.
3. Verifies one claim end to end and draws the two momentum figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy

from theorykit.numeric.probes import stability_threshold
from theorykit.symbolic.stability import (
    characteristic_polynomial,
    companion_matrix,
    jury_conditions,
    stability_interval,
)

h, beta, z, lam = (sympy.Symbol(n, real=True) for n in ("h", "beta", "z", "lambda"))


def main(outdir: Path) -> None:
    for method in ("heavy_ball", "nesterov"):
        B = companion_matrix(method, h / lam, beta, lam)  # step rule with grad = lambda * e, h = eta*lambda
        p = characteristic_polynomial(B, z)
        conds = jury_conditions(p, z)
        print(f"\n{method}: p(z) = {sympy.factor(p)}")
        print("  stable iff", " and ".join(str(c) for c in conds))
        for bv in (sympy.Rational(0), sympy.Rational(1, 2), sympy.Rational(9, 10)):
            region = stability_interval(conds, h, {beta: bv})
            measured = stability_threshold(method, [1.0], momentum=float(bv))
            print(f"  beta = {str(bv):>4}: symbolic {region}, measured threshold {measured:.7f}")

    from theorykit.claims.registry import get_claim

    result = get_claim("momentum.complex_root_modulus").verify(seed=0, max_examples=10)
    print(f"\nmomentum.complex_root_modulus: {result.status}")

    try:
        from theorykit.report.figures import render

        for cid, name in (("momentum.heavy_ball_stability", "regions.png"), ("momentum.hb_beats_gd", "rates.png")):
            print("wrote", render(cid, outdir / name))
    except Exception as exc:  # matplotlib missing: the figures are optional here
        print(f"figures skipped: {exc}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
