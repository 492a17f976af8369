"""Reductions that bring a step which is not affine in the Gram matrix and the function values
into the certificate/counterexample machinery, each an exact equivalence (proved in its docstring):

* ``A <= c*norm(v)``: AM-GM with a parameter tau > 0 (``norm_bound_step``);
* ``A - sum k a^2/b >= 0`` (quadratic over a Gram form): a^2/b = max over tau of 2 tau a - tau^2 b
  (``perspective_step``);
* a common power ``b**k`` of every coefficient (a Lyapunov weight): divided out once b > 0 is proved
  (``divide_positive_power``).

A counterexample found for the reduced step is kept only when the step as written fails on it
exactly (``StepProblem.violated``).
"""
from __future__ import annotations

import time

import sympy

from .problem import build_problem

__all__ = ["TAU", "norm_bound_step", "perspective_step", "divide_positive_power", "guarded", "satisfies_all"]


def _placeholders(expr) -> bool:
    return any(s.name.startswith(("F__", "G__")) for s in expr.free_symbols)


def _positivity(assumptions, deadline):
    from .check import _Positivity  # the prover-backed sign test (imported late: check imports this module)

    return _Positivity(assumptions, deadline)


TAU = sympy.Symbol("tau__", real=True)  # no name of a file can contain a double underscore


def norm_bound_step(doc, lhs, op, rhs, rewrite, positivity):
    """A <= c*norm(v) (A affine in the Gram matrix and the values, c >= 0 a scalar) as an affine step.

    By AM-GM, c||v|| <= c/(2 tau) ||v||^2 + c tau/2 for tau > 0 with equality at tau = ||v||, so
    A <= c||v|| for all data iff A <= c/(2 tau) ||v||^2 + c tau/2 for all data and all tau > 0
    (when ||v|| = 0, tau -> 0 gives A <= 0). tau becomes a parameter with tau > 0; a counterexample
    to the tau-step counts only when the written step fails on it exactly (A > 0, A^2 > c^2 ||v||^2).
    Returns (problem, assumptions with tau > 0, positivity for them) or None."""
    small, big = (lhs, rhs) if op == "<=" else (rhs, lhs)
    roots = [f for f in sympy.Mul.make_args(big) if _placeholders(f)]
    if len(roots) != 1 or not (isinstance(roots[0], sympy.Pow) and roots[0].exp == sympy.Rational(1, 2)):
        return None
    square = roots[0].base
    c = sympy.Mul(*[f for f in sympy.Mul.make_args(big) if not _placeholders(f)])
    if not positivity(c, strict=False):
        return None
    from ..derivation import _make_assumptions

    try:
        assumptions = _make_assumptions([r for r, _, _ in doc.assumptions] + [TAU > 0], False)
    except Exception:  # noqa: BLE001 - then no such reduction
        return None
    problem = build_problem(doc.ctx, small, "<=", c / (2 * TAU) * square + c * TAU / 2, rewrite)
    if problem is None:
        return None
    a_form = build_problem(doc.ctx, small, "<=", sympy.Integer(0), rewrite)
    q_form = build_problem(doc.ctx, sympy.Integer(0), "<=", square, rewrite)
    if a_form is None or q_form is None:
        return None
    a_expr = -(sum((k * v for v, k in a_form.target.coeffs.items()), sympy.Integer(0)) + a_form.target.const)
    q_expr = sum((k * v for v, k in q_form.target.coeffs.items()), sympy.Integer(0)) + q_form.target.const
    c_expr = rewrite(c) if rewrite else c

    def violated(subs, scal, a_expr=a_expr, q_expr=q_expr, c_expr=c_expr):
        a = a_expr.xreplace(subs).xreplace(scal)
        q = q_expr.xreplace(subs).xreplace(scal)
        cc = c_expr.xreplace(scal)
        if not (a.is_Rational and q.is_Rational and cc.is_Rational):
            return False
        return bool(a > 0 and a * a > cc * cc * q)

    from dataclasses import replace

    new_positivity = _positivity(assumptions, positivity.deadline)
    return replace(problem, violated=violated), assumptions, new_positivity


def satisfies_all(assumptions, values):
    done = assumptions.complete(values) if hasattr(assumptions, "complete") else values
    if done is None or (hasattr(assumptions, "satisfied_exactly") and not assumptions.satisfied_exactly(done)):
        return None
    return done


def guarded(reduction, *args):
    """A reduction that fails (an unexpected expression shape) is only not applied."""
    try:
        return reduction(*args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # noqa: BLE001 - the step stays out of scope: an honest unknown
        return None


def perspective_step(doc, lhs, op, rhs, rewrite, positivity):
    """A step whose non-affine part is a sum of -k a^2/b (k >= 0 a scalar, a affine, b = ||v||^2 a Gram
    form proved PSD), e.g. f(x1) - f* <= d - d^2/(2 L ||x0 - x*||^2) with d = f(x0) - f*.

    For b > 0, a^2/b = max over real tau of 2 tau a - tau^2 b, so T = A - sum k a^2/b >= 0 iff
    A - sum k (2 tau_j a - tau_j^2 b) >= 0 for every real tau_j: an affine step with new parameters.
    The step is meaningful only where every b > 0; a counterexample to the tau-step counts only when
    the written step fails on it exactly (with b != 0). Returns (problem, assumptions, positivity) or None."""
    from dataclasses import replace

    from .certificate import _psd_squares
    from .problem import linear_form

    rewrite_fn = rewrite or (lambda e: e)
    target = rewrite_fn(rhs - lhs) if op == "<=" else rewrite_fn(lhs - rhs)
    groups: dict = {}
    rest = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(target)):
        num, den = sympy.fraction(sympy.together(term))
        if _placeholders(den):
            scalar = sympy.Mul(*[f for f in sympy.Mul.make_args(sympy.factor(den)) if not _placeholders(f)])
            key = sympy.expand(den / scalar)
            groups[key] = groups.get(key, sympy.Integer(0)) + num / scalar
        else:
            rest += term
    if not groups or len(groups) > 3:
        return None
    new_target = rest
    taus = []
    originals = []
    relations = [r for r, _, _ in doc.assumptions]
    for b, num in groups.items():
        # b: a Gram form without function values (the scalar factors of the denominator are in num)
        s_factor = sympy.Integer(1)
        if any(sym.name.startswith("F__") for sym in b.free_symbols):
            return None
        numer, denom = sympy.fraction(sympy.together(sympy.expand(num)))
        if _placeholders(denom):
            return None
        coeff, factors = sympy.factor_list(sympy.expand(numer))
        placeholder_factors = [(f, m) for f, m in factors if _placeholders(f)]
        if len(placeholder_factors) != 1 or placeholder_factors[0][1] != 2:
            return None
        a = placeholder_factors[0][0]
        scalar = coeff * sympy.Mul(*[f**m for f, m in factors if not _placeholders(f)]) / denom
        k = sympy.cancel(-scalar / s_factor)  # the group is -k a^2/b
        if not positivity(k, strict=False):
            return None
        if not _is_psd_gram(doc, b, positivity, _psd_squares):
            return None
        tau = sympy.Symbol(f"tau__{len(taus)}", real=True)
        taus.append(tau)
        # the maximum over tau sits at tau = a/b: when a >= 0 (or <= 0) for every member, tau >= 0
        # (or <= 0) suffices, which certificates need (a multiplier 2 k tau must be >= 0)
        sign = _sign_of_affine(doc, a, positivity)
        if sign is not None:
            relations.append(tau >= 0 if sign > 0 else tau <= 0)
        new_target -= k * (2 * tau * a - tau**2 * b)
        originals.append(b)
    problem = build_problem(doc.ctx, sympy.Integer(0), "<=", new_target)
    if problem is None:
        return None
    from ..derivation import _make_assumptions

    try:
        assumptions = _make_assumptions(relations, False)
    except Exception:  # noqa: BLE001 - then no such reduction
        return None
    positivity = _positivity(assumptions, positivity.deadline)

    def violated(subs, scal, target=target, dens=originals):
        if any(d.xreplace(subs).xreplace(scal) == 0 for d in dens):
            return False
        value = sympy.cancel(target.xreplace(subs).xreplace(scal))
        return bool(value.is_Rational and value < 0)

    return replace(problem, violated=violated), assumptions, positivity


def _sign_of_affine(doc, a, positivity):
    """+1 when a >= 0 for every member (a certificate), -1 when a <= 0, else None."""
    from .certificate import find_certificate
    from .problem import sample_parameters

    for sign in (1, -1):
        problem = build_problem(doc.ctx, sympy.Integer(0), "<=", sign * a)
        if problem is None:
            return None
        names = [s.name for s in problem.parameters]
        points = sample_parameters(names, positivity.assumptions, count=2, seed=1, generic=True) or \
            sample_parameters(names, positivity.assumptions, count=2, seed=1)
        if not points:
            return None
        try:
            cert, _ = find_certificate(problem, points, positivity, time.monotonic() + 2.0)
        except Exception:  # noqa: BLE001 - no sign known
            cert = None
        if cert is not None:
            return sign
    return None


def _is_psd_gram(doc, b, positivity, psd_squares) -> bool:
    """b (affine in the Gram entries only) is v^T S v with S proved positive semidefinite."""
    from .syntax import gram_symbol

    basis = list(doc.ctx.basis)
    S = sympy.zeros(len(basis), len(basis))
    form = sympy.expand(b)
    used = set()
    for i, u in enumerate(basis):
        for j in range(i, len(basis)):
            g = gram_symbol(u, basis[j])
            c = form.coeff(g)
            if c != 0:
                used.add(g)
                if i == j:
                    S[i, i] = c
                else:
                    S[i, j] = S[j, i] = c / 2
    remainder = sympy.expand(form - sum((form.coeff(g) * g for g in used), sympy.Integer(0)))
    if remainder != 0:
        return False
    return psd_squares(S, basis, positivity) is not None


def divide_positive_power(problem, positivity):
    """Divide the step by a power b**e with a symbolic exponent common to all its coefficients
    (a Lyapunov weight such as (L/(L - mu))**k), once b > 0 is proved: the sign of the step is
    unchanged, and the certificate no longer carries the power. Returns (problem, b**e or None)."""
    from dataclasses import replace

    from .problem import LinearForm

    target = problem.target
    coeffs = [c for c in list(target.coeffs.values()) + [target.const] if c != 0]
    if not coeffs:
        return problem, None
    candidates = []
    for factor in sympy.preorder_traversal(coeffs[0]):
        if isinstance(factor, sympy.Pow) and not factor.exp.is_number:
            exp = factor.exp
            symbolic = sympy.Add(*[t for t in sympy.Add.make_args(sympy.expand(exp)) if not t.is_number])
            if factor.base ** symbolic not in candidates:
                candidates.append(factor.base ** symbolic)
    for power in candidates:
        divided = [_over(c, power) for c in coeffs]
        if any(d.has(power.base) and any(isinstance(a, sympy.Pow) and a.base == power.base and not a.exp.is_number
                                         for a in sympy.preorder_traversal(d)) for d in divided):
            continue
        if not positivity(power.base, strict=True):
            continue
        new = LinearForm({v: _over(c, power) for v, c in target.coeffs.items()}, _over(target.const, power))
        return replace(problem, target=new), power
    return problem, None


def _over(coefficient, power):
    return sympy.cancel(sympy.powsimp(sympy.expand(coefficient / power)))
