"""Vector derivations of the catalog's class theorems (derivation_scope = "general").

Each function returns the DerivationReport of a derivation written with the
vector format (theorykit.symbolic.vector): the steps hold for every function
of the stated class, in every dimension, not only on a quadratic or in two
coordinates. Steps that combine the per-step inequalities over iterations
are scalar steps with a symbolic iteration counter, in the same derivation.
"""
from __future__ import annotations

__all__ = ["descent_lemma", "strongly_convex_rate", "convex_rate", "nonconvex_gradient_norm"]


def descent_lemma():
    """f(x - eta grad f(x)) <= f(x) - eta (1 - L eta/2) ||grad f(x)||^2 for every L-smooth f."""
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(functions={"f": "smooth(L)"}, vectors=["x"], let={"x1": "x - eta*grad(f, x)"},
                   assume=["L > 0", "eta > 0"], name="gd.descent_lemma")
    (
        d.start("f(x1)")
        .le("f(x) + dot(grad(f, x), x1 - x) + L/2*norm(x1 - x)**2", by="L-smoothness: quadratic upper bound")
        .eq("f(x) - eta*(1 - L*eta/2)*norm(grad(f, x))**2", by="x1 - x = -eta*grad f(x)")
    )
    return d.check()


def strongly_convex_rate():
    """GD with eta = 2/(mu + L) contracts ||x - x*|| by (L - mu)/(L + mu) on every f in F_{mu,L}."""
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(functions={"f": "smooth(L), strongly_convex(mu)"}, vectors=["x0", "xs"],
                   minimizers={"xs": "f"}, let={"x1": "x0 - 2/(mu + L)*grad(f, x0)"},
                   assume=["mu > 0", "L > mu", "eta > 0"], name="gd.strongly_convex_rate")
    (
        d.start("norm(x1 - xs)**2")
        .eq("norm(x0 - xs)**2 - 4/(mu + L)*dot(grad(f, x0), x0 - xs) + 4/(mu + L)**2*norm(grad(f, x0))**2",
            by="expand the square")
        .le("(1 - 4*mu*L/(mu + L)**2)*norm(x0 - xs)**2",
            by="Nesterov 2004, Thm 2.1.12: <g, x - x*> >= mu L/(mu+L)||x - x*||^2 + 1/(mu+L)||g||^2")
        .eq("((L - mu)/(L + mu))**2*norm(x0 - xs)**2", by="algebra")
    )
    # the rate in terms of kappa = L/mu, and no constant step does better (scalar steps)
    d.start("1 - 2*mu/(mu + L)").eq("(L - mu)/(L + mu)").eq("(L/mu - 1)/(L/mu + 1)", by="kappa = L/mu")
    d.start("L/(L + mu)*(1 - eta*mu) + mu/(L + mu)*(eta*L - 1)").eq("(L - mu)/(L + mu)", by="eta cancels")
    return d.check()


def convex_rate():
    """GD with eta = 1/L on smooth convex f: f(x_N) - f* <= L ||x0 - x*||^2 / (2N), for every N."""
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(functions={"f": "smooth(L), convex"}, vectors=["x0", "xs"], minimizers={"xs": "f"},
                   let={"x1": "x0 - 1/L*grad(f, x0)"},
                   assume=["L > 0", "t >= 0", "N > 0", "D_N >= 0", "D_0 >= 0", "e_N >= 0",
                           "Phi_N = N*e_N + L/2*D_N", "Phi_0 = L/2*D_0", "Phi_0 >= Phi_N"],
                   name="gd.convex_rate")
    # the per-step inequality (descent lemma + convexity at x0), for any x0 = x_t
    d.claim("f(x1) - f(xs)", "<=", "L/2*(norm(x0 - xs)**2 - norm(x1 - xs)**2)",
            by="descent lemma f(x1) <= f(x0) - |g|^2/(2L), convexity f(x0) - f* <= <g, x0 - x*>")
    d.claim("f(x1)", "<=", "f(x0)", by="descent lemma")
    # telescoping, as a potential with a symbolic counter t: Phi_t = t (f(x_t) - f*) + L/2 ||x_t - x*||^2
    d.claim("(t + 1)*(f(x1) - f(xs)) + L/2*norm(x1 - xs)**2", "<=", "t*(f(x0) - f(xs)) + L/2*norm(x0 - xs)**2",
            by="the two steps above (t times the second plus the first)")
    # so Phi_N <= Phi_0 by induction on t (assumed above as Phi_0 >= Phi_N), and with
    # e_N = f(x_N) - f*, D_t = ||x_t - x*||^2:
    d.start("N*e_N").le("Phi_N", by="D_N >= 0").le("Phi_0", by="the potential decreases").eq("L/2*D_0")
    return d.check()


def nonconvex_gradient_norm():
    """GD with eta = 1/L on L-smooth f: min_{t<T} ||grad f(x_t)||^2 <= 2L (f(x0) - f_inf)/T, every T."""
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(functions={"f": "smooth(L)"}, vectors=["x0"], let={"x1": "x0 - 1/L*grad(f, x0)"},
                   assume=["L > 0", "eta = 1/L", "m >= 0", "m <= G_t", "T > 0", "t >= 0",
                           "f_t1 <= f_t - G_t/(2*L)", "f_T >= f_inf", "f0 >= f_T + T*m/(2*L)"],
                   name="gd.nonconvex_gradient_norm")
    d.start("f(x1)").le("f(x0) + dot(grad(f, x0), x1 - x0) + L/2*norm(x1 - x0)**2", by="L-smoothness").eq(
        "f(x0) - 1/(2*L)*norm(grad(f, x0))**2", by="x1 - x0 = -grad f(x0)/L")
    # the potential f(x_t) + t m/(2L) decreases (f_t1 = f(x_{t+1}), G_t = ||grad f(x_t)||^2 >= m):
    d.claim("f_t1 + (t + 1)*m/(2*L)", "<=", "f_t + t*m/(2*L)", by="the step above and m <= G_t")
    # by induction f0 >= f_T + T m/(2L) (assumed above), hence
    d.start("m").eq("2*L/T*(f_T + T*m/(2*L) - f_T)").le("2*L/T*(f0 - f_T)", by="the potential decreases").le(
        "2*L/T*(f0 - f_inf)", by="f_T >= f_inf")
    return d.check()
