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

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck, Source

from ._util import thorough, S

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
_THOROUGH = ({"width": 32, "lr": 0.4, "net_seed": 0, "window": 900},
             {"width": 16, "lr": 0.4, "net_seed": 1, "window": 600})


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


def _cmp(p):
    from theorykit.numeric.centralflow import compare_flows

    return compare_flows(p["width"], p["lr"], p["net_seed"], p["window"])


def _window_mean(c, values):
    """Trapezoid mean over the flow's output times (every 5 steps) of a flow quantity."""
    return float(np.trapezoid(values, c.t) / (c.t[-1] - c.t[0]))


def _m_loss_ratio(p, ctx):
    c = _cmp(p)
    return float(c.gd_loss.mean() / _window_mean(c, c.central.predicted_loss))


def _m_gf_loss_ratio(p, ctx):
    c = _cmp(p)
    return float(c.gd_loss.mean() / _window_mean(c, c.gradient.loss))


def _m_distance_ratio(p, ctx):
    c = _cmp(p)
    d_cf = np.linalg.norm(c.gd_mid[-1] - c.central.w[-1])
    d_gf = np.linalg.norm(c.gd_mid[-1] - c.gradient.w[-1])
    return float(d_cf / d_gf)


def _m_grad_s_error(p, ctx):
    return float(_cmp(p).central.grad_s_rel_error)


CENTRAL_FLOW_GD = Claim(
    id="centralflow.gd",
    title="Central flow: dw/dt = -eta[grad L + sigma^2/2 grad S] tracks time-averaged GD at the edge of stability",
    statement=STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CENTRAL_FLOWS,),
    derive=_derive,
    assumptions=ASSUME,
    strategy=lambda: st.sampled_from(_CI + (_THOROUGH if thorough() else ())),
    checks=(
        NumericCheck("time_averaged_loss", "mean GD loss over the window / time-mean of the central flow's "
                     "predicted loss L + sigma^2 S/2 over the same window", _m_loss_ratio, lambda p: 1.0,
                     rtol=0.05, examples=_CI),
        NumericCheck("gd_over_gradient_flow_loss", "mean GD loss / time-mean gradient-flow loss: GD's average "
                     "loss is well above gradient flow's (more than the 5% tolerance)", _m_gf_loss_ratio,
                     lambda p: 1.05, compare="lower", rtol=0.0, examples=_CI),
        NumericCheck("closer_to_central_flow", "||GD midpoint - central flow|| / ||GD midpoint - gradient flow|| "
                     "at the end of the window <= 1/2", _m_distance_ratio, lambda p: 0.5, compare="upper",
                     rtol=0.0, examples=_CI),
        NumericCheck("grad_s_error", "Richardson estimate of the relative error of the finite-difference "
                     "grad S used by the flow <= 1e-6", _m_grad_s_error, lambda p: 1e-6, compare="upper",
                     rtol=0.0, examples=_CI),
    ),
    mutants=(
        Mutant("gradient_flow_predicts_gd", "gradient flow's loss is GD's time-averaged loss (within 5%)",
               check="gd_over_gradient_flow_loss", predict=lambda p: 1.0, compare="tight"),
        Mutant("gd_tracks_gradient_flow", "GD stays at least as close to gradient flow as to the central flow",
               check="closer_to_central_flow", predict=lambda p: 1.0, compare="lower"),
    ),
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
error estimate checked (<= 1e-6; it is ~2e-9). All three runs start from the GD iterate where
the sharpness first reaches 0.9 * 2/eta and last 400 steps (thorough: 900, and a width-16 net).
This small net's edge of stability is spiky (rare large catapults, tiny oscillation between
them), so GD's loss is averaged over the whole window, which holds complete spike cycles.

Checks: GD's mean loss / the central flow's predicted mean loss = 1 within 5% (measured 0.994);
GD's mean loss / gradient flow's >= 1.05 (measured ~1.6); the distance from the GD two-step
midpoint to the central flow is at most half the distance to gradient flow at the window's end.

References:
  [1] J. M. Cohen, A. Damian, A. Talwalkar, J. Z. Kolter, J. D. Lee (2024). Understanding
      optimization in deep learning with central flows. arXiv:2410.24206
""",
)

CLAIMS = (CENTRAL_FLOW_GD,)
