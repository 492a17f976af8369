"""The Noisy Quadratic Model (Zhang et al. 2019): exact expected-loss recurrences.

Convention (stated once for the family): per coordinate i the loss is 1/2 h_i theta_i^2,
the minibatch gradient is h_i theta_i + eps_i with Var(eps_i) = h_i / B, the
preconditioner is p_i = h_i^(-power), and s_i = E[theta_i^2]. Then
E[loss] = sum_i 1/2 h_i s_i. Monte Carlo runs use ``theorykit.numeric.nqm.simulate``.

Statistics: theta_i is Gaussian at every step (linear dynamics, Gaussian noise,
deterministic start), and for a Gaussian X, Var(X^2) = 2 v^2 + 4 m^2 v <= 2 (E X^2)^2.
The coordinates are independent, so the per-run loss has Var <= 2 (E loss)^2: its
coefficient of variation is at most sqrt(2) whatever the parameters. With
R = ceil(2 z^2 / rtol^2) runs the 99.9% half-width is <= rtol * E[loss], which is each
check's ``rtol``. The same bound holds for 1/2 sum h_i v_i^2 (v is Gaussian too).
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._common import NQM_RTOL, NQM_RUNS
from .._stochastic import LEVEL, ZHANG
from .._util import S, rounded

__all__ = ["NQM_SGD"]

a, h, B, s, s0, P = (S(v) for v in ("a", "h", "B", "s", "s0", "P"))
alpha = S("alpha")
t, e = S("t"), S("e")  # theta and eps in the expansion step
s_next, ell_inf, s_k, k = S("s_next"), S("ell_inf"), S("s_k"), S("k")


# ============================================================== nqm.sgd_recurrence
# a = alpha * p_i is the effective per-coordinate step
RECURRENCE = (1 - a * h) ** 2 * s + a**2 * h / B
FIXED_POINT = a / (B * (2 - a * h))  # s* solving s = RECURRENCE
CLOSED_FORM = P * (s0 - FIXED_POINT) + FIXED_POINT  # after k steps, P = ((1 - a h)^2)^k
STEADY_LOSS = alpha * h / (2 * B * (2 - alpha * h))  # p = 0
SR_ASSUME = (sympy.Gt(a, 0), sympy.Gt(h, 0), sympy.Gt(B, 0), sympy.Lt(a * h, 2))
CLOSED_K = CLOSED_FORM.subs(P, ((1 - a * h) ** 2) ** k)  # s_k = E[theta_i^2] after k steps
SR_STATEMENT = sympy.And(
    sympy.Eq(s_next, RECURRENCE),
    sympy.Eq(s_k, CLOSED_K),
    sympy.Eq(ell_inf, STEADY_LOSS),
)


def _derive_sgd_recurrence():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(SR_ASSUME), name="nqm.sgd_recurrence")
    # (1) theta+ = theta - a (h theta + eps) = (1 - a h) theta - a eps; square it
    d.start((t - a * (h * t + e)) ** 2).eq((1 - a * h) ** 2 * t**2 - 2 * (1 - a * h) * a * t * e + a**2 * e**2,
                                           by="expand")
    # (2) expectations: E[theta eps] = 0 (eps is fresh), E[eps^2] = h/B
    d.start((1 - a * h) ** 2 * s - 2 * (1 - a * h) * a * 0 + a**2 * h / B).eq(
        RECURRENCE, by="E[theta^2] = s, E[theta eps] = 0, E[eps^2] = h/B")
    # (3) fixed point of the recurrence
    d.start(RECURRENCE.subs(s, FIXED_POINT)).eq(FIXED_POINT, by="s* = a/(B(2 - a h)) is the fixed point")
    # (4) induction for s_k = P (s0 - s*) + s* with P = ((1 - a h)^2)^k: one more step multiplies P by (1-ah)^2
    d.start(RECURRENCE.subs(s, CLOSED_FORM)).eq(
        (1 - a * h) ** 2 * P * (s0 - FIXED_POINT) + FIXED_POINT, by="uses step (3)")
    # (5) steady-state loss at power 0 (a = alpha): 1/2 h s*
    d.start(h * FIXED_POINT.subs(a, alpha) / 2).eq(STEADY_LOSS, by="loss convention 1/2 h E[theta^2]")
    return d.check()


def _steps(params):
    """(h (d,), alpha, a (d,)) with a_i = alpha h_i^-power and alpha = lr_frac * 2 / max_i h_i^(1-power)."""
    hs = np.asarray(params["h"], dtype=np.float64)
    power = float(params.get("power", 0.0))
    alpha_ = float(params["lr_frac"]) * 2.0 / float(np.max(hs ** (1.0 - power)))
    return hs, alpha_, alpha_ * hs ** (-power)


def _coord(params) -> int:
    return int(params["i"]) % len(params["h"])


# the measured coordinate i's curvature, effective step and the base lr alpha, for the closed form
_K_BIND = {h: lambda p: _steps(p)[0][_coord(p)], a: lambda p: _steps(p)[2][_coord(p)],
           alpha: lambda p: _steps(p)[1], s0: lambda p: float(p["theta0"]) ** 2}


def _runs(params, ctx, momentum=0.0):
    from theorykit.numeric.nqm import simulate

    hs, alpha_, _ = _steps(params)
    k = int(params["k"])
    return simulate(hs, np.full(k, alpha_), batch_size=float(params["B"]), n_runs=NQM_RUNS, rng=ctx.rng,
                    momentum=momentum, precond_power=float(params.get("power", 0.0)), theta0=float(params["theta0"]),
                    xp=ctx.xp)


def _mc_loss(params, ctx) -> float:
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.montecarlo import mean_interval

    r = _runs(params, ctx)
    return mean_interval(to_numpy(r.loss[:, -1]), LEVEL).value()


def _steady_k(params) -> int:
    # |1 - alpha h| <= 1 - m with m = min(alpha h, 2 - alpha h), so the transient factor
    # (1 - alpha h)^(2k) <= exp(-2 k m) <= e^-10 after k = 5/m steps: far below rtol
    ah = float(params["lr_frac"]) * 2.0
    return max(1, math.ceil(5.0 / min(ah, 2.0 - ah)))


def _mc_coordinate(params, ctx) -> float:
    """Monte Carlo E[theta_i^2] after k steps for the coordinate i of the params (with its interval)."""
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.montecarlo import mean_interval

    th = to_numpy(_runs(params, ctx).theta)[:, _coord(params)]
    return mean_interval(th * th, LEVEL).value()


def _mc_steady(params, ctx) -> float:
    q = {"h": (float(params["h"]),), "lr_frac": params["lr_frac"], "B": params["B"], "k": _steady_k(params),
         "theta0": 0.0, "power": 0.0}
    return _mc_loss(q, ctx)


def _k_step_params():
    curvature = rounded(-2.0, 1.0, 3).map(lambda e: round(10.0**e, 6))  # h in [0.01, 10], log-uniform
    return st.fixed_dictionaries({
        "h": st.lists(curvature, min_size=1, max_size=4).map(tuple),
        "lr_frac": rounded(0.05, 0.95, 3),
        "B": st.integers(1, 256).map(float),
        "power": rounded(0.0, 1.0, 2),
        "k": rounded(0.0, 2.0, 3).map(lambda e: int(round(10.0**e))),  # 1..100, log-uniform: transients too
        "theta0": st.one_of(st.just(0.0), rounded(0.0, 2.0, 3)),  # 0: the noise-only regime
        "i": st.integers(0, 3),  # the measured coordinate (mod d)
    })


def _steady_params():
    return st.fixed_dictionaries({
        "h": rounded(0.1, 5.0, 3),
        "lr_frac": rounded(0.05, 0.9, 3),  # alpha h = 2 lr_frac in (0, 2)
        "B": st.integers(1, 64).map(float),
    })


# Where the terms of the closed form are told apart (h = 1 hides every dropped factor h): the noise-only
# start near the edge (a h = 1.8, k = 1: the s* inside the transient term carries the result) and the
# transient of a large start (a h = 0.2, k = 3: P s0 dominates). Found by a greedy cover of a grid of
# the region on which each generated near miss differs from the closed form by >= 10 tolerances at one
# point (the draws reach these regimes only now and then, so which near miss survived depended on the seed).
_K_DISCRIMINATING = ({"h": (0.1,), "lr_frac": 0.9, "B": 16.0, "power": 0.0, "k": 1, "theta0": 0.0, "i": 0},
                     {"h": (0.1,), "lr_frac": 0.1, "B": 1.0, "power": 0.0, "k": 3, "theta0": 2.0, "i": 0})

NQM_SGD = Claim(
    id="nqm.sgd_recurrence",
    title="NQM SGD: s+ = (1 - a h)^2 s + a^2 h/B, a = alpha h^-power; steady loss alpha h/(2B(2 - alpha h))",
    statement=SR_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(ZHANG,),
    derive=_derive_sgd_recurrence,
    assumptions=SR_ASSUME,
    strategy=_k_step_params,
    checks=(
        NumericCheck(
            name="k_step_moment",
            description=f"Monte Carlo E[theta_i^2] after k preconditioned SGD steps ({NQM_RUNS} runs), one coordinate",
            measure=_mc_coordinate,
            measures=s_k,
            bind=_K_BIND,
            rtol=NQM_RTOL,
            examples=({"h": (1.0, 0.1), "lr_frac": 0.45, "B": 4.0, "power": 0.0, "k": 20, "theta0": 1.0, "i": 1},
                      {"h": (10.0, 0.5), "lr_frac": 0.7, "B": 1.0, "power": 0.5, "k": 30, "theta0": 1.0, "i": 0},
                      *_K_DISCRIMINATING),
        ),
        NumericCheck(
            name="steady_state",
            description="Monte Carlo stationary E[loss] of one coordinate (power 0) vs alpha h/(2B(2 - alpha h))",
            measure=_mc_steady,
            measures=ell_inf,
            bind={alpha: lambda p: float(p["lr_frac"]) * 2.0 / float(p["h"])},
            rtol=NQM_RTOL,
            strategy=_steady_params,
            examples=({"h": 1.0, "lr_frac": 0.25, "B": 8.0}, {"h": 0.1, "lr_frac": 0.9, "B": 8.0}),
        ),
    ),
    # the (2 - alpha h) factor dropped; noise variance h/B^2; the preconditioner once in the noise term
    # (alpha^2 p h/B: the fixed point becomes alpha/(B(2 - a h)))
    mutants=(sympy.Eq(ell_inf, alpha * h / (2 * B)), sympy.Eq(s_k, CLOSED_K.subs(B, B**2)),
             sympy.Eq(s_k, CLOSED_K.subs(FIXED_POINT, alpha / (B * (2 - a * h))))),
    doc="""\
Setting (NQM [1], Sec. 3): L(theta) = sum_i 1/2 h_i theta_i^2, h_i > 0; minibatch gradient
h_i theta_i + eps_i, eps_i ~ N(0, h_i/B) independent; preconditioned SGD
theta_i+ = theta_i - alpha p_i (h_i theta_i + eps_i), p_i = h_i^-power, a_i = alpha p_i, a_i h_i < 2.

Claim (*tight*, identities), with s_i = E[theta_i^2] and E[loss] = sum_i 1/2 h_i s_i:
  s_i+ = (1 - a_i h_i)^2 s_i + a_i^2 h_i / B;
  s_i(k) = (1 - a_i h_i)^(2k) (s_i(0) - s_i*) + s_i*,  s_i* = a_i / (B (2 - a_i h_i));
  at power 0 the stationary loss per coordinate is alpha h/(2B(2 - alpha h)) [1, Sec. 3].

Derivation: expand the square; E[theta eps] = 0; fixed point; induction on k (P = (1-ah)^(2k));
1/2 h s*.

Checks (Monte Carlo, 99.9%, rtol 0.04 from the Gaussian coefficient-of-variation bound
sqrt(2) in the module docstring; R = ceil(2 z^2/0.04^2) runs): E[theta_i^2] after k steps for one
coordinate of 1-4 (h in [0.01, 10], powers in [0, 1]); the stationary loss of one coordinate after
k = ceil(5/min(alpha h, 2 - alpha h)) steps from theta_0 = 0 (transient <= e^-10).
Mutants: steady state alpha h/(2B); noise h/B^2; preconditioner once in the noise term.
""",
)
