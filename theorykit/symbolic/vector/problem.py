"""A step as a linear problem in the Gram matrix and the function values.

After the ``let:`` definitions and the minimizers are substituted, both sides
of a step are expressions in the scalars and in the placeholders ``F`` (function
values) and ``G`` (Gram entries). A step is *in scope* when its difference is
affine in those placeholders: then it holds for the whole class iff it follows
from the interpolation inequalities (also affine in them) and G being PSD.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from fractions import Fraction

import sympy

from .classes import Inequality, interpolation_inequalities
from .syntax import VectorContext, gram_symbol

__all__ = ["LinearForm", "StepProblem", "linear_form", "build_problem", "sample_parameters"]


@dataclass
class LinearForm:
    coeffs: dict  # placeholder symbol -> coefficient (SymPy, in the scalars)
    const: sympy.Expr


def linear_form(expr: sympy.Expr, variables: list) -> LinearForm | None:
    """``expr`` as an affine function of ``variables``, or None when it is not affine."""
    expr = sympy.expand(expr)
    if not variables:
        return LinearForm({}, expr)
    try:
        poly = sympy.Poly(expr, *variables)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() > 1:
        return None
    coeffs = {}
    for v in variables:
        c = poly.coeff_monomial(v)
        if c != 0:
            coeffs[v] = c
    const = poly.coeff_monomial(1)
    if any(s in variables for c in list(coeffs.values()) + [const] for s in c.free_symbols):
        return None
    return LinearForm(coeffs, const)


@dataclass
class StepProblem:
    """Everything the certificate search and the refutation search need for one step."""

    ctx: VectorContext
    basis: list  # basis vector names
    values: list  # F placeholders
    gram: dict  # (i, j) with i <= j -> G placeholder
    target: LinearForm  # the step holds iff target >= 0 (or > 0 when strict)
    strict: bool
    inequalities: list  # Inequality
    forms: list  # LinearForm per inequality
    parameters: list  # scalar symbols
    refutation_inequalities: list  # Inequality used to validate refutations
    refutation_forms: list
    members: dict = field(default_factory=dict)  # function -> "concave" when refuting with -h, h convex
    violated: object = None  # optional exact test (placeholder values, scalars) -> the written step fails

    @property
    def variables(self) -> list:
        return list(self.values) + list(self.gram.values())


def _all_inequalities(ctx: VectorContext, *, convex_variant: bool) -> list[Inequality]:
    out = []
    for name, cls in ctx.functions.items():
        points = [p for p in ctx.points if p.function == name]
        mins = [i for i, p in enumerate(points) if p.grad is None and not p.stationary]
        # refutations: smooth(L) with a global minimizer, and classes without an interpolation theorem,
        # are searched among convex members (see classes.py)
        variant = convex_variant and (bool(mins) or cls.refutes_with_convex_members)
        out += interpolation_inequalities(cls, points, mins, convex_variant=variant)
    return out


def build_problem(ctx: VectorContext, lhs, op: str, rhs, rewrite=None) -> StepProblem | None:
    """The step ``lhs op rhs`` as a :class:`StepProblem`; None when it is out of scope.

    ``rewrite`` (e.g. the substitution of ``assume:`` definitions such as ``L = 1``)
    is applied to the step and to every interpolation inequality.
    """
    rewrite = rewrite or (lambda e: e)
    lhs, rhs = rewrite(lhs), rewrite(rhs)
    if op in ("<=", "<"):
        target = rhs - lhs
    else:
        target = lhs - rhs
    basis = list(ctx.basis)
    gram = {}
    for i, a in enumerate(basis):
        for j in range(i, len(basis)):
            gram[(i, j)] = gram_symbol(a, basis[j])
    values = [p.value for p in ctx.points]
    variables = values + list(gram.values())
    form = linear_form(target, variables)
    if form is None:
        return None
    inequalities = [replace(q, expr=sympy.expand(rewrite(q.expr)), scale=rewrite(q.scale))
                    for q in _all_inequalities(ctx, convex_variant=False)]
    forms = [linear_form(q.expr, variables) for q in inequalities]
    refutation = _all_inequalities(ctx, convex_variant=True)  # checked at exact values: no rewrite needed
    refutation_forms = [linear_form(q.expr, variables) for q in refutation]
    if any(f is None for f in forms + refutation_forms):  # pragma: no cover - affine by construction
        return None
    placeholders = set(variables)
    params = set()
    for item in [form] + forms:
        for c in list(item.coeffs.values()) + [item.const]:
            params |= c.free_symbols
    params -= placeholders
    return StepProblem(ctx, basis, values, gram, form, op in ("<", ">"), inequalities, forms,
                       sorted(params, key=lambda s: s.name), refutation, refutation_forms)


def concave_variant(problem: StepProblem) -> StepProblem | None:
    """The problem with refutations among *concave* members for the classes that have no
    interpolation theorem (lipschitz(M) alone, smooth(L) with lipschitz(M)): f = -h with h a
    convex member (convex M-Lipschitz, or convex L-smooth M-Lipschitz), which is M-Lipschitz
    (and L-smooth) itself, its Clarke subgradients being the negated subgradients of h.
    The inequalities of h are those of the convex member with every value and gradient of f
    negated. None when no function qualifies (one with a global minimizer does not: a concave
    function with a global minimizer is constant)."""
    ctx = problem.ctx
    chosen = []
    for name, cls in ctx.functions.items():
        points = [p for p in ctx.points if p.function == name]
        has_min = any(p.grad is None and not p.stationary for p in points)
        if cls.refutes_with_convex_members and not has_min:
            chosen.append(name)
    if not chosen:
        return None
    inequalities = []
    for name, cls in ctx.functions.items():
        points = [p for p in ctx.points if p.function == name]
        mins = [i for i, p in enumerate(points) if p.grad is None and not p.stationary]
        variant = bool(mins) or cls.refutes_with_convex_members
        inequalities += interpolation_inequalities(cls, points, mins, convex_variant=variant,
                                                   negate=name in chosen)
    forms = [linear_form(q.expr, problem.variables) for q in inequalities]
    if any(f is None for f in forms):  # pragma: no cover - affine by construction
        return None
    return replace(problem, refutation_inequalities=inequalities, refutation_forms=forms,
                   members={name: "concave" for name in chosen})


# ---------------------------------------------------------------- parameter values

_NICE = [Fraction(v) for v in ("1", "2", "1/2", "3", "1/3", "3/2", "2/3", "4", "1/4", "5/2", "3/4", "5", "1/5",
                               "6", "10", "1/10", "7/4", "5/4", "0", "-1", "-2", "-1/2", "8", "1/8", "9/10")]


def sample_parameters(names: list[str], assumptions, *, count: int, seed: int = 0, generic: bool = False,
                      tries: int = 4000) -> list[dict]:
    """Rational points satisfying ``assume:`` exactly (rejection sampling on simple numbers).

    ``generic=True`` draws less simple numbers, for finding a certificate's
    structure away from special values.
    """
    rng = random.Random(seed)
    free = list(getattr(assumptions, "free_names", []) or [])
    defined = {k.name for k in getattr(assumptions, "definitions", {})}
    wanted = sorted((set(names) | set(free)) - defined)
    found: list[dict] = []
    seen = set()
    # simple points first: all ones, then one parameter at a time moved to -1, 0, 2, 1/2
    planned = [] if generic else [{name: Fraction(1) for name in wanted}] + [
        {**{n: Fraction(1) for n in wanted}, name: Fraction(v)}
        for v in ("-1", "0", "2", "1/2") for name in wanted]
    for attempt in range(tries + len(planned)):
        point = {}
        if attempt < len(planned):
            point = planned[attempt]
        for name in wanted if attempt >= len(planned) else ():
            if generic:
                value = Fraction(rng.randint(1, 40), rng.choice([7, 9, 11, 13, 17]))
                if rng.random() < 0.1:
                    value = -value
            else:
                value = rng.choice(_NICE)
            point[name] = value
        key = tuple(sorted(point.items()))
        if key in seen:
            continue
        seen.add(key)
        values = {n: sympy.Rational(v.numerator, v.denominator) for n, v in point.items()}
        if hasattr(assumptions, "complete"):
            values = assumptions.complete(values)
            if values is None:
                continue
            if not assumptions.satisfied_exactly(values):
                continue
        found.append(values)
        if len(found) >= count:
            break
    return found


def _satisfies(assumptions, values: dict) -> dict | None:
    if not hasattr(assumptions, "complete"):
        return values
    done = assumptions.complete(values)
    if done is None or not assumptions.satisfied_exactly(done):
        return None
    return done


def stretched_points(point: dict, names: list[str], assumptions, *, factor: int = 16) -> list[dict]:
    """``point`` with one parameter at a time multiplied (then divided) by ``factor``, where assume: allows.

    A certificate found at one point may use a relation that holds only there
    (L*eta <= 2, say); the hints at stretched points expose the inequalities a
    certificate for every admissible value needs.
    """
    out = []
    for name in names:
        start = point.get(name)
        if start is None or start == 0:
            continue
        for value in (start * factor, start / factor):
            done = _satisfies(assumptions, {**point, name: value})
            if done is not None and done not in out and done != point:
                out.append(done)
    return out


def boundary_points(point: dict, names: list[str], assumptions, *, steps: int = 8) -> list[dict]:
    """Points near the edge of the assumed region, one per parameter and direction.

    False steps often fail only near an edge (eta close to 2/L, say), which
    simple random values rarely hit. From ``point`` each parameter is pushed
    out (doubled, or halved towards 0) until ``assume:`` fails, then bisected
    back, and the last admissible value close to the edge is kept.
    """
    out = []
    for name in names:
        start = point.get(name)
        if start is None or start == 0:
            continue
        for direction in ("up", "down"):
            good = Fraction(int(start.p), int(start.q))
            bad = None
            for _ in range(12):
                trial = good * 2 if direction == "up" else good / 2
                if _satisfies(assumptions, {**point, name: sympy.Rational(trial.numerator, trial.denominator)}):
                    good = trial
                else:
                    bad = trial
                    break
            if bad is None:
                continue
            for _ in range(steps):
                mid = ((good + bad) / 2).limit_denominator(4096)
                if mid in (good, bad):
                    break
                if _satisfies(assumptions, {**point, name: sympy.Rational(mid.numerator, mid.denominator)}):
                    good = mid
                else:
                    bad = mid
            done = _satisfies(assumptions, {**point, name: sympy.Rational(good.numerator, good.denominator)})
            if done is not None and done not in out:
                out.append(done)
    return out
