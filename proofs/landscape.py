"""Loss landscapes: chords of convex functions lie above the graph, a convex stationary point
is a global minimum, and a neural network's loss is not convex (its Hessian is indefinite)."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck

from ._sources import GOODFELLOW
from . import _vector_catalog
from ._util import BOYD, NESTEROV, S, derivation, rounded

__all__ = ["CLAIMS"]

th, a, x, y, fx, fy, gx = (S(n) for n in ("theta", "a", "x", "y", "fx", "fy", "gx"))
gap, r_q, gmin = S("gap"), S("r_q"), S("gmin")


def _convex_fn(params, ctx):
    """A random convex function on R^d: log-sum-exp of affine maps plus a positive definite quadratic."""
    d = params["dim"]
    A = ctx.rng.standard_normal((6, d))
    b = ctx.rng.standard_normal(6)
    M = ctx.rng.standard_normal((d, d)) * params["curv"]
    Q = M @ M.T + 0.01 * np.eye(d)  # strongly convex: a stationary point exists

    def f(z):
        u = A @ z + b
        top = u.max()
        return float(top + np.log(np.exp(u - top).sum()) + 0.5 * z @ Q @ z)

    return f


def _nonconvex_fn(params, ctx):
    d = params["dim"]
    w = ctx.rng.standard_normal(d)
    return lambda z: float(np.sin(3 * (w @ z)) + 0.1 * z @ z)


def _function(params, ctx):
    return (_nonconvex_fn if params.get("kind") == "nonconvex" else _convex_fn)(params, ctx)


def _max_chord_violation(params, ctx) -> float:
    """max over random pairs and theta of f(theta x + (1-theta) y) - (theta f(x) + (1-theta) f(y)),
    divided by |x - y|^2 (so it is scale-free)."""
    f = _function(params, ctx)
    d = params["dim"]
    worst = -np.inf
    for _ in range(200):
        p, q = ctx.rng.standard_normal(d) * 3, ctx.rng.standard_normal(d) * 3
        t = ctx.rng.uniform()
        v = f(t * p + (1 - t) * q) - (t * f(p) + (1 - t) * f(q))
        worst = max(worst, v / float((p - q) @ (p - q)))
    return float(worst)


def _nonconvex_params():
    return st.fixed_dictionaries({"kind": st.just("nonconvex"), "dim": st.integers(1, 3), "curv": st.just(0.0),
                                  "a": st.just(1.0), "theta": st.just(0.5)})


def _quadratic_chord_ratio(params, ctx) -> float:
    """(theta f(x) + (1-theta) f(y) - f(theta x + (1-theta) y)) / (a (x - y)^2) for f = a z^2 / 2."""
    a_, t = params["a"], params["theta"]
    p, q = ctx.rng.standard_normal(2) * 3
    f = lambda z: a_ * z * z / 2  # noqa: E731
    return float((t * f(p) + (1 - t) * f(q) - f(t * p + (1 - t) * q)) / (a_ * (p - q) ** 2))


def _derive_chord():
    d = derivation((a >= 0, th >= 0, th <= 1), "landscape.chord_convexity")
    f = lambda z: a * z**2 / 2  # noqa: E731
    d.start(th * f(x) + (1 - th) * f(y) - f(th * x + (1 - th) * y)).eq(
        a * th * (1 - th) * (x - y) ** 2 / 2, by="expand").ge(0, by="a >= 0, 0 <= theta <= 1")
    return d.check()


def _chord_params():
    return st.fixed_dictionaries({"dim": st.integers(1, 5), "curv": st.sampled_from([0.0, 0.3, 1.0]),
                                  "a": rounded(0.1, 10.0), "theta": rounded(0.0, 1.0, 3)})


CHORD = Claim(
    id="landscape.chord_convexity",
    title="Convexity: every chord lies above the graph, f(theta x + (1-theta) y) <= theta f(x) + (1-theta) f(y)",
    statement=sympy.And(sympy.Le(gap, 0), sympy.Eq(r_q, th * (1 - th) / 2)),
    kind=Kind.TIGHT_BOUND,
    sources=(BOYD,),
    derive=_vector_catalog.chord_convexity,  # every convex f (_derive_chord: a z^2/2)
    derivation_scope="general",
    assumptions=(th >= 0, th <= 1),
    strategy=_chord_params,
    checks=(
        NumericCheck("chord_above_graph", "max over 200 random chords of (f(mix) - mix of f) / |x - y|^2, "
                     "convex log-sum-exp + quadratic", _max_chord_violation, measures=gap,
                     atol=1e-12, examples=({"dim": 3, "curv": 0.3, "a": 1.0, "theta": 0.5},)),
        NumericCheck("quadratic_gap", "chord minus graph over a (x - y)^2 for a z^2/2", _quadratic_chord_ratio,
                     measures=r_q, rtol=1e-9, examples=({"dim": 1, "curv": 0.0, "a": 1.0, "theta": 0.25},)),
    ),
    mutants=(
        Mutant("nonconvex_too", "chords of a nonconvex function also lie above its graph", "chord_above_graph",
               strategy=_nonconvex_params, predict=lambda p: 0.0, compare="upper"),
        sympy.Eq(r_q, th / 2),
    ),
    doc="""\
Setting: f: R^d -> R convex; x, y in R^d, theta in [0, 1].

Claim (*tight*): f(theta x + (1 - theta) y) <= theta f(x) + (1 - theta) f(y) (the definition of
convexity [1, Sec. 3.1.1]); for f = a z^2/2 the chord exceeds the graph by exactly
a theta (1 - theta) (x - y)^2 / 2, so the inequality is an equality only at theta in {0, 1} or x = y.

Derivation: expand the quadratic's gap.

Checks: on random convex functions (log-sum-exp of 6 affine maps plus a PSD quadratic, d <= 5) the
largest normalized violation over 200 random chords is <= 0 (atol 1e-12); on a z^2/2 the gap over
a (x - y)^2 is theta (1 - theta)/2 (rtol 1e-9). Mutant: the same chord test on the nonconvex
sin(3 w.z) + 0.1 |z|^2 fails.

References:
  [1] S. Boyd, L. Vandenberghe (2004). Convex Optimization. doi:10.1017/CBO9780511804441
""",
)


# ============================================================== landscape.stationary_is_global
def _derive_stationary():
    d = derivation((fy >= fx + gx * (y - x), sympy.Eq(gx, 0)), "landscape.stationary_is_global")
    d.start(fy).ge(fx + gx * (y - x), by="first-order convexity at x").eq(fx, by="grad f(x) = 0")
    return d.check()


def _min_gap_to_stationary(params, ctx) -> float:
    """min over 2000 random y of (f(y) - f(x_s)) / (1 + |y - x_s|^2), x_s a stationary point found by
    BFGS (gradient norm < 1e-9) from a random start."""
    from scipy.optimize import minimize

    f = _function(params, ctx)
    d = params["dim"]
    res = minimize(f, ctx.rng.standard_normal(d) * 5, method="BFGS", options={"gtol": 1e-9})
    if np.linalg.norm(res.jac) > 1e-6:
        raise RuntimeError(f"BFGS did not reach a stationary point (|grad| = {np.linalg.norm(res.jac):.2g})")
    xs, fs = res.x, f(res.x)
    ys = xs + ctx.rng.standard_normal((2000, d)) * ctx.rng.uniform(0.01, 10.0, (2000, 1))
    return float(min((f(yv) - fs) / (1.0 + float((yv - xs) @ (yv - xs))) for yv in ys))


STATIONARY = Claim(
    id="landscape.stationary_is_global",
    title="A stationary point of a convex function is a global minimum",
    statement=sympy.Ge(gmin, 0),
    kind=Kind.IDENTITY,
    sources=(BOYD, NESTEROV),
    derive=_vector_catalog.stationary_is_global,  # every convex f, a zero-gradient point
    derivation_scope="general",
    strategy=lambda: st.fixed_dictionaries({"dim": st.integers(1, 5), "curv": st.sampled_from([0.0, 0.3, 1.0])}),
    checks=(NumericCheck("no_lower_point", "min over 2000 random y of (f(y) - f(x_s)) / (1 + |y - x_s|^2)",
                         _min_gap_to_stationary, measures=gmin, atol=1e-9,
                         examples=({"dim": 3, "curv": 0.3},)),),
    mutants=(Mutant("nonconvex_too", "a stationary point of a nonconvex function is global too", "no_lower_point",
                    strategy=lambda: st.fixed_dictionaries({"kind": st.just("nonconvex"), "dim": st.integers(1, 3),
                                                            "curv": st.just(0.0)}),
                    predict=lambda p: 0.0, compare="lower"),),
    doc="""Setting: f: R^d -> R convex and differentiable, grad f(x_s) = 0.

Claim (*identity*): f(y) >= f(x_s) for every y [1, Sec. 4.2.3], [2, Thm 2.1.2].

Derivation: first-order convexity f(y) >= f(x) + <grad f(x), y - x> with grad f(x_s) = 0.

Check: x_s by BFGS (gtol 1e-9) from a random start on random convex functions (log-sum-exp of
affine maps plus a PSD quadratic, d <= 5); no y among 2000 random points at distances 0.01..10
has f(y) < f(x_s) beyond 1e-9. Mutant: on sin(3 w.z) + 0.1 |z|^2 (nonconvex) BFGS stops at a
local minimum and lower points are found.

References:
  [1] S. Boyd, L. Vandenberghe (2004). Convex Optimization. doi:10.1017/CBO9780511804441
  [2] Y. Nesterov (2018). Lectures on Convex Optimization. doi:10.1007/978-3-319-91578-4
""",
)


# ============================================================== landscape.indefinite_at_init
ratio = S("ratio")
w1, w2, u = S("w1"), S("w2"), S("u")


def _derive_indefinite():
    # the smallest net: f(w1, w2) = (w2 w1 x - y)^2 / 2; at w = 0 its Hessian is [[0, -x y], [-x y, 0]]
    d = derivation((x > 0, y > 0), "landscape.indefinite_at_init")
    loss = (w2 * w1 * x - y) ** 2 / 2
    h12 = sympy.diff(loss, w1, w2).subs({w1: 0, w2: 0})
    h11 = sympy.diff(loss, w1, 2).subs({w1: 0, w2: 0})
    h22 = sympy.diff(loss, w2, 2).subs({w1: 0, w2: 0})
    d.start(h11 * h22 - h12**2).eq(-(x * y) ** 2, by="det of the Hessian at w = 0").lt(0, by="x, y > 0: indefinite")
    return d.check()


def _eig_ratio_at_init(params, ctx) -> float:
    """lambda_min / lambda_max of the exact Hessian of a tanh MLP's squared loss at a random init."""
    from theorykit.numeric.nets import MLP, NetProblem

    width, n_ = params["width"], 16
    mlp = MLP((2, width, width, 1), activation="tanh", loss="mse")
    w = mlp.init_params(int(ctx.rng.integers(2**31)), scale=params["scale"])
    X = ctx.rng.standard_normal((n_, 2))
    Y = np.sin(X[:, :1] * 2)
    ev = np.linalg.eigvalsh(np.asarray(NetProblem(mlp, X, Y).hessian(w)))
    return float(ev[0] / ev[-1])


INDEFINITE = Claim(
    id="landscape.indefinite_at_init",
    title="Neural network losses are not convex: the Hessian is indefinite at a random initialization",
    statement=sympy.Lt(ratio, 0),
    kind=Kind.IDENTITY,
    sources=(GOODFELLOW,),
    derive=_derive_indefinite,
    strategy=lambda: st.fixed_dictionaries({"width": st.integers(2, 8), "scale": st.sampled_from([0.5, 1.0, 2.0])}),
    checks=(NumericCheck("eigenvalue_ratio", "lambda_min / lambda_max of the exact Hessian at a random init "
                         "(2 -> m -> m -> 1 tanh MLP, 16 points)", _eig_ratio_at_init, measures=ratio, rtol=0.0,
                         examples=({"width": 4, "scale": 1.0},)),),
    mutants=(sympy.Ge(ratio, 0),),  # the loss is locally convex at init
    doc="""Setting: a 2 -> m -> m -> 1 tanh MLP (m in 2..8, weights N(0, s^2/fan_in)) with the squared loss on 16
Gaussian inputs, target sin(2 x_1).

Claim: the loss is not convex in the weights: at a random initialization its Hessian has both
positive and negative eigenvalues [1, Sec. 8.2] (the weight-space symmetries make a convex loss
impossible).

Derivation: the smallest net f(w1, w2) = (w2 w1 x - y)^2/2 has Hessian [[0, -x y], [-x y, 0]] at
w = 0, whose determinant -(x y)^2 < 0: indefinite.

Check: the exact Hessian (theorykit.numeric.nets, Pearlmutter HVPs) at random inits: its
eigenvalue ratio lambda_min / lambda_max is < 0. Mutant: ratio >= 0 (locally convex).

References:
  [1] I. Goodfellow, Y. Bengio, A. Courville (2016). Deep Learning. MIT Press.
""",
)

CLAIMS = (CHORD, STATIONARY, INDEFINITE)
