"""NQM critical batch sizes (Zhang et al. 2019): the 2^l-jump search against the 64-step block search.

    python benchmarks/bench_nqm_critical.py [--d 10000] [--old-d 2000] [--skip-old]

Prints the CPU seconds of ``nqm.critical_batch_sizes(d, 0.01)`` (all three variants:
SGD, heavy ball with beta tuned over {0, 0.5, 0.9}, preconditioned) with the current
search, and, at ``--old-d`` (the old search takes ~150 CPU-s at d = 10^4), both searches
side by side with their ratio; the results must be equal. CPU time, because the
machines this runs on are shared.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from theorykit.numeric import nqm

sys.path.insert(0, str(Path(__file__).parent))
from _nqm_block_search import first_hits as block_first_hits  # noqa: E402


def _old_tuned_steps(h, batch_size, *, target, betas=(0.0,), power=0.0, max_steps=200_000, xp=None):
    """tuned_steps before this change: one block search per beta."""
    best = math.inf
    for b in betas:
        top = 2.0 * (1.0 + b) / float(np.max(h ** (1.0 - power)))
        lrs = top * np.geomspace(1e-4, 0.99, nqm.LR_GRID)
        hit = block_first_hits(h, lrs[:, None] * h ** (-power), h / batch_size, b, 1.0, target, max_steps, True)
        best = min(best, float(np.min(hit)))
    return best


def _timed(fn):
    t0 = time.process_time()
    out = fn()
    return out, time.process_time() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=10_000)
    ap.add_argument("--old-d", type=int, default=2000)
    ap.add_argument("--skip-old", action="store_true")
    args = ap.parse_args(argv)
    new, t_new = _timed(lambda: nqm.critical_batch_sizes(args.d, 0.01))
    print(f"d={args.d}: jumps {t_new:.2f} CPU-s  {new}", flush=True)
    if args.skip_old:
        return
    new_s, t_n = _timed(lambda: nqm.critical_batch_sizes(args.old_d, 0.01))
    real = nqm.tuned_steps
    nqm.tuned_steps = _old_tuned_steps
    try:
        old_s, t_o = _timed(lambda: nqm.critical_batch_sizes(args.old_d, 0.01))
    finally:
        nqm.tuned_steps = real
    assert new_s == old_s, (new_s, old_s)
    print(f"d={args.old_d}: jumps {t_n:.2f} CPU-s   blocks {t_o:.2f} CPU-s   blocks/jumps = {t_o / t_n:.3g}  "
          f"(equal results)")


if __name__ == "__main__":
    main()
