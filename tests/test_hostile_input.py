"""Hostile derivation text: rejected cleanly and quickly, never executed.

Every input below must either raise ``DerivationSyntaxError`` or, when it is a
legal (if silly) expression, be checked within a bounded time without a wrong
"proved"; and nothing may touch the file system.
"""
import importlib.util
import os
import time
from collections import namedtuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import DerivationSyntaxError
from theorykit.symbolic.derivation import check, parse_derivation
from theorykit.symbolic.parse import parse_assumptions, parse_expression, parse_relation

HAVE_PROVER = importlib.util.find_spec("theorykit.symbolic.prover") is not None
Verdict = namedtuple("Verdict", "status method counterexample seconds")

MARKER = "/tmp/theorykit-pwned"

HOSTILE = [
    f"__import__('os').system('touch {MARKER}')",
    f"eval(\"__import__('os').system('touch {MARKER}')\")",
    f"exec('open(\"{MARKER}\", \"w\")')",
    f"open('{MARKER}', 'w')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.y",
    "x[0]",
    "lambda: 1",
    "(lambda: 1)()",
    "[i for i in x]",
    "{i: i for i in x}",
    "'s'",
    "f'{x}'",
    "f(x=1)",
    "sqrt(x=1)",
    "Max(*x)",
    "9**9**9",
    "10**10**10",
    "2**1000**1000",
    "(10**400)**1000",
    "2**(1/3)**(-999)",
    "10**(10**400)",
    "1" * 5000,
    "1" * 4301,
    "0x" + "f" * 5000,
    "1e999999999",
    "(" * 100_000 + "x" + ")" * 100_000,
    "(" * 5000 + "x" + ")" * 5000,
    "[" * 5000 + "x" + "]" * 5000,
    "-" * 9999 + "1",
    "x**" * 3000 + "x",
    "+".join(["x"] * 4000),
    "exp(" * 61 + "x" + ")" * 61,
    "x" + "\x00",
    "x\u202e + 1",
    "x; import os",
    "x\nimport os",
    "sqrt(-1)",
    "1/0",
    "__builtins__",
    "x if 1 else 2",
    "(x := 1)",
    "x ^ 2",
]

# legal but nasty: evaluation must stay bounded (the prover has a timeout).
# Each comes with a claim whose truth is known (x is assumed in (0, 10)), so
# that a wrong verdict would be caught as well as a hang.
HEAVY_BUT_LEGAL = [
    ("exp(exp(exp(exp(999))))", "<= x", False),
    ("E**E**E**E**99", "<= x", False),
    ("sin(10**400)", "<= 2", True),
    ("floor(10**400/3)", "<= x", False),
    ("x**x**x**x", "> 0", True),
    ("(x + 1)**1000", ">= 1", True),
    ("sqrt(10**399 + 7)", "<= x", False),
    ("2**1000*3**1000*5**1000", "<= x", False),
    ("1" * 399 + "." + "1" * 399 + "e400", "<= x", False),
    ("exp(" * 50 + "x" + ")" * 50, "> 0", True),
]


@pytest.fixture(autouse=True)
def no_side_effects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if os.path.exists(MARKER):
        os.remove(MARKER)
    yield
    assert not os.path.exists(MARKER), "hostile input created a file"
    assert list(tmp_path.iterdir()) == [], "hostile input wrote to the working directory"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_expression_rejected_quickly(text):
    start = time.perf_counter()
    with pytest.raises(DerivationSyntaxError) as info:
        parse_expression(text, line=3, column=8)
    assert time.perf_counter() - start < 2.0
    assert info.value.line >= 3 and info.value.column >= 1
    assert info.value.message


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_expression_in_a_file_is_a_located_error(text):
    source = f"assume: x > 0\nclaim: {text} <= x\n"
    start = time.perf_counter()
    with pytest.raises(DerivationSyntaxError) as info:
        parse_derivation(source, "hostile.deriv")
    assert time.perf_counter() - start < 2.0
    assert info.value.line >= 2
    assert str(info.value).startswith("hostile.deriv:")


def _never_called(*args, **kwargs):
    raise AssertionError("a hostile expression reached the prover")


@pytest.mark.parametrize("text, _rel, _truth", HEAVY_BUT_LEGAL, ids=range(len(HEAVY_BUT_LEGAL)))
def test_heavy_expressions_parse_fast(text, _rel, _truth):
    start = time.perf_counter()
    parse_expression(text)
    assert time.perf_counter() - start < 2.0


@pytest.mark.skipif(not HAVE_PROVER, reason="prover not written yet")
@pytest.mark.parametrize("text, rel, truth", HEAVY_BUT_LEGAL, ids=range(len(HEAVY_BUT_LEGAL)))
def test_heavy_expressions_checked_in_bounded_time(text, rel, truth):
    source = f"assume: x > 0, x < 10\nclaim: {text} {rel}\nclaim: {text} = {text} + 1\n"
    start = time.perf_counter()
    report = check(source, timeout=1.0)
    elapsed = time.perf_counter() - start
    wrong = "refuted" if truth else "proved"
    assert report.steps[0].status != wrong
    assert report.steps[1].status != "proved"  # h = h + 1 is false for every real h
    assert elapsed < 15.0, f"{elapsed:.1f} s with a 1 s step timeout"


@pytest.mark.parametrize(
    "parser",
    [parse_expression, parse_relation, parse_assumptions],
    ids=["expression", "relation", "assumptions"],
)
@given(st.text(max_size=200))
def test_random_text_gives_expr_or_syntax_error(parser, text):
    start = time.perf_counter()
    try:
        parser(text)
    except DerivationSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
    assert time.perf_counter() - start < 5.0


_TOKENS = st.sampled_from(
    ["x", "y", "1", "0", "9", "2.5", "1e3", "(", ")", "+", "-", "*", "/", "**", ",", " ",
     "sqrt", "exp", "log", "Max", "pi", "<", "<=", "=", "#", ".", "[", "'", "__", "^"]
)  # fmt: skip


@given(st.lists(_TOKENS, max_size=40).map("".join))
def test_token_soup_gives_expr_or_syntax_error(text):
    start = time.perf_counter()
    try:
        parse_expression(text)
    except DerivationSyntaxError:
        pass
    assert time.perf_counter() - start < 5.0


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_files_give_report_or_syntax_error(text):
    def unknown(lhs, op, rhs, assumptions, *, timeout, seed):
        return Verdict("unknown", "stub for parsing tests", None, 0.0)

    try:
        report = check(text + "\n", prover=unknown)
    except DerivationSyntaxError:
        return
    except Exception as error:  # unusable assumptions are InputErrors turned into syntax errors
        raise AssertionError(f"unexpected {type(error).__name__}: {error}")
    assert report.status == "unknown"


_RELATION_TOKENS = st.sampled_from(["x", "y", "L", "0", "1", "2", "-1", "1/2", "x*y", "x**2", "sqrt(x)", "exp(x)", "Abs(y)", "pi"])


@given(
    st.lists(
        st.tuples(_RELATION_TOKENS, st.sampled_from(["=", "<", "<=", ">", ">="]), _RELATION_TOKENS),
        min_size=1,
        max_size=4,
    )
)
def test_random_assumption_sets_give_report_or_located_error(relations):
    def unknown(lhs, op, rhs, assumptions, *, timeout, seed):
        return Verdict("unknown", "stub for parsing tests", None, 0.0)

    line = ", ".join(f"{a} {op} {b}" for a, op, b in relations)
    try:
        check(f"claim: x <= y\nassume: {line}\n", prover=unknown)
    except DerivationSyntaxError as error:
        assert error.line == 2 and error.column >= 9


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "fifo"])
def test_special_files_are_refused_without_reading(special, tmp_path_factory):
    from theorykit.errors import InputError

    if special == "fifo":
        special = str(tmp_path_factory.mktemp("fifo") / "pipe.deriv")
        os.mkfifo(special)  # opening it for reading would block forever
    if not os.path.exists(special):
        pytest.skip(f"{special} does not exist here")
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        check(special)
    assert "not a regular file" in str(info.value)
    assert time.perf_counter() - start < 2.0


def test_oversized_file_is_refused(tmp_path_factory):
    from theorykit.errors import InputError

    path = tmp_path_factory.mktemp("big") / "big.deriv"
    path.write_text("claim: x <= x\n" * 80_000)  # 1.1 MB
    with pytest.raises(InputError) as info:
        check(path)
    assert "larger than" in str(info.value)
