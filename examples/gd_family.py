"""A tour of the gradient-descent claims through the Python API.

    python examples/gd_family.py            # quick: a few examples per search
    python examples/gd_family.py --full     # the runner's default number of examples

1. list the gd.* claims with their kind and sources;
2. print the checked derivation of the descent lemma;
3. measure one thing by hand: the stability threshold of GD on a quadratic;
4. verify two claims (derive + measure + mutation-test [+ PEP oracle]);
5. compare the tight convex rate with PEPit (if installed).
"""
from __future__ import annotations

import sys

import numpy as np

import theorykit
from theorykit.probes import stability_threshold


def main(full: bool = False) -> None:
    # 1. the catalog
    for claim in theorykit.claims("gd.*"):
        print(f"{claim.id:28s} {claim.kind.value:12s} {', '.join(s.key for s in claim.sources)}")

    # 2. a derivation: every step is checked by the prover
    lemma = theorykit.get_claim("gd.descent_lemma")
    print("\n" + str(lemma.derive()))

    # 3. a measurement by running the method: bisection on runs, no formula involved
    eigenvalues = np.array([0.3, 1.0, 4.0])
    eta_c = stability_threshold("gd", eigenvalues, rtol=1e-7)
    print(f"\nmeasured GD threshold on spectrum {eigenvalues}: {eta_c:.9f}  (2/lambda_max = {2 / 4.0:.9f})")

    # 4. verify: derivation + numeric checks + mutants (+ PEP oracle)
    n = None if full else 5
    for claim_id in ("gd.stability", "gd.convex_rate_tight"):
        result = theorykit.get_claim(claim_id).verify(seed=0, max_examples=n)
        print(f"\n{claim_id}: {result.status} ({result.message})")
        for m in result.mutants:
            print(f"  mutant {m.name:20s} {m.status:12s} {m.message[:90]}")
        if result.oracle is not None:
            print(f"  PEP oracle: {result.oracle.status} ({result.oracle.message})")

    # 5. the tight rate against PEPit directly
    from theorykit.claims import pep

    if pep.pep_available():
        tight = theorykit.get_claim("gd.convex_rate_tight")
        for N in (1, 5, 10):
            print(f"N={N:2d}: L R^2/(4N+2) = {tight.oracle.predict(N):.8f}   PEPit = {pep.gd_worst_case(N):.8f}")
    else:
        print("PEPit not installed: pip install 'theorykit[pep]' for the PEP comparison")


if __name__ == "__main__":
    main(full="--full" in sys.argv[1:])
