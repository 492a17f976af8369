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


# ============================================================== seed claims (issue 14, item 6)
from ._sources import BAYDIN, MICIKEVICIUS, SRIVASTAVA  # noqa: E402  (the seed block is appended as one unit)

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

References:
  [1] A. Karpathy (2016). CS231n: gradient checks (course notes, Stanford). cs231n.github.io/neural-networks-3
  [2] J. Nocedal, S. J. Wright (2006). Numerical Optimization. doi:10.1007/978-0-387-40065-5
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

References:
  [1] A. Karpathy (2016). CS231n: gradient checks (course notes, Stanford). cs231n.github.io/neural-networks-3
  [2] A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind (2018). Automatic differentiation in
      machine learning: a survey. JMLR 18(153). arXiv:1502.05767
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
    sources=(SRIVASTAVA, CS231N),
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

References:
  [1] A. Karpathy (2016). CS231n: gradient checks (course notes, Stanford). cs231n.github.io/neural-networks-3
  [2] N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever, R. Salakhutdinov (2014). Dropout. JMLR 15.
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

References:
  [1] P. Micikevicius et al. (2018). Mixed precision training. ICLR. arXiv:1710.03740
  [2] N. J. Higham (2002). Accuracy and Stability of Numerical Algorithms. doi:10.1137/1.9780898718027
""",
)

CLAIMS = CLAIMS + (GRADCHECK_DEPTH, GRADCHECK_SPECIAL_POINT, GRADCHECK_DROPOUT, GRADCHECK_FLOAT32)
