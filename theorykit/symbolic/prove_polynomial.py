"""Sign certificates for polynomials and rational functions.

* ``coefficient_sign``: a polynomial in nonnegative variables whose coefficients
  all have one sign has that sign (strict when the variables are positive and
  the polynomial is not zero, or the constant term is nonzero).
* ``univariate_sign``: one variable on an interval; exact isolation of the real
  roots of numerator and denominator, then the sign on each piece from one exact
  rational point. Also reports a rational point where the sign is wrong.
* ``quadratic_form_terms``: a polynomial of total degree <= 2 in some variables
  written as a Gram matrix whose entries depend on the other symbols, for the
  LDL^T (completing the square) argument in ``prove_sign``.
"""
from __future__ import annotations

import itertools

import sympy

from .exact import sign_of_number

__all__ = ["NONNEG", "POS", "coefficient_sign", "quadratic_form_terms", "univariate_sign"]

POS = "pos"
NONNEG = "nonneg"


def coefficient_sign(expr) -> str | None:
    """'pos' / 'nonneg' / 'neg' / 'nonpos' from coefficient signs, or None."""
    expr = sympy.expand(expr)
    if expr == 0:
        return None
    gens = sorted(expr.free_symbols, key=lambda s: s.name)
    for g in gens:
        if g.is_nonnegative is not True:
            return None
    try:
        poly = sympy.Poly(expr, *gens) if gens else None
    except sympy.PolynomialError:
        return None
    if poly is None:
        s = sign_of_number(expr)
        return {1: POS, -1: "neg"}.get(s)
    if any(not c.is_number for c in poly.coeffs()):
        return None
    signs = [sign_of_number(c) for c in poly.coeffs()]
    if None in signs:
        return None
    strict_vars = all(g.is_positive for g in gens)
    const = poly.coeff_monomial(1)
    if all(s >= 0 for s in signs):
        return POS if (strict_vars or const != 0) else NONNEG
    if all(s <= 0 for s in signs):
        return "neg" if (strict_vars or const != 0) else "nonpos"
    return None


def _roots(poly):
    """Exact rational roots, and (lo, hi, factor) isolating intervals of irrational ones."""
    rational, irrational = [], []
    if poly.degree() <= 0:
        return rational, irrational
    _, factors = poly.factor_list()
    for f, _mult in factors:
        if f.degree() == 1:
            a, b = f.all_coeffs()
            rational.append(-b / a)
        elif f.degree() > 1:
            # irreducible of degree >= 2: no rational roots, so roots lie strictly inside
            for (lo, hi), _m in f.intervals():
                irrational.append((sympy.Rational(lo), sympy.Rational(hi), f))
    return rational, irrational


def _refine(a, b, f):
    """A narrower isolating interval of the single root of ``f`` in (a, b)."""
    res = f.intervals(eps=(b - a) / 4, inf=a, sup=b)
    if len(res) != 1:
        return None
    (a2, b2), _m = res[0]
    return sympy.Rational(a2), sympy.Rational(b2)


def _place(a, b, f, lo, hi, max_refine):
    """Refine (a, b) until it is strictly inside or outside (lo, hi): 'in', 'out' or None.

    Strictly: the piece between ``lo`` and the root must contain a test point."""
    for _ in range(max_refine):
        if b <= lo or a >= hi:
            return "out", a, b
        if lo < a and b < hi:
            return "in", a, b
        ab = _refine(a, b, f)
        if ab is None:
            return None, a, b
        a, b = ab
    return None, a, b


def _separate(cuts, max_refine):
    """Refine irrational enclosures until consecutive cuts are strictly apart, so
    that every piece between two roots contains a test point. None on failure."""
    cuts = list(cuts)
    for _ in range(max_refine):
        cuts.sort(key=lambda c: (c[0], c[1]))
        clash = next((i for i in range(len(cuts) - 1) if cuts[i + 1][0] <= cuts[i][1]), None)
        if clash is None:
            return cuts
        progressed = False
        for j in (clash, clash + 1):
            a, b, is_num, f = cuts[j]
            if f is not None and a != b:
                ab = _refine(a, b, f)
                if ab is None:
                    return None
                cuts[j] = (ab[0], ab[1], is_num, f)
                progressed = True
        if not progressed:
            return None
    return None


def univariate_sign(expr, x, interval: sympy.Interval, *, max_refine: int = 80):
    """Sign of a rational function of ``x`` with rational coefficients on ``interval``.

    Returns (sign, witness): sign in ('pos', 'nonneg', 'neg', 'nonpos', None). For
    'nonneg'/'nonpos' the witness is a rational zero in the interval if one is known;
    for None it is (point where negative, point where positive) when both exist.
    Points where the denominator vanishes are outside the domain and ignored.
    """
    num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
    try:
        pn = sympy.Poly(num, x, domain="QQ")
        pd = sympy.Poly(den, x, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed, ValueError):
        return None, None
    if pn.is_zero:
        return None, None
    lo, hi = interval.inf, interval.sup
    rn, irn = _roots(pn)
    rd, ird = _roots(pd)
    cuts = []  # (left, right, numerator root?, factor or None for a rational root)
    for r, is_num in [(r, True) for r in rn] + [(r, False) for r in rd]:
        if interval.contains(r):
            cuts.append((r, r, is_num, None))
    for items, is_num in ((irn, True), (ird, False)):
        for a, b, f in items:
            where, a, b = _place(a, b, f, lo, hi, max_refine)
            if where is None:
                return None, None
            if where == "in":
                cuts.append((a, b, is_num, f))
    cuts = _separate(cuts, max_refine)
    if cuts is None:
        return None, None  # enclosures could not be told apart: give up rather than guess
    edges = [lo] + [v for c in cuts for v in (c[0], c[1])] + [hi]
    signs = []
    for i in range(0, len(edges), 2):
        left, right = edges[i], edges[i + 1]
        if left == right:
            continue
        t = _between(left, right)
        dv = pd.eval(t)
        if dv == 0:
            return None, None
        signs.append((int(sympy.sign(pn.eval(t) / dv)), t))
    if not signs:
        return None, None
    has_zero = any(c[2] for c in cuts)
    zero_point = next((c[0] for c in cuts if c[2] and c[0] == c[1]), None)
    if all(s > 0 for s, _ in signs):
        return (NONNEG, zero_point) if has_zero else (POS, None)
    if all(s < 0 for s, _ in signs):
        return ("nonpos", zero_point) if has_zero else ("neg", None)
    neg = next(t for s, t in signs if s < 0)
    pos = next(t for s, t in signs if s > 0)
    return None, (neg, pos)


def _between(left, right):
    """A simple rational strictly between left and right (either may be infinite)."""
    if left == -sympy.oo and right == sympy.oo:
        return sympy.Integer(0)
    if left == -sympy.oo:
        return sympy.floor(right) - 1
    if right == sympy.oo:
        return sympy.floor(left) + 1
    left, right = sympy.Rational(left), sympy.Rational(right)
    # simplest fraction in the open interval keeps counterexamples short
    for den in range(1, 65):
        num = sympy.floor(left * den) + 1
        cand = sympy.Rational(num, den)
        if left < cand < right:
            return cand
    return (left + right) / 2


def quadratic_form_terms(poly_expr, max_vars: int = 4):
    """Candidates (basis, gram) with poly == basis^T gram basis, basis = [1, v1, ...].

    The variables v are symbols in which the polynomial has total degree <= 2;
    the Gram entries may contain the other symbols. Largest variable sets first.
    """
    expr = sympy.expand(poly_expr)
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    if not syms:
        return []
    try:
        full = sympy.Poly(expr, *syms)
    except sympy.PolynomialError:
        return []
    cand = [s for s in syms if full.degree(s) <= 2 and full.degree(s) >= 1]
    out = []
    for k in range(min(len(cand), max_vars), 0, -1):
        for vs in itertools.combinations(cand, k):
            try:
                p = sympy.Poly(expr, *vs)
            except sympy.PolynomialError:
                continue
            if p.total_degree() > 2 or any(c.has(*vs) for c in p.coeffs()):
                continue
            n = len(vs) + 1
            gram = sympy.zeros(n, n)
            for monom, coeff in p.terms():
                idx = [i + 1 for i, e in enumerate(monom) for _ in range(e)]
                if len(idx) == 0:
                    gram[0, 0] += coeff
                elif len(idx) == 1:
                    gram[0, idx[0]] += coeff / 2
                    gram[idx[0], 0] += coeff / 2
                else:
                    i, j = idx
                    if i == j:
                        gram[i, i] += coeff
                    else:
                        gram[i, j] += coeff / 2
                        gram[j, i] += coeff / 2
            out.append(([sympy.Integer(1), *vs], gram))
        if out:
            return out
    return out
