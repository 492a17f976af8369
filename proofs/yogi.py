"""Yogi: an additive second-moment update whose per-step change is bounded by (1 - beta2) g^2."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import KINGMA_BA
from ._util import rounded, S

__all__ = ["CLAIMS"]

ZAHEER = Source(
    key="Zaheer et al. 2018",
    authors="M. Zaheer, S. J. Reddi, D. Sachan, S. Kale, S. Kumar",
    title="Adaptive methods for nonconvex optimization",
    year=2018,
    venue="NeurIPS 2018 (proceedings.neurips.cc, paper 8186)",
)

b, G, s, v, R = S("b"), S("G"), S("s"), S("v"), S("R")
dv = S("dv")
YG_ASSUME = (sympy.Gt(b, 0), sympy.Lt(b, 1), sympy.Ge(G, 0), sympy.Ge(s, 0), sympy.Ge(v, 0), sympy.Ge(R, 0))
# measured: one step's |v_t - v_(t-1)| from v = R g^2 for Yogi and Adam; on streams, the largest
# |v_t - v_(t-1)|/((1 - b2) g_t^2) and the smallest v_t/(b2^t v_0)
dv_yogi, dv_adam, max_change, min_decay = S("dv_yogi"), S("dv_adam"), S("max_change"), S("min_decay")
# |v_t - v_(t-1)| <= (1 - b2) g_t^2 (G = g_t^2), attained when v != g^2; Adam's change is unbounded in R
YG_STATEMENT = sympy.And(sympy.Le(sympy.Abs(dv), (1 - b) * G), sympy.Eq(dv_yogi, (1 - b) * G),
                         sympy.Le(max_change, 1), sympy.Ge(min_decay, 1),
                         sympy.Eq(dv_adam, (1 - b) * G * sympy.Abs(1 - R)))
_BIND = {b: "beta2", G: lambda p: p["g"] ** 2}


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(YG_ASSUME), name="yogi.bounded_change")
    # Yogi: v_t = v - (1 - b) sign(v - G) G; the three values of the sign:
    d.start(sympy.Abs(-(1 - b) * G)).eq((1 - b) * G, by="v > G: sign = 1, |v_t - v| = (1 - b) G")
    d.start(sympy.Abs((1 - b) * G)).eq((1 - b) * G, by="v < G: sign = -1")
    d.claim(sympy.Abs((1 - b) * G * 0), "<=", (1 - b) * G, by="v = G: sign = 0, no change")
    # positivity, case v > G (write v = G + s, s > 0): v_t = v - (1 - b) G >= b v
    d.start(G + s - (1 - b) * G).ge(b * (G + s), by="(1 - b) s >= 0")
    # case v <= G (write G = v + s): v_t = v + (1 - b) G >= v >= b v
    d.start(v + (1 - b) * (v + s)).ge(v, by="(1 - b)(v + s) >= 0").ge(b * v, by="b < 1")
    # so v_t >= b v_(t-1) >= b^t v_0 > 0. Adam: v_t - v = (1 - b)(G - v); with v = R G:
    d.start(sympy.Abs((1 - b) * (G - R * G))).eq((1 - b) * G * sympy.Abs(1 - R), by="Adam's change at v = R g^2")
    return d.check()


def _one_step_ratio(rule: str, params, ctx) -> float:
    """|v_t - v_(t-1)| for one step from v_(t-1) = R g^2."""
    from theorykit.numeric.adaptive import adam_init, adam_step, yogi_init, yogi_step

    xp = ctx.xp
    gval, beta2 = params["g"], params["beta2"]
    v0 = params["R"] * gval * gval
    x = xp.zeros((1,), dtype=xp.float64)
    gv = xp.asarray([gval])
    if rule == "yogi":
        st0 = yogi_init(x, v0=v0)
        _, st1 = yogi_step(st0, gv, lr=1.0, beta2=beta2)
    else:
        st0 = adam_init(x, v0=v0)
        _, st1 = adam_step(st0, gv, lr=1.0, beta2=beta2)
    return abs(float(st1.v[0]) - float(st0.v[0]))


def _yogi_step(params, ctx):
    return _one_step_ratio("yogi", params, ctx)


def _adam_step(params, ctx):
    return _one_step_ratio("adam", params, ctx)


def _stream(params, ctx):
    """Heavy-tailed gradient stream with sudden scale changes; (v_0, v_1..v_T, g_1..g_T) for Yogi."""
    from theorykit.numeric.adaptive import yogi_init, yogi_step
    from theorykit.numeric.backend import to_numpy

    xp = ctx.xp
    T, d = params["T"], params["dim"]
    scales = 10.0 ** ctx.rng.uniform(-3, 3, size=(T, 1))  # regime switches over 6 decades
    grads = ctx.rng.standard_t(2.0, size=(T, d)) * scales
    state = yogi_init(xp.zeros((d,), dtype=xp.float64), v0=params["v0"])
    vs = [to_numpy(state.v)]
    for k in range(T):
        _, state = yogi_step(state, xp.asarray(grads[k]), lr=1.0, beta2=params["beta2"])
        vs.append(to_numpy(state.v))
    return np.asarray(vs), grads


def _stream_change(params, ctx) -> float:
    vs, grads = _stream(params, ctx)
    bound = (1 - params["beta2"]) * grads**2
    # v_t - v_(t-1) is a difference of floats of size v, wrong by up to ~2 eps v; keep steps where
    # that is < 1e-6 x bound, so round-off moves the ratio by < ~2.2e-10 (below rtol)
    ok = bound > 1e-6 * np.maximum(vs[1:], vs[:-1])
    return float(np.max(np.abs(np.diff(vs, axis=0))[ok] / bound[ok])) if ok.any() else 0.0


def _stream_positivity(params, ctx) -> float:
    """min_t v_t / (beta2^t v_0): >= 1 by the derivation (v_t >= beta2 v_(t-1))."""
    vs, _ = _stream(params, ctx)
    powers = params["beta2"] ** np.arange(vs.shape[0])[:, None]
    return float(np.min(vs / (powers * params["v0"])))


def _one_params():
    # The measured change v_t - v_(t-1) is a difference of floats of size R g^2, wrong by up to
    # 2 eps R g^2, i.e. by 2 eps R / (1 - b2) relative to (1 - b2) g^2: R <= 1e3 and 1 - b2 >= 1e-3
    # keep that below 4.4e-10, under the checks' rtol 1e-9.
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({"beta2": rnd(0.9, 0.999), "g": rnd(0.01, 100.0),
                                  "R": st.one_of(rnd(0.0, 0.99), rnd(1.01, 1e3))})


def _stream_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({"beta2": rnd(0.9, 0.9999), "T": st.integers(1, 200), "dim": st.integers(1, 4),
                                  "v0": rounded(-6.0, 4.0, 2).map(lambda e: 10.0**e)})


YOGI_BOUNDED = Claim(
    id="yogi.bounded_change",
    title="Yogi's second moment changes by at most (1 - beta2) g^2 per step and stays positive",
    statement=YG_STATEMENT,
    kind=Kind.UPPER_BOUND,
    sources=(ZAHEER, KINGMA_BA),
    derive=_derive,
    assumptions=YG_ASSUME,
    strategy=_one_params,
    checks=(
        NumericCheck(name="yogi_one_step", description="|dv| for one Yogi step from v = R g^2 (R != 1)",
                     measure=_yogi_step, measures=dv_yogi, bind=_BIND, rtol=1e-9,
                     examples=({"beta2": 0.999, "g": 1.0, "R": 1000.0},)),
        NumericCheck(name="yogi_stream_change", description="max_t |v_t - v_(t-1)| / ((1 - b2) g_t^2) on a heavy-tailed stream",
                     measure=_stream_change, measures=max_change, rtol=1e-9,
                     strategy=_stream_params, examples=({"beta2": 0.999, "T": 100, "dim": 3, "v0": 1.0},)),
        NumericCheck(name="yogi_positivity", description="min_t v_t / (beta2^t v_0) on the same stream",
                     measure=_stream_positivity, measures=min_decay, rtol=1e-12,
                     strategy=_stream_params, examples=({"beta2": 0.999, "T": 100, "dim": 3, "v0": 1.0},)),
        NumericCheck(name="adam_one_step", description="Adam's |dv| from v = R g^2: (1 - b2) g^2 |1 - R|, unbounded",
                     measure=_adam_step, measures=dv_adam, bind=_BIND, rtol=1e-9,
                     examples=({"beta2": 0.999, "g": 1.0, "R": 1000.0},)),
    ),
    # Adam obeys Yogi's bound; Yogi changes like Adam; half the bound
    mutants=(sympy.Le(dv_adam, (1 - b) * G), sympy.Eq(dv_yogi, (1 - b) * G * sympy.Abs(1 - R)),
             sympy.Le(max_change, sympy.Rational(1, 2))),
    doc="""\
Setting: gradients g_t (any sequence), Yogi's second-moment estimate with v_0 > 0:
v_t = v_(t-1) - (1 - beta2) sign(v_(t-1) - g_t^2) g_t^2 (the rest as in Adam); Adam instead uses
v_t = v_(t-1) - (1 - beta2)(v_(t-1) - g_t^2).

Claim (*upper*, attained whenever v_(t-1) != g_t^2): |v_t - v_(t-1)| <= (1 - beta2) g_t^2 and
v_t >= beta2 v_(t-1) > 0 [1, Sec. 3]. Adam's change is (1 - beta2)|g_t^2 - v_(t-1)| = (1 - beta2) g^2 |1 - R|
for v_(t-1) = R g^2, unbounded in R: when v >> g^2 Adam's v collapses multiplicatively and its effective
learning rate jumps, while Yogi's v decreases additively [1].
(When g^2 >> v both increase v by about (1 - beta2) g^2; the contrast is in the other regime.)

Derivation: |sign| <= 1; the two cases v > g^2 (v_t = v - (1-b)g^2 >= b v) and v <= g^2 (v_t >= v);
Adam's change at v = R g^2.

Checks: one Yogi step from v = R g^2 changes v by exactly (1 - b2) g^2 (tight); on heavy-tailed streams
(Student t, 2 dof, scale switching over 6 decades) the max normalized change is <= 1 and
min v_t/(beta2^t v_0) >= 1; Adam's one-step change is |1 - R| (tight), which refutes "Adam obeys the bound".
""",
)

CLAIMS = (YOGI_BOUNDED,)
