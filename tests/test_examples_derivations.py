"""The example derivations: their verdicts, and that their mathematics is right.

Verdicts come from the real prover and must match examples/derivations/
EXPECTED.json. Independently of the prover, every step listed as true is
evaluated at sampled points that satisfy the assumptions (50-digit arithmetic),
and every refuted step's counterexample is re-checked exactly here.
"""
import importlib.util
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from theorykit.symbolic.derivation import parse_derivation

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "derivations"
EXPECTED = json.loads((EXAMPLES / "EXPECTED.json").read_text())
FILES = sorted(name for name in EXPECTED if not name.startswith("_"))
HAVE_PROVER = importlib.util.find_spec("theorykit.symbolic.prover") is not None

_HOLDS = {
    "=": lambda d, tol: abs(d) <= tol,
    "<=": lambda d, tol: d <= tol,
    "<": lambda d, tol: d < tol,
    ">=": lambda d, tol: d >= -tol,
    ">": lambda d, tol: d > -tol,
}


def test_every_example_is_listed_and_there_are_enough():
    on_disk = sorted(path.name for path in EXAMPLES.glob("*.deriv"))
    assert on_disk == FILES
    assert len(FILES) >= 14
    statuses = {EXPECTED[name]["status"] for name in FILES}
    assert statuses == {"proved", "refuted", "unknown"}


@pytest.mark.parametrize("name", FILES)
def test_expected_entries_are_consistent(name):
    entry = EXPECTED[name]
    parsed = parse_derivation((EXAMPLES / name).read_text(), name)
    assert len(entry["steps"]) == len(parsed.steps)
    assert len(entry["chains"]) == len(parsed.chains)
    for index, status in enumerate(entry["steps"]):
        # a false step can never be proved, a true one never refuted
        assert (status == "refuted") == (index in entry["false_steps"]), index
    if "refuted" in entry["steps"] or "refuted" in entry["chains"]:
        assert entry["status"] == "refuted"
    elif "unknown" in entry["steps"]:
        assert entry["status"] == "unknown"
    else:
        assert entry["status"] == "proved"


def _sample_point(parsed, rng):
    """A random rational point satisfying the assumptions, or None."""
    definitions = {}
    conditions = []
    for relation, _, _ in parsed.assumptions:
        if isinstance(relation, sympy.Eq) and isinstance(relation.lhs, sympy.Symbol):
            definitions[relation.lhs] = relation.rhs
        else:
            conditions.append(relation)
    names = set()
    for step in parsed.steps:
        names |= step.lhs.free_symbols | step.rhs.free_symbols
    for relation in conditions + list(definitions.values()):
        names |= relation.free_symbols
    free = sorted(names - set(definitions), key=lambda s: s.name)
    point = {s: sympy.Rational(rng.randint(-12, 12), rng.randint(1, 4)) for s in free}
    for symbol, value in definitions.items():
        point[symbol] = value.xreplace(point)
    for relation in conditions:
        truth = relation.func(relation.lhs.xreplace(point), relation.rhs.xreplace(point))
        if truth is not sympy.true:
            return None
    return point


@pytest.mark.parametrize("name", FILES)
def test_true_steps_hold_at_sampled_points(name):
    entry = EXPECTED[name]
    parsed = parse_derivation((EXAMPLES / name).read_text(), name)
    rng = random.Random(name)
    points = []
    for _ in range(3000):
        point = _sample_point(parsed, rng)
        if point is not None:
            points.append(point)
        if len(points) == 12:
            break
    assert len(points) >= 5, "the assumptions are too narrow for the sampler"
    for index, step in enumerate(parsed.steps):
        if index in entry["false_steps"]:
            continue
        for point in points:
            difference = (step.lhs - step.rhs).xreplace(point)
            if difference.has(sympy.zoo, sympy.nan) or difference.is_real is False:
                continue  # undefined at this point, e.g. a zero denominator
            value = difference.evalf(50)
            assert value.is_number
            assert _HOLDS[step.op](value, sympy.Float(10) ** -40), (index, point, value)


def _exactly_violated(step, counterexample, assumptions) -> bool:
    point = {
        sympy.Symbol(name, real=True): sympy.Rational(Fraction(value)) for name, value in counterexample.items()
    }
    for relation in assumptions:
        if relation.func(relation.lhs.xreplace(point), relation.rhs.xreplace(point)) is not sympy.true:
            return False
    difference = (step.lhs - step.rhs).xreplace(point)
    assert difference.is_Rational, "the example's false steps are rational functions"
    return not {
        "=": difference == 0,
        "<=": difference <= 0,
        "<": difference < 0,
        ">=": difference >= 0,
        ">": difference > 0,
    }[step.op]


@pytest.mark.skipif(not HAVE_PROVER, reason="prover module not written yet")
@pytest.mark.parametrize("name", FILES)
def test_verdicts_match_expected(name):
    from theorykit.symbolic.derivation import check

    entry = EXPECTED[name]
    report = check(EXAMPLES / name, timeout=10.0)
    hint = "if the prover got stronger, update examples/derivations/EXPECTED.json"
    assert [step.status for step in report.steps] == entry["steps"], hint
    assert [chain.status for chain in report.chains] == entry["chains"], hint
    assert report.status == entry["status"]
    parsed = parse_derivation((EXAMPLES / name).read_text(), name)
    assumptions = [relation for relation, _, _ in parsed.assumptions]
    for index in entry["false_steps"]:
        counterexample = report.steps[index].counterexample
        assert counterexample, index
        assert _exactly_violated(parsed.steps[index], counterexample, assumptions), index
