"""nqm.momentum_recurrence: the three second moments under heavy-ball momentum.

Part of the ``nqm`` family (listed in ``proofs/nqm.py``); conventions and the
Monte Carlo run size are stated in that module's docstring.
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck
from theorykit.numeric.montecarlo import mean_interval

from ._nqm_common import NQM_RTOL, NQM_RUNS, momentum_steps
from ._stochastic import LEVEL, ZHANG, cached
from ._util import S

__all__ = ["NQM_MOMENTUM"]

a, h, B, beta, c = (S(v) for v in ("a", "h", "B", "beta", "c"))
A_, V_, C_ = S("A"), S("V"), S("C")
t, w, e = S("t"), S("w"), S("e")
A_next, V_next, C_next = S("A_next"), S("V_next"), S("C_next")

# v+ = beta v + h theta + eps,  theta+ = theta - a v+ = (1 - a h) theta - a beta v - a eps,  c = Var(eps) = h/B
R_ = 1 - a * h
THETA_NEXT = R_ * t - a * beta * w - a * e
V_NEXT = h * t + beta * w + e
A_REC = R_**2 * A_ - 2 * R_ * a * beta * C_ + a**2 * beta**2 * V_ + a**2 * c
V_REC = h**2 * A_ + 2 * h * beta * C_ + beta**2 * V_ + c
C_REC = R_ * h * A_ + beta * (1 - 2 * a * h) * C_ - a * beta**2 * V_ - a * c
MR_ASSUME = (sympy.Gt(a, 0), sympy.Gt(h, 0), sympy.Ge(beta, 0), sympy.Lt(beta, 1), sympy.Gt(c, 0))
MR_STATEMENT = sympy.And(sympy.Eq(A_next, A_REC), sympy.Eq(V_next, V_REC), sympy.Eq(C_next, C_REC))


def _derive_momentum():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(MR_ASSUME), name="nqm.momentum_recurrence")
    # (1)-(3) expand the products of the updated pair; every monomial t^2, w^2, t w, e^2 then
    # has expectation A, V, C, c and every monomial with one factor e has expectation 0
    d.start(THETA_NEXT**2).eq(
        R_**2 * t**2 - 2 * R_ * a * beta * t * w + a**2 * beta**2 * w**2 + a**2 * e**2
        + (-2 * R_ * a * t * e + 2 * a**2 * beta * w * e), by="expand (theta+)^2")
    d.start(V_NEXT**2).eq(
        h**2 * t**2 + 2 * h * beta * t * w + beta**2 * w**2 + e**2 + (2 * h * t * e + 2 * beta * w * e),
        by="expand (v+)^2")
    d.start(THETA_NEXT * V_NEXT).eq(
        R_ * h * t**2 + beta * (1 - 2 * a * h) * t * w - a * beta**2 * w**2 - a * e**2
        + (R_ * t * e - 2 * a * beta * w * e - a * h * t * e), by="expand theta+ v+")
    # (4) consistency: at beta = 0 the first moment recurrence is the SGD one of nqm.sgd_recurrence
    d.start(A_REC.subs(beta, 0)).eq((1 - a * h) ** 2 * A_ + a**2 * c, by="beta = 0")
    return d.check()


def _moments_predict(drop_cross=False, effective_sgd=False, which="theta"):
    """Iterate the claimed recurrence (the formula under test) k times from (theta0^2, 0, 0)."""
    fA = sympy.lambdify((a, h, beta, c, A_, V_, C_), A_REC, modules="math")
    fV = sympy.lambdify((a, h, beta, c, A_, V_, C_), V_REC, modules="math")
    fC = sympy.lambdify((a, h, beta, c, A_, V_, C_), C_REC, modules="math")

    def predict(params) -> float:
        hs, av, b_ = momentum_steps(params)
        if effective_sgd:  # mutant: plain SGD with the "effective" lr alpha / (1 - beta)
            av, b_ = av / (1.0 - b_), 0.0
        total = 0.0
        for hi, ai in zip(hs, av):
            A, V, C = float(params["theta0"]) ** 2, 0.0, 0.0
            ci = hi / float(params["B"])
            for _ in range(int(params["k"])):
                A, V, C = fA(ai, hi, b_, ci, A, V, C), fV(ai, hi, b_, ci, A, V, C), fC(ai, hi, b_, ci, A, V, C)
                if drop_cross:
                    C = 0.0
            total += 0.5 * hi * (A if which == "theta" else V)
        return total

    return predict


def _runs(params, ctx):
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.nqm import simulate

    hs, av, b_ = momentum_steps(params)
    power = float(params.get("power", 0.0))
    alpha_ = float(av[0] * hs[0] ** power)

    def go():
        r = simulate(hs, np.full(int(params["k"]), alpha_), batch_size=float(params["B"]), n_runs=NQM_RUNS,
                     rng=ctx.rng, momentum=b_, precond_power=power, theta0=float(params["theta0"]), xp=ctx.xp)
        th, v = to_numpy(r.theta), to_numpy(r.v)
        return (mean_interval(0.5 * np.sum(hs * th * th, axis=1), LEVEL).value(),
                mean_interval(0.5 * np.sum(hs * v * v, axis=1), LEVEL).value())

    return cached("nqm.momentum", params, ctx, go)


def _theta_loss(params, ctx) -> float:
    return _runs(params, ctx)[0]


def _velocity_energy(params, ctx) -> float:
    return _runs(params, ctx)[1]


def _params():
    return st.fixed_dictionaries({
        "h": st.lists(st.sampled_from([0.01, 0.1, 0.5, 1.0, 3.0]), min_size=1, max_size=3).map(tuple),
        "lr_frac": st.sampled_from([0.05, 0.2, 0.5, 0.8]),
        "beta": st.sampled_from([0.0, 0.5, 0.9, 0.95]),
        "B": st.sampled_from([1.0, 8.0, 64.0]),
        "power": st.sampled_from([0.0, 0.5]),
        "k": st.integers(1, 60),
        "theta0": st.sampled_from([0.0, 1.0, 2.0]),
    })


_EX = {"h": (1.0, 0.1), "lr_frac": 0.5, "beta": 0.9, "B": 4.0, "power": 0.0, "k": 25, "theta0": 1.0}


NQM_MOMENTUM = Claim(
    id="nqm.momentum_recurrence",
    title="NQM heavy ball: exact recurrence for (E theta^2, E v^2, E theta v)",
    statement=MR_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(ZHANG,),
    derive=_derive_momentum,
    assumptions=MR_ASSUME,
    strategy=_params,
    checks=(
        NumericCheck(
            name="theta_loss",
            description=f"Monte Carlo 1/2 sum h E[theta^2] after k heavy-ball steps ({NQM_RUNS} runs) vs the recurrence",
            measure=_theta_loss,
            predict=_moments_predict(),
            compare="tight",
            rtol=NQM_RTOL,
            examples=(_EX,),
        ),
        NumericCheck(
            name="velocity_energy",
            description="Monte Carlo 1/2 sum h E[v^2] (momentum buffer) vs the recurrence",
            measure=_velocity_energy,
            predict=_moments_predict(which="v"),
            compare="tight",
            rtol=NQM_RTOL,
            examples=(_EX,),
        ),
    ),
    mutants=(
        Mutant(
            name="drop_cross_term",
            description="the recurrence with E[theta v] set to 0 (cross term dropped)",
            check="theta_loss",
            predict=_moments_predict(drop_cross=True),
        ),
        Mutant(
            name="effective_learning_rate",
            description="heavy ball = SGD with lr alpha/(1 - beta)",
            check="theta_loss",
            predict=_moments_predict(effective_sgd=True),
        ),
    ),
    doc="""\
Setting: the NQM of nqm.sgd_recurrence (loss 1/2 h theta^2 per coordinate, noise variance
c = h/B) with heavy-ball momentum in buffer form: v+ = beta v + (h theta + eps),
theta+ = theta - a v+, a = alpha h^-power, v_0 = 0 [1].

Claim (*tight*, identities), with A = E theta^2, V = E v^2, C = E theta v:
  A+ = (1-ah)^2 A - 2(1-ah) a beta C + a^2 beta^2 V + a^2 c
  V+ = h^2 A + 2 h beta C + beta^2 V + c
  C+ = (1-ah) h A + beta (1 - 2ah) C - a beta^2 V - a c

Derivation: expand (theta+)^2, (v+)^2 and theta+ v+ as polynomials in (theta, v, eps); the
monomials with one eps factor have expectation 0 (fresh noise); the rest give A, V, C, c.
At beta = 0 the A recurrence is nqm.sgd_recurrence's.

Checks (Monte Carlo, 99.9%, rtol 0.04 from the Gaussian coefficient-of-variation bound,
see proofs/nqm.py): 1/2 sum h E theta^2 and 1/2 sum h E v^2 after k <= 60 steps, beta up to 0.95,
powers 0 and 1/2. Mutants: the recurrence with the cross term C dropped; SGD with the
"effective" lr alpha/(1 - beta) (right only in the small-lr limit).

References:
  [1] G. Zhang et al. (2019). Which algorithmic choices matter at which batch sizes?
      Insights from a noisy quadratic model. NeurIPS. arXiv:1907.04164
""",
)
