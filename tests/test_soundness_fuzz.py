"""Property-based soundness fuzzer (issue #11): random steps with roots, logs,
exponentials, Abs/Max/Min, real powers, secretly-zero constants, cancelling
symbols and removable singularities go through ``theorykit check``; an
independent mpmath oracle (tests/soundness_oracle.py) must never contradict a
verdict:

* a **proved** step may not fail, by more than the oracle's margin, at any
  sampled point that satisfies the assumptions where both sides are defined;
* a **refuted** step's counterexample must satisfy the assumptions, both sides
  must be defined there as written, and the step must fail there.

The ``ci`` profile runs a small bounded budget; ``thorough`` runs a long one.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theorykit.errors import TheorykitError
from theorykit.symbolic.derivation import check

from soundness_oracle import (
    ASSUMPTIONS,
    NAMES,
    RELATIONS,
    Inconclusive,
    Undefined,
    _assumed,
    env_of,
    expressions,
    holds,
    sample_points,
)

pytestmark = pytest.mark.xdist_group("fuzz")

# per step: small, so that the ci budget covers many steps
STEP_TIMEOUT = 1.0


def _templated(lhs, rhs):
    """Relations with a known shape (true and false ones), besides random pairs."""
    from soundness_oracle import Node

    return st.sampled_from([
        (lhs, "<=", Node("Max", (lhs, rhs))),
        (Node("Min", (lhs, rhs)), "<", lhs),                      # false at lhs = rhs
        (Node("Abs", (Node("+", (lhs, rhs)),)), "<=", Node("+", (Node("Abs", (lhs,)), Node("Abs", (rhs,))))),
        (Node("+", (lhs, Node("zero", value="(log(4) - 2*log(2))"))), ">", lhs),   # false: secret zero
        (Node("Max", (lhs, Node("+", (lhs, Node("zero", value="(atan(1/2) + atan(1/3) - pi/4)"))))), "=", lhs),
        (Node("pow", (Node("sqrt", (lhs,)),), Fraction(2)), "=", lhs),          # true where defined
        (Node("/", (Node("*", (lhs, rhs)), rhs)), "=", lhs),                   # removable singularity
        (Node("exp", (Node("log", (lhs,)),)), ">", Node("num", value=Fraction(0))),
        (Node("-", (lhs, lhs)), ">=", Node("num", value=Fraction(0))),
        (Node("-", (lhs, lhs)), ">", Node("num", value=Fraction(0))),          # false
    ])


@st.composite
def steps(draw):
    lhs = draw(expressions(max_leaves=5))
    rhs = draw(expressions(max_leaves=5))
    if draw(st.booleans()):
        relation = (lhs, draw(st.sampled_from(RELATIONS)), rhs)
    else:
        relation = draw(_templated(lhs, rhs))
    return draw(st.sampled_from(ASSUMPTIONS)), relation


def _values(node, env):
    try:
        return node.value_at(env)
    except (Undefined, Inconclusive):
        raise
    except (ZeroDivisionError, OverflowError, ValueError):
        raise Inconclusive from None


def _contradiction(assume, relation, step) -> str | None:
    lhs, op, rhs = relation
    if step.status == "proved":
        for point in sample_points(seed=hash((assume, lhs.text(), rhs.text())) & 0xFFFF):
            env = env_of(point)
            if not _assumed(assume, env):
                continue
            try:
                if holds(op, _values(lhs, env), _values(rhs, env)) is False:
                    return f"proved, but fails at {dict(zip(NAMES, map(str, point)))}"
            except (Undefined, Inconclusive):
                continue
        return None
    if step.status == "refuted":
        cex = step.counterexample or {}
        if any(str(v).startswith("~") for v in cex.values()):
            return None  # an abbreviated huge value: nothing to evaluate
        try:
            env = env_of(tuple(Fraction(cex.get(n, "0")) for n in NAMES))
        except ValueError:
            env = _closed_form_env(cex)  # x = pi/2: a closed-form counterexample
        if not _assumed(assume, env):
            return f"refuted at {cex}, which violates the assumptions"
        try:
            ok = holds(op, _values(lhs, env), _values(rhs, env))
        except Undefined:
            return f"refuted at {cex}, where a side is undefined as written"
        except Inconclusive:
            return None
        if ok:
            return f"refuted at {cex}, where the step holds"
    return None


def _closed_form_env(cex) -> dict:
    """mpmath values (80 digits) of closed-form coordinates such as 'sqrt(2)', 'pi/2'.
    At such a point the step typically fails by touching (d = 0 exactly), which the
    oracle sees as inconclusive; a point where the step clearly holds is still caught."""
    import mpmath

    from theorykit.symbolic.parse import parse_expression

    return {n: mpmath.mpf(str(sympy.N(parse_expression(cex.get(n, "0")), 80))) for n in NAMES}


@settings(deadline=None, max_examples=max(40, settings.default.max_examples),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=steps())
def test_oracle_never_contradicts_a_verdict(case):
    assume, relation = case
    lhs, op, rhs = relation
    text = (f"assume: {assume}\n" if assume else "") + f"claim: {lhs.text()} {op} {rhs.text()}\n"
    try:
        report = check(text, timeout=STEP_TIMEOUT)
    except TheorykitError:
        return  # e.g. a side that is undefined everywhere: a clear error is allowed
    problem = _contradiction(assume, relation, report.steps[0])
    assert problem is None, f"{problem}\n{text}\n{report}"


def test_oracle_knows_the_secret_zeros():
    """The oracle itself: each secret zero is ~0 in mpmath, so an exact zero is right."""
    import mpmath

    from soundness_oracle import SECRET_ZERO_VALUES

    for text, value in SECRET_ZERO_VALUES.items():
        assert abs(value()) < mpmath.mpf("1e-50"), text


def test_oracle_catches_a_wrong_proof():
    """A check that cannot fail is worthless: a fabricated wrong 'proved' is caught."""
    from theorykit.symbolic.report import StepResult

    from soundness_oracle import Node

    x = Node("sym", value="x")
    wrong = StepResult(0, 1, None, ">", None, "proved", "fabricated", None, 0.0)
    relation = (Node("pow", (x,), Fraction(2)), ">", Node("num", value=Fraction(0)))
    assert _contradiction("", relation, wrong) is not None
    bad_cex = StepResult(0, 1, None, ">", None, "refuted", "fabricated", {"x": "-1"}, 0.0)
    relation = (Node("sqrt", (x,)), ">=", Node("num", value=Fraction(0)))
    assert "undefined" in _contradiction("", relation, bad_cex)
