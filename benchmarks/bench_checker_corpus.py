"""Benchmark the step checker on the step corpus.

    python benchmarks/bench_checker_corpus.py [--corpus tests/data/step_corpus.txt]
                                              [--timeout 10] [--no-isolate] [--verbose]

Prints steps per second, the slowest step, the proved fraction of true steps and
the refuted fraction of false steps, and every soundness violation (a proved
false step or a refuted true step). Exit status 1 when there is a violation.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "tests" / "data" / "step_corpus.txt"))
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--no-isolate", action="store_true", help="run steps in-process (no fork per step)")
    ap.add_argument("--verbose", "-v", action="store_true", help="one line per step")
    args = ap.parse_args(argv)

    try:
        import theorykit.symbolic.parse  # noqa: F401
        from theorykit.symbolic.prove_corpus import load_corpus, run_corpus, summarize
    except ImportError as exc:
        print(f"cannot run: the safe parser theorykit.symbolic.parse is needed ({exc})", file=sys.stderr)
        return 2

    steps = load_corpus(args.corpus)
    t0 = time.monotonic()
    results = run_corpus(steps, timeout=args.timeout, isolate=not args.no_isolate)
    wall = time.monotonic() - t0
    summary = summarize(results)

    if args.verbose:
        for s, v in results:
            print(f"{v.status:8s} {v.method:24s} {v.seconds:6.2f}s  line {s.line}: {s.text}")
    slow_step, slow_verdict = summary["slowest"]
    print(f"steps:            {summary['steps']}  ({summary['steps'] / wall:.2f} steps/s, {wall:.1f} s wall)")
    print(f"proved (true):    {summary['proved_true']:.1%}")
    print(f"refuted (false):  {summary['refuted_false']:.1%}")
    print(f"slowest:          {slow_verdict.seconds:.2f} s, line {slow_step.line}: {slow_step.text}"
          f"  -> {slow_verdict.status} ({slow_verdict.method})")
    for s, v in summary["wrong_proofs"]:
        print(f"UNSOUND: proved a false step, line {s.line}: {s.text}")
    for s, v in summary["wrong_refutations"]:
        print(f"UNSOUND: refuted a true step, line {s.line}: {s.text} with {v.counterexample}")
    return 1 if summary["wrong_proofs"] or summary["wrong_refutations"] else 0


if __name__ == "__main__":
    sys.exit(main())
