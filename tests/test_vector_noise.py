"""Noise vectors and expectations in vector derivations (``noise: e``, ``E(...)``).

Semantics (docs/derivation-format.md, "Noise and expectations"): e is random with
E[e | the deterministic vectors] = 0; E(...) of a polynomial in dot products is reduced exactly
(E linear, E<e, a> = 0, E||e||^2 a nonnegative scalar); anything else is a located error.
Refutations carry an exact two-point law of e, re-checked by the independent checker of
tests/test_vector_derivations.py (which averages E(...) over the law itself).
"""
from __future__ import annotations

import copy

import pytest
import sympy

from theorykit.errors import DerivationSyntaxError
from theorykit.symbolic.derivation import check
from theorykit.symbolic.vector.noise import noise_law

from test_vector_derivations import verify_counterexample  # noqa: E402 - the independent checker

SGD = """function f: smooth(L), convex
vectors: x0, xs
noise: e
minimizer: xs of f
let: x1 = x0 - eta*(grad(f, x0) + e)
assume: L > 0, eta > 0, eta <= 1/L, E(norm(e)**2) <= s2
"""

HOSTILE = [
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(f(x + e)) >= f(x)\n", 4, "depends on the noise vector"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(dot(grad(f, x - e), x)) >= 0\n", 4,
     "depends on the noise vector"),
    ("function f: convex\nvectors: x\nnoise: e\nlet: y = x - e\nclaim: E(f(y)) >= f(x)\n", 5,
     "depends on the noise vector"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(dot(e, x)*dot(e, x)) >= 0\n", 4, "product of two terms"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(norm(e)**4) >= 0\n", 4, "product of two terms"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(norm(e)) >= 0\n", 4, "not reducible"),
    # refused from a degree bound, without expanding (this expansion would take minutes)
    ("function f: convex\nvectors: x, y, z\nnoise: e\nclaim: E(norm(x + y + z + e)**400) >= 0\n", 4,
     "product of two terms"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(exp(dot(e, x))) >= 1\n", 4, "not reducible"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(1/norm(x + e)**2) >= 0\n", 4, "not reducible"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: dot(e, x) <= 0\n", 4, "outside E(...)"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(E(norm(e)**2)) >= 0\n", 4, "nested E"),
    ("function f: convex\nvectors: x\nnoise: e\nclaim: E(e) >= 0\n", 4, "E of a vector"),
    ("function f: convex\nvectors: x\nnoise: e, d\nclaim: E(dot(e, d)) = 0\n", 4, "two noise vectors"),
    ("function f: convex\nvectors: x\nnoise: e\nassume: E(norm(x)**2) <= 1\nclaim: f(x) >= f(x)\n", 4,
     "not a noise vector"),
    ("function f: convex\nvectors: x\nnoise: e\nassume: E(dot(e, x)) <= 1\nclaim: f(x) >= f(x)\n", 4,
     "of two vectors"),
    ("function f: convex\nvectors: x\nnoise: e\nassume: E(norm(e)**2 + 1) <= 1\nclaim: f(x) >= f(x)\n", 4,
     "only E(norm(e)**2)"),
    ("function f: convex\nvectors: x\nnoise: e\nassume: e > 0\nclaim: f(x) >= f(x)\n", 4, "is a vector"),
    ("function f: convex\nvectors: x\nnoise: e, e\nclaim: f(x) >= f(x)\n", 3, "already declared"),
    ("function f: convex\nvectors: x\nnoise: x\nclaim: f(x) >= f(x)\n", 3, "already declared"),
    ("function f: convex\nvectors: x\nnoise: e__1\nclaim: f(x) >= f(x)\n", 3, "noise vector name"),
    ("function f: convex\nvectors: x\nclaim: E(norm(x)**2) >= 0\n", 3, "unknown function 'E'"),
]


@pytest.mark.parametrize("text,line,message", HOSTILE)
def test_hostile_noise_input_gets_a_located_error(text, line, message):
    with pytest.raises(DerivationSyntaxError) as info:
        check(text)
    assert info.value.line == line and info.value.column >= 1
    assert message in str(info.value)


@pytest.mark.parametrize("m", ["0", "1", "1/3", "7/2", "1000"])
def test_the_two_point_law_has_mean_zero_and_the_moment(m):
    m = sympy.Rational(m)
    atoms = noise_law(m)
    assert sum(p for p, _ in atoms) == 1 and all(p >= 0 for p, _ in atoms)
    assert sum(p * c for p, c in atoms) == 0
    assert sum(p * c**2 for p, c in atoms) == m


def _steps(report):
    return [s.status for s in report.steps]


@pytest.mark.parametrize("c,true", [("1", True), ("3/2", True), ("1/2", False), ("99/100", False), ("0", False)])
def test_the_noise_constant_is_decided_exactly(c, true):
    """E||x1 - xs||^2 <= ||x0 - xs||^2 - 2 eta (f(x0) - f*) + c eta^2 s2 holds iff c >= 1; a false
    variant is refuted with a law the independent checker accepts, never proved."""
    text = SGD + f"claim: E(norm(x1 - xs)**2) <= norm(x0 - xs)**2 - 2*eta*(f(x0) - f(xs)) + {c}*eta**2*s2\n"
    report = check(text)
    step = report.steps[0]
    if true:
        assert step.status == "proved"
        assert "E(dot(e, a)) = 0" in step.certificate["text"]
    else:
        assert step.status == "refuted"
        verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), step.counterexample)


RED_TEAM = [
    # a dropped term: the expansion without eta^2 E||e||^2
    "claim: E(norm(x1 - xs)**2) = norm(x0 - xs)**2 - 2*eta*dot(grad(f, x0), x0 - xs) + eta**2*norm(grad(f, x0))**2\n",
    # the wrong sign of the cross term
    "claim: E(norm(x1 - xs)**2) = norm(x0 - xs)**2 + 2*eta*dot(grad(f, x0), x0 - xs) + eta**2*norm(grad(f, x0))**2"
    " + eta**2*E(norm(e)**2)\n",
    # a correlated noise: e treated as independent of x1
    "claim: E(dot(x1, e)) = dot(x0, grad(f, x0))*0\n",
    # the noise bound used the wrong way round
    "claim: E(norm(e)**2) >= s2\n",
    # the co-coercivity constant 2x too large (a constant too small on the right)
    "claim: E(norm(x1 - xs)**2) <= norm(x0 - xs)**2 - 4*eta*(f(x0) - f(xs)) + eta**2*s2\n",
]


@pytest.mark.parametrize("claim", RED_TEAM)
def test_red_team_noise_steps_are_refuted_with_checked_laws(claim):
    text = SGD + claim
    report = check(text)
    step = report.steps[0]
    assert step.status == "refuted", (claim, step.method)
    verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), step.counterexample)


def test_the_independent_checker_rejects_a_tampered_law():
    """The re-check can fail: a law with a nonzero mean, or one whose moment breaks assume:."""
    text = SGD + "claim: E(norm(x1 - xs)**2) <= norm(x0 - xs)**2 - 2*eta*(f(x0) - f(xs)) + eta**2*s2/2\n"
    step = check(text).steps[0]
    assert step.status == "refuted"
    cex = step.counterexample
    verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), cex)
    biased = copy.deepcopy(cex)
    atom = biased["noise"]["e"][0]
    atom["value"] = [str(sympy.Rational(x) + 1) if i == len(atom["value"]) - 1 else x
                     for i, x in enumerate(atom["value"])]
    with pytest.raises(AssertionError):
        verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), biased)
    loud = copy.deepcopy(cex)
    for atom in loud["noise"]["e"]:
        atom["value"] = [str(3 * sympy.Rational(x)) for x in atom["value"]]
    loud["scalars"]["E(norm(e)**2)"] = str(9 * sympy.Rational(cex["scalars"]["E(norm(e)**2)"]))
    with pytest.raises(AssertionError):  # E||e||^2 now exceeds s2
        verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), loud)


def test_expectation_of_deterministic_terms_and_linear_terms():
    report = check(SGD + "claim: E(f(x0) + dot(e, grad(f, x0))*f(xs)) = f(x0)\n"
                         "claim: E(dot(x1 - x0, x1 - x0)) = eta**2*norm(grad(f, x0))**2 + eta**2*E(norm(e)**2)\n")
    assert _steps(report) == ["proved", "proved"]


def test_builder_takes_noise_and_matches_the_file_format():
    from theorykit import Derivation

    d = Derivation(functions={"f": "smooth(L), convex"}, vectors=["x0", "xs"], noise=["e"], minimizers={"xs": "f"},
                   let={"x1": "x0 - eta*(grad(f, x0) + e)"},
                   assume=["L > 0", "eta > 0", "eta <= 1/L", "E(norm(e)**2) <= s2"])
    d.claim("E(norm(x1 - xs)**2)", "<=", "norm(x0 - xs)**2 - 2*eta*(f(x0) - f(xs)) + eta**2*s2")
    d.claim("E(norm(x1 - xs)**2)", "<=", "norm(x0 - xs)**2 - 2*eta*(f(x0) - f(xs))")
    report = d.check()
    assert _steps(report) == ["proved", "refuted"]
    assert "noise: e" in d.to_text()
    # the assumptions are shown with the moment written as in the file
    assert any("E(norm(e)**2)" in str(a) for a in report.assumptions)
