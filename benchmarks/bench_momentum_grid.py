"""The heavy-ball stability region on a 200 x 200 (beta, eta*lambda) grid,
batched vs a Python loop.

Part 1: for every grid point, whether heavy ball stays bounded
(``probes.bounded``: 2^38 steps by repeated squaring from a random start), one
batched call over all 40,000 points vs one call per point (timed on
``--loop`` points and extrapolated unless ``--full``).
Part 2: for each beta, the measured threshold on eta*lambda
(``probes.stability_threshold`` with eigenvalue 1), batched vs loop.

For information it also prints how the measured boundary compares with the
known 2(1 + beta); nothing is asserted.

    python benchmarks/bench_momentum_grid.py [--n 200] [--loop 2000] [--full] [--backend numpy]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorykit import probes
from theorykit.numeric.backend import to_numpy


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="grid points per axis")
    ap.add_argument("--loop", type=int, default=2000, help="grid points timed in the loop (extrapolated)")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    args = ap.parse_args(argv)

    betas = np.linspace(0.0, 0.99, args.n)
    hs = np.linspace(0.02, 4.5, args.n)  # eta * lambda
    B, H = np.meshgrid(betas, hs, indexing="ij")
    b_flat, h_flat = B.ravel(), H.ravel()
    n_pts = b_flat.size

    # Part 1: bounded or not at every grid point (lr = 1, eigenvalue = eta*lambda)
    t0 = time.perf_counter()
    grid = probes.bounded("heavy_ball", h_flat[:, None], np.ones(n_pts), momentum=b_flat, backend=args.backend)
    grid = to_numpy(grid).reshape(B.shape)
    t_batched = time.perf_counter() - t0

    n_loop = n_pts if args.full else min(args.loop, n_pts)
    idx = np.random.default_rng(0).choice(n_pts, size=n_loop, replace=False)
    t0 = time.perf_counter()
    looped = [
        probes.bounded("heavy_ball", [h_flat[i]], 1.0, momentum=float(b_flat[i]), backend=args.backend) for i in idx
    ]
    t_loop_part = time.perf_counter() - t0
    t_loop = t_loop_part * n_pts / n_loop
    mismatch = int(np.sum(np.array(looped) != grid.ravel()[idx]))

    known = H <= 2 * (1 + B)  # on the boundary itself rho = 1: bounded
    disagree = int(np.sum(known != grid))

    print(f"heavy ball, {args.n} x {args.n} (beta, eta*lambda) grid = {n_pts} points, backend={args.backend}")
    print(f"bounded-or-not, batched:               {t_batched:9.2f} s")
    est = "" if n_loop == n_pts else f"  (timed {n_loop} points: {t_loop_part:.2f} s, extrapolated)"
    print(f"bounded-or-not, loop over points:      {t_loop:9.2f} s{est}")
    print(f"speed ratio:                           {t_loop / t_batched:9.1f}x")
    print(f"loop vs batched disagreements:         {mismatch} of {n_loop}")
    print(f"grid points off the known 2(1+beta):   {disagree} of {n_pts}")

    # Part 2: the threshold for each beta
    ones = np.ones((args.n, 1))
    t0 = time.perf_counter()
    th = to_numpy(probes.stability_threshold("heavy_ball", ones, momentum=betas, backend=args.backend))
    t_b2 = time.perf_counter() - t0
    t0 = time.perf_counter()
    th_loop = [probes.stability_threshold("heavy_ball", [1.0], momentum=float(b), backend=args.backend) for b in betas]
    t_l2 = time.perf_counter() - t0
    print(f"thresholds for {args.n} betas, batched:   {t_b2:9.2f} s")
    print(f"thresholds for {args.n} betas, loop:      {t_l2:9.2f} s")
    print(f"speed ratio:                           {t_l2 / t_b2:9.1f}x")
    print(f"max rel. difference loop vs batched:   {np.max(np.abs(np.array(th_loop) / th - 1)):.2e}")
    print(f"max rel. deviation from 2(1+beta):     {np.max(np.abs(th / (2 * (1 + betas)) - 1)):.2e}")


if __name__ == "__main__":
    main()
