"""The neural tangent kernel (NTK) of a wide two-layer network: how much it fluctuates at initialization
and how much it moves during training, as functions of the width."""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._sources import DYER_GUR_ARI, JACOT, LEE_WIDE
from ._util import S, derivation

__all__ = ["CLAIMS"]

e_init, e_train, m_w, V = S("e_init"), S("e_train"), S("m", positive=True), S("V", positive=True)
STATEMENT = sympy.And(sympy.Eq(e_init, -sympy.Rational(1, 2)), sympy.Eq(e_train, -1))
SEED_RATE = sympy.Eq(e_train, -sympy.Rational(1, 2))  # the seed's "relative change shrinks like 1/sqrt(width)"
WIDTHS = (32, 2048)  # a factor 64 apart
_TRAIN_SEEDS, _INIT_SEEDS = 8, 512


def _derive():
    d = derivation((m_w > 0, V > 0), "ntk.kernel_change")
    # K_0 = (1/m) sum_j k_j over i.i.d. neurons: Var K_0 = V/m, so its RMS fluctuation has log-log slope -1/2
    d.start(m_w * sympy.diff(sympy.log(sympy.sqrt(V / m_w)), m_w)).eq(-sympy.Rational(1, 2), by="CLT over neurons")
    # training moves each neuron by O(m^-1/2); the first-order change of K is (1/m) times a sum of m terms
    # odd in the output weight a_j (symmetric at init), so it averages out: mean O(1/m), spread
    # (1/m) sqrt(m) m^(-1/2) = 1/m -- slope -1, below the O(m^-1/2) bound of [Lee et al.]
    d.start(m_w * sympy.diff(sympy.log((1 / m_w) * sympy.sqrt(m_w) * m_w ** -sympy.Rational(1, 2)), m_w)).eq(
        -1, by="mean-zero first-order terms")
    return d.check()


_POINTS = 8  # the largest n searched: the data set of n points is the first n of these (one stream, drawn in order)


def _data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((max(n, _POINTS), 3))[:n] / math.sqrt(3)
    return X, np.sin(2 * X[:, 0])


def _softplus_sigmoid(Z):
    """(softplus Z, sigmoid Z) from one exp: with E = exp(-|Z|) <= 1 (no overflow) and u = 1 + E,
    softplus = max(Z, 0) + log u and sigmoid = (1 or E)/u by the sign of Z. Absolute error ~1 ulp of max(Z, 0) + 1
    (log u, not log1p E: a tiny softplus of a very negative Z is off relatively, not absolutely), against
    np.logaddexp plus a second exp at 1.4x the cost (numpy's log1p is not vectorized)."""
    E = np.exp(-np.abs(Z))
    u = 1.0 + E
    S_ = np.where(Z >= 0.0, 1.0, E)
    S_ /= u
    P = np.log(u)
    P += np.maximum(Z, 0.0)
    return P, S_


def _kernel(X, W, a):
    """Empirical NTK of f(x) = a . softplus(W x)/sqrt(m) over both layers (exact, via the chain rule); W (..., m, 3)
    and a (..., m) may carry leading batch axes (independent inits), giving (..., n, n)."""
    P, S_ = _softplus_sigmoid(X @ np.swapaxes(W, -1, -2))
    Da = a[..., None, :] * S_
    return (P @ np.swapaxes(P, -1, -2) + (Da @ np.swapaxes(Da, -1, -2)) * (X @ X.T)) / W.shape[-2]


def _init(m: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, 3)), rng.standard_normal(m)


def _train_inits(m: int, data: int):
    """The 8 trained inits stacked: W (8, m, 3), a (8, m)."""
    Ws, As = zip(*(_init(m, 1000 * data + s) for s in range(_TRAIN_SEEDS)))
    return np.stack(Ws), np.stack(As)


def _train(X, Y, W, a, steps: int):
    """`steps` full-batch GD steps (lr 1) on |f(X) - Y|^2/(2n) for inits stacked on the leading axis of W and a."""
    n, sq = X.shape[0], math.sqrt(W.shape[-2])
    for _ in range(steps):
        P, D = _softplus_sigmoid(X @ np.swapaxes(W, -1, -2))  # (k, n, m)
        r = ((P @ a[:, :, None])[:, :, 0] / sq - Y) / n  # (k, n)
        a, W = (a - (np.swapaxes(P, -1, -2) @ r[:, :, None])[:, :, 0] / sq,
                W - np.swapaxes((D * a[:, None, :]) * r[:, :, None], -1, -2) @ X / sq)
    return W, a


_STEPS = (50, 100)  # the training lengths searched
# (m, n, data) -> (t, W, a): the latest training state of the 8 inits, so that a run of T = 100 steps continues one
# of T = 50; (m, n, data, T) -> the change a longer run measured on its way through T = 50. Either way the steps
# are the same ones, done once. Both bounded like _relative_change's cache.
_RESUME: dict = {}
_PASSED: dict = {}
_CHUNK = 16384  # entries of Z per batch of inits: large batches leave the L2 cache and run 1.4x slower per entry


def _remember(store: dict, key, value) -> None:
    store.pop(key, None)
    store[key] = value
    while len(store) > 32:
        del store[next(iter(store))]


@functools.lru_cache(maxsize=32)
def _relative_change(m: int, n: int, data: int, steps: int) -> float:
    """Mean over 8 inits of ||K_T - K_0||_F/||K_0||_F after `steps` full-batch GD steps (lr 1, NTK scaling)
    on the squared loss; the inits train side by side in batches of ~_CHUNK entries of Z."""
    if (m, n, data, steps) in _PASSED:
        return _PASSED[(m, n, data, steps)]
    X, Y = _data(n, data)
    W0, a0 = _train_inits(m, data)
    t, W, a = _RESUME.get((m, n, data), (0, W0, a0))
    if t > steps:
        t, W, a = 0, W0, a0
    k = max(1, _CHUNK // (n * m))
    K0 = _kernel(X, W0, a0)
    nK0 = np.linalg.norm(K0, axis=(-2, -1))
    for stop in sorted({s for s in _STEPS if t < s < steps} | {steps}):  # measure on the way through _STEPS
        parts = [_train(X, Y, W[i:i + k], a[i:i + k], stop - t) for i in range(0, W.shape[0], k)]
        W, a, t = np.concatenate([w for w, _ in parts]), np.concatenate([b for _, b in parts]), stop
        change = float(np.mean(np.linalg.norm(_kernel(X, W, a) - K0, axis=(-2, -1)) / nK0))
        _remember(_PASSED, (m, n, data, stop), change)
    _remember(_RESUME, (m, n, data), (steps, W, a))
    return change


@functools.lru_cache(maxsize=8)
def _init_kernels(m: int, points: int, data: int):
    """The NTKs (512, points, points) of the first `points` data points at 512 independent inits."""
    X, _ = _data(points, data)
    return np.array([_kernel(X, *_init(m, 10**6 + 1000 * data + s)) for s in range(_INIT_SEEDS)])


@functools.lru_cache(maxsize=32)
def _init_variance(m: int, n: int, data: int) -> float:
    """Total variance of the NTK at initialization over 512 independent inits (unbiased). K(x_i, x_j) depends on
    x_i and x_j alone and the inits do not depend on n, so the kernels on n <= 8 points are the top-left blocks of
    those on 8: n = 4 and n = 8 share one set of 512 kernels."""
    Ks = _init_kernels(m, max(n, _POINTS), data)[:, :n, :n]
    return float(np.sum((Ks - Ks.mean(axis=0)) ** 2) / (_INIT_SEEDS - 1))


def _slope(lo: float, hi: float) -> float:
    return math.log(hi / lo) / math.log(WIDTHS[1] / WIDTHS[0])


def _init_exponent(params, ctx) -> float:
    n, data = int(params["n"]), int(params["data"])
    return 0.5 * _slope(_init_variance(WIDTHS[0], n, data), _init_variance(WIDTHS[1], n, data))


def _train_exponent(params, ctx) -> float:
    n, data, steps = int(params["n"]), int(params["data"]), int(params["steps"])
    return _slope(_relative_change(WIDTHS[0], n, data, steps), _relative_change(WIDTHS[1], n, data, steps))


EX = ({"n": 8, "data": 0, "steps": 100},)

KERNEL_CHANGE = Claim(
    id="ntk.kernel_change",
    title="The NTK of a wide two-layer net fluctuates at init like width^(-1/2) and moves during training like "
          "width^(-1): the 1/sqrt(width) of the seed is the bound, not the rate",
    statement=STATEMENT,
    kind=Kind.RATE,
    sources=(JACOT, LEE_WIDE, DYER_GUR_ARI),
    derive=_derive,
    strategy=lambda: st.fixed_dictionaries({"n": st.sampled_from([4, 8]), "data": st.integers(0, 2),
                                            "steps": st.sampled_from(_STEPS)}),
    checks=(
        NumericCheck("init_fluctuation", "half the log-log slope of the NTK's variance over 512 inits, widths 32 "
                     "and 2048", _init_exponent, measures=e_init, rtol=0.06, examples=EX),
        NumericCheck("training_change", "log-log slope of ||K_T - K_0||/||K_0|| (mean of 8 inits), widths 32 and "
                     "2048", _train_exponent, measures=e_train, rtol=0.1, examples=EX),
    ),
    mutants=(SEED_RATE,),
    equivalent=dict.fromkeys(
        ("e_train = -2/3", "e_train = -3/2"),
        "the training slope is resolved only to +-0.1 (rtol 0.1: finite-width corrections move the measured slope "
        "by up to 0.1 with the data set, a bias that more inits do not remove), so slopes -2/3 and -3/2 lie 3 to 4 "
        "tolerances from the measured -1, below the kill margin of 5: the check cannot tell them apart; the "
        "seed's -1/2 (the refuted mutant) and -2 are refuted"),
    doc="""\
Setting: f(x) = a . softplus(W x)/sqrt(m) (NTK scaling, W and a i.i.d. N(0, 1)), inputs in R^3, n in
{4, 8} points with targets sin(2 x_1), full-batch GD with step 1 on the squared loss for T in {50, 100}
steps; K_t = the empirical NTK (the Gram matrix of the parameter gradients) [1].

Claim (*rate*): the relative change ||K_T - K_0||/||K_0|| shrinks like m^(-1) (log-log slope -1 [3]),
and the kernel's fluctuation over random inits like m^(-1/2). The seed's "the kernel's relative change
over training shrinks like 1/sqrt(width)" is the upper bound O(m^(-1/2)) proved in [2]: it holds, but
the change is smaller -- the seed's rate as an equality is the refuted mutant.

Derivation: K_0 is an average over m i.i.d. neurons (variance V/m); the first-order change of K is
1/m times a sum of m terms odd in the output weights (symmetric at init), so it averages out.

Checks: widths 32 and 2048 (a factor 64): half the slope of the NTK's total variance over 512 inits
(rtol 0.06) and the slope of the mean relative change over 8 trained inits (rtol 0.1; measured
slopes lie within 0.1 of -1, varying with the data set). Mutant: slope -1/2 for the change (the seed's rate).
""",
)

CLAIMS = (KERNEL_CHANGE,)
