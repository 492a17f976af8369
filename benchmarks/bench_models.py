"""The model adapters against raw framework loops: HVP, Lanczos sharpness, and an EoS run.

Side by side on the same net (32 -> w -> w -> 10 tanh, MSE, n samples), float64, same point:

* ``numpy``: theorykit's hand-written R-operator (``NetProblem``)
* ``jax``: ``theorykit.models.from_jax`` (forward-over-reverse, jit)
* ``torch``: ``theorykit.models.from_torch`` (double backward)
* ``raw-torch``: a PyHessian-style double-backward loop on the module's own parameter list,
  no flattening (``autograd.grad(loss, params, create_graph=True)``, then ``grad(g, params, v)``)
* ``raw-jax``: ``jax.jvp(jax.grad(loss), (params,), (v,))`` on the parameter pytree, jitted

Ratios adapter / raw framework loop are printed (goal: <= 1.2). Lanczos sharpness is
``theorykit.probes.sharpness`` on each Problem (the raw loops go through the same ARPACK with
their own matvec). The EoS part trains the digits MLP for --eos-steps steps with sharpness every
10 steps through ``run_eos`` on each of numpy / jax / torch. Prints; asserts nothing.

    python benchmarks/bench_models.py [--sizes 1e3 1e4 1e5 1e6] [--samples 256] [--repeats 5]
        [--eos-steps 2000] [--threads 1]

Timings are the best of --repeats runs; on a shared machine run with --threads 1.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from bench_hvp_cost import keep_freed_memory, width_for  # same sizing and allocator setup as the HVP bench

D_IN, D_OUT = 32, 10


def timed(fn, repeats):
    fn()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def numpy_problem(w, X, Y):
    from theorykit.numeric.nets import MLP, NetProblem

    return NetProblem(MLP((D_IN, w, w, D_OUT), "tanh", "mse"), X, Y)


def jax_setup(layers, X, Y):
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
    v_tree = jax.tree_util.tree_map(jnp.ones_like, params)

    def raw_hvp():
        return jax.block_until_ready(raw(params, v_tree, batch))

    flat_v, unravel = ravel_pytree(params)

    def raw_matvec(v):
        return np.asarray(ravel_pytree(raw(params, unravel(jnp.asarray(v)), batch))[0])

    return from_jax(loss, params, (X, Y)), raw_hvp, raw_matvec


def torch_setup(layers, X, Y, threads):
    import torch

    from theorykit.models import from_torch

    torch.set_num_threads(threads)
    mods = []
    for W, _ in layers[:-1]:
        mods += [torch.nn.Linear(W.shape[1], W.shape[0]), torch.nn.Tanh()]
    net = torch.nn.Sequential(*mods, torch.nn.Linear(layers[-1][0].shape[1], D_OUT)).double()
    with torch.no_grad():
        for m, (W, c) in zip([m for m in net if isinstance(m, torch.nn.Linear)], layers):
            m.weight.copy_(torch.from_numpy(W))
            m.bias.copy_(torch.from_numpy(c))

    def mse(o, t):
        return 0.5 * ((o - t) ** 2).sum(dim=1).mean()

    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    params = list(net.parameters())
    vs = [torch.ones_like(p) for p in params]

    def raw_hv(vlist):  # PyHessian's hessian_vector_product: grad of <grad, v> over the param list
        g = torch.autograd.grad(mse(net(Xt), Yt), params, create_graph=True)
        return torch.autograd.grad(g, params, grad_outputs=vlist)

    def raw_matvec(v):
        vt = torch.from_numpy(np.asarray(v, dtype=np.float64))
        vlist, i = [], 0
        for p in params:
            vlist.append(vt[i:i + p.numel()].view_as(p))
            i += p.numel()
        return torch.cat([h.reshape(-1) for h in raw_hv(vlist)]).numpy()

    return from_torch(net, mse, (X, Y), num_threads=threads), lambda: raw_hv(vs), raw_matvec


class _Raw:
    """A Problem-shaped wrapper of a raw matvec, for the same Lanczos."""

    def __init__(self, dim, matvec):
        self.dim, self._mv = dim, matvec

    def hvp(self, w, v):
        return self._mv(v)


def bench_size(P, n, repeats, threads, have):
    from theorykit.probes import sharpness

    w = width_for(P)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((n, D_IN)), rng.standard_normal((n, D_OUT))
    sizes = [D_IN, w, w, D_OUT]
    layers = [(rng.standard_normal((b, a)) / math.sqrt(a), np.zeros(b)) for a, b in zip(sizes[:-1], sizes[1:])]
    flat = np.concatenate([np.concatenate([W.ravel(), c]) for W, c in layers])
    v = np.ones_like(flat)
    probs, raws = {"numpy": numpy_problem(w, X, Y)}, {}
    if "jax" in have:
        probs["jax"], raws["raw-jax"], mvj = jax_setup(layers, X, Y)
    if "torch" in have:
        probs["torch"], raws["raw-torch"], mvt = torch_setup(layers, X, Y, threads)
    hvp = {k: timed(lambda p=p: p.hvp(flat, v), repeats) for k, p in probs.items()}
    hvp.update({k: timed(f, repeats) for k, f in raws.items()})
    lz_rep = max(1, repeats // 3)
    lz = {k: timed(lambda p=p: sharpness(p, flat, tol=1e-6), lz_rep) for k, p in probs.items()}
    if "jax" in have:
        lz["raw-jax"] = timed(lambda: sharpness(_Raw(flat.size, mvj), flat, tol=1e-6), lz_rep)
    if "torch" in have:
        lz["raw-torch"] = timed(lambda: sharpness(_Raw(flat.size, mvt), flat, tol=1e-6), lz_rep)
    ref = probs["numpy"].hvp(flat, v)
    err = {k: float(np.max(np.abs(p.hvp(flat, v) - ref)) / np.max(np.abs(ref))) for k, p in probs.items()}
    return flat.size, hvp, lz, err


def bench_eos(steps, have):
    from theorykit.models import digits_problem, load_digits, run_eos
    from theorykit.numeric.nets import MLP, NetProblem

    d = load_digits(256)
    out = {}
    ref = digits_problem("mlp", "jax" if "jax" in have else "torch", n=256, width=32, depth=2) if have else None
    w0 = ref.w0 if ref is not None else np.asarray(MLP((64, 32, 32, 10), "tanh", "mse").init_params(0))
    probs = {"numpy": NetProblem(MLP((64, 32, 32, 10), "tanh", "mse"), d.X, d.Y)}
    for fw in have:
        probs[fw] = digits_problem("mlp", fw, n=256, width=32, depth=2)
    for k, p in probs.items():
        tr = run_eos(p, w0, lr=0.05, steps=steps, every=10)
        out[k] = (tr.seconds, tr.hvps, float(tr.sharpness[-1]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e4, 1e5, 1e6])
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--eos-steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    import importlib.util

    have = [f for f in ("jax", "torch") if importlib.util.find_spec(f)]
    print(f"# {keep_freed_memory()}; frameworks: {', '.join(have) or 'none'}; n = {a.samples}, float64")
    cols = ["numpy", *have, *[f"raw-{f}" for f in have]]
    print(f"{'P':>9} | {'HVP ms: ' + '  '.join(f'{c:>9}' for c in cols)} | adapter/raw | numpy/raw-torch")
    rows = []
    for size in a.sizes:
        P, hvp, lz, err = bench_size(size, a.samples, a.repeats, a.threads, have)
        rows.append((P, lz))
        ratios = "  ".join(f"{f}:{hvp[f] / hvp['raw-' + f]:.2f}" for f in have)
        np_ratio = f"{hvp['numpy'] / hvp['raw-torch']:.2f}" if "torch" in have else "-"
        print(f"{P:>9} | {'        ' + '  '.join(f'{hvp[c] * 1e3:9.3f}' for c in cols)} | {ratios} | {np_ratio}"
              f"   (max rel. diff vs numpy: {', '.join(f'{k} {v:.1e}' for k, v in err.items() if k != 'numpy')})")
    print(f"\n{'P':>9} | Lanczos sharpness s: " + "  ".join(f"{c:>9}" for c in cols) + " | adapter/raw")
    for P, lz in rows:
        ratios = "  ".join(f"{f}:{lz[f] / lz['raw-' + f]:.2f}" for f in have)
        print(f"{P:>9} |                      " + "  ".join(f"{lz[c]:9.3f}" for c in cols) + f" | {ratios}")
    if a.eos_steps:
        print(f"\nEoS run: digits MLP 64-32-32-10 (P = 3466), n = 256, GD lr 0.05, {a.eos_steps} steps, "
              "sharpness every 10 steps")
        res = bench_eos(a.eos_steps, have)
        base = res["numpy"][0]
        for k, (sec, hv, last) in res.items():
            print(f"  {k:>6}: {sec:8.2f} s  ({hv} HVPs for sharpness; final sharpness {last:.6g}); "
                  f"time / numpy = {sec / base:.2f}")


if __name__ == "__main__":
    main()
