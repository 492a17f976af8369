"""Gradient checks that miss or fake a bug: a ReLU kink, weight decay masking a data-loss bug, a wrong
backward that passes at a special point, dropout without a fixed seed."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from .._sources import BAYDIN, CS231N, GOODFELLOW, NOCEDAL_WRIGHT, SRIVASTAVA
from .._util import rounded, derivation as _derivation, S
from ._common import a, err, h, r

__all__ = ["GRADCHECK_RELU_KINK", "GRADCHECK_WEIGHT_DECAY", "GRADCHECK_SPECIAL_POINT", "GRADCHECK_DROPOUT"]

# ============================================================== gradcheck.relu_kink
RK_ASSUME = (sympy.Gt(h, 0), sympy.Gt(r, 0), sympy.Lt(r, 1), sympy.Gt(a, 0))
REL_AT_KINK = (1 - r) / 2
RK_STATEMENT = sympy.Eq(err, REL_AT_KINK)


def _derive_relu_kink():
    d = _derivation(RK_ASSUME, "gradcheck.relu_kink")
    # f(x) = a relu(x) at x = r h (0 < r < 1): f(x+h) = a (r+1) h, f(x-h) = 0 (x - h < 0)
    d.start((a * (r + 1) * h - 0) / (2 * h)).eq(a * (1 + r) / 2, by="the centered quotient straddles the kink")
    # the analytic derivative at x > 0 is a; relative error |a - n| / max(|a|, |n|) with n <= a
    d.start((a - a * (1 + r) / 2) / a).eq(REL_AT_KINK, by="relative error")
    d.claim(REL_AT_KINK, ">", 0, by="r < 1: never small, whatever h")
    return d.check()


def _kink_result(params, ctx):
    from theorykit.numeric.gradcheck import gradcheck

    xp = ctx.xp
    step = params["h"]
    w = xp.asarray(params["w"], dtype=xp.float64)
    d = w.shape[0]
    # coordinate 0 sits r h to the right of the kink; the others are far (> 10 h) from theirs
    far = ctx.rng.uniform(10.0, 100.0, size=d - 1) * step * ctx.rng.choice([-1.0, 1.0], size=d - 1)
    x = xp.asarray(np.concatenate([[params["r"] * step], far]))

    def f(z):
        return xp.sum(w * xp.maximum(z, 0.0))

    def grad(z):
        return w * xp.astype(z > 0, xp.float64)

    return gradcheck(f, x, grad, h=step)


def _kink_rel_error(params, ctx) -> float:
    return float(_kink_result(params, ctx).rel_errors[0])


def _kink_flagged(params, ctx) -> float:
    res = _kink_result(params, ctx)
    return float(bool(res.kink) and 0 in {int(i) for i in res.kink_coords})


def _others_max_error(params, ctx) -> float:
    res = _kink_result(params, ctx)
    return float(np.max(res.rel_errors[1:])) if res.rel_errors.size > 1 else 0.0


def _net_kink(params, ctx):
    """gradcheck of a one-hidden-layer ReLU MLP (theorykit.numeric.nets) with respect to the bias
    of hidden unit 0, whose pre-activation on the single sample is set to r h > 0."""
    from theorykit.numeric.gradcheck import gradcheck
    from theorykit.numeric.nets import MLP, NetProblem

    xp = ctx.xp
    step, width = params["h"], len(params["w"]) + 1
    mlp = MLP((2, width, 1), activation="relu", loss="mse")
    X = ctx.rng.standard_normal((1, 2))
    w = np.asarray(mlp.init_params(ctx.rng))
    first = mlp.spec.layers[0]
    n_w = first.weight_shape[0] * first.weight_shape[1]
    bias0 = first.offset + n_w  # b_1[0] follows W_1 in the flat layout
    W1 = w[first.offset:bias0].reshape(first.weight_shape)
    w[bias0] = params["r"] * step - float(W1[0] @ X[0])  # z_0 = W1[0].x + b_1[0] = r h
    last = mlp.spec.layers[1]
    w[last.offset] = 1.0  # output weight of unit 0: the loss depends on the kink
    prob = NetProblem(mlp, xp.asarray(X), xp.asarray([5.0]))  # target far from the output: dL/db != 0
    return gradcheck(prob.loss, xp.asarray(w), prob.grad, h=step, coords=np.asarray([bias0]))


def _net_kink_flagged(params, ctx) -> float:
    res = _net_kink(params, ctx)
    return float(bool(res.kink) and bool(res.kink_coords.size))


def _net_kink_error(params, ctx) -> float:
    return float(_net_kink(params, ctx).rel_errors[0])


def _rk_params():
    rnd = lambda lo, hi: rounded(lo, hi, 4)
    return st.fixed_dictionaries({
        "r": rnd(0.01, 0.9),  # x_0 = r h > 0: differentiable there, so the analytic gradient is right
        "h": st.sampled_from([1e-6, 1e-5, 1e-3]),
        "w": st.lists(rnd(0.1, 10.0), min_size=2, max_size=5).map(tuple),
    })


_RK_EX = {"r": 0.3, "h": 1e-5, "w": (1.0, 2.0, 0.5)}
flag, net_flag, err_far, tol_gc = S("flag"), S("net_flag"), S("err_far"), S("tol_gc")
# the relative error is a ratio of differences of O(1) numbers divided by 2h: round-off
# eps |f| / h <= 1e-16 * 100 / 1e-6 = 1e-8 relative
_RK_RTOL = 1e-6

GRADCHECK_RELU_KINK = Claim(
    id="gradcheck.relu_kink",
    title="At a ReLU kink the centered gradient check reports a large error though the gradient is right",
    statement=RK_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, GOODFELLOW, NOCEDAL_WRIGHT),
    derive=_derive_relu_kink,
    assumptions=RK_ASSUME,
    strategy=_rk_params,
    checks=(
        NumericCheck(name="kink_relative_error", description="gradcheck's relative error at the coordinate r h from the kink",
                     measure=_kink_rel_error, measures=err, rtol=_RK_RTOL, examples=(_RK_EX,)),
        NumericCheck(name="net_kink_error", description="gradcheck's relative error at the bias of a ReLU unit of an "
                     "MLP at z = r h (the rest of the net adds O(h))", measure=_net_kink_error, measures=err,
                     rtol=1e-3, examples=(_RK_EX,)),
        NumericCheck(name="kink_flagged", description="1 if gradcheck flags that coordinate as a possible kink",
                     measure=_kink_flagged, relation=sympy.Eq(flag, 1), examples=(_RK_EX,)),
        NumericCheck(name="net_kink_flagged", description="1 if gradcheck flags the bias of a ReLU unit of an MLP at z = r h",
                     measure=_net_kink_flagged, relation=sympy.Eq(net_flag, 1), examples=(_RK_EX,)),
        NumericCheck(name="smooth_coordinates_pass", description="max relative error at coordinates > 10 h from a kink "
                     "<= gradcheck's pass threshold", measure=_others_max_error, relation=sympy.Le(err_far, tol_gc),
                     bind={tol_gc: 1e-7}, examples=(_RK_EX,)),
    ),
    # the check passes at a kink (error <= 1e-7); the error is the full one-sided gap 1 - r; nothing flags it
    mutants=(sympy.Le(err, sympy.Rational(1, 10**7)), sympy.Eq(err, 1 - r), sympy.Eq(flag, 0)),
    equivalent={
        text: "gradcheck's pass threshold 1e-7 is the tool's tolerance, not a derived constant: far from kinks the "
        "error is round-off (~1e-15), under any threshold of this size"
        for text in ("err_far <= tol_gc/2", "err_far <= 2*tol_gc/3")
    },
    doc="""\
Setting: f(x) = sum_i w_i relu(x_i), w_i > 0, with x_0 = r h (0 < r < 1) a distance r h to the right
of the kink at 0 and every other coordinate more than 10 h from its kink.
Algorithm: the centered gradient check of theorykit.numeric.gradcheck with step h and rtol 1e-7.

Claim (*tight*): the analytic gradient w_0 is correct (f is differentiable at x_0 > 0), but the centered
quotient straddles the kink: (w_0 (1 + r) h - 0)/(2h) = w_0 (1 + r)/2, a relative error (1 - r)/2 >> 1e-7,
and gradcheck flags the coordinate as a possible kink [1], [2, Sec. 11.5].

Derivation: evaluate both sides of the kink; relative error |a - n|/max(|a|, |n|).

Checks: gradcheck's relative error at coordinate 0 equals (1 - r)/2 (rtol 1e-6, round-off <= 1e-8),
its kink flag is set for coordinate 0, and the coordinates far from kinks pass (<= 1e-7). The same on
the net engine (theorykit.numeric.nets): a one-hidden-layer ReLU MLP whose hidden unit 0 has
pre-activation r h on its sample; the check on that unit's bias is flagged and its error
equals (1 - r)/2 within 1e-3 (the rest of the net adds O(h)). Mutants: "the check passes at a kink",
"nothing flags it", "the error is 1 - r".
""",
)

# ============================================================== gradcheck.weight_decay_masks
rel_wd, c_bug, g_d, lam_wd, w_wd = S("rel"), S("c"), S("g_d"), S("lam"), S("w")
WD_STATEMENT = sympy.Eq(rel_wd, (1 - c_bug) * g_d / (g_d + lam_wd * w_wd))


def _derive_weight_decay():
    d = _derivation((g_d > 0, w_wd > 0, lam_wd >= 0, c_bug >= 0, c_bug < 1), "gradcheck.weight_decay_masks")
    # analytic = c g_d + lam w (the data gradient scaled by a bug c), numeric = g_d + lam w (the true one)
    d.start(((g_d + lam_wd * w_wd) - (c_bug * g_d + lam_wd * w_wd)) / (g_d + lam_wd * w_wd)).eq(
        WD_STATEMENT.rhs, by="relative error |a - n| / max(|a|, |n|), n > a > 0")
    d.start(sympy.diff(WD_STATEMENT.rhs, lam_wd)).eq(-(1 - c_bug) * g_d * w_wd / (g_d + lam_wd * w_wd) ** 2,
                                                   by="d/d lam").le(0, by="it shrinks as weight decay grows")
    return d.check()


def _wd_rel_error(params, ctx) -> float:
    """theorykit.gradcheck's relative error for f(w) = softplus(w) + lam w^2/2 whose analytic gradient has
    the data part scaled by c (a bug), at w > 0."""
    from theorykit.numeric.gradcheck import gradcheck

    lam_, c_, w0 = params["lam"], params["c"], params["w"]
    f = lambda z: np.logaddexp(0.0, z[0]) + lam_ * z[0] ** 2 / 2  # noqa: E731
    buggy = lambda z: np.array([c_ / (1 + np.exp(-z[0])) + lam_ * z[0]])  # noqa: E731
    return float(gradcheck(f, np.array([w0]), buggy, method="centered", rtol=1e-3).max_rel_error)


def _sigmoid(p):
    return 1.0 / (1.0 + math.exp(-p["w"]))


GRADCHECK_WEIGHT_DECAY = Claim(
    id="gradcheck.weight_decay_masks",
    title="Weight decay masks a data-gradient bug: gradcheck's relative error (1-c) g_d/(g_d + lam w) -> 0 as lam grows",
    statement=WD_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, NOCEDAL_WRIGHT),
    derive=_derive_weight_decay,
    assumptions=(g_d > 0, w_wd > 0, lam_wd >= 0, c_bug >= 0, c_bug < 1),
    strategy=lambda: st.fixed_dictionaries({"lam": st.sampled_from([0.0, 0.1, 1.0, 10.0, 1000.0]),
                                            "c": st.sampled_from([0.0, 0.5, 0.9]), "w": rounded(0.1, 3.0, 3)}),
    checks=(NumericCheck("relative_error", "gradcheck's max relative error with the buggy analytic gradient",
                         _wd_rel_error, measures=rel_wd, bind={g_d: _sigmoid}, rtol=1e-6, atol=1e-9,
                         examples=({"lam": 10.0, "c": 0.5, "w": 1.0},)),),
    mutants=(sympy.Eq(rel_wd, 1 - c_bug),),  # weight decay does not hide the bug
    doc="""Setting: f(w) = data loss + lam w^2/2 (here softplus(w), data gradient g_d = sigmoid(w) > 0, at w > 0); the
analytic gradient has a bug that scales the data part by c in [0, 1): c g_d + lam w.

Claim (*tight*, an identity): the finite-difference check's relative error |a - n|/max(|a|, |n|) is
(1 - c) g_d/(g_d + lam w), which shrinks as lam grows: a strong weight decay dominates the gradient and
masks the data-loss bug, so check the data loss alone first [1]; finite differences as in [2].

Derivation: a = c g_d + lam w, n = g_d + lam w; the derivative in lam is <= 0.

Check: theorykit.gradcheck (centered) on the buggy gradient, lam in {0, 0.1, 1, 10, 1000}, c in
{0, 0.5, 0.9}: the measured relative error vs the formula (rtol 1e-6). Mutant: the error is 1 - c
whatever lam (weight decay hides nothing).
""",
)


# ------------------------------------------------------------ gradcheck.special_point
rel0, rel_b, t_b = S("rel0"), S("rel"), S("t")
SP_STATEMENT = sympy.And(sympy.Eq(rel0, 0), sympy.Eq(rel_b, t_b / (1 + t_b)))


def _derive_special_point():
    dd = _derivation((t_b > 0, t_b < 1), "gradcheck.special_point")
    # the bug: tanh's backward written 1 - t instead of 1 - t^2; relative error |a - n|/max(|a|, |n|)
    dd.start((1 - t_b**2) - (1 - t_b)).eq(t_b * (1 - t_b), by="true minus buggy").gt(0, by="0 < t < 1")
    dd.claim(1 - t_b**2, ">=", 1 - t_b, by="1 - t^2 = (1 - t)(1 + t): the true derivative is the larger")
    dd.start(t_b * (1 - t_b) / (1 - t_b**2)).eq(t_b / (1 + t_b), by="divide by (1 - t)(1 + t)")
    return dd.check()


def _sp_unit(params):
    rng = np.random.default_rng(int(params["data"]))
    x = rng.uniform(0.5, 1.5, size=int(params["d"]))
    return x, float(params["y"])


def _sp_burn_in(params) -> np.ndarray:
    """w after `steps` GD steps of (tanh(w.x) - y)^2/2 from w = 0, with the buggy backward (as training would)."""
    x, y = _sp_unit(params)
    w = np.zeros_like(x)
    for _ in range(int(params["steps"])):
        t = math.tanh(float(w @ x))
        w = w - float(params["lr"]) * (t - y) * (1 - t) * x
    return w


def _sp_check(w, params) -> float:
    from theorykit.numeric.gradcheck import gradcheck

    x, _ = _sp_unit(params)
    f = lambda z: np.tanh(z @ x)  # noqa: E731
    buggy = lambda z: (1 - np.tanh(z @ x)) * x  # noqa: E731  (should be 1 - tanh^2)
    return float(gradcheck(f, w, buggy, method="centered", rtol=1e-3).max_rel_error)


def _sp_at_zero(params, ctx) -> float:
    return _sp_check(np.zeros(int(params["d"])), params)


def _sp_after(params, ctx) -> float:
    return _sp_check(_sp_burn_in(params), params)


GRADCHECK_SPECIAL_POINT = Claim(
    id="gradcheck.special_point",
    title="A wrong backward passes a gradient check at zero weights and fails after burn-in (tanh' = 1 - t bug: "
          "relative error t/(1 + t))",
    statement=SP_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, BAYDIN),
    derive=_derive_special_point,
    assumptions=(t_b > 0, t_b < 1),
    strategy=lambda: st.fixed_dictionaries({"d": st.integers(1, 6), "data": st.integers(0, 2**16),
                                            "y": rounded(0.3, 0.9, 3), "lr": st.sampled_from([0.05, 0.2]),
                                            "steps": st.sampled_from([20, 100, 400])}),
    checks=(
        NumericCheck("at_zero_weights", "theorykit.gradcheck's max relative error at w = 0", _sp_at_zero,
                     measures=rel0, rtol=0.0, atol=1e-8,
                     examples=({"d": 3, "data": 0, "y": 0.7, "lr": 0.2, "steps": 100},)),
        NumericCheck("after_burn_in", "theorykit.gradcheck's max relative error after GD steps from 0",
                     _sp_after, measures=rel_b,
                     bind={t_b: lambda p: math.tanh(float(_sp_burn_in(p) @ _sp_unit(p)[0]))}, rtol=1e-5,
                     examples=({"d": 3, "data": 0, "y": 0.7, "lr": 0.2, "steps": 100},)),
    ),
    mutants=(sympy.Eq(rel_b, 0),),  # passing at the special point means the backward is right
    doc="""\
Setting: a tanh unit f(w) = tanh(w . x) (x > 0 entrywise, d <= 6) whose backward has the classic bug
1 - t instead of 1 - t^2 (t = tanh(w . x)); training on (f - y)^2/2, y in [0.3, 0.9], from w = 0.

Claim (*tight*, an identity): at the special point w = 0 (t = 0) the buggy and true derivatives agree,
so a gradient check there passes with relative error 0; after burn-in (t > 0) the error is
t/(1 + t) -- check at a random or trained point, never only at the initialization [1]; reverse-mode
differentiation as in [2].

Derivation: |(1 - t) - (1 - t^2)| / max(|1 - t|, |1 - t^2|) = t(1 - t)/((1 - t)(1 + t)) for 0 < t < 1.

Checks: theorykit.gradcheck (centered) at w = 0 (atol 1e-8) and after 20..400 GD steps with the buggy
gradient (rtol 1e-5), t bound by re-running the burn-in. Mutant: the error stays 0 after burn-in.
""",
)

# ------------------------------------------------------------ gradcheck.dropout_seed
v_free, e_fixed, p_drop, s2, xi = S("v"), S("e_fixed"), S("p"), S("S2"), S("x_i")
DROPOUT_VARIANCE = sympy.Eq(v_free, p_drop / (2 * (1 - p_drop)) * (s2 / h**2 + xi**2))
DROPOUT_STATEMENT = sympy.And(DROPOUT_VARIANCE, sympy.Eq(e_fixed, 0))
_DROP_RUNS = 40_000


def _derive_dropout():
    m1, m2, a1, a2 = S("m1"), S("m2"), S("A1"), S("A2")
    dd = _derivation((p_drop > 0, p_drop < 1, h > 0), "gradcheck.dropout_seed")
    # g_hat = (A1 - A2)/(2h) + (m1_i + m2_i) x_i/(2(1 - p)) with independent masks; Var(m) = p(1 - p),
    # Var(A1 - A2) = 2 p S2/(1 - p), and the two parts are uncorrelated
    dd.start(2 * p_drop * s2 / (1 - p_drop) / (4 * h**2) + 2 * p_drop * (1 - p_drop) * xi**2 / (4 * (1 - p_drop) ** 2)
             ).eq(DROPOUT_VARIANCE.rhs, by="sum of the two variances")
    # one shared mask: f(w +- h e_i) differ by 2 h m_i x_i/(1 - p), the backward's own gradient
    dd.start(((a1 + h * m1 * xi / (1 - p_drop)) - (a1 - h * m1 * xi / (1 - p_drop))) / (2 * h)).eq(
        m1 * xi / (1 - p_drop), by="the same mask in both evaluations")
    del m2, a2
    return dd.check()


def _dropout_data(params):
    rng = np.random.default_rng(int(params["data"]))
    d_ = int(params["d"])
    return rng.standard_normal(d_), rng.standard_normal(d_)


def _dropout_quotients(params, rng, fixed: bool):
    """Centered quotients of coordinate 0 of f(w; m) = sum_j m_j x_j w_j/(1 - p) (inverted dropout), each of
    the two evaluations drawing its own mask (or both the same), and the backward's gradient m_i x_i/(1 - p)."""
    x, w = _dropout_data(params)
    p_, hh = float(params["p"]), float(params["h"])
    keep = lambda: (rng.uniform(size=(_DROP_RUNS, x.size)) >= p_).astype(float)  # noqa: E731
    m1 = keep()
    m2 = m1 if fixed else keep()
    e0 = np.zeros_like(w)
    e0[0] = hh
    f = lambda m, z: (m * x * z).sum(axis=1) / (1 - p_)  # noqa: E731
    num = (f(m1, w + e0) - f(m2, w - e0)) / (2 * hh)
    return num, m2[:, 0] * x[0] / (1 - p_)  # backward after the last forward: its mask


def _dropout_variance(params, ctx) -> float:
    num, _ = _dropout_quotients(params, ctx.rng, fixed=False)
    return float(np.var(num, ddof=1))


def _dropout_fixed_error(params, ctx) -> float:
    num, back = _dropout_quotients(params, ctx.rng, fixed=True)
    return float(np.max(np.abs(num - back)))


GRADCHECK_DROPOUT = Claim(
    id="gradcheck.dropout_seed",
    title="Dropout breaks numeric gradients unless the seed is fixed: variance p/(2(1-p)) (S2/h^2 + x_i^2) "
          "with fresh masks, error 0 with one",
    statement=DROPOUT_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, SRIVASTAVA),
    derive=_derive_dropout,
    assumptions=(p_drop > 0, p_drop < 1, h > 0),
    strategy=lambda: st.fixed_dictionaries({"d": st.integers(1, 6), "data": st.integers(0, 2**16),
                                            "p": rounded(0.2, 0.7, 2), "h": st.sampled_from([1e-2, 0.1, 1.0])}),
    checks=(
        NumericCheck("fresh_masks_variance", f"variance over {_DROP_RUNS} centered checks of coordinate 0, a new "
                     "dropout mask per forward pass", _dropout_variance, measures=v_free,
                     bind={s2: lambda p: float(np.sum(np.prod(_dropout_data(p), axis=0) ** 2)),
                           xi: lambda p: float(_dropout_data(p)[0][0])},
                     rtol=0.05, examples=({"d": 3, "data": 1, "p": 0.5, "h": 1.0},)),
        NumericCheck("fixed_seed_error", "max |numeric - backward| with one mask for both evaluations",
                     _dropout_fixed_error, measures=e_fixed, atol=1e-9,
                     examples=({"d": 3, "data": 1, "p": 0.5, "h": 1e-2},)),
    ),
    mutants=(sympy.Eq(v_free, 0),),  # dropout does not disturb a gradient check
    doc="""\
Setting: inverted dropout f(w; m) = sum_j m_j x_j w_j/(1 - p), m_j ~ Bernoulli(1 - p) kept; the centered
check of coordinate i with step h evaluates f(w + h e_i) and f(w - h e_i), each drawing a fresh mask
unless the random seed is fixed; S2 = sum_j x_j^2 w_j^2.

Claim (*tight*, an identity): with fresh masks the numeric gradient is random with variance
p/(2(1 - p)) (S2/h^2 + x_i^2), which blows up as h -> 0, so the check fails; with the seed fixed
(one mask) the quotient equals the backward's gradient m_i x_i/(1 - p) exactly. Turn dropout off or
fix its seed when gradient checking [1]; dropout as in [2].

Derivation: g_hat = (A1 - A2)/(2h) + (m1_i + m2_i) x_i/(2(1 - p)), A = f(w; m); Var(m_j) = p(1 - p)
and the two parts are uncorrelated.

Checks (Monte Carlo, 40000 checks per example, relative standard error of the variance < 1.5%):
the sample variance vs the formula (rtol 0.05); with one mask, max |numeric - backward| <= 1e-9.
Mutant: variance 0 (dropout is harmless).
""",
)
