"""Assumptions: symbols with SymPy facts, constant bounds, definitions, exact checks."""
import pytest
import sympy
from sympy import Rational as R

from theorykit.errors import InputError
from theorykit.symbolic.assumptions import Assumptions


def S(name):
    return sympy.Symbol(name, real=True)


x, y, L, eta, mu, lam, kappa = (S(n) for n in ("x", "y", "L", "eta", "mu", "lam", "kappa"))


def test_signs_from_bounds():
    a = Assumptions.from_relations([x > 0, y >= 0, mu < 0, lam <= 0])
    assert a.symbols["x"].is_positive
    assert a.symbols["y"].is_nonnegative and a.symbols["y"].is_positive is None
    assert a.symbols["mu"].is_negative
    assert a.symbols["lam"].is_nonpositive and a.symbols["lam"].is_negative is None
    assert all(s.is_real for s in a.symbols.values())


def test_constant_bounds_intersect():
    a = Assumptions.from_relations([x > 1, x <= 3, x > R(1, 2), 2 * y > 1])
    assert a.bounds("x") == sympy.Interval.Lopen(1, 3)
    assert a.bounds("y") == sympy.Interval.open(R(1, 2), sympy.oo)
    assert a.symbols["x"].is_positive
    assert a.bounds("unassumed") == sympy.Interval(-sympy.oo, sympy.oo)


def test_floats_mean_decimals():
    a = Assumptions.from_relations([x > sympy.Float("0.1")])
    assert a.bounds("x").inf == R(1, 10)


def test_symbolic_constraints_kept():
    a = Assumptions.from_relations([L > 0, eta > 0, eta < 2 / L])
    assert any(c.free_symbols == {a.symbols["eta"], a.symbols["L"]} for c in a.constraints)
    assert a.bounds("eta") == sympy.Interval.open(0, sympy.oo)
    assert len(a.forms) == 1


def test_and_is_flattened():
    a = Assumptions.from_relations([sympy.And(x > 0, x < 1)])
    assert a.bounds("x") == sympy.Interval.open(0, 1)


def test_implied_sign():
    # lam > 0 and lam <= L give L > 0, so eta < 2/L can be read as a bound on eta
    a = Assumptions.from_relations([lam > 0, lam <= L])
    assert a.symbols["L"].is_positive


def test_rebind_swaps_symbols():
    a = Assumptions.from_relations([x > 0])
    e = a.rebind(sympy.sqrt(x**2) + y)
    assert e == a.symbols["x"] + S("y")
    assert a.rebind(sympy.Integer(3)) == 3


def test_satisfied_exactly():
    a = Assumptions.from_relations([L > 0, eta > 0, eta < 2 / L])
    assert a.satisfied_exactly({"L": R(2), "eta": R(999, 1000)})
    assert not a.satisfied_exactly({"L": R(2), "eta": R(1)})  # eta = 2/L exactly
    assert not a.satisfied_exactly({"L": R(2)})  # eta missing
    assert a.satisfied_exactly({"L": "2", "eta": "0.5"})


def test_satisfied_exactly_tiny_margins():
    a = Assumptions.from_relations([x > 1 + sympy.exp(-300)])
    assert not a.satisfied_exactly({"x": 1})
    # exp(-300) is about 5e-131: 1 + 1e-200 is below the bound, 1 + 1e-100 above it
    assert not a.satisfied_exactly({"x": R(10**200 + 1, 10**200)})
    assert a.satisfied_exactly({"x": R(10**100 + 1, 10**100)})


def test_definitions():
    a = Assumptions.from_relations([mu > 0, L >= mu, sympy.Eq(kappa, L / mu)])
    k = a.symbols["kappa"]
    assert a.expand_definitions(k) == a.symbols["L"] / a.symbols["mu"]
    assert a.complete({"L": 4, "mu": 2})["kappa"] == 2
    assert a.satisfied_exactly({"L": 4, "mu": 2, "kappa": 2})
    assert not a.satisfied_exactly({"L": 4, "mu": 2, "kappa": 3})
    assert "kappa" not in a.free_names


@pytest.mark.parametrize(
    "rels, fragment",
    [
        ([sympy.Ne(x, 0)], "!="),
        ([sympy.Or(x > 0, x < -1)], "or"),
        ([x + 1], "not a relation"),
        ([x > 2, x < 1], "leave no value"),
        ([sympy.false], "false"),
        ([sympy.Eq(x * y, 1)], "define one symbol"),
        ([sympy.Eq(x, y + 1), sympy.Eq(y, x - 1)], "itself"),
        ([sympy.Integer(1) < sympy.Integer(0)], "false"),
    ],
)
def test_bad_assumptions(rels, fragment):
    with pytest.raises(InputError) as err:
        Assumptions.from_relations(rels)
    assert fragment in str(err.value)
    assert err.value.argument == "assume"


def test_true_relations_are_ignored():
    a = Assumptions.from_relations([sympy.true, sympy.Integer(2) > 1])
    assert a.symbols == {}
    assert a.satisfied_exactly({})
