"""Gradient descent x+ = x - eta grad f(x): one-step guarantees and step-size thresholds.

The convergence-rate claims (convex, tight convex, nonconvex) live in
``rates.py``; both modules are the ``gd`` family.
"""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, PepOracle

from .. import _vector_derivations

from .._util import (
    BOYD,
    NESTEROV,
    PEPIT,
    POLYAK,
    TAYLOR_HENDRICKX_GLINEUR,
    S,
    golden_section,
    rounded,
    oracle_predictor,
    rotated_quadratic,
    spectrum_params,
)

__all__ = ["CLAIMS"]

f, g, eta, L, lam, mu, s = (S(n) for n in ("f", "g", "eta", "L", "lam", "mu", "s"))
g1, g2, l1, l2, u1, u2 = (S(n) for n in ("g1", "g2", "l1", "l2", "u1", "u2"))
h = S("h")  # normalized step eta*L
f_next = S("f_next")


def _lmax(p):
    return max(p["eigenvalues"])


def _lmin(p):
    return min(p["eigenvalues"])


def _h_values():
    # normalized steps eta*L in (0, 2), rounded so counterexamples read cleanly
    return rounded(0.01, 1.99)


# ============================================================== gd.descent_lemma
DECREASE = eta * (1 - L * eta / 2)  # guaranteed decrease per unit ||grad f||^2
QUB = f + (g1 * (-eta * g1) + g2 * (-eta * g2)) + L / 2 * ((eta * g1) ** 2 + (eta * g2) ** 2)
DL_ASSUME = (sympy.Gt(L, 0), sympy.Gt(eta, 0), sympy.Ge(l1, 0), sympy.Le(l1, L), sympy.Ge(l2, 0), sympy.Le(l2, L))
# f(x - eta grad f) <= f(x) - eta (1 - L eta / 2) ||grad f||^2
DL_STATEMENT = sympy.Le(f_next, f - DECREASE * g**2)
# The normalized form every check measures, computed from the statement:
# dec = L (f(x) - f(x+)) / ||grad f||^2 >= L eta (1 - L eta/2) = h (1 - h/2), h = eta L.
dec = S("dec")
DL_NORMALIZED = sympy.Ge(dec, sympy.expand((L * (f - DL_STATEMENT.rhs) / g**2).subs(eta, h / L)))


def _derive_descent_lemma():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(DL_ASSUME), name="gd.descent_lemma")
    # (1) Quadratic upper bound, on a quadratic f = 1/2 sum l_i z_i^2 with l_i <= L
    #     (u = y - x in the eigenbasis): f(y) - f(x) - grad f(x)^T u = 1/2 sum l_i u_i^2.
    (
        d.start(l1 * u1**2 / 2 + l2 * u2**2 / 2)
        .le(L * u1**2 / 2 + l2 * u2**2 / 2, by="l1 <= L")
        .le(L / 2 * (u1**2 + u2**2), by="l2 <= L")
    )
    # (2) Put y = x - eta grad f(x) into f(y) <= f(x) + grad f(x)^T (y-x) + L/2 ||y-x||^2.
    (
        d.start(QUB)
        .eq(f - eta * (g1**2 + g2**2) + L * eta**2 / 2 * (g1**2 + g2**2), by="expand the inner products")
        .eq(f - eta * (1 - L * eta / 2) * (g1**2 + g2**2), by="factor eta ||g||^2")
    )
    return d.check()


def _top_and_random_starts(prob, q, ctx, count=16):
    """Starts along every principal axis of the instance we built (the top axis
    is where the decrease is smallest) plus random ones, as a (batch, d) array."""
    d = prob.dim
    rows = [q[:, i] * ctx.rng.uniform(0.5, 3.0) for i in range(d)]
    rows += list(ctx.rng.standard_normal((count, d)))
    return ctx.xp.asarray(rows)


def _normalized_decrease(prob, X, lr):
    """L (f(x) - f(x+)) / ||grad f(x)||^2 per start, by running one GD step."""
    import numpy as np

    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.methods import run

    tr = run("gd", prob, X, lr, 1, record=("loss", "grad_norm"))
    loss = to_numpy(tr.loss)
    gn = to_numpy(tr.grad_norm)[0]
    # Keep starts where float64 resolves the decrease: its round-off is ~1e-16 |f(x)|, so
    # ||g||^2 / L > 1e-6 |f(x)| bounds the measurement's error by ~1e-10 (< atol). Starts
    # at (or numerically at) a stationary point carry no information about the bound.
    ok = (gn > 0) & (gn**2 > 1e-6 * prob.L * np.abs(loss[0]))
    return np.asarray(prob.L * (loss[0] - loss[1])[ok] / gn[ok] ** 2)


def _dl_quadratic(params, ctx) -> float:
    prob, q = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    X = _top_and_random_starts(prob, q, ctx)
    return float(_normalized_decrease(prob, X, params["h"] / prob.L).min())


def _dl_top(params, ctx) -> float:
    """Starts on the top principal axis only: the decrease equals the bound there."""
    prob, q = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    top = q[:, list(params["eigenvalues"]).index(_lmax(params))]
    X = ctx.xp.asarray([top * c for c in (0.3, 1.0, 7.0)])
    return float(_normalized_decrease(prob, X, params["h"] / prob.L).min())


def logistic_problem(params, ctx):
    from theorykit.numeric.problems import LogisticRegression

    n, d = params["n"], params["dim"]
    X = ctx.rng.standard_normal((n, d)) * params["scale"]
    y = ctx.rng.choice([-1.0, 1.0], size=n)
    return LogisticRegression(ctx.xp.asarray(X), ctx.xp.asarray(y), reg=params["reg"], xp=ctx.xp)


def _dl_logistic(params, ctx) -> float:
    prob = logistic_problem(params, ctx)
    X = ctx.xp.asarray(ctx.rng.standard_normal((32, prob.dim)) * ctx.rng.uniform(0.1, 5.0, size=(32, 1)))
    return float(_normalized_decrease(prob, X, params["h"] / prob.L).min())


def logistic_params(**extra):
    return st.fixed_dictionaries(
        {
            "n": st.integers(2, 40),
            "dim": st.integers(1, 5),
            "scale": st.sampled_from([0.3, 1.0, 4.0]),
            "reg": st.sampled_from([0.0, 0.01, 0.5]),
            **extra,
        }
    )


# Round-off: the decrease is a difference of losses of size up to ~L|x|^2 ~ 1e2,
# divided by ||g||^2 >= ~1e-2 on these starts.
_DL_RTOL = 1e-9
_DL_ATOL = 1e-9

GD_DESCENT_LEMMA = Claim(
    id="gd.descent_lemma",
    title="Descent lemma: f(x - eta grad f) <= f(x) - eta(1 - L eta/2) ||grad f||^2",
    statement=DL_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(NESTEROV, POLYAK),
    derive=_vector_derivations.descent_lemma,  # the class theorem; _derive_descent_lemma: the quadratic case
    derivation_scope="general",
    assumptions=DL_ASSUME,
    strategy=lambda: spectrum_params({"h": _h_values()}, dim=(1, 6), lo=0.05, hi=10.0, zeros=True),
    checks=(
        NumericCheck(
            name="top_axis_tight",
            description="starting on the top eigenvector of a quadratic the decrease equals the bound",
            measure=_dl_top,
            relation=sympy.Eq(dec, DL_NORMALIZED.rhs),  # equality on the top axis
            rtol=_DL_RTOL,
            atol=_DL_ATOL,
            examples=({"eigenvalues": (0.0, 1.0, 4.0), "h": 1.0},),
        ),
        NumericCheck(
            name="quadratic_decrease",
            description="min over starts of L (f(x) - f(x+)) / ||grad f(x)||^2 after one GD step, quadratics",
            measure=_dl_quadratic,
            relation=DL_NORMALIZED,
            rtol=_DL_RTOL,
            atol=_DL_ATOL,
            examples=({"eigenvalues": (0.0, 1.0, 4.0), "h": 1.0},),
        ),
        NumericCheck(
            name="logistic_decrease",
            description="the same normalized decrease on logistic regression (L = lambda_max(X^T X)/(4n) + reg)",
            measure=_dl_logistic,
            relation=DL_NORMALIZED,
            rtol=_DL_RTOL,
            atol=_DL_ATOL,
            strategy=lambda: logistic_params(h=_h_values()),
            examples=({"n": 20, "dim": 3, "scale": 1.0, "reg": 0.0, "h": 1.0},),
        ),
    ),
    # decrease >= h (1 - h/4) (a quarter instead of a half); >= h (the curvature term dropped)
    mutants=(sympy.Ge(dec, h * (1 - h / 4)), sympy.Ge(dec, h)),
    doc="""\
Setting: f: R^d -> R with L-Lipschitz gradient; one step x+ = x - eta grad f(x), eta > 0.

Claim (*tight*): f(x+) <= f(x) - eta (1 - L eta/2) ||grad f(x)||^2  [1, Lemma 1.2.3], [2, Sec. 1.4].
Equality holds for f = L/2 ||x||^2 (any x), so the constant cannot be improved.

Derivation: (1) the quadratic upper bound f(y) <= f(x) + <grad f(x), y-x> + L/2 ||y-x||^2,
shown on a quadratic with eigenvalues l_i <= L; (2) substituting y - x = -eta grad f(x)
and factoring.

Checks (all normalized by L/||grad f||^2, with h = eta L in (0, 2)): the measured
decrease of one GD step is >= h(1 - h/2) on quadratics (starts on every principal
axis and random) and on logistic regression (*lower*), and equals it on the top
eigenvector (*tight*, rtol 1e-9: round-off only).

Derivation (general): a vector derivation for every L-smooth f in every dimension
(smoothness interpolation inequality; theorykit.symbolic.vector); the numeric checks use quadratics.
""",
)

# ============================================================== gd.best_step
BS_ASSUME = (sympy.Gt(L, 0), sympy.Gt(eta, 0))
BS_STATEMENT = sympy.Le(DECREASE, 1 / (2 * L))
eta_best, dec_best = S("eta_best"), S("dec_best")
# the maximizer of the guaranteed decrease and its value, computed from the statement
BS_ARGMAX = sympy.Eq(eta_best, sympy.solve(sympy.diff(BS_STATEMENT.lhs, eta), eta)[0])
BS_MAX = sympy.Eq(dec_best, BS_STATEMENT.rhs)


def _derive_best_step():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(BS_ASSUME), name="gd.best_step")
    d.start(DECREASE).eq(1 / (2 * L) - L / 2 * (eta - 1 / L) ** 2, by="complete the square").le(
        1 / (2 * L), by="a square is >= 0; equality iff eta = 1/L"
    )
    return d.check()


def _guaranteed_decrease_curve(params, ctx):
    """eta -> min over starts of (f(x) - f(x+))/||grad f||^2, each value from one GD step."""
    prob, q = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    X = _top_and_random_starts(prob, q, ctx, count=8)
    return prob, (lambda lr: float(_normalized_decrease(prob, X, lr).min()) / prob.L)


def _best_step(params, ctx):
    prob, phi = _guaranteed_decrease_curve(params, ctx)
    # the guaranteed decrease is positive exactly on (0, 2/L); search a bracket
    # that is wider than that on both sides of any candidate
    return golden_section(phi, 1e-6 / prob.L, 2.0 / prob.L, tol=1e-12, maximize=True)


def _bs_argmax(params, ctx) -> float:
    return _best_step(params, ctx)[0]


def _bs_max(params, ctx) -> float:
    return _best_step(params, ctx)[1]


GD_BEST_STEP = Claim(
    id="gd.best_step",
    title="eta = 1/L maximizes the guaranteed decrease, which is then ||grad f||^2/(2L)",
    statement=BS_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(NESTEROV, BOYD),
    derive=_derive_best_step,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=BS_ASSUME,
    strategy=lambda: spectrum_params(dim=(1, 5), lo=0.05, hi=10.0, zeros=True),
    checks=(
        NumericCheck(
            name="argmax_step",
            description="golden-section search over eta of the measured worst decrease per ||grad f||^2",
            measure=_bs_argmax,
            relation=BS_ARGMAX,
            bind={L: _lmax},
            # the curve is flat at its maximum: value round-off 1e-16 moves the argmax by ~1e-8
            rtol=1e-6,
            examples=({"eigenvalues": (0.0, 1.0, 4.0)},),
        ),
        NumericCheck(
            name="max_decrease",
            description="the maximal measured worst decrease per ||grad f||^2",
            measure=_bs_max,
            relation=BS_MAX,
            bind={L: _lmax},
            rtol=1e-9,
            examples=({"eigenvalues": (0.0, 1.0, 4.0)},),
        ),
    ),
    # eta = 2/L is the best step; the best guaranteed decrease is ||grad f||^2 / L
    mutants=(sympy.Eq(eta_best, 2 / L), sympy.Eq(dec_best, 1 / L)),
    doc="""\
Setting: f with L-Lipschitz gradient, GD step x+ = x - eta grad f(x); the descent lemma
guarantees f(x) - f(x+) >= eta (1 - L eta / 2) ||grad f(x)||^2.

Claim (*tight*): eta (1 - L eta/2) <= 1/(2L) with equality iff eta = 1/L, so the best
guaranteed decrease is ||grad f||^2 / (2L) [1, Sec. 1.2.3], [2, Sec. 9.3].

Derivation: complete the square, eta(1 - L eta/2) = 1/(2L) - L/2 (eta - 1/L)^2.

Checks: on a quadratic with lambda_max = L, the worst measured decrease per ||grad f||^2
(min over starts on every principal axis and random starts, one GD step each) is
maximized over eta by golden-section search; argmax vs 1/L (rtol 1e-6, the curve is
flat at its top) and max vs 1/(2L) (rtol 1e-9).
""",
)

# ============================================================== gd.stability
eta_c = S("eta_c")
ST_ASSUME = (sympy.Gt(L, 0), sympy.Gt(lam, 0), sympy.Le(lam, L), sympy.Gt(eta, 0), sympy.Lt(eta, 2 / L),
             sympy.Gt(s, 0))
ST_STATEMENT = sympy.Eq(eta_c, 2 / L)


def _derive_stability():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(ST_ASSUME), name="gd.stability")
    # Along an eigenvector with eigenvalue lam, the error is multiplied by 1 - eta lam per step.
    d.claim(eta * lam, "<=", eta * L, by="lam <= L and eta > 0")
    d.claim(eta * L, "<", 2, by="eta < 2/L")
    d.start((1 - eta * lam) ** 2).eq(1 - eta * lam * (2 - eta * lam), by="expand").lt(
        1, by="0 < eta lam < 2, so eta lam (2 - eta lam) > 0"
    )
    # Above the threshold, eta = (2 + s)/L with s > 0: the top mode grows.
    d.start((1 - L * ((2 + s) / L)) ** 2).eq((1 + s) ** 2, by="simplify").gt(1, by="s > 0")
    return d.check()


def _measured_threshold(params, ctx) -> float:
    from theorykit.probes import stability_threshold

    return float(stability_threshold("gd", list(params["eigenvalues"]), rtol=1e-7, seed=ctx.seed,
                                     backend=ctx.backend))


GD_STABILITY = Claim(
    id="gd.stability",
    title="GD on a quadratic with lambda_max = L converges iff 0 < eta < 2/L",
    statement=ST_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(POLYAK, NESTEROV),
    derive=_derive_stability,
    assumptions=ST_ASSUME,
    strategy=lambda: spectrum_params(dim=(1, 6), lo=0.05, hi=10.0),
    checks=(
        NumericCheck(
            name="threshold",
            description="largest bounded step size, by bisection on runs (stability_threshold, rtol 1e-7)",
            measure=_measured_threshold,
            measures=eta_c,
            bind={L: _lmax, mu: _lmin},
            rtol=1e-6,  # the probe brackets to 1e-7; 1e-6 is the claim's stated accuracy
            examples=({"eigenvalues": (0.5, 1.0, 4.0)},),
        ),
    ),
    # alternative statements; near-miss ones are also generated from the statement (theorykit mutate)
    mutants=(sympy.Eq(eta_c, 1 / L), sympy.Eq(eta_c, 3 / L), sympy.Eq(eta_c, 2 / mu)),
    doc="""\
Setting: f(x) = 1/2 x^T A x - b^T x, A symmetric with eigenvalues 0 < lambda_i <= L = lambda_max;
GD x+ = x - eta grad f(x) with constant eta.

Claim (*tight* threshold): GD converges from every start iff 0 < eta < 2/L [1, Sec. 1.4], [2, Sec. 1.2.3].

Derivation: along eigenvector i the error is multiplied by 1 - eta lambda_i; (1 - eta lam)^2
= 1 - eta lam (2 - eta lam) < 1 when 0 < eta lam < 2; for eta = (2 + s)/L the top mode has
factor -(1 + s), which grows.

Check: the largest step for which GD stays bounded, by bisection on exact long runs
(theorykit.probes.stability_threshold), equals 2/lambda_max within 1e-6.
""",
)

# ============================================================== gd.strongly_convex_rate
kappa, rho, n_ = S("kappa"), S("rho"), S("n")
SC_RATE = (kappa - 1) / (kappa + 1)
SC_ASSUME = (sympy.Gt(mu, 0), sympy.Gt(L, mu), sympy.Gt(eta, 0))
SC_STATEMENT = sympy.Eq(rho, SC_RATE)
eta_opt = S("eta_opt")
SC_STEP = sympy.Eq(eta_opt, 2 / (mu + L))  # the step at which both extreme modes contract by rho


def _derive_sc_rate():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(SC_ASSUME), name="gd.strongly_convex_rate")
    # At eta = 2/(mu+L) the extreme modes contract by the same factor (L - mu)/(L + mu):
    d.start(1 - 2 * mu / (mu + L)).eq((L - mu) / (L + mu)).eq((L / mu - 1) / (L / mu + 1), by="kappa = L/mu")
    d.start(2 * L / (mu + L) - 1).eq((L - mu) / (L + mu))
    # No step does better: a convex combination of 1 - eta mu and eta L - 1 (both <= the
    # max of |1 - eta mu|, |1 - eta L|) does not depend on eta.
    d.start(L / (L + mu) * (1 - eta * mu) + mu / (L + mu) * (eta * L - 1)).eq((L - mu) / (L + mu), by="eta cancels")
    return d.check()


def _sc_params():
    @st.composite
    def make(draw):
        m = draw(rounded(0.1, 1.0))
        k = draw(rounded(1.2, 50.0, 3))
        inner = draw(st.lists(st.floats(0.0, 1.0), min_size=0, max_size=4))
        big = round(m * k, 6)
        # mu and L are always in the spectrum: they are what the claim is about
        vals = [m, big] + [round(m + t * (big - m), 6) for t in inner]
        return {"eigenvalues": tuple(sorted(vals))}

    return make()


def _pep_sc(n: int) -> float:
    from theorykit.claims.pep import gd_strongly_convex_worst_case

    return gd_strongly_convex_worst_case(n, mu=0.1, L=1.0)


def _sc_measured_rate(params, ctx) -> float:
    from theorykit.probes import linear_rate

    ev = list(params["eigenvalues"])
    lr = 2.0 / (min(ev) + max(ev))  # the step under test (the algorithm), not the rate formula
    return float(linear_rate("gd", ev, lr, seed=ctx.seed, backend=ctx.backend))


def _sc_measured_step(params, ctx) -> float:
    """Golden section over eta of linear_rate (each candidate one certified linear_rate call, as
    if made alone: ``rate_search.linear_rates``), four steps' candidates per batched call."""
    import numpy as np

    from theorykit.numeric.rate_search import linear_rates

    from .._golden import golden_section_many

    ev = np.asarray(params["eigenvalues"], dtype=np.float64)

    def rates(lrs):
        out = linear_rates("gd", np.tile(ev, (len(lrs), 1)), np.asarray(lrs, dtype=np.float64), seed=ctx.seed,
                           backend=ctx.backend)
        return [r if isinstance(r, Exception) else float(r) for r in out]

    return golden_section_many(rates, 1e-3 / max(ev), 2.0 / max(ev), tol=1e-9, depth=4).x


SC_CANON = {"eigenvalues": (0.5, 1.0, 5.0)}

GD_STRONGLY_CONVEX_RATE = Claim(
    id="gd.strongly_convex_rate",
    title="Optimal constant step 2/(mu+L) gives rate (kappa-1)/(kappa+1)",
    statement=SC_STATEMENT,
    kind=Kind.RATE,
    sources=(POLYAK, NESTEROV, TAYLOR_HENDRICKX_GLINEUR, PEPIT),
    derive=_vector_derivations.strongly_convex_rate,  # contraction on all of F_{mu,L}, with the rate algebra
    derivation_scope="general",
    assumptions=SC_ASSUME,
    strategy=_sc_params,
    checks=(
        NumericCheck(
            name="rate_at_optimal_step",
            description="measured contraction per step (linear_rate) at eta = 2/(mu+L)",
            measure=_sc_measured_rate,
            measures=rho,
            bind={kappa: lambda p: _lmax(p) / _lmin(p)},
            rtol=1e-6,  # the probe's 2^40-step window biases the root by ~1e-11
            examples=(SC_CANON,),
        ),
        NumericCheck(
            name="optimal_step",
            description="golden-section minimizer over eta of the measured rate",
            measure=_sc_measured_step,
            relation=SC_STEP,
            bind={mu: _lmin, L: _lmax},
            rtol=1e-6,  # golden section to 1e-9; the rate has a kink (not flat) at its minimum
            examples=(SC_CANON,),
        ),
    ),
    # rate 1 - 1/kappa (that of eta = 1/L); the squared-distance rate; the best step 1/L
    mutants=(sympy.Eq(rho, 1 - 1 / kappa), sympy.Eq(rho, SC_RATE**2), sympy.Eq(eta_opt, 1 / L)),
    oracle=PepOracle(
        # PEP over all 0.1-strongly convex 1-smooth f: worst ||x_n - x*||^2 with ||x0 - x*|| <= 1.
        worst_case=lambda n: _pep_sc(n),
        predict=oracle_predictor(SC_RATE ** (2 * n_), kappa=10.0),
        ns=tuple(range(1, 9)),
        rtol=1e-4,  # Clarabel reaches ~1e-8 relative on these SDPs (benchmarks/bench_gd_pep.py)
        compare="tight",
    ),
    doc="""\
Setting: f mu-strongly convex with L-Lipschitz gradient (checked on quadratics with
eigenvalues in [mu, L], mu and L attained), kappa = L/mu; GD with constant step eta.

Claim (*tight*): the step eta = 2/(mu + L) minimizes the worst-case contraction
max(|1 - eta mu|, |1 - eta L|), and then ||x_k - x*|| <= ((kappa-1)/(kappa+1))^k ||x_0 - x*||
[1, Sec. 1.4], [2, Thm 2.1.15]. The PEP of [3] shows this is also the exact worst
case over the whole function class.

Derivation: at eta = 2/(mu+L) both extreme modes contract by (L - mu)/(L + mu); a convex
combination of 1 - eta mu and eta L - 1 with weights L/(L+mu), mu/(L+mu) equals (L - mu)/(L + mu)
for every eta, so no step does better.

Checks: the measured asymptotic rate (linear_rate, 2^40 exact steps) at eta = 2/(mu+L)
within 1e-6; the step minimizing the measured rate (golden section) within 1e-6 of
2/(mu+L). Oracle: PEPit worst case of ||x_n - x*||^2 for mu = 0.1, L = 1 equals
rate^(2n), n = 1..8.

Derivation (general): the contraction ||x1 - x*|| <= (L - mu)/(L + mu) ||x0 - x*|| for every f in
F_{mu,L} (vector derivation), plus the rate algebra in kappa.
""",
)

CLAIMS = (GD_DESCENT_LEMMA, GD_BEST_STEP, GD_STABILITY, GD_STRONGLY_CONVEX_RATE)
