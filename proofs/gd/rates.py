"""Gradient descent convergence rates: convex O(1/N), the exact 1/(4N+2) worst case,
and the nonconvex gradient-norm bound. (Same ``gd`` family as ``one_step.py``.)
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, PepOracle

from .. import _vector_catalog
from .. import _vector_derivations

from .._util import (
    BECK_TEBOULLE,
    BOTTOU_CURTIS_NOCEDAL,
    DRORI_TEBOULLE,
    NESTEROV,
    PEPIT,
    TAYLOR_HENDRICKX_GLINEUR,
    S,
    oracle_predictor,
    rotated_quadratic,
    rounded,
    spectrum,
)
from .one_step import logistic_problem

__all__ = ["CLAIMS"]

L, R, N, T, h = S("L"), S("R"), S("N"), S("T"), S("h")
f_N, f_star, f0, f_inf, m = S("f_N"), S("f_star"), S("f_0"), S("f_inf"), S("m")
g1, g2, r1, r2 = S("g1"), S("g2"), S("r1"), S("r2")
D0, D1, D2, D3 = S("D0"), S("D1"), S("D2"), S("D3")
e1, e2, e3 = S("e1"), S("e2"), S("e3")
delta = S("delta")

CONVEX_BOUND = L * R**2 / (2 * N)
TIGHT_BOUND = L * R**2 / (4 * N + 2)


def _lmax(p):
    return max(p["eigenvalues"])


# --------------------------------------------------------------------------- measures
def _run_gd(prob, x0, lr, steps, record=("loss",)):
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.methods import run

    tr = run("gd", prob, x0, lr, steps, record=record)
    return {r: to_numpy(getattr(tr, r)) for r in record}, tr


def _quadratic_gap(params, ctx) -> float:
    """max over 8 starts of f(x_N) - f* after N GD steps of size h/L, on a PSD
    quadratic (b = 0, so f* = 0), every start at distance exactly R from the
    nearest minimizer (its component in the null space is kept: it is part of x*)."""
    ev = np.asarray(params["eigenvalues"], dtype=float)
    prob, q = rotated_quadratic(ev, ctx.rng, ctx.xp)
    c = ctx.rng.standard_normal((8, ev.size))
    pos = ev > 0
    c[:, pos] *= params["R"] / np.linalg.norm(c[:, pos], axis=1, keepdims=True)
    x0 = ctx.xp.asarray(c @ q.T)
    logs, _ = _run_gd(prob, x0, params["h"] / prob.L, params["N"])
    return float(np.max(logs["loss"][-1]))


def _huber_gap(params, ctx) -> float:
    """f(x_N) - f* for GD with step h/L on the 1-D Huber function of Drori & Teboulle
    (threshold R/(2N+1)), started at x0 = R."""
    from theorykit.numeric.problems import Huber1D

    prob = Huber1D.worst_case_for_gd(params["L"], params["N"], params["R"], xp=ctx.xp)
    logs, _ = _run_gd(prob, ctx.xp.asarray([params["R"]]), params["h"] / prob.L, params["N"])
    return float(logs["loss"][-1]) - prob.f_star


def _newton_minimize(prob, xp):
    """x* of a strongly convex problem by damped Newton (Armijo backtracking)."""
    w = xp.zeros((prob.dim,), dtype=xp.float64)
    fw = float(prob.loss(w))
    for _ in range(100):
        g = prob.grad(w)
        if float(xp.linalg.vector_norm(g)) < 1e-13:
            break
        step = xp.linalg.solve(prob.hessian(w), g)
        t = 1.0
        while t > 1e-12:
            cand = w - t * step
            fc = float(prob.loss(cand))
            if fc <= fw - 1e-4 * t * float(xp.sum(g * step)):
                break
            t /= 2
        w, fw = cand, fc
    return w, fw


def _logistic_gap(params, ctx) -> float:
    """(f(x_N) - f*) / (L R^2) on ridge-regularized logistic regression, x0 = x* + R u
    with R = 1 and u a random unit vector; f*, x* by Newton to round-off."""
    prob = logistic_problem(params, ctx)
    xp = ctx.xp
    x_star, f_star_val = _newton_minimize(prob, xp)
    u = ctx.rng.standard_normal((8, prob.dim))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    logs, _ = _run_gd(prob, x_star[None, :] + xp.asarray(u), params["h"] / prob.L, params["N"])
    return float(np.max(logs["loss"][-1] - f_star_val)) / prob.L


def _steps():
    return st.integers(1, 30)


def _quadratic_params(h=st.just(1.0)):
    return st.fixed_dictionaries(
        {
            "eigenvalues": spectrum(dim=(1, 6), lo=0.01, hi=10.0, zeros=True),
            "N": _steps(),
            "R": rounded(0.1, 10.0),
            "h": h,
        }
    )


def _huber_params():
    return st.fixed_dictionaries(
        {
            "L": rounded(0.1, 10.0),
            "N": _steps(),
            "R": rounded(0.1, 10.0),
            "h": st.just(1.0),
        }
    )


def _logistic_params():
    return st.fixed_dictionaries(
        {
            "n": st.integers(2, 40),
            "dim": st.integers(1, 5),
            "scale": st.sampled_from([0.3, 1.0, 4.0]),
            "reg": st.sampled_from([0.01, 0.5]),  # > 0 so that x* exists
            "N": _steps(),
            "h": st.just(1.0),
        }
    )


QUAD_CANON = {"eigenvalues": (0.0, 0.1, 1.0), "N": 10, "R": 1.0, "h": 1.0}
HUBER_CANON = {"L": 1.0, "N": 10, "R": 1.0, "h": 1.0}
LOGI_CANON = {"n": 20, "dim": 3, "scale": 1.0, "reg": 0.01, "N": 10, "h": 1.0}


gap = S("gap")  # f(x_N) - f*, the statement's left side as one measured quantity


def _checks(statement, *, tight_huber: bool):
    """Checks shared by the two convex-rate claims (same measures, each claim's own bound)."""
    bound = sympy.Le(gap, statement.rhs)
    return (
        NumericCheck(
            name="huber_worst_case",
            description="f(x_N) - f* on the Drori-Teboulle Huber function, x0 = R",
            measure=_huber_gap, relation=sympy.Eq(gap, bound.rhs) if tight_huber else bound,
            rtol=1e-9,  # N steps of exact clipping: round-off only
            strategy=_huber_params, examples=(HUBER_CANON,),
        ),
        NumericCheck(
            name="quadratic_upper",
            description="max over 8 starts of f(x_N) - f* on PSD quadratics (singular ones included)",
            measure=_quadratic_gap, relation=bound, bind={L: _lmax}, rtol=1e-9, atol=1e-12,
            examples=(QUAD_CANON,),
        ),
        NumericCheck(
            name="logistic_upper",
            description="(f(x_N) - f*) / (L R^2) on ridge logistic regression",
            measure=_logistic_gap, relation=bound,
            bind={L: 1.0, R: 1.0},  # the logistic measure is normalized by L R^2
            rtol=1e-9, atol=1e-12, strategy=_logistic_params, examples=(LOGI_CANON,),
        ),
    )


def _pep_gd(n: int) -> float:
    from theorykit.claims.pep import gd_worst_case

    return gd_worst_case(n, L=1.0, h=1.0, R=1.0)


# ============================================================== gd.convex_rate
CR_ASSUME = (sympy.Gt(L, 0), sympy.Ge(D1, 0), sympy.Ge(D2, 0), sympy.Ge(D3, 0), sympy.Le(e3, e1), sympy.Le(e3, e2))


def _derive_convex_rate():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(CR_ASSUME), name="gd.convex_rate")
    # One step with eta = 1/L (g = grad f(x_k), r = x_k - x*, two coordinates): the descent
    # lemma gives f(x_{k+1}) <= f(x_k) - |g|^2/(2L), convexity gives f(x_k) - f* <= g^T r, so
    # f(x_{k+1}) - f* <= g^T r - |g|^2/(2L), which is this exact identity in distances:
    d.start(g1 * r1 + g2 * r2 - (g1**2 + g2**2) / (2 * L)).eq(
        L / 2 * ((r1**2 + r2**2) - ((r1 - g1 / L) ** 2 + (r2 - g2 / L) ** 2)),
        by="x_{k+1} - x* = r - g/L",
    )
    # Telescoping the per-step bounds e_{k+1} <= L/2 (D_k - D_{k+1}), D_k = |x_k - x*|^2 (N = 3):
    d.start(L / 2 * (D0 - D1) + L / 2 * (D1 - D2) + L / 2 * (D2 - D3)).eq(L / 2 * (D0 - D3), by="telescope").le(
        L / 2 * D0, by="D3 >= 0"
    )
    # Function values decrease along GD, so N e_N <= e_1 + ... + e_N <= L D0 / 2:
    d.start(3 * e3).le(e1 + e2 + e3, by="e3 <= e1 and e3 <= e2")
    return d.check()


CR_STATEMENT = sympy.Le(f_N - f_star, CONVEX_BOUND)

GD_CONVEX_RATE = Claim(
    id="gd.convex_rate",
    title="GD with eta = 1/L on convex L-smooth f: f(x_N) - f* <= L ||x0 - x*||^2 / (2N)",
    statement=CR_STATEMENT,
    kind=Kind.UPPER_BOUND,
    sources=(BECK_TEBOULLE, NESTEROV, DRORI_TEBOULLE),
    derive=_vector_derivations.convex_rate,  # every smooth convex f and every N (_derive_convex_rate: N = 3)
    derivation_scope="general",
    assumptions=CR_ASSUME,
    strategy=_quadratic_params,
    checks=_checks(CR_STATEMENT, tight_huber=False),
    # bound L R^2/(8N); L R^2/(2 N^2) (an accelerated rate)
    mutants=(sympy.Le(gap, L * R**2 / (8 * N)), sympy.Le(gap, L * R**2 / (2 * N**2))),
    equivalent={
        text: "a true bound: the exact worst case is L R^2/(4N+2) < L R^2/(4N) (gd.convex_rate_tight), "
        "so no instance can exceed it; this claim's constant is not the tight one"
        for text in ("gap <= L*R**2/(4*N)", "gap <= L*R**2/(3*N)")
    },
    oracle=PepOracle(
        worst_case=_pep_gd,
        predict=oracle_predictor(CONVEX_BOUND, n="N", L=1.0, R=1.0),
        ns=tuple(range(1, 11)),
        rtol=1e-4,  # Clarabel solves these SDPs to ~1e-8 relative; see theorykit/claims/pep.py
        compare="upper",
    ),
    doc="""\
Setting: f: R^d -> R convex with L-Lipschitz gradient, a minimizer x*, R = ||x0 - x*||;
GD x_{k+1} = x_k - (1/L) grad f(x_k).

Claim (*upper*): f(x_N) - f* <= L R^2 / (2N) [1, Thm 3.1 (ISTA with g = 0)]; compare the
2 L R^2/(N+4) of [2, Thm 2.1.14]. The exact worst case is L R^2/(4N+2) (gd.convex_rate_tight, [3]).

Derivation: per step, descent lemma + convexity give f(x_{k+1}) - f* <= L/2 (|x_k - x*|^2 -
|x_{k+1} - x*|^2) (an exact identity once eta = 1/L); telescoping and monotone function
values give N (f(x_N) - f*) <= L R^2 / 2.

Checks (*upper*): random PSD quadratics including singular ones (8 starts at distance R
from the nearest minimizer), the Drori-Teboulle Huber function, ridge logistic
regression (normalized by L R^2). Oracle: PEPit's worst case for n = 1..10 never exceeds
1/(2n) (L = R = 1).

Derivation (general): the per-step inequality and the potential t (f(x_t) - f*) + L/2 ||x_t - x*||^2
for every smooth convex f (vector derivation, symbolic t), then the telescoping over N.
""",
)

# ============================================================== gd.convex_rate_tight
# Upper bound for N = 1, as a PEP certificate [Taylor et al. 2017]: WLOG x* = 0, f* = 0,
# g* = 0; x1 = x0 - g0/L. Q(i, j) >= 0 is the interpolation inequality of L-smooth
# convex functions,  f_i >= f_j + <g_j, x_i - x_j> + |g_i - g_j|^2 / (2L).
# One coordinate suffices and is not a loss of generality: every term is a quadratic
# form in (x0, g0, g1) (plus f's), so a polynomial identity in scalars is an identity
# of the Gram-matrix coefficients, which is the identity for vectors of any dimension.
# (Two coordinates prove the same, 2-3x slower in the prover.)
_X0 = [S("x0")]
_G0 = [S("g0")]
_G1 = [S("g1")]
_F0, _F1 = S("f0"), S("f1")
_ZERO = [0]


def _dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def _minus(u, v):
    return [a - b for a, b in zip(u, v)]


_X1 = [a - b / L for a, b in zip(_X0, _G0)]


def _interp(fi, xi, gi, fj, xj, gj):
    return fi - fj - _dot(gj, _minus(xi, xj)) - _dot(_minus(gi, gj), _minus(gi, gj)) / (2 * L)


_Q_STAR_0 = _interp(0, _ZERO, _ZERO, _F0, _X0, _G0)
_Q_STAR_1 = _interp(0, _ZERO, _ZERO, _F1, _X1, _G1)
_Q_0_1 = _interp(_F0, _X0, _G0, _F1, _X1, _G1)

CT_ASSUME = (
    sympy.Gt(L, 0), sympy.Gt(R, 0), sympy.Ge(N, 1), sympy.Gt(delta, 0),
    sympy.Ge(_Q_STAR_0, 0), sympy.Ge(_Q_STAR_1, 0), sympy.Ge(_Q_0_1, 0),
)


def _derive_convex_rate_tight():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(CT_ASSUME), name="gd.convex_rate_tight")
    # Upper bound, N = 1: add the three interpolation inequalities with multipliers 1/2
    # (read off PEPit's dual solution, then checked here in exact arithmetic); what is
    # left is L |x0|^2/6 minus two squares.
    w = [a + b / 2 - L * c / 2 for a, b, c in zip(_G0, _G1, _X0)]
    z = [b - L * c / 3 for b, c in zip(_G1, _X0)]
    (
        d.start(_F1)
        .le(_F1 + _Q_STAR_0 / 2, by="interpolation between x* and x0")
        .le(_F1 + _Q_STAR_0 / 2 + _Q_STAR_1 / 2, by="interpolation between x* and x1")
        .le(_F1 + _Q_STAR_0 / 2 + _Q_STAR_1 / 2 + _Q_0_1 / 2, by="interpolation between x0 and x1")
        .eq(L * _dot(_X0, _X0) / 6 - _dot(w, w) / (2 * L) - 3 * _dot(z, z) / (8 * L), by="expand: f0, f1 cancel")
        .le(L * _dot(_X0, _X0) / 6, by="squares are >= 0; = L R^2/(4N+2) at N = 1")
    )
    # Lower bound: the 1-D Huber function with threshold delta, x0 = R, step 1/L. On the
    # linear part every step moves by delta, so x_N = R - N delta and
    # f(x_N) = L delta x_N - L delta^2/2. Maximize over delta by completing the square:
    d.start(L * delta * (R - N * delta) - L * delta**2 / 2).eq(
        TIGHT_BOUND - L * (2 * N + 1) / 2 * (delta - R / (2 * N + 1)) ** 2, by="complete the square in delta"
    ).le(TIGHT_BOUND, by="a square is >= 0; equality at delta = R/(2N+1)")
    # ... and at delta = R/(2N+1) the iterates did stay on the linear part (x_N >= delta):
    dstar = R / (2 * N + 1)
    d.start(R - N * dstar).eq(R * (N + 1) / (2 * N + 1)).ge(dstar, by="N + 1 >= 1")
    return d.check()


CT_STATEMENT = sympy.Le(f_N - f_star, TIGHT_BOUND)

GD_CONVEX_RATE_TIGHT = Claim(
    id="gd.convex_rate_tight",
    title="Exact worst case of GD (eta = 1/L) on convex L-smooth f: L ||x0 - x*||^2 / (4N + 2)",
    statement=CT_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(DRORI_TEBOULLE, TAYLOR_HENDRICKX_GLINEUR, PEPIT),
    derive=_vector_catalog.convex_rate_tight,  # every smooth convex f and every N (a potential) + the lower bound
    derivation_scope="general",
    assumptions=CT_ASSUME,
    strategy=_quadratic_params,
    checks=_checks(CT_STATEMENT, tight_huber=True),
    # the worst case is L R^2/(4N) (a valid bound, but not attained); L R^2/(4N + 4)
    mutants=(sympy.Eq(gap, L * R**2 / (4 * N)), sympy.Le(gap, L * R**2 / (4 * N + 4))),
    oracle=PepOracle(
        worst_case=_pep_gd,
        predict=oracle_predictor(TIGHT_BOUND, n="N", L=1.0, R=1.0),
        ns=tuple(range(1, 11)),
        # Clarabel's interior-point solution matches to ~1e-8 relative (see bench_gd_pep.py);
        # 1e-4 leaves room for solver tolerances on other platforms and is still far below
        # the 1/(4N+2) vs 1/(4N+4) gap (>= 4% for N <= 10).
        rtol=1e-4,
        compare="tight",
    ),
    doc="""\
Setting: f convex with L-Lipschitz gradient on R^d, R = ||x0 - x*||; GD with eta = 1/L
(more generally eta = h/L, h in (0, 1], where the bound reads L R^2/(4Nh + 2)).

Claim (*tight*): f(x_N) - f* <= L R^2 / (4N + 2), attained by a 1-D Huber function [1, Thm 3.1].
It fails for larger steps: at eta = 1.9/L the quadratic L/2 x^2 already gives
L R^2 (0.9)^(2N) / 2 > L R^2/(4N+2) for small N.

Derivation (general: every smooth convex f, every dimension, every N): (a) the upper bound as a
vector derivation with a symbolic counter t: the potential Phi_t = t (f(x_t) - f*) +
L/2 ||x_t - x*||^2 + t (t + 1)/(2L) ||grad f(x_t)||^2 decreases along GD (interpolation
certificate for every t), Phi_0 = L R^2/2, and (2N + 1)(f(x_N) - f*) <= Phi_N (the inequality
x_N -> x* plus a square), so f(x_N) - f* <= L R^2/(4N + 2); N = 1 is also checked on its own
as a PEP certificate [2] (one half of each interpolation inequality). The PEPit oracle checks
the bound numerically for N = 1..10 [3]. (b) The attaining instance: on the
Huber function with threshold delta, started at R, f(x_N) = L delta (R - N delta) -
L delta^2/2 <= L R^2/(4N+2) with equality at delta = R/(2N+1), where the iterates stay
on the linear part.

Checks: GD on the Huber instance equals the bound (rtol 1e-9); random PSD quadratics
(singular included) and ridge logistic regression never exceed it (*upper*).
""",
)

# ============================================================== gd.nonconvex_gradient_norm
# T = 3 steps. G_t = |grad f(x_t)|^2, f_t = f(x_t), m = min_t G_t. Each fact enters as an
# equation with a nonnegative slack (s_t, q_t >= 0), which is exactly the inequality:
#   descent lemma at eta = 1/L:  f_{t+1} = f_t - G_t/(2L) - s_{t+1}
#   f bounded below:             f_inf = f_3 - s_4
#   m is the minimum:            G_t = m + q_t
_G = [S(f"G{t}") for t in range(3)]
_F = [f0] + [S(f"f{t}") for t in (1, 2, 3)]
_SL = [S(f"s{t}") for t in (1, 2, 3, 4)]
_Q = [S(f"q{t}") for t in range(3)]
NC_ASSUME = (
    sympy.Gt(L, 0),
    sympy.Eq(S("eta"), 1 / L),
    sympy.Ge(m, 0),
    *(sympy.Ge(v, 0) for v in (*_SL, *_Q)),
    *(sympy.Eq(_F[t + 1], _F[t] - _G[t] / (2 * L) - _SL[t]) for t in range(3)),
    sympy.Eq(f_inf, _F[3] - _SL[3]),
    *(sympy.Eq(_G[t], m + _Q[t]) for t in range(3)),
)
NC_BOUND = 2 * L * (f0 - f_inf) / T


def _derive_nonconvex():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(NC_ASSUME), name="gd.nonconvex_gradient_norm")
    # eta = 1/L in the descent lemma: the guaranteed decrease is |g|^2/(2L).
    eta_ = S("eta")
    d.start(eta_ * (1 - L * eta_ / 2)).eq(1 / (2 * L), by="eta = 1/L")
    (
        d.start(3 * m)
        .le(sum(_G), by="m <= G_t for every t")
        .le(sum(2 * L * (_F[t] - _F[t + 1]) for t in range(3)), by="descent lemma: G_t <= 2L (f_t - f_{t+1})")
        .eq(2 * L * (f0 - _F[3]), by="telescope")
        .le(2 * L * (f0 - f_inf), by="f_3 >= f_inf")
    )
    return d.check()


def _nonconvex_ratio(params, ctx) -> float:
    """min_{t<T} |grad f(x_t)|^2 / (f(x0) - f_inf) for GD with eta = 1/L on
    f = sum_i (x_i^2/2 + a sin x_i), from a random start of the given scale."""
    from theorykit.numeric.problems import SinusoidalQuadratic

    prob = SinusoidalQuadratic(params["a"], params["dim"], xp=ctx.xp)
    x0 = ctx.xp.asarray(ctx.rng.standard_normal(params["dim"]) * params["scale"])
    T_ = params["T"]
    logs, _ = _run_gd(prob, x0, 1.0 / prob.L, T_, record=("loss", "grad_norm"))
    gap0 = float(logs["loss"][0]) - prob.f_inf
    return float(np.min(logs["grad_norm"][:T_] ** 2)) / gap0


def _nc_params():
    return st.fixed_dictionaries(
        {
            "a": rounded(1.1, 3.0),
            "dim": st.integers(1, 5),
            "T": st.integers(1, 50),
            "scale": st.sampled_from([0.5, 2.0, 10.0, 30.0]),
        }
    )


def _zigzag_min_grad_sq(params, ctx) -> float:
    """min_{t<T} |f'(x_t)|^2 of GD (eta = 1/L) on a 1-D worst-case-seeking L-smooth f.

    f' = -G with G piecewise linear of slopes +-L: on each GD step of length g/L, G falls
    from g to g/2 and rises back to g (curvature +L then -L), so GD keeps |f'| = g for T
    steps while f drops by only 3g^2/(4L) per step; then a bowl of curvature L (minimum
    f_inf). g is chosen so that f(x_0) - f_inf equals params["gap"], which is confirmed by
    integrating G exactly (trapezoids on its breakpoints)."""
    L_, T_, gap = float(params["L"]), int(params["T"]), float(params["gap"])
    g = math.sqrt(gap * L_ / (0.75 * T_ + 0.5))
    s = g / L_

    def G(x):
        if x < 0:
            return g
        if x < T_ * s:
            u = x - s * math.floor(x / s)
            return g - L_ * u if u < s / 2 else g / 2 + L_ * (u - s / 2)
        return g - L_ * (x - T_ * s)

    knots = np.linspace(0.0, (T_ + 1) * s, 2 * T_ + 3)
    vals = np.array([G(x) for x in knots])
    integral = float(np.sum((vals[1:] + vals[:-1]) / 2 * np.diff(knots)))
    if abs(integral - gap) > 1e-9 * gap:
        raise RuntimeError(f"instance has f(x0) - f_inf = {integral}, not {gap}")
    x, grads = 0.0, []
    for _ in range(T_):
        gx = G(x)
        grads.append(gx * gx)
        x = x + gx / L_  # x - eta f'(x) with eta = 1/L
    return float(min(grads))


def _zigzag_params():
    return st.fixed_dictionaries({"L": rounded(0.1, 10.0), "T": st.integers(1, 60), "gap": rounded(0.1, 100.0),
                                  "f_inf": rounded(-100.0, 100.0)})


def _L_sin(p):
    return 1.0 + abs(p["a"])  # smoothness of x^2/2 + a sin x: |1 - a sin x| <= 1 + |a|

GD_NONCONVEX_GRADIENT_NORM = Claim(
    id="gd.nonconvex_gradient_norm",
    title="Nonconvex L-smooth f, eta = 1/L: min_{t<T} ||grad f(x_t)||^2 <= 2L (f(x0) - f_inf) / T",
    statement=sympy.Le(m, NC_BOUND),
    kind=Kind.UPPER_BOUND,
    sources=(BOTTOU_CURTIS_NOCEDAL, NESTEROV),
    derive=_vector_derivations.nonconvex_gradient_norm,  # every L-smooth f and every T
    derivation_scope="general",
    assumptions=NC_ASSUME,
    strategy=_nc_params,
    checks=(
        NumericCheck(
            name="sinusoidal_upper",
            description="min_{t<T} |grad f(x_t)|^2 / (f(x0) - f_inf) on sum(x^2/2 + a sin x), a in (1, 3]",
            measure=_nonconvex_ratio,
            measures=m,
            bind={L: _L_sin, f0: 1.0, f_inf: 0.0},  # the measure divides by f(x0) - f_inf
            rtol=1e-9,
            # the first is the canonical (table) example; the bound gets looser with T as GD settles
            # into a local minimum (theorykit mutate reports the tightness over the searched samples)
            # the third is the family's quadratic member (a = 0: f = x^2/2, L = 1) at T = 1, where the bound is attained
            # (|f'(x0)|^2 = 2L (f(x0) - f_inf) from every start): without it a tighter constant such as 4L/3 was refuted
            # only where a random start of a sinusoid came near its worst case, i.e. at some seeds and not others
            examples=({"a": 2.0, "dim": 3, "T": 2, "scale": 2.0}, {"a": 2.0, "dim": 3, "T": 10, "scale": 10.0},
                      {"a": 0.0, "dim": 1, "T": 1, "scale": 0.5}),
        ),
        NumericCheck(
            name="zigzag_worst_case",
            description="min_{t<T} |f'(x_t)|^2 on a 1-D f whose curvature alternates +-L along each GD step",
            measure=_zigzag_min_grad_sq,
            measures=m,
            bind={f0: lambda p: p["f_inf"] + p["gap"]},
            rtol=1e-9,
            strategy=_zigzag_params,
            examples=({"L": 1.0, "T": 20, "gap": 1.0, "f_inf": 0.0},),
        ),
    ),
    mutants=(
        sympy.Le(m, (f0 - f_inf) / (2 * L * T)),  # constant inverted
        sympy.Le(m, L * (f0 - f_inf) / (2 * T)),  # constant 1/2 instead of 2
        sympy.Le(m, 2 * L * (f0 - f_inf) / T**2),  # the 1/T^2 rate of a linearly converging test function
    ),
    doc="""\
Setting: f: R^d -> R with L-Lipschitz gradient (not necessarily convex), bounded below by
f_inf; GD x_{t+1} = x_t - (1/L) grad f(x_t).

Claim (*upper*): min_{t<T} ||grad f(x_t)||^2 <= 2L (f(x_0) - f_inf) / T [1, Thm 4.10 (fixed
step, deterministic case)], [2, Sec. 1.2.3].

Derivation: the descent lemma with eta = 1/L gives f(x_{t+1}) <= f(x_t) - |g_t|^2/(2L);
summing over t < T telescopes to sum_t |g_t|^2 <= 2L (f(x_0) - f(x_T)) <= 2L (f(x_0) - f_inf),
and T min_t |g_t|^2 <= sum_t |g_t|^2 (shown for T = 3).

Checks (*upper*): on f = sum_i (x_i^2/2 + a sin x_i), a in (1, 3] (nonconvex, L = 1 + a,
f_inf computed by the problem), the measured min_t |g_t|^2 / (f(x_0) - f_inf) stays
below 2L/T (loose there: GD reaches a local minimum at a linear rate, so a 1/T^2 bound
would pass too). The worst-case-seeking 1-D instance (curvature +L then -L along each GD
step, so |f'| stays constant while f drops by 3|f'|^2/(4L) per step) attains T/(1.5T + 1)
of the bound, which refutes 1/T^2 rates and constants 1/2 and below; at small T the
sinusoidal instances come closer (the searched samples reach above 2/3 of the bound), which
refutes a constant 4/3.

Derivation (general): the sufficient decrease for every L-smooth f (vector derivation) and the
potential f(x_t) + t m/(2L) with a symbolic t, then the telescoping over T.
""",
)

CLAIMS = (GD_CONVEX_RATE, GD_CONVEX_RATE_TIGHT, GD_NONCONVEX_GRADIENT_NORM)
