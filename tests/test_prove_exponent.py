"""Powers with symbolic exponents (theorykit/symbolic/prove_exponent.py).

True steps are proved through ``prove_step``; false variants go straight to the
sign prover (the counterexample search would usually refute them first and hide
an unsound argument) and must not be proved, each with a point where it fails,
checked by an independent 50-digit evaluation.
"""
import time

import pytest
import sympy

from theorykit.symbolic.assumptions import Assumptions
from theorykit.symbolic.parse import parse_assumptions, parse_relation
from theorykit.symbolic.prove_exponent import exponent_sign
from theorykit.symbolic.prove_sign import SignProver, Timeout
from theorykit.symbolic.prover import prove_step

TRUE_STEPS = [
    ("b**m <= b**n", "b > 1, m <= n"),
    ("b**m >= b**n", "0 < b, b < 1, m <= n"),
    ("(1 + x)**n >= 1 + n*x", "x >= -1, n >= 1"),
    ("(1 + x)**n <= 1 + n*x", "x >= -1, 0 <= n, n <= 1"),
    ("1 - beta**t > 0", "0 < beta, beta < 1, t >= 1"),
    ("1 - beta**t <= 1", "0 < beta, beta < 1, t >= 1"),
    ("1 - beta**t >= 1 - beta", "0 < beta, beta < 1, t >= 1"),
    ("(1 - 1/n)**n <= 1/E", "n >= 1"),
    ("(1 + 1/n)**n < E", "n >= 1"),
    ("2**t >= 1 + t", "t >= 1"),
]

# (step, assumptions, a point where it is false)
FALSE_STEPS = [
    ("b**m <= b**n", "0 < b, b < 1, m <= n", {"b": "1/2", "m": "0", "n": "1"}),
    ("b**m <= b**n", "b > 0, m <= n", {"b": "1/2", "m": "0", "n": "1"}),
    ("(1 + x)**n >= 1 + n*x", "x >= -1, 0 < n, n < 1", {"x": "3", "n": "1/2"}),
    ("(1 + x)**n >= 1 + n*x + x**2/2", "x >= -1, n >= 1", {"x": "1", "n": "1"}),
    ("1 - beta**t > 0", "0 < beta, beta < 1, t >= 0", {"beta": "1/2", "t": "0"}),
    ("1 - beta**t >= 1 - beta", "0 < beta, beta < 1, t >= 1/2", {"beta": "1/4", "t": "1/2"}),
    ("1 - beta**t >= 1 - beta**2", "0 < beta, beta < 1, t >= 1", {"beta": "1/2", "t": "1"}),
    ("beta**t <= beta", "0 < beta, beta < 1, t >= 0", {"beta": "1/2", "t": "0"}),
    ("(1 + 1/n)**(n + 1) < E", "n >= 1", {"n": "1"}),
    ("(1 - 1/n)**n <= 1/E - 1/100", "n >= 1", {"n": "1000"}),
]


@pytest.mark.parametrize("text,assume", TRUE_STEPS)
def test_symbolic_exponent_steps_are_proved(text, assume):
    lhs, op, rhs = parse_relation(text)
    v = prove_step(lhs, op, rhs, parse_assumptions(assume), timeout=20, isolate=False)
    assert v.status == "proved", v


def test_method_name_in_the_verdict():
    lhs, op, rhs = parse_relation("1 - beta**t >= 1 - beta")
    v = prove_step(lhs, op, rhs, parse_assumptions("0 < beta, beta < 1, t >= 1"), timeout=20)
    assert (v.status, v.method) == ("proved", "symbolic exponent")


@pytest.mark.parametrize("text,assume,witness", FALSE_STEPS)
def test_false_variants_are_never_proved(text, assume, witness):
    lhs, op, rhs = parse_relation(text)
    a = Assumptions.from_relations(parse_assumptions(assume))
    point = {k: sympy.Rational(v) for k, v in witness.items()}
    assert a.satisfied_exactly(point)
    d = a.rebind(lhs - rhs) if op in (">", ">=") else a.rebind(rhs - lhs)
    want = "pos" if op in ("<", ">") else "nonneg"
    value = sympy.N(d.xreplace({s: point[s.name] for s in d.free_symbols}), 50)
    assert value < -sympy.Rational(1, 10**30) or (want == "pos" and abs(value) < sympy.Rational(1, 10**30))
    prover = SignProver(a, time.monotonic() + 4)
    try:
        assert exponent_sign(prover, d, want) is None
        assert not prover.prove(d, want)
    except Timeout:
        pass  # out of time is an honest unknown
