"""Refutations: explicit finite counterexamples, checked in exact arithmetic.

The worst case of a step at fixed rational parameter values is a small SDP in
the Gram matrix G and the function values (PEP). A second solve keeps a good
part of the violation while pushing every interpolation inequality strictly
inside, so that rounding the factor of G to rationals keeps them satisfied.
The rounded data are then checked *exactly*: the class's interpolation
inequalities (which make the data those of an actual member of the class, by
the interpolation theorems), coinciding points, ``assume:``, and the violation
of the step. Anything that fails the exact check is dropped.
"""
from __future__ import annotations

from fractions import Fraction

import warnings

import numpy as np
import sympy

from .certificate import _numeric_forms, numeric_value
from .problem import StepProblem

__all__ = ["find_counterexample", "exact_check"]


def _solve_worst(problem: StepProblem, point: dict, bound: float):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # inaccurate solutions are caught by the exact check
        return _solve_worst_quietly(problem, point, bound)


def _solve_worst_quietly(problem: StepProblem, point: dict, bound: float):
    import cvxpy as cp

    variables = problem.variables
    index = {v: k for k, v in enumerate(variables)}
    n = len(problem.basis)
    m = len(problem.values)
    G = cp.Variable((n, n), PSD=True) if n else None
    F = cp.Variable(m) if m else None

    def expr(form):
        total = numeric_value(form.const, point)
        for v, c in form.coeffs.items():
            k = index[v]
            cv = numeric_value(c, point)
            if k < m:
                total = total + cv * F[k]
            else:
                i, j = list(problem.gram)[k - m]
                total = total + cv * G[i, j]
        return total

    target = expr(problem.target)
    ineqs = [expr(f) for f in problem.refutation_forms]
    cons = []
    if n:
        cons.append(cp.trace(G) <= bound)
    if m:
        cons += [F <= bound, F >= -bound]
    # phase 1: the largest violation (target as negative as possible)
    prob = cp.Problem(cp.Minimize(target), cons + [q >= 0 for q in ineqs])
    try:
        prob.solve(solver=cp.CLARABEL)
    except Exception:  # noqa: BLE001
        return None
    if prob.status not in ("optimal", "optimal_inaccurate") or prob.value is None:
        return None
    worst = float(prob.value)
    if worst > -1e-7 and not (problem.strict and worst <= 1e-9):
        return None
    # phase 2: keep part of the violation, maximize the smallest slack
    s = cp.Variable()
    keep = target <= (worst / 2 if worst < -1e-7 else 0)
    extra = [s <= 1]
    prob2 = cp.Problem(cp.Maximize(s), cons + [keep] + [q >= s for q in ineqs] + extra)
    try:
        prob2.solve(solver=cp.CLARABEL)
    except Exception:  # noqa: BLE001
        prob2 = None
    use = prob2 if prob2 is not None and prob2.status in ("optimal", "optimal_inaccurate") else prob
    if use is prob:
        prob.solve(solver=cp.CLARABEL)
    Gv = np.array(G.value) if n else np.zeros((0, 0))
    Fv = np.array(F.value) if m else np.zeros(0)
    return Gv, Fv


def _factors(G: np.ndarray):
    """Factors X with X X^T ~ G (rows = coordinates of the basis vectors), lowest rank first."""
    if G.size == 0:
        yield np.zeros((0, 1))
        return
    w, U = np.linalg.eigh((G + G.T) / 2)
    order = np.argsort(w)[::-1]
    w, U = w[order], U[:, order]
    rank = int(np.sum(w > 1e-7 * max(1.0, float(np.max(np.abs(w))))))
    if rank == 0:
        yield np.zeros((G.shape[0], 1))
        return
    for k in range(1, rank + 1):
        yield U[:, :k] * np.sqrt(w[:k])


def _drop_zero_columns(coords: dict) -> dict:
    if not coords:
        return coords
    dim = max(len(c) for c in coords.values())
    keep = [k for k in range(dim) if any(c[k] != 0 for c in coords.values())] or [0]
    return {name: [c[k] for k in keep] for name, c in coords.items()}


def _round(x: float, den: int) -> Fraction:
    return Fraction(round(x * den), den)


def find_counterexample(problem: StepProblem, points: list, assumptions, deadline: float, time_left):
    """An exactly checked counterexample dict (the fixed JSON shape), or None."""
    for point in points:
        if time_left() < 0.5:
            return None
        for bound in (10.0, 1000.0):
            solved = _solve_worst(problem, point, bound)
            if solved is None:
                continue
            Gv, Fv = solved
            for X in _factors(Gv):
                for den in (1, 2, 4, 8, 16, 64, 256, 1024, 2**14, 2**20):
                    coords = {problem.basis[i]: [_round(x, den) for x in X[i]] for i in range(len(problem.basis))}
                    coords = _drop_zero_columns(coords)
                    fvals = [_round(v, den) for v in Fv]
                    result = exact_check(problem, point, coords, fvals, assumptions)
                    if result is not None:
                        return result
                    if time_left() < 0.3:
                        return None
            if problem.target.const == 0:
                break  # homogeneous: a larger box changes nothing
    return None


def _q(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def exact_check(problem: StepProblem, point: dict, coords: dict, fvals: list, assumptions):
    """Check a candidate exactly; returns the counterexample dict or None."""
    ctx = problem.ctx
    dim = max((len(c) for c in coords.values()), default=1) or 1
    vec = {name: [_q(x) for x in c] + [sympy.Integer(0)] * (dim - len(c)) for name, c in coords.items()}

    def location(v):
        out = [sympy.Integer(0)] * dim
        for name, coeff in v.terms:
            c = coeff.xreplace({s: point[s.name] for s in coeff.free_symbols if s.name in point})
            if c.free_symbols or not c.is_Rational:
                return None
            for k in range(dim):
                out[k] += c * vec[name][k]
        return out

    subs = {}
    for (i, j), g in problem.gram.items():
        a, b = problem.basis[i], problem.basis[j]
        subs[g] = sum((x * y for x, y in zip(vec[a], vec[b])), sympy.Integer(0))
    for v, val in zip(problem.values, fvals):
        subs[v] = _q(val)
    for s in problem.parameters:
        if s.name not in point:
            return None
        subs[s] = point[s.name]
    scal = {sympy.Symbol(n, real=True): v for n, v in point.items()}
    # the step is violated
    t = (sum((c * v for v, c in problem.target.coeffs.items()), sympy.Integer(0)) + problem.target.const)
    t = t.xreplace(subs).xreplace(scal)
    if not t.is_Rational:
        return None
    if (problem.strict and t > 0) or (not problem.strict and t >= 0):
        return None
    if problem.violated is not None and not problem.violated(subs, scal):
        return None  # the step as written must fail too (see check._norm_bound)
    # assumptions
    if assumptions is not None and hasattr(assumptions, "satisfied_exactly"):
        if not assumptions.satisfied_exactly({k: v for k, v in point.items()}):
            return None
    # class parameters must be in range at this point
    from .classes import parameter_conditions

    for cls in ctx.functions.values():
        for expr, rel in parameter_conditions(cls):
            val = expr.xreplace(scal)
            if not val.is_Rational or (rel == ">" and val <= 0) or (rel == ">=" and val < 0):
                return None
    # interpolation conditions (exact)
    for q in problem.refutation_inequalities:
        val = q.expr.xreplace(subs).xreplace(scal)
        if not val.is_Rational or val < 0:
            return None
    # points that coincide must carry the same value and gradient
    located = []
    for p in ctx.points:
        loc = location(p.location)
        if loc is None:
            return None
        grad = [sympy.Integer(0)] * dim if p.grad is None else vec[p.grad]
        located.append((p, loc, grad, subs[p.value]))
    for a in range(len(located)):
        for b in range(a + 1, len(located)):
            pa, la, ga, fa = located[a]
            pb, lb, gb, fb = located[b]
            if pa.function == pb.function and la == lb and (ga != gb or fa != fb):
                return None
    return _as_json(problem, point, vec, located, dim)


def _as_json(problem, point, vec, located, dim):
    ctx = problem.ctx
    scalars = {name: str(value) for name, value in sorted(point.items())}
    vectors = {}
    for name in ctx.vectors:
        vectors[name] = [str(x) for x in vec[name]]
    for name in ctx.let_order:
        if ctx.random(ctx.lets[name]):
            continue  # a let in a noise vector is random: noise.with_noise gives its definition and the law
        total = [sympy.Integer(0)] * dim
        for b, coeff in ctx.lets[name].terms:
            c = coeff.xreplace({s: point[s.name] for s in coeff.free_symbols if s.name in point})
            for k in range(dim):
                total[k] += c * vec[b][k]
        vectors[name] = [str(x) for x in total]
    functions = {}
    for p, loc, grad, value in located:
        at = p.label if not p.label.startswith("@") else [str(x) for x in loc]
        functions.setdefault(p.function, []).append(
            {"at": at, "value": str(value), "grad": [str(x) for x in grad]})
    out = {"scalars": scalars, "vectors": vectors, "functions": functions}
    note = _simple_member(problem, located, point)
    if problem.members:  # refuted with concave members: f = -h, h convex (see problem.concave_variant)
        out["members"] = dict(problem.members)
        concave = "; ".join(f"{name} is concave: -{name} takes the negated data, which the convex members' "
                            "interpolation conditions certify" for name in sorted(problem.members))
        note = f"{note}; {concave}" if note else concave
    if note:
        out["realized_by"] = note
    return out


def _simple_member(problem, located, point):
    """Name a simple member of the class that fits the data (a quadratic, a Huber function), if any."""
    scal = {sympy.Symbol(n, real=True): v for n, v in point.items()}
    notes = []
    for name, cls in problem.ctx.functions.items():
        data = [(loc, grad, value) for p, loc, grad, value in located if p.function == name]
        note = _quadratic_note(name, cls, data, scal) or _huber_note(name, cls, data, scal)
        if note:
            notes.append(note)
    return "; ".join(notes) if notes else None


def _value(expr, scal):
    return expr.xreplace(scal) if expr is not None else None


def _quadratic_note(name, cls, data, scal):
    """a + <b, x> + h/2 ||x||^2 with h in the class's curvature range."""
    h = None
    for a in range(len(data)):
        for b in range(len(data)):
            dx = [x - y for x, y in zip(data[a][0], data[b][0])]
            if any(x != 0 for x in dx):
                k = next(i for i, x in enumerate(dx) if x != 0)
                h = (data[a][1][k] - data[b][1][k]) / dx[k]
                break
        if h is not None:
            break
    if h is None or cls.M is not None:  # a quadratic (other than affine) is not Lipschitz on R^d
        return None
    lo = -_value(cls.L, scal) if cls.kind == "smooth" else (_value(cls.mu, scal) if cls.mu is not None else 0)
    hi = _value(cls.L, scal)
    if h < lo or (hi is not None and h > hi):
        return None
    x0, g0, f0 = data[0]
    b = [g - h * x for g, x in zip(g0, x0)]
    a = f0 - sum(bi * xi for bi, xi in zip(b, x0)) - h / 2 * sum(x * x for x in x0)
    for x, g, f in data:
        if [h * xi + bi for xi, bi in zip(x, b)] != list(g):
            return None
        if a + sum(bi * xi for bi, xi in zip(b, x)) + h / 2 * sum(xi * xi for xi in x) != f:
            return None
    terms = [f"{h / 2}*||x||^2"] if h != 0 else []
    if any(v != 0 for v in b):
        terms.append(f"<({', '.join(str(v) for v in b)}), x>")
    if a != 0 or not terms:
        terms.append(str(a))
    text = (f"{name}(x) = " + " + ".join(terms)).replace("+ -", "- ")
    return f"the {'affine function' if h == 0 else 'quadratic'} {text}"


def _huber_note(name, cls, data, scal):
    """In dimension 1: a + k*huber_delta(x - c) (k/2 t^2 for |t| <= delta, else k(delta|t| - delta^2/2)),
    convex, k-smooth, with subgradients of size at most k*delta."""
    if not data or any(len(x) != 1 for x, _, _ in data):
        return None
    if cls.kind == "strongly_convex" or (cls.kind == "smooth_strongly_convex" and _value(cls.mu, scal) != 0):
        return None  # a Huber function is not strongly convex
    L = _value(cls.L, scal)
    curvatures = set()
    for xa, ga, _ in data:
        for xb, gb, _ in data:
            if xa[0] != xb[0] and ga[0] != gb[0]:
                curvatures.add((ga[0] - gb[0]) / (xa[0] - xb[0]))
    if L is not None:
        curvatures.add(L)
    for k in sorted(c for c in curvatures if c > 0):
        if L is not None and k > L:
            continue
        delta = max(abs(g[0]) for _, g, _ in data) / k
        if delta == 0:
            continue
        for xi, gi, fi in data:
            if abs(gi[0]) >= k * delta:
                continue  # not known to be in the quadratic zone
            c = xi[0] - gi[0] / k

            def huber(t):
                return k * t * t / 2 if abs(t) <= delta else k * (delta * abs(t) - delta * delta / 2)

            a = fi - huber(xi[0] - c)
            ok = all(g[0] == k * max(-delta, min(delta, x[0] - c)) and f == a + huber(x[0] - c) for x, g, f in data)
            if ok and cls.M is not None and k * delta > _value(cls.M, scal):
                ok = False
            if ok:
                return f"the Huber function {name}(x) = {a} + {k}*huber_{delta}(x - {c})"
    return None
