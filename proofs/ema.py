"""Exponential moving averages (EMA) of SGD iterates: stationary variance reduction.

Monte Carlo on one NQM coordinate (``theorykit.numeric.nqm.simulate(..., ema=beta)``);
the run size and its 99.9% guarantee are those of the nqm family (proofs/nqm/recurrence.py).
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, conjuncts

from .nqm._common import NQM_RTOL, NQM_RUNS
from ._stochastic import POLYAK_JUDITSKY, ZHANG, cached
from ._util import thorough, S

__all__ = ["CLAIMS"]

beta, rho, Vx, c, ratio = (S(v) for v in ("beta", "rho", "Vx", "c", "ratio"))

RATIO = (1 - beta) * (1 + beta * rho) / ((1 + beta) * (1 - beta * rho))
WHITE = (1 - beta) / (1 + beta)
EV_ASSUME = (sympy.Ge(beta, 0), sympy.Lt(beta, 1), sympy.Gt(rho, -1), sympy.Lt(rho, 1), sympy.Gt(Vx, 0))
EV_STATEMENT = sympy.And(sympy.Eq(ratio, RATIO), sympy.Eq(RATIO.subs(rho, 0), WHITE))
#: a ratio of two means, each within NQM_RTOL (relative) at 99.9%: within
#: (1 + r)/(1 - r) - 1 <= 2.1 r at >= 99.8% (union bound)
EV_RTOL = (1 + NQM_RTOL) / (1 - NQM_RTOL) - 1


def _derive_ema():
    from theorykit.symbolic.derivation import Derivation

    C_STAR = (1 - beta) * Vx / (1 - beta * rho)
    d = Derivation(assume=list(EV_ASSUME), name="ema.variance")
    # x+ = rho x + xi (xi fresh), y+ = beta y + (1 - beta) x+. Stationary cross moment c = E[y x]:
    # E[y+ x+] = beta E[y x+] + (1-beta) Vx = beta rho c + (1-beta) Vx  (E[y xi] = 0)
    d.start(beta * rho * C_STAR + (1 - beta) * Vx).eq(C_STAR, by="c* = (1-beta) Vx/(1 - beta rho) is the fixed point")
    # Vy = beta^2 Vy + 2 beta (1-beta) rho c* + (1-beta)^2 Vx; Vy* = RATIO Vx is its fixed point
    d.start(beta**2 * RATIO * Vx + 2 * beta * (1 - beta) * rho * C_STAR + (1 - beta) ** 2 * Vx).eq(
        RATIO * Vx, by="Vy* = ratio Vx solves the stationary equation")
    # uncorrelated iterates (rho = 0, i.e. lr = 1/h on the NQM): (1 - beta)/(1 + beta)
    d.start(RATIO.subs(rho, 0)).eq(WHITE, by="rho = 0")
    d.start(WHITE).le(1, by="beta >= 0: averaging never adds variance")
    return d.check()


def _burn_in(ah: float, b: float) -> int:
    # iterate transient (1 - ah)^(2k) <= exp(-2 k min(ah, 2 - ah)) and EMA memory b^k: e^-10 each
    return math.ceil(5.0 / min(ah, 2.0 - ah)) + math.ceil(10.0 / (1.0 - b))


def _measure_ratio(params, ctx) -> float:
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.nqm import simulate

    def go():
        h = float(params["h"])
        ah, b = float(params["ah"]), float(params["beta"])
        steps = _burn_in(ah, b)
        r = simulate([h], np.full(steps, ah / h), batch_size=float(params["B"]), n_runs=NQM_RUNS, rng=ctx.rng,
                     theta0=0.0, ema=b, xp=ctx.xp)
        x2 = float(np.mean(to_numpy(r.theta[:, 0]) ** 2))
        y2 = float(np.mean(to_numpy(r.ema[:, 0]) ** 2))
        return y2 / x2

    return cached("ema.variance", params, ctx, go)


ratio_white = S("ratio_white")
# the ratio at rho = 0 (uncorrelated iterates), from the statement
EV_WHITE = sympy.Eq(ratio_white, next(r for r in conjuncts(EV_STATEMENT) if r.lhs == ratio).rhs.subs(rho, 0))


def _params(white=False):
    return st.fixed_dictionaries({
        "h": st.sampled_from([0.1, 1.0, 5.0]),
        "ah": st.just(1.0) if white else st.sampled_from([0.1, 0.3, 0.6, 1.0, 1.5, 1.9]),
        # long EMA memories need long burn-ins (10/(1-beta) steps): 0.98 only in the thorough profile
        "beta": st.sampled_from([0.0, 0.5, 0.9] + ([0.98] if thorough() else [])),
        "B": st.sampled_from([1.0, 16.0]),
    })


EMA_VARIANCE = Claim(
    id="ema.variance",
    title="EMA with factor beta scales the stationary variance of AR(1) iterates by "
          "(1-beta)(1+beta rho)/((1+beta)(1-beta rho)); (1-beta)/(1+beta) for uncorrelated ones",
    statement=EV_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(POLYAK_JUDITSKY, ZHANG),
    derive=_derive_ema,
    assumptions=EV_ASSUME,
    strategy=_params,
    checks=(
        NumericCheck(
            name="variance_ratio",
            description=f"Monte Carlo E[ema^2]/E[theta^2] on one stationary NQM coordinate ({NQM_RUNS} runs)",
            measure=_measure_ratio,
            measures=ratio,
            bind={rho: lambda p: 1.0 - float(p["ah"])},
            rtol=EV_RTOL,
            examples=({"h": 1.0, "ah": 0.2, "beta": 0.9, "B": 1.0},),
        ),
        NumericCheck(
            name="white_noise_ratio",
            description="the same at lr = 1/h, where SGD iterates are uncorrelated (rho = 0)",
            measure=_measure_ratio,
            relation=EV_WHITE,
            rtol=EV_RTOL,
            strategy=lambda: _params(white=True),
            examples=({"h": 1.0, "ah": 1.0, "beta": 0.9, "B": 1.0},),
        ),
    ),
    # the white-noise formula also for correlated iterates; the EMA scales the variance by 1 - beta
    mutants=(sympy.Eq(ratio, WHITE), sympy.Eq(ratio_white, 1 - beta)),
    equivalent={text: f"a ratio of two Monte Carlo means is resolved to rtol {EV_RTOL:.3g}; x 3/2 lies "
                f"{0.5 / (1.5 * EV_RTOL):.2g} tolerances away, below the kill margin of 5 (the check cannot reach it)"
                for text in ("ratio = 3*(1 - beta)*(beta*rho + 1)/(2*(beta + 1)*(-beta*rho + 1))",
                             "ratio_white = 3*(1 - beta)/(2*(beta + 1))")},
    doc="""\
Setting: SGD on one NQM coordinate (loss h theta^2/2, gradient noise variance h/B, lr alpha):
theta+ = rho theta + xi with rho = 1 - alpha h, |rho| < 1, xi fresh; in stationarity
Var theta = Vx. EMA of the iterates: y+ = beta y + (1 - beta) theta+, 0 <= beta < 1.

Claim (*tight*, identity): Var y / Var theta = (1-beta)(1+beta rho)/((1+beta)(1-beta rho));
for uncorrelated iterates (rho = 0, lr = 1/h) this is (1-beta)/(1+beta) <= 1 [1, 2].
Positively correlated iterates (small lr) gain less from averaging than the white-noise formula says.

Derivation: stationary equations for c = E[y theta] (c = beta rho c + (1-beta) Vx) and
Var y (Vy = beta^2 Vy + 2 beta (1-beta) rho c + (1-beta)^2 Vx), solved and checked as fixed points.

Checks (Monte Carlo): E[y^2]/E[theta^2] after a burn-in of ceil(5/min(ah, 2-ah)) + ceil(10/(1-beta))
steps from theta_0 = 0 (transients <= e^-10); both means are Gaussian second moments, each within
4% at 99.9% (proofs/nqm/recurrence.py), so the ratio is within (1.04/0.96 - 1) = 8.3% at >= 99.8%.
Mutants: the white-noise formula for correlated iterates; a factor 1 - beta.
Not checked here: how closely the EMA tracks the time-averaged trajectory away from stationarity.
""",
)

# ============================================================== ema.lag
gr, eta, sig, D = S("g"), S("eta"), S("sigma"), S("D")
LAG = beta * eta * gr / (1 - beta)  # E[ema - theta] in steady state: the EMA trails by beta/(1-beta) steps
LAG_ASSUME = (sympy.Ge(beta, 0), sympy.Lt(beta, 1), sympy.Gt(eta, 0))
LAG_STATEMENT = sympy.Eq(D, LAG)
#: 99.9% half-width the run size guarantees (absolute; see the doc)
LAG_HW = 0.05
#: Var(ema - theta) <= beta^2 eta^2 sigma^2/(1 - beta^2) <= 1/(1 - 0.95^2) at eta = sigma = 1, beta <= 0.95
LAG_VAR = 1.0 / (1.0 - 0.95**2)


def _derive_lag():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(LAG_ASSUME), name="ema.lag")
    # d_t = ema_t - theta_t with theta+ = theta - eta (g + eps): d+ = beta (d + eta (g + eps));
    # in expectation D+ = beta (D + eta g), whose fixed point is beta eta g/(1 - beta)
    d.start(beta * (LAG + eta * gr)).eq(LAG, by="fixed point of D+ = beta (D + eta g)")
    # the lag in steps: a trajectory moving eta g per step is passed beta/(1-beta) steps earlier
    d.start(LAG / (eta * gr)).eq(beta / (1 - beta), by="divide by the drift per step")
    return d.check()


def _lag_runs() -> int:
    from theorykit.numeric.montecarlo import runs_for_halfwidth

    from ._stochastic import LEVEL

    return runs_for_halfwidth(LAG_VAR, LAG_HW, LEVEL)


def _measure_lag(params, ctx) -> float:
    """Mean of ema_T - theta_T over independent runs of SGD on the linear loss g theta, noise N(0, 1), step eta
    (eta <= 1, so the run size chosen for eta = 1 bounds the half-width)."""
    from theorykit.numeric.montecarlo import mean_interval

    from ._stochastic import LEVEL

    b, g_ = float(params["beta"]), float(params["g"])
    R = _lag_runs()
    theta = np.zeros(R)
    avg = np.zeros(R)
    for _ in range(math.ceil(12.0 / (1.0 - b))):  # beta^k <= exp(-k (1 - beta)) <= e^-12
        theta = theta - float(params.get("eta", 1.0)) * (g_ + ctx.rng.standard_normal(R))
        avg = b * avg + (1.0 - b) * theta
    return mean_interval(avg - theta, LEVEL).value()




EMA_LAG = Claim(
    id="ema.lag",
    title="The EMA of drifting SGD iterates trails them by beta/(1-beta) steps: E[ema - theta] = beta eta g/(1-beta)",
    statement=LAG_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(POLYAK_JUDITSKY,),
    derive=_derive_lag,
    assumptions=LAG_ASSUME,
    strategy=lambda: st.fixed_dictionaries({"beta": st.sampled_from([0.0, 0.3, 0.5, 0.8, 0.9, 0.95]),
                                            "g": st.sampled_from([0.1, 1.0, 3.0]),
                                            "eta": st.sampled_from([0.1, 0.5, 1.0])}),
    checks=(
        NumericCheck(
            name="mean_gap",
            description="Monte Carlo E[ema_T - theta_T] after the transient, SGD on a linear loss",
            measure=_measure_lag,
            measures=D,
            rtol=0.0,
            atol=LAG_HW + 4e-4,  # + the transient beta^k eta g/(1-beta) <= e^-12 * 57 = 3.5e-4
            examples=({"beta": 0.9, "g": 1.0, "eta": 1.0},),
        ),
    ),
    # the EMA trails by beta steps; by 1/(1 - beta) steps
    mutants=(sympy.Eq(D, beta * eta * gr), sympy.Eq(D, eta * gr / (1 - beta))),
    doc="""\
Setting: SGD on the linear loss f(theta) = g theta (a region where the iterates drift),
theta+ = theta - eta (g + eps), eps ~ N(0, sigma^2); EMA ema+ = beta ema + (1-beta) theta+, ema_0 = theta_0.

Claim (*tight*, identity): E[ema_t - theta_t] -> beta eta g/(1 - beta): the EMA tracks the
trajectory delayed by beta/(1 - beta) steps (its time average over that window) [1].

Derivation: d_t = ema_t - theta_t obeys d+ = beta (d + eta (g + eps)); the expectation's fixed
point is beta eta g/(1 - beta), i.e. beta/(1-beta) steps of drift eta g.

Check (Monte Carlo, 99.9%): eta = sigma = 1, beta <= 0.95, g in {0.1, 1, 3}; after
ceil(12/(1-beta)) steps the transient is <= e^-12 beta eta g/(1-beta) <= 3.5e-4. Var(d) <=
beta^2 eta^2 sigma^2/(1 - beta^2) <= 1/(1 - 0.95^2) (the stationary variance of the AR(1) d,
approached from d_0 = 0 from below), so R = ceil(z^2 * 10.26 / 0.05^2) runs give a half-width
<= 0.05 (atol 0.05 + 4e-4). Mutants: a lag of beta steps; a lag of 1/(1-beta) steps.
""",
)

CLAIMS = (EMA_VARIANCE, EMA_LAG)


# ============================================================== seed claims (issue 14, item 6)
from ._util import derivation, rounded  # noqa: E402  (the seed block is appended as one unit)
from .centralflow import CENTRAL_FLOWS  # noqa: E402

# ------------------------------------------------------------ ema.tracks_time_average
amp, mid, A_osc, m_c, tilt = S("amp"), S("mid"), S("A", positive=True), S("m"), S("tilt")
TA_STATEMENT = sympy.And(sympy.Eq(amp, A_osc * (1 - beta) / (1 + beta)), sympy.Eq(mid, m_c))
_TA_STEPS = 4000


def _derive_time_average():
    p_, q_, ye, yo = S("p"), S("q"), S("y_e"), S("y_o")
    d = derivation((beta >= 0, beta < 1), "ema.tracks_time_average")
    # a stationary EMA y <- beta y + (1 - beta) x of the 2-cycle x = p, q, p, ... is a 2-cycle y_e, y_o with
    # y_e = beta y_o + (1 - beta) p and y_o = beta y_e + (1 - beta) q; solve the linear pair
    sol = sympy.solve([sympy.Eq(ye, beta * yo + (1 - beta) * p_), sympy.Eq(yo, beta * ye + (1 - beta) * q_)], [ye, yo])
    d.start((sol[ye] + sol[yo]) / 2).eq((p_ + q_) / 2, by="its midpoint is the time average of the cycle")
    d.start((sol[ye] - sol[yo]) / 2).eq((p_ - q_) / 2 * (1 - beta) / (1 + beta), by="its half-swing shrinks by "
                                                                               "(1 - beta)/(1 + beta)")
    return d.check()


def _ta_gd(params):
    """GD with step eta > 2 on f(x) = sqrt(1 + x^2) + tilt x (curvature 1/(1 + x^2)^(3/2) <= 1 < 2/eta at the
    minimizer side: the edge of stability), from x0 = 0.3; returns the iterates and their EMA."""
    eta_, b_, t_ = float(params["eta"]), float(params["beta"]), float(params["tilt"])
    x, y, xs, ys = 0.3, 0.3, [], []
    for _ in range(_TA_STEPS):
        x = x - eta_ * (x / math.sqrt(1 + x * x) + t_)
        y = b_ * y + (1 - b_) * x
        xs.append(x)
        ys.append(y)
    return xs, ys


def _ta_amplitude(params, ctx) -> float:
    _, ys = _ta_gd(params)
    return abs(ys[-1] - ys[-2]) / 2


def _ta_midpoint(params, ctx) -> float:
    _, ys = _ta_gd(params)
    return (ys[-1] + ys[-2]) / 2


def _ta_half_swing(p) -> float:
    xs, _ = _ta_gd(p)
    if abs(xs[-1] - xs[-3]) > 1e-9 * max(1.0, abs(xs[-1])):
        raise ValueError("GD has not settled on a 2-cycle")
    return abs(xs[-1] - xs[-2]) / 2


def _ta_center(p) -> float:
    xs, _ = _ta_gd(p)
    return (xs[-1] + xs[-2]) / 2


_TA_BIND = {A_osc: _ta_half_swing, m_c: _ta_center}
_TA_EX = ({"eta": 3.0, "beta": 0.9, "tilt": 0.2},)

EMA_TIME_AVERAGE = Claim(
    id="ema.tracks_time_average",
    title="An EMA of GD iterates at the edge of stability tracks the oscillation's time average: centred on it, "
          "with the swing shrunk by (1 - beta)/(1 + beta)",
    statement=TA_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CENTRAL_FLOWS, POLYAK_JUDITSKY),
    derive=_derive_time_average,
    assumptions=(beta >= 0, beta < 1),
    strategy=lambda: st.fixed_dictionaries({"eta": st.sampled_from([2.5, 2.75, 3.0]), "beta": rounded(0.0, 0.99, 3),
                                            "tilt": st.sampled_from([0.0, 0.1, 0.2, 0.3])}),
    checks=(
        NumericCheck("ema_half_swing", "|y_T - y_(T-1)|/2 for the EMA y of 4000 GD iterates", _ta_amplitude,
                     measures=amp, bind=_TA_BIND, rtol=1e-6, atol=1e-12, examples=_TA_EX),
        NumericCheck("ema_midpoint", "(y_T + y_(T-1))/2 against the GD cycle's time average", _ta_midpoint,
                     measures=mid, bind=_TA_BIND, rtol=1e-6, atol=1e-12, examples=_TA_EX),
    ),
    mutants=(sympy.Eq(amp, A_osc * (1 - beta)),  # "an EMA multiplies the noise by 1 - beta"
             sympy.Eq(amp, 0)),  # the EMA sits still on the time average
    doc="""\
Setting: GD at the edge of stability does not converge: it settles on an oscillation whose time
average, not the minimizer, is what the central flow describes [1]. Here f(x) = sqrt(1 + x^2) + tilt x
(|tilt| <= 0.3) with eta in {2.5, 2.75, 3} > 2/f"(x*): GD falls on a stable 2-cycle p, q around a
centre m = (p + q)/2 away from the minimizer; the EMA y_(t+1) = beta y_t + (1 - beta) x_(t+1) of the
iterates, beta in [0, 0.99] (iterate averaging as in [2]).

Claim (*tight*, an identity): the EMA settles on a 2-cycle centred exactly on m, with half-swing
A (1 - beta)/(1 + beta), A = |p - q|/2: it tracks the time average, not the iterates (and lags a
drifting one by beta/(1 - beta) steps, ema.lag).

Derivation: solve the stationary pair y_e = beta y_o + (1 - beta) p, y_o = beta y_e + (1 - beta) q.

Checks: 4000 GD steps from x0 = 0.3 (the 2-cycle is checked to have settled to 1e-9); the EMA's last
two values against A(1 - beta)/(1 + beta) and m read off the last two GD iterates (rtol 1e-6; the
transient decays like beta^t and like the cycle's multiplier). Mutants: half-swing A(1 - beta); 0.
""",
)

CLAIMS = CLAIMS + (EMA_TIME_AVERAGE,)
