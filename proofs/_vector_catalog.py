"""More vector derivations of catalog claims whose statement is about a function class.

Each function returns a DerivationReport whose vector steps hold for every
function of the stated class in every dimension (theorykit.symbolic.vector:
interpolation certificates, exact counterexamples). Scalar steps in the same
report carry the algebra around them (rates, iteration counters). Which claims
these make ``derivation_scope = "general"`` and why is written next to each
function; docs/ARCHITECTURE.md states the rule.
"""
from __future__ import annotations

__all__ = ["smoothness_quadratic", "convexity_first_order", "chord_convexity", "stationary_is_global",
           "armijo", "nesterov_rate", "convex_rate_tight", "merged_report"]


def _vector(**kwargs):
    from theorykit.symbolic.vector.builder import VectorDerivation

    return VectorDerivation(**kwargs)


def merged_report(name: str, *reports):
    """One report from several (their steps and chains in order); refuted > unknown > proved."""
    from theorykit.symbolic.report import DerivationReport

    steps, chains, assumptions = [], [], []
    for report in reports:
        offset = len(steps)
        for step in report.steps:
            step.index = len(steps)
            steps.append(step)
        for chain in report.chains:
            chain.step_indices = [k + offset for k in chain.step_indices]
            chains.append(chain)
        assumptions += [a for a in report.assumptions if a not in assumptions]
    statuses = {s.status for s in steps} | {c.status for c in chains}
    if "refuted" in statuses:
        status = "refuted"
    elif "unknown" in {s.status for s in steps} or any(r.status == "unknown" for r in reports):
        status = "unknown"
    else:
        status = "proved"
    return DerivationReport(file=name, status=status, steps=steps, chains=chains, assumptions=assumptions)


def smoothness_quadratic():
    """smoothness.quadratic: ||grad f(x) - grad f(y)||^2 <= L^2 ||x - y||^2.

    Proved for every convex L-smooth f in every dimension; a quadratic with Hessian
    A, 0 <= A <= L I (the claim's setting, L >= lambda_max(A)) is one of them.
    """
    d = _vector(functions={"f": "smooth(L), convex"}, vectors=["x", "y"], assume=["L > 0"],
                name="smoothness.quadratic")
    d.claim("norm(grad(f, x) - grad(f, y))**2", "<=", "L**2*norm(x - y)**2",
            by="co-coercivity <g_x - g_y, x - y> >= |g_x - g_y|^2/L, then Cauchy-Schwarz")
    # the same with the curvature bounded below only by -L (smooth(L) alone): still true
    h = _vector(functions={"h": "smooth(L)"}, vectors=["x", "y"], assume=["L > 0"], name="smoothness.quadratic")
    h.claim("norm(grad(h, x) - grad(h, y))**2", "<=", "L**2*norm(x - y)**2", by="L-Lipschitz gradient")
    return merged_report("smoothness.quadratic", d.check(), h.check())


def convexity_first_order():
    """convexity.first_order: f(y) >= f(x) + <grad f(x), y - x> for every differentiable convex f
    (every dimension; a PSD quadratic, the claim's instance, is one), and the strongly convex form."""
    d = _vector(functions={"f": "convex", "h": "strongly_convex(mu)"}, vectors=["x", "y"], assume=["mu > 0"],
                name="convexity.first_order")
    d.claim("f(y) - f(x) - dot(grad(f, x), y - x)", ">=", "0", by="first-order characterization of convexity")
    d.claim("h(y) - h(x) - dot(grad(h, x), y - x)", ">=", "mu/2*norm(y - x)**2", by="strong convexity")
    d.claim("dot(grad(f, x) - grad(f, y), x - y)", ">=", "0", by="monotone gradient: add the two inequalities")
    return d.check()


def chord_convexity():
    """landscape.chord_convexity: f(th x + (1-th) y) <= th f(x) + (1-th) f(y) for every convex f, every
    dimension, th in [0, 1]; and the gap of a z^2/2 (a scalar identity, for every a, p, q, th)."""
    d = _vector(functions={"f": "convex"}, vectors=["x", "y"], let={"z": "th*x + (1 - th)*y"},
                assume=["th >= 0", "th <= 1", "a >= 0"], name="landscape.chord_convexity")
    d.claim("f(z)", "<=", "th*f(x) + (1 - th)*f(y)",
            by="th [f(x) >= f(z) + <g_z, x - z>] + (1 - th) [f(y) >= f(z) + <g_z, y - z>]")
    d.start("th*a*p**2/2 + (1 - th)*a*q**2/2 - a*(th*p + (1 - th)*q)**2/2").eq(
        "a*th*(1 - th)/2*(p - q)**2", by="expand: the chord's excess for a z^2/2")
    return d.check()


def stationary_is_global():
    """landscape.stationary_is_global: a zero-gradient point of a convex f is a global minimizer
    (every dimension); 'stationary:' assumes only grad f(xs) = 0."""
    d = _vector(functions={"f": "convex"}, vectors=["xs", "y"], stationary={"xs": "f"},
                name="landscape.stationary_is_global")
    d.start("f(y)").ge("f(xs) + dot(grad(f, xs), y - xs)", by="first-order convexity at xs").eq(
        "f(xs)", by="grad f(xs) = 0")
    return d.check()


def armijo():
    """linesearch.armijo: on every L-smooth f (every dimension) the Armijo test
    f(x - eta g) <= f(x) - c eta ||g||^2 passes for every eta <= 2(1 - c)/L; by the
    contrapositive a step the backtracking rejected exceeds 2(1 - c)/L, so the accepted
    step rho times it exceeds 2 rho (1 - c)/L, and the accepted step decreases f by at
    least c eta ||g||^2 (dec >= 1) by the stopping rule."""
    d = _vector(functions={"f": "smooth(L)"}, vectors=["x"], let={"x1": "x - eta*grad(f, x)"},
                assume=["L > 0", "c > 0", "c < 1", "rho > 0", "rho < 1", "eta > 0", "eta <= 2*(1 - c)/L",
                        "eta_rej > 2*(1 - c)/L"], name="linesearch.armijo")
    d.start("f(x1)").le("f(x) - eta*(1 - L*eta/2)*norm(grad(f, x))**2", by="descent lemma (L-smoothness)").le(
        "f(x) - c*eta*norm(grad(f, x))**2", by="1 - L eta/2 >= c for eta <= 2(1 - c)/L")
    d.start("rho*eta_rej").ge("2*rho*(1 - c)/L", by="the rejected step exceeds 2(1 - c)/L (contrapositive)")
    return d.check()


def nesterov_rate():
    """momentum.nesterov_rate: the quadratic part (spectral analysis, scalar, every eigenvalue in
    [mu, L], so every dimension) and the convex part: the one-step decrease of FISTA's potential
    Phi_k = t_k^2 (f(x_k) - f*) + L/2 ||z_k - x*||^2 for every smooth convex f and every k (t = t_{k+1}
    symbolic, t_k^2 = t^2 - t), then t_k >= (k + 1)/2 gives f(x_N) - f* <= L R^2/(2 t_N^2) <= 2 L R^2/(N+1)^2."""
    from .momentum.accelerated import _derive_nag_rate

    d = _vector(functions={"f": "smooth(L), convex"}, vectors=["xk", "zk", "xs"], minimizers={"xs": "f"},
                let={"y": "(1 - 1/t)*xk + 1/t*zk", "x1": "y - 1/L*grad(f, y)", "z1": "zk - t/L*grad(f, y)"},
                assume=["L > 0", "t >= 1", "tk2 = t**2 - t", "R >= 0", "N >= 1", "t_N >= (N + 1)/2",
                        "e_N >= 0", "t_N**2*e_N <= L/2*R**2"],
                name="momentum.nesterov_rate")
    d.claim("t**2*(f(x1) - f(xs)) + L/2*norm(z1 - xs)**2", "<=", "tk2*(f(xk) - f(xs)) + L/2*norm(zk - xs)**2",
            by="Beck & Teboulle 2009, Lemma 4.1: the potential decreases (t_1 = 1, t_0 = 0 included)")
    d.claim("norm(z1 - (xk + t*(x1 - xk)))**2", "=", "0",
            by="z_{k+1} = x_k + t_{k+1} (x_{k+1} - x_k): the momentum form y_{k+1} = x_{k+1} + (t_k - 1)/t_{k+1} (x_{k+1} - x_k)")
    # with e_N = f(x_N) - f*, Phi_N <= Phi_0 = L/2 R^2 (assumed above, by induction on the claim)
    d.start("e_N").le("L*R**2/(2*t_N**2)", by="t_N^2 e_N <= Phi_N <= Phi_0").le(
        "2*L*R**2/(N + 1)**2", by="t_N >= (N + 1)/2")
    return merged_report("momentum.nesterov_rate", _derive_nag_rate(), d.check())


def convex_rate_tight():
    """gd.convex_rate_tight in general: the upper bound f(x_N) - f* <= L R^2/(4N + 2) for every smooth
    convex f, every dimension and every N, and the lower bound for every N (the Huber function, scalar).

    The upper bound is a potential with a symbolic counter t (found here with a small SDP over
    potentials a_t (f - f*) + L/2 ||x - x*||^2 + c_t/L ||grad f||^2, in the spirit of the
    potential-function analyses of Taylor & Bach 2019, arXiv:1902.00947; the certificates below
    are the proof):  Phi_t = t (f(x_t) - f*) + L/2 ||x_t - x*||^2 + t (t + 1)/(2L) ||grad f(x_t)||^2
    decreases along GD with eta = 1/L, Phi_0 = L R^2/2, and (2N + 1)(f(x_N) - f*) <= Phi_N
    (smooth-convex inequality x_N -> x* plus L/2 ||x_N - x* - (N + 1)/L grad f(x_N)||^2 >= 0).
    This is Drori & Teboulle's bound (2014, arXiv:1206.3209, Thm 3.1)."""
    import sympy

    from .gd.rates import TIGHT_BOUND, L, N, R, delta

    d = _vector(functions={"f": "smooth(L), convex"}, vectors=["x0", "xs"], minimizers={"xs": "f"},
                let={"x1": "x0 - 1/L*grad(f, x0)"},
                assume=["L > 0", "R > 0", "N >= 1", "delta > 0", "t >= 0", "e_N >= 0",
                        "Phi_0 = L/2*R**2", "Phi_N <= Phi_0", "(2*N + 1)*e_N <= Phi_N"],
                name="gd.convex_rate_tight")
    # the potential decreases, for every t (x0 = x_t, x1 = x_{t+1})
    d.claim("(t + 1)*(f(x1) - f(xs)) + L/2*norm(x1 - xs)**2 + (t + 1)*(t + 2)/(2*L)*norm(grad(f, x1))**2", "<=",
            "t*(f(x0) - f(xs)) + L/2*norm(x0 - xs)**2 + t*(t + 1)/(2*L)*norm(grad(f, x0))**2",
            by="Phi_{t+1} <= Phi_t")
    # the potential at x0 = x_N bounds (2N + 1)(f(x_N) - f*)
    d.claim("(2*N + 1)*(f(x0) - f(xs))", "<=",
            "N*(f(x0) - f(xs)) + L/2*norm(x0 - xs)**2 + N*(N + 1)/(2*L)*norm(grad(f, x0))**2",
            by="(2N + 1) e_N <= Phi_N")
    # by induction on t, Phi_N <= Phi_0 = L R^2/2 (assumed above, with e_N = f(x_N) - f*, and the
    # claim above as (2N + 1) e_N <= Phi_N):
    d.start("e_N").le("Phi_N/(2*N + 1)", by="(2N + 1) e_N <= Phi_N").le(
        "Phi_0/(2*N + 1)", by="the potential decreases").eq("L*R**2/(4*N + 2)", by="Phi_0 = L R^2/2")
    d.claim("f(x1) - f(xs)", "<=", "L/6*norm(x0 - xs)**2", by="= L R^2/(4N + 2) at N = 1 (PEP certificate)")
    # lower bound: the 1-D Huber function with threshold delta, x0 = R, step 1/L: x_N = R - N delta and
    # f(x_N) = L delta x_N - L delta^2/2; the best delta by completing the square
    d.start(L * delta * (R - N * delta) - L * delta**2 / 2).eq(
        TIGHT_BOUND - L * (2 * N + 1) / 2 * (delta - R / (2 * N + 1)) ** 2, by="complete the square in delta"
    ).le(TIGHT_BOUND, by="a square is >= 0; equality at delta = R/(2N+1)")
    dstar = R / (2 * N + 1)
    d.start(R - N * dstar).eq(sympy.cancel(R * (N + 1) / (2 * N + 1))).ge(dstar, by="the iterates stay on the linear part")
    return d.check()
