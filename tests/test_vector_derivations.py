"""Vector and function-class derivations (theorykit.symbolic.vector).

The example files' verdicts must match examples/derivations/vector/EXPECTED.json.
Every counterexample is re-verified here by an independent exact checker that
shares no code with the engine: it reads the counterexample JSON, re-evaluates
the step text with its own ``ast`` walker in exact arithmetic, recomputes the
``let:`` vectors, checks ``assume:`` and the interpolation conditions written
as in the papers (Taylor, Hendrickx, Glineur 2017), not in the engine's scaled
polynomial form.
"""
import ast
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.errors import DerivationSyntaxError, InputError
from theorykit.symbolic.derivation import check
from theorykit.symbolic.parse import parse_assumptions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "derivations" / "vector"
EXPECTED = json.loads((EXAMPLES / "EXPECTED.json").read_text())
FILES = sorted(name for name in EXPECTED if not name.startswith("_"))

_REPORTS: dict = {}


def report_for(name):
    if name not in _REPORTS:
        _REPORTS[name] = check(EXAMPLES / name)
    return _REPORTS[name]


# ---------------------------------------------------------------- independent exact checker


def _q(text) -> sympy.Rational:
    value = Fraction(str(text))
    return sympy.Rational(value.numerator, value.denominator)


class _Evaluator:
    """Evaluates the .deriv vector syntax on explicit data (vectors are tuples of exact numbers)."""

    def __init__(self, scalars, vectors, functions, laws=None, random_lets=None):
        self.scalars = scalars
        self.vectors = vectors
        self.functions = functions  # name -> list of (coords, value, grad)
        self.laws = laws or {}  # noise -> list of (probability, coords): E(...) is the exact average
        self.random_lets = random_lets or {}  # let name -> definition text (evaluated at each atom)

    def expectation(self, node):
        import itertools

        names = list(self.laws)
        total = sympy.Integer(0)
        for atoms in itertools.product(*(self.laws[n] for n in names)):
            inner = _Evaluator(self.scalars, dict(self.vectors), self.functions)
            weight = sympy.Integer(1)
            for name, (p, coords) in zip(names, atoms):
                inner.vectors[name] = coords
                weight *= p
            for name, text in self.random_lets.items():  # in file order: later lets may use earlier ones
                inner.vectors[name] = inner.ev(ast.parse(text, mode="eval"))
            total += weight * inner.ev(node)
        return total

    def lookup(self, fname, point):
        if callable(self.functions[fname]):  # an explicit function: (value, gradient) at point
            return self.functions[fname](point)
        for coords, value, grad in self.functions[fname]:
            if coords == point:
                return value, grad
        raise AssertionError(f"counterexample has no data for {fname} at {point}")

    def ev(self, node):
        if isinstance(node, ast.Expression):
            return self.ev(node.body)
        if isinstance(node, ast.Constant):
            return _q(node.value) if not isinstance(node.value, float) else _q(repr(node.value))
        if isinstance(node, ast.Name):
            if node.id in self.vectors:
                return self.vectors[node.id]
            return self.scalars[node.id]
        if isinstance(node, ast.UnaryOp):
            value = self.ev(node.operand)
            if isinstance(node.op, ast.USub):
                return tuple(-x for x in value) if isinstance(value, tuple) else -value
            return value
        if isinstance(node, ast.BinOp):
            a, b = self.ev(node.left), self.ev(node.right)
            if isinstance(node.op, ast.Add):
                return tuple(x + y for x, y in zip(a, b)) if isinstance(a, tuple) else a + b
            if isinstance(node.op, ast.Sub):
                return tuple(x - y for x, y in zip(a, b)) if isinstance(a, tuple) else a - b
            if isinstance(node.op, ast.Mult):
                if isinstance(a, tuple):
                    return tuple(x * b for x in a)
                if isinstance(b, tuple):
                    return tuple(a * y for y in b)
                return a * b
            if isinstance(node.op, ast.Div):
                return tuple(x / b for x in a) if isinstance(a, tuple) else a / b
            if isinstance(node.op, ast.Pow):
                return a**b
        if isinstance(node, ast.Call):
            name = node.func.id
            args = node.args
            if name == "E" and self.laws:
                return self.expectation(args[0])
            if name == "grad":
                return self.lookup(args[0].id, self.ev(args[1]))[1]
            if name == "dot":
                u, v = self.ev(args[0]), self.ev(args[1])
                return sum((x * y for x, y in zip(u, v)), sympy.Integer(0))
            if name == "norm":
                v = self.ev(args[0])
                return sympy.sqrt(sum((x * x for x in v), sympy.Integer(0)))
            if name in self.functions:
                return self.lookup(name, self.ev(args[0]))[0]
        raise AssertionError(f"unexpected syntax {ast.dump(node)}")


def _pair_ok(kind, params, xi, gi, fi, xj, gj, fj) -> bool:
    """The interpolation inequality from j to i as written in the papers (exact)."""
    def dot(u, v):
        return sum((a * b for a, b in zip(u, v)), sympy.Integer(0))

    dx = tuple(a - b for a, b in zip(xi, xj))
    dg = tuple(a - b for a, b in zip(gi, gj))
    if kind in ("convex", "lipschitz_convex"):
        rhs = fj + dot(gj, dx)
    elif kind == "smooth":
        L = params["L"]
        gsum = tuple(a + b for a, b in zip(gi, gj))
        rhs = fj + dot(gsum, dx) / 2 + dot(dg, dg) / (4 * L) - L / 4 * dot(dx, dx)
    elif kind == "strongly_convex":
        rhs = fj + dot(gj, dx) + params["mu"] / 2 * dot(dx, dx)
    elif kind in ("smooth_convex", "smooth_strongly_convex"):
        L = params["L"]
        mu = params.get("mu", sympy.Integer(0))
        w = tuple(a - b / L for a, b in zip(dx, dg))
        rhs = fj + dot(gj, dx) + dot(dg, dg) / (2 * L) + mu / (2 * (1 - mu / L)) * dot(w, w)
    else:
        raise AssertionError(kind)
    return bool(fi - rhs >= 0)


def _class_of(text, has_minimizer):
    names = {m.group(1): m.group(2) for m in re.finditer(r"(\w+)\s*(?:\(([^)]*)\))?", text)}
    if "smooth" in names and "strongly_convex" in names:
        return "smooth_strongly_convex", names
    if "smooth" in names and ("convex" in names or has_minimizer or "lipschitz" in names):
        # smooth(L) alone with a minimizer: the counterexample must be a convex L-smooth
        # function (then xs, with a zero gradient, is a global minimizer); smooth(L), lipschitz(M):
        # a convex L-smooth function whose gradients stay in the hull of the data's (norm <= M)
        return "smooth_convex", names
    if "smooth" in names:
        return "smooth", names
    if "strongly_convex" in names:
        return "strongly_convex", names
    return "convex", names


def verify_counterexample(text: str, lhs: str, op: str, rhs: str, cex: dict) -> None:
    """Raise AssertionError unless ``cex`` is an exact counterexample to ``lhs op rhs``."""
    scalars = {k: _q(v) for k, v in cex["scalars"].items()}
    vectors = {k: tuple(_q(x) for x in v) for k, v in cex["vectors"].items()}
    decl, lets, assumes, minimizers, stationary = {}, [], [], [], []
    for raw in text.split("\n"):
        line = raw.split("#")[0].strip()
        if m := re.match(r"function\s+(\w+)\s*:(.*)", line):
            decl[m.group(1)] = m.group(2)
        elif m := re.match(r"let\s*:\s*(\w+)\s*=(.*)", line):
            lets.append((m.group(1), m.group(2).strip()))
        elif line.startswith("assume:"):
            assumes.append(line[len("assume:"):])
        elif m := re.match(r"(minimizer|stationary)\s*:(.*)", line):
            for piece in m.group(2).split(","):
                vec, _, fun = piece.split()
                (minimizers if m.group(1) == "minimizer" else stationary).append((vec, fun))
    dims = {len(v) for v in vectors.values()} | {len(a["value"]) for law in cex.get("noise", {}).values() for a in law}
    assert len(dims) == 1, "all vectors must have one dimension"
    functions = {}
    for fname, rows in cex["functions"].items():
        data = []
        for row in rows:
            at = vectors[row["at"]] if isinstance(row["at"], str) else tuple(_q(x) for x in row["at"])
            data.append((at, _q(row["value"]), tuple(_q(x) for x in row["grad"])))
        functions[fname] = data
    laws, random_lets = {}, dict(cex.get("random_lets", {}))
    for noise, atoms in cex.get("noise", {}).items():
        # the declaration's semantics, checked on the law itself: probabilities, mean zero
        law = [(_q(a["probability"]), tuple(_q(x) for x in a["value"])) for a in atoms]
        assert all(p >= 0 for p, _ in law) and sum(p for p, _ in law) == 1
        assert all(sum(p * v[k] for p, v in law) == 0 for k in range(len(law[0][1]))), "noise mean is not zero"
        laws[noise] = law
        second = sum(p * sum(x * x for x in v) for p, v in law)
        assert _q(cex["scalars"].get(f"E(norm({noise})**2)", second)) == second
        # assume: lines bound E(norm(e)**2): put in the law's own second moment
        assumes = [re.sub(rf"E\(\s*norm\(\s*{noise}\s*\)\s*\*\*\s*2\s*\)", f"({second})", a) for a in assumes]
    ev = _Evaluator(scalars, dict(vectors), functions, laws, random_lets)
    # the let: vectors are what their definitions say (random ones are evaluated at each atom of the law)
    for name, expr in lets:
        if name in random_lets:
            assert random_lets[name] == expr.strip()
            continue
        assert ev.ev(ast.parse(expr, mode="eval")) == vectors[name], f"let {name} does not hold"
    # assume:
    env = {sympy.Symbol(k, real=True): v for k, v in scalars.items() if not k.startswith("E(")}
    for line in assumes:
        for relation in parse_assumptions(line):
            assert bool(relation.xreplace(env)), f"assumption {relation} fails"
    # minimizers: zero gradient at xs (with the class's conditions: a global minimizer)
    for vec, fun in minimizers + stationary:
        assert ev.lookup(fun, vectors[vec])[1] == tuple([0] * len(vectors[vec]))
    # interpolation conditions of each class (pairs), and consistency at coinciding points
    for fname, data in functions.items():
        kind, params_text = _class_of(decl[fname], any(fun == fname for _, fun in minimizers))
        if cex.get("members", {}).get(fname) == "concave":
            # f = -h with h a convex member: h's data are the negated ones (only for classes
            # without convexity, and never with a global minimizer)
            assert "convex" not in decl[fname] and not any(fun == fname for _, fun in minimizers)
            data = [(x, -v, tuple(-g for g in grad)) for x, v, grad in data]
        params = {}
        for key, sym in (("smooth", "L"), ("strongly_convex", "mu"), ("lipschitz", "M")):
            if params_text.get(key):
                params[sym] = sympy.sympify(params_text[key], locals={k: sympy.Symbol(k, real=True) for k in scalars}).xreplace(env)
        if "L" in params:
            assert params["L"] > 0 and params.get("mu", 0) < params["L"]
        for i, (xi, fi_, gi) in enumerate(data):
            if "M" in params:
                assert sum(g * g for g in gi) <= params["M"] ** 2
            for j, (xj, fj_, gj) in enumerate(data):
                if i == j:
                    continue
                if xi == xj:
                    assert fi_ == fj_ and gi == gj
                assert _pair_ok(kind, params, xi, gi, fi_, xj, gj, fj_), (fname, i, j)
    # the step is violated
    left = ev.ev(ast.parse(lhs, mode="eval"))
    right = ev.ev(ast.parse(rhs, mode="eval"))
    holds = {"<=": left <= right, "<": left < right, ">=": left >= right, ">": left > right, "=": sympy.Eq(left, right)}[op]
    assert not bool(holds), f"the step holds at the counterexample: {left} {op} {right}"


# ---------------------------------------------------------------- examples


def test_there_are_enough_examples():
    on_disk = sorted(path.name for path in EXAMPLES.glob("*.deriv"))
    assert on_disk == FILES
    assert len(FILES) >= 20
    true_steps = sum(len(EXPECTED[n]["steps"]) - len(EXPECTED[n]["false_steps"]) for n in FILES)
    false_steps = sum(len(EXPECTED[n]["false_steps"]) for n in FILES)
    proved = sum(EXPECTED[n]["steps"].count("proved") for n in FILES)
    refuted = sum(EXPECTED[n]["steps"].count("refuted") for n in FILES)
    # the issue's strength targets on textbook steps
    assert proved >= 0.8 * true_steps and refuted >= 0.9 * false_steps


@pytest.mark.parametrize("name", FILES)
def test_example_verdicts(name):
    entry = EXPECTED[name]
    report = report_for(name)
    assert [s.status for s in report.steps] == entry["steps"]
    assert [c.status for c in report.chains] == entry["chains"]
    assert report.status == entry["status"]
    text = (EXAMPLES / name).read_text()
    for step in report.steps:
        # soundness: a false step is never proved, a true one never refuted
        assert (step.status == "refuted") == (step.index in entry["false_steps"]) or step.status == "unknown"
        if step.status == "refuted":
            verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), step.counterexample)
        if step.status == "proved" and step.certificate and "multipliers" in step.certificate:
            assert step.certificate["text"].startswith(step.certificate["identity"])
    for chain in report.chains:
        if chain.status == "refuted":
            first = report.steps[chain.step_indices[0]].lhs
            last = report.steps[chain.step_indices[-1]].rhs
            verify_counterexample(text, str(first), chain.relation, str(last), chain.counterexample)


def test_json_shape_of_a_counterexample():
    data = report_for("descent_lemma_wrong_constant.deriv").to_dict()
    cex = data["steps"][0]["counterexample"]
    assert set(cex) >= {"scalars", "vectors", "functions"}
    assert set(cex["vectors"]) == {"x0", "x1"}
    for row in cex["functions"]["f"]:
        assert set(row) == {"at", "value", "grad"}
        Fraction(row["value"])
        assert len(row["grad"]) == len(cex["vectors"]["x0"])
    json.dumps(data)


def test_certificate_is_reported_in_text_json_and_html():
    report = report_for("descent_lemma_gd.deriv")
    text = str(report)
    assert "certificate: RHS - LHS = " in text and "smoothness inequality" in text
    step = report.to_dict()["steps"][0]
    assert step["certificate"]["multipliers"] and step["certificate"]["identity"] == "RHS - LHS"
    assert "\\left\\|" in report._repr_html_()
    tex = report.to_latex()
    assert "\\nabla f" in tex and "\\langle" in tex and tex.count("{") == tex.count("}")


def test_a_quadratic_realizer_is_named():
    report = report_for("strong_monotonicity_wrong.deriv")
    assert "quadratic" in report.steps[0].counterexample.get("realized_by", "")


# ---------------------------------------------------------------- global minimizers of smooth(L)


def test_stationary_point_is_not_a_global_minimizer_trap():
    # true for a GLOBAL minimizer of an L-smooth function, false for a stationary point;
    # a refutation here would be a wrong refutation (issue 12)
    text = (EXAMPLES / "smooth_nonconvex_global_min.deriv").read_text()
    report = check(text)
    assert report.steps[0].status == "proved"


# ---------------------------------------------------------------- builder


def test_builder_matches_the_file_format():
    from theorykit import Derivation

    d = Derivation(functions={"f": "smooth(L), convex"}, vectors=["x0", "xs"], minimizers={"xs": "f"},
                   let={"x1": "x0 - eta*grad(f, x0)"}, assume=["L > 0", "eta > 0", "eta <= 1/L"])
    assert isinstance(d, Derivation)
    d.start("f(x1)").le("f(x0) + dot(grad(f, x0), x1 - x0) + L/2*norm(x1 - x0)**2", by="smoothness")
    d.le("f(x0) - eta/2*norm(grad(f, x0))**2")
    d.claim("f(x1) - f(xs)", "<=", "f(x0) - f(xs) - eta*norm(grad(f, x0))**2")
    report = d.check()
    assert [s.status for s in report.steps] == ["proved", "proved", "refuted"]
    assert report.chains[0].status == "proved"
    # numbered by call order, as in the scalar builder
    assert [s.line for s in report.steps] == [2, 3, 4] and report.chains[0].start_line == 1


def test_builder_rejects_injection_and_type_errors():
    from theorykit import Derivation

    with pytest.raises(InputError):
        Derivation(functions={"f": "convex"}, vectors=["x"], let={"y": "x\nclaim: 0 <= 1"})
    d = Derivation(functions={"f": "convex"}, vectors=["x"])
    with pytest.raises(InputError, match="cannot add a vector to a scalar"):
        d.claim("f(x) + x", "<=", "0").check()


# ---------------------------------------------------------------- hostile input

HEADER = "function f: convex\nvectors: x, y\n"
HOSTILE = [
    (HEADER + "claim: f(x) + x <= 0\n", 3, "cannot add a vector to a scalar"),
    (HEADER + "claim: dot(1, x) <= 0\n", 3, "must be a vector"),
    (HEADER + "claim: f(2) <= 0\n", 3, "must be a vector"),
    (HEADER + "claim: norm(x) <= y\n", 3, "expected a scalar here, got a vector"),
    (HEADER + "claim: g(x) <= 0\n", 3, "unknown function 'g'"),
    (HEADER + "claim: grad(g, x) <= 0\n", 3, "undeclared function 'g'"),
    (HEADER + "minimizer: x of g\nclaim: f(x) <= f(y)\n", 3, "undeclared function 'g'"),
    (HEADER + "minimizer: z of f\nclaim: f(x) <= f(y)\n", 3, "not a declared vector"),
    ("function f: wobbly(L)\nvectors: x\nclaim: f(x) <= 0\n", 1, "unknown function class"),
    ("function f: lipschitz\nvectors: x\nclaim: f(x) <= 0\n", 1, "needs a parameter"),
    ("function f: lipschitz(M), lipschitz(N)\nvectors: x\nclaim: f(x) <= 0\n", 1, "given twice"),
    (HEADER + "let: z = x + w\nclaim: f(z) <= 0\n", 3, "cannot add a scalar to a vector"),
    (HEADER + "let: z = norm(x)\nclaim: f(x) <= 0\n", 3, "scalar"),
    (HEADER + "claim: f(x)*x <= 0\n", 3, "expected a scalar"),
    (HEADER + "claim: x*y <= 0\n", 3, "cannot multiply two vectors"),
    (HEADER + "claim: f(x) <= __import__('os')\n", 3, "double underscores"),
    (HEADER + "claim: f(x).real <= 0\n", 3, "attribute"),
    (HEADER + "claim: (lambda: 0)() <= f(x)\n", 3, "only calls"),
    (HEADER + "claim: x**2 <= 0\n", 3, "cannot raise a vector"),
    (HEADER + "vectors: x\nclaim: f(x) <= 0\n", 3, "already declared"),
    (HEADER + "claim: f(x) <= 1/0\n", 3, "division by zero"),
    ("function f: smooth(x)\nvectors: x\nclaim: f(x) <= 0\n", 1, "must be a scalar"),
    (HEADER + "claim: sqrt(dot(x, y)) >= 0\n", 3, "use norm(v)"),
    (HEADER + "claim: f(x) <= F__f__0\n", 3, "double underscores"),
    ("function f__0: convex\nvectors: x\nclaim: 0 <= 1\n", 1, "double underscores"),
    ("function f: smooth(G__x__x)\nvectors: x\nclaim: f(x) <= 0\n", 1, "must be a scalar"),
    (HEADER + "assume: G__x__x > 0\nclaim: f(x) <= f(y)\n", 3, "double underscores"),
    (HEADER + "claim: dot(x, y)**(1/2) >= 0\n", 3, "positive integer"),
    (HEADER + "function x: convex\nclaim: f(x) <= 0\n", 3, "already declared"),
    (HEADER + "minimizer: x of f, x of f\nclaim: f(x) <= f(y)\n", 3, "already a minimizer"),
    (HEADER + "let: z = grad(f, z)\nclaim: f(x) <= 0\n", 3, "not a declared vector"),
    (HEADER + "stationary: x of g\nclaim: f(x) <= f(y)\n", 3, "stationary of an undeclared function 'g'"),
    (HEADER + "stationary: z of f\nclaim: f(x) <= f(y)\n", 3, "not a declared vector"),
    (HEADER + "stationary: x f\nclaim: f(x) <= f(y)\n", 3, "expected 'stationary: xs of f'"),
    (HEADER + "minimizer: x of f\nstationary: x of f\nclaim: f(x) <= f(y)\n", 4, "already a minimizer of f"),
]


@pytest.mark.parametrize("text,line,message", HOSTILE)
def test_hostile_input_gets_a_located_error(text, line, message):
    with pytest.raises(DerivationSyntaxError) as info:
        check(text)
    assert info.value.line == line
    assert info.value.column >= 1
    assert message in str(info.value)


def test_type_error_column_points_at_the_operator():
    with pytest.raises(DerivationSyntaxError) as info:
        check(HEADER + "claim: 1 <= f(x) + x\n")
    assert (info.value.line, info.value.column) == (3, 13)


def test_scalar_files_are_untouched():
    report = check("assume: L > 0\nclaim: L + 1 > L\n")
    assert report.steps[0].status == "proved"
    assert report.steps[0].certificate is None


# ---------------------------------------------------------------- property tests

_COEFF = st.fractions(min_value=0, max_value=4, max_denominator=6)


def _smooth_convex_ineq(i, j):
    # f(i) >= f(j) + <g_j, i - j> + 1/(2L)||g_i - g_j||^2, as "expr >= 0" text
    return (f"(f({i}) - f({j}) - dot(grad(f, {j}), {i} - {j}) "
            f"- 1/(2*L)*norm(grad(f, {i}) - grad(f, {j}))**2)")


@settings(max_examples=4, deadline=None)
@given(l1=_COEFF, l2=_COEFF, w=_COEFF, a=st.integers(-2, 2), b=st.integers(-2, 2))
def test_random_nonnegative_combinations_are_proved(l1, l2, w, a, b):
    combo = (f"{l1}*{_smooth_convex_ineq('x', 'y')} + {l2}*{_smooth_convex_ineq('y', 'x')} "
             f"+ {w}*norm({a}*x - y + {b}*grad(f, x))**2")
    text = f"function f: smooth(L), convex\nvectors: x, y\nassume: L > 0\nclaim: {combo} >= 0\n"
    assert check(text).steps[0].status == "proved"


@settings(max_examples=4, deadline=None)
@given(l1=st.fractions(min_value=Fraction(1, 4), max_value=4, max_denominator=6), extra=st.integers(1, 3))
def test_one_coefficient_too_large_is_never_proved(l1, extra):
    # 1/(2L) made (1 + extra)/(2L): the quadratic L/2*||x||^2 makes the inequality fail
    wrong = (f"(f(x) - f(y) - dot(grad(f, y), x - y) "
             f"- {1 + extra}/(2*L)*norm(grad(f, x) - grad(f, y))**2)")
    text = f"function f: smooth(L), convex\nvectors: x, y\nassume: L > 0\nclaim: {l1}*{wrong} >= 0\n"
    report = check(text)
    assert report.steps[0].status != "proved"
    if report.steps[0].status == "refuted":
        verify_counterexample(text, str(report.steps[0].lhs), ">=", "0", report.steps[0].counterexample)


# ---------------------------------------------------------------- PEPit as an independent oracle


def _pepit_gd_convex(L, gamma):
    from PEPit import PEP
    from PEPit.functions import SmoothConvexFunction

    problem = PEP()
    func = problem.declare_function(SmoothConvexFunction, L=L)
    xs = func.stationary_point()
    fs = func(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x1 = x0 - gamma * func.gradient(x0)
    problem.set_performance_metric(func(x1) - fs)
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL") if _pepit_takes_solver() else problem.solve(verbose=0)


def _pepit_takes_solver():
    import inspect

    from PEPit import PEP

    return "solver" in inspect.signature(PEP.solve).parameters


def test_pepit_worst_case_matches_the_certificate():
    pytest.importorskip("PEPit")
    # GD with eta = 1/L, one step: worst case L/6*||x0 - xs||^2 (Drori & Teboulle 2014)
    tau = _pepit_gd_convex(1.0, 1.0)
    assert abs(tau - 1 / 6) < 1e-4
    base = ("function f: smooth(L), convex\nvectors: x0, xs\nminimizer: xs of f\n"
            "let: x1 = x0 - 1/L*grad(f, x0)\nassume: L > 0\n")
    proved = check(base + "claim: f(x1) - f(xs) <= L/6*norm(x0 - xs)**2\n")
    assert proved.steps[0].status == "proved"
    below = check(base + f"claim: f(x1) - f(xs) <= {Fraction(tau - 1e-3).limit_denominator(10**6)}*L*norm(x0 - xs)**2\n")
    assert below.steps[0].status == "refuted"


def test_tight_constants_strict_steps_and_free_scalars():
    # Drori-Teboulle: after one step of GD with eta = 1/L, f(x1) - f* <= L/6 ||x0 - xs||^2 is tight
    text = ("function f: smooth(L), convex\nvectors: x0, xs\nminimizer: xs of f\n"
            "let: x1 = x0 - 1/L*grad(f, x0)\nassume: L > 0\n"
            "claim: f(x1) - f(xs) < 1 + L*norm(x0 - xs)**2\n"      # strict, with a positive constant
            "claim: f(x0) <= f(x0) + c*norm(x0)**2\n"              # c is free: false for c < 0
            "claim: f(x1) - f(xs) <= L/6*norm(x0 - xs)**2\n"
            "claim: f(x1) - f(xs) <= L/7*norm(x0 - xs)**2\n"
            "claim: f(x1) - f(xs) >= 0\n"
            "claim: f(x1) - f(xs) > 0\n")
    report = check(text)
    assert [s.status for s in report.steps] == ["proved", "refuted", "proved", "refuted", "proved", "refuted"]
    for step in report.steps:
        if step.status == "refuted":
            verify_counterexample(text, str(step.lhs), step.relation, str(step.rhs), step.counterexample)


def test_assume_cannot_constrain_a_vector():
    with pytest.raises(DerivationSyntaxError, match="not a scalar"):
        check("function f: convex\nvectors: x\nassume: x > 0\nclaim: f(x) <= f(x)\n")


# ---------------------------------------------------------------- catalog: derivation scope

GENERAL = ("gd.descent_lemma", "gd.convex_rate", "gd.strongly_convex_rate", "gd.nonconvex_gradient_norm",
           "smoothness.quadratic", "convexity.first_order", "landscape.chord_convexity",
           "landscape.stationary_is_global", "linesearch.armijo", "momentum.nesterov_rate", "sgd.convex_rate")


def test_class_theorems_are_derived_in_general():
    from theorykit.claims import registry

    for claim_id in GENERAL:
        assert registry.get_claim(claim_id).derivation_scope == "general", claim_id
    # the last two class claims that were reduced (docs/ARCHITECTURE.md, "Derivation scope")
    for claim_id in ("gd.convex_rate_tight", "sgd.convex_rate"):
        assert registry.get_claim(claim_id).derivation_scope == "general", claim_id


def test_scope_travels_through_json_and_tables():
    from theorykit.claims.result import ClaimResult
    from theorykit.report.markdown import markdown_table

    base = {"claim_id": "gd.descent_lemma", "title": "t", "kind": "tight bound", "statement": "x",
            "statement_latex": "x", "derivation_status": "proved", "derivation": None, "checks": [],
            "mutants": [], "oracle": None, "status": "verified", "message": "", "seed": 0, "backend": "numpy",
            "versions": {}, "sources": []}
    old = ClaimResult.from_dict(dict(base))  # results saved before the field existed
    assert old.derivation_scope == "reduced"
    new = ClaimResult.from_dict({**base, "derivation_scope": "general"})
    assert new.to_dict()["derivation_scope"] == "general"
    assert "proved (general)" in markdown_table([new]) and "proved (reduced)" in markdown_table([old])
    with pytest.raises(ValueError):
        ClaimResult.from_dict({**base, "derivation_scope": "everything"})


def test_too_many_points_is_an_honest_unknown():
    names = ", ".join(f"v{k}" for k in range(12))
    total = " + ".join(f"f(v{k})" for k in range(12))
    report = check(f"function f: convex\nvectors: {names}\nclaim: {total} >= 0\n")
    assert report.steps[0].status == "unknown" and "too many" in report.steps[0].method


def _pepit_solve(problem):
    return problem.solve(verbose=0, wrapper="cvxpy", solver="CLARABEL") if _pepit_takes_solver() else problem.solve(verbose=0)


def test_pepit_agrees_on_the_contraction_and_the_descent_lemma():
    pytest.importorskip("PEPit")
    from PEPit import PEP
    from PEPit.functions import SmoothFunction, SmoothStronglyConvexFunction

    # ||x1 - x*||^2 / ||x0 - x*||^2 for eta = 2/(mu + L), mu = 1/10, L = 1: ((L - mu)/(L + mu))^2
    problem = PEP()
    func = problem.declare_function(SmoothStronglyConvexFunction, mu=0.1, L=1.0)
    xs = func.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x1 = x0 - 2 / 1.1 * func.gradient(x0)
    problem.set_performance_metric((x1 - xs) ** 2)
    assert abs(_pepit_solve(problem) - (0.9 / 1.1) ** 2) < 1e-4
    report = check(EXAMPLES / "gd_strongly_convex_contraction.deriv")
    assert report.steps[0].status == "proved"
    # the descent lemma is tight on smooth(L): the worst case of f(x1) - f(x0) + c ||g0||^2 over
    # ||g0|| <= 1 is 0 for c = eta(1 - L eta/2) = 3/8 and c - 3/8 = 1/40 for c = 2/5
    for c, expected in ((0.375, 0.0), (0.4, 0.025)):
        problem = PEP()
        func = problem.declare_function(SmoothFunction, L=1.0)
        x0 = problem.set_initial_point()
        g0, f0 = func.oracle(x0)
        problem.set_initial_condition(g0**2 <= 1)
        x1 = x0 - 0.5 * g0
        problem.set_performance_metric(func(x1) - f0 + c * g0**2)
        assert abs(_pepit_solve(problem) - expected) < 1e-4
    base = ("function f: smooth(L)\nvectors: x0\nlet: x1 = x0 - eta*grad(f, x0)\nassume: L = 1, eta = 1/2\n")
    assert check(base + "claim: f(x1) - f(x0) <= -3/8*norm(grad(f, x0))**2\n").steps[0].status == "proved"
    assert check(base + "claim: f(x1) - f(x0) <= -2/5*norm(grad(f, x0))**2\n").steps[0].status == "refuted"


# ---------------------------------------------------------------- red team: random steps

_C = st.sampled_from([Fraction(v) for v in ("0", "1", "-1", "1/2", "-1/2", "2", "-2", "3/2")])


@settings(max_examples=8, deadline=None)
@given(c1=_C, c2=_C, c3=_C, c4=_C, seed=st.integers(0, 10**6))
def test_random_steps_are_never_proved_false_nor_refuted_true(c1, c2, c3, c4, seed):
    """A proved random step holds on random quadratics of the class (exactly); a refuted one's
    counterexample passes the independent checker."""
    import random

    lhs = (f"({c1})*(f(x) - f(y)) + ({c2})*dot(grad(f, y), x - y) "
           f"+ ({c3})/L*norm(grad(f, x) - grad(f, y))**2 + ({c4})*L*norm(x - y)**2")
    text = f"function f: smooth(L), convex\nvectors: x, y\nassume: L > 0\nclaim: {lhs} >= 0\n"
    step = check(text).steps[0]
    if step.status == "refuted":
        verify_counterexample(text, str(step.lhs), ">=", "0", step.counterexample)
    if step.status != "proved":
        return
    rng = random.Random(seed)
    for _ in range(10):
        L = _q(Fraction(rng.randint(1, 8), rng.randint(1, 3)))
        a = [L * _q(Fraction(rng.randint(0, 4), 4)) for _ in range(3)]  # curvatures in [0, L]
        b = [_q(rng.randint(-3, 3)) for _ in range(3)]

        def f(point, a=a, b=b):
            value = sum((ai * p * p / 2 + bi * p for ai, bi, p in zip(a, b, point)), sympy.Integer(0))
            return value, tuple(ai * p + bi for ai, bi, p in zip(a, b, point))

        vecs = {v: tuple(_q(Fraction(rng.randint(-5, 5), rng.randint(1, 3))) for _ in range(3)) for v in "xy"}
        value = _Evaluator({"L": L}, vecs, {"f": f}).ev(ast.parse(lhs, mode="eval"))
        assert value >= 0, (lhs, L, a, b, vecs, value)


def test_huber_functions_are_recognised():
    from theorykit.symbolic.vector.classes import FunctionClass
    from theorykit.symbolic.vector.refute import _huber_note

    q = sympy.Rational
    # 1*huber_1(x): x = -3 is in the linear zone, x = 1/2 in the quadratic one
    data = [((q(-3),), (q(-1),), q(5, 2)), ((q(1, 2),), (q(1, 2),), q(1, 8))]
    cls = FunctionClass("smooth_convex", L=sympy.Symbol("L", real=True))
    note = _huber_note("f", cls, data, {sympy.Symbol("L", real=True): q(1)})
    assert note and "Huber" in note
    # the same data with one value off is not a Huber function
    bad = [data[0], ((q(1, 2),), (q(1, 2),), q(1, 4))]
    assert _huber_note("f", cls, bad, {sympy.Symbol("L", real=True): q(1)}) is None


def test_stationary_point_from_the_builder_is_not_a_minimizer():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(functions={"f": "smooth(L)"}, vectors=["xs", "y"], stationary={"xs": "f"}, assume=["L > 0"])
    d.claim("f(y)", ">=", "f(xs) - L/2*norm(y - xs)**2")
    d.claim("f(y)", ">=", "f(xs)")
    report = d.check()
    assert [s.status for s in report.steps] == ["proved", "refuted"]
    cex = report.steps[1].counterexample
    verify_counterexample(d.to_text(), "f(y)", ">=", "f(xs)", cex)


def test_declaration_words_are_not_single_use_names():
    from theorykit.symbolic.lint import single_use_names

    text = (EXAMPLES / "pl_from_strong_convexity.deriv").read_text()
    names = {w.name for w in single_use_names(text)}
    assert not names & {"function", "vectors", "minimizer", "of", "smooth", "strongly_convex", "grad", "norm"}
    # a real typo in a vector file is still caught
    typo = "function f: convex\nvectors: x, y\nassume: eta > 0\nclaim: f(x) <= f(y) + eta*norm(x - y)**2\n" \
           "claim: f(x) <= f(y) + etta*norm(x - y)**2\n"
    assert "etta" in {w.name for w in single_use_names(typo)}
