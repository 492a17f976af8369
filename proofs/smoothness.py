"""Smoothness constants: the gradient Lipschitz constant of a quadratic."""
from __future__ import annotations

import numpy as np
import sympy

from theorykit.claims.claim import Claim, Kind, NumericCheck

from . import _vector_catalog
from ._util import (
    HORN_JOHNSON,
    NESTEROV,
    S,
    norm,
    rotated_quadratic,
    spectrum_params,
)

__all__ = ["CLAIMS"]


# Two eigen-coordinates suffice to state the inequality: in the eigenbasis of A,
# ||A d||^2 = sum_i l_i^2 d_i^2, and every extra coordinate adds one more term of
# the same form. L plays lambda_max(A): l1, l2 <= L.
l1, l2 = S("l1"), S("l2")
d1, d2 = S("d1"), S("d2")
L = S("L")
ASSUMPTIONS = (sympy.Ge(l1, 0), sympy.Ge(l2, 0), sympy.Le(l1, L), sympy.Le(l2, L), sympy.Gt(L, 0))
GRAD_DIFF_SQ = l1**2 * d1**2 + l2**2 * d2**2  # ||grad f(x) - grad f(y)||^2, d = Q^T (x - y)
# measured: the largest ||grad f(x) - grad f(y)|| / ||x - y|| over random pairs (ratio) and along
# the direction power iteration finds (ratio_max)
ratio, ratio_max, l_mean, a_fro = S("ratio"), S("ratio_max"), S("l_mean"), S("A_F")
STATEMENT = sympy.And(sympy.Le(GRAD_DIFF_SQ, L**2 * (d1**2 + d2**2)), sympy.Le(ratio, L), sympy.Eq(ratio_max, L))
_BIND = {L: lambda p: max(p["eigenvalues"]), l_mean: lambda p: float(np.mean(p["eigenvalues"])),
         a_fro: lambda p: float(np.sqrt(np.sum(np.square(p["eigenvalues"]))))}


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(ASSUMPTIONS), name="smoothness.quadratic")
    (
        d.start(GRAD_DIFF_SQ)
        .le(L**2 * d1**2 + l2**2 * d2**2, by="0 <= l1 <= L, so l1^2 <= L^2")
        .le(L**2 * d1**2 + L**2 * d2**2, by="0 <= l2 <= L, so l2^2 <= L^2")
        .eq(L**2 * (d1**2 + d2**2), by="factor")
    )
    # Tightness (equality for x - y along the top eigenvector) is what the power_ratio check measures.
    return d.check()


# --------------------------------------------------------------------------- measures
def _sampled_ratio(params, ctx) -> float:
    """max over random pairs of ||grad f(x) - grad f(y)|| / ||x - y||."""
    prob, _ = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    d = prob.dim
    best = 0.0
    for _ in range(64):
        x = ctx.xp.asarray(ctx.rng.standard_normal(d))
        y = ctx.xp.asarray(ctx.rng.standard_normal(d) * ctx.rng.uniform(0.01, 10))
        best = max(best, norm(prob.grad(x) - prob.grad(y)) / norm(x - y))
    return best


POWER_STEPS = 1000


def _power_ratio(params, ctx) -> float:
    """Largest ||grad f(y + u) - grad f(y)|| / ||u|| seen while steering u by power
    iteration on gradient differences: u <- grad f(y + u) - grad f(y), rescaled.

    Only gradients are evaluated (no eigen-solver). For a quadratic the ratio
    after k steps is below lambda_max by a relative error of at most about
    eps0^2 / (4 e k) (eps0: initial tangent of the angle to the top
    eigenvector), i.e. ~1e-4 for k = 1000; 4 random starts keep eps0 moderate.
    Hence the tight comparison with rtol 1e-3.
    """
    prob, _ = rotated_quadratic(params["eigenvalues"], ctx.rng, ctx.xp)
    xp, d = ctx.xp, prob.dim
    # 4 starts at once: Quadratic.grad takes a (batch, d) array row by row
    y = xp.asarray(ctx.rng.standard_normal((4, d)))
    gy = prob.grad(y)
    u = xp.asarray(ctx.rng.standard_normal((4, d)))
    best = 0.0
    for _ in range(POWER_STEPS):
        nu = xp.sqrt(xp.sum(u * u, axis=1))
        # a start that fell into the null space of A stays at ratio 0; keep it finite
        nu = xp.where(nu > 0, nu, xp.ones_like(nu))
        u = u / nu[:, None]
        diff = prob.grad(y + u) - gy
        ratios = xp.sqrt(xp.sum(diff * diff, axis=1))
        best = max(best, float(xp.max(ratios)))
        u = diff
    return best


def _params():
    return spectrum_params(dim=(1, 6), lo=0.05, hi=10.0, zeros=True)


CANONICAL = {"eigenvalues": (0.0, 0.5, 1.0, 4.0)}

SMOOTHNESS_QUADRATIC = Claim(
    id="smoothness.quadratic",
    title="A PSD quadratic is L-smooth with L = lambda_max(A), tightly",
    statement=STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(NESTEROV, HORN_JOHNSON),
    derive=_vector_catalog.smoothness_quadratic,  # every smooth convex f (_derive: the 2-D quadratic)
    derivation_scope="general",
    assumptions=ASSUMPTIONS,
    strategy=_params,
    checks=(
        NumericCheck(
            name="sampled_ratio",
            description="max of ||grad f(x) - grad f(y)|| / ||x - y|| over 64 random pairs stays <= lambda_max",
            measure=_sampled_ratio,
            measures=ratio,
            bind=_BIND,
            rtol=1e-9,  # round-off in A(x - y); nothing else separates measured from L
            examples=(CANONICAL,),
        ),
        NumericCheck(
            name="power_ratio",
            description="the ratio reaches lambda_max when x - y is steered by power iteration on gradient differences",
            measure=_power_ratio,
            measures=ratio_max,
            bind=_BIND,
            rtol=1e-3,  # power-iteration convergence bound, see _power_ratio
            examples=(CANONICAL,),
        ),
    ),
    # L = lambda_max/2; the mean eigenvalue; ||A||_F (valid but loose, claimed tight)
    mutants=(sympy.Eq(ratio_max, L / 2), sympy.Eq(ratio_max, l_mean), sympy.Eq(ratio_max, a_fro)),
    doc="""\
Setting: f(x) = 1/2 x^T A x with A = Q diag(lambda) Q^T symmetric PSD, x in R^d.

Claim (*tight*): ||grad f(x) - grad f(y)|| = ||A (x - y)|| <= lambda_max(A) ||x - y|| for
all x, y, with equality when x - y is a top eigenvector; so the smallest Lipschitz
constant of the gradient is L = lambda_max(A) [1, Sec. 2.1.1], [2, Sec. 5.6] (spectral norm).

Derivation (general): for every convex L-smooth f in every dimension (PSD quadratics with
lambda_max(A) <= L among them), ||grad f(x) - grad f(y)|| <= L ||x - y|| by co-coercivity and
Cauchy-Schwarz, certified from the class's interpolation inequalities; also for smooth(L) alone.

Checks: (a) 64 random pairs never exceed lambda_max (*upper*); (b) steering x - y by
power iteration on gradient differences reaches lambda_max within 1e-3 (*tight*).
""",
)

CLAIMS = (SMOOTHNESS_QUADRATIC,)
