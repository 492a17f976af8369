"""Profile of eos.digits_gd's runs at any size, the full 1797 digits included: what the sharpness does.

Full-batch GD on ``digits_problem(arch, framework, n=...)`` from the shared initialization. Every
``--every`` steps the sharpness lambda_1(H) is measured by Lanczos (exact HVPs, warm-started) at
step t AND at step t + 1: GD at the edge oscillates with period 2 along the top eigenvector, so a
sample taken only at even steps could sit on one side of the oscillation; the mean of the pair is
the two-step average (the quantity that the central-flow / self-stabilization picture, Damian et
al. 2022 arXiv:2209.15594, says is held at 2/eta, while the instantaneous sharpness oscillates
around it). Printed per run:

* the sharpness at 0, its lowest value and its peak after the first steps, all / (2/eta);
* the first step at which it reached 0.95, 0.99 and 1.0 x 2/eta (never: "-");
* over the last third: mean, min and max of the instantaneous samples, the mean of the two-step
  averages, and the largest |S(t) - S(t+1)| / (2/eta) (the size of the period-2 effect);
* the fraction of steps at which the loss rose (0 throughout = GD stayed in the stable regime);
* ``summarize_eos``'s reading (what the claim's checks use) on the even-step samples.

    python benchmarks/profile_digits_full.py [--arch mlp|cnn] [--framework jax|torch] [--n 1797]
        [--lrs 0.065 0.08 0.1] [--steps 4000] [--every 20] [--depth 2] [--width 32] [--save DIR] [--claim]

``--claim`` instead trains with ``run_eos`` itself (the very runner and sampling of eos.digits_gd:
one Lanczos per ``--every`` steps, at even steps only, so about half the HVPs) and prints the five
quantities the claim's checks compare, each with its verdict: plateau mean, max and min over the
last third (each within 5% of 2/eta), lowest sharpness before the edge (<= 0.95 x 2/eta) and the
loss trend (last third / middle third <= 1).

Prints; asserts nothing. Takes minutes per run at n = 1797 (seconds per 100 steps for the MLP).
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def profile(arch, framework, n, lr, steps, every, depth, width):
    from theorykit.models import digits_problem
    from theorykit.numeric.models.training import EoSTrace, TopEig, eos_threshold, summarize_eos

    kw = {"depth": depth, "width": width} if arch == "mlp" else {}
    prob = digits_problem(arch, framework, n=n, **kw)
    w = prob.w0.copy()
    top_even, top_odd = TopEig(prob), TopEig(prob, seed=1)
    loss, ts, s_even, s_odd = [], [], [], []
    t0 = time.perf_counter()
    for t in range(steps + 1):
        f, g = prob.loss_and_grad(w)
        loss.append(float(f))
        if t % every == 0 and t + 1 <= steps:
            ts.append(t)
            s_even.append(top_even(w))
        elif t % every == 1:
            s_odd.append(top_odd(w))
        if t == steps or not np.isfinite(f):
            break
        w = w - lr * g
    seconds = time.perf_counter() - t0
    ts, se, so, loss = np.array(ts), np.array(s_even), np.array(s_odd[:len(s_even)]), np.array(loss)
    thr = 2.0 / lr
    trace = EoSTrace("gd", lr, 0.0, steps, every, loss, ts, se, eos_threshold("gd", lr), w, None,
                     not np.isfinite(loss[-1]), seconds, top_even.hvps)
    return ts, se / thr, so / thr, loss, summarize_eos(trace), seconds


def report(arch, framework, n, lr, steps, every, res):
    ts, re, ro, loss, s, seconds = res
    late = ts >= 2 * steps // 3
    k = min(len(re), len(ro))
    pair = (re[:k] + ro[:k]) / 2
    after = ts > 100  # after the first steps' catapult

    def first(level):
        hit = np.nonzero((re >= level) & after)[0]
        return str(int(ts[hit[0]])) if hit.size else "-"

    rises = np.diff(loss) > 0
    print(f"\n{arch} {framework} n={n} lr={lr} (2/eta = {2 / lr:.4g}), {steps} steps, {seconds:.0f} s")
    print(f"  S/(2/eta): at 0 {re[0]:.4f}; lowest after step 100 {re[after].min():.4f} (step "
          f"{int(ts[after][np.argmin(re[after])])}); peak after step 100 {re[after].max():.4f} "
          f"(step {int(ts[after][np.argmax(re[after])])}); final {re[-1]:.4f}")
    print(f"  first reached 0.95 / 0.99 / 1.00 x 2/eta at step {first(0.95)} / {first(0.99)} / {first(1.0)}")
    late_k = late[:k]
    print(f"  last third: instantaneous mean {re[late].mean():.4f}, min {re[late].min():.4f}, max {re[late].max():.4f}; "
          f"two-step mean {pair[late_k].mean():.4f}; max |S(t) - S(t+1)| {np.abs(re[:k] - ro[:k])[late_k].max():.2e}")
    print(f"  loss {loss[0]:.4f} -> {loss[-1]:.5f}; rose at {rises.mean():.2%} of steps "
          f"({rises[len(rises) // 2:].mean():.2%} in the second half)")
    ratio = f"{s.ratio:.4f}" if s.ratio is not None else "-"
    print(f"  summarize_eos: reached {s.reached_step}, lowest before it {s.sharpness_start / (2 / lr):.4f} at step "
          f"{s.sharpening_start}, plateau mean / (2/eta) {ratio}, at_edge {s.at_edge}")


def claim_values(r):
    """The five values eos.digits_gd's checks compare, read from a run_eos trace, sharpness / (2/eta)."""
    from theorykit.models import summarize_eos

    s = summarize_eos(r)
    thr = 2.0 / r.lr
    late = r.sharpness[r.sample_steps >= 2 * r.steps // 3] / thr
    T = r.steps
    return {"plateau_mean": s.ratio if s.ratio is not None else float("nan"),
            "late_max": float(late.max()), "late_min": float(late.min()),
            "lowest_before_edge": s.sharpness_start / thr if s.reached_step is not None else float("nan"),
            "loss_trend": float(r.loss[2 * T // 3:].mean() / r.loss[T // 3: 2 * T // 3].mean()),
            "late_mean": float(late.mean()), "reached_step": s.reached_step, "sharpening_start": s.sharpening_start,
            "plateau_steps": s.plateau_steps}


def claim_run(arch, framework, n, lr, steps, every, depth, width):
    """eos.digits_gd's own run (run_eos, the claim's sampling) and the values its checks compare."""
    from theorykit.models import digits_problem, run_eos

    kw = {"depth": depth, "width": width} if arch == "mlp" else {}
    prob = digits_problem(arch, framework, n=n, **kw)
    r = run_eos(prob, prob.w0, lr=lr, steps=steps, every=every)
    v = claim_values(r)
    thr = 2.0 / lr
    rises = np.diff(r.loss) > 0
    ok = {"plateau_mean": abs(v["plateau_mean"] - 1) <= 0.05, "late_max": abs(v["late_max"] - 1) <= 0.05,
          "late_min": abs(v["late_min"] - 1) <= 0.05, "progressive_sharpening": v["lowest_before_edge"] <= 0.95,
          "loss_falls": v["loss_trend"] <= 1}
    print(f"\n{arch} {framework} n={n} lr={lr} (2/eta = {thr:.4g}), {steps} steps, run_eos every {every}: "
          f"{r.seconds:.0f} s, {r.hvps} HVPs, diverged {r.diverged}")
    print(f"  S/(2/eta): at 0 {r.sharpness[0] / thr:.4f}; peak after step 100 "
          f"{(r.sharpness[r.sample_steps > 100] / thr).max():.4f}; final {r.sharpness[-1] / thr:.4f}")
    print(f"  reached 0.95 x 2/eta at step {v['reached_step']}; lowest before it {v['lowest_before_edge']:.4f} "
          f"(step {v['sharpening_start']})")
    print(f"  plateau window {v['plateau_steps']}: mean {v['plateau_mean']:.4f}; last third: mean {v['late_mean']:.4f}, "
          f"min {v['late_min']:.4f}, max {v['late_max']:.4f}")
    print(f"  loss {r.loss[0]:.4f} -> {r.loss[-1]:.5f}; last/middle third {v['loss_trend']:.4f}; rose at "
          f"{rises.mean():.2%} of steps")
    print("  checks: " + ", ".join(f"{k} {'pass' if v else 'FAIL'}" for k, v in ok.items()))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="mlp", choices=["mlp", "cnn"])
    ap.add_argument("--framework", default="jax", choices=["jax", "torch"])
    ap.add_argument("--n", type=int, default=1797)
    ap.add_argument("--lrs", nargs="+", type=float, default=[0.065, 0.08, 0.1])
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--save", default=None, help="folder for one .npz per run (steps, sharpness, loss)")
    ap.add_argument("--claim", action="store_true", help="run_eos, the claim's runner, and the claim's checks")
    a = ap.parse_args()
    for lr in a.lrs:
        if a.claim:
            r = claim_run(a.arch, a.framework, a.n, lr, a.steps, a.every, a.depth, a.width)
            if a.save:
                import os

                os.makedirs(a.save, exist_ok=True)
                np.savez(os.path.join(a.save, f"claim_{a.arch}_{a.framework}_n{a.n}_lr{lr}_T{a.steps}.npz"),
                         steps=r.sample_steps, sharpness=r.sharpness, loss=r.loss)
            continue
        res = profile(a.arch, a.framework, a.n, lr, a.steps, a.every, a.depth, a.width)
        report(a.arch, a.framework, a.n, lr, a.steps, a.every, res)
        if a.save:
            import os

            os.makedirs(a.save, exist_ok=True)
            np.savez(os.path.join(a.save, f"{a.arch}_{a.framework}_n{a.n}_lr{lr}.npz"), steps=res[0],
                     sharpness_even=res[1], sharpness_odd=res[2], loss=res[3])


if __name__ == "__main__":
    main()
