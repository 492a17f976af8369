"""Throughput of the derivation checker on examples/derivations/*.deriv.

Checks every example file (or the files given) with the real prover and
prints, per file, the number of steps, the wall time and the verdict; then the
overall steps per second and the slowest steps. Chain conclusions that are
re-checked directly (when a step failed) count in the wall time, not as steps.

    python benchmarks/bench_checker_examples.py [FILES...] [--timeout 10] [--repeat 1] [--slowest 5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from theorykit.symbolic.derivation import check

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "derivations"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="default: every example")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-step timeout in seconds")
    ap.add_argument("--repeat", type=int, default=1, help="check every file this many times")
    ap.add_argument("--slowest", type=int, default=5, help="how many of the slowest steps to list")
    args = ap.parse_args(argv)
    files = args.files or sorted(EXAMPLES.glob("*.deriv"))
    if not files:
        print("no .deriv files found", file=sys.stderr)
        return 2

    timings = []  # (seconds, file, step)
    total_steps = 0
    total_wall = 0.0
    print(f"{'file':42s} {'steps':>5s} {'wall s':>8s}  status")
    for path in files:
        for _ in range(max(args.repeat, 1)):
            start = time.perf_counter()
            report = check(path, timeout=args.timeout)
            wall = time.perf_counter() - start
            total_wall += wall
            total_steps += len(report.steps)
            timings.extend((step.seconds, path.name, step) for step in report.steps)
        print(f"{path.name:42s} {len(report.steps):5d} {wall:8.2f}  {report.status}")

    print()
    print(f"{total_steps} steps in {total_wall:.2f} s: {total_steps / total_wall:.2f} steps/s")
    print(f"slowest {min(args.slowest, len(timings))} steps:")
    for seconds, name, step in sorted(timings, key=lambda item: -item[0])[: args.slowest]:
        print(
            f"  {seconds:6.2f} s  {name}:{step.line}  {step.status} ({step.method})  "
            f"{step.lhs} {step.relation} {step.rhs}"[:160]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
