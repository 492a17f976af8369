"""Edge of stability, catapult and central flow: the paper-sized runs and the figures.

Run:  python examples/edge_of_stability.py [OUTDIR] [--quick]

1. Full-batch GD on the 1 -> 100 -> 1 tanh MLP fitting 20 points of the Chebyshev
   polynomial T_4 (Cohen et al. 2021, arXiv:2103.00065) at eta = 0.2 (6000 steps) and
   eta = 0.1 (12000 steps): Lanczos sharpness every 25 steps, compared with 2/eta, the
   period-two flip fraction, and the loss trend. (--quick: the width-32 CI setting.)
2. The catapult model (Lewkowycz et al. 2020, arXiv:2003.02218): spike and divergence
   boundaries measured by bisection on runs at several widths.
3. GD vs gradient flow vs central flow (Cohen, Damian et al. 2024, arXiv:2410.24206).
4. Verifies the claims and draws the three figures into OUTDIR (default: current directory).
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

from theorykit.numeric.catapult import (
    divergence_boundary,
    initial_params,
    spike_boundary,
)
from theorykit.numeric.centralflow import compare_flows
from theorykit.numeric.eos import TrainConfig, train


def eos_runs(quick: bool) -> None:
    settings = [(32, 0.4, 3000)] if quick else [(100, 0.2, 6000), (100, 0.1, 12000)]
    for width, lr, steps in settings:
        t0 = time.perf_counter()
        r = train(TrainConfig(width=width, lr=lr, steps=steps, track_flips=True))
        late = r.sample_steps >= 2 * steps / 3
        s = r.sharpness * lr / 2
        first = int(r.sample_steps[np.argmax(s >= 0.95)]) if (s >= 0.95).any() else None
        T = steps
        trend = r.loss[2 * T // 3:].mean() / r.loss[T // 3: 2 * T // 3].mean()
        print(f"width {width}, eta {lr}: {time.perf_counter() - t0:.1f} s; sharpness*eta/2 starts at {s[0]:.3f}, "
              f"reaches 0.95 at step {first}; last third in [{s[late].min():.3f}, {s[late].max():.3f}]; "
              f"flip fraction {np.nanmean(r.flips[late]):.3f}; loss last/middle third {trend:.3f}; "
              f"loss increases in last third: {int(np.count_nonzero(np.diff(r.loss[2 * T // 3:]) > 0))}")


def catapult_boundaries() -> None:
    for n in (128, 512, 2048, 8192):
        u, v = initial_params(n, 1.0, 2.0, 1.0, np.random.default_rng(0))
        c = 1.0 / (n * 4.0)
        sb, db = spike_boundary(u, v, 1.0), divergence_boundary(u, v, 1.0, steps=200)
        print(f"n = {n:>5}: spike boundary {sb:.7f} (exact finite-n {4 / (1 + math.sqrt(1 - 8 * c)):.7f}, "
              f"limit 2), divergence boundary {db:.7f} (4)")


def flows() -> None:
    c = compare_flows(32, 0.4, 0, 400)
    gd = c.gd_loss.mean()
    cf = np.trapezoid(c.central.predicted_loss, c.t) / c.t[-1]
    gf = np.trapezoid(c.gradient.loss, c.t) / c.t[-1]
    print(f"EoS onset at step {c.onset}; mean loss over 400 steps: GD {gd:.5f}, central flow {cf:.5f} "
          f"(ratio {gd / cf:.3f}), gradient flow {gf:.5f} (ratio {gd / gf:.3f}); "
          f"grad S finite-difference error {c.central.grad_s_rel_error:.1e}")


def main(outdir: Path, quick: bool) -> None:
    print("== edge of stability (GD)")
    eos_runs(quick)
    print("== catapult boundaries")
    catapult_boundaries()
    print("== central flow")
    flows()
    print("== claims")
    from theorykit.claims.runner import verify

    for res in verify(["eos.*", "catapult.*", "centralflow.*"]):
        print(f"{res.claim_id:28s} {res.status:10s} {res.message}")
    from theorykit.report.figures_dynamics import FIGURES

    for cid, fig in FIGURES.items():
        print("wrote", fig(outdir / f"{cid.replace('.', '_')}.png"))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(Path(args[0]) if args else Path("."), "--quick" in sys.argv[1:])
