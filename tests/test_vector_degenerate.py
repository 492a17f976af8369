"""smooth(L), strongly_convex(mu) under ``assume: mu <= L``: the boundary mu = L decided exactly.

At mu = L the class is f = L/2||x - c||^2 + k (theorykit/symbolic/vector/degenerate.py). A step
proved where L - mu > 0 is proved for the whole assumption set when it also holds for every such
quadratic (a sum of squares in the Gram matrix of the free vectors and c); a step that fails at
mu = L is never proved (it stays unknown, with the qualifier).
"""
import pytest

from theorykit.symbolic.vector.check import check_vector_text

HEAD = "function f: smooth(L), strongly_convex(mu)\nvectors: x, y, xs\nminimizer: xs of f\n" \
       "let: x1 = x - 2/(L + mu)*grad(f, x)\nassume: mu > 0, mu <= L\n"

TEXTBOOK = [
    "f(y) >= f(x) + dot(grad(f, x), y - x) + mu/2*norm(y - x)**2",
    "dot(grad(f, x) - grad(f, y), x - y) >= mu*L/(mu + L)*norm(x - y)**2 + 1/(mu + L)*norm(grad(f, x) - grad(f, y))**2",
    "f(x) - f(xs) <= 1/(2*mu)*norm(grad(f, x))**2",
    "f(x) - f(xs) >= 1/(2*L)*norm(grad(f, x))**2",
    "norm(x1 - xs)**2 <= ((L - mu)/(L + mu))**2*norm(x - xs)**2",
    "f(y) <= f(x) + dot(grad(f, x), y - x) + L/2*norm(y - x)**2",
]


@pytest.mark.parametrize("step", TEXTBOOK)
def test_textbook_steps_are_proved_including_mu_equal_L(step):
    report = check_vector_text(HEAD + f"claim: {step}\n", "b.deriv", timeout=10)
    result = report.steps[0]
    assert result.status == "proved", result.method
    assert "at mu = L" in result.certificate["boundary"]


FALSE_AT_EQUALITY = [
    # strict, true for every mu < L, an equality for the quadratic at mu = L
    "f(y) - f(x) - dot(grad(f, x), y - x) > mu/2*norm(y - x)**2 - (L - mu)",
    "f(x) - f(xs) + (L - mu) > 1/(2*L)*norm(grad(f, x))**2",
]


@pytest.mark.parametrize("step", FALSE_AT_EQUALITY)
def test_a_step_false_at_mu_equal_L_is_never_proved(step):
    report = check_vector_text(HEAD + f"claim: {step}\n", "b.deriv", timeout=10)
    result = report.steps[0]
    assert result.status != "proved", result.method


def test_an_equality_must_be_an_identity_at_mu_equal_L():
    # true where L - mu > 0 only if it were proved both ways; at mu = L, x1 = xs for every quadratic
    report = check_vector_text(HEAD + "claim: norm(x1 - xs)**2 = 0\n", "b.deriv", timeout=10)
    assert report.steps[0].status != "proved"
