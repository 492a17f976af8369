"""RMSProp's exponentially weighted moving average of squared gradients."""
from __future__ import annotations

import math

import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._sources import KINGMA_BA
from ._sources import TIELEMAN_HINTON
from ._util import rounded, S

__all__ = ["CLAIMS"]

b, q, t, g, W = S("b"), S("q"), S("t"), S("g"), S("W")
v_inf = S("v_inf")  # v_T after T steps of a constant gradient g, beta^T < 1e-17
EW_ASSUME = (sympy.Gt(b, 0), sympy.Lt(b, 1), sympy.Gt(q, 0), sympy.Le(q, 1), sympy.Ge(t, 1))
WEIGHT_SUM = 1 - b**t
EW_STATEMENT = sympy.And(sympy.Eq(W, WEIGHT_SUM), sympy.Eq(v_inf, g**2))  # W = sum_{s=1}^t (1 - b) b^(t-s)


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(EW_ASSUME), name="rmsprop.ewma_weights")
    # v_t = b v_(t-1) + (1 - b) g_t^2, v_0 = 0, so v_t = sum_s (1 - b) b^(t-s) g_s^2.
    # The weights' sum W_t obeys W_t = b W_(t-1) + (1 - b); with W_(t-1) = 1 - q, q = b^(t-1):
    d.start(b * (1 - q) + (1 - b)).eq(1 - b * q, by="W_t = 1 - b^t")
    d.start(b * 0 + (1 - b)).eq(1 - b**1, by="base case W_1 = 1 - b")
    # W_t < 1 for every finite t: the missing mass b^t sits on v_0 = 0 (the bias Adam corrects)
    d.start(1 - b * q).lt(1, by="b q > 0")
    # steady state for a constant gradient: v = g^2 is the fixed point of the recursion
    d.start(b * g**2 + (1 - b) * g**2).eq(g**2, by="fixed point v = g^2")
    return d.check()


def _weight_sum(params, ctx) -> float:
    """Sum over s of the weight of g_s in v_t, measured by impulse responses: coordinate s of a
    batch run sees the gradient 1 at step s and 0 otherwise, so its v_t is the weight of step s."""
    from theorykit.numeric.adaptive import run_rule

    xp = ctx.xp
    tt = params["t"]
    eye = xp.eye(tt, dtype=xp.float64)

    def impulses(z, k):
        return eye[k - 1, :]

    tr = run_rule("rmsprop", impulses, xp.zeros((tt,), dtype=xp.float64), tt, lr=0.0, beta=params["beta"])
    return float(xp.sum(tr.state.v))


def _steady(params, ctx) -> float:
    """v_T for a constant gradient g after T steps with beta^T < 1e-17 (stationary in float64)."""
    from theorykit.numeric.adaptive import run_rule

    xp = ctx.xp
    T = math.ceil(math.log(1e-17) / math.log(params["beta"]))
    gv = xp.asarray([params["g"]])
    tr = run_rule("rmsprop", lambda z, k: gv, xp.zeros((1,), dtype=xp.float64), T, lr=0.0, beta=params["beta"])
    return float(tr.state.v[0])


def _params():
    return st.fixed_dictionaries({"beta": rounded(0.5, 0.999, 4), "t": st.integers(1, 60)})


def _steady_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({"beta": rnd(0.5, 0.99), "g": rnd(0.01, 100.0)})


RMSPROP_EWMA = Claim(
    id="rmsprop.ewma_weights",
    title="RMSProp's EWMA weights sum to 1 - beta^t; for a constant gradient v -> g^2",
    statement=EW_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(TIELEMAN_HINTON, KINGMA_BA),
    derive=_derive,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=EW_ASSUME,
    strategy=_params,
    checks=(
        NumericCheck(name="weight_sum", description="sum of the weights of g_1..g_t in v_t, from t impulse-response runs",
                     measure=_weight_sum, measures=W, bind={b: "beta"}, rtol=1e-12,
                     examples=({"beta": 0.9, "t": 10},)),
        NumericCheck(name="steady_state", bind={b: "beta"},
                     description="v_T after T steps of a constant gradient g (beta^T < 1e-17)",
                     measure=_steady, measures=v_inf, rtol=1e-12, strategy=_steady_params,
                     examples=({"beta": 0.9, "g": 3.0},)),
    ),
    # a proper average from the first step; off by one step; an RMS |g| instead of the mean square
    mutants=(sympy.Eq(W, 1), sympy.Eq(W, 1 - b ** (t + 1)), sympy.Eq(v_inf, sympy.Abs(g))),
    doc="""\
Setting: gradients g_1, g_2, ...; RMSProp's second-moment estimate v_t = beta v_(t-1) + (1-beta) g_t^2
with v_0 = 0 (the update is x -= lr g/(sqrt(v) + eps)).

Claim (*tight*, an identity): v_t = sum_{s<=t} (1-beta) beta^(t-s) g_s^2, whose weights sum to 1 - beta^t < 1
(the missing mass beta^t is the bias toward v_0 = 0 that Adam divides out) [1], [2, Sec. 3]; for a
constant gradient v_t = (1 - beta^t) g^2 -> g^2.

Derivation: induction on the weight sum, W_t = beta W_(t-1) + (1 - beta) = 1 - beta^t; the fixed point
of the recursion for g_t = g is g^2.

Checks: the weights are measured as impulse responses (t runs, run s fed 1 at step s and 0 otherwise)
and summed: 1 - beta^t (rtol 1e-12); v_T = g^2 after T steps with beta^T < 1e-17. Mutants: the sum is 1,
1 - beta^(t+1), steady state |g|.
""",
)

CLAIMS = (RMSPROP_EWMA,)
