"""A quick, exact sign test for certificate entries: products and sums of assumed-positive factors.

Most multipliers and pivots of interpolation certificates are products of the
file's own positivity assumptions (``L``, ``mu``, ``L - mu``, ``2/L - eta`` ...),
their powers and positive rationals. Recognising those exactly here saves a
forked call to the scalar prover per entry (seconds on a loaded machine); any
other expression goes to the prover as before. Sound by construction: a factor
counts as positive (nonnegative) only when it is literally +-(an assumed
``g > 0`` (``g >= 0``)), up to exact expansion; even powers are >= 0; a product's
sign is the product of the signs; a sum of nonnegative terms is nonnegative.
"""
from __future__ import annotations

import sympy

__all__ = ["quick_sign", "positive_atoms"]

_MAX_OPS = 400  # beyond this, leave it to the prover (factoring cost)


def quick_sign(expr: sympy.Expr, atoms) -> str | None:
    """'pos' (> 0 proved), 'nonneg' (>= 0 proved) or None (not decided here).

    ``atoms``: (g, strict) pairs meaning g > 0 (strict) or g >= 0, as
    :attr:`Assumptions.forms` gives them.
    """
    if sympy.count_ops(expr) > _MAX_OPS:
        return None
    expr = _plain(expr)
    num, den = sympy.fraction(sympy.together(expr))
    s_den = _sign_of_sum(sympy.expand(den), atoms)
    if s_den != "pos":
        s_den = _sign_of_sum(sympy.expand(-den), atoms)
        if s_den != "pos":
            return None
        num = -num
    return _sign_of_sum(sympy.expand(num), atoms)


def _sign_of_sum(expr, atoms) -> str | None:
    if expr == 0:
        return "nonneg"
    whole = _sign_of_product(expr, atoms)
    if whole is not None:
        return whole
    result = "nonneg"
    for term in sympy.Add.make_args(expr):
        s = _sign_of_product(term, atoms)
        if s is None:
            return None
        if s == "pos":
            result = "pos"
    return result


def _sign_of_product(expr, atoms, depth=0) -> str | None:
    try:
        coeff, factors = sympy.factor_list(expr)
    except (sympy.PolynomialError, NotImplementedError, ValueError):
        return None
    if not coeff.is_Rational or coeff == 0:
        return None
    negative = coeff < 0
    strict = True
    for factor, power in factors:
        sign = _atom_sign(factor, atoms, depth)
        if power % 2 == 0:
            if sign is None or not sign[1]:
                strict = False
            continue
        if sign is None:
            return None
        if sign[0] < 0:
            negative = not negative
        strict = strict and sign[1]
    if negative:
        return None
    return "pos" if strict else "nonneg"


def _atom_sign(factor, atoms, depth=0):
    """(+1 or -1, strict) when factor is +-(an assumed positive/nonnegative form), else None."""
    if factor.is_Rational:
        return (1 if factor > 0 else -1, factor != 0) if factor != 0 else None
    for g, strict in atoms:
        if sympy.expand(factor - g) == 0:
            return (1, strict)
        if sympy.expand(factor + g) == 0:
            return (-1, strict)
    if depth < 2 and factor.is_Add:  # L + mu: a sum of signed products (one level down)
        for sign, expr in ((1, factor), (-1, -factor)):
            result = "nonneg"
            for term in sympy.Add.make_args(sympy.expand(expr)):
                s = _sign_of_product(term, atoms, depth + 1)
                if s is None:
                    break
                if s == "pos":
                    result = "pos"
            else:
                return (sign, result == "pos")
    return None


def positive_atoms(assumptions) -> tuple:
    """(g, strict) for every assumed g > 0 / g >= 0: the constraint forms and the symbols' bounds."""
    atoms = list(getattr(assumptions, "forms", ()) or ())
    symbols = getattr(assumptions, "symbols", {}) or {}
    for name, interval in (getattr(assumptions, "_bounds", {}) or {}).items():
        sym = symbols.get(name, sympy.Symbol(name, real=True))
        if not isinstance(interval, sympy.Interval):
            continue
        if interval.inf.is_finite:
            atoms.append((sympy.expand(sym - interval.inf), bool(interval.left_open)))
        if interval.sup.is_finite:
            atoms.append((sympy.expand(interval.sup - sym), bool(interval.right_open)))
    atoms = [(_plain(g), bool(strict)) for g, strict in atoms]
    # 2/L - eta >= 0 with L > 0 gives 2 - L eta >= 0 too (factors come out of factor_list polynomial)
    for g, strict in list(atoms):
        num, den = sympy.fraction(sympy.together(g))
        if den.is_number:
            continue
        if _sign_of_sum(sympy.expand(den), atoms) == "pos":
            atoms.append((sympy.expand(num), strict))
    return tuple(atoms)


def _plain(expr):
    """Symbols by name only (the assumptions refine theirs, e.g. positive=True)."""
    return expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols})


def handelman_sign(expr: sympy.Expr, atoms, *, max_products: int = 80) -> str | None:
    """'pos' / 'nonneg' / None: ``expr``'s numerator as a nonnegative combination of products of at
    most two assumed-nonnegative polynomial forms (a Handelman-type certificate), its denominator
    positive by :func:`quick_sign`.

    A linear program (scipy HiGHS) only suggests the weights; they are rounded to rationals and
    the identity and the signs are checked exactly here, so the answer never rests on floats.
    For example 1 - eta*mu = L*(1/L - eta) + eta*(L - mu) under eta <= 1/L, mu < L.
    """
    import numpy as np
    from fractions import Fraction

    if sympy.count_ops(expr) > _MAX_OPS:
        return None
    expr = _plain(expr)
    num, den = sympy.fraction(sympy.together(expr))
    if not den.is_number:
        s_den = _sign_of_sum(sympy.expand(den), atoms)
        if s_den != "pos":
            if _sign_of_sum(sympy.expand(-den), atoms) != "pos":
                return None
            num = -num
    elif den < 0:
        num = -num
    num = sympy.expand(num)
    polys = [(g, strict) for g, strict in atoms if sympy.fraction(sympy.together(g))[1].is_number]
    symbols = sorted(num.free_symbols.union(*[g.free_symbols for g, _ in polys]), key=str)
    if not symbols or any(not num.is_polynomial(s) for s in symbols):
        return None
    products = [(sympy.Integer(1), True)] + list(polys)
    for i in range(len(polys)):
        for j in range(i, len(polys)):
            products.append((sympy.expand(polys[i][0] * polys[j][0]), polys[i][1] and polys[j][1]))
    products = products[:max_products]
    try:
        target = sympy.Poly(num, *symbols).as_dict()
        columns = [sympy.Poly(p, *symbols).as_dict() for p, _ in products]
    except sympy.PolynomialError:
        return None
    monomials = sorted(set(target).union(*[set(c) for c in columns]))
    A = np.array([[float(c.get(m, 0)) for c in columns] for m in monomials])
    b = np.array([float(target.get(m, 0)) for m in monomials])
    from scipy.optimize import linprog

    try:
        found = linprog(np.ones(len(products)), A_eq=A, b_eq=b, bounds=[(0, None)] * len(products),
                        method="highs")
    except (ValueError, np.linalg.LinAlgError):
        return None
    if found.status != 0:
        return None
    weights = [sympy.Rational(Fraction(float(w)).limit_denominator(10**6)) if w > 1e-9 else sympy.Integer(0)
               for w in found.x]
    if any(w < 0 for w in weights):
        return None
    combination = sum((w * p for w, (p, _) in zip(weights, products)), sympy.Integer(0))
    if sympy.expand(num - combination) != 0:
        return None
    strict = any(w > 0 and s for w, (_, s) in zip(weights, products))
    return "pos" if strict else "nonneg"
