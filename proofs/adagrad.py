"""AdaGrad: the effective step for a constant gradient."""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import DUCHI, KINGMA_BA, TIELEMAN_HINTON
from ._util import rounded, S

__all__ = ["CLAIMS"]

MCMAHAN_STREETER = Source(
    key="McMahan & Streeter 2010",
    authors="H. B. McMahan, M. Streeter",
    title="Adaptive bound optimization for online convex optimization",
    year=2010,
    venue="COLT 2010",
    arxiv="1002.4908",
)

eta, g, t = S("eta"), S("g"), S("t")
eff, gnorm = S("eff"), S("gnorm")  # gnorm = ||g||_2 (for the not-per-coordinate mutant)
CG_ASSUME = (sympy.Gt(eta, 0), sympy.Gt(g, 0), sympy.Ge(t, 1))
EFFECTIVE = eta / (g * sympy.sqrt(t))  # g stands for |g_i| (the rule depends on g^2 only)
CG_STATEMENT = sympy.Eq(eff, EFFECTIVE)


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(CG_ASSUME), name="adagrad.constant_gradient")
    # G_t = G_{t-1} + g^2 with G_0 = 0; induction hypothesis G_{t-1} = (t - 1) g^2
    d.start((t - 1) * g**2 + g**2).eq(t * g**2, by="G_t = t g^2")
    # the step is -eta g / sqrt(G_t): effective step size per unit gradient
    d.start(eta / sympy.sqrt(t * g**2)).eq(EFFECTIVE, by="sqrt(t g^2) = |g| sqrt(t)")
    # summed steps: the displacement grows like sqrt(t) (sum of 1/sqrt(s) <= 2 sqrt(t))
    d.start(EFFECTIVE * g).le(eta, by="t >= 1: the per-step move never exceeds eta")
    return d.check()


def _effective_steps(params, ctx):
    """Per-coordinate |x_t - x_{t-1}| / |g_i| after t AdaGrad steps with the constant gradient g."""
    from theorykit.numeric.adaptive import run_rule
    from theorykit.numeric.backend import to_numpy

    xp = ctx.xp
    gv = xp.asarray(params["g"], dtype=xp.float64)
    # start at 0: |x_t| <= 2 eta sqrt(t), so the measured difference x_t - x_(t-1) carries round-off
    # <= ~2 eps t relative to the step (<= 1.3e-13 for t <= 300), below rtol 1e-12
    x0 = xp.zeros(gv.shape, dtype=xp.float64)
    tr = run_rule("adagrad", lambda z, k: gv, x0, params["t"], lr=params["eta"], eps=0.0)
    step = to_numpy(tr.x[-1] - tr.x[-2])
    return abs(step) / abs(to_numpy(gv))


def _largest(params, ctx) -> float:
    gabs = [abs(v) for v in params["g"]]
    return float(_effective_steps(params, ctx)[gabs.index(max(gabs))])


def _smallest(params, ctx) -> float:
    gabs = [abs(v) for v in params["g"]]
    return float(_effective_steps(params, ctx)[gabs.index(min(gabs))])


def _gmax(p):
    return max(abs(v) for v in p["g"])


def _gmin(p):
    return min(abs(v) for v in p["g"])


def _gnorm(p):
    return sum(v * v for v in p["g"]) ** 0.5


def _params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    coord = st.tuples(rnd(0.01, 100.0), st.sampled_from([-1.0, 1.0])).map(lambda p: p[0] * p[1])
    return st.fixed_dictionaries({"eta": rnd(0.001, 1.0), "g": st.lists(coord, min_size=1, max_size=5).map(tuple),
                                  "t": st.integers(1, 300)})


_EX = {"eta": 0.1, "g": (0.5, -3.0, 20.0), "t": 16}
# t <= 300 additions of g^2 and one sqrt: relative round-off <= ~300 eps
_RTOL = 1e-12

ADAGRAD_CONSTANT = Claim(
    id="adagrad.constant_gradient",
    title="AdaGrad with a constant gradient g: effective step eta/(|g_i| sqrt(t)) per coordinate",
    statement=CG_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(DUCHI, MCMAHAN_STREETER),
    derive=_derive,
    assumptions=CG_ASSUME,
    strategy=_params,
    checks=(
        NumericCheck(name="largest_coordinate", description="|x_t - x_{t-1}|_i / |g_i| at the coordinate of largest |g_i|",
                     measure=_largest, measures=eff, bind={g: _gmax, gnorm: _gnorm}, rtol=_RTOL,
                     examples=(_EX,)),
        NumericCheck(name="smallest_coordinate", description="the same at the coordinate of smallest |g_i|",
                     measure=_smallest, measures=eff, bind={g: _gmin, gnorm: _gnorm}, rtol=_RTOL,
                     examples=(_EX,)),
    ),
    mutants=(
        sympy.Eq(eff, eta / (g * t)),  # a 1/t schedule
        sympy.Eq(eff, eta / (gnorm * sympy.sqrt(t))),  # one step for all coordinates: not per coordinate
        sympy.Eq(eff, eta / sympy.sqrt(t)),  # no gradient scaling
    ),
    doc="""\
Setting: a constant gradient g in R^d (e.g. a linear loss f(x) = g.x), AdaGrad with eps = 0:
G_t = G_(t-1) + g^2 (coordinatewise), x_t = x_(t-1) - eta g / sqrt(G_t).

Claim (*tight*, an identity): G_t = t g^2, so coordinate i moves by eta sign(g_i)/sqrt(t): the
effective step size per unit gradient is eta/(|g_i| sqrt(t)) [1], [2]; every coordinate moves the
same distance whatever its gradient scale, and the steps decay like 1/sqrt(t), not 1/t.

Derivation: induction G_t = (t-1) g^2 + g^2 = t g^2; sqrt(t g^2) = |g| sqrt(t).

Checks: run AdaGrad t steps on a constant gradient; the measured |x_t - x_(t-1)|_i / |g_i| at the
coordinates of largest and smallest |g_i| equals eta/(|g_i| sqrt t) (rtol 1e-12). Mutants: 1/t decay,
one (norm-based) step for all coordinates, no 1/|g| scaling.
""",
)

# ============================================================== adagrad.nonstationary
G_big, t0, kk, bb = S("G"), S("t0"), S("k"), S("beta")
ada_eff, rms_eff = S("ada_eff"), S("rms_eff")
NS_STATEMENT = sympy.And(sympy.Eq(ada_eff, eta / sympy.sqrt(t0 * G_big**2 + kk * g**2)), sympy.Eq(rms_eff, eta / g))


def _derive_nonstationary():
    from ._util import derivation

    v, acc = S("v"), S("acc")
    d = derivation((bb > 0, bb < 1, g > 0, G_big > 0), "adagrad.nonstationary")
    # AdaGrad's accumulator only grows: after t0 steps of |g| = G and k of |g| = g it is t0 G^2 + k g^2
    d.start(t0 * G_big**2 + kk * g**2 + g**2).eq(t0 * G_big**2 + (kk + 1) * g**2, by="one more step adds g^2")
    # RMSProp's average forgets geometrically: v+ - g^2 = beta (v - g^2), so v -> g^2 and the step -> eta
    d.start(bb * v + (1 - bb) * g**2 - g**2).eq(bb * (v - g**2), by="v+ = beta v + (1 - beta) g^2")
    return d.check()


def _switch_runs(params):
    """AdaGrad and RMSProp fed t0 gradients of size G, then k of size g (one coordinate, sign +)."""
    import numpy as np

    from theorykit.numeric.adaptive import adagrad_init, adagrad_step, rmsprop_init, rmsprop_step

    x = np.zeros(1)
    ada, rms = adagrad_init(x), rmsprop_init(x)
    seq = [params["G"]] * params["t0"] + [params["g"]] * params["k"]
    for gv in seq:
        ga = np.array([gv])
        d_ada, ada = adagrad_step(ada, ga, lr=params["eta"])
        d_rms, rms = rmsprop_step(rms, ga, lr=params["eta"], beta=params["beta"])
    return abs(float(d_ada[0])) / params["g"], abs(float(d_rms[0])) / params["g"]


def _ns_params():
    import math

    @st.composite
    def make(draw):
        b_, G_, g_ = draw(rounded(0.5, 0.99, 3)), draw(rounded(10.0, 1000.0, 1)), draw(rounded(0.1, 1.0, 3))
        # k steps after the switch: enough for RMSProp to forget G (beta^k G^2 <= 1e-13 g^2)
        k_ = int(math.ceil(math.log(1e-13 * g_**2 / G_**2) / math.log(b_))) + 1
        return {"eta": draw(rounded(0.001, 1.0)), "beta": b_, "G": G_, "g": g_, "t0": draw(st.integers(10, 500)), "k": k_}

    return make()


ADAGRAD_NONSTATIONARY = Claim(
    id="adagrad.nonstationary",
    title="After the gradient scale drops, AdaGrad's step stays eta/sqrt(t0 G^2 + k g^2) while RMSProp's recovers to eta/g",
    statement=NS_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(DUCHI, TIELEMAN_HINTON, KINGMA_BA),
    derive=_derive_nonstationary,
    assumptions=(eta > 0, g > 0, G_big > 0, bb > 0, bb < 1),
    strategy=_ns_params,
    checks=(
        NumericCheck("adagrad_step", "AdaGrad's last step per unit gradient after t0 large and k small gradients",
                     lambda p, ctx: _switch_runs(p)[0], measures=ada_eff, rtol=1e-9,
                     examples=({"eta": 0.1, "beta": 0.9, "G": 100.0, "g": 1.0, "t0": 100, "k": 373},)),
        NumericCheck("rmsprop_step", "RMSProp's last step per unit gradient, same stream",
                     lambda p, ctx: _switch_runs(p)[1], measures=rms_eff, rtol=1e-6,
                     examples=({"eta": 0.1, "beta": 0.9, "G": 100.0, "g": 1.0, "t0": 100, "k": 373},)),
    ),
    mutants=(sympy.Eq(ada_eff, eta / g), sympy.Eq(rms_eff, eta / sympy.sqrt(t0 * G_big**2 + kk * g**2))),
    doc="""Setting: one coordinate whose gradient is G for t0 steps and then g << G for k steps (a nonstationary
stream: the loss surface flattened); AdaGrad x+ = x - eta g/sqrt(sum g^2) and RMSProp
x+ = x - eta g/sqrt(v), v+ = beta v + (1 - beta) g^2.

Claim (*tight*, an identity): AdaGrad's step per unit gradient is eta/sqrt(t0 G^2 + k g^2): its accumulator
keeps the old large gradients, so its rate decays too fast (like 1/sqrt(t)) [1]; RMSProp's average
forgets them geometrically and its step returns to eta/g [2]; cf. the comparison in [3, Sec. 5].

Derivation: the accumulator adds g^2 per step; v+ - g^2 = beta (v - g^2).

Checks: both methods run (theorykit.numeric.adaptive) with beta in [0.5, 0.99], G in [10, 1000],
g in [0.1, 1], t0 in [10, 500] and k steps after the switch, enough for beta^k G^2 <= 1e-13 g^2;
AdaGrad's last step per unit gradient vs eta/sqrt(t0 G^2 + k g^2) (rtol 1e-9), RMSProp's vs eta/g
(rtol 1e-6). Mutants: AdaGrad recovers like RMSProp; RMSProp remembers like AdaGrad.
""",
)

CLAIMS = (ADAGRAD_CONSTANT, ADAGRAD_NONSTATIONARY)
