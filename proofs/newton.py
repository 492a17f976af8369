"""Newton's method x+ = x - H(x)^{-1} grad f(x): one step on quadratics, local
quadratic convergence, and ascent on nonconvex functions."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import NOCEDAL_WRIGHT
from ._util import (
    BOYD,
    NESTEROV,
    S,
    norm,
    rotated_quadratic,
    spectrum_params,
    rounded,
)
from ._util import derivation as _derivation

__all__ = ["CLAIMS"]

DAUPHIN = Source(
    key="Dauphin et al. 2014",
    authors="Y. Dauphin, R. Pascanu, C. Gulcehre, K. Cho, S. Ganguli, Y. Bengio",
    title="Identifying and attacking the saddle point problem in high-dimensional non-convex optimization",
    year=2014,
    venue="NeurIPS 2014",
    arxiv="1406.2572",
)

x0, bb, lam, L, mu, M, e, tau, Hinv, R, D = (S(n) for n in ("x0", "bb", "lam", "L", "mu", "M", "e", "tau", "Hinv",
                                                             "R", "D"))
x, t, s, a, x1 = (S(n) for n in ("x", "t", "s", "a", "x1"))



def _quad_starts(prob, ctx, count=8):
    return [ctx.xp.asarray(ctx.rng.standard_normal(prob.dim) * ctx.rng.uniform(0.1, 10.0)) for _ in range(count)]


def _grad_ratio_after(step, prob, ctx) -> float:
    """max over random starts of ||grad f(x1)|| / ||grad f(x0)|| after one step x0 -> x1."""
    worst = 0.0
    for z in _quad_starts(prob, ctx):
        g0 = norm(prob.grad(z))
        if g0 > 0:
            worst = max(worst, norm(prob.grad(step(prob, z))) / g0)
    return worst


# ============================================================== newton.one_step_quadratic
OS_ASSUME = (sympy.Gt(lam, 0), sympy.Ge(L, lam))
# along eigenvector i: f = lam/2 x^2 - bb x, x* = bb/lam; Newton's step lands on x*
# measured: max over starts of ||grad f(x1)|| / ||grad f(x0)|| after one Newton / one GD (eta = 1/L) step
g_newton, g_gd = S("g_newton"), S("g_gd")
OS_STATEMENT = sympy.And(sympy.Eq(x0 - (lam * x0 - bb) / lam, bb / lam), sympy.Eq(g_newton, 0),
                         sympy.Le(g_gd, 1 - mu / L))
_OS_BIND = {mu: lambda p: min(p["eigenvalues"]), L: lambda p: max(p["eigenvalues"])}


def _derive_one_step():
    d = _derivation(OS_ASSUME, "newton.one_step_quadratic")
    # In the eigenbasis of A the quadratic splits into 1-D pieces lam/2 x^2 - bb x.
    d.start(x0 - (lam * x0 - bb) / lam).eq(x0 - x0 + bb / lam, by="expand (lam x0 - bb)/lam").eq(
        bb / lam, by="the minimizer of lam/2 x^2 - bb x")
    # GD with eta = 1/L only contracts the error by (1 - lam/L), zero only when lam = L.
    d.start(x0 - (lam * x0 - bb) / L - bb / lam).eq((1 - lam / L) * (x0 - bb / lam), by="factor the error")
    return d.check()


def _build_quadratic(params, ctx):
    from theorykit.numeric.problems import Quadratic

    prob, _ = rotated_quadratic(params["eigenvalues"], ctx.rng)
    b = ctx.rng.standard_normal(prob.dim) * 3.0
    return Quadratic(ctx.xp.asarray(prob.A), ctx.xp.asarray(b), xp=ctx.xp)


def _newton_grad_ratio(params, ctx) -> float:
    from theorykit.numeric.newton import newton_step

    return _grad_ratio_after(lambda p, z: newton_step(p, z), _build_quadratic(params, ctx), ctx)


def _gd_grad_ratio(params, ctx) -> float:
    from theorykit.numeric.methods import run

    def gd(p, z):
        return run("gd", p, z, 1.0 / p.L, 1).x

    return _grad_ratio_after(gd, _build_quadratic(params, ctx), ctx)


NEWTON_ONE_STEP = Claim(
    id="newton.one_step_quadratic",
    title="Newton's method reaches the minimizer of a strongly convex quadratic in one step",
    statement=OS_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(BOYD, NOCEDAL_WRIGHT),
    derive=_derive_one_step,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=OS_ASSUME,
    strategy=lambda: spectrum_params(dim=(1, 6), lo=0.1, hi=10.0),
    checks=(
        NumericCheck(
            name="newton_gradient_after_one_step",
            description="max over 8 random starts of ||grad f(x1)||/||grad f(x0)|| after one Newton step",
            measure=_newton_grad_ratio,
            measures=g_newton,
            # round-off of a solve with condition number <= 100: ~1e-14; 1e-10 leaves margin
            atol=1e-10,
            examples=({"eigenvalues": (0.1, 1.0, 10.0)},),
        ),
        NumericCheck(
            name="gd_gradient_after_one_step",
            description="the same ratio for GD with eta = 1/L: at most 1 - mu/L (attained on the bottom eigenvector)",
            measure=_gd_grad_ratio,
            measures=g_gd,
            bind=_OS_BIND,
            rtol=1e-9,
            atol=1e-10,
            examples=({"eigenvalues": (0.1, 1.0, 10.0)},),
        ),
    ),
    # GD with eta = 1/L is also exact in one step; Newton only halves the gradient
    mutants=(sympy.Eq(g_gd, 0), sympy.Eq(g_newton, sympy.Rational(1, 2))),
    equivalent={"g_gd <= 3/2 - 3*mu/(2*L)": "a looser upper bound, implied by the claim's; the implied-bound test "
                "misses it only through round-off at mu = L, where 3/2 - 3 mu/(2L) evaluates to -2.2e-16 < 0"},
    doc="""\
Setting: f(x) = 1/2 x^T A x - b^T x with A symmetric, eigenvalues 0 < mu <= ... <= L.
Algorithm: one Newton step x1 = x0 - A^{-1}(A x0 - b); for contrast GD x1 = x0 - (1/L)(A x0 - b).

Claim (*tight*, an identity): x1 = A^{-1} b = x*, so grad f(x1) = 0, from every x0 [1, Sec. 9.5], [2, Sec. 3.3].
GD with eta = 1/L contracts the gradient by at most 1 - mu/L per step and reaches x* in
one step only when all eigenvalues equal L.

Derivation: in the eigenbasis, x0 - (lam x0 - bb)/lam = bb/lam, the 1-D minimizer; the GD
error is (1 - lam/L)(x0 - bb/lam).

Checks: one Newton step on random rotated quadratics with random b: ||grad f(x1)||/||grad f(x0)||
is 0 up to round-off (atol 1e-10); GD's ratio is <= 1 - mu/L. Mutants: "GD with eta = 1/L is
also exact in one step" (refuted whenever mu < L), "Newton halves the gradient".
""",
)

# ============================================================== newton.quadratic_convergence
QC_ASSUME = (sympy.Gt(M, 0), sympy.Gt(mu, 0), sympy.Gt(e, 0), sympy.Ge(tau, 0), sympy.Le(tau, 1),
             sympy.Gt(Hinv, 0), sympy.Le(Hinv * mu, 1), sympy.Ge(R, 0), sympy.Le(R, M * e**2 / 2),
             sympy.Ge(D, 0), sympy.Le(D, M * (1 - tau) * e), sympy.Gt(x, 0))
e_next = S("e_next")
# measured: max_k (e_{k+1}/e_k^2)/(M/(2 mu)) on logcosh+ridge functions (K_ratio), e1/e0^2 on the
# cubic mu x^2/2 + M|x|^3/6 (K_cubic), and the order estimate log(e2/e1)/log(e1/e0)
K_ratio, K_cubic, order = S("K_ratio"), S("K_cubic"), S("order")
QC_STATEMENT = sympy.And(sympy.Le(e_next, M / (2 * mu) * e**2), sympy.Le(K_ratio, 1), sympy.Le(K_cubic, M / (2 * mu)),
                         sympy.Eq(order, 2))


def _derive_quadratic_convergence():
    d = _derivation(QC_ASSUME, "newton.quadratic_convergence")
    # e = ||x - x*||. Taylor with integral remainder: grad f(x) = int_0^1 H(x* + tau (x - x*)) (x - x*) dtau,
    # so x+ - x* = H(x)^{-1} r with r = int_0^1 (H(x) - H(x* + tau(x-x*))) (x - x*) dtau.
    # D = ||H(x) - H(x* + tau(x - x*))|| <= M ||(1 - tau)(x - x*)|| (Lipschitz Hessian).
    d.claim(D * e, "<=", M * (1 - tau) * e**2, by="Lipschitz Hessian, times ||x - x*||")
    d.start(sympy.Integral(M * (1 - tau) * e**2, (tau, 0, 1))).eq(M * e**2 / 2, by="integrate the bound: R <= M e^2/2")
    # ||x+ - x*|| <= ||H(x)^{-1}|| ||r|| with ||H^{-1}|| = Hinv <= 1/mu (strong convexity)
    d.start(Hinv * R).le(R / mu, by="Hinv <= 1/mu").le(M * e**2 / (2 * mu), by="R <= M e^2 / 2")
    # Near-tightness: f = mu x^2/2 + M|x|^3/6 (f'' = mu + M|x|) from x > 0
    d.start(x - (mu * x + M * x**2 / 2) / (mu + M * x)).eq(M * x**2 / (2 * (mu + M * x)), by="Newton step on the cubic").le(
        M * x**2 / (2 * mu), by="mu + M x >= mu; ratio -> M/(2 mu) as x -> 0")
    return d.check()


def _logcosh_problem(params, ctx):
    from theorykit.numeric.newton import LogCoshRidge

    return LogCoshRidge.random(params["dim"], params["k"], params["mu"], rng=ctx.rng, scale=params["scale"], xp=ctx.xp)


def _newton_errors(prob, ctx, r, steps=10):
    from theorykit.numeric.newton import run_newton

    z = ctx.rng.standard_normal(prob.dim)
    z = ctx.xp.asarray(z * (r / np.linalg.norm(z)))
    xs = run_newton(prob, z, steps)
    return [norm(xs[k]) for k in range(steps + 1)]  # x* = 0 exactly for these problems


# e_k below this leaves e_{k+1} at the round-off floor (~1e-16), where e_{k+1}/e_k^2 means nothing
_E_FLOOR = 1e-6


def _logcosh_constant(params, ctx) -> float:
    prob = _logcosh_problem(params, ctx)
    errs = _newton_errors(prob, ctx, params["r"])
    ratios = [errs[k + 1] / errs[k] ** 2 for k in range(len(errs) - 1) if errs[k] > _E_FLOOR]
    # normalized by the bound's own constants (known by construction), so 1 is the claim
    return max(ratios) / (prob.M / (2 * prob.mu)) if ratios else 0.0


def _cubic_constant(params, ctx) -> float:
    from theorykit.numeric.newton import CubicRidge1D, newton_step

    prob = CubicRidge1D(params["mu"], params["M"], xp=ctx.xp)
    e0 = params["rho"] * params["mu"] / params["M"]  # M e0 / mu = rho
    x1v = newton_step(prob, ctx.xp.asarray([e0]))
    return abs(float(x1v[0])) / e0**2


def _order_estimate(params, ctx) -> float:
    """log(e2/e1) / log(e1/e0) for Newton on a 1-D single-term logcosh function.

    The start is placed where e+ = K e^2 (1 + O(|w| e)) is in its asymptotic regime:
    K = |f3(0)| / (2 f2(0)) (third and second derivatives at x* = 0) and
    e0 = 0.03 min(1/K, 1/|w|), so K e0 <= 0.03 and the relative correction is <= ~0.03,
    which moves the estimate by <= ~0.015; e2 stays far above the round-off floor."""
    from theorykit.numeric.newton import LogCoshRidge, run_newton

    xp = ctx.xp
    mu_v, a_v, w_v, c_v = (params[k] for k in ("mu", "a", "w", "c"))
    prob = LogCoshRidge(xp.asarray([[w_v]]), xp.asarray([c_v]), xp.asarray([a_v]), mu_v, xp=xp)
    sech2 = 1.0 / math.cosh(c_v) ** 2
    f3 = a_v * w_v**3 * (-2.0 * sech2 * math.tanh(c_v))  # (sech^2)' = -2 sech^2 tanh
    f2 = mu_v + a_v * w_v**2 * sech2
    K = abs(f3) / (2 * f2)
    e0 = 0.03 * min(1.0 / K, 1.0 / abs(w_v))
    xs = run_newton(prob, xp.asarray([e0 * params["side"]]), 2)
    e = [abs(float(xs[k][0])) for k in range(3)]
    return math.log(e[2] / e[1]) / math.log(e[1] / e[0])


def _order_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    sign = st.sampled_from([-1.0, 1.0])
    return st.fixed_dictionaries({
        "mu": rnd(0.05, 1.0), "a": rnd(0.1, 2.0),
        "w": st.tuples(rnd(0.3, 3.0), sign).map(lambda p: p[0] * p[1]),
        "c": st.tuples(rnd(0.3, 2.0), sign).map(lambda p: p[0] * p[1]),  # c != 0: f3(0) != 0
        "side": sign,
    })


def _logcosh_params():
    return st.fixed_dictionaries({
        "dim": st.integers(1, 6), "k": st.integers(1, 8),
        "mu": rounded(0.05, 1.0, 3), "scale": rounded(0.5, 3.0, 3), "r": rounded(0.05, 1.0, 3),
    })


def _cubic_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({"mu": rnd(0.1, 10.0), "M": rnd(0.1, 10.0), "rho": rnd(0.001, 10.0)})


_LOGCOSH_SLACK = ("the logcosh+ridge instances cannot reach the worst case: their M is an upper bound on the "
                  "Hessian's Lipschitz constant (4/(3 sqrt 3) sum_j a_j |w_j|^3), so measured/bound stays below ~0.4; the "
                  "cubic check (K_cubic) is the one that attains M/(2 mu)")


NEWTON_QUADRATIC = Claim(
    id="newton.quadratic_convergence",
    title="||x_{k+1} - x*|| <= M/(2 mu) ||x_k - x*||^2 for mu-strongly convex f with M-Lipschitz Hessian",
    statement=QC_STATEMENT,
    kind=Kind.UPPER_BOUND,
    sources=(NESTEROV, BOYD, NOCEDAL_WRIGHT),
    derive=_derive_quadratic_convergence,
    assumptions=QC_ASSUME,
    strategy=_logcosh_params,
    checks=(
        NumericCheck(
            name="logcosh_constant",
            description="max_k (e_{k+1}/e_k^2) / (M/(2 mu)) over a Newton run on random logcosh+ridge functions",
            measure=_logcosh_constant,
            measures=K_ratio,
            rtol=1e-9,
            examples=({"dim": 3, "k": 5, "mu": 0.2, "scale": 1.0, "r": 0.3},),
        ),
        NumericCheck(
            name="cubic_constant",
            description="e1/e0^2 for one Newton step on mu x^2/2 + M|x|^3/6 from e0 = rho mu / M (nearly tight)",
            measure=_cubic_constant,
            measures=K_cubic,
            rtol=1e-9,
            strategy=_cubic_params,
            examples=({"mu": 1.0, "M": 2.0, "rho": 0.01},),
        ),
        NumericCheck(
            name="digits_double",
            description="order estimate log(e2/e1)/log(e1/e0) of Newton on a 1-D logcosh+ridge function",
            measure=_order_estimate,
            measures=order,
            # the start keeps the O(K e0 + |w| e0) <= 0.03 correction small: the estimate
            # moves by <= ~0.015 from 2; 0.05 leaves a margin, far from the mutants' 1 and 3
            rtol=0.0,
            atol=0.05,
            strategy=_order_params,
            examples=({"mu": 0.2, "a": 1.0, "w": 1.5, "c": 0.7, "side": 1.0},),
        ),
    ),
    # constant M/(4 mu); the 1/mu from ||H^{-1}|| <= 1/mu dropped; order 1; order 3
    mutants=(sympy.Le(K_cubic, M / (4 * mu)), sympy.Le(K_cubic, M / 2), sympy.Eq(order, 1), sympy.Eq(order, 3)),
    equivalent={"K_ratio <= 1/2": _LOGCOSH_SLACK, "K_ratio <= 2/3": _LOGCOSH_SLACK},
    doc="""\
Setting: f: R^d -> R twice differentiable, mu-strongly convex (H(x) >= mu I), Hessian
M-Lipschitz (||H(x) - H(y)|| <= M ||x - y||), minimizer x*.
Algorithm: pure Newton x_{k+1} = x_k - H(x_k)^{-1} grad f(x_k).

Claim (*upper*, asymptotically *tight*): ||x_{k+1} - x*|| <= M/(2 mu) ||x_k - x*||^2 [1, Thm 1.2.5],
[2, Sec. 9.5.3], [3, Thm 3.5]; correct digits roughly double per step once M/(2mu)||x_k - x*|| < 1.

Derivation (Taylor with integral remainder): grad f(x) = int_0^1 H(x* + tau e) e dtau with
e = x - x*, so x+ - x* = H(x)^{-1} int_0^1 (H(x) - H(x* + tau e)) e dtau; the Lipschitz Hessian
bounds the integrand by M(1 - tau)||e||^2, which integrates to M||e||^2/2, and ||H^{-1}|| <= 1/mu.
Near-tightness: on f = mu x^2/2 + M|x|^3/6 one step gives e+ = M e^2/(2(mu + M e)).

Test functions (theorykit.numeric.newton): f(x) = mu/2|x|^2 + sum_j a_j phi(w_j.x + c_j) with
phi = logcosh minus its tangent at c_j, so x* = 0; mu is the ridge, M = 4/(3 sqrt 3) sum_j a_j
||w_j||^3 from max|d/dz sech^2 z| = 4/(3 sqrt 3) (an upper bound on the true constant).

Checks: the measured max_k e_{k+1}/e_k^2 (e_k > 1e-6, above round-off) divided by M/(2 mu) is
<= 1; on the cubic, e1/e0^2 <= M/(2 mu) and approaches it as M e0/mu -> 0, which refutes the
mutant M/(4 mu) (and M/2); the measured order of convergence
(1-D, start in the asymptotic regime) is 2 +- 0.05 (mutants: order 1, order 3).
""",
)

# ============================================================== newton.nonconvex_ascent
NA_ASSUME = (sympy.Gt(a, 0), sympy.Gt(x0, 0), sympy.Lt(3 * x0**2, a), sympy.Gt(t, 0), sympy.Lt(5 * t, 1),
             sympy.Ge(s, 0), sympy.Lt(s, t))
S_OF_T = 4 * t**3 / (1 - 3 * t) ** 2  # (x1^2 / a) after one Newton step from x0^2 = t a
DF_OVER_A2 = (S_OF_T - t) * (S_OF_T + t - 2) / 4  # (f(x1) - f(x0)) / a^2
# measured: (f(x1) - f(x0))/a^2 on the double well (df), f(x1) - f(x0) by a general polynomial measure
df, df_poly = S("df"), S("df_poly")
NA_STATEMENT = sympy.And(sympy.Gt(DF_OVER_A2, 0), sympy.Eq(df, DF_OVER_A2), sympy.Ge(df_poly, 0))


def _derive_nonconvex_ascent():
    d = _derivation(NA_ASSUME, "newton.nonconvex_ascent")
    # f(x) = x^4/4 - a x^2/2: f' = x^3 - a x, f'' = 3x^2 - a < 0 for 3 x0^2 < a
    d.start(x0 - (x0**3 - a * x0) / (3 * x0**2 - a)).eq(2 * x0**3 / (3 * x0**2 - a), by="Newton step on the double well")
    d.start(x1**4 / 4 - a * x1**2 / 2 - (x0**4 / 4 - a * x0**2 / 2)).eq(
        (x1**2 - x0**2) * (x1**2 + x0**2 - 2 * a) / 4, by="factor f(x1) - f(x0)")
    # with x0^2 = t a and x1^2 = s a, s = 4 t^3/(1 - 3t)^2 (square the step):
    d.start((2 * x0**3 / (3 * x0**2 - a)) ** 2).eq(4 * x0**6 / (3 * x0**2 - a) ** 2, by="square")
    d.start(S_OF_T).lt(t, by="4 t^2 < (1 - 3t)^2 iff t < 1/5")
    d.claim((t - s) * (2 - s - t), ">", 0, by="0 <= s < t < 1/5")
    return d.check()


def _double_well(a_val, xp):
    from theorykit.numeric.newton import Polynomial1D

    return Polynomial1D((0.0, 0.0, -a_val / 2, 0.0, 0.25), xp=xp)


def _newton_change(prob, x_start, xp) -> float:
    from theorykit.numeric.newton import newton_step

    z = xp.asarray([float(x_start)])
    return float(prob.loss(newton_step(prob, z))) - float(prob.loss(z))


def _dw_change(params, ctx) -> float:
    a_val = params["a"]
    prob = _double_well(a_val, ctx.xp)
    return _newton_change(prob, math.sqrt(params["t"] * a_val), ctx.xp) / a_val**2


def _poly_change(params, ctx) -> float:
    from theorykit.numeric.newton import Polynomial1D

    return _newton_change(Polynomial1D(params["coef"], xp=ctx.xp), params["x0"], ctx.xp)


def _dw_params():
    return st.fixed_dictionaries({
        "a": rounded(0.1, 10.0, 4),
        "t": rounded(0.001, 0.199, 4),
    })


def _dw_as_poly():
    return _dw_params().map(lambda p: {"coef": (0.0, 0.0, -p["a"] / 2, 0.0, 0.25), "x0": math.sqrt(p["t"] * p["a"])})


NEWTON_ASCENT = Claim(
    id="newton.nonconvex_ascent",
    title="On a nonconvex function the pure Newton step can increase f",
    statement=NA_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(NOCEDAL_WRIGHT, DAUPHIN),
    derive=_derive_nonconvex_ascent,
    assumptions=NA_ASSUME,
    strategy=_dw_params,
    checks=(
        NumericCheck(
            name="double_well_change",
            description="(f(x1) - f(x0))/a^2 for one Newton step on x^4/4 - a x^2/2 from x0 = sqrt(t a)",
            measure=_dw_change,
            measures=df,
            rtol=1e-9,
            atol=1e-13,  # losses of size <= a^2, differenced in float64
            examples=({"a": 1.0, "t": 0.1},),
        ),
        NumericCheck(
            name="ascent",
            description="f(x1) - f(x0) >= 0 for the double well with x0^2 < a/5 (a general polynomial measure)",
            measure=_poly_change,
            measures=df_poly,
            strategy=_dw_as_poly,
            examples=({"coef": (0.0, 0.0, -0.5, 0.0, 0.25), "x0": 0.3},),
        ),
    ),
    mutants=(
        sympy.Le(df_poly, 0),  # the pure Newton step never increases f
        sympy.Eq(df, t / 2 - t**2 / 4),  # the step lands on the local maximum x = 0: df = -f(x0)/a^2
    ),
    doc="""\
Setting: f(x) = x^4/4 - a x^2/2 (a > 0), nonconvex: f''(x) = 3x^2 - a < 0 for x^2 < a/3.
Algorithm: pure Newton x1 = x0 - f'(x0)/f''(x0), no line search, no Hessian modification.

Claim (*tight*, an identity): from x0^2 = t a, x1 = 2 x0^3/(3 x0^2 - a) and
(f(x1) - f(x0))/a^2 = (s - t)(s + t - 2)/4 with s = 4t^3/(1 - 3t)^2; for 0 < t < 1/5 this is > 0:
Newton moves toward the local maximum at 0 and increases f [1, Sec. 3.4], [2].

Derivation: the Newton step, the factorization of f(x1) - f(x0), s < t iff t < 1/5, and
(t - s)(2 - s - t) > 0.

Checks: the measured change of one Newton step (run on the polynomial) equals the formula
(rtol 1e-9) and is >= 0 for t in (0, 1/5). Mutant "Newton always decreases f" is refuted by the
measured ascent; "the step lands on the local max" is refuted by the exact change.
""",
)

# ============================================================== newton.global_phase
xg, cg, x_next, dist = S("x"), S("c", positive=True), S("x_next"), S("dist")
PH_STATEMENT = sympy.And(sympy.Eq(x_next, -xg**3 / cg**2), sympy.Le(dist, 0))


class _PseudoHuber:
    """f(x) = sqrt(c^2 + x^2): strictly convex, f'' = c^2/(c^2 + x^2)^(3/2) vanishes far from 0."""

    dim = 1

    def __init__(self, c):
        self.c = float(c)

    def loss(self, x):
        return np.sqrt(self.c**2 + x[0] ** 2)

    def grad(self, x):
        return x / np.sqrt(self.c**2 + x**2)

    def hessian(self, x):
        return (self.c**2 / (self.c**2 + x**2) ** 1.5)[:, None]


def _derive_global_phase():
    xf = S("x_far", positive=True)
    d = _derivation((cg > 0, xf > cg), "newton.global_phase")
    r = sympy.sqrt(cg**2 + xg**2)
    d.start(xg - (xg / r) / (cg**2 / r**3)).eq(-xg**3 / cg**2, by="x - f'/f'' for f = sqrt(c^2 + x^2)")
    # divergence: for x > c the step overshoots, |x+| = x^3/c^2 > x
    d.start(xf**3 / cg**2 - xf).eq(xf * (xf - cg) * (xf + cg) / cg**2, by="factor").gt(0, by="x > c > 0")
    return d.check()


def _pure_step(params, ctx) -> float:
    from theorykit.numeric.newton import newton_step

    return float(newton_step(_PseudoHuber(params["c"]), np.array([params["x"]]))[0])


def _damped_final(params, ctx) -> float:
    """|x_K| after 200 damped Newton steps (backtracking: halve t until f(x + t d) <= f(x) + t g d / 4)."""
    prob, x = _PseudoHuber(params["c"]), np.array([params["x"] * params["far"]])
    for _ in range(200):
        g = prob.grad(x)
        step = -np.linalg.solve(prob.hessian(x), g)
        t = 1.0
        while prob.loss(x + t * step) > prob.loss(x) + 0.25 * t * float(g @ step) and t > 1e-30:
            t /= 2
        x = x + t * step
    return float(abs(x[0]))


NEWTON_GLOBAL = Claim(
    id="newton.global_phase",
    title="Pure Newton maps x to -x^3/c^2 on sqrt(c^2 + x^2) (divergent for |x| > c); damped Newton converges",
    statement=PH_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(BOYD, NOCEDAL_WRIGHT),
    derive=_derive_global_phase,
    assumptions=(cg > 0,),
    strategy=lambda: st.fixed_dictionaries({"c": rounded(0.1, 5.0, 3), "x": rounded(-3.0, 3.0, 3),
                                            "far": rounded(0.0, 2.0, 3).map(lambda e: round(10.0**e, 3))}),
    checks=(
        NumericCheck("pure_newton_step", "one step of theorykit.numeric.newton.newton_step", _pure_step,
                     measures=x_next, rtol=1e-9, atol=1e-12,
                     examples=({"c": 1.0, "x": 2.0, "far": 1.0}, {"c": 0.5, "x": -1.5, "far": 1.0})),
        NumericCheck("damped_converges", "|x_K| after 200 damped Newton steps from x * far", _damped_final,
                     measures=dist, rtol=0.0, atol=1e-9, examples=({"c": 1.0, "x": 2.0, "far": 100.0},)),
    ),
    mutants=(sympy.Eq(x_next, -xg / cg**2), sympy.Eq(x_next, 0)),  # Newton as if quadratic: one step to x*
    doc="""Setting: f(x) = sqrt(c^2 + x^2), strictly convex with minimizer 0 but f'' = c^2/(c^2 + x^2)^(3/2) -> 0 for
|x| >> c (almost linear far away); pure Newton x+ = x - f'(x)/f''(x), and damped Newton with backtracking.

Claim (*tight*, an identity): pure Newton maps x to -x^3/c^2, so it converges (cubically) only for |x| < c
and diverges for |x| > c; damped Newton (backtracking on f) converges from every start: far from x* the
damped (global) phase of [1, Sec. 9.5.3] takes short steps before the quadratic phase [2, Sec. 3.3]
(the length of that phase is not measured here).

Derivation: f'/f'' = (x/r)/(c^2/r^3) = x r^2/c^2 with r^2 = c^2 + x^2, so x - f'/f'' = -x^3/c^2.

Checks: one pure Newton step (theorykit.numeric.newton.newton_step) vs -x^3/c^2 (rtol 1e-9); damped Newton
from x0 = x * far (|x0| <= 300, c >= 0.1) reaches |x| <= 1e-9 within 200 steps. Mutants: the step -x/c^2, one step to x*.
""",
)

CLAIMS = (NEWTON_ONE_STEP, NEWTON_QUADRATIC, NEWTON_ASCENT, NEWTON_GLOBAL)
