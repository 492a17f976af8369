"""gradcheck.centered_order / forward_order: the truncation order of centered and forward differences."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from .._sources import NOCEDAL_WRIGHT
from .._util import rounded, derivation as _derivation
from ._common import HIGHAM, d1, d2, d3, d4, d5, h, p_order, _taylor

__all__ = ["GRADCHECK_CENTERED", "GRADCHECK_FORWARD"]

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
