"""Heavy-ball momentum on quadratics: recurrence, stability region, rates.

Setting for every claim here: f(x) = ½ xᵀAx with A symmetric, eigenvalues
0 < μ = λ_1 <= ... <= λ_d = L, κ = L/μ, and Polyak's heavy ball [1]

    x_{k+1} = x_k − η ∇f(x_k) + β (x_k − x_{k−1}),   x_{−1} = x_0.

Along an eigenvector with eigenvalue λ the error follows a scalar two-term
recurrence whose characteristic polynomial is derived in
``theorykit.symbolic.stability`` from the step rule; with h = ηλ it is
p(z) = z² − (1 + β − h) z + β. Stability and rates follow from where its roots lie
(Jury's criterion [2]). The catalog's second momentum module,
``accelerated.py``, holds Nesterov's method, the GD comparison and CG.
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._common import (
    GD_CONDITIONS,
    GOH,
    HB_CONDITIONS,
    HB_MATRIX,
    HB_POLY,
    HB_POLY_H,
    JURY,
    LESSARD,
    POLYAK_1964,
    a,
    b,
    beta,
    eta,
    h,
    lam,
    rel_round,
    s,
    spread,
    z,
)
from ._common import derivation as _derivation
from ._common import probes as _probes
from ._common import seed_of as _seed
from ._common import unit_floats as _unit
from .._stochastic import cached
from .._util import POLYAK, S, predictor, rotated_quadratic

__all__ = ["CLAIMS"]




# =========================================================================== recurrence
# The statement: the eigencomponent e_k = q_iᵀx_k satisfies e_{k+1} = A1 e_k + A0 e_{k-1}.
A1, A0 = 1 + beta - eta * lam, -beta
c1, c0 = S("c1"), S("c0")  # measured: least-squares coefficients of e_k and e_{k-1}
REC_STATEMENT = sympy.And(sympy.Eq(HB_POLY, z**2 - A1 * z - A0), sympy.Eq(c1, A1), sympy.Eq(c0, A0))
REC_STEPS = 12


def _fit_recurrence(params, ctx):
    """Run heavy ball on a rotated quadratic, project onto eigenvector i, and fit
    e_{k+1} = c1 e_k + c0 e_{k-1} by least squares over the trajectory."""
    from theorykit.numeric.methods import run

    prob, Q = rotated_quadratic(params["eigenvalues"], ctx.rng)
    x0 = ctx.rng.standard_normal(prob.dim)
    traj = run("heavy_ball", prob, x0, params["lr"], REC_STEPS, momentum=params["beta"], record=("x",))
    e = np.asarray(traj.xs) @ Q[:, params["index"]]
    X = np.stack([e[1:-1], e[:-2]], axis=1)
    coef, *_ = np.linalg.lstsq(X, e[2:], rcond=None)
    return coef


def _rec_params():
    @st.composite
    def draw(data):
        d = data(st.integers(1, 5))
        eig = tuple(sorted(data(st.lists(_unit(0.1, 10.0), min_size=d, max_size=d))))
        # lr below the stability threshold so the trajectory stays finite: h_max < 2(1+beta)
        return {"eigenvalues": eig, "beta": data(_unit(0.05, 0.9)), "lr": rel_round(data(_unit(0.05, 1.9)) / eig[-1]),
                "index": data(st.integers(0, d - 1))}

    return draw()


_REC_BIND = {eta: "lr", lam: lambda p: p["eigenvalues"][p["index"]]}


_REC_EXAMPLE = {"eigenvalues": (0.5, 1.0, 3.0), "beta": 0.7, "lr": 0.4, "index": 1}


def _derive_recurrence():
    from theorykit.symbolic.stability import iteration_matrix

    e, ep = sympy.Symbol("e", real=True), sympy.Symbol("e_prev", real=True)
    t, l2 = sympy.Symbol("t", real=True), sympy.Symbol("l2", real=True)
    d = _derivation([eta > 0, lam > 0, l2 > 0], "momentum.heavy_ball_recurrence")
    # grad f(x) = A x has component lambda*e along the eigenvector
    d.start(e - eta * lam * e + beta * (e - ep)).eq(HB_MATRIX[0, 0] * e + HB_MATRIX[0, 1] * ep,
                                                    by="step rule with grad = lambda*e (stability.companion_matrix)")
    # The same block from the full 4x4 iteration on A = Q diag(lambda, l2) Q^T, conjugated by
    # diag(Q, Q). Q is the rational (Cayley) rotation, so the prover needs no trigonometry.
    c, sn = (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2)
    Q = sympy.Matrix([[c, -sn], [sn, c]])
    T = sympy.diag(Q, Q)
    D = T.T * iteration_matrix("heavy_ball", Q * sympy.diag(lam, l2) * Q.T, eta, beta) * T
    d.start(D[0, 0]).eq(A1, by="(Q^T M Q): eigencomponent of x_k in x_{k+1}")
    d.start(D[0, 2]).eq(A0, by="eigencomponent of x_{k-1} in x_{k+1}")
    d.start(D[0, 1]).eq(0, by="no coupling to the other eigendirection (x_k)")
    d.start(D[0, 3]).eq(0, by="no coupling to the other eigendirection (x_{k-1})")
    d.start(sympy.expand((z - HB_MATRIX[0, 0]) * (z - HB_MATRIX[1, 1]) - HB_MATRIX[0, 1] * HB_MATRIX[1, 0])).eq(
        z**2 - (1 + beta - eta * lam) * z + beta, by="det(zI - B) for the 2x2 companion matrix")
    return d.check()


HEAVY_BALL_RECURRENCE = Claim(
    id="momentum.heavy_ball_recurrence",
    title="Heavy ball along an eigenvector: e_{k+1} = (1+β−ηλ) e_k − β e_{k−1}",
    statement=REC_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(POLYAK_1964, POLYAK),
    derive=_derive_recurrence,
    checks=(
        NumericCheck("coef_e_k", "least-squares coefficient of e_k fitted on a heavy-ball trajectory",
                     measure=lambda p, c: float(_fit_recurrence(p, c)[0]), measures=c1, bind=_REC_BIND,
                     rtol=1e-7, atol=1e-9, examples=(_REC_EXAMPLE,)),
        NumericCheck("coef_e_prev", "least-squares coefficient of e_{k-1} fitted on the trajectory",
                     measure=lambda p, c: float(_fit_recurrence(p, c)[1]), measures=c0, bind=_REC_BIND,
                     rtol=1e-7, atol=1e-9, examples=(_REC_EXAMPLE,)),
    ),
    strategy=_rec_params,
    # momentum with the wrong sign in the linear coefficient; the beta e_{k-1} term forgotten
    mutants=(sympy.Eq(c1, 1 - beta - eta * lam), sympy.Eq(c0, 0)),
    assumptions=(eta > 0, lam > 0),
    doc="""Setting: f(x) = ½ xᵀAx, A = Q diag(λ) Qᵀ; heavy ball x_{k+1} = x_k − η∇f(x_k) + β(x_k − x_{k−1}).
Claim (identity): e_k = q_iᵀx_k satisfies e_{k+1} = (1 + β − ηλ_i) e_k − β e_{k−1}, i.e. the
companion matrix [[1+β−ηλ, −β], [1, 0]] with characteristic polynomial z² − (1+β−ηλ)z + β.
Derivation: the step rule with ∇f = λe; the same block read off the full 4×4 iteration
conjugated by the eigenvectors (stability.eigendirection_blocks); det(zI − B).
Measured: heavy ball is run on a randomly rotated quadratic, the trajectory projected on an
eigenvector, and (c1, c0) fitted by least squares on 12 steps (exact up to rounding).""",
)


# =========================================================================== stability region
HB_H_MAX = 2 * (1 + beta)
h_max = S("h_max")  # measured: the largest stable eta times lambda_max
STAB_STATEMENT = sympy.And(h > 0, h < HB_H_MAX, sympy.Abs(beta) < 1, sympy.Eq(h_max, HB_H_MAX))


def _threshold_h(method):
    def measure(params, ctx):
        eig = params["eigenvalues"]
        eta_max = _probes().stability_threshold(method, eig, momentum=params["beta"], rtol=1e-7, seed=_seed(ctx))
        return float(eta_max) * max(eig)  # in units of h = eta * lambda_max

    return measure


def _stab_params(beta_lo=0.0, beta_hi=0.95):
    @st.composite
    def draw(data):
        d = data(st.integers(1, 4))
        eig = tuple(sorted(data(st.lists(_unit(0.05, 20.0), min_size=d, max_size=d))))
        return {"eigenvalues": eig, "beta": data(_unit(beta_lo, beta_hi))}

    return draw


def _p_hb(zv):
    """p(z) = z^2 - (1 + beta - h) z + beta, as written in the claim (unexpanded)."""
    return zv**2 - (1 + beta - h) * zv + beta


def _derive_stability():
    d = _derivation([h > 0, h < HB_H_MAX, beta >= 0, beta < 1], "momentum.heavy_ball_stability")
    d.start(_p_hb(z)).eq(HB_POLY_H, by="the characteristic polynomial derived from the step rule")
    # Jury's conditions for p, computed by stability.jury_conditions: p(1) > 0, p(-1) > 0, |beta| < 1
    cond_p1, cond_m1, cond_a0 = HB_CONDITIONS
    # (SymPy evaluates p(±1) on construction, so these chains start from the evaluated values)
    d.start(_p_hb(1)).gt(0, by=f"p(1) = {cond_p1.lhs} > 0 since h > 0")
    d.start(_p_hb(-1)).gt(0, by=f"p(-1) = {cond_m1.lhs} > 0 since h < 2(1+beta); = 0 at h = 2(1+beta)")
    d.start(cond_a0.lhs).eq(beta, by="beta >= 0").lt(1, by="product of the roots = beta < 1")
    return d.check()


HEAVY_BALL_STABILITY = Claim(
    id="momentum.heavy_ball_stability",
    title="Heavy ball is stable iff 0 < ηλ < 2(1+β) and |β| < 1",
    statement=STAB_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(POLYAK_1964, JURY, GOH),
    derive=_derive_stability,
    checks=(
        NumericCheck("threshold", "largest stable η·L by bisection on heavy-ball runs",
                     measure=_threshold_h("heavy_ball"), measures=h_max, rtol=1e-5,
                     examples=({"eigenvalues": (1.0,), "beta": 0.5}, {"eigenvalues": (0.1, 2.0, 4.0), "beta": 0.9})),
    ),
    strategy=_stab_params(),
    mutants=(sympy.Eq(h_max, 2 + beta), sympy.Eq(h_max, 2 * (1 - beta))),  # 2(1 - beta): momentum shrinks it
    assumptions=(beta >= 0, beta < 1, h > 0),
    doc="""Setting: f(x) = ½ xᵀAx, eigenvalues λ ∈ (0, L]; heavy ball with step η and momentum β ∈ [0, 1).
Claim (threshold, tight): all eigen-recurrences z² − (1+β−ηλ)z + β have roots strictly inside the unit disk
iff 0 < ηλ < 2(1 + β) and |β| < 1; so the largest stable step is η = 2(1 + β)/L.
Derivation: Jury's conditions p(1) > 0, p(−1) > 0, |a0| < 1 from stability.jury_conditions, each shown to
hold in the region; p(−1) = 0 on the boundary.
Measured: stability_threshold bisects η on heavy-ball runs of ~2^41 steps (rtol 1e-7); compared with
rtol 1e-5. (β ≥ 1 is not runnable: the method runner rejects it; |β| < 1 is the product-of-roots condition.)""",
)


# =========================================================================== threshold doubling
EPS = (1e-2, 1e-3)  # 1 - beta values for the extrapolation beta -> 1
GD_H_MAX = 2
RATIO_LIMIT = sympy.limit(HB_H_MAX / GD_H_MAX, beta, 1, dir="-")
ratio_lim = S("ratio_lim")  # measured: HB threshold extrapolated to beta = 1, over GD's
DOUBLING_STATEMENT = sympy.And(sympy.Eq(sympy.Limit(HB_H_MAX / GD_H_MAX, beta, 1, dir="-"), RATIO_LIMIT),
                               sympy.Eq(ratio_lim, RATIO_LIMIT))


def _doubling(params, ctx):
    """Threshold ratio HB(β → 1)/GD from runs: heavy-ball thresholds measured at
    β = 1 − ε for two ε, extrapolated linearly to ε = 0, over the GD threshold."""
    eig, seed = params["eigenvalues"], _seed(ctx)
    probes = _probes()
    t1, t2 = (float(probes.stability_threshold("heavy_ball", eig, momentum=1 - e, rtol=1e-8, seed=seed)) for e in EPS)
    e1, e2 = EPS
    limit = (e1 * t2 - e2 * t1) / (e1 - e2)
    gd = float(probes.stability_threshold("gd", eig, rtol=1e-8, seed=seed))
    return limit / gd


def _derive_doubling():
    d = _derivation([beta >= 0, beta < 1], "momentum.threshold_doubling")
    gd_cond = GD_CONDITIONS[0]  # |h - 1| < 1: GD's threshold is h = 2
    d.start(gd_cond.lhs.subs(h, GD_H_MAX)).eq(1, by="GD's boundary |1 - h| = 1 at h = 2")
    d.start(HB_H_MAX / GD_H_MAX).eq(1 + beta).lt(2, by="beta < 1")
    d.claim(2 - HB_H_MAX / GD_H_MAX, "=", 1 - beta, by="gap to twice GD's threshold vanishes as beta -> 1")
    return d.check()


THRESHOLD_DOUBLING = Claim(
    id="momentum.threshold_doubling",
    title="As β → 1 the heavy-ball threshold tends to 4/L, twice GD's 2/L",
    statement=DOUBLING_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(POLYAK_1964, GOH),
    derive=_derive_doubling,
    checks=(
        NumericCheck("limit_ratio", "HB threshold extrapolated to β = 1 from β = 0.99, 0.999, over the GD threshold",
                     measure=_doubling, measures=ratio_lim, rtol=1e-5,
                     examples=({"eigenvalues": (1.0,)},)),
    ),
    strategy=lambda: _stab_params()().map(lambda p: {"eigenvalues": p["eigenvalues"]}),
    mutants=(sympy.Eq(ratio_lim, 1), sympy.Eq(ratio_lim, sympy.Rational(3, 2))),  # 2/L like GD; 3/L
    assumptions=(beta >= 0, beta < 1),
    doc="""Setting: f(x) = ½ xᵀAx with top eigenvalue L; heavy ball (momentum β) and GD.
Claim (threshold limit, tight): η_max^HB(β) = 2(1 + β)/L → 4/L as β → 1⁻, twice GD's 2/L.
Derivation: GD's Jury condition |1 − ηL| < 1 gives 2/L; the ratio 1 + β < 2 with gap 1 − β.
Measured: heavy-ball thresholds by bisection on runs at β = 0.99 and 0.999 (rtol 1e-8), linearly
extrapolated to β = 1, divided by the measured GD threshold; compared with 2 at rtol 1e-5.""",
)


# =========================================================================== complex roots
SQ = sympy.sqrt(beta)
LO, HI = (1 - SQ) ** 2, (1 + SQ) ** 2
rho_c = S("rho_c")  # measured: heavy ball's linear rate at h inside the regime
MODULUS_STATEMENT = sympy.And(sympy.Implies(sympy.And(LO < h, h < HI), sympy.Eq(sympy.Symbol("rho"), SQ)),
                              sympy.Eq(rho_c, SQ))
_h_in_regime = predictor(LO + sympy.Symbol("t", real=True) * (HI - LO), beta="beta", t="t")


def _hb_rate_at_h(params, ctx):
    lam_v = params["lam"]
    return float(_probes().linear_rate("heavy_ball", [lam_v], params["h"] / lam_v, momentum=params["beta"], seed=_seed(ctx)))


def _modulus_params():
    @st.composite
    def draw(data):
        p = {"lam": data(_unit(0.1, 10.0)), "beta": data(_unit(0.05, 0.95)), "t": data(_unit(0.02, 0.98))}
        p["h"] = _h_in_regime(p)  # a point strictly inside the claimed complex-root regime
        return p

    return draw()


def _derive_modulus():
    # s = sqrt(beta); the roots are (c ± i sqrt(4 beta - c^2))/2 with c = 1 + beta - h
    c = 1 + s**2 - h
    d = _derivation([s > 0, s < 1, h > (1 - s) ** 2, h < (1 + s) ** 2], "momentum.complex_root_modulus")
    d.start(c**2 - 4 * s**2).eq(((1 - s) ** 2 - h) * ((1 + s) ** 2 - h), by="difference of squares").lt(
        0, by="(1-s)^2 < h < (1+s)^2: complex roots")
    d.start((c / 2) ** 2 + (4 * s**2 - c**2) / 4).eq(s**2, by="|z|^2 = Re^2 + Im^2")
    d.start(HB_POLY_H.subs(beta, s**2).coeff(z, 0)).eq(s**2, by="product of conjugate roots = |z|^2")
    return d.check()


COMPLEX_ROOT_MODULUS = Claim(
    id="momentum.complex_root_modulus",
    title="In the complex-root regime both heavy-ball roots have modulus √β",
    statement=MODULUS_STATEMENT,
    kind=Kind.RATE,
    sources=(POLYAK_1964, LESSARD),
    derive=_derive_modulus,
    checks=(
        NumericCheck("rate", "linear_rate of heavy ball on one eigenvalue at ηλ inside the regime",
                     measure=_hb_rate_at_h, measures=rho_c, rtol=1e-6,
                     examples=({"lam": 1.0, "beta": 0.5, "t": 0.5, "h": 1.5},)),
    ),
    strategy=_modulus_params,
    mutants=(sympy.Eq(rho_c, 2 * SQ), sympy.Eq(rho_c, beta)),  # 2 sqrt(beta) (seen in write-ups); beta
    assumptions=(beta > 0, beta < 1),
    doc="""Setting: heavy ball on one eigendirection, h = ηλ, β ∈ (0, 1).
Claim (rate, tight): for (1 − √β)² < h < (1 + √β)² the roots of z² − (1+β−h)z + β are complex
conjugate with |z| = √β, so the error contracts by √β per step, whatever h is in that range.
Derivation: discriminant (1+β−h)² − 4β = ((1−√β)² − h)((1+√β)² − h) < 0; |z|² = Re² + Im² = β.
Measured: linear_rate (2^40-step run, exact in the eigenbasis) at h inside the regime; rtol 1e-6
(near the regime's ends the roots nearly coincide and rounding splits them by ~√ε).""",
)


# =========================================================================== optimal tuning
SQL, SQM = sympy.sqrt(sympy.Symbol("L", real=True)), sympy.sqrt(sympy.Symbol("mu", real=True))
ETA_OPT = 4 / (SQL + SQM) ** 2
BETA_OPT = ((SQL - SQM) / (SQL + SQM)) ** 2
KAPPA = sympy.Symbol("L", real=True) / sympy.Symbol("mu", real=True)
RATE_OPT = (sympy.sqrt(KAPPA) - 1) / (sympy.sqrt(KAPPA) + 1)
_RHO = sympy.Symbol("rho", real=True)
# measured: the rate at (eta*, beta*) and the smallest rate found by search (rho), the smallest rate over
# 1% perturbations (rho_loc), and the beta at which the search found its minimum (beta_best)
_rho_loc, _beta_best = S("rho_loc"), S("beta_best")
OPT_STATEMENT = sympy.And(sympy.Eq(_RHO, RATE_OPT), sympy.Ge(_rho_loc, RATE_OPT), sympy.Eq(_beta_best, BETA_OPT))
_eta_opt, _beta_opt = predictor(ETA_OPT), predictor(BETA_OPT)


def _opt_params():
    @st.composite
    def draw(data):
        mu_v = data(_unit(0.01, 1.0))
        p = {"mu": mu_v, "L": rel_round(mu_v * data(_unit(1.5, 1e4))), "n": data(st.integers(2, 6))}
        p["eta"], p["beta"] = _eta_opt(p), _beta_opt(p)
        return p

    return draw


def _hb_rate_spread(params, ctx, eta_v=None, beta_v=None):
    eig = spread(params["mu"], params["L"], params["n"])
    return float(_probes().linear_rate("heavy_ball", eig, params["eta"] if eta_v is None else eta_v,
                                       momentum=params["beta"] if beta_v is None else beta_v, seed=_seed(ctx)))


def _local_min(params, ctx):
    """Smallest measured rate among 1% perturbations of (η, β): a local-optimality probe.
    A perturbation can land exactly on the stability boundary (at κ = 100, 1.01 η* = 2(1 + β*)/L, a
    root at −1), where float64 cannot certify the rate; such a trial still bounds its rate within
    its error and one-ulp sensitivity, which is enough to show it is not the smallest one."""
    from theorykit.numeric.certified import InconclusiveMeasurement
    from theorykit.numeric.probes import linear_rate_report

    e, bt = params["eta"], params["beta"]
    trials = np.array([(e * 1.01, bt), (e * 0.99, bt), (e, bt + 0.01 * (1 - bt)), (e, bt * 0.99)])
    eig = spread(params["mu"], params["L"], params["n"])
    rep = linear_rate_report("heavy_ball", np.tile(eig, (len(trials), 1)), trials[:, 0], momentum=trials[:, 1],
                             seed=_seed(ctx))
    i = int(np.argmin(rep.rate))
    slack = rep.error + rep.sensitivity
    unsure = rep.status != "certified"
    if unsure[i] or np.any(unsure & (rep.rate - slack <= rep.rate[i] + rep.error[i])):
        raise InconclusiveMeasurement(f"the smallest perturbed rate is not certified: {rep.status.tolist()}")
    return float(rep.rate[i])


def _measured_minimum(params, ctx):
    return _search(params, ctx)[0]


def _measured_argmin_beta(params, ctx):
    return _search(params, ctx)[1]


def _search(params, ctx):
    """(rate, beta): min over (η, β) of the measured heavy-ball rate and the β where it was seen,
    found without the claimed formulas:
    golden section over s = √β ∈ [0, 0.999]; for each s, the best η ∈ (0, 4/L] by six
    rounds of a 64-point batched grid, each zoomed onto the best point's neighbours
    (ρ(η) is quasi-convex for fixed β: every root modulus is >= √β, with equality on
    the flat complex-root stretch, so the zoom never loses the minimum). Returns the
    smallest rate measured at any (η, β) tried: an achieved rate, never an extrapolation.
    Accuracy: at the optimum both ends sit on the edge of the complex-root regime, where
    the root modulus moves like √(δη), so a resolution δ gives errors ~√δ: rtol 1e-4."""
    from theorykit.numeric.rate_search import linear_rates, trajectory_rates

    from .._golden import golden_section_many

    eig = spread(params["mu"], params["L"], params["n"])
    grid = 64
    seed = _seed(ctx)

    def best_over_eta(betas):
        # For each beta the zoom ranks grid points by the runs themselves (trajectory_rates:
        # linear_rate's run, its N-th root within ~1e-11); only the point it settles on is measured
        # certified (linear_rates: linear_rate as if called alone), so every value the search sees is
        # a certified linear_rate, at 1/384 of the extended-precision work. The golden section's
        # candidates (several betas) run as one batch, each from the start a lone call draws.
        nb = len(betas)
        lo, hi = [0.0] * nb, [4.0 / params["L"]] * nb
        batch = np.tile(eig, (nb * grid, 1))
        moms = np.repeat(np.asarray(betas, dtype=np.float64), grid)
        for _ in range(6):
            etas = np.stack([np.linspace(lo[j], hi[j], grid + 1)[1:] for j in range(nb)])
            rates = trajectory_rates("heavy_ball", batch, etas.reshape(-1), momentum=moms, seed=seed,
                                     blocks=nb).reshape(nb, grid)
            best = [int(np.argmin(rates[j])) for j in range(nb)]
            for j, i in enumerate(best):
                step = etas[j, 1] - etas[j, 0]
                lo[j], hi[j] = max(etas[j, i] - step, 0.0), etas[j, i] + step
        found = np.array([etas[j, i] for j, i in enumerate(best)])
        out = linear_rates("heavy_ball", np.tile(eig, (nb, 1)), found, momentum=np.asarray(betas, dtype=np.float64),
                           seed=seed)
        return [r if isinstance(r, Exception) else float(r) for r in out]

    def go():
        # 64 x n rows per candidate: fewer candidates per call where the rows are many
        res = golden_section_many(lambda svs: best_over_eta([sv * sv for sv in svs]), 0.0, 0.999, tol=1e-6,
                                  depth=3 if params["n"] <= 2 else 2)
        return min((rate, float(sv * sv)) for sv, rate in res.path)

    return cached("momentum.optimal_search", {k: params[k] for k in ("mu", "L", "n")}, ctx, go)


def _derive_optimal():
    # a = sqrt(L), b = sqrt(mu); r = (a - b)/(a + b) = sqrt(beta*)
    r = (a - b) / (a + b)
    eta_ab = 4 / (a + b) ** 2
    d = _derivation([b > 0, a > b], "momentum.heavy_ball_optimal")
    d.start(eta_ab * a**2).eq((1 + r) ** 2, by="eta*L = (1 + sqrt(beta))^2: upper end of the regime")
    d.start(eta_ab * b**2).eq((1 - r) ** 2, by="eta*mu = (1 - sqrt(beta))^2: lower end")
    d.start((1 + r) / (1 - r)).eq(a / b, by="regime width ratio ((1+s)/(1-s))^2 = kappa: equal ripple")
    d.start(r).eq((a / b - 1) / (a / b + 1), by="rate sqrt(beta*) in terms of sqrt(kappa) = a/b")
    d.claim(r, "<", 1, by="so beta* = r^2 < 1: inside the stable range")
    d.claim(r, ">", 0)
    return d.check()


HEAVY_BALL_OPTIMAL = Claim(
    id="momentum.heavy_ball_optimal",
    title="Optimal heavy ball: η* = 4/(√L+√μ)², β* = ((√L−√μ)/(√L+√μ))², rate (√κ−1)/(√κ+1)",
    statement=OPT_STATEMENT,
    kind=Kind.RATE,
    sources=(POLYAK_1964, POLYAK, LESSARD),
    derive=_derive_optimal,
    checks=(
        NumericCheck("rate", "linear_rate of heavy ball at (η*, β*) on eigenvalues spread over [μ, L]",
                     measure=_hb_rate_spread, measures=_RHO, rtol=1e-5,
                     examples=({"mu": 1.0, "L": 100.0, "n": 5, "eta": _eta_opt({"mu": 1.0, "L": 100.0}),
                                "beta": _beta_opt({"mu": 1.0, "L": 100.0})},)),
        NumericCheck("measured_minimum", "min over (η, β) of the measured rate, searched by running (no formulas)",
                     measure=_measured_minimum, measures=_RHO, rtol=1e-4,
                     examples=({"mu": 1.0, "L": 100.0, "n": 3},), max_draws=8),
        NumericCheck("local_optimality", "min measured rate over 1% perturbations of (η*, β*) is not below the claim",
                     measure=_local_min, measures=_rho_loc, rtol=1e-6),
        NumericCheck("measured_argmin", "the β at which the search over (η, β) by running found its minimum rate",
                     measure=_measured_argmin_beta, measures=_beta_best, rtol=1e-4, atol=1e-6,
                     examples=({"mu": 1.0, "L": 100.0, "n": 3},), max_draws=8),
    ),
    strategy=_opt_params(),
    # no acceleration (GD's rate); beta* without the square; the rate equal to the momentum beta*
    mutants=(sympy.Eq(_RHO, (KAPPA - 1) / (KAPPA + 1)), sympy.Eq(_beta_best, (SQL - SQM) / (SQL + SQM)),
             sympy.Eq(_RHO, BETA_OPT)),
    assumptions=(sympy.Symbol("mu", real=True) > 0, sympy.Symbol("L", real=True) > sympy.Symbol("mu", real=True)),
    doc="""Setting: f(x) = ½ xᵀAx with spectrum in [μ, L], κ = L/μ; heavy ball with constant (η, β).
Claim (rate, tight): η* = 4/(√L + √μ)², β* = ((√L − √μ)/(√L + √μ))² give the asymptotic rate
max_λ |root| = √β* = (√κ − 1)/(√κ + 1), the best over (η, β).
Derivation (equal ripple): with s = √β the complex-root regime is (1 − s)² ≤ ηλ ≤ (1 + s)²; putting μ and L
on its two ends gives η*μ = (1 − s)², η*L = (1 + s)², hence ((1+s)/(1−s))² = κ, s = (√κ−1)/(√κ+1).
Measured: linear_rate at (η*, β*) on n eigenvalues spread over [μ, L] (both ends are double roots, so
rounding limits accuracy: rtol 1e-5); 1% perturbations of (η, β) never do better; and a search over
(η, β) by running (golden section in √β, zoomed batched grids in η) finds the same minimum (rtol 1e-4: near the optimum the modulus moves like the square root of the
parameter error).""",
)


# =========================================================================== critical damping
SH = sympy.sqrt(h)
CRIT_BETA = (1 - SH) ** 2
CRIT_RATE = 1 - SH
rho_crit = S("rho_crit")  # measured: heavy ball's linear rate at beta = (1 - sqrt h)^2
CRIT_STATEMENT = sympy.And(
    sympy.Implies(sympy.Eq(beta, CRIT_BETA), sympy.Eq(sympy.Symbol("rho", real=True), CRIT_RATE)),
    sympy.Eq(rho_crit, CRIT_RATE))
_crit_beta = predictor(CRIT_BETA, h="h")


def _crit_params():
    @st.composite
    def draw(data):
        p = {"lam": data(_unit(0.1, 10.0)), "h": data(_unit(0.01, 0.95))}
        p["beta"] = _crit_beta(p)
        return p

    return draw()


def _derive_critical():
    c = 1 + (1 - s) ** 2 - s**2  # 1 + beta - h with beta = (1 - s)^2, h = s^2
    d = _derivation([s > 0, s < 1], "momentum.critical_damping")
    d.start(HB_POLY_H.subs({beta: (1 - s) ** 2, h: s**2}).coeff(z, 1)).eq(-c).eq(-2 * (1 - s))
    d.start(c**2 - 4 * (1 - s) ** 2).eq(0, by="zero discriminant: a double root")
    d.start(HB_POLY_H.subs({beta: (1 - s) ** 2, h: s**2, z: 1 - s})).eq(0, by="the double root is c/2 = 1 - sqrt(h)")
    return d.check()


CRITICAL_DAMPING = Claim(
    id="momentum.critical_damping",
    title="Critical damping β = (1−√(ηλ))² gives rate 1 − √(ηλ)",
    statement=CRIT_STATEMENT,
    kind=Kind.RATE,
    sources=(POLYAK_1964, GOH),
    derive=_derive_critical,
    checks=(
        NumericCheck("rate", "linear_rate of heavy ball at critical damping (a Jordan block)",
                     measure=_hb_rate_at_h, measures=rho_crit, rtol=1e-5,
                     examples=({"lam": 1.0, "h": 0.3, "beta": _crit_beta({"h": 0.3})},)),
    ),
    strategy=_crit_params,
    mutants=(sympy.Eq(rho_crit, 1 - h), sympy.Eq(rho_crit, CRIT_RATE / 2)),  # GD-like 1 - eta lambda; halved
    assumptions=(h > 0, h < 1),
    doc="""Setting: heavy ball on one eigendirection, h = ηλ ∈ (0, 1).
Claim (rate, tight): with β = (1 − √h)² the characteristic polynomial has the double root 1 − √h,
so the error contracts like k(1 − √h)^k: asymptotic rate 1 − √h.
Derivation: 1 + β − h = 2(1 − √h), zero discriminant, p(1 − √h) = 0.
Measured: linear_rate over 2^40 steps (the factor k of the Jordan block biases the k-th root by
log(k)/k ~ 2.5e-11; rounding splits the double root, measured error ~1e-6: rtol 1e-5).""",
)


CLAIMS = (
    HEAVY_BALL_RECURRENCE,
    HEAVY_BALL_STABILITY,
    THRESHOLD_DOUBLING,
    COMPLEX_ROOT_MODULUS,
    HEAVY_BALL_OPTIMAL,
    CRITICAL_DAMPING,
)
