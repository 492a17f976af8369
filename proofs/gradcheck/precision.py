"""Gradient checks limited by precision: the relative error grows with depth, and a tiny float32 loss
needs scaling."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from .._sources import CS231N, MICIKEVICIUS, NOCEDAL_WRIGHT
from .._util import derivation as _derivation, S
from ._common import HIGHAM, h

__all__ = ["GRADCHECK_DEPTH", "GRADCHECK_FLOAT32"]

# ------------------------------------------------------------ gradcheck.depth_error
rel_d, depth = S("rel"), S("D", positive=True)
DEPTH_STATEMENT = sympy.Eq(rel_d, (depth - 1) * (depth - 2) * h**2 / 6)


def _derive_depth():
    # u((1 + s) theta) = (1 + s)^D u(theta) for a depth-D linear net (homogeneous of degree D), so the
    # centered quotient along theta is u ((1 + h)^D - (1 - h)^D) / (2 h) against the derivative D u
    dd = _derivation((h > 0,), "gradcheck.depth_error")
    for D_ in (3, 4, 5, 6):
        q = ((1 + h) ** D_ - (1 - h) ** D_) / (2 * h * D_) - 1
        rest = sum(sympy.binomial(D_, 2 * j + 1) * h ** (2 * j) for j in range(2, D_)) / D_
        dd.start(q).eq(DEPTH_STATEMENT.rhs.subs(depth, D_) + rest,
                       by=f"D = {D_}: odd binomial terms; the rest is O(h^4)")
    k_ = S("k", positive=True)
    # general D: the h^2 coefficient of ((1+h)^D - (1-h)^D)/(2 h D) is binomial(D, 3)/D
    dd.start(sympy.binomial(depth, 3).rewrite(sympy.factorial).subs(depth, k_ + 3) / (k_ + 3)).eq(
        (k_ + 2) * (k_ + 1) / 6, by="binomial(D, 3)/D = (D - 1)(D - 2)/6 with D = k + 3")
    return dd.check()


def _deep_linear(params, rng):
    """Weight matrices of a depth-D linear net with positive entries (so u(theta) is O(1), away from 0)."""
    D_, widths = int(params["D"]), [3] + [int(w) for w in rng.integers(2, 6, size=int(params["D"]) - 1)] + [1]
    return [rng.uniform(0.5, 1.5, size=(widths[i + 1], widths[i])) / widths[i] for i in range(D_)]


def _depth_rel_error(params, ctx) -> float:
    """|numeric - backprop| / |backprop| for the directional check along theta itself: centered quotient of
    the forward pass against the backpropagated gradient dotted with theta."""
    Ws = _deep_linear(params, ctx.rng)
    x = np.ones(3)

    def forward(ws):
        z = x
        for W in ws:
            z = W @ z
        return float(z[0])

    acts = [x]  # backprop: dL/dW_i = delta_i a_(i-1)^T
    for W in Ws:
        acts.append(W @ acts[-1])
    delta, dot = np.ones(1), 0.0
    for i in range(len(Ws) - 1, -1, -1):
        dot += float(np.sum(np.outer(delta, acts[i]) * Ws[i]))
        delta = Ws[i].T @ delta
    hh = float(params["h"])
    num = (forward([W * (1 + hh) for W in Ws]) - forward([W * (1 - hh) for W in Ws])) / (2 * hh)
    return abs(num - dot) / abs(dot)


GRADCHECK_DEPTH = Claim(
    id="gradcheck.depth_error",
    title="A gradient check's relative error grows with depth: (D - 1)(D - 2) h^2/6 along the weights of a "
          "depth-D linear net",
    statement=DEPTH_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, NOCEDAL_WRIGHT),
    derive=_derive_depth,
    assumptions=(h > 0, depth >= 3),
    strategy=lambda: st.fixed_dictionaries({"D": st.integers(3, 10), "h": st.sampled_from([1e-2, 3e-3, 1e-3])}),
    checks=(NumericCheck("relative_error", "centered quotient along theta vs backprop's gradient . theta, random "
                         "positive depth-D linear nets (widths 2..5)", _depth_rel_error, measures=rel_d,
                         bind={depth: "D"}, rtol=1e-3, examples=({"D": 6, "h": 1e-2}, {"D": 3, "h": 1e-3})),),
    mutants=(sympy.Eq(rel_d, h**2 / 6),),  # the error of a single layer's cubic term, whatever the depth
    doc="""\
Setting: a depth-D linear network u(theta) = W_D ... W_1 x (scalar output, D >= 3); the centered
difference check of the backpropagated gradient along the direction theta itself (all layers at once)
with step h.

Claim (*tight* to O(h^4)): the relative error is (D - 1)(D - 2) h^2/6: it grows like D^2, so a
tolerance that suits a shallow net flags a deep one -- why relative errors of gradient checks are
expected to be larger in deeper nets [1]; centered differences as in [2].

Derivation: u is homogeneous of degree D in theta, so the quotient is u((1 + h)^D - (1 - h)^D)/(2h)
against D u; its relative excess is binomial(D, 3) h^2/D + O(h^4) = (D - 1)(D - 2) h^2/6 + O(h^4)
(checked as polynomials for D = 3..6 and for general D).

Check: random nets with positive weights (widths 2..5, D in 3..10, h in {1e-2, 3e-3, 1e-3}), the
forward pass differenced and a hand-written backprop (rtol 1e-3 covers the O(h^4) remainder,
< 2.1e-4 relative for D <= 10, h <= 1e-2). Mutant: h^2/6 whatever the depth.
""",
)


# ------------------------------------------------------------ gradcheck.float32_loss_scale
z_tiny, z_scaled = S("z_tiny"), S("z_scaled")
F32_STATEMENT = sympy.And(sympy.Eq(z_tiny, 1 / sympy.sqrt(6)), sympy.Le(z_scaled, 1))
_Q32, _U32, _F32_POINTS = 2.0**-149, 2.0**-24, 20_000


def _derive_float32():
    e1, e2 = S("e1"), S("e2")
    dd = _derivation((), "gradcheck.float32_loss_scale")
    # below 2^-126 float32 numbers are multiples of q = 2^-149: each loss value is off by e ~ U(-q/2, q/2), so
    # the quotient is off by (e1 - e2)/(2h), of mean square 2 Var(e)/(2h)^2 = (q^2/6)/(2h)^2
    u_ = S("u")
    dd.start(sympy.integrate(u_**2, (u_, -sympy.Rational(1, 2), sympy.Rational(1, 2)))).eq(
        sympy.Rational(1, 12), by="variance of U(-1/2, 1/2), in units of q")
    dd.start(2 * sympy.Rational(1, 12)).eq((1 / sympy.sqrt(6)) ** 2, by="e1 - e2: two independent roundings")
    # in the normal range rounding is relative, |e| <= u |f|, so |error| <= u (|f+| + |f-|)/(2h); scaling by 2^k
    # is exact, so a scaled loss keeps relative precision u whatever its size
    dd.start(sympy.Abs(e1 - e2)).le(sympy.Abs(e1) + sympy.Abs(e2), by="triangle inequality")
    return dd.check()


def _f32_points(params, rng):
    d_ = int(params["d"])
    return rng.uniform(0.5, 1.5, size=(_F32_POINTS, d_)), float(params["h"]), 2.0 ** float(params["log2_loss"])


def _f32_quotients(w, hh, scale):
    """Centered quotients of coordinate 0 of l(w) = scale |w|^2/(2 |w0|^2) with every loss value rounded to
    float32 (the quotient itself in float64), and the exact gradient."""
    w0 = float(np.mean(w * w)) * w.shape[1]  # normalize so l is about `scale` at the sampled points
    e0 = np.zeros(w.shape[1])
    e0[0] = hh
    loss = lambda z: scale * np.sum(z * z, axis=1) / (2 * w0)  # noqa: E731
    fp, fm = loss(w + e0).astype(np.float32).astype(np.float64), loss(w - e0).astype(np.float32).astype(np.float64)
    return (fp - fm) / (2 * hh), scale * w[:, 0] / w0, fp, fm


def _f32_tiny(params, ctx) -> float:
    """RMS over 20000 points of (numeric - exact) * 2h / 2^-149 for a loss of size 2^log2_loss < 2^-126."""
    w, hh, scale = _f32_points(params, ctx.rng)
    num, g, _, _ = _f32_quotients(w, hh, scale)
    return float(np.sqrt(np.mean(((num - g) * 2 * hh / _Q32) ** 2)))


def _f32_scaled(params, ctx) -> float:
    """max over the points of |numeric - exact| * 2h / (u (|f+| + |f-|)) after scaling the loss by 2^k to size ~1."""
    w, hh, scale = _f32_points(params, ctx.rng)
    k = -round(float(params["log2_loss"]))
    num, g, fp, fm = _f32_quotients(w, hh, scale * 2.0**k)
    return float(np.max(np.abs(num - g) * 2 * hh / (_U32 * (np.abs(fp) + np.abs(fm)))))


_F32_EX = ({"d": 3, "h": 1e-2, "log2_loss": -138.0},)

GRADCHECK_FLOAT32 = Claim(
    id="gradcheck.float32_loss_scale",
    title="Scaling up a tiny loss rescues a float32 gradient check: below 2^-126 the values are multiples of 2^-149 "
          "(quotient error RMS 2^-149/(sqrt(6) 2h)); scaled by 2^k the error is within u(|f+| + |f-|)/(2h)",
    statement=F32_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(MICIKEVICIUS, HIGHAM),
    derive=_derive_float32,
    strategy=lambda: st.fixed_dictionaries({"d": st.integers(1, 5), "h": st.sampled_from([1e-2, 1e-1]),
                                            "log2_loss": st.sampled_from([-138.0, -134.0, -130.0])}),
    checks=(
        NumericCheck("tiny_loss_error", "RMS of (numeric - exact) 2h/2^-149 over 20000 points, loss ~ 2^log2_loss "
                     "rounded to float32", _f32_tiny, measures=z_tiny, rtol=0.02, examples=_F32_EX),
        NumericCheck("scaled_loss_error", "max of |numeric - exact| 2h/(u(|f+| + |f-|)) after scaling the loss by "
                     "2^k to size ~1", _f32_scaled, measures=z_scaled, rtol=0.0, examples=_F32_EX),
    ),
    # "a tiny float32 loss is checked as accurately as any other": no rounding error in the quotient
    mutants=(sympy.Le(z_tiny, 0),),
    doc="""\
Setting: a gradient check whose loss values are stored in float32 (the quotient formed in float64), for
a loss l(w) of size 2^e with e in {-138, -134, -130}: below 2^-126 float32 numbers are subnormal,
multiples of q = 2^-149; steps h in {1e-2, 1e-1}, so that f(w + h) - f(w - h) spans >= 20 multiples
of q (with fewer, the two roundings are correlated and the RMS below is smaller).

Claim (*tight*): the rounding of each tiny loss value is absolute, U(-q/2, q/2), so the quotient's error
has RMS q/(sqrt(6) 2h) -- relative to the gradient (~ 2^e) it is about 2^(-149-e)/(sqrt(6) h), 2% at e = -138,
h = 1e-2 -- and a check at rtol 1e-3 fails; multiplying the loss by 2^k (exact in floating point) moves it to the
normal range, where rounding is relative, |error| <= u(|f+| + |f-|)/(2h) with u = 2^-24, and the
check passes: loss scaling, as in mixed-precision training [1]; rounding as in [2].

Derivation: Var U(-1/2, 1/2) = 1/12, two independent roundings: mean square 1/6 (in units of q/(2h));
the triangle inequality for the normal range.

Checks: 20000 random points in [0.5, 1.5]^d per example: the RMS of (numeric - exact) 2h/q vs
1/sqrt(6) (rtol 0.02; Monte Carlo relative standard error ~ 0.4%), and after scaling by 2^k the
largest |numeric - exact| 2h/(u(|f+| + |f-|)) <= 1. Mutant: the tiny loss's error is 0 (a float32
check of a tiny loss is as accurate as any other).
""",
)
