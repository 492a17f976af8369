"""Adam: bias correction of the moment estimates, and non-convergence on a convex online problem."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import HOEFFDING, KINGMA_BA
from ._util import rounded, S

__all__ = ["CLAIMS", "HOEFFDING_DELTA", "MC_RUNS"]

REDDI = Source(
    key="Reddi et al. 2018",
    authors="S. J. Reddi, S. Kale, S. Kumar",
    title="On the convergence of Adam and beyond",
    year=2018,
    venue="ICLR 2018",
    arxiv="1904.09237",
)

b1, b2, q, mu_g, mu_g2, t, C, x, g = (S(n) for n in ("b1", "b2", "q", "mu_g", "mu_g2", "t", "C", "x", "g"))
Em = S("E_m")

# ============================================================== adam.bias_correction
#: independent runs per Monte Carlo estimate
MC_RUNS = 40_000  # 5 half-widths (the kill margin) must fit inside Var U[0, 1] = 1/12
#: per-check failure probability of the Hoeffding interval
HOEFFDING_DELTA = 1e-6
# Every estimated quantity lies in [0, 1] (gradients in [0, 1], EWMA weights summing to
# 1 - beta^t <= 1, and the corrected estimates are weighted averages), so Hoeffding's
# inequality gives P(|mean - E| >= h) <= 2 exp(-2 N h^2): h = sqrt(ln(2/delta) / (2N)).
MC_HALF_WIDTH = math.sqrt(math.log(2 / HOEFFDING_DELTA) / (2 * MC_RUNS))

BC_ASSUME = (sympy.Gt(b1, 0), sympy.Lt(b1, 1), sympy.Gt(q, 0), sympy.Le(q, 1), sympy.Ge(mu_g, 0),
             sympy.Gt(t, 0))
BC_STATEMENT = sympy.Eq(Em, (1 - b1**t) * mu_g)


def _derive_bias_correction():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(BC_ASSUME), name="adam.bias_correction")
    # m_t = b1 m_{t-1} + (1 - b1) g_t with m_0 = 0; take expectations (stationary E[g] = mu_g),
    # induction hypothesis E[m_{t-1}] = (1 - q) mu_g with q = b1^(t-1):
    d.start(b1 * (1 - q) * mu_g + (1 - b1) * mu_g).eq((1 - b1 * q) * mu_g, by="so E[m_t] = (1 - b1^t) mu_g")
    # base case t = 1: E[m_1] = (1 - b1) mu_g
    d.start(b1 * 0 + (1 - b1) * mu_g).eq((1 - b1**1) * mu_g, by="m_0 = 0")
    # the correction divides the factor out: m^_t = m_t / (1 - b1^t) is unbiased
    d.start((1 - b1 * q) * mu_g / (1 - b1 * q)).eq(mu_g, by="E[m^_t] = mu_g (b1 q = b1^t < 1)")
    # the same algebra with (b2, g^2) gives E[v_t] = (1 - b2^t) E[g^2]; a constant gradient has
    # no variance, so m^_t = g exactly:
    d.start((1 - b1 * q) * g / (1 - b1 * q)).eq(g, by="constant gradient: m_t = (1 - b1^t) g")
    return d.check()


def _mc_moments(params, ctx):
    """(m_t, v_t) of MC_RUNS independent Adam runs fed i.i.d. gradients U[lo, hi], shape (N,) each."""
    from theorykit.numeric.adaptive import adam_init, adam_step

    xp = ctx.xp
    lo, hi = params["lo"], params["hi"]
    state = adam_init(xp.zeros((MC_RUNS,), dtype=xp.float64))
    for _ in range(params["t"]):
        gs = xp.asarray(ctx.rng.uniform(lo, hi, size=MC_RUNS))
        _, state = adam_step(state, gs, lr=1.0, beta1=params["beta1"], beta2=params["beta2"])
    return state.m, state.v


def _mean(a) -> float:
    from theorykit.numeric.backend import to_numpy

    return float(np.mean(to_numpy(a)))


def _m_raw(params, ctx):
    return _mean(_mc_moments(params, ctx)[0])


def _v_raw(params, ctx):
    return _mean(_mc_moments(params, ctx)[1])


def _m_hat(params, ctx):
    return _m_raw(params, ctx) / (1 - params["beta1"] ** params["t"])


def _v_hat(params, ctx):
    return _v_raw(params, ctx) / (1 - params["beta2"] ** params["t"])


def _constant_mhat(params, ctx) -> float:
    """m^_t / g after t Adam steps with the constant gradient g (deterministic)."""
    from theorykit.numeric.adaptive import adam_init, adam_step

    xp = ctx.xp
    state = adam_init(xp.zeros((1,), dtype=xp.float64))
    gv = xp.asarray([params["g"]])
    for _ in range(params["t"]):
        _, state = adam_step(state, gv, lr=1.0, beta1=params["beta1"], beta2=params["beta2"])
    return float(state.m[0]) / (1 - params["beta1"] ** params["t"]) / params["g"]


def _mean_g(p):
    return (p["lo"] + p["hi"]) / 2


def _mean_g2(p):
    return (p["lo"] ** 2 + p["lo"] * p["hi"] + p["hi"] ** 2) / 3


def _bc_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({
        "beta1": rnd(0.5, 0.99), "beta2": rnd(0.9, 0.9999), "t": st.integers(1, 30),
        "lo": rnd(0.0, 0.5), "hi": rnd(0.5, 1.0),
    })


def _const_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({"beta1": rnd(0.5, 0.999), "beta2": rnd(0.9, 0.9999), "t": st.integers(1, 200),
                                  "g": rnd(-5.0, 5.0).filter(lambda v: abs(v) > 1e-3)})


_BC_EX = {"beta1": 0.9, "beta2": 0.999, "t": 5, "lo": 0.2, "hi": 0.8}
# the widest gradient spread in [0, 1] (Var g = 1/12, the most a mean and a second moment can differ)
_BC_WIDE = {**_BC_EX, "t": 30, "lo": 0.0, "hi": 1.0}
# measured: E[m_t], E[v_t] (the statement, and the same algebra with (b2, g^2)), the corrected means,
# and m^_t/g for a constant gradient
Ev, Em_hat, Ev_hat, m_ratio = S("E_v"), S("E_m_hat"), S("E_v_hat"), S("m_hat_over_g")
BC_V = sympy.Eq(Ev, BC_STATEMENT.rhs.subs({b1: b2, mu_g: mu_g2}))
BC_M_HAT = sympy.Eq(Em_hat, sympy.cancel(BC_STATEMENT.rhs / (1 - b1**t)))
BC_V_HAT = sympy.Eq(Ev_hat, sympy.cancel(BC_V.rhs / (1 - b2**t)))
BC_CONSTANT = sympy.Eq(m_ratio, sympy.cancel(BC_STATEMENT.rhs.subs(mu_g, g) / (1 - b1**t) / g))
_BC_BIND = {b1: "beta1", b2: "beta2", mu_g: _mean_g, mu_g2: _mean_g2}


def _mc_check(name, description, measure, relation, examples=(_BC_EX,)):
    return NumericCheck(name=name, description=description, measure=measure, relation=relation, bind=_BC_BIND,
                        rtol=0.0, atol=MC_HALF_WIDTH, examples=examples)


ADAM_BIAS = Claim(
    id="adam.bias_correction",
    title="Adam's bias correction: E[m_t] = (1 - b1^t) E[g], E[v_t] = (1 - b2^t) E[g^2]",
    statement=BC_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(KINGMA_BA, HOEFFDING),
    derive=_derive_bias_correction,
    assumptions=BC_ASSUME,
    strategy=_bc_params,
    checks=(
        _mc_check("first_moment_raw", f"mean of m_t over {MC_RUNS} runs, gradients i.i.d. U[lo, hi]", _m_raw,
                  BC_STATEMENT),
        _mc_check("second_moment_raw", f"mean of v_t over {MC_RUNS} runs", _v_raw, BC_V),
        _mc_check("first_moment_corrected", "mean of m^_t = m_t/(1 - b1^t)", _m_hat, BC_M_HAT),
        _mc_check("second_moment_corrected", "mean of v^_t = v_t/(1 - b2^t)", _v_hat, BC_V_HAT,
                  examples=(_BC_EX, _BC_WIDE)),
        NumericCheck(
            name="constant_gradient",
            description="m^_t / g after t steps with a constant gradient g",
            measure=_constant_mhat,
            relation=BC_CONSTANT,
            rtol=1e-12,  # t <= 200 EWMA updates: round-off ~t eps
            strategy=_const_params,
            examples=({"beta1": 0.9, "beta2": 0.999, "t": 3, "g": 0.7},),
        ),
    ),
    # the raw estimates are unbiased (no correction needed); correction by 1 - b1 instead of 1 - b1^t;
    # E[v^_t] = E[g]^2 (a second moment is not a squared mean: refuted at the widest spread, U[0, 1])
    mutants=(sympy.Eq(Em, mu_g), sympy.Eq(Ev, mu_g2), sympy.Eq(Em, (1 - b1) * mu_g), sympy.Eq(Ev_hat, mu_g**2)),
    doc=f"""\
Setting: gradients g_1, g_2, ... i.i.d. (stationary) with E[g] and E[g^2]; Adam's moment estimates
m_t = b1 m_(t-1) + (1-b1) g_t, v_t = b2 v_(t-1) + (1-b2) g_t^2, m_0 = v_0 = 0.

Claim (*tight*, an identity): E[m_t] = (1 - b1^t) E[g] and E[v_t] = (1 - b2^t) E[g^2], so
m^_t = m_t/(1 - b1^t) and v^_t = v_t/(1 - b2^t) are unbiased [1, Sec. 3]; for a constant
gradient m^_t = g exactly.

Derivation: induction on t with q = b1^(t-1): b1 (1 - q) E[g] + (1 - b1) E[g] = (1 - b1 q) E[g].

Checks (Monte Carlo, {MC_RUNS} independent runs per estimate, gradients i.i.d. uniform on
[lo, hi] within [0, 1]): every averaged quantity lies in [0, 1], so by Hoeffding's inequality [2]
the mean is within h = sqrt(ln(2/delta)/(2N)) = {MC_HALF_WIDTH:.4f} of its expectation with
probability >= 1 - delta, delta = {HOEFFDING_DELTA:g} per estimate (confidence level 1 - 1e-6); h is each
check's atol. Mutants (uncorrected estimates unbiased, correction by 1 - b1, E[v^] = E[g]^2)
are refuted only by 5 half-widths; E[v^] = E[g]^2 differs by Var g <= 1/12, so it is searched
on U[0, 1], the widest spread. The constant-gradient check is
deterministic (rtol 1e-12).
""",
)

# ============================================================== adam.nonconvergence
NC_ASSUME = (sympy.Gt(C, 2), sympy.Ge(x, -1), sympy.Le(x, 1))
x_lim, x_ams = S("x_lim"), S("x_ams")  # where Adam's and AMSGrad's iterates end
NC_STATEMENT = sympy.And(sympy.Eq(x_lim, 1), sympy.Eq(x_ams, -1))
ONLINE_STEPS = 1200
TAIL = 150  # the last TAIL iterates are averaged


def _derive_nonconvergence():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(NC_ASSUME), name="adam.nonconvergence")
    beta2 = 1 / (1 + C**2)
    # (1) per 3-step cycle the losses sum to (C - 2) x, minimized on [-1, 1] at x = -1
    d.start(C * x - x - x).eq((C - 2) * x, by="one cycle: C x, -x, -x").ge(-(C - 2), by="x >= -1, C > 2")
    # (2) 1 - b2 = C^2/(1 + C^2)
    d.start(1 - beta2).eq(C**2 / (1 + C**2), by="b2 = 1/(1 + C^2)")
    # (3) the large step: v >= (1 - b2) C^2 after the gradient C, so C/sqrt(v) <= sqrt(1 + C^2)/C
    d.start(C / sympy.sqrt(C**2 / (1 + C**2) * C**2)).eq(sympy.sqrt(1 + C**2) / C, by="(2)")
    # (4) the next two v's are convex combinations of numbers <= 2C^2/(1+C^2):
    #     b2 C^2 + (1 - b2) * 1 = 2C^2/(1 + C^2)  (v <= C^2 before, gradient^2 = 1 now)
    d.start(beta2 * C**2 + (1 - beta2)).eq(2 * C**2 / (1 + C**2), by="(2)")
    # (5) net movement per cycle (beta1 = 0, step size alpha held over the cycle) is positive:
    d.start(-sympy.sqrt(1 + C**2) / C + 2 / sympy.sqrt(2 * C**2 / (1 + C**2))).eq(
        (sympy.sqrt(2) - 1) * sympy.sqrt(1 + C**2) / C, by="(3) and (4)").gt(0, by="sqrt 2 > 1")
    return d.check()


def _online_tail_mean(rule: str, params, ctx) -> float:
    """Mean of the last TAIL iterates of projected ``rule`` on Reddi et al.'s online problem."""
    from theorykit.numeric.adaptive import run_rule

    xp = ctx.xp
    c = params["C"]
    beta2 = 1.0 / (1.0 + c * c)
    alpha = params["alpha_frac"] * math.sqrt(1.0 - beta2)  # alpha < sqrt(1 - b2) as in Reddi's Thm 1
    x0 = xp.asarray([params["x0"]])

    def grad(z, step):
        return xp.full_like(z, c if step % 3 == 1 else -1.0)

    hyper = {"beta1": 0.0, "beta2": beta2, "eps": 0.0}
    if rule == "adam":
        hyper["bias_correction"] = False  # Reddi et al.'s Adam (their Alg. 1 with Adam's averages)
    tr = run_rule(rule, grad, x0, ONLINE_STEPS, project=lambda z: xp.minimum(xp.maximum(z, -1.0), 1.0),
                  lr=lambda k: alpha / math.sqrt(k), **hyper)
    return _mean(tr.x[-TAIL:, 0])


def _adam_tail(params, ctx):
    return _online_tail_mean("adam", params, ctx)


def _amsgrad_tail(params, ctx):
    return _online_tail_mean("amsgrad", params, ctx)


def _nc_params():
    rnd = lambda lo, hi: rounded(lo, hi, 3)
    # C >= 3 and alpha >= sqrt(1 - b2)/2 keep AMSGrad's approach to -1 within ONLINE_STEPS
    # (its drift per cycle is ~alpha_t (C - 2)/C); C near 2 or a tiny alpha needs far longer runs
    return st.fixed_dictionaries({"C": rnd(3.0, 20.0), "alpha_frac": rnd(0.5, 0.9), "x0": rnd(-1.0, 1.0)})


_NC_EX = {"C": 3.0, "alpha_frac": 0.5, "x0": 1.0}
# A step moves x by at most alpha_t |g|/sqrt(v) <= alpha_t / sqrt(1 - b2) = alpha_frac / sqrt(t)
# <= 0.9 / sqrt(1051) = 0.028 over the averaged tail; the iterates return to the boundary every
# cycle, so the tail mean is within 3 steps (0.083) of it. 0.09 is that, rounded up.
_NC_ATOL = 0.09

ADAM_NONCONVERGENCE = Claim(
    id="adam.nonconvergence",
    title="Adam (b1 = 0, b2 = 1/(1+C^2)) ends at +1 on Reddi et al.'s online problem, whose optimum is -1",
    statement=NC_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(REDDI, KINGMA_BA),
    derive=_derive_nonconvergence,
    assumptions=NC_ASSUME,
    strategy=_nc_params,
    checks=(
        NumericCheck(name="adam_end", description=f"mean of Adam's last {TAIL} of {ONLINE_STEPS} projected iterates",
                     measure=_adam_tail, measures=x_lim, rtol=0.0, atol=_NC_ATOL, examples=(_NC_EX,)),
        NumericCheck(name="amsgrad_end", description=f"mean of AMSGrad's last {TAIL} of {ONLINE_STEPS} iterates",
                     measure=_amsgrad_tail, measures=x_ams, rtol=0.0, atol=_NC_ATOL, examples=(_NC_EX,)),
    ),
    # Adam converges (ends at x* = -1); AMSGrad fails the same way (ends at +1); Adam stays at its start
    mutants=(sympy.Eq(x_lim, -1), sympy.Eq(x_ams, 1), sympy.Eq(x_lim, S("x0"))),
    equivalent={text: "the tail mean is resolved to 0.09 (three maximal steps at the tail), so a 1/3 offset lies "
                "3.7 tolerances away, below the kill margin of 5: the check cannot reach it" for text in
                ("x_lim = 2/3", "x_ams = -2/3")},
    doc=f"""\
Setting (online convex optimization on F = [-1, 1]): f_t(x) = C x for t = 1 mod 3 and -x otherwise,
C > 2, so sum_t f_t is minimized at x* = -1.
Algorithm: projected Adam with b1 = 0, b2 = 1/(1 + C^2), alpha_t = alpha/sqrt(t), alpha < sqrt(1 - b2),
eps = 0, no bias correction (Reddi et al.'s Alg. 1); AMSGrad (their Alg. 2) uses max(v) instead of v.

Claim (*tight*): Adam's iterates end at +1, the worst point, so its average regret does not vanish
[1, Thm 1]; AMSGrad ends at x* = -1 [1, Thm 4]. Hence "Adam converges on every convex online problem" is false.

Derivation: one cycle's losses sum to (C - 2) x >= -(C - 2); with 1 - b2 = C^2/(1+C^2) the large
gradient moves x by at most alpha sqrt(1+C^2)/C, each of the two small ones by at least
alpha sqrt((1+C^2)/(2C^2)), so the net move per cycle is >= (sqrt 2 - 1) alpha sqrt(1+C^2)/C > 0 (upward).

Checks: run both methods {ONLINE_STEPS} steps from x0 in [-1, 1]; the mean of the last {TAIL} iterates
is +1 for Adam and -1 for AMSGrad within 0.09 (three maximal steps alpha_t/sqrt(1 - b2) at the tail);
C in [3, 20], alpha in [0.5, 0.9] sqrt(1 - b2).
""",
)

CLAIMS = (ADAM_BIAS, ADAM_NONCONVERGENCE)
