"""nqm.momentum_recurrence: the three second moments under heavy-ball momentum.

Part of the ``nqm`` family (listed in ``proofs/nqm/__init__.py``); conventions and the
Monte Carlo run size are stated in that module's docstring.
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck
from theorykit.numeric.montecarlo import mean_interval

from ._common import NQM_RTOL, NQM_RUNS
from .._stochastic import LEVEL, ZHANG, cached
from .._util import S, rounded

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


# measured: after one heavy-ball step from a random state with second moments (A, V, C), E[theta+^2],
# E[v+^2] and E[(theta+ + v+)^2] = A+ + V+ + 2 C+ (each a mean of squares of Gaussians, so the
# coefficient-of-variation bound of proofs/nqm/recurrence.py holds; E[theta+ v+] alone has no relative bound)
U_next = S("U_next")
SUM_RELATION = sympy.Eq(U_next, sum(r.rhs for r in MR_STATEMENT.args) + C_REC)  # A+ + V+ + 2 C+
_BIND = {a: lambda p: _step(p), c: lambda p: p["h"] / p["B"],
         C_: lambda p: p["rho"] * float(np.sqrt(p["A"] * p["V"]))}


def _step(params) -> float:
    """a = lr_frac * 2(1 + beta)/h: heavy ball on curvature h is stable iff a h < 2(1 + beta)."""
    return float(params["lr_frac"]) * 2.0 * (1.0 + float(params["beta"])) / float(params["h"])


def _one_step(params, ctx):
    """(theta+, v+) over NQM_RUNS runs of one heavy-ball step v+ = beta v + h theta + eps,
    theta+ = theta - a v+, eps ~ N(0, h/B), from (theta, v) Gaussian with moments (A, V, rho sqrt(AV))."""
    A, V, rho = float(params["A"]), float(params["V"]), float(params["rho"])
    h_, B_, b_ = float(params["h"]), float(params["B"]), float(params["beta"])

    def go():
        z1, z2, eps = ctx.rng.standard_normal((3, NQM_RUNS))
        theta = np.sqrt(A) * z1
        v = np.sqrt(V) * (rho * z1 + np.sqrt(1.0 - rho * rho) * z2)
        v_next = b_ * v + h_ * theta + np.sqrt(h_ / B_) * eps
        return theta - _step(params) * v_next, v_next

    return cached("nqm.momentum.step", params, ctx, go)


def _moment(which):
    def measure(params, ctx) -> float:
        th, v = _one_step(params, ctx)
        x = {"theta": th * th, "v": v * v, "sum": (th + v) ** 2}[which]
        return mean_interval(x, LEVEL).value()

    return measure


def _params():
    return st.fixed_dictionaries({
        "h": rounded(-2.0, 1.0, 3).map(lambda e: round(10.0**e, 6)),  # curvature in [0.01, 10]
        "lr_frac": rounded(0.02, 0.98, 3),
        "beta": rounded(0.0, 0.99, 3),
        "B": st.integers(1, 256).map(float),
        "A": rounded(0.0, 4.0, 3), "V": rounded(0.0, 4.0, 3),
        "rho": rounded(-0.99, 0.99, 3),  # C = rho sqrt(A V): any valid covariance
    })


_EX = {"h": 1.0, "lr_frac": 0.5, "beta": 0.9, "B": 4.0, "A": 1.0, "V": 0.5, "rho": -0.5}
# h = 1 and A = 1 hide every dropped factor h or A, and a moderate correlation the cross moment: two states
# with strong (anti)correlation, h != 1 and A != V, from a greedy cover of a grid of the region on which each
# generated near miss differs from the recurrence by >= 10 tolerances at one of them (the draws reach such
# states only now and then, so which near miss survived depended on the seed)
_EXAMPLES = (_EX, {"h": 2.0, "lr_frac": 0.9, "beta": 0.5, "B": 16.0, "A": 0.5, "V": 4.0, "rho": -0.9},
             {"h": 0.5, "lr_frac": 0.3, "beta": 0.5, "B": 1.0, "A": 2.0, "V": 0.5, "rho": 0.9})


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
        NumericCheck("theta_moment", f"Monte Carlo E[theta+^2] after one heavy-ball step ({NQM_RUNS} runs)",
                     _moment("theta"), measures=A_next, bind=_BIND, rtol=NQM_RTOL, examples=_EXAMPLES),
        NumericCheck("velocity_moment", "Monte Carlo E[v+^2] (momentum buffer) after the same step",
                     _moment("v"), measures=V_next, bind=_BIND, rtol=NQM_RTOL, examples=_EXAMPLES),
        NumericCheck("sum_moment", "Monte Carlo E[(theta+ + v+)^2] = A+ + V+ + 2 C+ (carries the cross moment)",
                     _moment("sum"), relation=SUM_RELATION, bind=_BIND, rtol=NQM_RTOL, examples=_EXAMPLES),
    ),
    # the cross term E[theta v] dropped; heavy ball as SGD with the "effective" step a/(1 - beta)
    mutants=(sympy.Eq(A_next, A_REC.subs(C_, 0)),
             sympy.Eq(A_next, (1 - a * h / (1 - beta)) ** 2 * A_ + (a / (1 - beta)) ** 2 * c)),
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
see proofs/nqm/recurrence.py): one heavy-ball step from a Gaussian state (theta, v) with any second moments
(A, V in [0, 4], correlation in [-0.99, 0.99]), h in [0.01, 10], beta in [0, 0.99], a h up to
2(1 + beta): E theta+^2, E v+^2 and E (theta+ + v+)^2 = A+ + V+ + 2C+ (the cross moment enters only
through this square, which keeps the relative Monte Carlo bound). Mutants: the cross term C dropped;
SGD with the "effective" step a/(1 - beta) (right only in the small-step limit).
""",
)
