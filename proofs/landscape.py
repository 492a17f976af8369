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
        # a method mutant: the statement's own bound gap <= 0 on a nonconvex function (convexity dropped)
        Mutant("nonconvex_too", "chords of a nonconvex function also lie above its graph", "chord_above_graph",
               strategy=_nonconvex_params),
        sympy.Eq(r_q, th / 2),
    ),
    doc="""\
Setting: f: R^d -> R convex; x, y in R^d, theta in [0, 1].

Claim (*tight*): f(theta x + (1 - theta) y) <= theta f(x) + (1 - theta) f(y) (the definition of
convexity [1, Sec. 3.1.1]); for f = a z^2/2 the chord exceeds the graph by exactly
a theta (1 - theta) (x - y)^2 / 2, so the inequality is an equality only at theta in {0, 1} or x = y.

Derivation (general): theta [convexity z -> x] + (1 - theta) [convexity z -> y] at z = theta x + (1 - theta) y,
for every convex f in every dimension; the quadratic's gap as a symbolic identity.

Checks: on random convex functions (log-sum-exp of 6 affine maps plus a PSD quadratic, d <= 5) the
largest normalized violation over 200 random chords is <= 0 (atol 1e-12); on a z^2/2 the gap over
a (x - y)^2 is theta (1 - theta)/2 (rtol 1e-9). Mutant: the same chord test on the nonconvex
sin(3 w.z) + 0.1 |z|^2 fails.
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
    # a method mutant: the statement's own gmin >= 0 on a nonconvex function (convexity dropped)
    mutants=(Mutant("nonconvex_too", "a stationary point of a nonconvex function is global too", "no_lower_point",
                    strategy=lambda: st.fixed_dictionaries({"kind": st.just("nonconvex"), "dim": st.integers(1, 3),
                                                            "curv": st.just(0.0)})),),
    doc="""Setting: f: R^d -> R convex and differentiable, grad f(x_s) = 0.

Claim (*identity*): f(y) >= f(x_s) for every y [1, Sec. 4.2.3], [2, Thm 2.1.2].

Derivation (general): first-order convexity f(y) >= f(x_s) + <grad f(x_s), y - x_s> with grad f(x_s) = 0,
for every convex f in every dimension (vector derivation with `stationary: xs of f`).

Check: x_s by BFGS (gtol 1e-9) from a random start on random convex functions (log-sum-exp of
affine maps plus a PSD quadratic, d <= 5); no y among 2000 random points at distances 0.01..10
has f(y) < f(x_s) beyond 1e-9. Mutant: on sin(3 w.z) + 0.1 |z|^2 (nonconvex) BFGS stops at a
local minimum and lower points are found.
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
""",
)

CLAIMS = (CHORD, STATIONARY, INDEFINITE)


# ============================================================== seed claims (issue 14, item 6)
from ._sources import BRAY_DEAN, DAUPHIN_SADDLES  # noqa: E402  (the seed block is appended as one unit)

# ------------------------------------------------------------ landscape.saddles_outnumber_minima
p_min, p_sad, q_dim = S("p_min"), S("p_saddle"), S("q")
SADDLE_STATEMENT = sympy.And(sympy.Eq(p_min, (2 - sympy.sqrt(2)) / 4), sympy.Eq(p_sad, sympy.sqrt(2) / 2),
                             sympy.Lt(q_dim, 1))
_GOE_RUNS = 100_000


def _derive_saddles():
    a_, b_, c_, lam_ = S("a"), S("b"), S("c"), S("lam")
    d = derivation((), "landscape.saddles_outnumber_minima")
    # a 2x2 GOE Hessian [[a, c], [c, b]] has eigenvalues m +- r, m = (a + b)/2, r^2 = ((a - b)/2)^2 + c^2,
    # and m, (a - b)/2, c are i.i.d. N(0, 1/2): it is a minimum iff m > r, the inside of a cone of
    # half-angle pi/4 around an axis of R^3, whose share of the (isotropic) Gaussian is (1 - cos(pi/4))/2
    m_, r2 = (a_ + b_) / 2, ((a_ - b_) / 2) ** 2 + c_**2
    d.start(sympy.Matrix([[a_, c_], [c_, b_]]).charpoly(lam_).as_expr()).eq(
        (lam_ - m_) ** 2 - r2, by="eigenvalues m +- r")
    d.start((1 - sympy.cos(sympy.pi / 4)) / 2).eq((2 - sympy.sqrt(2)) / 4,
                                                   by="cap of half-angle pi/4 on the sphere")
    d.start(1 - 2 * (2 - sympy.sqrt(2)) / 4).eq(sympy.sqrt(2) / 2, by="index 1: neither a minimum nor a maximum")
    return d.check()


def _goe_indices(N: int, runs: int, rng) -> np.ndarray:
    """Indices (number of negative eigenvalues) of `runs` GOE N x N matrices: the Hessian at a critical point
    of an isotropic Gaussian field at its typical energy (Bray-Dean)."""
    A = rng.standard_normal((runs, N, N))
    return np.count_nonzero(np.linalg.eigvalsh((A + np.swapaxes(A, 1, 2)) / 2) < 0, axis=1)


def _share_of_minima_2d(params, ctx) -> float:
    return float(np.mean(_goe_indices(2, _GOE_RUNS, ctx.rng) == 0))


def _share_of_saddles_2d(params, ctx) -> float:
    return float(np.mean(_goe_indices(2, _GOE_RUNS, ctx.rng) == 1))


def _minima_ratio(params, ctx) -> float:
    """P(index 0 in dimension N + 1) / P(index 0 in dimension N) (40000 GOE samples each)."""
    N = int(params["N"])
    return float(np.mean(_goe_indices(N + 1, 40_000, ctx.rng) == 0) / np.mean(_goe_indices(N, 40_000, ctx.rng) == 0))


SADDLES = Claim(
    id="landscape.saddles_outnumber_minima",
    title="Saddles outnumber minima: at a random critical point (GOE Hessian) P(minimum) = (2 - sqrt 2)/4 and "
          "P(saddle) = 1/sqrt 2 in 2-D, and P(minimum) falls with the dimension",
    statement=SADDLE_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(BRAY_DEAN, DAUPHIN_SADDLES),
    derive=_derive_saddles,
    strategy=lambda: st.fixed_dictionaries({"N": st.integers(1, 3)}),
    checks=(
        NumericCheck("minima_2d", "share of index 0 among 1e5 GOE 2 x 2 Hessians", _share_of_minima_2d,
                     measures=p_min, rtol=0.03, examples=({"N": 2},)),
        NumericCheck("saddles_2d", "share of index 1 among 1e5 GOE 2 x 2 Hessians", _share_of_saddles_2d,
                     measures=p_sad, rtol=0.01, examples=({"N": 2},)),
        NumericCheck("minima_ratio", "P(index 0, dim N + 1) / P(index 0, dim N), 4e4 GOE samples each",
                     _minima_ratio, measures=q_dim, rtol=0.0, examples=({"N": 3},)),
    ),
    mutants=(sympy.Eq(p_min, sympy.Rational(1, 4)),  # all 4 sign patterns of 2 eigenvalues equally likely
             sympy.Ge(q_dim, 1)),  # minima stay as common in higher dimension
    equivalent={"q < 1/2": "true as well (the ratio is about 0.3, 0.17, 0.1 for N = 1, 2, 3); the claim states "
                           "only that minima get rarer, a stronger bound is no wrong formula",
                "q < 2/3": "true as well (see q < 1/2)"},
    doc="""\
Setting: the Hessian at a critical point of an isotropic Gaussian random field on R^N, at its typical
(zero) energy level, is a GOE matrix (diagonal N(0, 1), off-diagonal N(0, 1/2)) [1]; the index is its
number of negative eigenvalues (0: a minimum, N: a maximum, otherwise a saddle).

Claim (*tight*): in 2-D a critical point is a minimum with probability (2 - sqrt 2)/4 = 0.146 and a
saddle with probability 1/sqrt 2 = 0.707; the probability of a minimum falls with N (like
exp(-(ln 3/4) N^2) asymptotically), so in high dimension almost every critical point is a saddle [1],
the premise of [2].

Derivation: [[a, c], [c, b]] has eigenvalues m +- r with m = (a + b)/2, r^2 = ((a - b)/2)^2 + c^2 and
m, (a - b)/2, c i.i.d. N(0, 1/2): a minimum iff m > r, a cone of half-angle pi/4 that holds
(1 - cos(pi/4))/2 of an isotropic Gaussian; a saddle is neither a minimum nor (by symmetry, equally
likely) a maximum.

Checks (Monte Carlo): the shares of index 0 and 1 among 1e5 sampled 2 x 2 GOE Hessians (standard errors
0.8% and 0.2% relative; rtol 0.03 and 0.01); the ratio P(min, N + 1)/P(min, N) < 1 for N in 1..3.
Mutants: a minimum with probability 1/4 (independent eigenvalue signs); the ratio >= 1.
""",
)

CLAIMS = CLAIMS + (SADDLES,)
