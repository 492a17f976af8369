"""Start-up time of the command line, measured side by side with `python -c "import sympy"`.

Targets (issue 15): `theorykit --help` under 0.3 s; `theorykit list` within about 2x the
time to import SymPy. `list` answers from the cached catalog index (see
theorykit/cli/listindex.py) once it has run; the cold run (index missing or stale) loads
the whole catalog and is printed separately.

    python benchmarks/bench_cli_startup.py [--repeat 5]

Prints the best of N wall-clock times per command and the ratios. Tests never assert timings.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_of(cmd: list[str], repeat: int, env: dict) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "THEORYKIT_CACHE_DIR": cache}
        sympy = best_of([py, "-c", "import sympy"], args.repeat, env)
        python = best_of([py, "-c", "pass"], args.repeat, env)
        help_ = best_of([py, "-m", "theorykit", "--help"], args.repeat, env)
        cold = best_of([py, "-m", "theorykit", "list"], 1, {**env, "THEORYKIT_NO_LIST_CACHE": "1"})
        subprocess.run([py, "-m", "theorykit", "list"], env=env, stdout=subprocess.DEVNULL, check=True)
        warm = best_of([py, "-m", "theorykit", "list"], args.repeat, env)
        deriv = Path(cache) / "one.deriv"
        deriv.write_text("claim: x**2 + 1 >= 2*x\n")
        check = best_of([py, "-m", "theorykit", "check", str(deriv)], args.repeat, env)
    print(f"python -c pass               {python:7.3f} s")
    print(f"python -c 'import sympy'     {sympy:7.3f} s")
    print(f"theorykit --help             {help_:7.3f} s   (target < 0.3 s)")
    print(f"theorykit list (index warm)  {warm:7.3f} s   ratio to import sympy: {warm / sympy:5.2f}  (target <~ 2)")
    print(f"theorykit list (cold)        {cold:7.3f} s   ratio to import sympy: {cold / sympy:5.2f}")
    print(f"theorykit check (one step)   {check:7.3f} s   ratio to import sympy: {check / sympy:5.2f}")


if __name__ == "__main__":
    main()
