"""gradcheck.optimal_h: the step that balances truncation against round-off."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from .._sources import NOCEDAL_WRIGHT
from .._util import rounded, derivation as _derivation, S, golden_section
from ._common import HIGHAM, A, B, a, difference_quotient, eps, f0, h, hs

__all__ = ["GRADCHECK_OPTIMAL_H"]

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
