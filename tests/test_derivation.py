"""The .deriv format, chains, the builder and the report, with a scripted prover.

The scripted prover answers from a table keyed by the step's text, so these
tests pin the bookkeeping (numbering, composition, statuses) independently of
what the real prover can prove; tests/test_examples_derivations.py covers the
real one.
"""
import shutil
import subprocess
from collections import namedtuple
from pathlib import Path

import pytest
import sympy

from theorykit.errors import DerivationSyntaxError, InputError
from theorykit.symbolic.derivation import (
    Derivation,
    DerivationReport,
    check,
    compose_relations,
    parse_derivation,
)

Verdict = namedtuple("Verdict", "status method counterexample seconds")


class ScriptedProver:
    """Answers ``proved`` unless the step text is listed in ``answers``."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []

    def __call__(self, lhs, op, rhs, assumptions, *, timeout, seed):
        key = f"{lhs} {op} {rhs}"
        self.calls.append(key)
        for symbol in lhs.free_symbols | rhs.free_symbols:
            assert symbol.is_real and symbol.is_positive is None  # plain real symbols
        status, counterexample = self.answers.get(key, ("proved", None))
        return Verdict(status, "scripted", counterexample, 0.001)


DESCENT = """\
# descent lemma for one gradient step
assume: L > 0, eta > 0   # smoothness
claim: eta*(1 - L*eta/2) <= 1/(2*L)   # by: AM-GM

start: f - eta*g**2 + L/2*eta**2*g**2
= f - eta*(1 - L*eta/2)*g**2          # by: factor out eta*g**2
<= f                                  # by: eta < 2/L
assume: eta < 2/L
"""


def test_steps_numbered_in_file_order_with_lines_and_justifications():
    prover = ScriptedProver()
    report = check(DESCENT, prover=prover)
    assert [step.index for step in report.steps] == [0, 1, 2]
    assert [step.line for step in report.steps] == [3, 6, 7]
    assert [step.relation for step in report.steps] == ["<=", "=", "<="]
    assert [step.justification for step in report.steps] == [
        "AM-GM",
        "factor out eta*g**2",
        "eta < 2/L",
    ]
    assert report.status == "proved"
    assert report.file is None
    assert len(prover.calls) == 3


def test_chain_steps_link_previous_expression():
    report = check(DESCENT, prover=ScriptedProver())
    f, g, L, eta = (sympy.Symbol(n, real=True) for n in ("f", "g", "L", "eta"))
    assert report.steps[1].lhs == f - eta * g**2 + L / 2 * eta**2 * g**2
    assert report.steps[2].lhs == report.steps[1].rhs
    assert report.steps[2].rhs == f
    (chain,) = report.chains
    assert (chain.start_line, chain.relation, chain.status) == (5, "<=", "proved")


def test_assumptions_after_steps_apply_to_the_whole_file():
    parsed = parse_derivation(DESCENT)
    assert [str(relation) for relation, _, _ in parsed.assumptions] == ["L > 0", "eta > 0", "eta < 2/L"]
    assert [line for _, line, _ in parsed.assumptions] == [2, 2, 8]


WRONG_CONSTANT = DESCENT.replace("1/(2*L)", "1/(4*L)")


def test_to_dict_schema():
    # eta*(1 - L*eta/2) <= 1/(4*L) is false at L = eta = 1 (1/2 > 1/4)
    answers = {"eta*(-L*eta/2 + 1) <= 1/(4*L)": ("refuted", {"L": "1", "eta": "1"})}
    data = check(WRONG_CONSTANT, prover=ScriptedProver(answers)).to_dict()
    assert set(data) == {"file", "status", "steps", "chains"}
    assert data["status"] == "refuted"
    step = data["steps"][0]
    assert set(step) == {
        "index", "line", "lhs", "relation", "rhs", "status", "method",
        "counterexample", "seconds", "justification",
    }  # fmt: skip
    assert step["counterexample"] == {"L": "1", "eta": "1"}
    assert step["lhs"] == "eta*(-L*eta/2 + 1)"
    assert data["steps"][1]["counterexample"] is None
    assert isinstance(step["seconds"], float)
    assert data["chains"] == [{"start_line": 5, "relation": "<=", "status": "proved"}]


def test_counterexample_that_does_not_violate_the_step_is_not_trusted():
    # at L = 1, eta = 1: eta*(1 - L*eta/2) = 1/2 <= 1/2 holds, so this is no counterexample
    answers = {"eta*(-L*eta/2 + 1) <= 1/(2*L)": ("refuted", {"L": "1", "eta": "1"})}
    report = check(DESCENT, prover=ScriptedProver(answers))
    assert report.steps[0].status == "unknown"
    assert report.steps[0].counterexample is None
    assert "not confirmed" in report.steps[0].method
    assert report.status == "unknown"


def test_status_unknown_when_no_refutation():
    answers = {"-eta*g**2*(-L*eta/2 + 1) + f <= f": ("unknown", None)}
    report = check(DESCENT, prover=ScriptedProver(answers))
    assert report.status == "unknown"


@pytest.mark.parametrize(
    "ops, expected",
    [
        (["="], "="),
        (["=", "="], "="),
        (["=", "<="], "<="),
        (["<=", "=", "<="], "<="),
        (["<=", "<"], "<"),
        (["=", "<", "="], "<"),
        ([">=", "="], ">="),
        ([">", ">="], ">"),
        (["<=", ">="], None),
        (["<", "=", ">"], None),
        (["==", "<="], "<="),
    ],
)
def test_compose_relations(ops, expected):
    assert compose_relations(ops) == expected


def test_mixed_directions_give_no_conclusion():
    text = "start: a\n<= b\n>= c\n"
    prover = ScriptedProver()
    report = check(text, prover=prover)
    assert report.status == "proved"  # every step is fine on its own
    (chain,) = report.chains
    assert chain.relation is None and chain.status == "unknown"
    assert len(prover.calls) == 2  # nothing composed to check


def test_chain_with_failed_step_checks_the_composed_relation():
    text = "start: a\n= b\n< c\n"
    answers = {"a = b": ("unknown", None)}
    prover = ScriptedProver(answers)
    report = check(text, prover=prover)
    assert prover.calls[-1] == "a < c"
    assert report.chains[0].relation == "<"
    # the composed relation was proved directly, but a failed step keeps it unknown
    assert report.chains[0].status == "unknown"
    assert report.status == "unknown"


def test_chain_refuted_only_when_the_composed_relation_is_refuted():
    text = "start: a\n<= b\n<= c\n"
    answers = {"a <= b": ("unknown", None), "a <= c": ("refuted", {"a": "1", "c": "0"})}
    report = check(text, prover=ScriptedProver(answers))
    assert report.chains[0].status == "refuted"
    # a false conclusion means some step is false, so the file is refuted
    assert report.status == "refuted"
    assert [step.status for step in report.steps] == ["unknown", "proved"]


def test_refuted_step_alone_leaves_chain_unknown():
    text = "start: a\n<= b\n<= c\n"
    answers = {"a <= b": ("refuted", {"a": "1", "b": "0"}), "a <= c": ("unknown", None)}
    report = check(text, prover=ScriptedProver(answers))
    assert report.chains[0].status == "unknown"
    assert report.status == "refuted"


def test_several_chains_and_claims():
    text = "start: a\n= b\nclaim: x <= y\nstart: c\n>= d\n> e\n"
    report = check(text, prover=ScriptedProver())
    assert [chain.start_line for chain in report.chains] == [1, 4]
    assert [chain.relation for chain in report.chains] == ["=", ">"]
    assert [step.line for step in report.steps] == [2, 3, 5, 6]


def test_comments_blank_lines_and_double_equals():
    text = "\n# only a comment\n   \nstart: a   # trailing\n== b\n\n<= c # by:   spaced out  \n"
    report = check(text, prover=ScriptedProver())
    assert [step.relation for step in report.steps] == ["=", "<="]
    assert report.steps[1].justification == "spaced out"
    assert report.steps[0].justification is None


def test_windows_line_endings():
    report = check("claim: a <= b\r\nclaim: b <= c\r\n", prover=ScriptedProver())
    assert len(report.steps) == 2


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("<= f\n", 1, 1, "without a preceding 'start:'"),
        ("start: a\n<= b\nclaim: a <= b\n<= c\n", 4, 1, "without a preceding 'start:'"),
        ("claim: a <= b\nfoo: x\n", 2, 1, "unknown line type"),
        ("Claim: a <= b\n", 1, 1, "did you mean 'claim:'"),
        ("claim: a <= b\n  a + b\n", 2, 3, "expected 'assume:'"),
        ("claim: a + b\n", 1, 7, "expected a relation"),
        ("claim: a <= b <= c\n", 1, 15, "more than one relation"),
        ("start: a <= b\n<= c\n", 1, 10, "one relation per line"),
        ("start: a\n<= b <= c\n", 2, 6, "one relation per line"),
        ("start: a\n\n", 1, 1, "not followed by any relation"),
        ("assume: L > 0\n", 1, 1, "no steps"),
        ("", 1, 1, "no steps"),
        ("claim: x.y <= 1\n", 1, 8, "attribute"),
        ("assume: L >\nclaim: a <= b\n", 1, 12, "nothing"),
        ("start: a\n<=< b\n", 2, 1, "unexpected '<=<'"),
        ("start: a\n!= b\n", 2, 1, "'!='"),
        ("claim: x^2 >= 0\n", 1, 9, "use ** for powers"),
    ],
)
def test_syntax_errors_are_located(text, line, column, fragment):
    with pytest.raises(DerivationSyntaxError) as info:
        check(text, prover=ScriptedProver())
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "text, where",
    [
        # no single relation is at fault: the first assumption is named
        ("assume: L > 0\nclaim: a <= b\nassume: L < -1\n", (1, 9)),
        # a relation false on its own is named exactly
        ("assume: L > 0\nclaim: a <= b\nassume: x < 1, x > x\n", (3, 16)),
        ("assume: L > 0, 1 > 2\nclaim: a <= b\n", (1, 16)),
    ],
)
def test_unusable_assumptions_point_at_their_place(text, where):
    pytest.importorskip("theorykit.symbolic.assumptions")
    with pytest.raises(DerivationSyntaxError) as info:
        check(text, prover=ScriptedProver())
    assert "unusable assumptions" in info.value.message
    assert (info.value.line, info.value.column) == where


def test_unusable_builder_assumptions_are_input_errors():
    pytest.importorskip("theorykit.symbolic.assumptions")
    with pytest.raises(InputError) as info:
        Derivation(assume=["L > 0", "L < -1"]).claim("L", "<", 1).check(prover=ScriptedProver())
    assert info.value.argument == "assume"


def test_path_sources(tmp_path):
    path = tmp_path / "d.deriv"
    path.write_text(DESCENT)
    for source in (path, str(path)):
        report = check(source, prover=ScriptedProver())
        assert report.file == str(path)
        assert len(report.steps) == 3


def test_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nope.deriv"
    with pytest.raises(InputError) as info:
        check(str(missing), prover=ScriptedProver())
    assert str(missing) in str(info.value)
    with pytest.raises(InputError):
        check(tmp_path, prover=ScriptedProver())  # a directory


def test_non_utf8_file_is_located(tmp_path):
    path = tmp_path / "bad.deriv"
    path.write_bytes(b"claim: a <= b\nclaim: \xff <= 1\n")
    with pytest.raises(DerivationSyntaxError) as info:
        check(path, prover=ScriptedProver())
    assert (info.value.line, info.value.column) == (2, 8)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "soon", True])
def test_bad_timeout(timeout):
    with pytest.raises(InputError) as info:
        check("claim: a <= b", timeout=timeout, prover=ScriptedProver())
    assert info.value.argument == "timeout"


def test_prover_crash_becomes_unknown_not_a_traceback():
    def crashing(*args, **kwargs):
        raise RuntimeError("boom")

    report = check("claim: a <= b", prover=crashing)
    assert report.steps[0].status == "unknown"
    assert "boom" in report.steps[0].method
    assert report.status == "unknown"


# ---------------------------------------------------------------- builder


def test_builder_matches_the_file():
    d = (
        Derivation(assume=["L > 0, eta > 0", "eta < 2/L"])
        .claim("eta*(1 - L*eta/2)", "<=", "1/(2*L)", by="AM-GM")
        .start("f - eta*g**2 + L/2*eta**2*g**2")
        .eq("f - eta*(1 - L*eta/2)*g**2", by="factor out eta*g**2")
        .le("f", by="eta < 2/L")
    )
    built = d.check(prover=ScriptedProver())
    from_file = check(DESCENT, prover=ScriptedProver())
    assert [s.to_dict() | {"line": 0} for s in built.steps] == [
        s.to_dict() | {"line": 0} for s in from_file.steps
    ]
    assert [step.line for step in built.steps] == [1, 3, 4]
    assert built.chains[0].start_line == 2


def test_builder_real_symbols_from_sympy_objects():
    L = sympy.Symbol("L", positive=True)
    x = sympy.Symbol("x")
    prover = ScriptedProver()
    d = Derivation(assume=[L > 1, sympy.And(x > 0, x < L)])
    d.start(L * x).lt(L**2).le(L**3).ge(L**3).gt(0).eq(sympy.Integer(0))
    report = d.check(prover=prover)  # ScriptedProver asserts every symbol is plain real
    assert [step.relation for step in report.steps] == ["<", "<=", ">=", ">", "="]
    assert report.chains[0].relation is None
    names = {s.name for step in report.steps for s in step.lhs.free_symbols | step.rhs.free_symbols}
    assert names == {"L", "x"}


def test_builder_methods_return_self():
    d = Derivation()
    assert d.start("a") is d
    assert d.le("b") is d
    assert d.claim("a", "<", "b") is d


@pytest.mark.parametrize(
    "build, argument",
    [
        (lambda d: d.le("x"), "<="),
        (lambda d: d.claim("a", "!=", "b"), "rel"),
        (lambda d: d.claim(0.5, "<", "b"), "lhs"),
        (lambda d: d.claim(sympy.Float(0.5) * sympy.Symbol("x"), "<", "b"), "lhs"),
        (lambda d: d.claim(sympy.Symbol("x") < 1, "<", "b"), "lhs"),
        (lambda d: d.claim([1], "<", "b"), "lhs"),
        (lambda d: d.claim("a", "<", "b", by=3), "by"),
        (lambda d: d.claim(sympy.zoo, "<", "b"), "lhs"),
        (lambda d: d.claim(sympy.Function("f")(sympy.Symbol("x")), "<", "b"), "lhs"),
    ],
)
def test_builder_rejects_bad_arguments(build, argument):
    with pytest.raises(InputError) as info:
        build(Derivation())
    assert info.value.argument == argument


def test_builder_rejects_bad_assumptions_and_strings():
    with pytest.raises(InputError):
        Derivation(assume=[sympy.Ne(sympy.Symbol("x"), 1)])
    with pytest.raises(InputError):
        Derivation(assume=[sympy.false])
    with pytest.raises(DerivationSyntaxError):
        Derivation(assume=["L >"])
    with pytest.raises(DerivationSyntaxError):
        Derivation().claim("x.y", "<", "1")


def test_builder_without_steps():
    with pytest.raises(InputError):
        Derivation(assume=["L > 0"]).check(prover=ScriptedProver())
    with pytest.raises(InputError):
        Derivation().start("a").check(prover=ScriptedProver())


# ---------------------------------------------------------------- rendering


def _refuted_report() -> DerivationReport:
    # without eta < 2/L the last step is false, e.g. at eta = 3, L = 1, g = 1, f = 0
    without_bound = DESCENT.replace("assume: eta < 2/L\n", "")
    answers = {"-eta*g**2*(-L*eta/2 + 1) + f <= f": ("refuted", {"L": "1", "eta": "3", "g": "1", "f": "0"})}
    return check(without_bound, prover=ScriptedProver(answers))


def test_text_report_mentions_everything():
    text = str(_refuted_report())
    assert text.splitlines()[0] == "<derivation>: REFUTED"
    for fragment in (
        "[0] line 3: eta*(-L*eta/2 + 1) <= 1/(2*L)",
        "counterexample: L = 1, eta = 3, g = 1, f = 0",
        "by: factor out eta*g**2",
        "chain from line 5",
        "scripted",
        "1 refuted",
    ):
        assert fragment in text


def test_html_report_escapes_and_typesets():
    html = _refuted_report()._repr_html_()
    assert "<table>" in html and "\\(" in html
    assert "\\le" in html
    assert "<=" not in html.replace("&lt;=", "")  # relations are escaped
    assert "color:#cf222e" in html  # the refuted verdict in red


def test_latex_reports():
    report = _refuted_report()
    tabular = report.to_latex()
    assert tabular.startswith(r"\begin{tabular}") and r"\bottomrule" in tabular
    assert r"\eta" in tabular and r"\textcolor{red!75!black}{refuted}" in tabular
    assert tabular.count(r"\\") == len(report.steps) + 1
    display = report._repr_latex_()
    assert display.startswith("$") and display.endswith("$") and "array" in display


def test_report_of_a_file_path_names_it(tmp_path):
    path = tmp_path / "x.deriv"
    path.write_text("claim: a <= a\n")
    report = check(Path(path), prover=ScriptedProver())
    assert str(report).startswith(f"{path}: PROVED")


def test_builder_keeps_sympy_sign_assumptions_as_relations():
    # without this, a step true for positive eta could be "refuted" at eta < 0
    L, eta = sympy.symbols("L eta", positive=True)
    d = Derivation(assume=[L > 0, eta < 2 / L])  # L > 0 is already True in SymPy
    d.claim(eta * (1 - L * eta / 2), "<=", 1 / (2 * L))
    report = d.check(prover=ScriptedProver())
    assert {str(relation) for relation in report.assumptions} == {"L > 0", "eta > 0", "eta < 2/L"}
    x = sympy.Symbol("x", nonpositive=True)
    report = Derivation().claim(x, "<=", 0).check(prover=ScriptedProver())
    assert [str(relation) for relation in report.assumptions] == ["x <= 0"]


@pytest.mark.parametrize("options", [{"integer": True}, {"nonzero": True}, {"prime": True}])
def test_builder_refuses_symbol_assumptions_it_cannot_express(options):
    with pytest.raises(InputError):
        Derivation().claim(sympy.Symbol("k", **options), "<=", 1)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
def test_latex_table_compiles(tmp_path):
    report = _refuted_report()
    document = (
        "\\documentclass{article}\\usepackage{booktabs}\\usepackage{xcolor}\\usepackage{amsmath}\n"
        "\\begin{document}\n" + report.to_latex() + "\n\\[" + report._repr_latex_().strip("$") + "\\]\n"
        "\\end{document}\n"
    )
    (tmp_path / "report.tex").write_text(document)
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "report.pdf").exists()


def test_double_equals_error_column_and_step_limit():
    with pytest.raises(DerivationSyntaxError) as info:
        check("start: a == b\n<= c\n", prover=ScriptedProver())
    assert (info.value.line, info.value.column) == (1, 10)
    with pytest.raises(DerivationSyntaxError) as info:
        check("claim: a <= a\n" * 1001, prover=ScriptedProver())
    assert info.value.line == 1001 and "more than 1000 steps" in info.value.message


def test_refuted_without_counterexample_is_unknown():
    report = check("claim: a <= b", prover=ScriptedProver({"a <= b": ("refuted", None)}))
    assert report.steps[0].status == "unknown"
    assert "without a counterexample" in report.steps[0].method


def test_malformed_prover_answer_is_unknown():
    report = check("claim: a <= b", prover=lambda *a, **k: object())
    assert report.steps[0].status == "unknown"
    assert report.steps[0].method.startswith("prover error")


def test_refuted_chain_shows_its_counterexample():
    text = "start: a\n<= b\n<= c\n"
    answers = {"a <= b": ("unknown", None), "a <= c": ("refuted", {"a": "1", "c": "0"})}
    report = check(text, prover=ScriptedProver(answers))
    assert report.chains[0].counterexample == {"a": "1", "c": "0"}
    assert "counterexample: a = 1, c = 0" in str(report)


def test_step_timeout_context_sets_the_default_budget():
    # Catalog claims call d.check() with no timeout; `theorykit derive --timeout`
    # reaches them through step_timeout().
    from theorykit.symbolic.builder import step_timeout

    d = Derivation()
    d.claim("x**4*y**2 + x**2*y**4 - 3*x**2*y**2 + 1", ">=", "0")  # Motzkin: true, hard
    with step_timeout(0.05):
        report = d.check()
    assert report.steps[0].status == "unknown"
    assert report.steps[0].seconds < 5


def test_symbol_free_refutation_keeps_its_empty_counterexample():
    # The empty assignment is a complete counterexample for a step with no
    # symbols; it must not be mistaken for a missing one.
    report = check("claim: pi > 355/113\n")
    assert report.steps[0].status == "refuted"
    assert report.steps[0].counterexample == {}
    assert report.to_dict()["steps"][0]["counterexample"] == {}
    assert "no symbols" in str(report)


def test_refutation_missing_a_symbol_is_unknown():
    report = check("claim: a <= b", prover=ScriptedProver({"a <= b": ("refuted", {"a": "1"})}))
    assert report.steps[0].status == "unknown"
