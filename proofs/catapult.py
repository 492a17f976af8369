"""The catapult phase of a wide two-layer linear network (Lewkowycz et al. 2020).

f(u, v) = n^{-1/2} v^T u x on one input x with target 0, loss L = f^2/2, GD with
step eta on (u, v). The NTK eigenvalue is lam = (||u||^2 + ||v||^2) x^2 / n.
Every measurement runs GD on (u, v) (``theorykit.numeric.catapult``) and reads f
and lam back from the parameters.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._util import S

__all__ = ["CLAIMS"]

LEWKOWYCZ = Source(
    key="Lewkowycz et al. 2020",
    authors="A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari",
    title="The large learning rate phase of deep learning: the catapult mechanism",
    year=2020,
    arxiv="2003.02218",
)

f, lam, eta, x, n = S("f"), S("lam"), S("eta"), S("x"), S("n")
h, c, q = S("h"), S("c"), S("q")  # h = eta lam0; c = f0^2 x^2 / (n lam0^2); q = eta^2 f^2 x^2 / n
u1, u2, v1, v2 = (S(k) for k in ("u1", "u2", "v1", "v2"))
f0, lam0 = S("f0"), S("lam0")

# The exact one-step map of (f, lam), derived below.
F_NEXT = f * (1 - eta * lam + eta**2 * f**2 * x**2 / n)
LAM_NEXT = lam + eta * f**2 * x**2 / n * (eta * lam - 4)
# Exact finite-n spike boundary: |f_1| > |f_0| iff c h^2 - h + 2 < 0, smallest root.
H_SPIKE = (1 - sympy.sqrt(1 - 8 * c)) / (2 * c)
STATEMENT = sympy.And(sympy.Eq(S("f_next"), F_NEXT), sympy.Eq(S("lam_next"), LAM_NEXT))
ASSUME = (sympy.Gt(eta, 0), sympy.Gt(n, 0), sympy.Gt(x, 0), sympy.Gt(lam, 0), sympy.Gt(f, 0))


def _derive():
    from theorykit.symbolic.derivation import Derivation

    extra = [sympy.Gt(h, 0), sympy.Lt(h, 4), sympy.Gt(q, 0), sympy.Gt(c, 0), sympy.Lt(c, sympy.Rational(1, 8))]
    d = Derivation(assume=[*ASSUME, *extra], name="catapult.regimes")
    a = S("a")  # a = eta f x / sqrt(n): u+ = u - a v, v+ = v - a u
    # (1) bilinearity, shown in two coordinates: (u - a v).(v - a u) and ||u - a v||^2 + ||v - a u||^2
    d.start((u1 - a * v1) * (v1 - a * u1) + (u2 - a * v2) * (v2 - a * u2)).eq(
        (1 + a**2) * (u1 * v1 + u2 * v2) - a * (u1**2 + u2**2 + v1**2 + v2**2), by="expand")
    d.start((u1 - a * v1) ** 2 + (u2 - a * v2) ** 2 + (v1 - a * u1) ** 2 + (v2 - a * u2) ** 2).eq(
        (1 + a**2) * (u1**2 + u2**2 + v1**2 + v2**2) - 4 * a * (u1 * v1 + u2 * v2), by="expand")
    # (2) with v^T u = f sqrt(n)/x, ||u||^2 + ||v||^2 = lam n / x^2, a = eta f x / sqrt(n)
    A = eta * f * x / sympy.sqrt(n)
    d.start(x / sympy.sqrt(n) * ((1 + A**2) * f * sympy.sqrt(n) / x - A * lam * n / x**2)).eq(
        F_NEXT, by="f+ = x/sqrt(n) v+^T u+")
    d.start(x**2 / n * ((1 + A**2) * lam * n / x**2 - 4 * A * f * sympy.sqrt(n) / x)).eq(
        LAM_NEXT, by="lam+ = x^2/n (||u+||^2 + ||v+||^2)")
    # (3) regimes. lam moves by eta f^2 x^2/n (eta lam - 4): down iff eta lam < 4.
    d.start(LAM_NEXT - lam).eq(eta * f**2 * x**2 / n * (eta * lam - 4), by="collect")
    d.start(eta * f**2 * x**2 / n * (h - 4)).lt(0, by="with h = eta lam: 0 < h < 4 and f != 0")
    # f+/f = 1 - h + q: the loss rises at step 1 iff 1 - h + q < -1, i.e. c h^2 - h + 2 < 0
    # (q = c h^2 with c = f^2 x^2 / (n lam^2)); the boundary is the smaller root H_SPIKE.
    d.start(c * H_SPIKE**2 - H_SPIKE + 2).eq(0, by="H_SPIKE is a root of c h^2 - h + 2")
    d.start(H_SPIKE).eq(4 / (1 + sympy.sqrt(1 - 8 * c)), by="rationalize: -> 2 as c -> 0 (n -> oo)")
    return d.check()


# ------------------------------------------------------------------ measurements
def _instance(p, seed: int):
    """(u, v) for the example: seeded from (run seed, n, f0, lam0, x), not from h, so every
    step size of one example starts from the same network (reproducible from the seed)."""
    from theorykit.numeric.catapult import initial_params

    words = [seed, int(p["n"]), *(round(float(p[k]) * 1e6) for k in ("f0", "lam0", "x"))]
    return initial_params(int(p["n"]), p["f0"], p["lam0"], p["x"], np.random.default_rng(words))


@functools.lru_cache(maxsize=512)
def _cached_run(n, f0, lam0, x, h, seed, steps):
    # the long-run checks (final sharpness, peak, lazy ratio) share one run per example
    from theorykit.numeric.catapult import run_catapult

    uu, vv = _instance({"n": n, "f0": f0, "lam0": lam0, "x": x}, seed)
    return run_catapult(uu, vv, x, h / lam0, steps)


def _run(p, ctx, steps):
    return _cached_run(int(p["n"]), float(p["f0"]), float(p["lam0"]), float(p["x"]), float(p["h"]), ctx.seed, steps)


def _m_one_step_f(p, ctx):
    r = _run(p, ctx, 1)
    return r.f[1] / r.f[0]


def _m_one_step_lam(p, ctx):
    r = _run(p, ctx, 1)
    return r.lam[1] - r.lam[0]


def _m_spike(p, ctx):
    return _spike(int(p["n"]), float(p["f0"]), float(p["lam0"]), float(p["x"]), ctx.seed)


@functools.lru_cache(maxsize=256)
def _spike(n, f0, lam0, x, seed):
    # shared by spike_boundary and spike_boundary_wide (the same measurement, two predictions)
    from theorykit.numeric.catapult import spike_boundary

    uu, vv = _instance({"n": n, "f0": f0, "lam0": lam0, "x": x}, seed)
    return spike_boundary(uu, vv, x, steps=50, rtol=1e-8)


def _m_divergence(p, ctx):
    from theorykit.numeric.catapult import divergence_boundary

    uu, vv = _instance(p, ctx.seed)
    return divergence_boundary(uu, vv, p["x"], steps=200, rtol=1e-8)


_LONG = 1500  # steps: enough for the slowest converging catapult run in the strategies below


def _m_final_sharpness(p, ctx):
    """eta lam_T after a long run; inf when the run did not converge (loss not < L0)."""
    r = _run(p, ctx, _LONG)
    if r.diverged or not r.loss[-1] < 1e-6 * r.loss[0]:
        return math.inf
    return p["h"] / p["lam0"] * r.lam[-1]


def _m_peak(p, ctx):
    r = _run(p, ctx, _LONG)
    return float(r.loss.max() / r.loss[0])


def _m_lazy_ratio(p, ctx):
    r = _run(p, ctx, _LONG)
    if r.diverged or not r.loss[-1] < 1e-6 * r.loss[0]:
        return math.inf
    return r.lam[-1] / r.lam[0]


# ------------------------------------------------------------------ strategies
def _base(**extra):
    return st.fixed_dictionaries({
        "n": st.sampled_from([512, 2048]),
        "f0": st.sampled_from([0.5, 1.0]),
        "lam0": st.sampled_from([1.0, 2.0, 4.0]),
        "x": st.sampled_from([1.0, 0.5]),
        **extra,
    })


def _boundary_params():
    return _base(h=st.just(1.0))  # h is what the bisection finds; kept for a uniform key


def _catapult_params():
    return st.fixed_dictionaries({
        "n": st.sampled_from([512, 2048]), "f0": st.sampled_from([0.5, 1.0]), "lam0": st.sampled_from([1.0, 4.0]),
        "x": st.just(1.0), "h": st.sampled_from([2.2, 2.6, 3.0, 3.4, 3.8]),
    })


def _lazy_params():
    return st.fixed_dictionaries({
        "n": st.just(2048), "f0": st.sampled_from([0.5, 1.0]), "lam0": st.sampled_from([1.0, 2.0]),
        "x": st.just(1.0), "h": st.sampled_from([0.3, 1.0, 1.5, 1.8]),
    })


_EX = {"n": 2048, "f0": 1.0, "lam0": 2.0, "x": 1.0, "h": 1.0}
def _c_of(p):
    return p["f0"] ** 2 * p["x"] ** 2 / (p["n"] * p["lam0"] ** 2)


_BIND = {eta: lambda p: p["h"] / p["lam0"], lam: "lam0", f: "f0", c: _c_of}
# measured: f_1/f_0 and lam_1 - lam_0 after one step (the statement's map), the spike boundary (the
# smaller root, and its wide limit), the divergence boundary (where lam+ - lam changes sign), eta lam_T
# after a catapult, the peak loss over L0, and lam_T/lam0 in the lazy regime
f_ratio, dlam, h_spike, h_div, h_final, peak, lazy = (S(k) for k in (
    "f_ratio", "dlam", "h_spike", "h_div", "h_final", "peak", "lazy"))
CT_F = sympy.Eq(f_ratio, sympy.expand(F_NEXT / f))
CT_LAM = sympy.Eq(dlam, LAM_NEXT - lam)
CT_SPIKE = sympy.Eq(h_spike, H_SPIKE)
CT_SPIKE_WIDE = sympy.Eq(h_spike, sympy.limit(H_SPIKE, c, 0, "+"))
CT_DIVERGE = sympy.Eq(h_div, max(sympy.solve(sympy.factor(CT_LAM.rhs).subs(eta, h / lam), h)))  # h = 0 is the other root
CT_FINAL = sympy.Le(h_final, CT_SPIKE_WIDE.rhs)  # the catapult leaves eta lam below the lazy threshold
CT_PEAK = sympy.Ge(peak, 2)  # a chosen margin: the loss at least doubles
CT_LAZY = sympy.Eq(lazy, 1)

# In the wide limit the spike boundary is 2: H_SPIKE = 4/(1 + sqrt(1 - 8c)) = 2 + 4c + O(c^2).
# Over the strategy c <= 1/512 (f0 <= 1, x <= 1, lam0 >= 1, n >= 512), so the finite-n
# offset is at most 2c relative = 3.9e-3: rtol 4e-3 covers it and nothing more.
_WIDE_RTOL = 4e-3

CATAPULT_REGIMES = Claim(
    id="catapult.regimes",
    title="Catapult: lazy for eta lam0 < 2, catapult for 2 < eta lam0 < 4, divergence above 4",
    statement=STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(LEWKOWYCZ,),
    derive=_derive,
    assumptions=ASSUME,
    strategy=_boundary_params,
    checks=(
        NumericCheck(
            name="one_step_f", description="f_1/f_0 from one GD step on (u, v) vs 1 - eta lam + eta^2 f^2 x^2/n",
            measure=_m_one_step_f, relation=CT_F, bind=_BIND, rtol=1e-9,
            strategy=lambda: _base(h=st.sampled_from([0.5, 2.5, 3.5, 4.5])), examples=(_EX,)),
        NumericCheck(
            name="one_step_lambda", description="lam_1 - lam_0 from one GD step vs eta f^2 x^2/n (eta lam - 4)",
            # a difference of O(1) norms: round-off ~1e-16 * lam0 against a change ~1e-4
            measure=_m_one_step_lam, relation=CT_LAM, bind=_BIND, rtol=1e-8, atol=1e-13,
            strategy=lambda: _base(h=st.sampled_from([0.5, 2.5, 3.5, 4.5])), examples=(_EX,)),
        NumericCheck(
            name="spike_boundary", description="smallest eta lam0 where the loss ever exceeds L0 (bisection on "
            "50-step runs, rtol 1e-8) vs the exact finite-n root 4/(1 + sqrt(1 - 8c))",
            measure=_m_spike, relation=CT_SPIKE, bind=_BIND, rtol=1e-6, examples=(_EX,)),
        NumericCheck(
            name="spike_boundary_wide", description="the same measured spike boundary vs the wide-network limit 2",
            measure=_m_spike, relation=CT_SPIKE_WIDE, rtol=_WIDE_RTOL, examples=(_EX,)),
        NumericCheck(
            name="divergence_boundary", description="smallest eta lam0 where |f| blows up within 400 steps "
            "(bisection on 200-step runs, rtol 1e-8) vs 4",
            measure=_m_divergence, relation=CT_DIVERGE, rtol=1e-6, examples=(_EX,)),
        NumericCheck(
            name="catapult_final_sharpness", description="for 2 < eta lam0 < 4: eta lam_T after a 1500-step run "
            "that converged (inf otherwise) is <= 2", measure=_m_final_sharpness, relation=CT_FINAL,
            rtol=1e-6, strategy=_catapult_params, examples=({**_EX, "h": 3.0},)),
        NumericCheck(
            name="catapult_spike", description="for 2 < eta lam0 < 4 the loss peaks far above L0 (max_t L_t / L0 >= 2)",
            measure=_m_peak, relation=CT_PEAK, rtol=0.0, strategy=_catapult_params,
            # and the low end of the window (h = 2.2, lam0 = 1, n = 512), where the spike is smallest (3.4 L0):
            # the draws reached it only at some seeds, so whether peak >= 4 was refuted depended on the seed
            examples=({**_EX, "h": 3.0}, {"n": 512, "f0": 1.0, "lam0": 1.0, "x": 1.0, "h": 2.2})),
        NumericCheck(
            name="lazy_lambda", description="for eta lam0 < 2: lam_T / lam0 = 1 up to the O(1/n) drift "
            "(4-h)c/(2-h) <= 5.4e-3 over this strategy; rtol 1e-2",
            measure=_m_lazy_ratio, relation=CT_LAZY, rtol=1e-2, strategy=_lazy_params, examples=({**_EX, "h": 1.5},)),
    ),
    # the loss starts to spike at eta lam0 = 3; divergence above 3; above 2 (the quadratic-model
    # threshold); below 4/lam0 training stays lazy (eta lam_T = eta lam0); the loss never rises above L0
    mutants=(sympy.Eq(h_spike, 3), sympy.Eq(h_div, 3), sympy.Eq(h_div, 2), sympy.Eq(h_final, h),
             sympy.Le(peak, 1)),
    equivalent={"peak >= 3": "2 is a chosen margin for 'the loss spikes', not a derived constant: the peaks measured "
                "are 3.4 L0 and more, so a margin of 3 holds there too and no formula is at stake"},
    doc="""\
Setting: two-layer linear network f(u, v) = n^{-1/2} v^T u x, u, v in R^n, one input x > 0
with target 0, loss L = f^2/2; NTK eigenvalue lam = (||u||^2 + ||v||^2) x^2 / n.
Algorithm: GD u+ = u - eta dL/du, v+ = v - eta dL/dv; h = eta lam0.

Claim (*tight* thresholds, [1, Sec. 2]): the exact update of (f, lam) is
  f+ = f (1 - eta lam + eta^2 f^2 x^2 / n),   lam+ = lam + eta f^2 x^2 / n (eta lam - 4),
and there are three regimes: h < 2 lazy (lam stays lam0 + O(1/n), the loss decreases);
2 < h < 4 catapult (the loss spikes, lam falls below 2/eta, then GD converges); h > 4
divergence (lam only grows). At width n the spike starts exactly at
h* = 4/(1 + sqrt(1 - 8c)) = 2 + 4c + O(c^2), c = f0^2 x^2/(n lam0^2) (first-step condition
1 - h + c h^2 < -1; if step 1 does not raise the loss, lam drops and no later step does);
the divergence boundary is exactly 4 at every width, since sign(lam+ - lam) = sign(h - 4).

Derivation: the update of (u, v) expanded by bilinearity (two coordinates), then
substituted into f = x v^T u / sqrt(n) and lam; the sign of lam+ - lam; the root h*.

Checks: one GD step on (u, v) vs the (f, lam) map (rtol 1e-9 / 1e-8); the spike boundary by
bisection on 50-step runs vs h* (rtol 1e-6) and vs the wide limit 2 (rtol 2.5e-3, the
largest finite-n offset 2c over the strategy, c <= 1/512); the divergence boundary by
bisection on 200-step runs vs 4 (rtol 1e-6); for h in (2, 4) a 1500-step run converges
with eta lam_T <= 2 and max loss >= 2 L0; for h < 2, lam_T/lam0 = 1 within 1e-2.
""",
)

CLAIMS = (CATAPULT_REGIMES,)
