"""The safe expression parser: every whitelisted construct and every rejection."""
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import DerivationSyntaxError
from theorykit.symbolic.parse import (
    FUNCTIONS,
    MAX_DEPTH,
    RELATIONS,
    parse_assumptions,
    parse_expression,
    parse_relation,
)

x, y, L, eta = (sympy.Symbol(name, real=True) for name in ("x", "y", "L", "eta"))


def parse(text):
    return parse_expression(text)


def test_relations_constant():
    assert RELATIONS == ("=", "<=", "<", ">=", ">")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x + y", x + y),
        ("x - y", x - y),
        ("x * y", x * y),
        ("x / y", x / y),
        ("x ** 2", x**2),
        ("-x", -x),
        ("+x", x),
        ("(x + y) * 2", 2 * (x + y)),
        ("eta*(1 - L*eta/2)", eta * (1 - L * eta / 2)),
        ("2**-1", sympy.Rational(1, 2)),
        ("x**0.5", sympy.sqrt(x)),
        ("pi", sympy.pi),
        ("E", sympy.E),
        ("1_000", sympy.Integer(1000)),
        ("0x10", sympy.Integer(16)),
    ],
)
def test_arithmetic(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.1", sympy.Rational(1, 10)),
        ("1e-3", sympy.Rational(1, 1000)),
        ("2.5E2", sympy.Integer(250)),
        (".5", sympy.Rational(1, 2)),
        ("5.", sympy.Integer(5)),
        ("0.30000000000000004", sympy.Rational(30000000000000004, 10**17)),
    ],
)
def test_float_literals_are_exact_decimals(text, expected):
    value = parse(text)
    assert value == expected
    assert isinstance(value, sympy.Rational)


def test_names_are_real_symbols():
    value = parse("alpha + x_1 + η")
    assert all(symbol.is_real for symbol in value.free_symbols)
    assert {s.name for s in value.free_symbols} == {"alpha", "x_1", "η"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sqrt(x)", sympy.sqrt(x)),
        ("exp(x)", sympy.exp(x)),
        ("log(x)", sympy.log(x)),
        ("log(x, 2)", sympy.log(x, 2)),
        ("Abs(x)", sympy.Abs(x)),
        ("Min(x, y)", sympy.Min(x, y)),
        ("Max(x, y, 1)", sympy.Max(x, y, 1)),
        ("sin(x)", sympy.sin(x)),
        ("cos(x)", sympy.cos(x)),
        ("tan(x)", sympy.tan(x)),
        ("atan(x)", sympy.atan(x)),
        ("cosh(x)", sympy.cosh(x)),
        ("sinh(x)", sympy.sinh(x)),
        ("tanh(x)", sympy.tanh(x)),
        ("floor(x)", sympy.floor(x)),
        ("ceiling(x)", sympy.ceiling(x)),
        ("sign(x)", sympy.sign(x)),
    ],
)
def test_functions(text, expected):
    assert parse(text) == expected


def test_every_function_is_tested():
    assert set(FUNCTIONS) == {
        "sqrt", "exp", "log", "Abs", "Min", "Max", "sin", "cos", "tan", "atan",
        "cosh", "sinh", "tanh", "floor", "ceiling", "sign",
    }  # fmt: skip


def error_of(text, **kwargs):
    with pytest.raises(DerivationSyntaxError) as info:
        parse_expression(text, **kwargs)
    return info.value


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("x.y", 1, "attribute"),
        ("x[0]", 1, "subscript"),
        ("lambda: 1", 1, "lambda"),
        ("[i for i in x]", 1, "comprehension"),
        ("(i for i in x)", 1, "comprehension"),
        ("'s'", 1, "string"),
        ("b's'", 1, "string"),
        ("f'{x}'", 1, "string"),
        ("sqrt(x=1)", 8, "positional"),
        ("Max(*x)", 5, "starred"),
        ("x < y", 1, "comparison"),
        ("x and y", 1, "'and'/'or'"),
        ("not x", 1, "not"),
        ("~x", 1, "'~'"),
        ("__import__", 1, "double underscores"),
        ("x__", 1, "double underscores"),
        ("sqrt + 1", 1, "is a function"),
        ("foo(x)", 1, "unknown function"),
        ("x % 2", 1, "'%'"),
        ("x // 2", 1, "'//'"),
        ("x @ y", 1, "'@'"),
        ("x & y", 1, "'&'"),
        ("x, y", 1, "tuple"),
        ("{x}", 1, "set"),
        ("{x: y}", 1, "dict"),
        ("x if y else 1", 1, "conditional"),
        ("(x := 1)", 2, "':='"),
        ("True", 1, "not a number"),
        ("None", 1, "not a number"),
        ("1j", 1, "complex"),
        ("sqrt(x, y)", 1, "takes 1 argument"),
        ("log()", 1, "takes 1 to 2 arguments"),
        ("x.__class__", 1, "attribute"),
        ("1/0", 3, "division by zero"),
        ("0**-1", 1, "division by zero"),
        ("log(0)", 1, "undefined"),
        ("log(x, 1)", 8, "base"),
        ("sqrt(-1)", 1, "not real"),
        ("(-8)**(1/3)", 1, "not real"),
        ("", 1, "nothing"),
        ("x +", 4, "unexpected end"),
        ("sin(x) y", 8, "invalid syntax"),
    ],
)
def test_rejections_name_the_column(text, column, fragment):
    error = error_of(text, line=7, column=1)
    assert error.line == 7
    assert error.column == column
    assert fragment in error.message


def test_column_offset_is_relative_to_the_file_line():
    error = error_of("x + y.z", line=4, column=10)
    assert (error.line, error.column) == (4, 14)
    # leading spaces move the column as well
    error = error_of("   x[1]", line=2, column=5)
    assert (error.line, error.column) == (2, 8)


def test_columns_count_characters_not_bytes():
    error = error_of("η + η.real", line=1, column=1)
    assert error.column == 5


def test_caret_hint():
    error = error_of("x^2", line=3, column=8)
    assert "use ** for powers" in error.message
    assert (error.line, error.column) == (3, 9)


def test_reserved_word_hint():
    error = error_of("lambda + 1")
    assert "reserved word" in error.message


def test_source_is_named():
    error = error_of("x.y", source="a.deriv")
    assert str(error).startswith("a.deriv:1:1:")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("9**9**9", "too large"),
        ("10**10**10", "too large"),
        ("(2**999)**999", "digits"),
        ("x**10001", "too large"),
        ("x**(1/1001)", "too large"),
        ("1" * 401, "digits"),
        ("1e401", "exceeds"),
        ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nested"),
        ("-" * (MAX_DEPTH + 5) + "x", "nested"),
        ("x" * 10_001, "too long"),
        ("(x", "missing"),
        ("x)", "unmatched"),
        ("a\x00b", "unexpected character"),
    ],
)
def test_limits(text, fragment):
    assert fragment in error_of(text).message


def test_long_flat_sums_are_not_nesting():
    value = parse(" + ".join(f"x{i}" for i in range(300)))
    assert len(value.args) == 300


def test_nesting_at_the_limit_is_fine():
    depth = MAX_DEPTH - 2
    assert parse("(" * depth + "x" + ")" * depth) == x


def test_big_but_bounded_numbers():
    assert parse("2**1000") == sympy.Integer(2) ** 1000
    assert parse("1" * 400) == sympy.Integer("1" * 400)


def test_parse_relation():
    assert parse_relation("x + 1 <= y") == (x + 1, "<=", y)
    assert parse_relation("x == y") == (x, "=", y)
    assert parse_relation("x = y") == (x, "=", y)
    for op in RELATIONS:
        assert parse_relation(f"x {op} Max(x, y)")[1] == op


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("x + 1", 1, "expected a relation"),
        ("x < y < 1", 7, "more than one relation"),
        ("x != y", 3, "'!='"),
        ("x =< y", 3, "did you mean '<='"),
        ("x => y", 3, "did you mean '>='"),
        ("x <== y", 3, "unexpected"),
        ("x <= ", 6, "nothing"),
    ],
)
def test_parse_relation_errors(text, column, fragment):
    with pytest.raises(DerivationSyntaxError) as info:
        parse_relation(text, line=2, column=1)
    assert info.value.line == 2
    assert info.value.column == column
    assert fragment in info.value.message


def test_parse_assumptions_split_commas_and_chains():
    relations = parse_assumptions("L > 0, 0 < eta < 2/L, Max(x, y) >= 1")
    assert relations == [
        sympy.Gt(L, 0),
        sympy.Gt(eta, 0),  # a number on the left is moved to the right
        sympy.Lt(eta, 2 / L),
        sympy.Ge(sympy.Max(x, y), 1),
    ]


def test_parse_assumptions_keep_trivial_relations_unevaluated():
    (relation,) = parse_assumptions("1 < 2")
    assert isinstance(relation, sympy.core.relational.Relational)


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("L > 0, , x > 1", 7, "empty assumption"),
        ("L > 0, x", 8, "must be a relation"),
        ("L > 0, x.y > 1", 8, "attribute"),
    ],
)
def test_parse_assumptions_errors(text, column, fragment):
    with pytest.raises(DerivationSyntaxError) as info:
        parse_assumptions(text, line=5, column=1)
    assert (info.value.line, info.value.column) == (5, column)
    assert fragment in info.value.message


# expressions built from the whitelist, to check that str() reads back the same
_atoms = st.sampled_from(["x", "y", "L", "eta", "2", "3", "1/2", "0.25", "pi"])


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    power = st.tuples(children, st.integers(0, 4)).map(lambda t: f"({t[0]})**{t[1]}")
    call = st.tuples(st.sampled_from(["exp", "Abs", "sin", "atan", "tanh"]), children).map(
        lambda t: f"{t[0]}({t[1]})"
    )
    return binary | power | call


@given(st.recursive(_atoms, _combine, max_leaves=8))
def test_str_round_trips(text):
    value = parse(text)
    assert parse(str(value)) == value
