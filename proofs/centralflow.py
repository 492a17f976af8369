"""The central flow of gradient descent at the edge of stability (Cohen, Damian et al. 2024).

Setting: the tanh MLP of ``proofs/eos.py`` (1 -> 32 -> 1 on 20 points of T_4, squared loss),
full-batch GD with step eta. From the GD iterate at the onset of the edge of stability,
GD, gradient flow and the central flow are run side by side
(``theorykit.numeric.centralflow.compare_flows``, cached per parameters).
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.cache import cached_run
from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._util import S

__all__ = ["CLAIMS"]

CENTRAL_FLOWS = Source(
    key="Cohen et al. 2024",
    authors="J. M. Cohen, A. Damian, A. Talwalkar, J. Z. Kolter, J. D. Lee",
    title="Understanding optimization in deep learning with central flows",
    year=2024, arxiv="2410.24206")

eta, a, b, s2, L, x, gu, Sw = (S(n) for n in ("eta", "a", "b", "sigma2", "L", "x", "gu", "S"))
ASSUME = (sympy.Gt(eta, 0), sympy.Gt(b, 0))
# sigma^2 = -2 <grad S, grad L> / ||grad S||^2 keeps S = 2/eta (a = <grad S, grad L>, b = ||grad S||^2)
STATEMENT = sympy.Eq(s2, -2 * a / b)
_CI = ({"width": 32, "lr": 0.4, "net_seed": 0, "window": 400},)


def _params():
    """The region searched: width 16 or 32, eta in {0.3, 0.4, 0.5}, four initializations, windows of
    400 or 600 steps. Each point trains GD to the edge and integrates both flows (~30 s, cached on
    disk): CI draws one point besides the example, the thorough profile the runner's budget."""
    return st.fixed_dictionaries({"width": st.sampled_from([16, 32]), "lr": st.sampled_from([0.3, 0.4, 0.5]),
                                  "net_seed": st.integers(0, 3), "window": st.sampled_from([400, 600])})


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=[*ASSUME, sympy.Ge(s2, 0)], name="centralflow.gd")
    # dS/dt = <grad S, dw/dt> = -eta (a + 1/2 sigma^2 b); it vanishes at sigma^2 = -2a/b
    d.start(-eta * (a + sympy.Rational(1, 2) * (-2 * a / b) * b)).eq(0, by="dS/dt at sigma^2 = -2a/b")
    # GD oscillates as w + x u with E[x] = 0, E[x^2] = sigma^2; quadratic model of the loss along u:
    # L(w + x u) = L + x <grad L, u> + 1/2 x^2 S; its average is L + 1/2 sigma^2 S ...
    d.start(sympy.Rational(1, 2) * ((L + x * gu + x**2 * Sw / 2) + (L - x * gu + x**2 * Sw / 2))).eq(
        L + x**2 * Sw / 2, by="average over the two phases +x, -x of the period-two oscillation")
    # ... which at S = 2/eta is L + sigma^2/eta
    d.start(L + s2 * (2 / eta) / 2).eq(L + s2 / eta, by="S = 2/eta")
    return d.check()


@cached_run("centralflow.gd")
def _summary(p) -> dict:
    """The scalars every check reads, from one GD / central flow / gradient flow comparison."""
    from theorykit.numeric.centralflow import compare_flows

    c = compare_flows(p["width"], p["lr"], p["net_seed"], p["window"])

    def mean(values):  # trapezoid mean over the flow's output times (every 5 steps)
        return float(np.trapezoid(values, c.t) / (c.t[-1] - c.t[0]))

    return {"gd_loss": float(c.gd_loss.mean()), "cf_loss": mean(c.central.loss), "cf_sigma2": mean(c.central.sigma2),
            "cf_sharpness": mean(c.central.sharpness), "gf_loss": mean(c.gradient.loss),
            "distance_ratio": float(np.linalg.norm(c.gd_mid[-1] - c.central.w[-1])
                                    / np.linalg.norm(c.gd_mid[-1] - c.gradient.w[-1])),
            "grad_s_error": float(c.central.grad_s_rel_error)}


def _read(key):
    def measure(p, ctx):
        return _summary(p)[key]

    measure.__name__ = f"measure_{key}"
    return measure


# What the checks measure, from the statement and its derivation: with sigma^2 = -2a/b the flow keeps
# S = 2/eta, and GD's time-averaged loss is the quadratic model's average L + sigma^2 S/2 at S = 2/eta.
S_cf, loss_gd, L_gf, dist, gs_err = S("S_cf"), S("loss_gd"), S("L_gf"), S("dist"), S("gs_err")
CF_EDGE = sympy.Eq(S_cf, sympy.solve(sympy.Eq(eta * Sw, 2), Sw)[0])
CF_LOSS = sympy.Eq(loss_gd, (L + s2 * Sw / 2).subs(Sw, CF_EDGE.rhs))
_BIND = {L: lambda p: _summary(p)["cf_loss"], s2: lambda p: _summary(p)["cf_sigma2"], eta: "lr",
         L_gf: lambda p: _summary(p)["gf_loss"]}

CENTRAL_FLOW_GD = Claim(
    id="centralflow.gd",
    title="Central flow: dw/dt = -eta[grad L + sigma^2/2 grad S] tracks time-averaged GD at the edge of stability",
    statement=STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CENTRAL_FLOWS,),
    derive=_derive,
    assumptions=ASSUME,
    strategy=_params,
    checks=(
        NumericCheck("edge_held", "time-mean sharpness S(w(t)) of the central flow over the window vs 2/eta",
                     _read("cf_sharpness"), relation=CF_EDGE, bind=_BIND, rtol=0.02, examples=_CI, max_draws=1),
        NumericCheck("time_averaged_loss", "mean GD loss over the window vs the time-means of the central flow's "
                     "L(w(t)) + sigma^2(t)/eta over the same window", _read("gd_loss"), relation=CF_LOSS,
                     bind=_BIND, rtol=0.05, examples=_CI, max_draws=1),
        NumericCheck("closer_to_central_flow", "||GD midpoint - central flow|| / ||GD midpoint - gradient flow|| "
                     "at the end of the window <= 1/2", _read("distance_ratio"),
                     relation=sympy.Le(dist, sympy.Rational(1, 2)), rtol=0.0, examples=_CI, max_draws=1),
        NumericCheck("grad_s_error", "Richardson estimate of the relative error of the finite-difference "
                     "grad S used by the flow <= 1e-6 (a guard on the numerics)", _read("grad_s_error"),
                     relation=sympy.Le(gs_err, sympy.Rational(1, 10**6)), rtol=0.0, examples=_CI, max_draws=1),
    ),
    # gradient flow's loss is GD's time-averaged loss; GD stays at least as close to gradient flow
    mutants=(sympy.Eq(loss_gd, L_gf), sympy.Ge(dist, 1)),
    equivalent={
        **{text: "1/2 is a chosen margin (GD is markedly closer to the central flow than to gradient flow), not a "
           "derived constant: tighter margins hold at some points of the region and fail at others (ratios 0.06 to "
           "0.44 were measured), and no formula is at stake" for text in ("dist <= 1/4", "dist <= 1/3")},
        **{text: "a guard on the flow's numerics (the Richardson error of the finite-difference grad S), not part of "
           "the theory: it measures ~1e-9, under any threshold of this size" for text in
           ("gs_err <= 1/2000000", "gs_err <= 1/1500000")},
    },
    doc="""\
Setting: L(w) the squared loss of a 1 -> 32 -> 1 tanh MLP on 20 points of T_4; GD w+ = w - eta grad L,
eta = 0.4; S(w) = lambda_1(grad^2 L(w)) with top eigenvector u.

Claim (*tight* to 5% on the time-averaged loss; [1]): at the edge of stability the
time-averaged GD trajectory follows the central flow
    dw/dt = -eta [grad L(w) + 1/2 sigma^2(t) grad S(w)],   t in steps,
with sigma^2 = max(0, -2 <grad S, grad L>/||grad S||^2) on S = 2/eta (so dS/dt = 0) and 0 below;
GD's time-averaged loss is L(w(t)) + 1/2 sigma^2 S(w(t)) = L + sigma^2/eta, while gradient flow
(sigma^2 = 0) drifts away (its sharpness keeps rising past 2/eta).

Derivation: dS/dt = -eta(<grad S, grad L> + sigma^2 ||grad S||^2/2) = 0 at sigma^2 = -2a/b;
averaging the quadratic model over the two phases of the oscillation w +- x u gives
L + x^2 S/2, = L + sigma^2/eta at S = 2/eta.

Numerics: solve_ivp (RK45, rtol 1e-4) with the constraint imposed by relaxation (rate 0.5
per step; theorykit.numeric.centralflow); u by Lanczos on exact HVPs, warm-started; grad S =
D^3 L[u, u, .] by a central difference of HVPs, step 1e-4, Richardson-extrapolated, with its
error estimate checked (<= 1e-6). All three runs start from the GD iterate where the sharpness
first reaches 0.9 * 2/eta and last 400 or 600 steps; searched over width 16/32, eta in {0.3, 0.4, 0.5}
and four initializations.
This small net's edge of stability is spiky (rare large catapults, tiny oscillation between
them), so GD's loss is averaged over the whole window, which holds complete spike cycles.

Checks: the central flow's time-mean sharpness is 2/eta within 2%; GD's mean loss equals the
time-means of L + sigma^2/eta along the central flow within 5%; the distance from the GD two-step
midpoint to the central flow is at most half the distance to gradient flow at the window's end.
Mutant: gradient flow's mean loss as GD's (refuted where the sigma^2/eta term exceeds 5 tolerances).
""",
)

CLAIMS = (CENTRAL_FLOW_GD,)
