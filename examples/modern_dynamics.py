"""A tour of the modern-dynamics claims: Newton-Schulz, implicit bias, scale invariance, deep linear nets.

    python examples/modern_dynamics.py                 # quick: measurements + a few verifications
    python examples/modern_dynamics.py --full          # verify all 11 claims at the runner's defaults
    python examples/modern_dynamics.py --long          # the long runs (max-margin to t = 1e6, more chains)
    python examples/modern_dynamics.py --figures DIR   # draw the figures into DIR

Every number printed under "measured" comes from running a method; the "predicted"
numbers come from the claims' formulas.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import theorykit
from theorykit.numeric.deeplinear import balanced_init, two_layer_gd, whitened_task
from theorykit.numeric.implicit_bias import (
    direction_gap,
    logistic_gd,
    max_margin_direction,
)
from theorykit.numeric.newton_schulz import (
    CUBIC,
    MUON_QUINTIC,
    newton_schulz,
    singular_values,
)
from theorykit.numeric.scale_invariant import sphere_sgd


def newton_schulz_tour(rng) -> None:
    print("== Newton-Schulz on a Gaussian 64 x 67 matrix, normalized by its Frobenius norm")
    G = rng.standard_normal((64, 67))
    for k in (1, 5, 10, 20):
        c = singular_values(newton_schulz(G, k, coefficients=CUBIC, normalize=True))
        q = singular_values(newton_schulz(G, k, coefficients=MUON_QUINTIC, normalize=True))
        print(f"  k={k:2d}  cubic  s in [{c.min():.4f}, {c.max():.4f}]   quintic  s in [{q.min():.4f}, {q.max():.4f}]")
    print("  predicted: cubic -> 1 (for s < sqrt 3); quintic band [0.6818, 1.1344], envelope 1.2024")


def max_margin_tour(long: bool) -> None:
    print("== GD on separable logistic regression: gap * ln t (Soudry et al. 2018)")
    g, h1, h2, eta = 0.5, 1.4, 0.6, 0.5
    X = np.array([[g, h1], [g, -h2], [3.5 * g, 0.4]])
    y = np.ones(3)
    mm = max_margin_direction(X, y)
    times = [10**k for k in range(2, 7 if long else 5)]
    run = logistic_gd(X, y, eta, times)
    a1 = h2 / (g * g * (h1 + h2))
    wt2 = math.log(h1 / h2) / (h1 + h2)
    wt1 = (math.log(eta / a1) - h1 * wt2) / g
    for i, t in enumerate(times):
        theta = math.atan(abs(wt2) / (math.log(t) / g + wt1))
        print(f"  t=1e{int(math.log10(t))}: measured {direction_gap(run.w[i], mm.w) * math.log(t):.5f}"
              f"   predicted {2 * math.sin(theta / 2) * math.log(t):.5f}   (limit {g * abs(wt2):.5f})")


def equilibrium_tour(long: bool) -> None:
    print("== SGD + weight decay on a scale-invariant loss: equilibrium (Li, Lyu & Arora 2020)")
    d, lr, wd = 8, 0.1, 0.02
    chains = 256 if long else 32
    run = sphere_sgd(d, chains, lr, wd, int(8 / (lr * wd)), init_norm=10.0, rng=0)
    sq = np.asarray(run.sq_norm)
    half = sq.shape[0] // 2
    print(f"  measured ||w||^4 = {np.mean(sq[half:] ** 2):.4f}   predicted eta G/(2 lam) = {lr * (d - 1) / (2 * wd):.4f}")
    rms = math.sqrt(np.mean(np.asarray(run.angle)[half:] ** 2))
    print(f"  measured RMS angle = {rms:.5f}   predicted sqrt(2 eta lam) = {math.sqrt(2 * lr * wd):.5f}")


def saxe_tour() -> None:
    print("== two-layer linear net, balanced start (Saxe et al. 2014)")
    task = whitened_task([3.0, 1.5], 4, 3, 8, 0)
    W1, W2 = balanced_init(task, 4, 1e-3, 0)
    lr = 1e-3
    run = two_layer_gd(task, W1, W2, lr, int(2.0 / lr), every=int(0.5 / lr))
    for t, u in zip(np.asarray(run.times) * lr, np.asarray(run.modes)):
        closed = [s * math.exp(2 * s * t) / (math.exp(2 * s * t) - 1 + s / 1e-3) for s in (3.0, 1.5)]
        print(f"  t={t:.1f}: measured {np.round(u, 4)}   closed form {np.round(closed, 4)}  (O(lr) apart)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="verify every claim at the runner's default example count")
    ap.add_argument("--long", action="store_true", help="long runs (t up to 1e6, 256 chains)")
    ap.add_argument("--figures", metavar="DIR", help="write the figures (PNG) into DIR")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    newton_schulz_tour(rng)
    max_margin_tour(args.long)
    equilibrium_tour(args.long)
    saxe_tour()
    ids = ["muon.*", "implicit.*", "scale.*", "deeplinear.*"] if args.full else ["muon.newton_schulz", "implicit.min_norm"]
    for result in theorykit.verify(ids, max_examples=None if args.full else 5):
        print(f"{result.claim_id:30s} {result.status:9s} {result.message}")
    if args.figures:
        from theorykit.report.figures_modern import FIGURES

        out = Path(args.figures)
        out.mkdir(parents=True, exist_ok=True)
        for fn in dict.fromkeys(FIGURES.values()):  # each figure once
            print("wrote", fn(out / f"{fn.__name__}.png"))


if __name__ == "__main__":
    main()
