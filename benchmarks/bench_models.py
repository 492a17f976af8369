"""The model adapters against raw framework loops: HVP, Lanczos sharpness, and an EoS run.

Side by side on the same net (32 -> w -> w -> 10 tanh, MSE, n samples), float64, same point:

* ``numpy``: theorykit's hand-written R-operator (``NetProblem``; nets_hvp.py)
* ``jax``: ``theorykit.models.from_jax`` (forward-over-reverse, jit)
* ``torch``: ``theorykit.models.from_torch`` (double backward)
* ``raw-torch``: a PyHessian-style loop on the module's own parameter list, no flattening:
  ``g = autograd.grad(loss, params, create_graph=True)`` once per point, then
  ``autograd.grad(g, params, v, retain_graph=True)`` per HVP (PyHessian's hessian_vector_product)
* ``raw-jax``: ``jax.jvp(jax.grad(loss), (params,), (v,))`` on the parameter pytree, jitted

Everything is measured INTERLEAVED: each round times every implementation once, in a shuffled
order, and the ratios adapter / raw loop are taken within the round; the table shows the median
ratio over the rounds and its range. On a shared, loaded machine that is what makes the ratios
meaningful (the absolute times move with the load; a ratio of two runs seconds apart does not).

* HVP "cold": one HVP at a new point (the implementations alternate between two points, so no
  cached forward pass can be reused): forward + backward + the second-order pass.
* HVP "warm": the next HVP at the same point, as inside a Lanczos run: theorykit's R-operator
  reuses its forward and plain backward pass (nets_hvp.prepare), from_torch and raw-torch their
  gradient graph; JAX recomputes everything (one fused jitted program).
* Lanczos: ``theorykit.numeric.sharpness`` (ARPACK, tol 1e-6) on each Problem; the raw loops go
  through the same ARPACK with their own matvec.
* EoS: the digits MLP 64-32-32-10 (P = 3466), n = 256, full-batch GD for --eos-steps steps with
  the sharpness every 10 steps: ``run_eos`` on numpy / jax / torch against a raw framework loop
  (the framework's own GD step on its parameters, the same warm-started Lanczos on the raw HVP).

    python benchmarks/bench_models.py [--sizes 1e3 1e4 1e5 1e6] [--samples 256] [--rounds 7]
        [--lanczos-rounds 3] [--big 1e6] [--big-rounds 2] [--eos-steps 2000] [--eos-rounds 2]
        [--threads 1]

Sizes >= --big run --big-rounds rounds (1e6 is slow on a loaded CPU). Prints; asserts nothing.
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

from bench_hvp_cost import keep_freed_memory, width_for  # same sizing and allocator setup as the HVP bench

D_IN, D_OUT = 32, 10


def numpy_problem(w, X, Y, device="cpu"):
    """theorykit's R-operator engine: NumPy on the CPU, CuPy (the ``cupy`` backend) on CUDA."""
    from theorykit.numeric.backend import get_namespace
    from theorykit.numeric.nets import MLP, NetProblem

    xp = get_namespace("cupy" if device == "cuda" else "numpy")
    return NetProblem(MLP((D_IN, w, w, D_OUT), "tanh", "mse"), xp.asarray(X), xp.asarray(Y))


class _Host:
    """A NetProblem whose HVP returns host NumPy (so a CuPy HVP is timed to completion)."""

    def __init__(self, pr):
        self.pr, self.dim = pr, pr.dim

    def hvp(self, w, v):
        from theorykit.numeric.backend import to_numpy

        xp = self.pr.xp
        return to_numpy(self.pr.hvp(xp.asarray(w), xp.asarray(v)))


def _unflat_layers(flat, layers):
    out, i = [], 0
    for W, c in layers:
        Wn = flat[i:i + W.size].reshape(W.shape)
        i += W.size
        out.append((Wn, flat[i:i + c.size]))
        i += c.size
    return out


def jax_setup(layers, X, Y):
    """(adapter Problem, raw matvec factory: point -> (v -> H v))."""
    import jax
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    from theorykit.models import from_jax

    jax.config.update("jax_enable_x64", True)

    def loss(p, b):
        h = b[0]
        for W, c in p[:-1]:
            h = jnp.tanh(h @ W.T + c)
        out = h @ p[-1][0].T + p[-1][1]
        return 0.5 * jnp.mean(jnp.sum((out - b[1]) ** 2, axis=1))

    params = [tuple(jnp.asarray(a) for a in layer) for layer in layers]
    batch = (jnp.asarray(X), jnp.asarray(Y))
    raw = jax.jit(lambda p, v, b: jax.jvp(jax.grad(lambda q: loss(q, b)), (p,), (v,))[1])
    _, unravel = ravel_pytree(params)

    def at(flat):
        p = unravel(jnp.asarray(flat))  # the raw loop holds its parameters as a pytree already

        def matvec(v):
            return np.asarray(ravel_pytree(raw(p, unravel(jnp.asarray(v)), batch))[0])
        return matvec

    return from_jax(loss, params, (X, Y)), at


def torch_setup(layers, X, Y, threads, device="cpu"):
    """(adapter Problem, raw matvec factory: point -> (v -> H v), PyHessian style)."""
    import torch

    from theorykit.models import from_torch

    torch.set_num_threads(threads)
    mods = []
    for W, _ in layers[:-1]:
        mods += [torch.nn.Linear(W.shape[1], W.shape[0]), torch.nn.Tanh()]
    net = torch.nn.Sequential(*mods, torch.nn.Linear(layers[-1][0].shape[1], D_OUT)).double()
    lin = [m for m in net if isinstance(m, torch.nn.Linear)]

    def load(flat):
        with torch.no_grad():
            for m, (W, c) in zip(lin, _unflat_layers(flat, layers)):
                m.weight.copy_(torch.from_numpy(W))
                m.bias.copy_(torch.from_numpy(c))
        net.to(device)

    load(np.concatenate([np.concatenate([W.ravel(), c]) for W, c in layers]))

    def mse(o, t):
        return 0.5 * ((o - t) ** 2).sum(dim=1).mean()

    Xt, Yt = torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device)
    params = list(net.parameters())
    adapter = from_torch(net, mse, (X, Y), num_threads=threads, device=device)

    def at(flat):
        load(flat)
        g = torch.autograd.grad(mse(net(Xt), Yt), params, create_graph=True)  # once per point

        def matvec(v):
            vt = torch.from_numpy(np.asarray(v, dtype=np.float64)).to(device)
            vlist, i = [], 0
            for p in params:
                vlist.append(vt[i:i + p.numel()].view_as(p))
                i += p.numel()
            hv = torch.autograd.grad(g, params, grad_outputs=vlist, retain_graph=True)
            return torch.cat([h.reshape(-1) for h in hv]).cpu().numpy()
        return matvec

    return adapter, at


class _Raw:
    """A Problem-shaped wrapper of a raw matvec, for the same Lanczos."""

    def __init__(self, dim, matvec):
        self.dim, self._mv = dim, matvec

    def hvp(self, w, v):
        return self._mv(v)


def _clock(fn, min_s=0.02):
    """(wall, CPU) seconds per call of fn, from enough calls to last ~min_s (tiny HVPs are timed in
    bulk). CPU time is the process's (all its threads): on a loaded machine it moves far less than
    the wall clock, which also counts the time other processes held the cores."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    k = max(1, min(200, int(min_s / max(dt, 1e-7))))
    if k == 1:
        return dt, dc
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(k):
        fn()
    return (time.perf_counter() - t0) / k, (time.process_time() - c0) / k


def interleaved(fns: dict, rounds: int, rng, clock=_clock) -> dict:
    """{name: [seconds per round]}: every round runs every fn once, in a shuffled order."""
    names = list(fns)
    for name in names:  # warm-up (jit compilation, allocator)
        fns[name]()
    out = {k: [] for k in names}
    for _ in range(rounds):
        for i in rng.permutation(len(names)):
            out[names[i]].append(clock(fns[names[i]]))
    return out


def ratio(times, a, b, which=0):
    """(median, min, max) over rounds of times[a] / times[b] (same-round pairs); which: 0 wall, 1 CPU."""
    r = [x[which] / max(y[which], 1e-12) for x, y in zip(times[a], times[b])]
    return statistics.median(r), min(r), max(r)


def fmt_ratio(times, a, b, which=0):
    if a not in times or b not in times:
        return "-"
    m, lo, hi = ratio(times, a, b, which)
    return f"{m:.2f} [{lo:.2f}-{hi:.2f}]"


def med(ts, which=0):
    return statistics.median(x[which] for x in ts)


def bench_size(P, n, rounds, lz_rounds, threads, have, rng, device="cpu"):
    from theorykit.numeric.sharpness import sharpness

    w = width_for(P)
    g = np.random.default_rng(0)
    X, Y = g.standard_normal((n, D_IN)), g.standard_normal((n, D_OUT))
    sizes = [D_IN, w, w, D_OUT]
    layers = [(g.standard_normal((b, a)) / math.sqrt(a), np.zeros(b)) for a, b in zip(sizes[:-1], sizes[1:])]
    flat = np.concatenate([np.concatenate([W.ravel(), c]) for W, c in layers])
    pts = [flat, flat + 1e-3 * g.standard_normal(flat.size)]
    v = g.standard_normal(flat.size)
    probs, raw_at = {"numpy": _Host(numpy_problem(w, X, Y, device))}, {}
    if "jax" in have:  # JAX runs on its default device: the GPU where jax[cuda12] is installed
        probs["jax"], raw_at["raw-jax"] = jax_setup(layers, X, Y)
    if "torch" in have:
        probs["torch"], raw_at["raw-torch"] = torch_setup(layers, X, Y, threads, device)

    flip = {"i": 0}

    def cold_adapter(p):
        def run():
            flip["i"] ^= 1
            return p.hvp(pts[flip["i"]], v)
        return run

    def cold_raw(at):
        def run():
            flip["i"] ^= 1
            return at(pts[flip["i"]])(v)
        return run

    cold = {k: cold_adapter(p) for k, p in probs.items()}
    cold.update({k: cold_raw(at) for k, at in raw_at.items()})
    t_cold = interleaved(cold, rounds, rng)

    raw_mv = {k: at(flat) for k, at in raw_at.items()}  # raw loops: graph / params at the point
    warm = {k: (lambda p=p: p.hvp(flat, v)) for k, p in probs.items()}
    warm.update({k: (lambda mv=mv: mv(v)) for k, mv in raw_mv.items()})
    t_warm = interleaved(warm, rounds, rng)

    lz = {k: (lambda p=p: sharpness(p, flat, tol=1e-6)) for k, p in probs.items()}
    lz.update({k: (lambda mv=mv: sharpness(_Raw(flat.size, mv), flat, tol=1e-6)) for k, mv in raw_mv.items()})
    t_lz = interleaved(lz, lz_rounds, rng, clock=lambda fn: _clock(fn, 0.0))

    ref = probs["numpy"].hvp(flat, v)
    err = {k: float(np.max(np.abs(p.hvp(flat, v) - ref)) / np.max(np.abs(ref))) for k, p in probs.items() if k != "numpy"}
    err.update({k: float(np.max(np.abs(mv(v) - ref)) / np.max(np.abs(ref))) for k, mv in raw_mv.items()})
    lam = {k: float(sharpness(probs[k], flat, tol=1e-6)) for k in probs}
    return flat.size, t_cold, t_warm, t_lz, err, lam


# ---- EoS: run_eos on the adapters against raw framework training loops ------------------------


def _raw_torch_eos(d, w0, lr, steps, every):
    import torch

    from theorykit.numeric.models.training import TopEig

    prob = _digits_torch_net(w0)
    net, params = prob
    Xt, Yt = torch.from_numpy(d.X), torch.from_numpy(d.Y)

    def mse(o, t):
        return 0.5 * ((o - t) ** 2).sum(dim=1).mean()

    state = {}

    def matvec(v):
        vt = torch.from_numpy(np.asarray(v, dtype=np.float64))
        vlist, i = [], 0
        for p in params:
            vlist.append(vt[i:i + p.numel()].view_as(p))
            i += p.numel()
        hv = torch.autograd.grad(state["g"], params, grad_outputs=vlist, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]).numpy()

    top = TopEig(_Raw(sum(p.numel() for p in params), matvec))
    sharp = []
    t0 = time.perf_counter()
    for t in range(steps + 1):
        loss = mse(net(Xt), Yt)
        if t % every == 0 and t < steps:
            g = torch.autograd.grad(loss, params, create_graph=True)
            state["g"] = g
            sharp.append(top(None))
            state.clear()
        else:
            g = torch.autograd.grad(loss, params)
        if t == steps:
            break
        with torch.no_grad():
            for p, gi in zip(params, g):
                p.sub_(lr * gi.detach())
    return time.perf_counter() - t0, top.hvps, sharp[-1]


def _digits_torch_net(w0):
    import torch

    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                              torch.nn.Linear(32, 10)).double()
    params = list(net.parameters())
    with torch.no_grad():
        i = 0
        for p in params:  # digits_problem's order: layer by layer, weight (out, in) then bias
            p.copy_(torch.from_numpy(w0[i:i + p.numel()].reshape(p.shape).copy()))
            i += p.numel()
    return net, params


def _raw_jax_eos(d, w0, lr, every):
    """A runner steps -> (seconds, HVPs, last sharpness); jitted once here, outside the timing."""
    import jax
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    from theorykit.numeric.models.training import TopEig

    jax.config.update("jax_enable_x64", True)
    shapes = [((32, 64), 32), ((32, 32), 32), ((10, 32), 10)]
    p0, i = [], 0
    for (so, nb) in shapes:
        k = so[0] * so[1]
        p0.append((jnp.asarray(w0[i:i + k].reshape(so)), jnp.asarray(w0[i + k:i + k + nb])))
        i += k + nb
    batch = (jnp.asarray(d.X), jnp.asarray(d.Y))

    def loss(q, b):
        h = b[0]
        for W, c in q[:-1]:
            h = jnp.tanh(h @ W.T + c)
        return 0.5 * jnp.mean(jnp.sum((h @ q[-1][0].T + q[-1][1] - b[1]) ** 2, axis=1))

    step = jax.jit(lambda q, b: jax.tree_util.tree_map(lambda a, g: a - lr * g, q, jax.grad(loss)(q, b)))
    hv = jax.jit(lambda q, v, b: jax.jvp(jax.grad(lambda u: loss(u, b)), (q,), (v,))[1])
    _, unravel = ravel_pytree(p0)

    def run(steps):
        cur = {}

        def matvec(v):
            return np.asarray(ravel_pytree(hv(cur["p"], unravel(jnp.asarray(v)), batch))[0])

        top = TopEig(_Raw(w0.size, matvec))
        p, sharp = p0, []
        t0 = time.perf_counter()
        for t in range(steps):
            if t % every == 0:
                cur["p"] = p
                sharp.append(top(None))
            p = step(p, batch)
        jax.block_until_ready(p)
        return time.perf_counter() - t0, top.hvps, sharp[-1]
    return run


def bench_eos(steps, rounds, have, rng):
    from theorykit.models import digits_problem, load_digits, run_eos
    from theorykit.numeric.nets import MLP, NetProblem

    d = load_digits(256)
    lr, every = 0.05, 10
    w0 = digits_problem("mlp", have[0], n=256, width=32, depth=2).w0 if have else \
        np.asarray(MLP((64, 32, 32, 10), "tanh", "mse").init_params(0))
    probs = {"numpy": NetProblem(MLP((64, 32, 32, 10), "tanh", "mse"), d.X, d.Y)}
    for fw in have:
        probs[fw] = digits_problem("mlp", fw, n=256, width=32, depth=2)
    raw_jax = _raw_jax_eos(d, w0, lr, every) if "jax" in have else None

    def runs_of(n_steps):
        r = {k: (lambda p=p: run_eos(p, w0, lr=lr, steps=n_steps, every=every)) for k, p in probs.items()}
        if "torch" in have:
            r["raw-torch"] = lambda: _raw_torch_eos(d, w0, lr, n_steps, every)
        if "jax" in have:
            r["raw-jax"] = lambda: raw_jax(n_steps)
        return r

    for warm_up in runs_of(2 * every).values():  # jit compilation and allocator warm-up, not timed
        warm_up()
    runs = runs_of(steps)
    names = list(runs)
    out = {k: [] for k in names}
    info = {}
    for _ in range(rounds):
        for i in rng.permutation(len(names)):
            k = names[i]
            c0 = time.process_time()
            res = runs[k]()
            cpu = time.process_time() - c0
            if hasattr(res, "seconds"):  # an EoSTrace from run_eos
                sec, hv, last = res.seconds, res.hvps, float(res.sharpness[-1])
            else:
                sec, hv, last = res
            out[k].append((sec, cpu))
            info[k] = (hv, last)
    return out, info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e4, 1e5, 1e6])
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--lanczos-rounds", type=int, default=3)
    ap.add_argument("--big", type=float, default=1e6, help="sizes >= this run --big-rounds rounds")
    ap.add_argument("--big-rounds", type=int, default=2)
    ap.add_argument("--eos-steps", type=int, default=2000)
    ap.add_argument("--eos-rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--frameworks", nargs="*", default=None, help="default: every one installed (jax, torch)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: theorykit's engine on CuPy, PyTorch on cuda, JAX on its default device (the GPU "
                         "with jax[cuda12]); the EoS part stays on the CPU")
    a = ap.parse_args()
    import importlib.util
    import os

    have = [f for f in ("jax", "torch") if importlib.util.find_spec(f)]
    if a.frameworks is not None:
        have = [f for f in have if f in a.frameworks]
    rng = np.random.default_rng(0)
    # every framework gets --threads threads: NumPy's OpenBLAS too (threadpoolctl), as torch gets
    # torch.set_num_threads; an OpenBLAS pool with more threads than free cores spins on a loaded
    # machine (measured: a 1e4-parameter HVP 10x slower than with one thread)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=a.threads, user_api="blas")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {keep_freed_memory()}; frameworks: {', '.join(have) or 'none'}; n = {a.samples}, float64; "
          f"device {a.device}; {a.threads} thread(s); load average {load:.1f} on {os.cpu_count()} CPUs")
    print("# ratios: median [min-max] over interleaved rounds of same-round pairs, by the wall clock and by "
          "process CPU time; times: median wall")
    cols = ["numpy", *have, *[f"raw-{f}" for f in have]]
    pairs = [(f, f"raw-{f}") for f in have] + ([("numpy", "raw-torch")] if "torch" in have else [])
    for size in a.sizes:
        big = size >= a.big
        P, cold, warm, lz, err, lam = bench_size(size, a.samples, a.big_rounds if big else a.rounds,
                                                 1 if big else a.lanczos_rounds, a.threads, have, rng, a.device)
        print(f"\nP = {P} (width {width_for(size)}), {len(cold['numpy'])} rounds; max rel. HVP diff vs numpy: "
              + ", ".join(f"{k} {v:.1e}" for k, v in err.items())
              + "; sharpness " + ", ".join(f"{k} {v:.10g}" for k, v in lam.items()))
        for label, t, unit in (("HVP cold", cold, 1e3), ("HVP warm", warm, 1e3), ("Lanczos", lz, 1.0)):
            times = "  ".join(f"{c} {med(t[c]) * unit:.3f}" for c in cols if c in t)
            rs = "  ".join(f"{x}/{y} {fmt_ratio(t, x, y)}" for x, y in pairs)
            rc = "  ".join(f"{x}/{y} {fmt_ratio(t, x, y, 1)}" for x, y in pairs)
            print(f"  {label:9} {'ms' if unit == 1e3 else 's '}: {times}\n  {'':9}     ratios (wall): {rs}"
                  f"\n  {'':9}     ratios (CPU):  {rc}")
        print(flush=True)
    if a.eos_steps:
        print(f"\nEoS run: digits MLP 64-32-32-10 (P = 3466), n = 256, GD lr 0.05, {a.eos_steps} steps, "
              f"sharpness every 10 steps (warm-started Lanczos), {a.eos_rounds} interleaved rounds")
        t, info = bench_eos(a.eos_steps, a.eos_rounds, have, rng)
        for k in t:
            hv, last = info[k]
            print(f"  {k:>9}: {med(t[k]):8.2f} s wall, {med(t[k], 1):8.2f} s CPU  ({hv} HVPs for sharpness; "
                  f"final sharpness {last:.6g})")
        print("  ratios (wall): " + "  ".join(f"{x}/{y} {fmt_ratio(t, x, y)}" for x, y in pairs))
        print("  ratios (CPU):  " + "  ".join(f"{x}/{y} {fmt_ratio(t, x, y, 1)}" for x, y in pairs))


if __name__ == "__main__":
    main()
