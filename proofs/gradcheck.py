"""Finite differences: truncation order, the optimal step, and failure at a ReLU kink."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import CS231N, GOODFELLOW, NOCEDAL_WRIGHT
from ._util import rounded, derivation as _derivation, S, golden_section

__all__ = ["CLAIMS", "difference_quotient"]

HIGHAM = Source(
    key="Higham 2002",
    authors="N. J. Higham",
    title="Accuracy and Stability of Numerical Algorithms (2nd ed.)",
    year=2002,
    venue="SIAM",
    doi="10.1137/1.9780898718027",
)

h, d1, d2, d3, d4, d5, A, B, hs, eps, f0, a, r = (S(n) for n in ("h", "d1", "d2", "d3", "d4", "d5", "A", "B",
                                                                 "hs", "eps", "f0", "a", "r"))
err, p_order = S("err"), S("p")


def _taylor(x):
    # degree-5 Taylor polynomial around the base point: exact for quintics, and the
    # remainder of a smooth f only adds higher powers of h to every line below
    return d1 * x + d2 * x**2 / 2 + d3 * x**3 / 6 + d4 * x**4 / 24 + d5 * x**5 / 120



# --------------------------------------------------------------------------- measurement helpers
def difference_quotient(a_val: float, x0, step: float, method: str, dtype):
    """Centered or forward quotient of f(x) = exp(a x) at the points x0, computed entirely in ``dtype``."""
    x = np.asarray(x0, dtype=dtype)
    hh, aa = dtype(step), dtype(a_val)
    if method == "centered":
        return (np.exp(aa * (x + hh)) - np.exp(aa * (x - hh))) / (dtype(2) * hh)
    if method == "forward":
        return (np.exp(aa * (x + hh)) - np.exp(aa * x)) / hh
    raise ValueError(f"unknown method {method!r}")


def _loglog_slope(params, ctx, method: str) -> float:
    """Least-squares slope of log|error| vs log h over the truncation-dominated range, errors from
    theorykit.numeric.gradcheck's difference quotient of f(x) = exp(a x) at a random x0."""
    from theorykit.numeric.gradcheck import gradcheck

    a_val = params["a"]
    x0 = ctx.rng.uniform(-1.0, 1.0)
    # truncation/round-off >= 1e4 at the small end, next Taylor term <= 3% at the large end
    lo, hi = ((1e-3, 1e-1) if method == "centered" else (1e-5, 1e-2))
    steps = np.logspace(math.log10(lo / a_val), math.log10(hi / a_val), 9)
    xp = ctx.xp
    errs = []
    for s in steps:
        res = gradcheck(lambda z: xp.exp(a_val * z[0]), xp.asarray([x0]), lambda z: a_val * xp.exp(a_val * z),
                        h=float(s), method=method)
        errs.append(abs(float(res.numeric[0]) - a_val * math.exp(a_val * x0)))
    return float(np.polyfit(np.log(steps), np.log(errs), 1)[0])


def _centered_slope(params, ctx):
    return _loglog_slope(params, ctx, "centered")


def _forward_slope(params, ctx):
    return _loglog_slope(params, ctx, "forward")


def _slope_params():
    return st.fixed_dictionaries({"a": rounded(0.5, 3.0, 3)})


# ============================================================== gradcheck.centered_order / forward_order
ORD_ASSUME = (sympy.Gt(h, 0), sympy.Gt(d3, 0), sympy.Gt(d2, 0))


def _derive_centered():
    d = _derivation(ORD_ASSUME, "gradcheck.centered_order")
    d.start((_taylor(h) - _taylor(-h)) / (2 * h) - d1).eq(d3 * h**2 / 6 + d5 * h**4 / 120,
                                                          by="even powers cancel in f(x+h) - f(x-h)")
    # leading error c h^2: its log-log slope h err'(h)/err(h) is 2
    d.start(h * (d3 * h / 3) / (d3 * h**2 / 6)).eq(2, by="d log(c h^2) / d log h")
    return d.check()


def _derive_forward():
    d = _derivation(ORD_ASSUME, "gradcheck.forward_order")
    d.start(_taylor(h) / h - d1).eq(d2 * h / 2 + d3 * h**2 / 6 + d4 * h**3 / 24 + d5 * h**4 / 120,
                                    by="(f(x+h) - f(x))/h - f'(x)")
    d.start(h * (d2 / 2) / (d2 * h / 2)).eq(1, by="d log(c h) / d log h")
    return d.check()


_SLOPE_DOC = """\
Checks: f(x) = exp(a x) at a random x0 in [-1, 1]; the difference quotient comes from
theorykit.numeric.gradcheck (method "{method}", fixed h); the error against f'(x0) = a e^(a x0) is
measured at 9 steps h spaced logarithmically over [{lo}/a, {hi}/a], where truncation exceeds round-off
by >= 1e4 and the next Taylor term is <= 3% of the leading one; the least-squares log-log slope is
{p} within {atol} (*tight*, atol {atol}; a mutant needs 5 atol to be refuted). Mutant: slope {q}."""

GRADCHECK_CENTERED = Claim(
    id="gradcheck.centered_order",
    title="The centered difference (f(x+h) - f(x-h))/(2h) has error f'''(x) h^2/6 + O(h^4): order 2",
    statement=sympy.Eq(p_order, 2),
    kind=Kind.RATE,
    sources=(NOCEDAL_WRIGHT, HIGHAM),
    derive=_derive_centered,
    assumptions=ORD_ASSUME,
    strategy=_slope_params,
    checks=(NumericCheck(name="loglog_slope", description="log-log slope of the centered difference error vs h",
                         measure=_centered_slope, measures=p_order, rtol=0.0, atol=0.1, examples=({"a": 1.0},)),),
    mutants=(sympy.Eq(p_order, 1), sympy.Eq(p_order, 4)),  # only first order; fourth order
    doc=f"""\
Setting: f three times differentiable (here smooth), x in R, step h > 0.
Algorithm: the centered difference D_c(h) = (f(x+h) - f(x-h))/(2h).

Claim (*tight*): D_c(h) - f'(x) = f'''(x) h^2/6 + O(h^4), so the error has order 2 in h [1, Sec. 8.1], [2].

Derivation: Taylor expansion to degree 5; the even powers cancel in f(x+h) - f(x-h); the log-log
slope of c h^2 is 2.

{_SLOPE_DOC.format(method="centered", lo="1e-3", hi="1e-1", p=2, q="1 or 4", atol=0.1)}
""",
)

GRADCHECK_FORWARD = Claim(
    id="gradcheck.forward_order",
    title="The forward difference (f(x+h) - f(x))/h has error f''(x) h/2 + O(h^2): order 1",
    statement=sympy.Eq(p_order, 1),
    kind=Kind.RATE,
    sources=(NOCEDAL_WRIGHT, HIGHAM),
    derive=_derive_forward,
    assumptions=ORD_ASSUME,
    strategy=_slope_params,
    checks=(NumericCheck(name="loglog_slope", description="log-log slope of the forward difference error vs h",
                         measure=_forward_slope, measures=p_order, rtol=0.0, atol=0.05, examples=({"a": 1.0},)),),
    mutants=(sympy.Eq(p_order, 2),),  # second order like the centered difference
    doc=f"""\
Setting: f twice differentiable (here smooth), x in R, step h > 0.
Algorithm: the forward difference D_f(h) = (f(x+h) - f(x))/h.

Claim (*tight*): D_f(h) - f'(x) = f''(x) h/2 + O(h^2): order 1 [1, Sec. 8.1], [2].

Derivation: Taylor expansion to degree 5 divided by h; the log-log slope of c h is 1.

{_SLOPE_DOC.format(method="forward", lo="1e-5", hi="1e-2", p=1, q="2", atol=0.05)}
""",
)

# ============================================================== gradcheck.optimal_h
OH_ASSUME = (sympy.Gt(A, 0), sympy.Gt(B, 0), sympy.Gt(h, 0), sympy.Gt(eps, 0), sympy.Gt(f0, 0), sympy.Gt(a, 0))
# for f = f0 e^(a x): |f3| = a^3 f0 and |f2| = a^2 f0 (third and second derivatives), so f0 cancels
H_CENTERED = (3 * eps / a**3) ** sympy.Rational(1, 3)  # (3 eps |f| / |f3|)^(1/3)
H_FORWARD = 2 * sympy.sqrt(eps) / a  # 2 sqrt(eps |f| / |f2|)
hf = S("hf")  # the forward difference's optimal step
OH_STATEMENT = sympy.And(sympy.Eq(hs, H_CENTERED), sympy.Eq(hf, H_FORWARD))
_DTYPES = {"float64": np.float64, "float32": np.float32}


def _derive_optimal_h():
    d = _derivation(OH_ASSUME, "gradcheck.optimal_h")
    # centered: error bound E(h) = A h^2 + B/h with A = |f'''|/6, B = eps |f| (rounding of f(x+-h) / (2h))
    h_c = (B / (2 * A)) ** sympy.Rational(1, 3)
    d.start(2 * A * h_c - B / h_c**2).eq(0, by="E'(h*) = 2 A h* - B/h*^2 = 0")
    d.start((eps * f0) / (2 * (a**3 * f0 / 6))).eq(3 * eps / a**3, by="A = a^3 f0 / 6, B = eps f0 for f = f0 e^(a x)")
    # forward: E(h) = A h + B/h with A = |f''|/2, B = 2 eps |f|
    h_f = sympy.sqrt(B / A)
    d.start(A - B / h_f**2).eq(0, by="E'(h*) = A - B/h*^2 = 0")
    d.start(sympy.sqrt((2 * eps * f0) / (a**2 * f0 / 2))).eq(H_FORWARD, by="A = a^2 f0 / 2, B = 2 eps f0")
    return d.check()


def _measured_best_h(params, ctx, method: str) -> float:
    """log10 of the h minimizing the mean |error| over 256 base points, on a 0.05-decade grid."""
    dtype = _DTYPES[params["dtype"]]
    a_val = params["a"]
    x0 = ctx.rng.uniform(-0.1, 0.1, size=256)
    exact = a_val * np.exp(a_val * x0)
    lo = -14.0 if dtype is np.float64 else -7.0
    grid = np.logspace(lo, 0.0, round(-lo / 0.05) + 1)
    errs = [np.mean(np.abs(difference_quotient(a_val, x0, s, method, dtype).astype(np.float64) - exact))
            for s in grid]
    return float(np.log10(grid[int(np.argmin(errs))]))


def _best_centered(params, ctx):
    return _measured_best_h(params, ctx, "centered")


def _best_forward(params, ctx):
    return _measured_best_h(params, ctx, "forward")


def _eps(p):
    return float(np.finfo(_DTYPES[p["dtype"]]).eps)


log_hs, log_hf = S("log10_hs"), S("log10_hf")
# the order of magnitude of each conjunct, which real floating point resolves (average rounding is
# smaller than the bound's worst case)
OH_LOG10 = {rel.lhs: sympy.Eq({hs: log_hs, hf: log_hf}[rel.lhs], sympy.log(rel.rhs, 10)) for rel in OH_STATEMENT.args}
_FP_BIND = {eps: _eps, f0: 1.0}


def _worst_case_best_h(params, ctx, method: str) -> float:
    """argmin over h of the worst-case error of the difference quotient of f = exp(a x) at a random
    x0, by golden-section search on log h: each evaluation f(x0 +- h) carries the relative rounding
    error eps with the sign that adds to the truncation error (the error bound's own model),
    computed in 50-digit arithmetic so that float round-off does not enter."""
    import mpmath

    a_val, eps_val = mpmath.mpf(params["a"]), mpmath.mpf(2) ** params["log2_eps"]
    x0 = mpmath.mpf(float(ctx.rng.uniform(-0.1, 0.1)))
    exact = a_val * mpmath.exp(a_val * x0)

    def error(log_h: float) -> float:
        with mpmath.workdps(50):
            hh = mpmath.mpf(10) ** log_h
            up = mpmath.exp(a_val * (x0 + hh)) * (1 + eps_val)
            if method == "centered":
                q = (up - mpmath.exp(a_val * (x0 - hh)) * (1 - eps_val)) / (2 * hh)
            else:
                q = (up - mpmath.exp(a_val * x0) * (1 - eps_val)) / hh
            return float(abs(q - exact))

    log_h, _ = golden_section(error, -20.0, 1.0, tol=1e-9)
    return 10.0**log_h


def _wc_params():
    # eps <= 2^-23: h* is the leading-order optimum; at eps = 2^-8 the next Taylor terms move it by 1-4%
    return st.fixed_dictionaries({"log2_eps": st.integers(-60, -23),
                                  "a": rounded(0.5, 3.0, 3)})


_WC_BIND = {eps: lambda p: 2.0 ** p["log2_eps"], f0: 1.0}


def _oh_params():
    return st.fixed_dictionaries({"dtype": st.sampled_from(["float64", "float32"]),
                                  "a": rounded(0.5, 3.0, 3)})


GRADCHECK_OPTIMAL_H = Claim(
    id="gradcheck.optimal_h",
    title="Optimal difference step: h* ~ eps^(1/3) centered, eps^(1/2) forward",
    statement=OH_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(NOCEDAL_WRIGHT, HIGHAM),
    derive=_derive_optimal_h,
    assumptions=OH_ASSUME,
    strategy=_oh_params,
    checks=(
        NumericCheck(name="centered_best_h", description="log10 of the measured error-minimizing h, centered",
                     measure=_best_centered, relation=OH_LOG10[hs], bind=_FP_BIND, rtol=0.0, atol=1.0,
                     near_misses=False, examples=({"dtype": "float64", "a": 1.0}, {"dtype": "float32", "a": 1.0})),
        NumericCheck(name="forward_best_h", description="log10 of the measured error-minimizing h, forward",
                     measure=_best_forward, relation=OH_LOG10[hf], bind=_FP_BIND, rtol=0.0, atol=1.0,
                     near_misses=False, examples=({"dtype": "float64", "a": 1.0}, {"dtype": "float32", "a": 1.0})),
        NumericCheck(name="centered_worst_case", description="argmin over h of the worst-case-rounding error of the "
                     "centered difference (50-digit arithmetic, golden section on log h)",
                     measure=lambda p, ctx: _worst_case_best_h(p, ctx, "centered"), measures=hs, bind=_WC_BIND,
                     rtol=1e-3, strategy=_wc_params, examples=({"log2_eps": -52, "a": 1.0}, {"log2_eps": -23, "a": 2.0})),
        NumericCheck(name="forward_worst_case", description="the same for the forward difference",
                     measure=lambda p, ctx: _worst_case_best_h(p, ctx, "forward"), measures=hf, bind=_WC_BIND,
                     rtol=1e-3, strategy=_wc_params, examples=({"log2_eps": -52, "a": 1.0}, {"log2_eps": -23, "a": 2.0})),
    ),
    mutants=(
        sympy.Eq(hs, (eps / a**3) ** sympy.Rational(1, 3)),  # the constant 3 forgotten
        sympy.Eq(hf, sympy.sqrt(eps) / a),  # the constant 2 forgotten
        sympy.Eq(hs, (6 * eps / a**3) ** sympy.Rational(1, 3)),  # B counted for both evaluations
        sympy.Eq(hf, (3 * eps / a**2) ** sympy.Rational(1, 3)),  # forward also wants eps^(1/3)
        sympy.Eq(hs, 2 * sympy.sqrt(eps / a**3)),  # centered wants eps^(1/2)
        sympy.Eq(hs, eps),  # smaller is better
    ),
    doc="""\
Setting: f smooth, evaluated in floating point with unit round-off eps (relative error <= eps |f|
per evaluation); here f(x) = exp(a x) near x = 0, in float64 and float32.
Algorithm: centered and forward differences with step h.

Claim (*tight*): the error bound A h^2 + B/h (centered: A = |f'''|/6, B = eps|f|) is
minimized at h* = (3 eps |f| / |f'''|)^(1/3) ~ eps^(1/3); the forward bound A h + B/h (A = |f''|/2,
B = 2 eps |f|) at h* = 2 sqrt(eps |f| / |f''|) ~ eps^(1/2) [1, Sec. 8.1], [2, Sec. 1.14].

Derivation: set E'(h) = 0 and substitute the constants of f = e^(a x).

Checks: (1) *tight*, rtol 1e-3: the difference quotient of f = exp(a x) is run with each evaluation
carrying the relative rounding error eps with the sign that adds to the truncation error (the
bound's model of rounding; 50-digit arithmetic, eps = 2^k for k in [-60, -23]: h* is the leading-order
optimum, and at eps = 2^-8 the next Taylor terms move the argmin by 1% (centered) to 4% (forward), so the
statement is about eps <= 2^-23, which covers float32 and float64); golden-section search
on log h finds the error-minimizing h, compared with h* (the constants 3 and 2 are what this check
resolves: forgetting them, or counting B twice, moves h* by 15-44%). (2) Real floating point: the
mean absolute error over 256 base points x0 in [-0.1, 0.1], computed in float64 / float32 on a
0.05-decade grid of h, has its argmin within a factor 10 of h* (average rounding is smaller than
the bound's worst case, so only the order eps^(1/3) vs eps^(1/2) is resolved there).
""",
)

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

CLAIMS = (GRADCHECK_CENTERED, GRADCHECK_FORWARD, GRADCHECK_OPTIMAL_H, GRADCHECK_RELU_KINK, GRADCHECK_WEIGHT_DECAY)
