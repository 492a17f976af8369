"""LaTeX/Markdown -> .deriv translation (issue 13): displays, rows, chains, names,
declarations, the scalar and vector constructs, unreadable steps. No prover runs here."""
from __future__ import annotations

import pytest

from theorykit.errors import DerivationSyntaxError
from theorykit.symbolic.latex import translate_expression, translate_latex, translate_markdown
from theorykit.symbolic.latex.names import NameKey, NameTable


def steps(doc: str, markdown: bool = False):
    translation = (translate_markdown if markdown else translate_latex)(doc)
    return translation.steps


def readable(doc: str):
    return [(s.lhs, s.relation, s.rhs) for s in steps(doc)]


# ---------------------------------------------------------------- displays


@pytest.mark.parametrize(
    "opening, closing",
    [
        ("\\begin{align}", "\\end{align}"),
        ("\\begin{align*}", "\\end{align*}"),
        ("\\begin{equation}", "\\end{equation}"),
        ("\\begin{equation*}", "\\end{equation*}"),
        ("\\begin{eqnarray}", "\\end{eqnarray}"),
        ("\\begin{eqnarray*}", "\\end{eqnarray*}"),
        ("\\begin{multline}", "\\end{multline}"),
        ("\\begin{multline*}", "\\end{multline*}"),
        ("\\begin{gather}", "\\end{gather}"),
        ("\\begin{gather*}", "\\end{gather*}"),
        ("\\[", "\\]"),
        ("$$", "$$"),
        ("\\[\\begin{aligned}", "\\end{aligned}\\]"),
        ("\\[\\begin{align}", "\\end{align}\\]"),
    ],
)
def test_every_display_kind_is_read(opening, closing):
    doc = f"Text $a \\le b$ inline.\n{opening}\n  a + b &\\le c \\label{{eq:1}}\n{closing}\n"
    assert readable(doc) == [("a + b", "<=", "c")]


def test_inline_math_comments_verb_and_escaped_dollars_are_not_displays():
    doc = r"""
Inline $x \le 1$ and \(y \le 2\) are not checked; a price of \$5 and \$\$ neither.
% \[ a \le b \]  (a comment)
\verb|\[ a \le b \]| and
\begin{verbatim}
\[ a \le b \]
\end{verbatim}
\[ c \le d \]
"""
    assert readable(doc) == [("c", "<=", "d")]


def test_text_after_end_document_is_ignored():
    assert readable("\\begin{document}\n\\[a\\le b\\]\n\\end{document}\n\\[c \\le d\\]") == [("a", "<=", "b")]


def test_unclosed_display_is_a_located_error():
    with pytest.raises(DerivationSyntaxError) as info:
        translate_latex("line one\n\\begin{align} a \\le b\n")
    assert (info.value.line, info.value.column) == (2, 1)


def test_markdown_displays_code_and_comments():
    doc = """# Notes
<!-- theorykit: assume: a > 0 -->
$$ a \\le 2a $$

```math
a^2 \\ge 0 \\\\
b^2 \\ge 0
```

```python
x = "$$ not math $$"
```
Inline `$$ code $$` and $a \\le 0$ are not checked.
<!-- theorykit: skip -->
$$ a \\le 0 $$
"""
    translation = translate_markdown(doc)
    assert [(s.lhs, s.relation, s.rhs, s.line) for s in translation.steps] == [
        ("a", "<=", "2*a", 3), ("a**2", ">=", "0", 6), ("b**2", ">=", "0", 7)]
    assert translation.groups[0].declarations[0][0] == "assume: a > 0"


# ---------------------------------------------------------------- rows and chains


def test_chain_rules():
    doc = r"""\begin{align}
a &= b \\
  &\le c \le d \\
p &< f \\
g \\
  &\ge h
\end{align}"""
    translation = translate_latex(doc)
    assert [(s.lhs, s.relation, s.rhs) for s in translation.steps] == [
        ("a", "=", "b"), ("b", "<=", "c"), ("c", "<=", "d"), ("p", "<", "f"), ("g", ">=", "h")]
    assert [chain.steps for chain in translation.groups[0].chains] == [[0, 1, 2], [3], [4]]
    source, _ = translation.deriv_source(0)
    assert source.splitlines()[:4] == ["start: a", "= b", "<= c", "<= d"]


def test_multline_rows_continue_an_expression():
    doc = "\\begin{multline}\na + b \\\\\n + c \\le d\n\\end{multline}\n\\begin{align}\nx \\le\\\\ y\n\\end{align}"
    assert readable(doc) == [("a + b + c", "<=", "d"), ("x", "<=", "y")]


def test_two_formulas_in_one_row_and_trailing_punctuation():
    doc = "\\[ a \\le b, \\qquad c \\ge d. \\]"
    assert readable(doc) == [("a", "<=", "b"), ("c", ">=", "d")]


def test_line_and_column_of_steps():
    doc = "intro\n\\begin{align}\n  x &\\le y \\\\\n    &= z\n\\end{align}\n"
    assert [(s.line, s.column) for s in steps(doc)] == [(3, 6), (4, 6)]


def test_justifications():
    doc = r"""\begin{align}
a &\stackrel{(i)}{\le} b \\
  &\overset{\text{AM-GM}}{=} c \quad \text{(by convexity)} \label{x}\\
  &\le d && (\text{Young})
\end{align}"""
    assert [s.justification for s in steps(doc)] == ["(i)", "\\text{AM-GM}", "(Young)"]


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    "latex, ident",
    [
        ("\\eta", "eta"), ("x_k", "x_k"), ("x_{k+1}", "x_kp1"), ("x_{k-1}", "x_km1"),
        ("\\alpha_k", "alpha_k"), ("x^*", "xstar"), ("x^\\star", "xstar"), ("x_\\star", "x_star"),
        ("x^+", "xplus"), ("\\bar x", "xbar"), ("\\hat{x}", "xhat"), ("\\tilde{x}", "xtilde"),
        ("\\mathbf{x}", "xbf"), ("\\boldsymbol{x}", "xbf"), ("\\bm{x}", "xbf"), ("\\lambda", "lambda_"),
        ("E", "E_"), ("\\bar{x}_k^\\star", "xbarstar_k"), ("x^{(k)}", "xsupk"), ("x'", "xprime"),
    ],
)
def test_name_scheme(latex, ident):
    assert translate_expression(latex) == ident


def test_powers_are_not_names():
    assert translate_expression("t^2") == "t**2"
    assert translate_expression("x^{k+1}") == "x**(k + 1)"
    assert translate_expression("x^T") == "x**T"  # a power for a scalar


def test_names_never_collide():
    table = NameTable()
    first = table.ident(NameKey("x", subscript=("k", "+", "1")), "x_{k+1}")
    second = table.ident(NameKey("x", subscript=("k", "+", "1"), decorations=()), "x_{k+1}")
    other = table.ident(NameKey("x", marks=("plus",)), "x^+")
    clash = table.ident(NameKey("xplus"), "\\mathrm{xplus}")
    assert first == second == "x_kp1" and other == "xplus" and clash not in (first, other)
    assert table.ident(NameKey("grad"), "\\mathrm{grad}") != "grad"  # reserved in .deriv
    doc = "\\[ x_{k+1} + x_{kp1} + \\mathrm{xplus} + x^+ \\le 0 \\]"
    lhs = steps(doc)[0].lhs
    assert len(set(lhs.replace(" ", "").split("+"))) == 4


# ---------------------------------------------------------------- scalar constructs


@pytest.mark.parametrize(
    "latex, deriv",
    [
        ("\\frac{1}{2} L t^2", "1/2*L*t**2"), ("\\dfrac{a}{b} + \\tfrac12", "a/b + 1/2"),
        ("2\\eta L", "2*eta*L"), ("a \\cdot b \\times c", "a*b*c"), ("a/b", "a/b"),
        ("\\sqrt{x}", "sqrt(x)"), ("\\sqrt[3]{x}", "x**(1/3)"), ("e^{-t}", "exp(-t)"),
        ("\\exp(t) + \\log t + \\ln(1+t)", "exp(t) + log(t) + log(1 + t)"),
        ("\\max\\{a, b\\} - \\min(a, b)", "Max(a, b) - Min(a, b)"), ("|a - b|", "Abs(a - b)"),
        ("\\left( a + b \\right)^2", "(a + b)**2"), ("\\bigl[ a \\bigr] \\Big\\{ b \\Big\\}", "a*b"),
        ("t(y - x)", "t*(y - x)"), ("\\frac12 \\, x \\; y \\! z \\quad", "1/2*x*y*z"),
        ("0.25 x", "0.25*x"), ("-a^2", "-a**2"), ("\\displaystyle \\frac{a}{2}", "a/2"),
        ("\\pi + \\mathrm{e}", "pi + E"), ("\\lvert a \\rvert \\, |b|", "Abs(a)*Abs(b)"),
    ],
)
def test_scalar_constructs(latex, deriv):
    assert translate_expression(latex) == deriv


# ---------------------------------------------------------------- vector constructs

VECTORS = dict(vectors=["x", "y", "u", "v", "x^\\star"], functions=["f"])


@pytest.mark.parametrize(
    "latex, deriv",
    [
        ("\\|v\\|", "norm(v)"), ("\\lVert v \\rVert", "norm(v)"), ("||v||", "norm(v)"),
        ("\\|v\\|_2", "norm(v)"), ("|v|", "norm(v)"), ("\\|x - y\\|^2", "norm(x - y)**2"),
        ("\\langle u, v \\rangle", "dot(u, v)"), ("u^\\top v", "dot(u, v)"), ("u^T v", "dot(u, v)"),
        ("u \\cdot v", "dot(u, v)"), ("f(x)", "f(x)"), ("\\nabla f(x)", "grad(f, x)"),
        ("f'(x)", "grad(f, x)"), ("f(x - \\eta \\nabla f(x))", "f(x - eta*grad(f, x))"),
        ("\\nabla f(x)^T t \\nabla f(x)", "dot(t*grad(f, x), grad(f, x))"),
        ("\\|\\nabla f(x)\\|^2 t", "norm(grad(f, x))**2*t"), ("t(y - x)", "t*(y - x)"),
        ("\\frac{x - y}{2}", "(x - y)/2"), ("f(x^\\star)", "f(xstar)"),
        ("\\langle \\nabla f(x) - \\nabla f(y), x - y\\rangle", "dot(grad(f, x) - grad(f, y), x - y)"),
    ],
)
def test_vector_constructs(latex, deriv):
    assert translate_expression(latex, **VECTORS) == deriv


def test_vector_declarations_emit_the_vector_syntax():
    doc = r"""
% theorykit: function f: smooth(L - m), convex
% theorykit: vectors: x_k, x^\star
% theorykit: minimizer: x^\star of f
% theorykit: let: x_{k+1} = x_k - \frac{1}{L}\nabla f(x_k)
% theorykit: assume: L > 0, 0 < \eta \le 1/L
\[ f(x_{k+1}) \le f(x_k) - \frac{1}{2L}\|\nabla f(x_k)\|^2 \]
"""
    translation = translate_latex(doc)
    assert [d[0] for d in translation.groups[0].declarations] == [
        "function f: smooth(L - m), convex",
        "vectors: x_k, xstar",
        "minimizer: xstar of f",
        "let: x_kp1 = x_k - 1/L*grad(f, x_k)",
        "assume: L > 0, 0 < eta <= 1/L",
    ]
    step = translation.steps[0]
    assert (step.lhs, step.rhs) == ("f(x_kp1)", "f(x_k) - 1/(2*L)*norm(grad(f, x_k))**2")


@pytest.mark.parametrize(
    "latex, message",
    [
        ("x + 1", "adding a vector and a scalar"), ("x y", "product of two vectors"),
        ("x^2", "power of a vector"), ("\\langle 1, x\\rangle", "needs two vectors"),
        ("f(2)", "applied to a scalar"), ("f + 1", "without an argument"),
        ("\\nabla g(x)", "undeclared function g"), ("g(x)", "undeclared function g"),
        ("f''(x)", "first derivative"),
    ],
)
def test_vector_type_errors_are_located(latex, message):
    with pytest.raises(DerivationSyntaxError) as info:
        translate_expression(latex, **VECTORS)
    assert message in info.value.message
    assert info.value.line == 1


# ---------------------------------------------------------------- declarations


def test_declarations_hold_from_their_line_and_reset():
    doc = r"""
\[ a \le b \]
% theorykit: assume: a > 0
\[ a \le 2a \]
% theorykit: reset
\[ c \le d \]
% theorykit: skip
\[ e \le f \]
"""
    translation = translate_latex(doc)
    assert [s.lhs for s in translation.steps] == ["a", "a", "c"]
    sources = [translation.deriv_source(i)[0] for i in range(len(translation.groups))]
    assert sources[0] == "start: a\n<= b\n"
    assert sources[1].startswith("assume: a > 0\nstart: a\n")
    assert "assume" not in sources[2]
    assert translation.skipped == [3]


@pytest.mark.parametrize(
    "decl, where",
    [("% theorykit: asume: a > 0", (1, 15)), ("% theorykit: assume: a >", (1, 25)),
     ("% theorykit: vectors: x + y", (1, 23)), ("% theorykit: minimizer: x of g", (1, 25))],
)
def test_bad_declarations_are_located_errors(decl, where):
    with pytest.raises(DerivationSyntaxError) as info:
        translate_latex(decl + "\n\\[ a \\le b \\]")
    assert (info.value.line, info.value.column)[0] == where[0]


# ---------------------------------------------------------------- unreadable steps


@pytest.mark.parametrize(
    "row, construct, column",
    [
        ("\\sum_{i=1}^n a_i \\le b", "\\sum", 4), ("a \\le \\int_0^1 t\\,dt", "\\int", 10),
        ("\\nabla^2 f(x) \\le L", "\\nabla^2", 4), ("a \\le \\phi(a)", "undeclared function \\phi", 10),
        ("a \\approx b", "\\approx", 6), ("\\|v\\|_1 \\le 1", "Euclidean", 9),
        ("a \\le \\mathbb{E}[b]", "\\mathbb", 10),
    ],
)
def test_unreadable_steps_name_the_construct_and_place(row, construct, column):
    (step,) = steps(f"x\n\\[ {row} \\]")
    assert step.unreadable is not None and construct in step.unreadable
    assert step.unreadable.startswith(f"2:{column}:")


def test_unreadable_step_breaks_the_chain_but_the_rest_is_checked():
    doc = "\\begin{align} a &\\le b \\\\ &\\le \\sum_i c_i \\\\ &\\le d \\\\ &\\le e \\end{align}"
    translation = translate_latex(doc)
    assert [s.unreadable is None for s in translation.steps] == [True, False, False, True]
    assert [chain.steps for chain in translation.groups[0].chains] == [[0], [3]]


@pytest.mark.parametrize(
    "latex, deriv",
    [
        ("\\cos(x)^2 + \\sin(x)^2", "cos(x)**2 + sin(x)**2"),  # (cos x)^2, not cos(x^2)
        ("\\sin^2 x + \\cos^{2}(x)", "sin(x)**2 + cos(x)**2"),
        ("\\log x^2", "log(x**2)"), ("\\log(x)^2", "log(x)**2"),
        ("\\textcolor{red}{a} + \\boxed{b}", "a + b"),
    ],
)
def test_reader_conventions_for_functions(latex, deriv):
    assert translate_expression(latex) == deriv


def test_intervals_in_assumptions_and_iterates_with_superscripts():
    doc = r"""% theorykit: assume: \gamma \in (0,1), \eta \in (0, 1/L], L > 0
% theorykit: function f: smooth(L), convex
% theorykit: vectors: x^k, x^*
% theorykit: let: x^{k+1} = x^k - \eta \nabla f(x^k)
\[ f(x^{k+1}) - f(x^*) \le \frac{L}{2}\|x^k - x^*\|^2_2 \quad \forall k \]"""
    translation = translate_latex(doc)
    assert [d[0] for d in translation.groups[0].declarations] == [
        "assume: 0 < gamma < 1, 0 < eta <= 1/L, L > 0", "function f: smooth(L), convex",
        "vectors: xupk, xstar", "let: xupkp1 = xupk - eta*grad(f, xupk)"]
    (step,) = translation.steps
    assert (step.lhs, step.rhs, step.justification) == (
        "f(xupkp1) - f(xstar)", "L/2*norm(xupk - xstar)**2", "\\forall k")


@pytest.mark.parametrize("row", ["a \\le \\mathcal{O}(1/k)", "a \\le O(1/k)", "a = \\operatorname{dist}(x, y)"])
def test_asymptotic_and_operator_notation_is_unreadable(row):
    (step,) = steps(f"\\[ {row} \\]")
    assert "operator or asymptotic notation" in step.unreadable


@pytest.mark.parametrize(
    "row, message",
    [
        ("\\frac{d}{dt} t^2 = 2t", "derivatives"), ("\\eta = 1e-3", "10^{-3}"),
        ("g(1 - \\eta) \\le 1", "undeclared function g"), ("\\phi(2x) \\ge 0", "undeclared function \\phi"),
    ],
)
def test_readings_that_would_guess_are_unreadable(row, message):
    (step,) = steps(f"\\[ {row} \\]")
    assert message in step.unreadable


def test_pasted_unicode_relations_and_letters():
    assert readable("$$ η ≤ 2·η − 0 $$") == [("eta", "<=", "2*eta - 0")]


def test_align_columns_hold_separate_formulas_but_eqnarray_does_not():
    doc = r"""\begin{align} x &= 1 & y &= 2 \\ a &\le b && \text{(by)} \\ &\le c \end{align}
\begin{eqnarray} p &=& q \\ &\le& r \end{eqnarray}
\[\begin{aligned} s &= t & u &= w \end{aligned}\]"""
    assert [(s.lhs, s.relation, s.rhs, s.justification) for s in steps(doc)] == [
        ("x", "=", "1", None), ("y", "=", "2", None), ("a", "<=", "b", "(by)"), ("b", "<=", "c", None),
        ("p", "=", "q", None), ("q", "<=", "r", None), ("s", "=", "t", None), ("u", "=", "w", None)]


@pytest.mark.parametrize(
    "row, message",
    [("\\eta \\le 1/2L", "ambiguous"), ("a \\le x^-1", "x^{-1}"), ("a \\le 2 3", "side by side")],
)
def test_ambiguous_writing_is_unreadable_not_guessed(row, message):
    (step,) = steps(f"\\[ {row} \\]")
    assert message in step.unreadable


def test_unambiguous_neighbours_of_the_ambiguous_forms():
    assert translate_expression("1/2 \\cdot L") == "1/2*L"
    assert translate_expression("\\frac12 L + x^2 3 + x^{-1}") == "1/2*L + x**2*3 + x**(-1)"


def test_simple_user_macros_are_expanded_at_their_call():
    doc = r"""\newcommand{\norm}[1]{\left\|#1\right\|}
\newcommand\inner[2]{\langle #1, #2\rangle}
\def\half{\frac{1}{2}}
\newcommand{\sq}[1]{\norm{#1}^2}
\DeclareMathOperator{\dist}{dist}
% theorykit: function f: smooth(L), convex
% theorykit: vectors: x, y
\begin{align}
f(y) &\le f(x) + \inner{\nabla f(x)}{y - x} + \half L \norm{y - x}^2 \\
     &\le f(x) + \sq{x} \\
     &\le \dist(x, y)
\end{align}"""
    result = steps(doc)
    assert [(s.lhs, s.rhs) for s in result[:2]] == [
        ("f(y)", "f(x) + dot(grad(f, x), y - x) + 1/2*L*norm(y - x)**2"),
        ("f(x) + dot(grad(f, x), y - x) + 1/2*L*norm(y - x)**2", "f(x) + norm(x)**2")]
    assert result[0].rhs_latex == "f(x) + \\inner{\\nabla f(x)}{y - x} + \\half L \\norm{y - x}^2"
    assert "operator" in result[2].unreadable and result[2].unreadable.startswith("11:")


@pytest.mark.parametrize(
    "definition, message",
    [("\\def\\le{\\ge}", "redefines \\le"), ("\\renewcommand{\\frac}[2]{#2/#1}", "redefines \\frac"),
     ("\\let\\leq\\geq", "redefines \\leq"), ("\\catcode`\\$=12", "catcode")],
)
def test_redefining_what_the_reader_relies_on_is_an_error(definition, message):
    with pytest.raises(DerivationSyntaxError, match=message.replace("\\", "\\\\")):
        translate_latex(definition + "\n\\[ a \\le b \\]")


def test_iffalse_blocks_are_commented_out():
    doc = "\\iffalse\n\\[ a \\le b \\]\n\\fi\n\\[ c \\le d \\]"
    assert readable(doc) == [("c", "<=", "d")]


def test_quadratic_forms_with_a_matrix_are_unreadable():
    with pytest.raises(DerivationSyntaxError, match="matrix"):
        translate_expression("(x - y)^\\top A (x - y)", **VECTORS)
    assert translate_expression("(x - y)^\\top t (x - y)", **VECTORS) == "dot(t*(x - y), x - y)"


def test_vector_equations_are_checked_through_the_norm_of_the_difference():
    doc = r"""% theorykit: function f: smooth(L), convex
% theorykit: vectors: x, y
% theorykit: let: x^+ = x - \eta\nabla f(x)
\begin{align}
x^+ - x &= -\eta \nabla f(x) \\
y &= x - \eta \nabla f(x) \\
x &\le y
\end{align}"""
    first, definition, ordered = steps(doc)
    assert (first.lhs, first.relation, first.rhs) == ("norm(xplus - x - (-(eta*grad(f, x))))**2", "=", "0")
    assert "reads as a definition" in definition.unreadable and "let: y = ..." in definition.unreadable
    assert "only scalars are ordered" in ordered.unreadable


def test_a_lone_dollar_in_markdown_is_a_dollar_and_in_latex_an_error():
    doc = "It costs $5.\n\nAnd then\n$$ a \\le 2 + a $$\n"
    assert [(s.lhs, s.rhs) for s in steps(doc, markdown=True)] == [("a", "2 + a")]
    with pytest.raises(DerivationSyntaxError, match="never closed"):
        translate_latex(doc)


def test_two_relations_in_a_row_leave_an_empty_side_unreadable():
    first, second = steps("\\[ a \\le < b \\]")
    assert "nothing after the relation" in first.unreadable
    assert "nothing before the relation" in second.unreadable
