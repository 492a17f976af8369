"""Substitution plans: rewrite the assumed region with fresh positive variables.

A plan is a list of *cases*; each case maps some original symbols to expressions
in other symbols and fresh positive (or nonnegative) dummies. The union of the
cases' images must cover the region the assumptions allow (it may be larger: a
dropped assumption only weakens what we prove, never the soundness). Examples:

* ``x > 1``            -> x = 1 + t,            t > 0
* ``0 < u < 1``        -> u = w/(1 + w),        w > 0
* ``0 < eta < 2/L``    -> eta = (2/L) w/(1+w),  w > 0   (needs L > 0 known)
* ``mu <= L``          -> L = mu + t,           t >= 0
* ``1 <= x <= 3``      -> two cases: x = 1 + 2 w/(1+w) with w >= 0, and x = 3.
"""
from __future__ import annotations

import itertools

import sympy

from .assumptions import Assumptions

__all__ = ["apply_case", "substitution_plans"]

MAX_PLANS = 6


def _fresh(name: str, strict: bool) -> sympy.Dummy:
    return sympy.Dummy(name, positive=True) if strict else sympy.Dummy(name, nonnegative=True)


def _interval_cases(x, lo, lo_open, hi, hi_open):
    """Cases covering lo < x < hi (ends as given) by positive dummies."""
    if lo == -sympy.oo and hi == sympy.oo:
        return None
    if hi == sympy.oo:
        if lo == 0:
            return None  # the symbol itself already carries positive / nonnegative
        return [{x: lo + _fresh("t_" + x.name, lo_open)}]
    if lo == -sympy.oo:
        if hi == 0:
            return None
        return [{x: hi - _fresh("t_" + x.name, hi_open)}]
    width = hi - lo
    if not hi_open:
        # reversed orientation covers the closed upper end
        w = _fresh("w_" + x.name, False)
        main = {x: hi - width * w / (1 + w)}
        if lo_open:
            return [main]
        return [main, {x: lo}]
    w = _fresh("w_" + x.name, lo_open)
    return [{x: lo + width * w / (1 + w)}]


def _linear_bounds(g, strict, assumptions: Assumptions):
    """For ``g > 0`` (or >= 0): list of (v, c, is_lower, strict) meaning v > c / v < c."""
    num, den = sympy.fraction(sympy.together(g))
    if den.is_positive:
        pass
    elif den.is_negative:
        num = -num
    else:
        return []
    num = _strip_known_factors(num, strict)
    if num is None:
        return []
    out = []
    for v in sorted(num.free_symbols, key=lambda s: s.name):
        try:
            p = sympy.Poly(num, v)
        except sympy.PolynomialError:
            continue
        if p.degree() != 1:
            continue
        a, b = p.all_coeffs()
        c = sympy.cancel(-b / a)
        if a.is_positive:
            out.append((v, c, True, strict))
        elif a.is_negative:
            out.append((v, c, False, strict))
    return out


def _strip_known_factors(num, strict):
    """h with (num > 0 => h > 0) and (num >= 0 => h >= 0), dropping factors of known
    sign: (r - 1)*(r + 1) >= 0 with r > 0 gives r - 1 >= 0. None if nothing usable."""
    try:
        coeff, factors = sympy.factor_list(num)
    except (sympy.PolynomialError, NotImplementedError, ValueError):
        return num
    sign = 1 if coeff > 0 else -1
    rest = []
    for fac, k in factors:
        if fac.is_positive:
            continue
        if fac.is_negative:
            sign *= (-1) ** k
            continue
        if k % 2 == 0:
            if strict:
                continue  # f**2 * h > 0 forces h > 0
            return None
        rest.append(fac)
    if not rest:
        return None
    return sign * sympy.Mul(*rest)


def _constraint_cases(v, c, is_lower, strict, bound: sympy.Interval):
    """Cases for v subject to one symbolic bound c, combined with a 0 end of its interval."""
    if not is_lower and bound.inf == 0 and c.is_positive:
        lo_open = bool(getattr(bound, "left_open", False))
        if strict:
            w = _fresh("w_" + v.name, lo_open)
            return [{v: c * w / (1 + w)}]
        w = _fresh("w_" + v.name, False)
        cases = [{v: c / (1 + w)}]
        if not lo_open:
            cases.append({v: sympy.Integer(0)})
        return cases
    if is_lower and bound.sup == 0 and c.is_negative:
        hi_open = bool(getattr(bound, "right_open", False))
        if strict:
            w = _fresh("w_" + v.name, hi_open)
            return [{v: c * w / (1 + w)}]
        w = _fresh("w_" + v.name, False)
        cases = [{v: c / (1 + w)}]
        if not hi_open:
            cases.append({v: sympy.Integer(0)})
        return cases
    t = _fresh("t_" + v.name, strict)
    return [{v: c + t}] if is_lower else [{v: c - t}]


def _acyclic(choice) -> bool:
    deps = {v: c.free_symbols for v, c, *_ in choice}
    seen, stack = set(), set()

    def visit(v):
        if v in stack:
            return False
        if v in seen:
            return True
        stack.add(v)
        ok = all(visit(u) for u in deps.get(v, ()) if u in deps)
        stack.discard(v)
        seen.add(v)
        return ok

    return len(deps) == len(choice) and all(visit(v) for v in deps)


def substitution_plans(assumptions: Assumptions, relevant: set) -> list[list[dict]]:
    """Plans (lists of cases) for the symbols in ``relevant``; cheapest first."""
    syms = assumptions.symbols
    options = []
    for g, strict in assumptions.forms:
        if not (g.free_symbols & relevant):
            continue
        opts = _linear_bounds(g, strict, assumptions)
        if opts:
            options.append(opts)
    choices = []
    for combo in itertools.product(*[o + [None] for o in options]) if options else [()]:
        choice = [c for c in combo if c is not None]
        if _acyclic(choice):
            choices.append(choice)
        if len(choices) >= 4 * MAX_PLANS:
            break
    # most constraints used first; the empty choice (bounds only) last among equals
    choices.sort(key=lambda ch: -len(ch))
    plans = []
    for choice in choices:
        per_symbol = []
        constrained = set()
        for v, c, is_lower, strict in choice:
            per_symbol.append(_constraint_cases(v, c, is_lower, strict, assumptions.bounds(v.name)))
            constrained.add(v)
        for name, s in syms.items():
            if s in constrained or (s not in relevant and not any(s in c.free_symbols for _, c, *_ in choice)):
                continue
            iv = assumptions.bounds(name)
            cases = _interval_cases(s, iv.inf, bool(getattr(iv, "left_open", False)), iv.sup, bool(getattr(iv, "right_open", False)))
            if cases:
                per_symbol.append(cases)
        if not per_symbol:
            continue
        plan = [_merge(parts) for parts in itertools.product(*per_symbol)]
        if len(plan) > 8:
            continue
        plans.append(plan)
        if len(plans) >= MAX_PLANS:
            break
    return plans


def _merge(parts) -> dict:
    out = {}
    for p in parts:
        out.update(p)
    return out


def apply_case(expr, case: dict, *, rounds: int = 8):
    """Substitute repeatedly (a case's values may mention other substituted symbols)."""
    for _ in range(rounds):
        new = expr.xreplace(case)
        if new == expr:
            return new
        expr = new
    return expr
