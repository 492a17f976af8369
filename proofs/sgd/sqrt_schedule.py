"""sgd.sqrt_schedule: SGD with eta_t = c/sqrt(t) on a convex Lipschitz function (a seed claim, issue 14)."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck

from .._sources import SHAMIR_ZHANG, ZINKEVICH
from .._util import S

__all__ = ["SGD_SQRT_SCHEDULE"]

# ------------------------------------------------------------ sgd.sqrt_schedule
p_rate = S("p")
c_lr, G_, R_, Tq = (S(v, positive=True) for v in ("c", "G", "R", "T"))
SQRT_STATEMENT = sympy.Eq(p_rate, -sympy.Rational(1, 2))
_SQ_T, _SQ_RUNS = 2048, 400


def _derive_sqrt_schedule():
    from .._util import derivation

    d = derivation((c_lr > 0, G_ > 0, R_ > 0, Tq >= 1), "sgd.sqrt_schedule")
    # Zinkevich's bound with eta_t = c/sqrt(t) and |x_t - x*| <= R, E|g|^2 <= G^2:
    # sum_t (f(x_t) - f*) <= R^2/(2 eta_T) + (G^2/2) sum_t eta_t <= R^2 sqrt(T)/(2c) + c G^2 sqrt(T)
    # (sum_(t <= T) 1/sqrt(t) <= 2 sqrt(T)); divided by T it is O(T^(-1/2)), and Jensen moves it to x_bar
    bound = (R_**2 / (2 * c_lr) + c_lr * G_**2) * Tq ** sympy.Rational(-1, 2)
    d.start((R_**2 * sympy.sqrt(Tq) / (2 * c_lr) + G_**2 / 2 * 2 * c_lr * sympy.sqrt(Tq)) / Tq).eq(
        bound, by="the regret bound divided by T")
    d.start(Tq * sympy.diff(sympy.log(bound), Tq)).eq(SQRT_STATEMENT.rhs, by="its log-log slope in T")
    return d.check()


_SQ_BLOCK = 256  # steps whose noise is drawn in one call (the same stream as a draw per step)


def _sq_windows(params, ctx) -> float:
    """log-log slope of the average of f(x_t) - f* over t in (T/2, T] between T = 128 and 2048 (400 runs):
    projected SGD on f(x) = G |x| over [-1, 1] from x0 = 1, stochastic subgradients G sign(x) + sigma xi.
    The loop only steps, into rows x_t; each window's sum is taken after it, adding the rows in step order."""
    Gv = float(params["G"])
    c_ = float(params["cG"]) / Gv
    sig = float(params["noise"]) * Gv
    rng = np.random.default_rng(ctx.rng.integers(2**63))
    const = params.get("schedule", "sqrt") != "sqrt"
    xs = np.empty((_SQ_T, _SQ_RUNS))  # row t - 1: x_t, the iterate that step t = 1..T starts from
    x, g = np.ones(_SQ_RUNS), np.empty(_SQ_RUNS)
    for start in range(0, _SQ_T, _SQ_BLOCK):
        noise = sig * rng.standard_normal((min(_SQ_BLOCK, _SQ_T - start), _SQ_RUNS))
        for i, t in enumerate(range(start + 1, start + noise.shape[0] + 1)):
            xs[t - 1] = x
            step = c_ / math.sqrt(_SQ_T / 4) if const else c_ / math.sqrt(t)
            np.multiply(np.sign(x, out=g), Gv, out=g)
            np.multiply(np.add(g, noise[i], out=g), step, out=g)
            np.minimum(np.maximum(np.subtract(x, g, out=x), -1.0, out=x), 1.0, out=x)  # np.clip, without its wrapper
    out = []
    for lo, hi in ((_SQ_T // 32, _SQ_T // 16), (_SQ_T // 2, _SQ_T)):  # t in (lo, hi]: rows lo .. hi - 1
        acc = np.add.reduce(np.concatenate([np.zeros((1, _SQ_RUNS)), Gv * np.abs(xs[lo:hi])]), axis=0)
        out.append(acc.mean() / (hi - lo))
    return math.log(out[1] / out[0]) / math.log(16)


def _sq_params(schedule="sqrt"):
    return st.fixed_dictionaries({"G": st.sampled_from([0.5, 1.0, 2.0]), "cG": st.sampled_from([0.3, 0.5, 1.0]),
                                  "noise": st.sampled_from([0.5, 1.0, 2.0]), "schedule": st.just(schedule)})


SGD_SQRT_SCHEDULE = Claim(
    id="sgd.sqrt_schedule",
    title="SGD with eta_t = c/sqrt(t) on a convex Lipschitz f: the averaged suboptimality decays like T^(-1/2)",
    statement=SQRT_STATEMENT,
    kind=Kind.RATE,
    sources=(ZINKEVICH, SHAMIR_ZHANG),
    derive=_derive_sqrt_schedule,
    strategy=_sq_params,
    checks=(NumericCheck("rate_exponent", "log-log slope of the window-averaged f(x_t) - f* between T = 128 "
                         "and 2048 (f = G|x|, projected SGD, 400 runs)", _sq_windows, measures=p_rate, rtol=0.05,
                         examples=({"G": 1.0, "cG": 0.3, "noise": 1.0, "schedule": "sqrt"},)),),
    mutants=(Mutant("constant_step", "a constant step eta = 2c/sqrt(T) keeps the T^(-1/2) decay", "rate_exponent",
                    strategy=lambda: _sq_params("constant")),),
    doc="""\
Setting: f convex and G-Lipschitz, minimized by projected SGD x_(t+1) = P(x_t - eta_t g_t), E g_t in
the subdifferential, E|g_t|^2 <= G^2, on a set of radius R, with eta_t = c/sqrt(t).

Claim (*rate*): (1/T) sum_t E f(x_t) - f* <= (R^2/(2c) + c G^2)/sqrt(T) = O(T^(-1/2)) [1] (and so is
f(x_bar_T) - f* by Jensen [2]); on a nonsmooth instance with gradient noise the decay is exactly
T^(-1/2): the iterates fluctuate at the scale of the step, c/sqrt(t).

Derivation: the regret bound divided by T; its log-log slope in T is -1/2.

Check: f(x) = G|x| on [-1, 1] from x0 = 1, subgradients G sign(x) + sigma xi (xi Gaussian,
sigma/G in {0.5, 1, 2}, cG in {0.3, 0.5, 1}): the average of f(x_t) over t in (T/2, T] at T = 128
and T = 2048 (400 runs) gives the log-log slope, which is -1/2 within 5% (the pre-asymptotic drift is
largest, ~3%, at the smallest step and largest noise; larger steps hit the projection). Mutant: a
constant step (2c/sqrt(2048)) plateaus (slope near 0) instead of decaying.
""",
)
