"""Toy claims about gradient descent on the scalar quadratic f(x) = h x^2 / 2.

GD reads x_{k+1} = x_k - lr * h * x_k = (1 - lr*h) x_k, so
  * the contraction factor per step is |1 - lr*h|          (``toy.gd_contraction``)
  * GD is stable iff 0 < lr < 2/h                           (``toy.gd_threshold``)

The measures RUN the recurrence (a trajectory, a bisection on runs); they never
evaluate the formula under test. ``make_*`` factories let theorykit's tests build
variants (a mutant nothing can refute, a measure that raises) from the same parts.
"""
from __future__ import annotations


import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck, Source

__all__ = ["CLAIMS", "contraction_claim", "threshold_claim", "run_gd", "measure_contraction", "measure_threshold"]

h, lr, rho = sympy.symbols("h lr rho", positive=True)

TOY_SOURCE = Source(key="Toy 2024", authors="T. Oy", title="Gradient descent on a parabola", year=2024,
                    venue="Test Fixtures", arxiv="0000.00000")


def run_gd(h_value: float, lr_value: float, x0: float, steps: int) -> list[float]:
    """The GD trajectory on h x^2/2, computed with the gradient (h*x), not the closed form."""
    xs = [x0]
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - lr_value * (h_value * x))
    return xs


def measure_contraction(params, ctx) -> float:
    x0 = float(ctx.rng.uniform(0.5, 2.0))  # the rate must not depend on where we start
    xs = run_gd(params["h"], params["lr"], x0, 4)
    return abs(xs[4] / xs[3]) if xs[3] != 0 else 0.0


def measure_threshold(params, ctx) -> float:
    """Largest stable step size found by bisection on 100-step runs."""

    def stable(step: float) -> bool:
        xs = run_gd(params["h"], step, 1.0, 100)
        return abs(xs[-1]) <= 1.0

    lo, hi = 0.0, 1.0
    while stable(hi):
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo


def _params():
    return st.fixed_dictionaries({
        "h": st.floats(0.1, 10.0, allow_nan=False),
        "lr": st.floats(0.001, 0.3, allow_nan=False),
    })


def _h_only():
    return st.fixed_dictionaries({"h": st.floats(0.1, 10.0, allow_nan=False)})


def _derive_contraction():
    from theorykit.symbolic.derivation import Derivation

    x = sympy.Symbol("x", positive=True)
    return Derivation(assume=[h > 0, lr > 0, x > 0]).start((x - lr * h * x) / x).eq(1 - lr * h).check(timeout=10)


def _derive_threshold():
    from theorykit.symbolic.derivation import Derivation

    t = sympy.Symbol("t", positive=True)  # t = lr*h, the step size in units of 1/h
    return (Derivation(assume=[t > 0, t < 2])
            .start(1 - t).gt(1 - 2, by="t < 2").eq(-1).check(timeout=10))


def contraction_claim(*, id="toy.gd_contraction", mutants=None, measure=measure_contraction, derive=None) -> Claim:
    check = NumericCheck(
        name="rate",
        description="per-step contraction |x_{k+1}/x_k| of a GD run",
        measure=measure,
        predict=lambda p: abs(1 - p["lr"] * p["h"]),
        compare="tight",
        rtol=1e-9,
        atol=1e-12,
        examples=({"h": 1.0, "lr": 0.1},),
    )
    if mutants is None:
        mutants = (
            Mutant("no_abs", "forgets the absolute value: 1 - lr*h", "rate",
                   predict=lambda p: 1 - p["lr"] * p["h"],
                   strategy=lambda: st.fixed_dictionaries({"h": st.floats(1.0, 10.0), "lr": st.floats(0.25, 0.3)})),
            Mutant("half_step", "uses lr/2: |1 - lr*h/2|", "rate", predict=lambda p: abs(1 - p["lr"] * p["h"] / 2)),
        )
    return Claim(
        id=id,
        title="GD contraction factor on a scalar quadratic",
        statement=sympy.Eq(rho, sympy.Abs(1 - lr * h)),
        kind=Kind.RATE,
        sources=(TOY_SOURCE,),
        derive=derive or _derive_contraction,
        checks=(check,),
        strategy=_params,
        mutants=tuple(mutants),
        assumptions=(h > 0, lr > 0),
        doc="Setting: f(x) = h x^2/2, h > 0. Algorithm: GD with step lr. Tight.",
    )


def threshold_claim(*, id="toy.gd_threshold") -> Claim:
    check = NumericCheck(
        name="threshold",
        description="largest stable step size, by bisection on runs",
        measure=measure_threshold,
        predict=lambda p: 2 / p["h"],
        compare="tight",
        rtol=1e-6,
        strategy=_h_only,
        examples=({"h": 1.0},),
    )
    lr_star = sympy.Symbol("lr_star", positive=True)
    return Claim(
        id=id,
        title="GD stability threshold on a scalar quadratic",
        statement=sympy.Eq(lr_star, 2 / h),
        kind=Kind.THRESHOLD,
        sources=(TOY_SOURCE,),
        derive=_derive_threshold,
        checks=(check,),
        strategy=_h_only,
        mutants=(
            Mutant("one_over_h", "threshold 1/h (the step of the exact minimizer)", "threshold",
                   predict=lambda p: 1 / p["h"], statement=sympy.Eq(2 / h, 1 / h, evaluate=False)),
            Mutant("as_upper", "2/(1.01 h) claimed as an upper bound on the threshold", "threshold",
                   predict=lambda p: 2 / (1.01 * p["h"]), compare="upper"),
        ),
        assumptions=(h > 0,),
        doc="Setting: f(x) = h x^2/2, h > 0. Algorithm: GD. Stable iff 0 < lr < 2/h. Tight.",
    )


CLAIMS = (contraction_claim(), threshold_claim())


def extra_claims():
    """A catalog given as a callable (entry point ``module:function``)."""
    return (contraction_claim(id="toyextra.gd_contraction"),)


def duplicate_claims():
    """A catalog that clashes with ``toy.gd_contraction`` (a different object, the same id)."""
    return (contraction_claim(),)


class _UnknownReport:
    """What a derivation the checker could neither prove nor refute reports (for exit-code tests)."""

    status = "unknown"

    def to_dict(self):
        return {"status": "unknown", "steps": []}

    def to_latex(self):
        return r"\text{unknown}"

    def __str__(self):
        return "step 1: unknown"


def _derive_wrong():
    from theorykit.symbolic.derivation import Derivation

    x = sympy.Symbol("x", positive=True)
    return Derivation(assume=[x > 0]).start(x + x).eq(3 * x).check(timeout=10)


def _derive_raises():
    raise RuntimeError("this derivation is broken")


def bad_claims():
    """Claims that must NOT verify: a refuted derivation, an unknown one, one that raises."""
    return (
        contraction_claim(id="toybad.refuted_derivation", derive=_derive_wrong),
        contraction_claim(id="toybad.unknown_derivation", derive=_UnknownReport),
        contraction_claim(id="toybad.raising_derivation", derive=_derive_raises),
    )
