"""NQM: exact expected-loss recurrence vs Monte Carlo at equal accuracy, and a 10^4-schedule sweep.

Part 1: the expected loss after T steps of heavy-ball SGD on the NQM h_i = 1/i.
The exact recurrence (``expected_loss``) costs one pass over 3 moments per
coordinate. Monte Carlo needs R = ceil(2 z^2 / eps^2) runs for a relative
half-width eps at 99.9% (the coefficient-of-variation bound sqrt(2) of the
nqm claims); its cost is linear in R, so it is timed at ``--mc-runs`` runs
(twice, to show the linearity) and scaled to R. Prints both times and the ratio,
and checks that the exact value lies in the Monte Carlo interval.

Part 2: ``expected_loss`` batched over ``--schedules`` schedules
alpha0/(1 + k/K)^beta (random parameters), one call, with the time per schedule.

    python benchmarks/bench_nqm.py [--d 100] [--T 500] [--eps 0.01] [--mc-runs 4000]
                                   [--schedules 10000] [--backend numpy|cupy]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorykit.numeric.backend import get_namespace, to_numpy
from theorykit.numeric.montecarlo import (
    DEFAULT_LEVEL,
    mean_interval,
    runs_for_halfwidth,
)
from theorykit.numeric.nqm import expected_loss, harmonic_spectrum, simulate


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--T", type=int, default=500)
    ap.add_argument("--eps", type=float, default=0.01, help="relative half-width Monte Carlo must reach")
    ap.add_argument("--mc-runs", type=int, default=4000, help="runs actually simulated (scaled up linearly)")
    ap.add_argument("--schedules", type=int, default=10_000)
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    args = ap.parse_args(argv)
    xp = get_namespace(args.backend)

    h = harmonic_spectrum(args.d)
    sched = np.linspace(1.0, 0.05, args.T)  # lr, heavy ball beta = 0.5, B = 4
    kw = {"batch_size": 4.0, "momentum": 0.5}
    exact, t_exact = _timed(lambda: float(to_numpy(expected_loss(xp.asarray(h), xp.asarray(sched), xp=xp, **kw))[-1]))
    need = runs_for_halfwidth(2.0, args.eps, DEFAULT_LEVEL)
    times = []
    for runs in (args.mc_runs // 2, args.mc_runs):
        r, t = _timed(lambda n=runs: simulate(xp.asarray(h), sched, n_runs=n, rng=np.random.default_rng(0), xp=xp, **kw))
        times.append(t)
    iv = mean_interval(to_numpy(r.loss[:, -1]), DEFAULT_LEVEL)
    t_mc = times[-1] * need / args.mc_runs
    print(f"[1] NQM d={args.d}, T={args.T}, beta=0.5, B=4, backend={args.backend}")
    print(f"    exact recurrence: {t_exact * 1e3:.1f} ms   E[loss] = {exact:.6g}")
    print(f"    Monte Carlo: {args.mc_runs // 2} runs {times[0]:.2f} s, {args.mc_runs} runs {times[1]:.2f} s "
          f"(linear in runs: ratio {times[1] / times[0]:.2f})")
    print(f"    Monte Carlo at eps={args.eps:g} (99.9%): {need} runs -> {t_mc:.1f} s (extrapolated)")
    print(f"    speed ratio exact : Monte Carlo = 1 : {t_mc / t_exact:.3g}")
    print(f"    exact value inside the {args.mc_runs}-run interval {iv}: {iv.contains(exact)}")

    rng = np.random.default_rng(1)
    S = args.schedules
    a0 = 2.0 * rng.uniform(0.02, 0.99, S)
    K = np.exp(rng.uniform(0.0, np.log(args.T), S))
    be = rng.uniform(0.5, 3.0, S)
    k = np.arange(args.T, dtype=np.float64)
    scheds = xp.asarray(a0[:, None] / (1.0 + k / K[:, None]) ** be[:, None])
    losses, t_sweep = _timed(lambda: to_numpy(expected_loss(xp.asarray(h), scheds, batch_size=4.0, xp=xp)))
    best = int(np.argmin(losses[:, -1]))
    print(f"[2] sweep of {S} schedules alpha0/(1+k/K)^beta, d={args.d}, T={args.T}: {t_sweep:.2f} s "
          f"({t_sweep / S * 1e6:.0f} us per schedule)")
    print(f"    best: alpha0={a0[best]:.3g}, K={K[best]:.3g}, beta={be[best]:.3g}, final loss {losses[best, -1]:.4g}")


if __name__ == "__main__":
    main()
