"""The derivative argument (theorykit/symbolic/prove_derivative.py).

True Taylor-type bounds are proved through ``prove_step``; false variants are
given straight to the sign prover (so that the counterexample search, which
usually refutes them first, cannot hide an unsound argument) and must not be
proved; each carries an exact witness point where it fails.
"""
import os
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.symbolic.assumptions import Assumptions
from theorykit.symbolic.exact import sign_at
from theorykit.symbolic.parse import parse_assumptions, parse_relation
from theorykit.symbolic.prove_derivative import derivative_sign
from theorykit.symbolic.prove_sign import SignProver, Timeout
from theorykit.symbolic.prover import prove_step

TRUE_STEPS = [
    ("log(1 + x) >= x - x**2/2", "x >= 0"),
    ("exp(x) >= 1 + x + x**2/2", "x >= 0"),
    ("cos(x) >= 1 - x**2/2", ""),
    ("sin(x) <= x", "x >= 0"),
    ("sqrt(1 + x) <= 1 + x/2", "x >= -1"),
    ("atan(x) <= x", "x >= 0"),
    ("x*log(x) >= -1/E", "x > 0"),
    ("log(x) <= sqrt(x)", "x > 0"),
    ("log(1 + x) > x - x**2/2", "x > 0"),       # strict: g(0) = 0 at an excluded end, g' > 0
    ("exp(x) <= 1 + 2*x", "0 <= x, x <= 1"),     # concave: above its chord
    ("log(x) <= log(2) + (x - 2)/2", "x > 0"),   # concavity of log: the tangent at 2
    ("sin(x) >= x - x**3/6", "x >= 0"),
]

# (step, assumptions, witness where the step is false: x value)
FALSE_STEPS = [
    ("log(1 + x) >= x - x**2/2 + x**3/3", "x >= 0", 1),
    ("exp(x) >= 1 + x + x**2/2 + x**3/5", "x >= 0", sympy.Rational(1, 2)),
    ("cos(x) >= 1 - x**2/2 + x**4/20", "", 1),
    ("sin(x) <= x - x**3/5", "x >= 0", 1),
    ("sqrt(1 + x) <= 1 + x/2 - x**2/10", "x >= -1", 2),
    ("atan(x) <= x - x**3/2", "x >= 0", 1),
    ("x*log(x) >= -1/E + 1/1000", "x > 0", sympy.Rational(3, 8)),
    ("log(x) <= sqrt(x) - 62/100", "x > 0", 4),
    # atan(1/x) jumps at 0: g' = -1/(1 + x**2) exists on both sides, but not at 0
    ("atan(1/x) >= -pi/2 + 1/10", "-1 <= x, x <= 1", -sympy.Rational(1, 100)),
    # strict where equality holds at an included end
    ("log(1 + x) > x - x**2/2", "x >= 0", 0),
    ("cos(x) > 1 - x**2/2", "", 0),
    ("exp(x) <= 1 + 17/10*x", "0 <= x, x <= 1", 1),
]


def _difference(text, assume):
    lhs, op, rhs = parse_relation(text)
    a = Assumptions.from_relations(parse_assumptions(assume) if assume else [])
    d = a.rebind(lhs - rhs) if op in (">", ">=") else a.rebind(rhs - lhs)
    return d, ("pos" if op in ("<", ">") else "nonneg"), a


@pytest.mark.parametrize("text,assume", TRUE_STEPS)
def test_taylor_bounds_are_proved(text, assume):
    lhs, op, rhs = parse_relation(text)
    v = prove_step(lhs, op, rhs, parse_assumptions(assume) if assume else [], timeout=20, isolate=False)
    assert v.status == "proved", v


def test_method_name_in_the_verdict():
    lhs, op, rhs = parse_relation("atan(x) <= x")
    v = prove_step(lhs, op, rhs, parse_assumptions("x >= 0"), timeout=20)  # forked worker
    assert (v.status, v.method) == ("proved", "derivative argument")


@pytest.mark.parametrize("text,assume,witness", FALSE_STEPS)
def test_false_variants_are_never_proved(text, assume, witness):
    d, want, a = _difference(text, assume)
    (x,) = d.free_symbols
    # independent exact check that the step is false at the witness
    s = sign_at(d, {x: sympy.Rational(witness)})
    if s is None:  # exact.py has no atan: 50 digits, far from zero
        v = sympy.N(d.xreplace({x: sympy.Rational(witness)}), 50)
        s = -1 if v < -sympy.Rational(1, 10**20) else None
    assert a.satisfied_exactly({x.name: sympy.Rational(witness)})
    assert s is not None and (s < 0 or (s == 0 and want == "pos"))
    prover = SignProver(a, time.monotonic() + 3)
    try:
        assert derivative_sign(prover, d, want, sample_first=False) is None
        assert not prover.prove(d, want)
    except Timeout:
        pass  # running out of time is an honest "unknown"


def test_depth_limit_and_budget_are_respected():
    # needs more derivatives than allowed: must give up (not hang, not prove)
    d, want, a = _difference("exp(x) >= 1 + x + x**2/2 + x**3/6 + x**4/24 + x**5/120 + x**6/720", "x >= 0")
    prover = SignProver(a, time.monotonic() + 3)
    start = time.monotonic()
    try:
        derivative_sign(prover, d, want)
    except Timeout:
        pass
    assert time.monotonic() - start < 6


def test_undefined_boundary_value_is_not_an_anchor():
    # x*log(x) at the end 0 is 0*log(0): not a number, so 0 cannot anchor; the
    # critical point 1/e does, exactly
    d, want, a = _difference("x*log(x) >= -1/E", "x > 0")
    prover = SignProver(a, time.monotonic() + 20)
    assert derivative_sign(prover, d, want) == "derivative argument"
    d, want, a = _difference("x*log(x) >= 0", "x > 0")
    prover = SignProver(a, time.monotonic() + 20)
    assert derivative_sign(prover, d, want) is None


# -- fuzz: a proved verdict must survive an independent 50-digit evaluation -------------

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
_FUNCS = {
    "log(1+x)": lambda x: sympy.log(1 + x),
    "exp(x)": sympy.exp,
    "exp(-x)": lambda x: sympy.exp(-x),
    "sin": sympy.sin,
    "cos": sympy.cos,
    "atan": sympy.atan,
    "sqrt(1+x)": lambda x: sympy.sqrt(1 + x),
    "x*log(x)": lambda x: x * sympy.log(x),
}


@st.composite
def univariate_goals(draw):
    name = draw(st.sampled_from(sorted(_FUNCS)))
    coeffs = [sympy.Rational(draw(st.integers(-6, 6)), draw(st.sampled_from([1, 2, 3, 6, 24]))) for _ in range(4)]
    bounded = draw(st.booleans())
    return name, coeffs, bounded


def _fuzz_case(name, coeffs, bounded, points=400):
    rels = ["x > 0"] + (["x <= 2"] if bounded else [])
    a = Assumptions.from_relations(parse_assumptions(", ".join(rels)))
    x = a.symbols["x"]
    g = coeffs[0] + coeffs[1] * x + coeffs[2] * x**2 + coeffs[3] * _FUNCS[name](x)
    prover = SignProver(a, time.monotonic() + 2)
    try:
        verdict = derivative_sign(prover, g, "nonneg", sample_first=False)
    except Timeout:
        return
    if verdict is None:
        return
    hi = 2 if bounded else 50
    xs = [sympy.Rational(k, points) * hi for k in range(1, points + 1)] + [sympy.Rational(1, 10**k) for k in range(1, 8)]
    for p in xs:
        v = sympy.N(g.xreplace({x: p}), 50)
        assert v >= -sympy.Rational(1, 10**30), (g, p, v)


@pytest.mark.slow
@pytest.mark.skipif(not THOROUGH, reason="fuzzing with a 50-digit evaluator runs in the thorough profile")
@given(univariate_goals())
@settings(max_examples=300)
def test_fuzz_proved_derivative_verdicts_hold_numerically(case):
    _fuzz_case(*case)


@given(univariate_goals())
@settings(max_examples=6)
def test_fuzz_proved_derivative_verdicts_hold_numerically_ci(case):
    _fuzz_case(*case, points=60)
