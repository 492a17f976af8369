"""Convexity: the first-order characterization f(y) >= f(x) + grad f(x)^T (y - x)."""
from __future__ import annotations

import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from . import _vector_catalog
from ._util import (
    BOYD,
    NESTEROV,
    S,
    dot,
    rotated_quadratic,
    spectrum_params,
    to_float,
)

__all__ = ["CLAIMS"]


# The symbolic instance: f(z) = (l1 z1^2 + l2 z2^2)/2 in the eigenbasis of a PSD
# Hessian (two coordinates; more coordinates add terms of the same form).
l1, l2 = S("l1"), S("l2")
x1, x2, y1, y2 = S("x1"), S("x2"), S("y1"), S("y2")
ASSUMPTIONS = (sympy.Ge(l1, 0), sympy.Ge(l2, 0))


def _f(z1, z2):
    return (l1 * z1**2 + l2 * z2**2) / 2


GAP = _f(y1, y2) - _f(x1, x2) - (l1 * x1 * (y1 - x1) + l2 * x2 * (y2 - x2))
STATEMENT = sympy.Ge(GAP, 0)

# What the checks measure: the gap per unit ||y - x||^2, minimized over pairs (x, y).
# The statement normalized: gap_n >= 0. On a quadratic the derivation's middle expression,
# gap = 1/2 sum_i l_i (y_i - x_i)^2, gives the exact minimum l_min/2 (0 when singular).
gap_n, mu, L = S("gap_n"), S("mu"), S("L")
NORMALIZED = sympy.Ge(gap_n, STATEMENT.rhs)
QUADRATIC_FORM = sympy.Ge(gap_n, mu / 2)


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(ASSUMPTIONS), name="convexity.first_order")
    (
        d.start(GAP)
        .eq(l1 * (y1 - x1) ** 2 / 2 + l2 * (y2 - x2) ** 2 / 2, by="expand and regroup per coordinate")
        .ge(0, by="l1, l2 >= 0 and squares are >= 0")
    )
    return d.check()


# --------------------------------------------------------------------------- measures
def _min_gap(prob, pairs) -> float:
    """min over (x, y) of [f(y) - f(x) - grad f(x)^T (y - x)] / ||y - x||^2, all from evaluations."""
    best = float("inf")
    for x, y in pairs:
        u = y - x
        gap = to_float(prob.loss(y)) - to_float(prob.loss(x)) - dot(prob.grad(x), u)
        best = min(best, gap / dot(u, u))
    return best


def _random_pairs(d, ctx, count=64):
    xp, out = ctx.xp, []
    for _ in range(count):
        x = ctx.rng.standard_normal(d) * ctx.rng.uniform(0.1, 3.0)
        u = ctx.rng.standard_normal(d)
        u *= ctx.rng.uniform(0.5, 2.0) / max(float((u @ u) ** 0.5), 1e-300)
        out.append((xp.asarray(x), xp.asarray(x + u)))
    return out


def _quadratic_gap(params, ctx) -> float:
    """Random pairs, plus pairs displaced along the axes of the instance we built
    (the directions where a quadratic's gap is smallest)."""
    prob, q = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    pairs = _random_pairs(prob.dim, ctx)
    for i in range(prob.dim):
        x = ctx.rng.standard_normal(prob.dim)
        pairs.append((ctx.xp.asarray(x), ctx.xp.asarray(x + q[:, i])))
    return _min_gap(prob, pairs)


def _logistic_gap(params, ctx) -> float:
    from theorykit.numeric.problems import LogisticRegression

    n, d = params["n"], params["dim"]
    X = ctx.rng.standard_normal((n, d)) * params["scale"]
    y = ctx.rng.choice([-1.0, 1.0], size=n)
    prob = LogisticRegression(ctx.xp.asarray(X), ctx.xp.asarray(y), reg=params["reg"], xp=ctx.xp)
    return _min_gap(prob, _random_pairs(d, ctx))


def _params():
    return spectrum_params(dim=(1, 6), lo=0.05, hi=10.0, zeros=True)


def _logistic_params():
    return st.fixed_dictionaries(
        {
            "n": st.integers(2, 40),
            "dim": st.integers(1, 5),
            "scale": st.sampled_from([0.1, 1.0, 5.0]),
            "reg": st.sampled_from([0.0, 0.01, 1.0]),
        }
    )


# Round-off: the gap is a difference of O(10) function values divided by ||y - x||^2 >= 1/4.
ATOL = 1e-10

CONVEXITY_FIRST_ORDER = Claim(
    id="convexity.first_order",
    title="First-order condition: f(y) >= f(x) + grad f(x)^T (y - x) for convex f",
    statement=STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(BOYD, NESTEROV),
    derive=_vector_catalog.convexity_first_order,  # every convex f (_derive: the 2-D quadratic)
    derivation_scope="general",
    assumptions=ASSUMPTIONS,
    strategy=_params,
    checks=(
        NumericCheck(
            name="quadratic_gap",
            description="min of [f(y) - f(x) - grad f(x)^T (y-x)] / ||y-x||^2 over pairs, PSD quadratics",
            measure=_quadratic_gap,
            relation=QUADRATIC_FORM,
            bind={mu: lambda p: min(p["eigenvalues"]), L: lambda p: max(p["eigenvalues"])},
            rtol=0.0,  # round-off only: the absolute allowance below
            atol=ATOL,
            examples=({"eigenvalues": (0.0, 1.0, 3.0)}, {"eigenvalues": (0.5, 1.0, 3.0)}),
        ),
        NumericCheck(
            name="logistic_gap",
            description="same normalized gap on logistic regression (convex, not quadratic)",
            measure=_logistic_gap,
            relation=NORMALIZED,
            rtol=0.0,  # the prediction is 0: only the absolute round-off allowance applies
            atol=ATOL,
            strategy=_logistic_params,
            examples=({"n": 20, "dim": 3, "scale": 1.0, "reg": 0.0},),
        ),
    ),
    # the 1/2 forgotten; the top eigenvalue instead of the smallest (L <-> mu)
    mutants=(sympy.Ge(gap_n, mu), sympy.Ge(gap_n, L / 2)),
    doc="""\
Setting: f: R^d -> R differentiable. Claim: f is convex iff for all x, y
    f(y) >= f(x) + grad f(x)^T (y - x)                                   [1, Sec. 3.1.3], [2, Thm 2.1.2]
The lower bound 0 on the gap is *tight*: it is attained for y = x, and along the null
space of a singular quadratic.

Derivation (general): the first-order inequality for every convex f in every dimension, its
strongly convex form, and gradient monotonicity, each certified from the class's interpolation
inequalities (vector derivation).

Checks: the gap divided by ||y - x||^2, minimized over 64 random pairs (plus, on
quadratics, pairs displaced along the instance's principal axes), is >= 0 up to
round-off on logistic regression, and >= l_min/2 (the derivation's exact form, attained
along the bottom axis) on PSD quadratics, singular ones included.
""",
)

CLAIMS = (CONVEXITY_FIRST_ORDER,)
