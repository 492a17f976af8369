"""Exact sum-of-squares certificates (theorykit/symbolic/sos.py, prove_sos.py).

A float SDP only proposes; these tests check that what comes back is verified
exactly, that nonnegative polynomials from the textbook are proved through
``prove_step``, and that false variants and the Motzkin polynomial never are
(cross-checked by an exact point evaluation that finds the negativity).
"""
import itertools
import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.symbolic.parse import parse_assumptions, parse_relation
from theorykit.symbolic.prover import prove_step
from theorykit.symbolic.sos import SOSCertificate, find_certificate, is_psd_exact, verify_certificate

x, y, z, a, b, c = sympy.symbols("x y z a b c", real=True)


def verdict(text, assume=""):
    lhs, op, rhs = parse_relation(text)
    return prove_step(lhs, op, rhs, parse_assumptions(assume) if assume else [], timeout=20, isolate=False)


TRUE_STEPS = [
    ("x**2 + y**2 >= 2*x*y", ""),
    ("(x**2 + y**2)*(a**2 + b**2) >= (a*x + b*y)**2", ""),
    ("x**4 + y**4 + z**4 >= x**2*y**2 + y**2*z**2 + z**2*x**2", ""),
    ("x**2 + y**2 + z**2 >= x*y + y*z + z*x", ""),
    ("(a + b + c)*(1/a + 1/b + 1/c) >= 9", "a > 0, b > 0, c > 0"),
    ("a/b + b/c + c/a >= 3", "a > 0, b > 0, c > 0"),
    ("x*(x - y)*(x - z) + y*(y - x)*(y - z) + z*(z - x)*(z - y) >= 0", "x >= 0, y >= 0, z >= 0"),
    ("x**3 + y**3 + z**3 >= 3*x*y*z", "x > 0, y > 0, z > 0"),
    ("x**2 - x*y + y**2 + 1 > 0", ""),
    ("x**4 + x**2*y**2 + y**4 - x*y + 1 > 0", ""),
    # a relation between the variables as a multiplier: y <= x on x, y >= 0
    ("x**3 + x*y**2 >= 2*x**2*y - x*y**2 + y**3", "y >= 0, x - y >= 0"),
]

# each false variant paired with an exact witness point where it fails
FALSE_STEPS = [
    ("x**2 + y**2 >= 21/10*x*y", "", {x: 1, y: 1}),
    ("(x**2 + y**2)*(a**2 + b**2) >= 11/10*(a*x + b*y)**2", "", {x: 1, y: 1, a: 1, b: 1}),
    ("x**4 + y**4 + z**4 >= x**2*y**2 + y**2*z**2 + 11/10*z**2*x**2", "", {x: 1, y: 1, z: 1}),
    ("(a + b + c)*(1/a + 1/b + 1/c) >= 91/10", "a > 0, b > 0, c > 0", {a: 1, b: 1, c: 1}),
    ("a/b + b/c + c/a >= 301/100", "a > 0, b > 0, c > 0", {a: 1, b: 1, c: 1}),
    ("x**3 + y**3 + z**3 >= 31/10*x*y*z", "x > 0, y > 0, z > 0", {x: 1, y: 1, z: 1}),
    ("x*(x - y)*(x - z) + y*(y - x)*(y - z) + z*(z - x)*(z - y) >= x*y*z/10", "x >= 0, y >= 0, z >= 0",
     {x: 1, y: 1, z: 1}),
    ("x**2 + y**2 + z**2 > x*y + y*z + z*x", "", {x: 0, y: 0, z: 0}),
]


@pytest.mark.parametrize("text,assume", TRUE_STEPS)
def test_textbook_inequalities_are_proved(text, assume):
    v = verdict(text, assume)
    assert v.status == "proved", v


@pytest.mark.parametrize("text,assume,witness", FALSE_STEPS)
def test_false_variants_are_never_proved(text, assume, witness):
    lhs, op, rhs = parse_relation(text)
    names = {s.name: s for s in (lhs - rhs).free_symbols}
    point = {names[s.name]: sympy.Integer(v) for s, v in witness.items()}
    d = (lhs - rhs).xreplace(point)
    # the independent check: the step is false at the witness (exact arithmetic)
    assert d < 0 or (d == 0 and op in ("<", ">"))
    assert verdict(text, assume).status != "proved"


def test_method_name_in_the_verdict_from_a_forked_worker():
    lhs, op, rhs = parse_relation("x*(x - y)*(x - z) + y*(y - x)*(y - z) + z*(z - x)*(z - y) >= 0")
    v = prove_step(lhs, op, rhs, parse_assumptions("x >= 0, y >= 0, z >= 0"), timeout=20)
    assert (v.status, v.method) == ("proved", "sum of squares")


def test_huge_coefficients_are_an_honest_failure():
    p = x**2 + y**2 - 2 * x * y + sympy.Integer(10) ** 400 * (x**4 + y**4)
    cert = find_certificate(p, (x, y))
    assert cert is None or verify_certificate(p, cert)


def test_motzkin_is_not_proved():
    # nonnegative but not a sum of squares: no certificate of our shapes exists
    motzkin = x**4 * y**2 + x**2 * y**4 - 3 * x**2 * y**2 + 1
    assert find_certificate(motzkin, (x, y)) is None
    v = verdict("x**4*y**2 + x**2*y**4 - 3*x**2*y**2 + 1 >= 0")
    assert v.status != "proved"
    # and a little below it is negative: the exact witness (1, 1) gives -1/100
    v = verdict("x**4*y**2 + x**2*y**4 - 3*x**2*y**2 + 99/100 >= 0")
    assert v.status != "proved"
    assert (motzkin - sympy.Rational(1, 100)).subs({x: 1, y: 1}) < 0


def test_homogeneous_motzkin_needs_the_lift():
    # the form is not a sum of squares either, but (x^2 + y^2 + z^2) times it is:
    # a valid proof of a true statement (the lift vanishes only at the origin)
    form = x**4 * y**2 + x**2 * y**4 - 3 * x**2 * y**2 * z**2 + z**6
    assert find_certificate(form, (x, y, z)) is None
    lifted = sympy.expand((x**2 + y**2 + z**2) * form)
    cert = find_certificate(lifted, (x, y, z))
    assert cert is not None and verify_certificate(lifted, cert)


def test_certificate_is_exact_and_rechecked():
    p = x**4 + y**4 + z**4 - x**2 * y**2 - y**2 * z**2 - z**2 * x**2
    cert = find_certificate(p, (x, y, z))
    assert cert is not None
    assert all(e.is_Rational for g in cert.grams for e in g)
    assert sympy.expand(cert.expression() - p) == 0
    assert verify_certificate(p, cert)
    # tamper with one Gram entry: the identity no longer holds
    bad = [g.copy() for g in cert.grams]
    bad[0][0, 0] += sympy.Rational(1, 7)
    assert not verify_certificate(p, cert._replace(grams=tuple(bad)))
    # a matching identity with an indefinite "Gram" matrix is rejected
    fake = SOSCertificate((x, y), (sympy.Integer(1),), ((x, y),), (sympy.Matrix([[1, 2], [2, 1]]),),
                          sympy.Integer(0), sympy.Integer(0))
    assert not verify_certificate(x**2 + 4 * x * y + y**2, fake)


def test_positivstellensatz_uses_assumption_multipliers():
    # Schur's inequality has no plain SOS certificate (it is negative at (-1, 0, 0))
    schur = sympy.expand(x * (x - y) * (x - z) + y * (y - x) * (y - z) + z * (z - x) * (z - y))
    assert find_certificate(schur, (x, y, z)) is None
    lifted = sympy.expand((x + y + z) * schur)
    cert = find_certificate(lifted, (x, y, z), [x, y, z, x * y, y * z, z * x])
    assert cert is not None and verify_certificate(lifted, cert)
    # without the sign assumptions the same step is not proved
    assert verdict("x*(x - y)*(x - z) + y*(y - x)*(y - z) + z*(z - x)*(z - y) >= 0").status != "proved"


def test_strict_needs_an_exact_margin():
    cert = find_certificate(x**2 - x * y + y**2 + 1, (x, y), strict_term=sympy.Integer(1))
    assert cert is not None and cert.eps > 0
    # x**2 + y**2 is zero at the origin: no eps > 0 works with h = 1
    assert find_certificate(x**2 + y**2, (x, y), strict_term=sympy.Integer(1)) is None
    assert verdict("x**2 + y**2 > 0").status != "proved"
    assert verdict("x**2 + y**2 > 0", "x > 0").status == "proved"


def test_is_psd_exact_agrees_with_sympy():
    rng = random.Random(0)
    for _ in range(60):
        n = rng.randint(1, 4)
        m = sympy.Matrix(n, n, lambda i, j: 0)
        for i, j in itertools.product(range(n), repeat=2):
            if i <= j:
                v = sympy.Rational(rng.randint(-3, 3), rng.randint(1, 3))
                m[i, j] = m[j, i] = v
        if rng.random() < 0.5:
            m = m * m.T  # PSD, often singular
        assert is_psd_exact(m) == bool(m.is_positive_semidefinite)


# -- property tests: random Gram matrices ------------------------------------------------

def _monomials(gens, degree):
    out = []
    for d in range(degree + 1):
        for combo in itertools.combinations_with_replacement(gens, d):
            out.append(sympy.Mul(*combo))
    return out


@st.composite
def sos_polynomials(draw):
    nvars = draw(st.integers(2, 3))
    gens = (x, y, z)[:nvars]
    degree = draw(st.integers(1, 2 if nvars == 2 else 1))
    basis = _monomials(gens, degree)
    n = len(basis)
    entries = draw(st.lists(st.integers(-3, 3), min_size=n * n, max_size=n * n))
    lower = sympy.Matrix(n, n, lambda i, j: entries[i * n + j] if j < i else (abs(entries[i * n + j]) + 1 if i == j else 0))
    gram = lower * lower.T  # positive definite with rational entries
    v = sympy.Matrix(basis)
    p = sympy.expand((v.T * gram * v)[0, 0])
    point = {g: sympy.Integer(draw(st.integers(-2, 2))) for g in gens}
    return p, gens, point


@given(sos_polynomials())
@settings(max_examples=15)
def test_random_sos_polynomials_are_certified(case):
    p, gens, _ = case
    cert = find_certificate(p, gens)
    assert cert is not None
    assert verify_certificate(p, cert)
    assert sympy.expand(cert.expression() - p) == 0


@given(sos_polynomials(), st.data())
@settings(max_examples=15)
def test_pushed_coefficient_is_never_certified(case, data):
    p, gens, point = case
    poly = sympy.Poly(p, *gens)
    terms = [(m, cf) for m, cf in poly.terms() if sympy.Mul(*[point[g] ** e for g, e in zip(gens, m)]) != 0]
    monom, _ = data.draw(st.sampled_from(terms))
    mono = sympy.Mul(*[g**e for g, e in zip(gens, monom)])
    at = mono.xreplace(point)
    # push one coefficient just far enough that the value at `point` is -1/2
    delta = (p.xreplace(point) + sympy.Rational(1, 2)) / at
    q = sympy.expand(p - delta * mono)
    assert q.xreplace(point) == -sympy.Rational(1, 2)  # independent exact evaluation
    assert find_certificate(q, gens) is None
    lhs, rhs = q, sympy.Integer(0)
    v = prove_step(lhs, ">=", rhs, [], timeout=10, isolate=False)
    assert v.status != "proved"


@given(sos_polynomials())
@settings(max_examples=8)
def test_random_sos_polynomials_are_proved_by_prove_step(case):
    p, gens, _ = case
    v = prove_step(p, ">=", sympy.Integer(0), [], timeout=20, isolate=False)
    assert v.status == "proved", (p, v)


# -- constrained regions: the Positivstellensatz multipliers must be sound --------------

@st.composite
def constrained_false_polynomials(draw):
    """A random polynomial on x, y >= 0 (optionally x + y <= 2), pushed so that it is
    -1/2 at a random rational point of the region."""
    with_form = draw(st.booleans())
    px = sympy.Rational(draw(st.integers(0, 4)), 2)
    py = sympy.Rational(draw(st.integers(0, 4 - 2 * px if with_form else 4)), 2)
    coeffs = draw(st.lists(st.integers(-3, 5), min_size=10, max_size=10))
    monos = [sympy.Integer(1), x, y, x**2, x * y, y**2, x**3, x**2 * y, x * y**2, y**3]
    p = sum(c * m for c, m in zip(coeffs, monos))
    k = draw(st.integers(0, 9))
    at = monos[k].xreplace({x: px, y: py})
    if at == 0:
        k, at = 0, sympy.Integer(1)
    q = sympy.expand(p - (p.xreplace({x: px, y: py}) + sympy.Rational(1, 2)) / at * monos[k])
    return q, with_form, {x: px, y: py}


@given(constrained_false_polynomials())
@settings(max_examples=20)
def test_constrained_false_polynomials_are_never_proved(case):
    import time

    from theorykit.symbolic.assumptions import Assumptions
    from theorykit.symbolic.prove_sign import SignProver, Timeout
    from theorykit.symbolic.prove_sos import sos_sign

    q, with_form, point = case
    rels = [x >= 0, y >= 0] + ([x + y <= 2] if with_form else [])
    a = Assumptions.from_relations(rels)
    assert a.satisfied_exactly({s.name: v for s, v in point.items()})
    q = a.rebind(q)
    assert q.xreplace({a.symbols[s.name]: v for s, v in point.items()}) == -sympy.Rational(1, 2)
    prover = SignProver(a, time.monotonic() + 10)
    try:
        assert sos_sign(prover, q, "nonneg", sample_first=False) is None
        assert sos_sign(prover, q, "pos", sample_first=False) is None
    except Timeout:
        pass


def test_constrained_true_polynomial_uses_the_region():
    import time

    from theorykit.symbolic.assumptions import Assumptions
    from theorykit.symbolic.prove_sign import SignProver
    from theorykit.symbolic.prove_sos import sos_sign

    # needs x + y <= 2 as a multiplier, alone and times x >= 0
    def goal(a):
        X, Y = a.symbols["x"], a.symbols["y"]
        return sympy.expand((2 - X - Y) * (X - Y) ** 2 + X * (2 - X - Y))

    a = Assumptions.from_relations([x >= 0, y >= 0, x + y <= 2])
    assert sos_sign(SignProver(a, time.monotonic() + 20), goal(a), "nonneg") == "sum of squares"
    # without x + y <= 2 it is false (x = 3, y = 0 gives -12) and must not be proved
    a = Assumptions.from_relations([x >= 0, y >= 0])
    assert goal(a).xreplace({a.symbols["x"]: 3, a.symbols["y"]: 0}) == -12
    assert sos_sign(SignProver(a, time.monotonic() + 20), goal(a), "nonneg", sample_first=False) is None
