"""The "sum of squares" sign argument of ``SignProver`` for multivariate polynomials.

``sos_sign(prover, f, want)`` proves ``f >= 0`` ('nonneg') or ``f > 0`` ('pos')
on the prover's region with an exactly verified certificate (``sos.py``):

* plain sum of squares: ``f = b^T Q b`` with ``Q`` PSD;
* degree-2 Positivstellensatz: ``f = s0 + sum s_i g_i + sum s_ij g_i g_j`` with
  ``g_i >= 0`` read off the assumptions: constant bounds of each variable
  (``x > 0``, ``1 <= x <= 3``), the sign attributes of substitution dummies, and
  relations between the variables after clearing a denominator of known sign
  (``eta < 2/L`` with ``L > 0`` gives ``2 - L*eta >= 0``);
* homogeneous lift: for ``f`` homogeneous of degree >= 1, a certificate for
  ``h*f`` with ``h = sum x_i**2`` (or ``sum x_i`` when every ``x_i >= 0``)
  shows ``f >= 0`` where ``h > 0``; ``h`` vanishes only at the origin, where
  ``f = 0``. (Schur's inequality needs this: it has no degree-3 certificate.)
* strictness: ``f - eps*h`` certified with a rational ``eps > 0`` and ``h`` = 1
  or a product of strictly positive assumptions; a float margin never counts.

Denominators are cleared before this runs: ``SignProver._factored`` splits
``a/b + b/c + c/a - 3`` into its numerator and the factors ``a, b, c`` of the
denominator, whose signs it proves separately.
"""
from __future__ import annotations

import itertools
import random
import time
from fractions import Fraction

import sympy

from .prove_polynomial import NONNEG, POS, coefficient_sign
from .sos import find_certificate

__all__ = ["sos_sign"]

MAX_GENS = 6
MAX_DEGREE = 8
MAX_LINEAR_MULTIPLIERS = 6
# a single SOS attempt never takes more than this share of what is left
_ATTEMPT_SHARE = 0.5
_SAMPLES = 40


def sos_sign(prover, f, want, *, sample_first: bool = True) -> str | None:
    """'sum of squares' when ``f`` has sign ``want`` by an exact certificate, else None.

    ``sample_first=False`` skips the sampled-points filter (tests use it to give
    false statements to the certificate search itself)."""
    cache = prover._cache
    key = ("sos", f, want)
    if key in cache:
        return cache[key]
    cache[key] = None
    result = _sos_sign(prover, f, want, sample_first)
    cache[key] = result
    return result


def _sos_sign(prover, f, want, sample_first=True):
    gens = tuple(sorted(f.free_symbols, key=lambda s: s.name))
    if not 2 <= len(gens) <= MAX_GENS:
        return None  # one variable: exact root isolation already decides it
    try:
        poly = sympy.Poly(sympy.expand(f), *gens)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() > MAX_DEGREE or poly.total_degree() < 1:
        return None
    if not all(c.is_Rational for c in poly.coeffs()):
        return None
    expr = poly.as_expr()
    mults = region_multipliers(prover, gens)
    linear = [g for g, _ in mults]
    # a point where f has the wrong sign rules certificates out, at almost no cost
    anywhere, in_region = _sampled_signs(poly, [sympy.Poly(g, *gens) for g in linear], want) \
        if sample_first else (False, False)
    if in_region:
        return None
    products = [sympy.expand(g1 * g2) for g1, g2 in itertools.combinations(linear, 2)]
    homogeneous = len({sum(m) for m in poly.monoms()}) == 1
    if want == NONNEG:
        attempts = [(expr, linear + products)] if linear else []
        if not anywhere and poly.total_degree() % 2 == 0:
            attempts.insert(0, (expr, ()))
        if homogeneous:
            lifts = [sum(g**2 for g in gens)]
            if all(any(sympy.expand(g - s) == 0 for g in linear) for s in gens):
                lifts.insert(0, sum(gens))
            for h in lifts:
                hf = sympy.expand(h * expr)
                if not anywhere:
                    attempts.append((hf, ()))
                if linear:
                    attempts.append((hf, linear + products))
        for target, ms in attempts:
            if _attempt(prover, target, gens, ms, None):
                return "sum of squares"
        return None
    strict_terms = [sympy.Integer(1)] + [g for g, strict in mults if strict]
    strict_pos = [g for g, strict in mults if strict]
    strict_terms += [sympy.expand(g1 * g2) for g1, g2 in itertools.combinations_with_replacement(strict_pos, 2)]
    for h in strict_terms[:8]:
        for ms in ((() if not anywhere else None), (linear + products) if linear else None):
            if ms is None:
                continue
            if _attempt(prover, expr, gens, ms, h):
                return "sum of squares"
    return None


def _sampled_signs(poly, mults, want):
    """(f has the wrong sign at a sampled point, ... at a sampled point where every
    multiplier is >= 0). Small integer and half-integer points, seeded."""
    n = len(poly.gens)
    rng = random.Random(n * 7919 + len(poly.terms()))
    values = (-2, -1, 0, 1, 2, Fraction(1, 2), Fraction(-1, 2), 3)
    terms = [(m, Fraction(int(c.p), int(c.q))) for m, c in poly.terms()]
    mterms = [[(m, Fraction(int(c.p), int(c.q))) for m, c in g.terms()] for g in mults]
    anywhere = in_region = False
    for _ in range(_SAMPLES):
        pt = [Fraction(rng.choice(values)) for _ in range(n)]
        v = _eval(terms, pt)
        if v < 0 or (v == 0 and want == POS):
            anywhere = True
            if all(_eval(t, pt) >= 0 for t in mterms):
                in_region = True
                break
    return anywhere, in_region


def _eval(terms, pt):
    total = Fraction(0)
    for m, c in terms:
        term = c
        for x, e in zip(pt, m):
            if e:
                term *= x**e
        total += term
    return total


def _attempt(prover, target, gens, multipliers, strict_term):
    prover.check_time()
    now = time.monotonic()
    deadline = now + _ATTEMPT_SHARE * max(0.0, prover.deadline - now)
    cert = find_certificate(target, gens, multipliers, strict_term=strict_term, deadline=deadline)
    prover.check_time()
    return cert is not None


def region_multipliers(prover, gens) -> list[tuple[sympy.Expr, bool]]:
    """Polynomials ``g`` with ``g > 0`` (strict) or ``g >= 0`` on the whole region,
    in the variables ``gens`` only: [(g, strict)]."""
    a = prover.a
    out = []
    for s in gens:
        iv = a.bounds(s.name) if a.symbols.get(s.name) == s else sympy.Interval(-sympy.oo, sympy.oo, True, True)
        lo, lo_open, hi, hi_open = iv.inf, getattr(iv, "left_open", False), iv.sup, getattr(iv, "right_open", False)
        # sign attributes (substitution dummies carry only these)
        if s.is_positive and (lo < 0 or (lo == 0 and not lo_open)):
            lo, lo_open = sympy.Integer(0), True
        elif s.is_nonnegative and lo < 0:
            lo, lo_open = sympy.Integer(0), False
        if s.is_negative and (hi > 0 or (hi == 0 and not hi_open)):
            hi, hi_open = sympy.Integer(0), True
        elif s.is_nonpositive and hi > 0:
            hi, hi_open = sympy.Integer(0), False
        if lo.is_Rational:
            out.append((s - lo, bool(lo_open)))
        if hi.is_Rational:
            out.append((hi - s, bool(hi_open)))
    names = {s.name for s in gens}
    for g, strict in a.forms:
        if not g.free_symbols or not {s.name for s in g.free_symbols} <= names:
            continue
        if any(a.symbols.get(s.name) != s for s in g.free_symbols) or not set(g.free_symbols) <= set(gens):
            continue
        try:
            num, den = sympy.fraction(sympy.together(g))
        except (sympy.PolynomialError, RecursionError):
            continue
        sd = POS if den.is_positive else (coefficient_sign(den) if den.free_symbols else None)
        if den.is_negative:
            num = -num
        elif sd != POS:
            continue  # a denominator of unknown sign: the relation is not a polynomial bound
        try:
            p = sympy.Poly(sympy.expand(num), *gens)
        except sympy.PolynomialError:
            continue
        if p.total_degree() < 1 or not all(c.is_Rational for c in p.coeffs()):
            continue
        out.append((p.as_expr(), bool(strict)))
    seen, unique = set(), []
    for g, strict in out:
        if g not in seen:
            seen.add(g)
            unique.append((g, strict))
    return unique[:MAX_LINEAR_MULTIPLIERS]
