"""Sharpness lambda_1(H) three ways on the same tanh MLP, 10^3..10^5 parameters.

  * Lanczos on theorykit's exact HVPs (``theorykit.probes.sharpness``: ARPACK + R-operator);
  * the dense Hessian (P HVP columns, then ``numpy.linalg.eigvalsh``), only while P <= --dense-max;
  * Lanczos (the same ARPACK call) on PyTorch double-backward HVPs, where torch is installed.

The network is (1, w, w, 1) tanh with MSE on --points points of the Chebyshev polynomial T_4
(the edge-of-stability setting of proofs/eos/tanh_mlp.py, deeper so that P reaches 10^5), at a LeCun
initialization. Prints times, ratios and the relative agreement of the three values; asserts nothing.

    python benchmarks/bench_sharpness.py [--sizes 1e3 1e4 1e5] [--points 20] [--dense-max 2000] [--repeats 3]
        [--torch-threads 1]

Timings are the best of --repeats runs; OMP_NUM_THREADS=1 gives the most stable numbers.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from theorykit.numeric.nets import MLP, NetProblem, unflatten
from theorykit.probes import sharpness


def width_for(params: float) -> int:
    """Hidden width w of (1, w, w, 1): P = w^2 + 4 w + 1."""
    return max(2, round(-2 + math.sqrt(3 + params)))


def timed(fn, repeats: int):
    out = fn()  # warm-up, and the value
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def torch_sharpness(mlp: MLP, X: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    """Lanczos (ARPACK, same settings as theorykit.sharpness) on torch double-backward HVPs."""
    import torch
    from scipy.sparse.linalg import LinearOperator, eigsh

    Xt, Tt = torch.from_numpy(X), torch.from_numpy(T)
    wt = torch.from_numpy(w).requires_grad_(True)

    def loss(wv):
        a = Xt
        params = unflatten(wv, mlp.spec)
        for l, p in enumerate(params):
            z = a @ p.W.T + p.b
            a = torch.tanh(z) if l < len(params) - 1 else z
        return ((a - Tt) ** 2).sum() / (2 * X.shape[0])

    (g,) = torch.autograd.grad(loss(wt), wt, create_graph=True)  # graph kept: each HVP is one backward

    def hvp(v):
        (hv,) = torch.autograd.grad(g, wt, grad_outputs=torch.from_numpy(np.ascontiguousarray(v).reshape(-1)),
                                    retain_graph=True)
        return hv.numpy()

    op = LinearOperator((w.size, w.size), matvec=hvp, dtype=np.float64)
    v0 = np.random.default_rng(0).standard_normal(w.size)
    return float(eigsh(op, k=1, which="LA", tol=1e-10, v0=v0)[0][0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e3, 1e4, 1e5])
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--dense-max", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="torch intra-op threads (default 1: on a busy 2-core machine torch's spinning worker "
                         "threads made its tiny HVPs ~30x slower)")
    args = ap.parse_args()
    try:
        import torch

        torch.set_num_threads(args.torch_threads)
        torch_ok = True
    except ImportError:
        torch_ok = False
    x = np.linspace(-1, 1, args.points)[:, None]
    y = np.cos(4 * np.arccos(x))
    print(f"# sharpness of a (1, w, w, 1) tanh MLP, MSE on {args.points} points of T_4; float64; "
          f"best of {args.repeats}; cpus {os.cpu_count()}"
          + (f"; torch {torch.__version__}, {torch.get_num_threads()} threads" if torch_ok else "; torch: not installed"))
    head = f"{'P':>8} {'w':>5} {'lambda_1':>10} {'lanczos ms':>10} | {'dense ms':>9} {'dense/lz':>8} {'rel diff':>8}"
    if torch_ok:
        head += f" | {'torch lz ms':>11} {'torch/ours':>10} {'rel diff':>8}"
    print(head)
    for target in args.sizes:
        w_h = width_for(target)
        mlp = MLP((1, w_h, w_h, 1), "tanh", "mse")
        prob = NetProblem(mlp, x, y)
        w = np.asarray(mlp.init_params(0))
        t_lz, lam = timed(lambda prob=prob, w=w: sharpness(prob, w, tol=1e-10), args.repeats)
        line = f"{mlp.num_params:>8} {w_h:>5} {lam:>10.5f} {1e3 * t_lz:>10.1f} | "
        if mlp.num_params <= args.dense_max:
            t_d, lam_d = timed(lambda prob=prob, w=w: float(np.linalg.eigvalsh(np.asarray(prob.hessian(w)))[-1]), 1)
            line += f"{1e3 * t_d:>9.1f} {t_d / t_lz:>8.1f} {abs(lam_d - lam) / lam:>8.1e}"
        else:
            line += f"{'-':>9} {'-':>8} {'-':>8}"
        if torch_ok:
            t_t, lam_t = timed(lambda mlp=mlp, prob=prob, w=w: torch_sharpness(mlp, x, np.asarray(prob.T), w), args.repeats)
            line += f" | {1e3 * t_t:>11.1f} {t_t / t_lz:>10.2f} {abs(lam_t - lam) / lam:>8.1e}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
