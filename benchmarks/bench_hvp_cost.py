"""Cost of an exact Hessian-vector product against a gradient, on MLPs of 10^3..10^6 parameters.

theorykit's HVP is Pearlmutter's R-operator written by hand (nets_hvp.py):
one forward, one R-forward, one backward and one R-backward pass, so it
should cost a small constant (~2-4) times a gradient at every size.  Where
PyTorch is installed, the same net, data and point are run through PyTorch's
double-backward HVP (grad of <grad L, v>) side by side, and the two HVPs are
compared.  Prints; asserts nothing.

    python benchmarks/bench_hvp_cost.py [--sizes 1e3 1e4 1e5 1e6] [--activation tanh]
        [--loss mse] [--norm none|layer|weight] [--samples 256] [--repeats 5] [--backend numpy]

Timings are the best of --repeats runs (the least disturbed by other
processes); for stable numbers run single-threaded: OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from theorykit.numeric.backend import get_namespace, to_numpy
from theorykit.numeric.nets import MLP, NetProblem, unflatten

D_IN, D_OUT = 32, 10


def keep_freed_memory() -> str:
    """Ask glibc to recycle freed blocks up to 32 MiB instead of returning them to the OS.

    By default glibc serves blocks over ~128 KiB with fresh mmap pages and
    unmaps them on free, so every temporary array of a pass page-faults anew.
    Passes that allocate more temporaries (an HVP holds R-copies of every
    activation) then pay a cost that has nothing to do with their arithmetic:
    on this benchmark that alone moved hvp/grad from ~1.6 to ~3.6 at width 80.
    Both theorykit and PyTorch (CPU tensors come from malloc) benefit alike."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        # mallopt(M_TRIM_THRESHOLD = -1, ...), mallopt(M_MMAP_THRESHOLD = -3, ...): 1 on success
        ok = libc.mallopt(-1, 2**25) == 1 and libc.mallopt(-3, 2**25) == 1
    except (OSError, AttributeError, TypeError):
        ok = False
    return "glibc mmap threshold 32 MiB" if ok else "default allocator (mallopt unavailable)"


def width_for(params: float) -> int:
    """Hidden width w of (D_IN, w, w, D_OUT) with about ``params`` parameters:
    P = w^2 + (D_IN + D_OUT + 2) w + D_OUT."""
    b = D_IN + D_OUT + 2
    return max(1, round((-b + math.sqrt(b * b + 4 * (params - D_OUT))) / 2))


def timed(fn, repeats: int, sync=lambda: None) -> float:
    """Best (minimum) wall time of fn() over ``repeats`` runs, after one warm-up: on a
    shared machine the minimum is the least disturbed by other processes."""
    fn()
    sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times)


def torch_problem(mlp: MLP, X: np.ndarray, T: np.ndarray):
    """The same loss as NetProblem, written with torch ops (float64), for autograd."""
    import torch

    Xt, Tt = torch.from_numpy(X), torch.from_numpy(T)
    act = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
           "gelu": lambda z: torch.nn.functional.gelu(z, approximate="tanh")}[mlp.activation]

    def loss(w):
        a = Xt
        params = unflatten(w, mlp.spec)  # array-API code works on torch tensors via array_api_compat
        for l, p in enumerate(params):
            W = p.W
            if mlp.norm == "weight" and l < mlp.depth - 1:
                W = W / torch.linalg.vector_norm(W, dim=1, keepdim=True)
            z = a @ W.T + (p.b if p.b is not None else 0)
            if l == mlp.depth - 1:
                break
            if mlp.norm == "layer":
                c = z - z.mean(dim=1, keepdim=True)
                z = math.sqrt(z.shape[1]) * c / torch.linalg.vector_norm(c, dim=1, keepdim=True)
            a = act(z)
        n = X.shape[0]
        if mlp.loss == "mse":
            return ((z - Tt) ** 2).sum() / (2 * n)
        return (torch.logsumexp(z, dim=1).sum() - (Tt * z).sum()) / n

    def grad(w):
        w = w.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(w), w)
        return g

    def hvp(w, v):
        w = w.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(w), w, create_graph=True)
        (hv,) = torch.autograd.grad(g @ v, w)
        return hv

    return grad, hvp


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e3, 1e4, 1e5, 1e6])
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--loss", default="mse")
    ap.add_argument("--norm", default="none", choices=["none", "layer", "weight"])
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    ap.add_argument("--default-malloc", action="store_true", help="skip keep_freed_memory()")
    args = ap.parse_args()
    allocator = "default allocator" if args.default_malloc else keep_freed_memory()

    xp = get_namespace(args.backend)
    sync = lambda: None  # noqa: E731
    if args.backend == "cupy":  # GPU kernels are asynchronous: time them to completion
        import cupy

        sync = lambda: cupy.cuda.Device().synchronize()  # noqa: E731
    try:
        import torch

        torch_ok = args.backend == "numpy"
    except ImportError:
        torch_ok = False
    norm = None if args.norm == "none" else args.norm
    print(f"# HVP vs gradient cost: MLP ({D_IN}, w, w, {D_OUT}), {args.activation}, {args.loss}, "
          f"norm={norm}, n={args.samples} samples, float64, backend={args.backend}, "
          f"best of {args.repeats}; {allocator}; cpus: {os.cpu_count()}"
          + (f", torch {torch.__version__} threads {torch.get_num_threads()}" if torch_ok else ", torch: not installed"))
    head = f"{'P':>9} {'width':>6} {'grad ms':>9} {'hvp ms':>9} {'hvp/grad':>8}"
    if torch_ok:
        head += f" | {'torch grad':>10} {'torch hvp':>10} {'hvp/grad':>8} {'ours/torch':>10} {'max rel diff':>12}"
    print(head)
    rng = np.random.default_rng(0)
    for target in args.sizes:
        w_hidden = width_for(target)
        mlp = MLP((D_IN, w_hidden, w_hidden, D_OUT), args.activation, args.loss, norm)
        X = rng.standard_normal((args.samples, D_IN))
        Y = rng.standard_normal((args.samples, D_OUT)) if mlp.loss == "mse" else rng.integers(0, D_OUT, args.samples)
        pr = NetProblem(mlp, xp.asarray(X), xp.asarray(Y) if mlp.loss == "mse" else Y)
        w = mlp.init_params(rng, xp=xp)
        v = xp.asarray(rng.standard_normal(mlp.num_params))
        t_g = timed(lambda: pr.grad(w), args.repeats, sync)
        t_h = timed(lambda: pr.hvp(w, v), args.repeats, sync)
        line = f"{mlp.num_params:>9} {w_hidden:>6} {1e3 * t_g:>9.2f} {1e3 * t_h:>9.2f} {t_h / t_g:>8.2f}"
        if torch_ok:
            tgrad, thvp = torch_problem(mlp, X, to_numpy(pr.T))
            wt, vt = torch.from_numpy(to_numpy(w)), torch.from_numpy(to_numpy(v))
            tt_g = timed(lambda: tgrad(wt), args.repeats)
            tt_h = timed(lambda: thvp(wt, vt), args.repeats)
            ours, theirs = to_numpy(pr.hvp(w, v)), thvp(wt, vt).numpy()
            diff = np.abs(ours - theirs).max() / np.abs(theirs).max()
            line += f" | {1e3 * tt_g:>10.2f} {1e3 * tt_h:>10.2f} {tt_h / tt_g:>8.2f} {t_h / tt_h:>10.2f} {diff:>12.1e}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
