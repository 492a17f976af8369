"""Counterexamples at closed-form points: ``sin(x) < 1`` fails only at x = pi/2 + 2k*pi,
``x + 2/x > 2*sqrt(2)`` only at x = sqrt(2), ``x*log(x) > -exp(-1)`` only at x = exp(-1).

A false strict inequality whose difference merely *touches* zero has no rational
counterexample, so the rational search never finds one. Here, for one free
variable, the candidate points are the real zeros of the difference d and of d'
(critical points), found in closed form by SymPy's ``solveset`` (a few members of
each periodic family). A candidate is only proposed here; it becomes a
counterexample only after :func:`closed_form_violation` confirmed *exactly*, at the
closed-form point, that

* every assumption holds (certified signs of symbol-free numbers; an equality
  assumption must come out exactly zero),
* every domain condition of the sides as written holds, and both sides are real
  and defined there (real semantics: a complex value is undefined),
* the step fails: d <= 0 for a claimed d > 0, d < 0 for d >= 0, d != 0 for d = 0.

A sign counts as zero only when SymPy's exact rewriting shows a zero (``is_zero``
or ``simplify`` giving 0); any other sign comes from a certified interval
enclosure (``exact.sign_of_number``). Never a float comparison.
"""
from __future__ import annotations

import time

import sympy

from .domain import Condition
from .exact import sign_of_number

__all__ = ["closed_form_candidates", "closed_form_violation", "closed_form_sign"]

_MAX_CANDIDATES = 12
_MAX_OPS = 80
_FAMILY_INDICES = (0, 1, -1)


def closed_form_sign(v) -> int | None:
    """Certified sign of a symbol-free closed form (None: undefined, complex or undecided)."""
    if not isinstance(v, sympy.Basic) or v.free_symbols:
        return None
    if v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I) or v.is_real is False:
        return None
    s = sign_of_number(v)
    if s is not None:
        return s
    try:
        w = sympy.simplify(v)
    except (RecursionError, ValueError, TypeError, NotImplementedError, AttributeError):
        return None
    if w == 0:
        return 0
    return None


def _members(sol) -> list:
    """A few real members of a solveset answer (finite sets, periodic families)."""
    out = []
    if isinstance(sol, sympy.FiniteSet):
        out.extend(sol.args)
    elif isinstance(sol, sympy.Union):
        for part in sol.args:
            out.extend(_members(part))
    elif isinstance(sol, sympy.ImageSet):
        lam = sol.lamda
        if len(lam.variables) == 1:
            for n in _FAMILY_INDICES:
                out.append(lam(sympy.Integer(n)))
    elif isinstance(sol, sympy.Intersection):
        for part in sol.args:
            if isinstance(part, (sympy.FiniteSet, sympy.ImageSet, sympy.Union)):
                out.extend(_members(part))
    elif isinstance(sol, sympy.Complement):
        out.extend(_members(sol.args[0]))
    return out


_SOLVE_SECONDS = 2.0


def _solve(target, x) -> list:
    try:
        sol = sympy.solveset(target, x, domain=sympy.S.Reals)
    except Exception:  # noqa: BLE001 - solveset raises many kinds on odd input: no candidates
        return []
    return [c for c in _members(sol) if isinstance(c, sympy.Basic) and not c.free_symbols
            and sympy.count_ops(c) <= _MAX_OPS]


def closed_form_candidates(d, x, deadline: float) -> list:
    """Real closed-form zeros of d and of d' (x the only variable), simplest first.
    solveset can run for minutes (a quartic with radical coefficients), so each call
    runs in a forked child killed after a short budget."""
    import os

    from .isolate import fork_call

    found = []
    targets = [d, sympy.diff(d, x)]
    # a product's zeros are its factors' zeros: x**x*(log(x) + 1) = 0 at x = exp(-1)
    targets += [f for f in sympy.Mul.make_args(targets[1]) if f.has(x) and len(sympy.Mul.make_args(targets[1])) > 1]
    for target in targets[:5]:
        left = deadline - time.monotonic()
        if left <= 0.2:
            break
        if hasattr(os, "fork"):
            status, members = fork_call(_solve, (target, x), min(_SOLVE_SECONDS, 0.4 * left))
            if status != "ok":
                continue
        else:
            members = _solve(target, x)
        for c in members:
            if isinstance(c, sympy.Basic) and not c.free_symbols and c.is_real is not False \
                    and sympy.count_ops(c) <= _MAX_OPS and c not in found:
                found.append(c)
    found.sort(key=sympy.count_ops)
    return found[:_MAX_CANDIDATES]


def _subs_by_name(expr, values: dict):
    return expr.xreplace({s: values[s.name] for s in expr.free_symbols if s.name in values})


def closed_form_violation(diff, op: str, assumptions, domain, parts, point: dict) -> bool:
    """Exact: at the closed-form ``point`` ({name: number}) every assumption and domain
    condition holds, both sides are defined and real, and ``diff op 0`` fails."""
    values = dict(point)
    for name, v in values.items():
        if not isinstance(v, sympy.Basic) or v.free_symbols or closed_form_sign(v) is None:
            return False
    # defined symbols take their definitions' values
    for k, expr in assumptions.definitions.items():
        if k.name not in values:
            v = _subs_by_name(expr, values)
            if v.free_symbols or closed_form_sign(v) is None:
                return False
            values[k.name] = v
    for name in assumptions.symbols:
        if name not in values:
            return False
    for rel in assumptions.constraints:
        g = rel.lhs - rel.rhs
        s = closed_form_sign(_subs_by_name(g, values))
        if isinstance(rel, sympy.Eq):
            if s != 0:
                return False
            continue
        if s is None:
            return False
        if isinstance(rel, (sympy.StrictLessThan, sympy.LessThan)):
            s = -s
        if s < 0 or (s == 0 and isinstance(rel, (sympy.StrictGreaterThan, sympy.StrictLessThan))):
            return False
        if not isinstance(rel, (sympy.StrictGreaterThan, sympy.GreaterThan, sympy.StrictLessThan, sympy.LessThan)):
            return False
    for c in domain:
        s = closed_form_sign(_subs_by_name(c.expr, values))
        if s is None or not _kind_holds(c, s):
            return False
    for p in parts:
        if closed_form_sign(_subs_by_name(p, values)) is None:
            return False
    s = closed_form_sign(_subs_by_name(diff, values))
    if s is None:
        return False
    if op == "=":
        return s != 0
    if op == ">":
        return s <= 0
    if op == ">=":
        return s < 0
    return False


def _kind_holds(c: Condition, s: int) -> bool:
    return {">=": s >= 0, ">": s > 0, "!=": s != 0}.get(c.kind, False)
