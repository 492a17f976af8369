"""``theorykit challenge ID "ALTERNATIVE"`` and ``theorykit mutate [ID|family.*]``.

challenge: is an alternative formula distinguishable from the claim's? The claim's
checks search for a point where the measurement refutes it (see
``theorykit.claims.challenge``). mutate: near-miss mutation analysis of claims
(``theorykit.claims.mutation``): the mutation score and the survivors.
"""
from __future__ import annotations

import argparse
import json
import sys

from .argtypes import positive_int as _positive_int, seed as _seed, unit_score as _score

__all__ = ["register", "run_challenge", "run_mutate"]

_CHALLENGE_EPILOG = """\
The alternative is a relation in .deriv syntax over the claim's own symbols; its left
side is a quantity the claim's checks measure (for a compound statement it replaces
the conjunct with that left side). It is refuted only where a check that itself
passes disagrees with the alternative by at least 5 check tolerances (outside the
confidence interval for Monte Carlo checks).

exit codes: 0 refuted, 1 not refuted, 2 bad input.

examples:
  theorykit challenge gd.stability "eta_c = 3/L"
  theorykit challenge gd.stability "eta_c <= 2/L" --json
"""

_MUTATE_EPILOG = """\
Generates near-miss mutants from each claim's statement (constants x{1/2, 2/3, 3/2, 2},
exponents +-1, factors and terms dropped, L<->mu and beta1<->beta2 swapped, T -> T^2),
runs them through the claim's checks and reports the score killed/generated and the
survivors. Claims whose checks are not statement-driven yet report "no near-miss mutants".

exit codes: 0 every claim scores >= --min-score and all of them together >= --min-catalog-score,
1 otherwise, 2 bad input. The summary (stderr) names the claims below --min-score and those
not scored.

examples:
  theorykit mutate                      # the whole catalog: score per claim and overall
  theorykit mutate 'gd.*'
  theorykit mutate gd.stability --json
"""


def register(subparsers) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser("challenge", help="is an alternative formula distinguishable from a claim's?",
                              epilog=_CHALLENGE_EPILOG, formatter_class=raw,
                              description="Run a claim's checks against an alternative relation.")
    p.add_argument("claim_id", metavar="ID", help="the claim id, e.g. gd.stability")
    p.add_argument("alternative", metavar="ALTERNATIVE", help='a relation such as "eta_c = 3/L"')
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the search (default 0)")
    p.add_argument("--max-examples", type=_positive_int, default=None, metavar="N",
                   help="Hypothesis examples per check (default 60)")
    p.add_argument("--backend", default="numpy", metavar="NAME", help="array backend (default numpy)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=run_challenge)

    p = subparsers.add_parser("mutate", help="near-miss mutation analysis of claims", epilog=_MUTATE_EPILOG,
                              formatter_class=raw, description="Mutation score and survivors per claim.")
    p.add_argument("patterns", nargs="*", metavar="ID", help="claim ids or 'family.*' globs (default: all)")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the samples (default 0)")
    p.add_argument("--max-examples", type=_positive_int, default=None, metavar="N",
                   help="drawn samples per check (default: the runner's)")
    p.add_argument("--backend", default="numpy", metavar="NAME", help="array backend (default numpy)")
    p.add_argument("--min-score", type=_score, default=0.75, metavar="S",
                   help="per-claim score below which the exit code is 1 (default 0.75)")
    p.add_argument("--min-catalog-score", type=_score, default=0.9, metavar="S",
                   help="score over all chosen claims below which the exit code is 1 (default 0.9)")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.set_defaults(func=run_mutate)


def run_challenge(args) -> int:
    from ..claims.challenge import challenge
    from ..claims.registry import get_claim

    claim = get_claim(args.claim_id)
    result = challenge(claim, args.alternative, seed=args.seed, max_examples=args.max_examples,
                       backend=args.backend)
    print(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
    return 0 if result.status == "refuted" else 1


def run_mutate(args) -> int:
    from ..claims.mutation import analyse, catalog_score
    from ..claims.registry import claims

    chosen: dict = {}
    for pattern in args.patterns or [None]:
        for c in claims(pattern):
            chosen.setdefault(c.id, c)
    reports = []
    for c in chosen.values():
        r = analyse(c, seed=args.seed, max_examples=args.max_examples, backend=args.backend)
        reports.append(r)
        if not args.json:
            print(r, flush=True)
    killed, counted, score = catalog_score(reports)
    unscored = [r.claim_id for r in reports if r.score is None]
    low = [r.claim_id for r in reports if r.score is not None and r.score < args.min_score]
    if args.json:
        print(json.dumps({"claims": [r.to_dict() for r in reports], "killed": killed, "counted": counted,
                          "score": score, "unscored": unscored, "below_min_score": low}, indent=2))
    else:
        total = f"{100 * score:.1f}%" if score is not None else "n/a"
        print(f"overall: {killed}/{counted} near-miss mutants killed ({total}) over {len(reports) - len(unscored)} "
              f"claim(s); {len(low)} below {100 * args.min_score:.0f}%"
              + (f": {', '.join(low)}" if low else ""), file=sys.stderr)
        if unscored:
            print(f"not scored ({len(unscored)}: no statement-driven check, or nothing to rewrite): "
                  + ", ".join(unscored), file=sys.stderr)
    return 1 if low or (score is not None and score < args.min_catalog_score) else 0
