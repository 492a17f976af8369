"""smooth(L), strongly_convex(mu) under ``assume: mu <= L`` (not strict).

At mu = L the class degenerates (f = L/2||x - c||^2 + const) and its interpolation inequalities
lose the function values, so such a file is decided where L - mu > 0: a counterexample there is
one of the file's own assumptions (refuted), a proof there covers only part of them (unknown,
with the qualifier) unless the boundary is proved too (vector/degenerate.py). With ``mu < L``
the same step is proved.
"""
from fractions import Fraction

from theorykit.symbolic.vector.check import check_vector_text

HEAD = "function f: smooth(L), strongly_convex(mu)\nvectors: x, y\n"
TRUE_STEP = "claim: f(y) >= f(x) + dot(grad(f, x), y - x) + mu/2*norm(y - x)**2\n"
FALSE_STEP = "claim: dot(grad(f, x) - grad(f, y), x - y) >= L*norm(x - y)**2\n"


def test_non_strict_gap_refutes_inside_the_assumptions():
    report = check_vector_text(HEAD + "assume: mu > 0, mu <= L\n" + FALSE_STEP, "gap.deriv", timeout=10)
    step = report.steps[0]
    assert step.status == "refuted", step.method
    scalars = {k: Fraction(v) for k, v in step.counterexample["scalars"].items()}
    assert scalars["mu"] > 0 and scalars["mu"] <= scalars["L"]


def test_non_strict_gap_proof_is_only_partial():
    # the interpolation inequality with its 1/(1 - mu/L) weight is undefined at mu = L as written,
    # so the boundary is not decided (tests/test_vector_degenerate.py decides the other steps there)
    weighted = ("claim: f(x) >= f(y) + dot(grad(f, y), x - y) + 1/(2*L)*norm(grad(f, x) - grad(f, y))**2"
                " + mu/(2*(1 - mu/L))*norm(x - y - (grad(f, x) - grad(f, y))/L)**2\n")
    report = check_vector_text(HEAD + "assume: mu > 0, mu <= L\n" + weighted, "gap.deriv", timeout=10)
    step = report.steps[0]
    assert step.status == "unknown"
    assert "proved only where L - mu > 0" in step.method


def test_non_strict_gap_proof_includes_the_boundary():
    report = check_vector_text(HEAD + "assume: mu > 0, mu <= L\n" + TRUE_STEP, "gap.deriv", timeout=10)
    step = report.steps[0]
    assert step.status == "proved", step.method
    assert "at mu = L" in step.certificate["boundary"]


def test_strict_gap_proves():
    report = check_vector_text(HEAD + "assume: mu > 0, mu < L\n" + TRUE_STEP, "gap.deriv", timeout=10)
    assert report.steps[0].status == "proved", report.steps[0].method
