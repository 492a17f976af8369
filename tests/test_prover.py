"""prove_step: each strategy proves true steps, false steps are refuted with exact
counterexamples (re-checked here independently), hard ones stay unknown-or-correct."""
import math
import time
from fractions import Fraction

import pytest
import sympy
from sympy import Rational as R

from theorykit.errors import InputError
from theorykit.symbolic import prover as prover_module
from theorykit.symbolic.assumptions import Assumptions
from theorykit.symbolic.prover import StepVerdict, prove_step


def S(name):
    return sympy.Symbol(name, real=True)


x, y, z, a, b, c, e, f, g = (S(n) for n in ["x", "y", "z", "a", "b", "c", "e", "f", "g"])
L, mu, eta, lam, kappa, beta = (S(n) for n in ("L", "mu", "eta", "lam", "kappa", "beta"))

_REL = {"=": sympy.Eq, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge}


def verdict(lhs, op, rhs, rels=(), **kw):
    v = prove_step(lhs, op, rhs, Assumptions.from_relations(list(rels)), **kw)
    assert isinstance(v, StepVerdict)
    assert v.status in ("proved", "refuted", "unknown")
    assert isinstance(v.method, str) and v.method
    assert v.seconds >= 0
    return v


def _value(text):
    """A counterexample coordinate: a rational, or a closed form such as 'pi/10'."""
    try:
        return sympy.Rational(Fraction(text))
    except ValueError:
        from theorykit.symbolic.parse import parse_expression

        v = parse_expression(text)
        assert not v.free_symbols, text
        return v


def _rational_point(cex) -> bool:
    try:
        [Fraction(v) for v in cex.values()]
    except ValueError:
        return False
    return True


def assert_counterexample(lhs, op, rhs, rels, cex):
    """Independent check with SymPy's own exact relational evaluation."""
    assert cex is not None
    values = {S(k): _value(v) for k, v in cex.items()}
    lhs, rhs = (sympy.Rational(t) if isinstance(t, int) else t for t in (lhs, rhs))
    for rel in rels:
        if isinstance(rel, sympy.Eq):
            assert sympy.simplify(rel.lhs.xreplace(values) - rel.rhs.xreplace(values)) == 0
        else:
            assert bool(rel.xreplace(values)) is True, (rel, cex)
    lv, rv = lhs.xreplace(values), rhs.xreplace(values)
    if op == "=":
        assert sympy.simplify(lv - rv) != 0
        assert sympy.N(lv - rv, 50) != 0
    else:
        assert bool(_REL[op](lv, rv)) is False, (lhs, op, rhs, cex)


PROVED = [
    # (id, lhs, op, rhs, assumptions, method or None)
    ("sign", x**2 + 1, ">", 0, [], None),
    ("descent lemma", f - eta * g**2 + L * eta**2 * g**2 / 2, "<=", f - eta * g**2 / 2, [L > 0, eta > 0, eta <= 1 / L], None),
    ("eta<2/L", eta * (1 - L * eta / 2), ">", 0, [L > 0, eta > 0, eta < 2 / L], None),
    ("contraction", sympy.Abs(1 - eta * lam), "<", 1, [L > 0, eta > 0, eta < 2 / L, lam > 0, lam <= L], None),
    ("mu<=L", mu, "<=", (L + mu) / 2, [mu > 0, L >= mu], "positive substitution"),
    ("young", a * b, "<=", a**2 / (2 * e) + e * b**2 / 2, [e > 0], None),
    ("am-gm", a * b, "<=", (a**2 + b**2) / 2, [], "sum of squares"),
    ("sos3", (a + b + c) ** 2, "<=", 3 * a**2 + 3 * b**2 + 3 * c**2, [], "sum of squares"),
    ("discriminant", x**2 - x + 1, ">", 0, [], "univariate interval"),
    ("quartic", x**4 - x**2 + 1, ">", 0, [], "univariate interval"),
    ("narrow true", x * (1 - x), "<=", R(1, 4), [x > 0, x < 1], None),
    ("sqrt", sympy.sqrt(a * b), "<=", (a + b) / 2, [a >= 0, b >= 0], "squared sides"),
    ("sqrt bound", sympy.sqrt(x), "<=", x, [x >= 1], "squared sides"),
    ("log", sympy.log(1 + x), "<=", x, [x > -1], "exp/log bound"),
    ("exp", sympy.exp(x), ">=", 1 + x, [], "exp/log bound"),
    ("kappa exp", 1 - 1 / kappa, "<=", sympy.exp(-1 / kappa), [kappa >= 1], None),
    ("hm-am", 1 / (x + y), "<=", 1 / (4 * x) + 1 / (4 * y), [x > 0, y > 0], None),
    ("heavy ball", sympy.Abs(1 + beta - eta * lam), "<", 1 + beta,
     [beta > 0, beta < 1, eta > 0, lam > 0, eta * lam < 2 * (1 + beta)], None),
    ("zero diff", (x + 1) ** 2, "=", x**2 + 2 * x + 1, [], "zero difference"),
    ("sqrt identity", sympy.sqrt(x**2), "=", x, [x > 0], "zero difference"),
    ("kappa identity", (kappa - 1) / (kappa + 1), "=", (L - mu) / (L + mu), [mu > 0, L >= mu, sympy.Eq(kappa, L / mu)], None),
    ("constraint identity", sympy.sqrt((L - mu) ** 2), "=", L - mu, [mu > 0, L > mu], None),
    ("exact number", sympy.sqrt(2) * sympy.sqrt(8), "=", 4, [], None),
    ("triangle", sympy.Abs(x + y), "<=", sympy.Abs(x) + sympy.Abs(y), [], "case split"),
    ("min", sympy.Min(x, y), "<=", x, [], "Max/Min bound"),
    ("max of three", sympy.Max(x, y, z), ">=", (x + y + z) / 3, [], "case split"),
    ("max below", sympy.Max(x - 1, y - 1), "<=", sympy.Max(x, y), [], None),
    ("max and min sum", sympy.Max(x, y) + sympy.Min(x, y), "=", x + y, [], "two inequalities"),
    ("sqrt subadditive", sympy.sqrt(x + y), "<=", sympy.sqrt(x) + sympy.sqrt(y), [x >= 0, y >= 0], "squared sides"),
    ("sin", sympy.sin(x), "<=", 1, [], None),
    ("sqrt with constraint", (sympy.sqrt(L) - sympy.sqrt(mu)) / (sympy.sqrt(L) + sympy.sqrt(mu)), "<",
     (L - mu) / (L + mu), [mu > 0, L > mu], None),
    ("tangent at 1", x * sympy.exp(-x), "<=", sympy.exp(-1), [x > 0], None),
    ("chord", sympy.exp(-x), "<=", 1 - x / 2, [x >= 0, x <= 1], None),
    ("abs by sign", sympy.sqrt(beta), "=", (sympy.sqrt(kappa) - 1) / (sympy.sqrt(kappa) + 1),
     [kappa >= 1, sympy.Eq(beta, ((sympy.sqrt(kappa) - 1) / (sympy.sqrt(kappa) + 1)) ** 2)], None),
    ("power vs exp", (1 - 1 / kappa) ** 100, "<=", sympy.exp(-100 / kappa), [kappa >= 1], None),
    ("collected coefficients", x * y, "<=", R(1, 4), [x > 0, y > 0, x + y <= 1], None),
    ("e as exp(1)", (1 + 1 / kappa) ** kappa, "<=", sympy.E, [kappa >= 1], None),
    ("root in assumptions", (1 + beta - eta * lam) ** 2 - 4 * beta, ">=", 0,
     [eta > 0, lam > 0, beta >= 0, beta < 1, eta * lam <= (1 - sympy.sqrt(beta)) ** 2], None),
]


@pytest.mark.parametrize("case", PROVED, ids=[p[0] for p in PROVED])
def test_true_steps_are_proved(case):
    _, lhs, op, rhs, rels, method = case
    v = verdict(lhs, op, rhs, rels)
    assert v.status == "proved", v
    assert v.counterexample is None
    if method:
        assert v.method == method


REFUTED = [
    ("descent too big", f - eta * g**2 + L * eta**2 * g**2 / 2, "<=", f - eta * g**2 / 2, [L > 0, eta > 0, eta < 2 / L]),
    ("contraction closed", sympy.Abs(1 - eta * lam), "<", 1, [L > 0, eta > 0, eta <= 2 / L, lam > 0, lam <= L]),
    ("young wrong", a * b, "<=", a**2 / (4 * e) + e * b**2 / 4, [e > 0]),
    ("square", (a + b) ** 2, "<=", a**2 + b**2, []),
    ("narrow", x * (1 - x), "<=", R(2499, 10000), [x > 0, x < 1]),
    ("narrow off-grid", (x - R(3137, 10000)) ** 2, ">", R(1, 10**12), [x > 0, x < 1]),
    ("equality at 1", x + 1 / x, ">", 2, [x > 0]),
    ("exp", sympy.exp(x), ">=", 1 + x + x**2 / 2, []),
    ("kappa", sympy.exp(-1 / kappa), "<=", 1 - 1 / kappa, [kappa >= 1]),
    ("wrong identity", (x + 1) ** 2, "=", x**2 + 3 * x + 1, []),
    ("abs", sympy.sqrt(x**2), "=", x, []),
    ("definition", (kappa - 1) / (kappa + 1), "=", (L - mu) / L, [mu > 0, L >= mu, sympy.Eq(kappa, L / mu)]),
    ("float misleading", (x + R(1, 10**20)) ** 2, "<=", x**2 + R(1, 10**40), [x > 0]),
    ("tiny factor", x * (1 + R(1, 10**15)), "<=", x, [x > 0]),
    ("sqrt", sympy.sqrt(x), "<=", x, [x >= 0]),
    ("eta bound", eta * (1 - L * eta / 2), "<=", R(4999, 10000) / L, [L > 0, eta > 0, eta < 2 / L]),
    # found by fuzzing: the root's isolating interval (0, 1) touched the bound x > 0
    ("root near bound", 2 * x**2, ">=", (-3 * x**2 - 4 * x + 2) / (3 * x + 5), [x > 0]),
    ("max", sympy.Max(x, y), "<=", x, []),
    ("narrow disc", (x - R(31, 97)) ** 2 + (y - R(7, 13)) ** 2, ">", R(1, 10**12), [x > 0, y > 0]),
    ("narrow near irrational", (x - sympy.pi / 10) ** 2, ">", R(1, 10**10), [x > 0]),
]


@pytest.mark.parametrize("case", REFUTED, ids=[r[0] for r in REFUTED])
def test_false_steps_are_refuted_with_exact_counterexample(case):
    _, lhs, op, rhs, rels = case
    v = verdict(lhs, op, rhs, rels)
    assert v.status == "refuted", v
    assert all(isinstance(k, str) and isinstance(val, str) for k, val in v.counterexample.items())
    if _rational_point(v.counterexample):
        assert Assumptions.from_relations(rels).satisfied_exactly(v.counterexample)
    else:
        assert v.method == "closed-form counterexample", v
    assert_counterexample(lhs, op, rhs, rels, v.counterexample)


def test_counterexamples_are_simple():
    v = verdict(x * (1 - x), "<=", R(2499, 10000), [x > 0, x < 1])
    assert v.counterexample == {"x": "0.5"}
    v = verdict((a + b) ** 2, "<=", a**2 + b**2, [])
    assert all(len(s) <= 3 for s in v.counterexample.values())


def test_hard_cases_unknown_or_correct():
    k = S("k")
    v = verdict((1 - 1 / k) ** k, "<=", sympy.exp(-1), [k >= 2], timeout=3)
    assert v.status in ("proved", "unknown")
    v = verdict(sympy.sin(x), "<", 1, [], timeout=3)  # false only at irrational points
    assert v.status in ("refuted", "unknown")
    # false only in a disc of radius 1e-3 around an awkward point of the plane
    lhs = (x - R(31, 97)) ** 2 + (y - R(7, 13)) ** 2
    v = verdict(lhs, ">", R(1, 10**6), [], timeout=3)
    assert v.status in ("refuted", "unknown")
    if v.status == "refuted":
        assert_counterexample(lhs, ">", R(1, 10**6), [], v.counterexample)


# -- exact evaluation: tiny numbers never fool the verdict -----------------------

def test_exp_minus_300_is_positive():
    assert verdict(sympy.exp(-300), ">", 0).status == "proved"
    assert verdict(sympy.exp(-1000), ">", 0).status == "proved"
    assert verdict(1 + sympy.exp(-300), ">", 1).status == "proved"


def test_one_plus_tiny_is_not_one():
    v = verdict(1 + sympy.exp(-300), "=", 1)
    assert v.status in ("refuted", "unknown")
    assert v.status == "refuted" and v.counterexample == {}
    v = verdict(sympy.exp(-300), "=", 0)
    assert v.status == "refuted"


def test_symbol_plus_tiny():
    v = verdict(x + sympy.exp(-700), ">", x)
    assert v.status in ("proved", "unknown")
    v = verdict(sympy.log(1 + sympy.exp(-700)), ">", 0)  # needs > 1000 bits
    assert v.status == "proved"


def test_float_misleading_numbers():
    assert verdict((1 + R(1, 10**20)) - 1, ">", 0).status == "proved"
    assert verdict(1 + R(1, 10**20), "=", 1).status == "refuted"
    # a Python float is read as the decimal it prints as
    assert verdict(sympy.Float("0.1") * 3, "=", R(3, 10)).status == "proved"


def test_false_symbol_free_step_needs_a_point_of_the_assumptions():
    v = verdict(sympy.Integer(1), "<", 0, [x > 2])
    assert v.status == "refuted"
    assert sympy.Rational(v.counterexample["x"]) > 2


# -- budget, isolation, memory ---------------------------------------------------

def test_slow_step_times_out_within_budget(warm):
    big = (a + b + c + e + 1) ** 60
    t0 = time.monotonic()
    v = verdict(big - (a + b + c + e + 2) ** 60, "=", 7 * a, timeout=1.0)
    elapsed = time.monotonic() - t0
    assert v.status == "unknown" and v.method == "timeout"
    assert elapsed < 1.0 + 1.0


@pytest.fixture
def warm():
    """Warm the parent before patching _decide: warming runs it in-process."""
    prover_module._warm_up()


def test_memory_limit_in_child(monkeypatch, warm):
    def hog(*args):
        return ("unknown", f"allocated {len(bytearray(64 * 1024**3))}", None)

    monkeypatch.setattr(prover_module, "_decide", hog)
    v = verdict(x, ">", 0, timeout=5)
    assert v.status == "unknown"
    assert v.method == "memory limit"


def test_hung_worker_is_killed(monkeypatch, warm):
    monkeypatch.setattr(prover_module, "_decide", lambda *args: time.sleep(60))
    t0 = time.monotonic()
    v = verdict(x, ">", 0, timeout=0.5)
    assert (v.status, v.method) == ("unknown", "timeout")
    assert time.monotonic() - t0 < 0.5 + 1.0


def test_dead_worker_is_reported(monkeypatch, warm):
    import os

    monkeypatch.setattr(prover_module, "_decide", lambda *args: os._exit(3))
    v = verdict(x, ">", 0, timeout=5)
    assert v.status == "unknown" and "died" in v.method


def test_in_process_mode_agrees():
    for lhs, op, rhs, rels in [(x**2 + 1, ">", 0, []), ((a + b) ** 2, "<=", a**2 + b**2, [])]:
        v1 = verdict(lhs, op, rhs, rels)
        v2 = verdict(lhs, op, rhs, rels, isolate=False)
        assert (v1.status, v1.counterexample) == (v2.status, v2.counterexample)


def test_deterministic_with_seed():
    case = ((x - R(31, 97)) ** 2 + y**2, ">", R(1, 100), [])
    v1 = verdict(*case, seed=3, timeout=3)
    v2 = verdict(*case, seed=3, timeout=3)
    assert (v1.status, v1.counterexample) == (v2.status, v2.counterexample)


# -- bad input --------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(lhs=x, op="==", rhs=0), "op"),
        (dict(lhs="x + 1", op="=", rhs=0), "lhs"),
        (dict(lhs=x, op="=", rhs=sympy.I), "rhs"),
        (dict(lhs=x, op="=", rhs=sympy.oo), "rhs"),
        (dict(lhs=x > 1, op="=", rhs=0), "lhs"),
        (dict(lhs=x, op="=", rhs=math.nan), "rhs"),
        (dict(lhs=x, op="=", rhs=0, timeout=0), "timeout"),
        (dict(lhs=x, op="=", rhs=0, timeout=math.inf), "timeout"),
        (dict(lhs=x, op="=", rhs=0, timeout="1"), "timeout"),
        (dict(lhs=x, op="=", rhs=0, seed=1.5), "seed"),
        (dict(lhs=x, op="=", rhs=0, assumptions=42), "assumptions"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, argument):
    kwargs.setdefault("assumptions", None)
    with pytest.raises(InputError) as err:
        prove_step(kwargs.pop("lhs"), kwargs.pop("op"), kwargs.pop("rhs"), kwargs.pop("assumptions"), **kwargs)
    assert err.value.argument == argument


def test_python_numbers_and_relation_lists_are_accepted():
    v = prove_step(1, "<", 2, None)
    assert v.status == "proved"
    v = prove_step(x, ">", 0, [x > 1])
    assert v.status == "proved"


def test_univariate_sign_pieces_next_to_the_bounds():
    from theorykit.symbolic.prove_polynomial import univariate_sign

    t = sympy.Symbol("t", positive=True)
    sign, (neg, pos) = univariate_sign(6 * t**3 + 13 * t**2 + 4 * t - 2, t, sympy.Interval.open(0, sympy.oo))
    assert sign is None and 0 < neg < pos
    assert univariate_sign((x**2 - 2) ** 2 + 1, x, sympy.Interval(1, 5)) == ("pos", None)
    assert univariate_sign((x**2 - 2) ** 2, x, sympy.Interval(-5, 5))[0] == "nonneg"
    sign, (neg, pos) = univariate_sign((x - 1) * (x**2 - 2) / (x - R(3, 2)), x, sympy.Interval.open(1, R(3, 2)))
    assert sign is None and neg > pos
