"""Learning-rate schedules (``theorykit.symbolic.schedules``): averages and monotonicity.

The numeric checks evaluate the schedule objects of ``theorykit.symbolic.schedules``
(the same ones the NQM checks and figures take), sum or integrate them, and
compare with the claims' closed forms; they never evaluate the closed form
under test to produce the measurement.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck
from theorykit.symbolic import schedules as sch

from ._stochastic import GOYAL, LOSHCHILOV, WU
from ._util import S, rounded

__all__ = ["CLAIMS"]

k, T, a0, am, Kc, bt, g = (S(v) for v in ("k", "T", "alpha0", "alpha_min", "K", "beta", "gamma"))
avg, avg_d = S("avg"), S("avg_steps")  # mean over [0, T]; mean over the steps k = 0..T-1

# ============================================================== schedule.cosine_average
COS = am + (a0 - am) * (1 + sympy.cos(sympy.pi * k / T)) / 2
CONT_AVG = (a0 + am) / 2
DISC_AVG = (a0 + am) / 2 + (a0 - am) / (2 * T)
CA_ASSUME = (sympy.Gt(T, 0), sympy.Gt(a0, 0), sympy.Ge(am, 0), sympy.Le(am, a0))
CA_STATEMENT = sympy.And(sympy.Eq(avg, CONT_AVG), sympy.Eq(avg_d, DISC_AVG))


def _derive_cosine_average():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=[*CA_ASSUME, sympy.Ge(k, 0), sympy.Le(k, T)], name="schedule.cosine_average")
    # continuous: an antiderivative of the schedule is F(k) = (a0+am) k/2 + (a0-am) T/(2 pi) sin(pi k/T)
    F = (a0 + am) * k / 2 + (a0 - am) * T / (2 * sympy.pi) * sympy.sin(sympy.pi * k / T)
    d.start(sympy.diff(F, k)).eq(COS, by="F' is the schedule")
    d.start((F.subs(k, T) - F.subs(k, 0)) / T).eq(CONT_AVG, by="sin(pi) = sin(0) = 0")
    # discrete (k = 0..T-1): cos(pi k/T) and cos(pi (T-k)/T) cancel in pairs, leaving k = 0, so
    # sum_k cos(pi k/T) = 1 and the average is (a0+am)/2 + (a0-am)/(2T)
    d.start(sympy.cos(sympy.pi * k / T) + sympy.cos(sympy.pi * (T - k) / T)).eq(0, by="cos(pi - x) = -cos x")
    d.start((T * (a0 + am) / 2 + (a0 - am) / 2 * 1) / T).eq(DISC_AVG, by="sum over k = 0..T-1")
    return d.check()


def _schedule(params):
    alpha0 = float(params["alpha0"])
    return sch.cosine(alpha0, int(params["T"]), alpha0 * float(params["min_frac"]))


def _measure_discrete(params, ctx) -> float:
    return float(np.mean(sch.values(_schedule(params), int(params["T"]))))


def _measure_continuous(params, ctx) -> float:
    from scipy.integrate import quad

    s = _schedule(params)
    fn = sympy.lambdify(s.k, s.expr, modules="math")
    Tn = int(params["T"])
    # half a cosine period over [0, T] is smooth: adaptive Gauss-Kronrod meets epsrel 1e-12
    val, _ = quad(fn, 0.0, float(Tn), limit=200, epsabs=0.0, epsrel=1e-12)
    return val / Tn


_CA_BIND = {am: lambda p: float(p["alpha0"]) * float(p["min_frac"])}


def _ca_params():
    return st.fixed_dictionaries({
        "alpha0": rounded(0.001, 3.0, 6),
        "min_frac": st.one_of(st.just(0.0), rounded(0.0, 1.0)),  # 0 <= alpha_min <= alpha0
        "T": st.integers(1, 20000),
    })


SCHEDULE_COSINE_AVERAGE = Claim(
    id="schedule.cosine_average",
    title="A cosine cycle from alpha0 to alpha_min averages (alpha0 + alpha_min)/2",
    statement=CA_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LOSHCHILOV,),
    derive=_derive_cosine_average,
    assumptions=CA_ASSUME,
    strategy=_ca_params,
    checks=(
        NumericCheck(
            name="continuous_average",
            description="adaptive quadrature of the cosine schedule over [0, T], divided by T",
            measure=_measure_continuous,
            measures=avg,
            bind=_CA_BIND,
            rtol=1e-9,  # quad at epsrel 1e-12
            examples=({"alpha0": 1.0, "min_frac": 0.0, "T": 100},),
        ),
        NumericCheck(
            name="discrete_average",
            description="mean of the schedule over steps k = 0..T-1 (float sum)",
            measure=_measure_discrete,
            measures=avg_d,
            bind=_CA_BIND,
            rtol=1e-10,  # a float sum of T <= 2e4 terms: relative round-off <= T eps ~ 4e-12
            examples=({"alpha0": 1.0, "min_frac": 0.0, "T": 100},),
        ),
    ),
    mutants=(  # exactly the continuous average at every T; alpha_min ignored; 2/pi for 1/2
        sympy.Eq(avg_d, CONT_AVG), sympy.Eq(avg, a0 / 2), sympy.Eq(avg, am + 2 * (a0 - am) / sympy.pi)),
    doc="""\
Setting: cosine annealing [1] over one cycle of T steps,
alpha(k) = alpha_min + (alpha0 - alpha_min)(1 + cos(pi k/T))/2, 0 <= alpha_min <= alpha0.

Claim (*tight*, identities): (1/T) int_0^T alpha(k) dk = (alpha0 + alpha_min)/2 (alpha0/2 when
alpha_min = 0); over the integer steps k = 0..T-1 the mean is
(alpha0 + alpha_min)/2 + (alpha0 - alpha_min)/(2T).

Derivation: antiderivative F(k) = (alpha0+alpha_min)k/2 + (alpha0-alpha_min) T/(2 pi) sin(pi k/T);
for the sum, cos(pi k/T) + cos(pi (T-k)/T) = 0 pairs the terms k and T-k, leaving k = 0.

Checks: adaptive quadrature (scipy.integrate.quad, epsrel 1e-12; rtol 1e-9) and the float
mean over steps (rtol 1e-10) of schedules built by theorykit.symbolic.schedules.cosine,
T up to 2e4. Mutants: exactly (alpha0+alpha_min)/2 at every T (refuted at small T);
alpha0/2 ignoring alpha_min; alpha_min + 2(alpha0 - alpha_min)/pi.
""",
)

# ============================================================== schedule.monotone
POLY_DERIV = -bt * a0 / (Kc * (1 + k / Kc) ** (bt + 1))
EXP_DERIV = a0 * g**k * sympy.log(g)
MO_ASSUME = (sympy.Gt(a0, 0), sympy.Gt(Kc, 0), sympy.Ge(bt, 0), sympy.Gt(g, 0), sympy.Le(g, 1), sympy.Ge(k, 0))
# max_k (alpha(k+1) - alpha(k))/alpha0 over the horizon: for the decaying schedules (cosine: one
# cycle), for linear warmup over W steps, and for the cosine over [0, 2T] (past its cycle it rises again)
rise, rise_warmup, rise_beyond = S("rise"), S("rise_warmup"), S("rise_beyond")
MO_STATEMENT = sympy.And(sympy.Le(POLY_DERIV, 0), sympy.Le(EXP_DERIV, 0), sympy.Le(rise, 0),
                         sympy.Eq(rise_warmup, 1 / S("W")), sympy.Le(rise_beyond, sympy.sin(sympy.pi / (2 * T))))


def _derive_monotone():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(MO_ASSUME), name="schedule.monotone")
    d.start(sympy.diff(a0 / (1 + k / Kc) ** bt, k)).eq(POLY_DERIV, by="chain rule").le(0, by="every factor signed")
    d.start(sympy.diff(a0 * g**k, k)).eq(EXP_DERIV, by="d/dk g^k = g^k log g").le(0, by="log g <= 0 for g <= 1")
    # step: alpha0 g^floor(k/S) - alpha0 g^(floor(k/S)+1) = alpha0 g^j (1 - g) >= 0 at each drop
    j = S("j")
    d.start(a0 * g**j - a0 * g ** (j + 1)).eq(a0 * g**j * (1 - g), by="factor").ge(0, by="g <= 1")
    return d.check()


def _build(params) -> sch.Schedule:
    kind, a = params["kind"], float(params["alpha0"])
    if kind == "polynomial":
        return sch.polynomial(a, float(params["K"]), float(params["beta"]))
    if kind == "exponential":
        return sch.exponential(a, float(params["gamma"]))
    if kind == "step":
        return sch.step(a, float(params["gamma"]), int(params["every"]))
    if kind == "cosine":
        return sch.cosine(a, int(params["T"]))
    return sch.linear_warmup(a, int(params["W"]))


def _max_increase(params, ctx) -> float:
    """max over consecutive steps k = 0..horizon-1 of alpha(k+1) - alpha(k), relative to alpha0."""
    v = sch.values(_build(params), int(params["horizon"]) + 1)
    return float(np.max(np.diff(v))) / float(params["alpha0"])


def _mo_params(kinds=("polynomial", "exponential", "step", "cosine"), beyond=False):
    @st.composite
    def make(draw):
        kind = draw(st.sampled_from(kinds))
        T_ = draw(st.integers(2, 2000))
        p = {"kind": kind, "alpha0": draw(rounded(0.001, 3.0, 6)), "horizon": T_}
        if kind == "polynomial":  # K in [1, 1000] log-uniform, beta >= 0
            p.update(K=draw(rounded(0.0, 3.0, 3).map(lambda e: round(10.0**e, 3))), beta=draw(rounded(0.0, 4.0, 3)))
        elif kind in ("exponential", "step"):  # 0 < gamma <= 1
            p.update(gamma=draw(rounded(0.3, 1.0, 4)), every=draw(st.integers(1, 50)))
        elif kind == "cosine":
            p.update(T=T_, horizon=2 * T_ if beyond else T_)
        else:
            p.update(W=draw(st.integers(2, T_)))
        return p

    return make()


SCHEDULE_MONOTONE = Claim(
    id="schedule.monotone",
    title="Polynomial, exponential, step and (on one cycle) cosine schedules never increase",
    statement=MO_STATEMENT,
    kind=Kind.UPPER_BOUND,
    sources=(WU, LOSHCHILOV, GOYAL),
    derive=_derive_monotone,
    assumptions=MO_ASSUME,
    strategy=_mo_params,
    checks=(
        NumericCheck(
            name="max_increase",
            description="max_k (alpha(k+1) - alpha(k)) / alpha0 over the horizon (cosine: one cycle)",
            measure=_max_increase,
            measures=rise,
            rtol=0.0,
            atol=1e-15,  # relative float round-off of alpha(k+1) - alpha(k)
            examples=({"kind": "polynomial", "alpha0": 1.0, "K": 10.0, "beta": 1.0, "horizon": 100},
                      {"kind": "cosine", "alpha0": 1.0, "T": 100, "horizon": 100}),
        ),
        NumericCheck(
            name="warmup_rise",
            description="max_k (alpha(k+1) - alpha(k)) / alpha0 of linear warmup over W steps (and beyond)",
            measure=_max_increase, measures=rise_warmup,
            rtol=1e-10,  # a difference of floats <= alpha0, relative to alpha0/W >= alpha0/2000
            strategy=lambda: _mo_params(kinds=("linear_warmup",)),
            examples=({"kind": "linear_warmup", "alpha0": 1.0, "W": 100, "horizon": 150},),
        ),
        NumericCheck(
            name="cosine_beyond_cycle",
            description="max_k (alpha(k+1) - alpha(k)) / alpha0 of the cosine schedule over [0, 2T]",
            measure=_max_increase, measures=rise_beyond,
            rtol=1e-10,  # as above, relative to sin(pi/(2T)) >= 7.8e-4
            strategy=lambda: _mo_params(kinds=("cosine",), beyond=True),
            examples=({"kind": "cosine", "alpha0": 1.0, "T": 101, "horizon": 202},),
        ),
    ),
    # the cosine keeps decreasing past k = T; linear warmup never increases the lr
    mutants=(sympy.Le(rise_beyond, 0), sympy.Le(rise_warmup, 0)),
    doc="""\
Setting: the schedules of theorykit.symbolic.schedules at steps k = 0, 1, ...: polynomial
alpha0/(1 + k/K)^beta [1] (beta >= 0), exponential alpha0 gamma^k and step alpha0 gamma^floor(k/S)
(0 < gamma <= 1), cosine over one cycle [2]; linear warmup [3] is the counterexample.

Claim (*upper*: alpha(k+1) - alpha(k) <= 0): these schedules are nonincreasing; the
cosine one only on its cycle [0, T]; warmup increases.

Derivation: derivatives of the polynomial and exponential schedules are <= 0 (signs of the
factors); each drop of the step schedule is alpha0 g^j (1 - g) >= 0. The cosine case is
covered by the numeric check only (the step checker cannot show sin >= 0 on [0, pi]).

Checks: the largest increase between consecutive steps over horizons up to 2000, relative to
alpha0, is <= 1e-15 (round-off); for linear warmup it is exactly 1/W; past its cycle the cosine
rises again, by at most sin(pi/(2T)) alpha0 per step (cos(A + d) - cos A = -2 sin(A + d/2) sin(d/2),
equality for odd T). Mutants: cosine still nonincreasing past its cycle (horizon 2T) and warmup
"nonincreasing", both refuted by the measured rise.
""",
)

# ============================================================== schedule.endpoints
W = S("W")
WARM = a0 * k / W  # the ramp part of linear_warmup
POLY_HALF = Kc * (2 ** (1 / bt) - 1)  # alpha0/(1 + k/K)^beta = alpha0/2
EXP_HALF = sympy.log(2) / sympy.log(1 / g)  # alpha0 gamma^k = alpha0/2
EP_ASSUME = (sympy.Gt(a0, 0), sympy.Ge(am, 0), sympy.Lt(am, a0), sympy.Gt(T, 0), sympy.Gt(W, 0), sympy.Gt(Kc, 0),
             sympy.Gt(bt, 0), sympy.Gt(g, 0), sympy.Lt(g, 1))
# the first integer step of each event: the cosine's minimum over [0, 2T], warmup reaching alpha0,
# the polynomial and the exponential schedule falling to alpha0/2
k_min, k_peak, kh, kh_exp = (S(v) for v in ("k_min", "k_peak", "k_half", "k_half_exp"))
EP_STATEMENT = sympy.And(sympy.Eq(k_min, T), sympy.Eq(k_peak, W), sympy.Eq(kh, sympy.ceiling(POLY_HALF)),
                         sympy.Eq(kh_exp, sympy.ceiling(EXP_HALF)))


def _derive_endpoints():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(EP_ASSUME), name="schedule.endpoints")
    d.start(COS.subs(k, 0)).eq(a0, by="cos 0 = 1")
    d.start(COS.subs(k, T)).eq(am, by="cos pi = -1")
    d.start(WARM.subs(k, W)).eq(a0, by="the ramp reaches alpha0 at k = W")
    d.start(a0 / (1 + POLY_HALF / Kc) ** bt).eq(a0 / 2, by="(2^(1/beta))^beta = 2")
    d.start(a0 * g**EXP_HALF).eq(a0 / 2, by="gamma^(log 2/log(1/gamma)) = 1/2")
    return d.check()


def _first_step(params, ctx) -> float:
    """The first integer step at which the evaluated schedule meets its event:
    reaches alpha0 (warmup), reaches its minimum over [0, 2T] (cosine), or falls to alpha0/2."""
    kind, horizon = params["kind"], int(params["horizon"])
    v = sch.values(_build(params), horizon)
    a = float(params["alpha0"])
    if kind == "cosine":
        return float(np.argmin(v))
    if kind == "linear_warmup":
        hit = np.nonzero(v >= a * (1 - 1e-12))[0]  # 1e-12: float round-off of a k / W at k = W
    else:
        hit = np.nonzero(v <= a / 2 * (1 + 1e-12))[0]
    return float(hit[0]) if hit.size else math.inf


def _ep_params(kinds=("polynomial", "exponential", "cosine", "linear_warmup")):
    @st.composite
    def make(draw):
        kind = draw(st.sampled_from(kinds))
        p = {"kind": kind, "alpha0": draw(rounded(0.001, 3.0, 6))}
        if kind == "polynomial":
            p.update(K=draw(rounded(1.0, 250.0, 2)), beta=draw(rounded(0.25, 4.0, 2)))
            p["horizon"] = int(p["K"] * 2 ** (1 / p["beta"])) + 2  # past the crossing, whatever it is
        elif kind == "exponential":
            p.update(gamma=draw(rounded(0.3, 0.999, 3)))
            p["horizon"] = 2000
        elif kind == "cosine":
            p.update(T=draw(st.integers(1, 3000)))
            p["horizon"] = 2 * p["T"]
        else:
            p.update(W=draw(st.integers(1, 3000)))
            p["horizon"] = p["W"] + 5
        return p

    return make()


SCHEDULE_ENDPOINTS = Claim(
    id="schedule.endpoints",
    title="Schedule events: cosine ends at alpha_min at k = T, warmup reaches alpha0 at W, half-lives "
          "K(2^(1/beta) - 1) and log 2/log(1/gamma)",
    statement=EP_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LOSHCHILOV, GOYAL, WU),
    derive=_derive_endpoints,
    assumptions=EP_ASSUME,
    strategy=_ep_params,
    checks=tuple(
        NumericCheck(f"first_step_{kind}", f"first integer step of the evaluated {kind} schedule at its event",
                     _first_step, measures=sym, rtol=0.0, atol=0.0,  # integer steps: exact
                     strategy=lambda kind=kind: _ep_params((kind,)), examples=(ex,))
        for kind, sym, ex in (
            ("polynomial", kh, {"kind": "polynomial", "alpha0": 1.0, "K": 10.0, "beta": 2.0, "horizon": 42}),
            ("exponential", kh_exp, {"kind": "exponential", "alpha0": 1.0, "gamma": 0.9, "horizon": 2000}),
            ("cosine", k_min, {"kind": "cosine", "alpha0": 1.0, "T": 100, "horizon": 200}),
            ("linear_warmup", k_peak, {"kind": "linear_warmup", "alpha0": 1.0, "W": 100, "horizon": 105}))),
    mutants=(sympy.Eq(kh, sympy.ceiling(Kc * 2 ** (1 / bt))),  # the half-life without the -1
             sympy.Eq(kh_exp, sympy.ceiling(sympy.log(2) / (1 - g)))),  # first order in 1 - gamma
    doc="""\
Setting: the schedules of theorykit.symbolic.schedules evaluated at integer steps k:
cosine over one cycle of T steps [1], linear warmup over W steps [2], polynomial
alpha0/(1 + k/K)^beta [3] and exponential alpha0 gamma^k.

Claim (*tight*, identities): cosine(0) = alpha0 and cosine(T) = alpha_min (its minimum over
[0, 2T] is at k = T); warmup(W) = alpha0; the polynomial schedule halves at
k = K(2^(1/beta) - 1); the exponential one at k = log 2/log(1/gamma).

Derivation: cos 0 = 1, cos pi = -1; (2^(1/beta))^beta = 2; gamma^(log 2/log(1/gamma)) = 1/2.

Check: the first integer step at which the evaluated schedule (NumPy, via values()) reaches
its event equals the ceiling of the closed form (exact). Mutants: polynomial half-life
K 2^(1/beta); exponential half-life log 2/(1 - gamma) (first-order in 1 - gamma).
""",
)

CLAIMS = (SCHEDULE_COSINE_AVERAGE, SCHEDULE_MONOTONE, SCHEDULE_ENDPOINTS)


# ============================================================== seed claims (issue 14, item 6)
# ------------------------------------------------------------ schedule.cosine_pinned
H, top = S("H"), S("top")
PIN_AVG = (a0 + am) * T / (2 * H) + am * (1 - T / H)
PIN_STATEMENT = sympy.And(sympy.Eq(avg, PIN_AVG), sympy.Eq(top, am))


def _derive_cosine_pinned():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=[*CA_ASSUME, sympy.Ge(H, T)], name="schedule.cosine_pinned")
    # over [0, T] the cosine integrates to T (a0 + am)/2 (schedule.cosine_average); after T it is am
    F = (a0 + am) * k / 2 + (a0 - am) * T / (2 * sympy.pi) * sympy.sin(sympy.pi * k / T)
    d.start(sympy.diff(F, k)).eq(COS, by="F' is the cosine part")
    d.start((F.subs(k, T) - F.subs(k, 0) + am * (H - T)) / H).eq(PIN_AVG, by="plus am (H - T) after T")
    # the schedule the catalog builds (sch.cosine) keeps the cosine after T: at 2T it is back at a0
    d.start(COS.subs(k, 2 * T)).eq(a0, by="cos(2 pi) = 1: the unpinned cosine rises again")
    return d.check()


def _pinned(params) -> sch.Schedule:
    """The seed's definition: alpha(k) = cosine from alpha0 to alpha_min for k <= T, pinned to alpha_min after."""
    alpha0 = sympy.nsimplify(params["alpha0"])
    amin, Tn = alpha0 * sympy.nsimplify(params["min_frac"]), int(params["T"])
    cos_part = sch.cosine(alpha0, Tn, amin)
    return sch.Schedule("cosine_pinned", sympy.Piecewise((cos_part.expr, cos_part.k <= Tn), (amin, True)), cos_part.k)


def _pinned_average(params, ctx) -> float:
    """Adaptive quadrature of the pinned schedule over [0, H], H = horizon_frac * T, divided by H."""
    from scipy.integrate import quad

    s = _pinned(params)
    fn = sympy.lambdify(s.k, s.expr, modules="math")
    Tn, Hn = float(params["T"]), float(params["T"]) * float(params["horizon_frac"])
    val = quad(fn, 0.0, Tn, limit=200, epsabs=0.0, epsrel=1e-12)[0]
    if Hn > Tn:  # quadrature on each smooth piece (the kink at T would slow it down)
        val += quad(fn, Tn, Hn, limit=200, epsabs=0.0, epsrel=1e-12)[0]
    return val / Hn


def _largest_after_T(params, ctx) -> float:
    """max of the schedule's values at steps T+1 .. H (discrete)."""
    Tn = int(params["T"])
    Hn = max(int(round(Tn * float(params["horizon_frac"]))), Tn + 1)
    return float(np.max(sch.values(_pinned(params), Hn - Tn, start=Tn + 1)))


def _pin_params():
    return st.fixed_dictionaries({"alpha0": st.sampled_from([0.001, 0.1, 1.0, 3.0]),
                                  "min_frac": st.sampled_from([0.0, 0.01, 0.1, 0.5]),
                                  "T": st.integers(1, 5000), "horizon_frac": st.sampled_from([1.0, 1.5, 2.0, 4.0])})


_PIN_BIND = {am: lambda p: float(p["alpha0"]) * float(p["min_frac"]),
             H: lambda p: float(p["T"]) * float(p["horizon_frac"])}
_PIN_EX = ({"alpha0": 1.0, "min_frac": 0.1, "T": 100, "horizon_frac": 2.0},)

SCHEDULE_COSINE_PINNED = Claim(
    id="schedule.cosine_pinned",
    title="A cosine schedule pinned to alpha_T after T stays there and averages "
          "(alpha0 + alpha_T) T/(2H) + alpha_T (1 - T/H) over a horizon H >= T",
    statement=PIN_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LOSHCHILOV,),
    derive=_derive_cosine_pinned,
    assumptions=(*CA_ASSUME, sympy.Ge(H, T)),
    strategy=_pin_params,
    checks=(
        NumericCheck("pinned_average", "adaptive quadrature of the pinned schedule over [0, H], divided by H",
                     _pinned_average, measures=avg, bind=_PIN_BIND, rtol=1e-9, examples=_PIN_EX),
        NumericCheck("largest_after_T", "max of the schedule at steps T+1..H", _largest_after_T, measures=top,
                     bind=_PIN_BIND, rtol=1e-12, atol=1e-15, examples=_PIN_EX),
    ),
    mutants=(sympy.Eq(top, a0),  # the periodic cosine (schedule.cosine_average's), back at alpha0 by 2T
             sympy.Eq(avg, (a0 + am) / 2)),  # the one-cycle average carried past T
    doc="""\
Setting: the seed's cosine schedule alpha(k) = alpha_T + (alpha0 - alpha_T)(1 + cos(pi k/T))/2 for
0 <= k <= T and alpha(k) = alpha_T for k > T (alpha_T = alpha_min >= 0), run for a horizon H >= T.
The catalog's sch.cosine keeps the cosine after T, so it rises back to alpha0 at 2T (schedule.monotone
checks it on one cycle only); this is the pinned variant [1].

Claim (*tight*, an identity): after T the schedule equals alpha_T (its largest value on (T, H] is alpha_T),
and its average over [0, H] is (alpha0 + alpha_T) T/(2H) + alpha_T (1 - T/H).

Derivation: an antiderivative of the cosine part is F(k) = (alpha0 + alpha_T) k/2 + (alpha0 - alpha_T)
T/(2 pi) sin(pi k/T); add alpha_T (H - T).

Checks: the schedule built as a SymPy Piecewise from sch.cosine, integrated by adaptive quadrature
(rtol 1e-9) and evaluated at steps T+1..H; T up to 5000, H/T in {1, 1.5, 2, 4}. Mutants: the
unpinned cosine's top value alpha0; the one-cycle average (alpha0 + alpha_T)/2 past T.
""",
)

CLAIMS = CLAIMS + (SCHEDULE_COSINE_PINNED,)
