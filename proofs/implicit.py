"""Implicit bias of gradient descent.

``implicit.min_norm``: GD on underdetermined least squares from x_0 converges to
pinv(A) b + P_N x_0 (P_N the projector onto null(A)); from x_0 = 0 that is the
minimum-norm solution.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._util import rounded, thorough, S, seed_words

__all__ = ["CLAIMS"]

a1, a2, b, eta, x1, x2, c = (S(n) for n in ("a1", "a2", "b", "eta", "x1", "x2", "c"))
r_ = S("r")

GUNASEKAR = Source(
    key="Gunasekar et al. 2018",
    authors="S. Gunasekar, J. Lee, D. Soudry, N. Srebro",
    title="Characterizing implicit bias in terms of optimization geometry",
    year=2018,
    venue="ICML 2018",
    arxiv="1802.08246",
)
ZHANG_RETHINKING = Source(
    key="Zhang et al. 2017",
    authors="C. Zhang, S. Bengio, M. Hardt, B. Recht, O. Vinyals",
    title="Understanding deep learning requires rethinking generalization (Sec. 5, the linear case)",
    year=2017,
    venue="ICLR 2017",
    arxiv="1611.03530",
)

# ============================================================== implicit.min_norm
# One equation a^T x = b in R^2 (a = (a1, a2) != 0): the smallest underdetermined system.
MN_ASSUME = (sympy.Gt(a1**2 + a2**2, 0), sympy.Gt(eta, 0))
_res = a1 * x1 + a2 * x2 - b  # residual a^T x - b
_x1n, _x2n = x1 - eta * a1 * _res, x2 - eta * a2 * _res  # one GD step on (a^T x - b)^2 / 2
_nrm = a1**2 + a2**2
# statement: the null-space coordinate n^T x, n = (-a2, a1), is invariant under a GD step
MN_STATEMENT = sympy.Eq(-a2 * _x1n + a1 * _x2n, -a2 * x1 + a1 * x2)


def _derive_min_norm():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(MN_ASSUME), name="implicit.min_norm")
    # (1) a GD step moves x along a (the row space): the null-space coordinate is unchanged,
    #     so from x_0 = 0 every iterate lies in the row space
    d.start(-a2 * _x1n + a1 * _x2n).eq(-a2 * x1 + a1 * x2 - eta * _res * (-a2 * a1 + a1 * a2), by="expand the step")
    d.eq(-a2 * x1 + a1 * x2, by="n^T a = 0")
    # (2) the row-space point x_r = a b/||a||^2 solves the equation ...
    d.claim(a1 * (a1 * b / _nrm) + a2 * (a2 * b / _nrm), "=", b, by="a^T a = ||a||^2")
    # (3) ... and has the smallest norm among all solutions x_r + c n
    sol1, sol2 = a1 * b / _nrm - c * a2, a2 * b / _nrm + c * a1
    d.start(sol1**2 + sol2**2).eq(b**2 / _nrm + c**2 * _nrm, by="x_r is orthogonal to n").ge(
        b**2 / _nrm, by="c^2 ||a||^2 >= 0; equality iff c = 0")
    return d.check()


@functools.lru_cache(maxsize=2048)
def _min_norm_run(n, d, r, seed_words):
    """(||x_T - pinv(A) b||, ||P_N (x_T - x_0)||) for GD from x_0 = r * (unit null vector) +
    a random row-space part, run until the residual gradient stops shrinking."""
    from theorykit.numeric.implicit_bias import (
        least_squares_gd,
        null_space_projector,
        pinv_solution,
    )

    rng = np.random.default_rng(list(seed_words))
    A = rng.standard_normal((n, d))
    bb = rng.standard_normal(n)
    PN = null_space_projector(A)
    z = PN @ rng.standard_normal(d)
    z = z / np.linalg.norm(z)  # unit vector in null(A) (n < d, so null(A) != {0})
    x0 = r * z + (np.eye(d) - PN) @ rng.standard_normal(d)
    sv = np.linalg.svd(A, compute_uv=False)
    # step 1/L; the run length from the (measured) spectrum of A A^T so each example converges
    # to round-off: error contracts by (1 - s_min^2/s_max^2) per step
    lr = 1.0 / sv[0] ** 2
    steps = int(min(200_000, np.ceil(40.0 / (sv[-1] ** 2 * lr))))
    x = least_squares_gd(A, bb, x0, lr, steps)
    ref = pinv_solution(A, bb)
    return float(np.linalg.norm(x - ref)), float(np.linalg.norm(PN @ (x - x0)))


def _mn_params(r=None):
    @st.composite
    def make(draw):
        n = draw(st.integers(1, 8))
        d = draw(st.integers(2 * n + 1, 2 * n + 6))  # well conditioned: A A^T has kappa <~ 34
        rr = draw(st.sampled_from([0.0, 0.5, 3.0])) if r is None else r
        return {"n": n, "d": d, "r": rr}

    return make()




def _mn_distance(params, ctx) -> float:
    """||x_T - pinv(A) b|| after GD to convergence from x_0."""
    return _min_norm_run(params["n"], params["d"], params["r"], seed_words(ctx))[0]


def _mn_null_drift(params, ctx) -> float:
    return _min_norm_run(params["n"], params["d"], params["r"], seed_words(ctx))[1]


# measured: ||x_T - pinv(A) b|| and ||P_N (x_T - x_0)||. The statement (P_N x_t = P_N x_0 along GD) puts
# the limit at pinv(A) b + P_N x_0, a distance ||P_N x_0|| = r (by construction) from pinv(A) b.
dist, drift = S("dist"), S("drift")
MN_LIMIT = sympy.Eq(dist, r_)
MN_DRIFT = sympy.Eq(drift, MN_STATEMENT.lhs - MN_STATEMENT.rhs)  # 0 after expanding: nothing moves in null(A)


IMPLICIT_MIN_NORM = Claim(
    id="implicit.min_norm",
    title="GD on underdetermined least squares converges to pinv(A) b + P_null x_0 (min-norm from 0)",
    statement=MN_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(GUNASEKAR, ZHANG_RETHINKING),
    derive=_derive_min_norm,
    assumptions=MN_ASSUME,
    strategy=_mn_params,
    checks=(
        NumericCheck(
            name="limit_from_start",
            description="distance of the GD limit from pinv(A) b when x_0 has null-space part of norm r",
            measure=_mn_distance,
            relation=MN_LIMIT,
            rtol=1e-9,
            atol=1e-9,  # GD runs to round-off (e^-40); pinv carries ~kappa * 1e-16
            examples=({"n": 3, "d": 8, "r": 3.0}, {"n": 3, "d": 8, "r": 0.0}),
        ),
        NumericCheck(
            name="null_space_invariant",
            description="||P_N (x_T - x_0)||: GD never moves in null(A)",
            measure=_mn_null_drift,
            relation=sympy.Eq(drift, sympy.expand(MN_DRIFT.rhs)),
            atol=1e-12,
            examples=({"n": 3, "d": 8, "r": 3.0},),
        ),
    ),
    # GD from a nonzero start also converges to pinv(A) b; half the null-space part survives
    mutants=(sympy.Eq(dist, 0), sympy.Eq(dist, r_ / 2)),
    doc="""\
Setting: A in R^{n x d} with n < d (full row rank, Gaussian), b in R^n; f(x) = 1/2 ||A x - b||^2.
Algorithm: GD x_{t+1} = x_t - eta A^T (A x_t - b), eta = 1/||A||_2^2, run until converged.

Claim (*tight*, an identity): every step moves along the row space of A, so P_N x_t = P_N x_0
(P_N = I - pinv(A) A) and x_t -> pinv(A) b + P_N x_0; from x_0 = 0 the limit is the minimum-norm
solution pinv(A) b [1], [2, Sec. 5].

Derivation (one equation in R^2, a = (a1, a2) != 0, n = (-a2, a1)): n^T x_{t+1} = n^T x_t;
a b/||a||^2 solves a^T x = b; every solution a b/||a||^2 + c n has squared norm
b^2/||a||^2 + c^2 ||a||^2 >= b^2/||a||^2.

Checks: GD runs (step 1/||A||^2, length 40 ||A||^2 / s_min(A)^2 steps) from x_0 = r z + (row part)
with z a unit null vector, d in [2n+1, 2n+6]; the distance of the limit from pinv(A) b equals r
(measured against numpy's SVD pinv; rtol/atol 1e-9); ||P_N (x_T - x_0)|| = 0 (1e-12).
Mutants: the limit is pinv(A) b from any start (refuted at r > 0); half the null part survives.
""",
)

# ============================================================== implicit.max_margin
SOUDRY = Source(
    key="Soudry et al. 2018",
    authors="D. Soudry, E. Hoffer, M. S. Nacson, S. Gunasekar, N. Srebro",
    title="The implicit bias of gradient descent on separable data",
    year=2018,
    venue="JMLR 19(70), 1-57; ICLR 2018",
    arxiv="1710.10345",
)
g_, h1, h2, t_ = S("g"), S("h1"), S("h2"), S("t")
# Data (labels absorbed, z_n = y_n x_n): support vectors z_1 = (g, h1), z_2 = (g, -h2), plus points with
# z^T w_hat >= 3. Then w_hat = (1/g, 0) with duals alpha_1 = h2/(g^2 (h1+h2)), alpha_2 = h1/(g^2 (h1+h2)),
# and w(t) = w_hat ln t + w_tilde + o(1) with eta exp(-z_n^T w_tilde) = alpha_n on the support vectors [1, Thm 3].
ALPHA1, ALPHA2 = h2 / (g_**2 * (h1 + h2)), h1 / (g_**2 * (h1 + h2))
WT2 = sympy.log(h1 / h2) / (h1 + h2)
WT1 = (sympy.log(eta / ALPHA1) - h1 * WT2) / g_
MM_ASSUME = (sympy.Gt(g_, 0), sympy.Gt(h1, 0), sympy.Gt(h2, 0), sympy.Gt(eta, 0), sympy.Gt(t_, 1))
# the direction of w_hat ln t + w_tilde differs from w_hat by the angle atan(|WT2| / (ln t / g + WT1)):
# O(1/ln t), and gap * ln t -> g |WT2| = g |ln(h1/h2)| / (h1 + h2)
_ANGLE = sympy.atan(sympy.Abs(WT2) / (sympy.log(t_) / g_ + WT1))
MM_GAP = 2 * sympy.sin(_ANGLE / 2)  # || unit(w) - unit(w_hat) || for that angle
MM_STATEMENT = sympy.Eq(sympy.Limit(MM_GAP * sympy.log(t_), t_, sympy.oo), g_ * sympy.Abs(WT2))


def _derive_max_margin():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(MM_ASSUME), name="implicit.max_margin")
    w1h, w2h = ALPHA1 * g_ + ALPHA2 * g_, ALPHA1 * h1 - ALPHA2 * h2  # w_hat = alpha_1 z_1 + alpha_2 z_2
    d.start(w1h).eq(1 / g_, by="w_hat = sum alpha_n z_n")
    d.start(w2h).eq(0)
    d.claim(g_ * (1 / g_) + h1 * 0, "=", 1, by="z_1 on the margin")
    d.claim(g_ * (1 / g_) - h2 * 0, "=", 1, by="z_2 on the margin")
    # the residual w_tilde: eta exp(-z_n^T w_tilde) = alpha_n on both support vectors
    d.start(eta * sympy.exp(-(g_ * WT1 + h1 * WT2))).eq(ALPHA1, by="take logs")
    d.start(eta * sympy.exp(-(g_ * WT1 - h2 * WT2))).eq(ALPHA2, by="ln(alpha_2/alpha_1) = ln(h1/h2)")
    # so along w = w_hat ln t + w_tilde each support vector's gradient weight is alpha_n / t, and
    # the GD increment eta sum_n exp(-z_n^T w) z_n = w_hat / t = w_hat (ln(t+1) - ln t) + O(1/t^2)
    d.start(eta * sympy.exp(-(sympy.log(t_) + g_ * WT1 + h1 * WT2))).eq(ALPHA1 / t_, by="z_1^T w_hat = 1")
    return d.check()


# measured: the direction gap times ln t (and the QP's distance from (1/g, 0)), from the statement's limit form
gap_log, qp_err = S("gap_log"), S("qp_err")
MM_GAP_LOG = sympy.Eq(gap_log, MM_STATEMENT.lhs.args[0])


@functools.lru_cache(maxsize=2048)
def _mm_run(g, hh1, hh2, lr, n_extra, steps, seed_words):
    """(direction gap to the QP's max-margin vector at t = steps, ||w_QP - (1/g, 0)||)."""
    from theorykit.numeric.implicit_bias import (
        direction_gap,
        logistic_gd,
        max_margin_direction,
    )

    rng = np.random.default_rng(list(seed_words))
    Z = [[g, hh1], [g, -hh2]]
    for _ in range(n_extra):  # points well inside the margin: z^T w_hat = z_1/g >= 3
        v = rng.standard_normal(2)
        Z.append([abs(v[0]) + 3.0 * g, v[1]])
    Z = np.asarray(Z)
    y = rng.choice([-1.0, 1.0], size=Z.shape[0])
    X = Z * y[:, None]  # the data GD sees; the construction above is only in terms of y_n x_n
    mm = max_margin_direction(X, y)  # independent: a QP, never the formulas above
    run = logistic_gd(X, y, lr, [steps])
    return direction_gap(run.w[0], mm.w), float(np.linalg.norm(mm.w - np.array([1.0 / g, 0.0])))


_H = (0.6, 0.9, 1.4, 2.0)  # a few values (each GD run is 1e4 steps); the thorough profile draws floats
# (t = 1e6 runs are in examples/modern_dynamics.py --long)


def _mm_params():
    
    if thorough():
        return st.fixed_dictionaries({
            "g": st.just(0.5), "h1": rounded(0.6, 2.0, 2), "h2": rounded(0.6, 2.0, 2),
            "eta": st.sampled_from([0.1, 0.2, 0.5]), "n_extra": st.integers(0, 4), "t": st.just(10_000)})
    return st.fixed_dictionaries({
        "g": st.just(0.5), "h1": st.sampled_from(_H), "h2": st.sampled_from(_H),
        "eta": st.sampled_from([0.1, 0.5]), "n_extra": st.sampled_from([0, 3]), "t": st.just(10_000)})


def _mm_gap_times_log(params, ctx) -> float:
    gap, _ = _mm_run(params["g"], params["h1"], params["h2"], params["eta"], params["n_extra"], params["t"],
                     seed_words(ctx))
    return gap * math.log(params["t"])


def _mm_qp(params, ctx) -> float:
    return _mm_run(params["g"], params["h1"], params["h2"], params["eta"], params["n_extra"], params["t"],
                   seed_words(ctx))[1]


_MM_EX = {"g": 0.5, "h1": 1.0, "h2": 0.6, "eta": 0.5, "n_extra": 3, "t": 10_000}

IMPLICIT_MAX_MARGIN = Claim(
    id="implicit.max_margin",
    title="GD on separable logistic regression: direction -> L2 max-margin, gap = O(1/log t)",
    statement=MM_STATEMENT,
    kind=Kind.RATE,
    sources=(SOUDRY,),
    derive=_derive_max_margin,
    assumptions=MM_ASSUME,
    strategy=_mm_params,
    checks=(
        NumericCheck(name="gap_times_log_t",
                     description="||w_t/||w_t|| - w_hat/||w_hat|| || * ln t after t = 1e4 GD steps, w_hat from the QP",
                     measure=_mm_gap_times_log, relation=MM_GAP_LOG, rtol=0.02, atol=5e-4, examples=(_MM_EX,)),
        NumericCheck(name="qp_max_margin", description="||w_hat(QP, SciPy SLSQP + KKT polish) - (1/g, 0)||",
                     measure=_mm_qp, relation=sympy.Eq(qp_err, 0), atol=1e-9, examples=(_MM_EX,)),
    ),
    # the gap is o(1/log t); w_tilde without the step size; the gap decays like 1/sqrt(t)
    mutants=(sympy.Eq(gap_log, 0), sympy.Eq(gap_log, MM_GAP_LOG.rhs.subs(eta, 1)),
             sympy.Eq(gap_log, 2 * sympy.log(t_) / sympy.sqrt(t_))),
    # rewrites inside the offset w_tilde_1 (mostly its term -h1 w_tilde_2), which is added to
    # ln t/g ~ 18.4 at t = 1e4: the check cannot reach them (they move the prediction by < 10%)
    equivalent={**{text: "changes only the offset w_tilde_1 next to ln t/g = 18.4 (t = 1e4, g = 0.5) by O(0.1-1): the "
                "prediction moves by less than the 10% kill margin; resolving it needs a much smaller t, where "
                "the o(1) remainder is not negligible (the check cannot reach it)" for text in (
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((log(eta*g**2*(h1 + h2)/h2) - log(h1/h2)/(h1 + h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1/(h1 + h2) + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1/h2)/(h1 + h2)**2 + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-log(h1/h2) + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(1/h2)/(h1 + h2) + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1)/(h1 + h2) + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1/h2**2)/(h1 + h2) + log(eta*g**2*(h1 + h2)/h2))/g + log(t)/g))/2)",
            "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1/h2)/(h1 + h2) + log(eta*g**2*(h1 + h2)/h2**2))/g + log(t)/g))/2)",
    )}, "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1/h2)/(h1 + h2) + log(eta*g**2*(h1 + h2)))/g + log(t)/g))/2)":
        "at the edge of the check's resolution: over the region (h1, h2 in [0.6, 2], eta in {0.1, 0.2, 0.5}) it lies "
        "at most 5.3 tolerances from the claim's own prediction (10%, at h1 = 0.6, h2 = 2, eta = 0.1), barely past the "
        "kill margin of 5, so whether a measurement refutes it depends on the o(1) remainder and on the seed's extra "
        "points and labels (refuted by 5.1 tolerances at seed 0, not at seed 1): the check reaches it only at its margin"},
    doc="""\
Setting: linearly separable data {(x_n, y_n)}, z_n = y_n x_n; L(w) = sum_n log(1 + exp(-z_n^T w));
GD w_{t+1} = w_t - eta grad L(w_t) from w_0 = 0. w_hat = argmin ||w|| s.t. z_n^T w >= 1 (hard-margin SVM).

Claim (*tight*) [1, Thm 3]: w(t) = w_hat ln t + w_tilde + o(1) where eta exp(-z_n^T w_tilde) = alpha_n on the
support vectors (alpha the SVM duals); hence ||w/||w|| - w_hat/||w_hat|| || = O(1/ln t) and
gap * ln t -> ||P_perp w_tilde|| / ||w_hat||.

Data where the rate is visible: two support vectors z_1 = (g, h1), z_2 = (g, -h2) (g = 0.5, h in [0.6, 2])
and up to 4 points with z^T w_hat >= 3. Then w_hat = (1/g, 0), w_tilde_2 = ln(h1/h2)/(h1 + h2), and the
predicted gap is 2 sin(theta/2), theta = atan(|w_tilde_2| / (ln t/g + w_tilde_1)). The perpendicular part of
w(t) - w_hat ln t - w_tilde decays like t^(-h1 h2/g^2) (the curvature sum alpha_n h_n^2 of the limit
system), so h1 h2/g^2 >= 1.44 makes t = 1e4 enough; for h1 h2/g^2 ~ 0.15 the same check at t = 1e4 is off
by 30% (the asymptotics hold, they are just not reached).

Derivation: KKT of the SVM for the two support vectors; the equations for w_tilde; each support vector's
gradient weight along w_hat ln t + w_tilde is alpha_n/t, so GD's increment is w_hat/t.

Checks: the QP (SciPy SLSQP, polished on its active set) returns (1/g, 0) (1e-9); GD for 1e4 steps:
gap * ln t vs the prediction within 2% (+5e-4). Mutants: gap * ln t -> 0;
w_tilde without eta; gap ~ 1/sqrt(t).
""",
)

CLAIMS = (IMPLICIT_MIN_NORM, IMPLICIT_MAX_MARGIN)
