"""Scale-invariant losses L(c w) = L(w) (c > 0) and (S)GD with weight decay on them.

Problems:
  * ``GroupRestriction(problem, w, group)``: a network loss as a function of one
    scale-invariant parameter group (``MLP.scale_invariant_groups()``: a hidden
    layer's W under layer norm), the other parameters frozen at ``w``. Exactly
    scale invariant in its variable; gradients / HVPs are the network's own.
  * ``NormalizedLinear(X, y)``: L(w) = 1/(2n) sum_i (y_i - x_i^T w / ||w||)^2, a
    cheap scale-invariant regression whose minibatches are scale invariant too.
  * ``RandomSphereLoss``: the stochastic loss L_t(w) = <xi_t, w/||w||>, xi_t ~ N(0, sigma^2 I):
    its SGD gradient (I - w w^T/||w||^2) xi_t/||w|| has E||g||^2 ||w||^2 = sigma^2 (d - 1)
    at every w, the simplest model of the equilibrium analysis of Li, Lyu & Arora (2020).

Runners (batched over independent chains, rows of W (B, d)):
  * ``gd_weight_decay``: w <- (1 - lr wd) w - lr grad L(w), recording ||w||^2 and ||g||^2.
  * ``gd_schedule``: plain GD with a per-step learning-rate list.
  * ``sphere_sgd``: SGD with weight decay on ``RandomSphereLoss``, recording ||w||^2 and
    the angle between consecutive iterates; ``sphere_sgd_steps`` is its step loop (NumPy, in place).
Array API code.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked, to_numpy

__all__ = [
    "EquilibriumTrace",
    "GroupRestriction",
    "NormalizedLinear",
    "SphereRun",
    "WDRun",
    "decay_rate",
    "equilibrium_trace",
    "gd_schedule",
    "gd_weight_decay",
    "heldout_equilibrium_losses",
    "heldout_equilibrium_losses_many",
    "normalized_mlp_group",
    "random_normalized_linear",
    "sgd_heldout_average",
    "sgd_heldout_averages",
    "sphere_sgd",
    "sphere_sgd_steps",
    "welch_t",
]


def _positive_int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
        raise InputError(name, f"must be a non-negative integer, got {v!r}")
    return int(v)


def _nonneg(v: Any, name: str) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected a number, got {v!r}") from exc
    if not (f >= 0 and np.isfinite(f)):
        raise InputError(name, f"must be finite and >= 0, got {v!r}")
    return f


class GroupRestriction:
    """v -> problem.loss(w with w[start:stop] = v): the loss on one parameter group."""

    def __init__(self, problem: Any, w: Any, group: tuple[int, int]):
        xp = problem.xp
        self.problem, self.xp = problem, xp
        self.w = asarray_checked(w, "w", xp, ndim=1)
        start, stop = (int(g) for g in group)
        if not (0 <= start < stop <= self.w.shape[0]):
            raise InputError("group", f"expected a range [start, stop) inside [0, {self.w.shape[0]}), got {group!r}")
        self.start, self.stop = start, stop
        self.dim = stop - start

    def _full(self, v: Any) -> Any:
        xp = self.xp
        return xp.concat([self.w[: self.start], v, self.w[self.stop :]])

    def loss(self, v: Any) -> Any:
        return self.problem.loss(self._full(v))

    def grad(self, v: Any) -> Any:
        return self.problem.grad(self._full(v))[self.start : self.stop]

    def hvp(self, v: Any, u: Any) -> Any:
        xp = self.xp
        pad = xp.concat([xp.zeros(self.start, dtype=u.dtype), u, xp.zeros(self.w.shape[0] - self.stop, dtype=u.dtype)])
        return self.problem.hvp(self._full(v), pad)[self.start : self.stop]


class NormalizedLinear:
    """L(w) = 1/(2n) sum_i (y_i - x_i^T w/||w||)^2 over rows ``idx`` (all by default)."""

    def __init__(self, X: Any, y: Any):
        try:
            xp = array_namespace(X)
        except TypeError:
            import array_api_compat.numpy as xp
        self.xp = xp
        self.X = asarray_checked(X, "X", xp, ndim=2)
        self.y = asarray_checked(y, "y", xp, ndim=1)
        if self.y.shape[0] != self.X.shape[0]:
            raise InputError("y", f"expected {self.X.shape[0]} targets, got {self.y.shape[0]}")
        self.dim = self.X.shape[1]

    def _parts(self, W: Any, idx: Any):
        """(X, y, r): X (m, d) and y (m,) for one index set shared by all rows, or X (B, m, d)
        and y (B, m) for per-row index sets idx (B, m) (independent chains, independent noise)."""
        xp = self.xp
        if idx is not None:
            idx = xp.asarray(idx)
            if idx.ndim == 2 and idx.shape[0] != W.shape[0]:
                raise InputError("idx", f"per-row index sets need {W.shape[0]} rows, got {idx.shape[0]}")
        X, y = self._rows(idx)
        r = xp.sqrt(xp.sum(W * W, axis=-1, keepdims=True))  # (B, 1)
        if not bool(xp.all(r > 0)):
            raise InputError("w", "is zero, where w/||w|| is undefined")
        return X, y, r

    def _rows(self, idx: Any):
        return (self.X, self.y) if idx is None else (self.X[idx, ...], self.y[idx])

    def _residual(self, U: Any, X: Any, y: Any) -> Any:
        """y - X u per row: (B, m)."""
        if X.ndim == 2:
            return y[None, :] - U @ X.T
        return y - (X @ U[:, :, None])[:, :, 0]  # a batched matvec (2x faster than a product and a sum)

    def loss(self, W: Any, idx: Any = None) -> Any:
        """(B,) losses for rows W (B, d); idx: rows of the data (m,) or per-row (B, m)."""
        xp = self.xp
        X, y, r = self._parts(W, idx)
        res = self._residual(W / r, X, y)
        return xp.sum(res * res, axis=1) / (2 * res.shape[1])

    def grad(self, W: Any, idx: Any = None) -> Any:
        """(B, d) gradients: the chain rule through w/||w|| projects out w and divides by ||w||."""
        X, y, r = self._parts(W, idx)
        return self._grad(W, X, y, r)

    def _grad(self, W: Any, X: Any, y: Any, r: Any = None) -> Any:
        """``grad`` on checked rows X, y (the runners' inner loops check W and idx once, outside)."""
        xp = self.xp
        if r is None:
            r = xp.sqrt(xp.sum(W * W, axis=-1, keepdims=True))
        U = W / r
        res = self._residual(U, X, y)
        if X.ndim == 2:
            gu = -(res @ X) / X.shape[0]  # dL/du (B, d)
        else:
            gu = -(res[:, None, :] @ X)[:, 0, :] / X.shape[1]
        return (gu - U * xp.sum(U * gu, axis=1, keepdims=True)) / r

    def _checked_index_sets(self, batches: Sequence[Any], rows: int) -> list:
        """Each index set as an array, per-row sets with ``rows`` rows (the check of ``_parts``, done once)."""
        xp = self.xp
        out = [xp.asarray(b) for b in batches]
        for b in out:
            if b.ndim == 2 and b.shape[0] != rows:
                raise InputError("idx", f"per-row index sets need {rows} rows, got {b.shape[0]}")
        return out


def _finite_rows(xp: Any, W: Any, name: str = "w") -> Any:
    """W, after the one check the runners make at the end in place of a per-step test of ||w|| > 0: a zero row
    would have turned into NaN (0/0) and stayed NaN."""
    if not bool(xp.all(xp.isfinite(W))):
        raise InputError(name, "reached zero or overflowed during the run (w/||w|| undefined); the run is not finite")
    return W


class WDRun(NamedTuple):
    """GD with weight decay, batched over B chains, T steps."""

    W: Any  # (B, d) final iterates
    sq_norm: Any  # (T + 1, B) ||w_t||^2
    sq_grad: Any  # (T, B) ||grad L(w_t)||^2
    inner: Any  # (T, B) <w_t, grad L(w_t)>


_BLOCK = 256  # steps recorded together after the loop (and, in sphere_sgd, whose noise is drawn in one call: the
# same stream as a call per step)


def _grad_steps(problem: Any, W: Any, batches: Sequence[Any] | None, steps: int):
    """The gradient function of the runners' inner loops: W checked once here (nonzero rows) and each index set
    once; a NormalizedLinear is differentiated without re-checking (other problems through their own grad)."""
    xp = problem.xp
    if batches is not None and len(batches) < steps:
        raise InputError("batches", f"need one index set per step ({steps}), got {len(batches)}")
    if not isinstance(problem, NormalizedLinear):
        return (lambda W_, t: problem.grad(W_)) if batches is None else (lambda W_, t: problem.grad(W_, batches[t]))
    problem._parts(W, None)  # nonzero rows at the start; _finite_rows checks the end
    if batches is None:
        return lambda W_, t: problem._grad(W_, problem.X, problem.y)
    rows = [problem._rows(b) for b in problem._checked_index_sets(batches[:steps], W.shape[0])]
    return lambda W_, t: problem._grad(W_, *rows[t])


def gd_weight_decay(problem: Any, W0: Any, lr: float, wd: float, steps: int, *, batches: Sequence[Any] | None = None) -> WDRun:
    """w_{t+1} = (1 - lr wd) w_t - lr g_t, g_t = problem.grad(w_t[, batches[t]]) (rows of W0 (B, d))."""
    xp = problem.xp
    W = asarray_checked(W0, "W0", xp, ndim=2)
    lr, wd, steps = _nonneg(lr, "lr"), _nonneg(wd, "wd"), _positive_int(steps, "steps")
    grad = _grad_steps(problem, W, batches, steps)
    norms, grads, inners = [xp.sum(W * W, axis=1)[None, :]], [], []
    for start in range(0, steps, _BLOCK):  # the loop steps; the records of a block are row sums of its stacked arrays
        Ws, Gs = [W], []
        for t in range(start, min(start + _BLOCK, steps)):
            Gs.append(grad(W, t))
            W = (1.0 - lr * wd) * W - lr * Gs[-1]
            Ws.append(W)
        A, G = xp.stack(Ws), xp.stack(Gs)
        norms.append(xp.sum(A[1:, ...] * A[1:, ...], axis=2))
        grads.append(xp.sum(G * G, axis=2))
        inners.append(xp.sum(A[:-1, ...] * G, axis=2))
    empty = xp.zeros((0, W.shape[0]))
    return WDRun(_finite_rows(xp, W), xp.concat(norms, axis=0), xp.concat(grads, axis=0) if grads else empty,
                 xp.concat(inners, axis=0) if inners else empty)


def gd_schedule(problem: Any, W0: Any, lrs: Sequence[float], *, batches: Sequence[Any] | None = None) -> Any:
    """Plain GD w_{t+1} = w_t - lrs[t] g_t (no weight decay); returns the final (B, d)."""
    xp = problem.xp
    W = asarray_checked(W0, "W0", xp, ndim=2)
    grad = _grad_steps(problem, W, batches, len(lrs))
    for t, lr in enumerate(lrs):
        W = W - float(lr) * grad(W, t)
    return _finite_rows(xp, W)


class SphereRun(NamedTuple):
    """SGD with weight decay on the random-sphere loss, B chains, recorded every ``every`` steps."""

    sq_norm: Any  # (K, B) ||w_t||^2 at the recorded steps
    angle: Any  # (K, B) angle between w_t and w_{t+1} at the recorded steps
    times: tuple[int, ...]  # the recorded steps t


def sphere_sgd_steps(W: np.ndarray, lrs: Sequence[float], wd: float, noise: Any, *, valley: float = 0.0):
    """SGD with weight decay on the sphere-noise loss L_t(w) = valley (1 - u_1^2)/2 + <xi_t, u>, u = w/||w||
    (``valley`` 0: ``RandomSphereLoss``), updating the NumPy rows W (chains, d) in place:
    w <- (1 - lr wd) w - lr G, G = (g - u <u, g>)/||w||, g = xi_t - valley u_1 e_1, one lr and one xi_t (chains, d)
    from ``lrs`` and ``noise`` per step. Before each step it yields (||w_t||^2, ||w_t||, u_t): arrays (chains, 1),
    (chains, 1), (chains, d) that the step overwrites. NumPy, in preallocated arrays: on rows this small the
    ~12 array calls of a step are all overhead, and allocating their results was a sixth of it."""
    T, U = np.empty_like(W), np.empty_like(W)
    q, r, s = (np.empty((W.shape[0], 1)) for _ in range(3))
    mul, red = np.multiply, np.add.reduce
    for lr, g in zip(lrs, noise):
        red(mul(W, W, out=T), axis=1, keepdims=True, out=q)
        np.sqrt(q, out=r)
        np.divide(W, r, out=U)
        if valley:
            g[:, 0] -= valley * U[:, 0]
        yield q, r, U
        red(mul(U, g, out=T), axis=1, keepdims=True, out=s)
        np.divide(np.subtract(g, mul(U, s, out=T), out=T), r, out=T)
        np.subtract(mul(W, 1.0 - lr * wd, out=W), mul(T, lr, out=T), out=W)


def sphere_sgd(dim: int, chains: int, lr: float, wd: float, steps: int, *, sigma: float = 1.0,
               init_norm: float = 1.0, lr_after: float | None = None, switch: int | None = None,
               every: int = 1, rng: Any = 0, xp: Any = None) -> SphereRun:
    """SGD w <- (1 - lr wd) w - lr g_t with g_t = (I - u u^T) xi_t / ||w||, u = w/||w||, xi_t ~ N(0, sigma^2 I_d):
    the stochastic gradient of L_t(w) = <xi_t, w/||w||>. ``lr_after`` replaces lr from step ``switch`` on.
    The steps run in NumPy (``sphere_sgd_steps``; the rows are tiny, so an accelerator has nothing to do), the
    norms and angles of each block of iterates are computed together after it, and the records come back as
    ``xp`` arrays."""
    if xp is None:
        import array_api_compat.numpy as xp
    dim, chains, steps = _positive_int(dim, "dim"), _positive_int(chains, "chains"), _positive_int(steps, "steps")
    if dim < 2:
        raise InputError("dim", f"need dim >= 2 for a nontrivial sphere, got {dim}")
    lr, wd, sigma = _nonneg(lr, "lr"), _nonneg(wd, "wd"), _nonneg(sigma, "sigma")
    every = max(1, _positive_int(every, "every"))
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    W = rng.standard_normal((chains, dim))
    W = W / np.linalg.norm(W, axis=1, keepdims=True) * float(init_norm)
    etas = [lr if (lr_after is None or switch is None or t < switch) else float(lr_after) for t in range(steps)]
    norms, angles = [], []
    for start in range(0, steps, _BLOCK):
        k = min(_BLOCK, steps - start)
        path = [W.copy() for _ in sphere_sgd_steps(W, etas[start:start + k], wd,
                                                   rng.standard_normal((k, chains, dim)) * sigma)]
        first = (-start) % every  # the recorded steps t = start + first, ... (t % every == 0)
        if first < k:
            path.append(W.copy())
            P = np.stack(path)
            A, B = P[first:k:every], P[first + 1:k + 1:every]
            ra, rb = np.sqrt(np.sum(A * A, axis=2)), np.sqrt(np.sum(B * B, axis=2))
            norms.append(ra**2)
            angles.append(np.arccos(np.clip(np.sum(A * B, axis=2) / (ra * rb), -1.0, 1.0)))
    if not norms:
        return SphereRun(xp.zeros((0, chains)), xp.zeros((0, chains)), ())
    return SphereRun(xp.asarray(np.concatenate(norms)), xp.asarray(np.concatenate(angles)),
                     tuple(range(0, steps, every)))


def sgd_heldout_average(problem: NormalizedLinear, X_test: Any, y_test: Any, lr: float, wd: float, steps: int, *,
                        batch: int, chains: int, burn_in: int, every: int = 10, rng: Any = 0) -> Any:
    """SGD with weight decay on ``problem`` with an independent minibatch per chain; returns the
    per-chain time average (over every ``every``-th step after ``burn_in``) of the held-out loss
    1/(2m) sum_j (y_j - x_j^T w/||w||)^2: a function-space summary of each chain's equilibrium (chains,)."""
    return sgd_heldout_averages(problem, X_test, y_test, [(lr, wd, rng)], steps, batch=batch, chains=chains,
                                burn_in=burn_in, every=every)[0]


def sgd_heldout_averages(problem: NormalizedLinear, X_test: Any, y_test: Any, runs: Sequence[tuple[float, float, Any]],
                         steps: int, *, batch: int, chains: int, burn_in: int, every: int = 10) -> list:
    """``sgd_heldout_average`` for several runs (lr, wd, rng) of the same length at once: their chains are stacked
    rows of one array (one loop, so the per-step overhead is paid once), each run drawing its init and minibatches
    from its own generator in the order it would alone; the rows do not interact, so every run's result is the
    one it gets alone. Returns one (chains,) array per run."""
    xp = problem.xp
    steps, batch, chains, burn_in = (_positive_int(v, name) for v, name in
                                     ((steps, "steps"), (batch, "batch"), (chains, "chains"), (burn_in, "burn_in")))
    if not 1 <= batch <= problem.X.shape[0]:
        raise InputError("batch", f"must be in [1, {problem.X.shape[0]}], got {batch}")
    if not runs:
        raise InputError("runs", "need at least one (lr, wd, rng) run")
    lrs = [_nonneg(lr, "lr") for lr, _, _ in runs]
    decays = [1.0 - lr * _nonneg(wd, "wd") for lr, (_, wd, _) in zip(lrs, runs)]
    rngs = [np.random.default_rng(r) if not isinstance(r, np.random.Generator) else r for _, _, r in runs]
    if len({id(g) for g in rngs}) < len(rngs):  # shared, their draws would interleave: not what each gets alone
        raise InputError("runs", "each run needs its own random generator (or seed); two runs share one")
    test = NormalizedLinear(X_test, y_test)
    W = xp.asarray(np.concatenate([g.standard_normal((chains, problem.dim)) for g in rngs]))
    lr_rows, decay_rows = (xp.asarray(np.repeat(np.asarray(v), chains)[:, None]) for v in (lrs, decays))
    problem._parts(W, None)  # nonzero rows at the start; _finite_rows checks the end
    acc, count = xp.zeros(W.shape[0], dtype=xp.float64), 0
    for t in range(steps):
        # with replacement, per chain, each run from its own stream
        idx = np.concatenate([g.integers(0, problem.X.shape[0], size=(chains, batch)) for g in rngs])
        W = decay_rows * W - lr_rows * problem._grad(W, *problem._rows(xp.asarray(idx)))
        if t >= burn_in and (t - burn_in) % max(1, int(every)) == 0:
            acc = acc + test.loss(W)
            count += 1
    _finite_rows(xp, W)
    avg = acc / max(count, 1)
    return [avg[i * chains:(i + 1) * chains] for i in range(len(runs))]


class EquilibriumTrace(NamedTuple):
    """Chain means per step of a ``sphere_sgd`` run (with an optional lr switch)."""

    norm4: np.ndarray  # (T,) mean ||w_t||^4
    angle2: np.ndarray  # (T,) mean squared angle between w_t and w_{t+1}
    eff_lr: np.ndarray  # (T,) mean eta_t / ||w_t||^2
    switch: int  # the step where lr became lr_after (T when there is none)


def equilibrium_trace(dim: int, lr: float, wd: float, *, rng: Any = 0, chains: int = 32, init_norm: float = 10.0,
                      time_constants: float = 8.0, lr_after: float | None = None) -> EquilibriumTrace:
    """``sphere_sgd`` for time_constants/(lr wd) steps [then time_constants/(lr_after wd) more with lr_after]."""
    lr, wd = _nonneg(lr, "lr"), _nonneg(wd, "wd")
    if lr * wd <= 0:
        raise InputError("wd", "lr * wd must be positive: the equilibrium needs weight decay")
    first = round(time_constants / (lr * wd))  # round, not int: 2/(0.5*0.2) is 19.999... in floating point
    steps = first + (round(time_constants / (_nonneg(lr_after, "lr_after") * wd)) if lr_after else 0)
    run = sphere_sgd(dim, chains, lr, wd, steps, init_norm=init_norm, lr_after=lr_after, switch=first, rng=rng)
    sq = np.asarray(to_numpy(run.sq_norm))
    lrs = np.where(np.arange(steps) < first, lr, lr_after or lr)[:, None]
    return EquilibriumTrace((sq**2).mean(1), (np.asarray(to_numpy(run.angle)) ** 2).mean(1), (lrs / sq).mean(1), first)


def decay_rate(x: Any, *, lo: float = 0.05, hi: float = 20.0) -> float:
    """Per-step exponential decay rate of x_t - x_inf (x_inf = mean of the second half), fitted by least
    squares on log(x_t - x_inf) over the first stretch where the gap is in (lo, hi) * x_inf."""
    x = np.asarray(to_numpy(x), dtype=np.float64)
    xinf = float(np.mean(x[x.size // 2:]))
    gap = x - xinf
    live = np.cumprod(gap > lo * xinf).astype(bool) & (gap < hi * xinf)
    if live.sum() < 3:
        raise InputError("x", "fewer than 3 points with the gap in the fitting window")
    ts = np.arange(x.size)[live]
    return float(-np.polyfit(ts, np.log(gap[live]), 1)[0])


def random_normalized_linear(d: int, n: int, rng: Any, *, noise: float = 0.3) -> NormalizedLinear:
    """A NormalizedLinear regression on Gaussian X (n, d) with targets x^T w*/sqrt(d) + noise."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    X = rng.standard_normal((_positive_int(n, "n"), _positive_int(d, "d")))
    return NormalizedLinear(X, X @ rng.standard_normal(d) / np.sqrt(d) + _nonneg(noise, "noise") * rng.standard_normal(n))


def normalized_mlp_group(din: int, width: int, n: int, norm: str, activation: str, rng: Any) -> tuple[GroupRestriction, Any]:
    """(loss on the hidden weight matrix, that matrix flattened) for a one-hidden-layer MLP
    (din, width, 2) with ``norm`` ("layer" or "weight") on Gaussian data: an exactly
    scale-invariant loss of a real network, with backprop gradients and R-operator HVPs."""
    from .nets import MLP, NetProblem

    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    mlp = MLP((din, width, 2), activation=activation, loss="mse", norm=norm)
    if not mlp.scale_invariant_groups():
        raise InputError("norm", f"expected 'layer' or 'weight' (a scale-invariant hidden layer), got {norm!r}")
    prob = NetProblem(mlp, rng.standard_normal((n, din)), rng.standard_normal((n, 2)))
    w = mlp.init_params(rng)
    layer = mlp.spec.layers[0]
    stop = layer.offset + layer.weight_shape[0] * layer.weight_shape[1]
    return GroupRestriction(prob, w, (layer.offset, stop)), w[layer.offset:stop]


def heldout_equilibrium_losses(lr: float, wd: float, seed: int, **task: Any) -> np.ndarray:
    """Per-chain equilibrium held-out loss of SGD + weight decay on one fixed normalized-linear task
    (``task_seed``: the same data for every (lr, wd)), run for time_constants/(lr wd) steps and
    averaged over the second half. Only (lr, wd) and the noise ``seed`` differ between calls."""
    return heldout_equilibrium_losses_many([(lr, wd, seed)], **task)[0]


def heldout_equilibrium_losses_many(runs: Sequence[tuple[float, float, int]], *, d: int = 6, n: int = 24,
                                    chains: int = 32, batch: int = 4, time_constants: float = 6.0,
                                    task_seed: int = 1234) -> list:
    """``heldout_equilibrium_losses`` of several (lr, wd, seed): runs of the same length (equal lr wd) go through
    ``sgd_heldout_averages`` together; each result is the one its run gets alone."""
    task = np.random.default_rng(task_seed)
    X, wt = task.standard_normal((n, d)), task.standard_normal(d)
    wt = wt / np.linalg.norm(wt)
    y = X @ wt + 0.5 * task.standard_normal(n)
    Xh = task.standard_normal((200, d))
    steps = [int(time_constants / (_nonneg(lr, "lr") * _nonneg(wd, "wd"))) for lr, wd, _ in runs]
    out: list = [None] * len(runs)
    for length in dict.fromkeys(steps):
        group = [i for i, s in enumerate(steps) if s == length]
        avgs = sgd_heldout_averages(NormalizedLinear(X, y), Xh, Xh @ wt, [runs[i] for i in group], length,
                                    batch=batch, chains=chains, burn_in=length // 2)
        for i, avg in zip(group, avgs):
            out[i] = np.asarray(to_numpy(avg))
    return out


def welch_t(a: Any, b: Any) -> float:
    """Welch's two-sample t statistic (mean(a) - mean(b)) / sqrt(var(a)/|a| + var(b)/|b|)."""
    a, b = np.asarray(to_numpy(a), dtype=np.float64), np.asarray(to_numpy(b), dtype=np.float64)
    if a.size < 2 or b.size < 2:
        raise InputError("a", "each sample needs at least 2 values")
    return float((a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))
