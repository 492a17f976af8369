"""Batched stability thresholds vs a per-problem Python loop.

Batched: eigenvalues of all problems (one batched eigvalsh), then one call of
``probes.stability_threshold`` that bisects all problems at once, each decision
running every eigendirection's recurrence 2^38 steps by repeated squaring.

Loop: the same bisection, problem by problem, on the full rotated matrix
(``probes.stability_threshold_matrix``: each decision runs the method on the
stacked state (x_k, x_{k-1}) in the original coordinates, 2^38 steps by
squaring the (2d, 2d) transition matrix). The loop is timed on ``--loop``
problems and extrapolated to all of them unless ``--full``.

    python benchmarks/bench_stability_threshold.py [--problems 1000] [--dim 64]
        [--method gd] [--momentum 0.0] [--loop 10] [--full] [--backend numpy]

Prints times and the speed ratio; asserts nothing.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorykit import probes
from theorykit.numeric.backend import get_namespace, to_numpy
from theorykit.numeric.problems import random_quadratics


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--method", default="gd", choices=["gd", "heavy_ball", "nesterov"])
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--loop", type=int, default=10, help="problems timed in the loop (extrapolated)")
    ap.add_argument("--full", action="store_true", help="time the loop on every problem")
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    # log-uniform spectra in [1e-3, 10]
    eig = np.sort(10 ** rng.uniform(-3, 1, size=(args.problems, args.dim)), axis=1)
    A = random_quadratics(eig, rng=rng).A  # (problems, dim, dim) rotated Hessians
    xp = get_namespace(args.backend)

    t0 = time.perf_counter()
    A_dev = xp.asarray(A)
    lam = xp.linalg.eigvalsh(A_dev)
    batched = probes.stability_threshold(args.method, lam, momentum=args.momentum, backend=args.backend)
    batched = to_numpy(batched)
    t_batched = time.perf_counter() - t0

    n_loop = args.problems if args.full else min(args.loop, args.problems)
    t0 = time.perf_counter()
    looped = [
        probes.stability_threshold_matrix(args.method, A[i], momentum=args.momentum, backend=args.backend)
        for i in range(n_loop)
    ]
    t_loop_part = time.perf_counter() - t0
    t_loop = t_loop_part * args.problems / n_loop

    t0 = time.perf_counter()
    eig_loop = [
        probes.stability_threshold(args.method, eig[i], momentum=args.momentum, backend=args.backend)
        for i in range(n_loop)
    ]
    t_eig_loop = (time.perf_counter() - t0) * args.problems / n_loop

    agree = np.max(np.abs(np.array(looped) / batched[:n_loop] - 1))
    agree_eig = np.max(np.abs(np.array(eig_loop) / batched[:n_loop] - 1))
    print(f"{args.problems} random {args.dim}-dim quadratics, method={args.method}, momentum={args.momentum}, "
          f"backend={args.backend}")
    print(f"batched (eigvalsh + one probe call):        {t_batched:9.2f} s")
    est = "" if n_loop == args.problems else f"  (timed {n_loop} problems: {t_loop_part:.2f} s, extrapolated)"
    print(f"loop over full rotated matrices:            {t_loop:9.2f} s{est}")
    print(f"loop over per-problem eigenvalues:          {t_eig_loop:9.2f} s")
    print(f"speed ratio (loop on matrices / batched):   {t_loop / t_batched:9.1f}x")
    print(f"speed ratio (loop on eigenvalues / batched):{t_eig_loop / t_batched:9.1f}x")
    print(f"max relative difference loop vs batched:    {agree:.2e} (matrices), {agree_eig:.2e} (eigenvalues)")


if __name__ == "__main__":
    main()
