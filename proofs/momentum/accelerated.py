"""Nesterov's method, heavy ball versus GD, and greedy heavy ball = conjugate gradient.

The second module of the momentum family (see ``heavy_ball.py`` for the setting).
Nesterov's method with constant momentum [1]:

    y_k = x_k + β (x_k − x_{k−1}),   x_{k+1} = y_k − η ∇f(y_k),   x_{−1} = x_0,

whose eigen-recurrence (derived by ``theorykit.symbolic.stability``) has
p(z) = z² − (1+β)(1−h) z + β(1−h), h = ηλ.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, PepOracle

from ._common import (
    BECK_TEBOULLE,
    HESTENES_STIEFEL,
    JURY,
    LESSARD,
    NAG_CONDITIONS,
    NAG_POLY_H,
    NESTEROV,
    NESTEROV_1983,
    POLYAK,
    POLYAK_1964,
    beta,
    h,
    k,
    rel_round,
    spread,
    z,
)
from ._common import derivation as _derivation
from ._common import probes as _probes
from ._common import seed_of as _seed
from ._common import unit_floats as _unit
from .. import _vector_catalog
from .._sources import NOCEDAL_WRIGHT
from .._util import predictor, rotated_quadratic

__all__ = ["CLAIMS"]

L_, MU, N_, R_, T_ = (sympy.Symbol(n, real=True) for n in ("L", "mu", "N", "R", "t"))
KAPPA = L_ / MU




# =========================================================================== Nesterov stability
NAG_H_MAX = 2 * (1 + beta) / (1 + 2 * beta)
_h_max = sympy.Symbol("h_max", real=True)  # measured: the largest stable eta times lambda_max
NAG_STAB_STATEMENT = sympy.And(sympy.Equivalent(sympy.And(*NAG_CONDITIONS), sympy.And(h > 0, h < NAG_H_MAX)),
                               sympy.Eq(_h_max, NAG_H_MAX))


def _nag_threshold(params, ctx):
    eig = params["eigenvalues"]
    eta_max = _probes().stability_threshold("nesterov", eig, momentum=params["beta"], rtol=1e-7, seed=_seed(ctx))
    return float(eta_max) * max(eig)


def _nag_stab_params():
    @st.composite
    def draw(data):
        d = data(st.integers(1, 4))
        eig = tuple(sorted(data(st.lists(_unit(0.05, 20.0), min_size=d, max_size=d))))
        return {"eigenvalues": eig, "beta": data(_unit(0.0, 0.95))}

    return draw()


def _derive_nag_stability():
    c1, c2, c3 = NAG_CONDITIONS  # h > 0; p(-1) > 0; |beta (h - 1)| < 1 (Jury, via stability.jury_conditions)
    d = _derivation([h > 0, h < NAG_H_MAX, beta > 0, beta < 1], "momentum.nesterov_stability")

    def p(zv):  # the claim's p(z) = z^2 - (1+beta)(1-h) z + beta(1-h), unexpanded
        return zv**2 - (1 + beta) * (1 - h) * zv + beta * (1 - h)

    d.start(p(z)).eq(NAG_POLY_H, by="the characteristic polynomial derived from the step rule")
    d.start(p(1)).eq(c1.lhs, by="p(1) = h").gt(0)
    d.start(p(-1)).eq(c2.lhs, by="p(-1)").eq((1 + 2 * beta) * (NAG_H_MAX - h)).gt(0, by="h < 2(1+beta)/(1+2beta)")
    # the constant term beta (1 - h) stays in (-1, 1) on the whole region
    d.start(beta * (1 - h)).lt(beta, by="h > 0").lt(1)
    d.start(beta * (1 - h)).gt(beta * (1 - NAG_H_MAX), by="h < h_max, beta > 0").eq(-beta / (1 + 2 * beta)).gt(-1)
    d.start(p(-1).subs(h, NAG_H_MAX)).eq(0, by="root -1 on the boundary")
    return d.check()


NESTEROV_STABILITY = Claim(
    id="momentum.nesterov_stability",
    title="Nesterov's method is stable iff 0 < ηλ < 2(1+β)/(1+2β)",
    statement=NAG_STAB_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(NESTEROV_1983, JURY, LESSARD),
    derive=_derive_nag_stability,
    checks=(
        NumericCheck("threshold", "largest stable η·L by bisection on runs of Nesterov's method",
                     measure=_nag_threshold, measures=_h_max, rtol=1e-5,
                     examples=({"eigenvalues": (1.0,), "beta": 0.5}, {"eigenvalues": (0.2, 3.0), "beta": 0.9})),
    ),
    strategy=_nag_stab_params,
    mutants=(sympy.Eq(_h_max, 2 * (1 + beta)), sympy.Eq(_h_max, 2)),  # heavy ball's threshold; GD's
    assumptions=(beta >= 0, beta < 1),
    doc="""Setting: f(x) = ½ xᵀAx, eigenvalues in (0, L]; Nesterov's method with constant momentum β ∈ [0, 1):
y = x + β(x − x_prev), x⁺ = y − η∇f(y). Eigen-recurrence p(z) = z² − (1+β)(1−h)z + β(1−h), h = ηλ.
Claim (threshold, tight): stable iff 0 < h < 2(1 + β)/(1 + 2β); largest stable step 2(1+β)/((1+2β)L).
Derivation: Jury's conditions (stability.jury_conditions): p(1) = h > 0, p(−1) = (1+2β)(h_max − h) > 0,
and |β(1 − h)| < 1 holds throughout; p(−1) = 0 on the boundary.
Measured: stability_threshold (bisection on runs, rtol 1e-7) times L; compared at rtol 1e-5.""",
)


# =========================================================================== Nesterov rate
SK = sympy.sqrt(KAPPA)
NAG_BETA = (SK - 1) / (SK + 1)
NAG_RATE = 1 - 1 / SK
CONVEX_BOUND = 2 * L_ * R_**2 / (N_ + 1) ** 2
_rho, _gap = sympy.Symbol("rho", real=True), sympy.Symbol("gap", real=True)
NAG_RATE_STATEMENT = sympy.And(sympy.Eq(_rho, NAG_RATE), sympy.Le(_gap, CONVEX_BOUND))
_nag_beta = predictor(NAG_BETA)
_bound = predictor(CONVEX_BOUND)


def _nag_rate_params(only_mu=False):
    @st.composite
    def draw(data):
        mu_v = data(_unit(0.01, 1.0))
        return {"mu": mu_v, "L": rel_round(mu_v * data(_unit(1.5, 1e4))), "n": 1 if only_mu else data(st.integers(2, 6))}

    return draw


def _nag_rate(params, ctx):
    """linear_rate of Nesterov's method tuned as the claim says (η = 1/L, β = (√κ−1)/(√κ+1));
    n = 1 runs on the single eigenvalue μ."""
    eig = [params["mu"]] if params["n"] == 1 else spread(params["mu"], params["L"], params["n"])
    return float(_probes().linear_rate("nesterov", eig, 1.0 / params["L"], momentum=_nag_beta(params), seed=_seed(ctx)))


def fista(problem, x0, L, steps):
    """Nesterov's method with the t_k sequence (Beck–Teboulle's FISTA without prox):
    the method runner's one-step map with momentum (t_k − 1)/t_{k+1} at step k."""
    from theorykit.claims.pep_momentum import fista_momentum
    from theorykit.numeric.methods import update

    x_prev = x = x0
    for m in [0.0] + fista_momentum(steps - 1):
        x_prev, x = x, update("nesterov", problem.grad, x, x_prev, 1.0 / L, m)
    return x


def _convex_gap_quadratic(params, ctx):
    """f(x_N) − f* of FISTA on a convex quadratic (zero eigenvalues allowed) from x0
    at distance R of the minimizer set's nearest point x* = 0 (b = 0)."""
    prob, _ = rotated_quadratic(params["eigenvalues"], ctx.rng)
    x0 = ctx.rng.standard_normal(prob.dim)
    x0 *= params["R"] / np.linalg.norm(x0)
    return float(prob.loss(fista(prob, x0, params["L"], params["N"])))


def _convex_gap_huber(params, ctx):
    """max over the Huber threshold δ of f(x_N) − f* for FISTA on the 1-D Huber function
    (searched by running: a log-grid then golden section); these are hard instances,
    within 1e-3 of the PEP worst case for N <= 20."""
    from theorykit.numeric.problems import Huber1D

    from .._util import golden_section

    L_v, R_v, N_v = params["L"], params["R"], params["N"]

    def gap(log_delta):
        # plain NumPy as the namespace: its clip is one ufunc call, array_api_compat's a Python
        # wrapper that dominated these ~2000-step searches (the same values)
        prob = Huber1D(L_v, math.exp(log_delta) * R_v, xp=np)
        return float(prob.loss(fista(prob, np.array([R_v]), L_v, N_v)))

    grid = np.linspace(math.log(1e-4), 0.0, 60)
    vals = [gap(g) for g in grid]
    i = int(np.argmax(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    _, best = golden_section(gap, lo, hi, tol=1e-6, maximize=True)
    return max(best, max(vals))


def _convex_params(kind):
    @st.composite
    def draw(data):
        L_v = data(_unit(0.1, 10.0))
        p = {"L": L_v, "R": data(_unit(0.1, 10.0)), "N": data(st.integers(1, 20))}
        if kind == "quadratic":
            d = data(st.integers(1, 6))
            # eigenvalues in [0, L] with the top one equal to L (L is the smoothness constant)
            eig = data(st.lists(st.one_of(st.just(0.0), _unit(1e-4, 1.0)), min_size=d - 1, max_size=d - 1))
            p["eigenvalues"] = tuple(sorted(rel_round(e * L_v) for e in eig)) + (L_v,)
        return p

    return draw


def _derive_nag_rate():
    # k = sqrt(kappa) > 1; eta = 1/L so h = 1/k^2 at lambda = mu; beta = (k - 1)/(k + 1)
    bk, hk = (k - 1) / (k + 1), 1 / k**2
    t, n = T_, N_
    # h in (1/k^2, 1]: eigenvalues lambda in (mu, L] with eta = 1/L
    d = _derivation([k > 1, h > 1 / k**2, h <= 1, t >= 0, n >= 1, L_ > 0, R_ > 0], "momentum.nesterov_rate")
    poly = NAG_POLY_H.subs({beta: bk, h: hk})
    d.start(-poly.coeff(z, 1)).eq((1 + bk) * (1 - hk)).eq(2 * (k - 1) / k)
    d.start(poly.coeff(z, 0)).eq(((k - 1) / k) ** 2)
    d.start(poly).eq((z - (k - 1) / k) ** 2, by="double root (k-1)/k = 1 - 1/sqrt(kappa) at lambda = mu")
    # for lambda in (mu, L] (h in (1/k^2, 1]) the roots are complex with |z|^2 = beta (1 - h) < ((k-1)/k)^2
    d.start(bk * (1 - h)).lt(bk * (1 - hk)).eq(((k - 1) / k) ** 2)
    # convex case: t_{k+1} = (1 + sqrt(1 + 4 t^2))/2 >= t + 1/2, so t_N >= (N + 1)/2, and
    # f(x_N) - f* <= L R^2 / (2 t_N^2) [Beck & Teboulle 2009, Lemma 4.1 / Thm 4.4]
    root = sympy.sqrt(1 + 4 * t**2)
    d.start(root - 2 * t).eq(1 / (root + 2 * t), by="rationalize: (root - 2t)(root + 2t) = 1").gt(0)
    d.start((1 + root) / 2).eq(t + sympy.Rational(1, 2) + 1 / (2 * (root + 2 * t)), by="the same rationalization").ge(
        t + sympy.Rational(1, 2), by="t_{k+1} >= t_k + 1/2, so t_N >= (N + 1)/2 by induction")
    d.start(L_ * R_**2 / (2 * ((n + 1) / 2) ** 2)).eq(2 * L_ * R_**2 / (n + 1) ** 2, by="t_N = (N+1)/2 in L R^2/(2 t_N^2)")
    return d.check()


def _pep_predict(n):
    return float(_bound({"L": 1.0, "R": 1.0, "N": n}))


def _pep_worst(n):
    from theorykit.claims.pep_momentum import fista_worst_case

    return fista_worst_case(n, L=1.0, R=1.0)


NESTEROV_RATE = Claim(
    id="momentum.nesterov_rate",
    title="Nesterov: rate 1 − 1/√κ on quadratics; f(x_N) − f* ≤ 2L‖x0−x*‖²/(N+1)² for convex f",
    statement=NAG_RATE_STATEMENT,
    kind=Kind.RATE,
    sources=(NESTEROV_1983, NESTEROV, BECK_TEBOULLE, LESSARD),
    derive=_vector_catalog.nesterov_rate,  # spectral part + FISTA potential decrease for every smooth convex f
    derivation_scope="general",
    checks=(
        NumericCheck("rate", "linear_rate at η = 1/L, β = (√κ−1)/(√κ+1) on eigenvalues spread over [μ, L]",
                     measure=_nag_rate, measures=_rho, rtol=1e-5,
                     examples=({"mu": 1.0, "L": 100.0, "n": 5},)),
        NumericCheck("rate_at_mu", "the same rate measured with the single eigenvalue μ: it is attained there",
                     measure=_nag_rate, measures=_rho, rtol=1e-5, strategy=_nag_rate_params(True),
                     examples=({"mu": 1.0, "L": 100.0, "n": 1},)),
        # the Huber search first: relation mutants of the bound are tried on the first check measuring gap
        NumericCheck("convex_huber", "max over δ of f(x_N) − f* of FISTA on 1-D Huber functions (hard instances)",
                     measure=_convex_gap_huber, measures=_gap, rtol=1e-9,
                     strategy=_convex_params("huber"), examples=({"L": 1.0, "R": 1.0, "N": 10},)),
        NumericCheck("convex_quadratic", "f(x_N) − f* of FISTA (t_k momentum) on random convex quadratics",
                     measure=_convex_gap_quadratic, measures=_gap, rtol=1e-9,
                     strategy=_convex_params("quadratic"),
                     examples=({"L": 1.0, "R": 1.0, "N": 10, "eigenvalues": (0.0, 0.01, 1.0)},)),
    ),
    strategy=_nag_rate_params(),
    # GD's rate 1 - 1/kappa; half the bound; the rate sqrt(beta) of heavy ball's complex regime
    mutants=(sympy.Eq(_rho, 1 - 1 / KAPPA), sympy.Le(_gap, L_ * R_**2 / (N_ + 1) ** 2),
             sympy.Eq(_rho, sympy.sqrt(NAG_BETA))),
    assumptions=(MU > 0, L_ > MU, N_ >= 1, R_ > 0),
    oracle=PepOracle(worst_case=_pep_worst, predict=_pep_predict, ns=(1, 2, 3, 5, 8), compare="upper", rtol=1e-6),
    doc="""Setting (a): f(x) = ½ xᵀAx with spectrum in [μ, L], κ = L/μ; Nesterov's method with η = 1/L and
constant β = (√κ − 1)/(√κ + 1). Claim (rate, tight): asymptotic rate 1 − 1/√κ, attained at λ = μ, where
p(z) = (z − (1 − 1/√κ))² has a double root; for λ ∈ (μ, L] the roots are complex with |z|² = β(1 − h) smaller.
Setting (b): f convex and L-smooth; Nesterov's method with the t_k sequence (t_1 = 1,
t_{k+1} = (1 + √(1 + 4t_k²))/2, momentum (t_k − 1)/t_{k+1}, step 1/L; FISTA without prox).
Claim (upper): f(x_N) − f* ≤ 2L‖x_0 − x*‖²/(N + 1)² (not tight: PEP worst case ≈ 0.75 of it at N = 10).
Derivation (general): the double root at λ = μ and the modulus ordering (every eigenvalue in [μ, L]); the
one-step decrease of FISTA's potential t_k²(f(x_k) − f*) + L/2‖z_k − x*‖² for every smooth convex f, every
dimension and every k (vector derivation, [3, Lemma 4.1]); t_N ≥ (N+1)/2 into L R²/(2t_N²).
Measured: linear_rate (2^40 steps, rtol 1e-5 because of the Jordan block); FISTA run on random convex
quadratics and on 1-D Huber functions with δ maximized by search; PEPit oracle on all convex L-smooth f.""",
)


# =========================================================================== heavy ball vs GD
K_ = sympy.Symbol("kappa", real=True)
RHO_HB = (sympy.sqrt(K_) - 1) / (sympy.sqrt(K_) + 1)
RHO_GD = (K_ - 1) / (K_ + 1)
ITER_RATIO = sympy.log(RHO_HB) / sympy.log(RHO_GD)  # N_GD / N_HB = log(rho_HB) / log(rho_GD)
ITER_LIMIT = sympy.limit(ITER_RATIO / sympy.sqrt(K_), K_, sympy.oo)
# measured: both tuned rates, their difference, and N_GD/N_HB = log rho_HB / log rho_GD (at kappa >= 1e3
# against its limit: n_ratio_inf)
rho_hb, rho_gd, rate_gap, n_ratio, n_ratio_inf = (sympy.Symbol(n, real=True) for n in (
    "rho_hb", "rho_gd", "rate_gap", "n_ratio", "n_ratio_inf"))
HB_GD_STATEMENT = sympy.And(sympy.Le(RHO_HB, RHO_GD),
                            sympy.Eq(sympy.Limit(ITER_RATIO / sympy.sqrt(K_), K_, sympy.oo), ITER_LIMIT),
                            sympy.Eq(rho_hb, RHO_HB), sympy.Eq(rho_gd, RHO_GD), sympy.Le(rate_gap, 0),
                            sympy.Eq(n_ratio, ITER_RATIO), sympy.Eq(n_ratio_inf, ITER_LIMIT * sympy.sqrt(K_)))


def _measured_rates(params, ctx):
    """(rho_HB, rho_GD) measured by linear_rate at each method's optimal tuning on [mu, L]."""
    mu_v, L_v = 1.0, float(params["kappa"])
    eig = spread(mu_v, L_v, params["n"])
    from .heavy_ball import (  # momentum.heavy_ball_optimal's tuning, written once there
        BETA_OPT,
        ETA_OPT,
    )

    eta_hb, beta_hb = predictor(ETA_OPT)({"mu": mu_v, "L": L_v}), predictor(BETA_OPT)({"mu": mu_v, "L": L_v})
    seed = _seed(ctx)
    probes = _probes()
    hb = float(probes.linear_rate("heavy_ball", eig, eta_hb, momentum=beta_hb, seed=seed))
    gd = float(probes.linear_rate("gd", eig, 2 / (L_v + mu_v), seed=seed))
    return hb, gd


def _rate_gap(params, ctx):
    hb, gd = _measured_rates(params, ctx)
    return hb - gd


def _iter_ratio(params, ctx):
    hb, gd = _measured_rates(params, ctx)
    return math.log(hb) / math.log(gd)


def _kappa_params(lo, hi):
    @st.composite
    def draw(data):
        return {"kappa": rel_round(math.exp(data(st.floats(math.log(lo), math.log(hi))))), "n": data(st.integers(2, 6))}

    return draw


def _derive_hb_gd():
    d = _derivation([k >= 1], "momentum.hb_beats_gd")
    # k = sqrt(kappa): rho_GD - rho_HB = (k^2-1)/(k^2+1) - (k-1)/(k+1)
    d.start((k**2 - 1) / (k**2 + 1) - (k - 1) / (k + 1)).eq(2 * k * (k - 1) / ((k + 1) * (k**2 + 1))).ge(
        0, by="k >= 1")
    return d.check()


HB_BEATS_GD = Claim(
    id="momentum.hb_beats_gd",
    title="Tuned heavy ball beats tuned GD; iterations-to-ε ratio N_GD/N_HB → √κ",
    statement=HB_GD_STATEMENT,
    kind=Kind.UPPER_BOUND,
    sources=(POLYAK_1964, POLYAK, LESSARD),
    derive=_derive_hb_gd,
    checks=(
        NumericCheck("hb_rate", "measured optimal heavy-ball rate", measure=lambda p, c: _measured_rates(p, c)[0],
                     measures=rho_hb, rtol=1e-5, strategy=_kappa_params(1.01, 1e5),
                     examples=({"kappa": 100.0, "n": 3},)),
        NumericCheck("gd_rate", "measured GD rate at step 2/(L+μ)", measure=lambda p, c: _measured_rates(p, c)[1],
                     measures=rho_gd, rtol=1e-8, strategy=_kappa_params(1.01, 1e5),
                     examples=({"kappa": 100.0, "n": 3},)),
        NumericCheck("rate_gap", "measured ρ_HB − ρ_GD at the optimal tunings (≤ 0)", measure=_rate_gap,
                     measures=rate_gap, atol=1e-9, strategy=_kappa_params(1.01, 1e5),
                     examples=({"kappa": 100.0, "n": 3},)),
        NumericCheck("iteration_ratio", "log ρ_HB / log ρ_GD from measured rates (= N_GD/N_HB)",
                     measure=_iter_ratio, measures=n_ratio, rtol=1e-4,
                     strategy=_kappa_params(2.0, 1e5), examples=({"kappa": 100.0, "n": 3},)),
        NumericCheck("asymptotic_ratio", "the same ratio at κ ∈ [1e3, 1e5] against its limit √κ "
                     "(the exact ratio is √κ(1 + 1/(3κ) + ...), within 3.4e-4 of it there)",
                     measure=_iter_ratio, measures=n_ratio_inf, rtol=1e-3,
                     strategy=_kappa_params(1e3, 1e5), examples=({"kappa": 1e4, "n": 3},)),
    ),
    strategy=_kappa_params(1.01, 1e5),
    # N_GD/N_HB tends to kappa; to sqrt(kappa)/2; tuned GD is faster than tuned heavy ball
    mutants=(sympy.Eq(n_ratio_inf, K_), sympy.Eq(n_ratio_inf, sympy.sqrt(K_) / 2), sympy.Ge(rate_gap, 0)),
    equivalent=dict.fromkeys(
        ("n_ratio = log((sqrt(kappa) - 1)/(sqrt(kappa) + 1))/log(-1/(kappa + 1))",
         "n_ratio = log(-1/(sqrt(kappa) + 1))/log((kappa - 1)/(kappa + 1))",
         "n_ratio = log((-1 + 1/sqrt(kappa))/(sqrt(kappa) + 1))/log((kappa - 1)/(kappa + 1))"),
        "not a real number anywhere in the region kappa > 1 (the log of a negative argument), so it "
        "predicts nothing a measurement could refute; it is no competing formula"),
    assumptions=(K_ >= 1,),
    doc="""Setting: f(x) = ½ xᵀAx with spectrum in [μ, L], κ = L/μ; GD with its best step 2/(L+μ) (rate
(κ−1)/(κ+1)) and heavy ball with (η*, β*) of momentum.heavy_ball_optimal (rate (√κ−1)/(√κ+1)).
Claim (upper): ρ_HB ≤ ρ_GD for all κ ≥ 1, and the iterations to reach accuracy ε,
N ≈ log(1/ε)/(−log ρ), satisfy N_GD/N_HB = log ρ_HB / log ρ_GD → √κ (−log ρ_GD ≈ 2/κ, −log ρ_HB ≈ 2/√κ).
Derivation: with k = √κ, ρ_GD − ρ_HB = 2k(k−1)/((k+1)(k²+1)) ≥ 0; the limit is computed by SymPy.
Measured: both rates by linear_rate at their tunings; the ratio of their logs compared with the exact
expression (rtol 1e-4) and, for κ ∈ [1e3, 1e5], with √κ (rtol 1e-3).""",
)


# =========================================================================== greedy heavy ball = CG
def _cg_instance(params, ctx):
    d, kap = params["d"], params["kappa"]
    q, r = np.linalg.qr(ctx.rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))
    A = (q * np.linspace(1.0, kap, d)) @ q.T
    A = (A + A.T) / 2
    b_vec, x0 = ctx.rng.standard_normal(d), ctx.rng.standard_normal(d)
    x_star = np.linalg.solve(A, b_vec)
    if params.get("worst"):  # x0 - x* = kappa q_1 + q_d: steepest descent's zigzag, exactly (kappa-1)/(kappa+1)
        x0 = x_star + kap * q[:, 0] + q[:, -1]  # per step in the A-norm (the Kantorovich bound attained)
    return A, b_vec, x0, x_star


def _greedy_vs_cg(params, ctx):
    from theorykit.numeric.krylov import conjugate_gradient, greedy_heavy_ball

    A, b_vec, x0, x_star = _cg_instance(params, ctx)
    d = params["d"]
    gap = np.linalg.norm(greedy_heavy_ball(A, b_vec, x0, d) - conjugate_gradient(A, b_vec, x0, d), axis=1)
    return float(np.max(gap) / np.linalg.norm(x0 - x_star))


def _distance_after_d(params, ctx):
    from theorykit.numeric import krylov

    A, b_vec, x0, x_star = _cg_instance(params, ctx)
    xs = getattr(krylov, params["method"])(A, b_vec, x0, params["d"])
    return float(np.linalg.norm(xs[-1] - x_star) / np.linalg.norm(x0 - x_star))


def _cg_params(method="greedy_heavy_ball", d_lo=1, kappa_lo=1.0):
    @st.composite
    def draw(data):
        return {"d": data(st.integers(d_lo, 20)), "kappa": data(_unit(kappa_lo, 10.0)), "method": method}

    return draw


def _a_error_ratio(params, ctx):
    """||x_t - x*||_A / ||x_0 - x*||_A after t steps of params["method"] (run, not a bound)."""
    from theorykit.numeric import krylov

    A, b_vec, x0, x_star = _cg_instance(params, ctx)
    xs = getattr(krylov, params["method"])(A, b_vec, x0, params["t"])
    a_norm = lambda e: float(np.sqrt(e @ A @ e))  # noqa: E731
    return a_norm(xs[-1] - x_star) / a_norm(x0 - x_star)


def _cg_rate_params(method="greedy_heavy_ball", t_max=-1, worst=False):
    @st.composite
    def draw(data):
        d = data(st.integers(2, 20))
        p = {"d": d, "kappa": data(_unit(1.5, 100.0)), "t": data(st.integers(1, d + t_max)), "method": method}
        if worst:
            p["worst"] = data(st.booleans())  # the worst-case start among the random ones
        return p

    return draw


def _derive_greedy():
    gg, gs, gAg, gAs, sAs = (sympy.Symbol(n, real=True) for n in ("gg", "gs", "gAg", "gAs", "sAs"))
    det = gAg * sAs - gAs**2
    c1 = (-gg * sAs + gs * gAs) / det  # = -eta_t
    c2 = (-gs * gAg + gg * gAs) / det  # = beta_t
    d = _derivation([gAg > 0, sAs > 0, det > 0], "momentum.greedy_is_cg")
    # phi(c) = f(x + c1 g + c2 s) - f(x) = c1 gg + c2 gs + (c1^2 gAg + 2 c1 c2 gAs + c2^2 sAs)/2
    d.start(gg + c1 * gAg + c2 * gAs).eq(0, by="d phi / d c1 = 0 at the krylov.greedy_heavy_ball step")
    d.start(gs + c1 * gAs + c2 * sAs).eq(0, by="d phi / d c2 = 0")
    d.start(det).gt(0, by="Cauchy-Schwarz in the A-inner product, g and s independent: a minimum")
    return d.check()


# gap = max_{t<=d} ||x_t(greedy HB) - x_t(CG)|| / ||x0 - x*||, final = ||x_d - x*|| / ||x0 - x*||,
# e_t = ||x_t - x*||_A / ||x0 - x*||_A for greedy HB (CG's bound, since the iterates are CG's)
# e_sd: the same ratio for steepest descent (greedy GD: momentum 0, exact line search), t <= d steps
_gap, _final, _e_t, _e_sd = (sympy.Symbol(n, real=True) for n in ("gap", "final", "e_t", "e_sd"))
_kap, _t = sympy.Symbol("kappa", positive=True), sympy.Symbol("t", positive=True)
GREEDY_STATEMENT = sympy.And(
    sympy.Eq(_gap, 0), sympy.Eq(_final, 0),
    sympy.Le(_e_t, 2 * ((sympy.sqrt(_kap) - 1) / (sympy.sqrt(_kap) + 1)) ** _t),
    sympy.Le(_e_sd, ((_kap - 1) / (_kap + 1)) ** _t))  # Kantorovich: greedy GD only contracts

GREEDY_IS_CG = Claim(
    id="momentum.greedy_is_cg",
    title="Heavy ball with exactly line-searched (η_t, β_t) is conjugate gradient",
    statement=GREEDY_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(HESTENES_STIEFEL, POLYAK, NOCEDAL_WRIGHT),
    derive=_derive_greedy,
    checks=(
        NumericCheck("matches_cg", "max_t ‖x_t(greedy HB) − x_t(CG)‖ / ‖x0 − x*‖ over t ≤ d",
                     measure=_greedy_vs_cg, measures=_gap, rtol=0.0, atol=1e-10,
                     examples=({"d": 10, "kappa": 10.0, "method": "greedy_heavy_ball"},)),
        NumericCheck("terminates", "‖x_d − x*‖ / ‖x0 − x*‖ after d steps of the method",
                     measure=_distance_after_d, measures=_final, rtol=0.0, atol=1e-10,
                     examples=({"d": 10, "kappa": 10.0, "method": "greedy_heavy_ball"},)),
        NumericCheck("cg_rate", "‖x_t − x*‖_A / ‖x0 − x*‖_A after t < d steps of greedy heavy ball",
                     measure=_a_error_ratio, measures=_e_t, rtol=1e-9, strategy=_cg_rate_params(),
                     examples=({"d": 10, "kappa": 10.0, "t": 3, "method": "greedy_heavy_ball"},)),
        NumericCheck("gd_rate", "‖x_t − x*‖_A / ‖x0 − x*‖_A after t <= d steps of steepest descent (exact line search)",
                     # atol: x_t - x* is a difference of O(|x*|) vectors, so the ratio carries an absolute
                     # round-off of ~eps |x*|/|x0 - x*|_A (<= 1.6e-15 seen; the worst-case start meets the bound)
                     measure=_a_error_ratio, measures=_e_sd, rtol=1e-9, atol=1e-13,
                     strategy=_cg_rate_params("steepest_descent", t_max=0, worst=True),
                     examples=({"d": 10, "kappa": 10.0, "t": 10, "method": "steepest_descent"},)),
    ),
    strategy=_cg_params(),
    mutants=(sympy.Le(_e_sd, 0),),  # greedy GD (momentum 0, exact line search) also reaches x* (in t <= d steps)
    assumptions=(),
    equivalent={"e_t <= 4*((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**t/3": "CG's bound is not attained on evenly "
                "spaced spectra (measured/bound <= 0.65 here); the Chebyshev-extremal instance that attains "
                "2/(q^-t + q^t) is not among the instances checked"},
    doc="""Setting: f(x) = ½ xᵀAx − bᵀx, A symmetric positive definite (d ≤ 20, evenly spaced spectrum in
[1, κ], κ ≤ 10, randomly rotated). Greedy heavy ball: x_{t+1} = x_t − η_t∇f(x_t) + β_t(x_t − x_{t−1}) with
(η_t, β_t) minimizing f(x_{t+1}) exactly (a 2×2 solve on span{∇f(x_t), x_t − x_{t−1}}).
Claim (identity): its iterates are the conjugate-gradient iterates, so it reaches x* in at most d steps,
and (being CG) its A-norm error obeys ‖x_t − x*‖_A ≤ 2((√κ − 1)/(√κ + 1))^t ‖x0 − x*‖_A [1], [2, Sec. 3.2].
Derivation: the 2×2 normal equations solved by Cramer's rule (the formulas in krylov.greedy_heavy_ball)
make both partial derivatives vanish; the system is positive definite.
Measured: both methods run (krylov.py); iterates agree to 1e-10·‖x0 − x*‖ and x_d is within 1e-10 of x*
(with clustered or geometric spectra rounding grows to ~1e-9 in the last steps, for CG itself too);
the A-norm error ratio of greedy heavy ball after t < d steps (κ up to 100) is below CG's bound; without
momentum (steepest descent, exact line search) it only contracts, by at most ((κ − 1)/(κ + 1))^t in the A-norm
[3, Thm 3.3] (t <= d).
Mutant: steepest descent (no momentum) also terminates (A-norm error 0), refuted by its measured error.""",
)


# =========================================================================== effective step eta/(1-beta)
_eta_s, _g_s, _v_s = (sympy.Symbol(n, real=True) for n in ("eta", "g", "v"))
_eta_eff = sympy.Symbol("eta_eff", real=True)


def _derive_effective_step():
    d = _derivation([_eta_s > 0, beta >= 0, beta < 1], "momentum.effective_step")
    # heavy ball's step v_k = x_k - x_{k-1} obeys v+ = beta v - eta g; on a constant gradient its
    # fixed point v* = -eta g/(1 - beta) is reached geometrically (v - v* shrinks by beta per step)
    v_star = -_eta_s * _g_s / (1 - beta)
    d.start(beta * v_star - _eta_s * _g_s).eq(v_star, by="v* is the fixed point of v+ = beta v - eta g")
    d.start(beta * _v_s - _eta_s * _g_s - v_star).eq(beta * (_v_s - v_star), by="the error contracts by beta")
    return d.check()


def _effective_step(params, ctx) -> float:
    """-(x_T - x_{T-1}) . g / |g|^2 after heavy ball runs T steps on f(x) = g . x (a constant
    gradient: one consistent direction), T large enough for beta^T < 1e-13."""
    b, lr, dim = params["beta"], params["eta"], params["dim"]
    grad = ctx.rng.standard_normal(dim)
    steps = 50 if b == 0 else int(math.ceil(math.log(1e-13) / math.log(b))) + 2
    x_prev = x = ctx.rng.standard_normal(dim)
    for _ in range(steps):
        x, x_prev = x - lr * grad + b * (x - x_prev), x
    return float(-(x - x_prev) @ grad / (grad @ grad))


EFFECTIVE_STEP = Claim(
    id="momentum.effective_step",
    title="Along a consistent gradient direction heavy ball's step tends to eta/(1 - beta) times the gradient",
    statement=sympy.Eq(_eta_eff, _eta_s / (1 - beta)),
    kind=Kind.IDENTITY,
    sources=(POLYAK_1964, POLYAK),
    derive=_derive_effective_step,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=(_eta_s > 0, beta >= 0, beta < 1),
    strategy=lambda: st.fixed_dictionaries({"beta": _unit(0.0, 0.95), "eta": _unit(0.001, 1.0),
                                            "dim": st.integers(1, 5)}),
    checks=(NumericCheck("long_run_step", "heavy ball's late step per unit gradient on f(x) = g . x",
                         _effective_step, measures=_eta_eff, rtol=1e-9,
                         examples=({"beta": 0.9, "eta": 0.01, "dim": 3},)),),
    mutants=(sympy.Eq(_eta_eff, _eta_s), sympy.Eq(_eta_eff, _eta_s / (1 - beta**2))),
    doc="""Setting: heavy ball x+ = x − η∇f(x) + β(x − x₋), 0 ≤ β < 1, on a gradient that keeps one
direction (f(x) = g·x; also the slow directions of an ill-conditioned quadratic).
Claim (identity, the limit): the step x_k − x_{k−1} tends to −η g/(1 − β): momentum multiplies the
learning rate by 1/(1 − β) along consistent directions (10x at β = 0.9) [1], [2, Sec. 3.2].
Derivation: v+ = βv − ηg has the fixed point v* = −ηg/(1 − β), and v+ − v* = β(v − v*).
Check: heavy ball run until β^T < 1e-13 (β ∈ [0, 0.95], η ∈ [0.001, 1]); the last step per unit
gradient equals η/(1 − β) within 1e-9.""",
)


CLAIMS = (NESTEROV_STABILITY, NESTEROV_RATE, HB_BEATS_GD, GREEDY_IS_CG, EFFECTIVE_STEP)
