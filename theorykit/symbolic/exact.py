"""Exact and adaptive-precision evaluation of SymPy expressions.

A refutation is only as good as the evaluation that confirms it, so signs are
decided either in exact rational arithmetic or with mpmath interval arithmetic
whose precision is raised until the enclosing interval excludes zero. Floats
are never trusted: ``1 + exp(-300) - 1`` is positive, ``exp(-300)`` is not zero.

``sign_at`` answers +1, -1, 0 or ``None`` (undefined at that point, or the sign
could not be certified within the precision cap).
"""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import sympy
from mpmath import iv

__all__ = [
    "MAX_PREC_BITS",
    "defined_at",
    "exact_value",
    "rational_str",
    "rationalize_floats",
    "sign_at",
    "with_certified_constants",
    "sign_of_number",
    "to_rational",
]

# 2**-4096 is far below anything a derivation writes; past it we say "unknown".
MAX_PREC_BITS = 4096


class _Undefined(Exception):
    """The expression has no real value here (log of a negative, 1/0, ...)."""


def to_rational(value) -> sympy.Rational:
    """An exact Rational from an int, Fraction, Rational, decimal string or SymPy Float.

    A SymPy Float is read through its decimal string, so ``0.1`` means 1/10: the
    user wrote a decimal, not the nearest binary double.
    """
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers")
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, (int, Fraction)):
        return sympy.Rational(value)
    if isinstance(value, sympy.Float):
        return sympy.Rational(str(value))
    if isinstance(value, str):
        return sympy.Rational(Fraction(value.strip()))
    if isinstance(value, float):
        return sympy.Rational(repr(value))
    raise TypeError(f"cannot make an exact number from {value!r}")


def rational_str(q: sympy.Rational) -> str:
    """'3', '-3/2', or a short decimal ('0.125') when the denominator is 2^a 5^b."""
    q = sympy.Rational(q)
    if max(int(q.p).bit_length(), int(q.q).bit_length()) > 12_000:
        # CPython will not print integers over 4300 digits; this is no longer exact
        import mpmath

        return "~" + mpmath.nstr(mpmath.mpf(int(q.p)) / mpmath.mpf(int(q.q)), 15)
    if q.q == 1:
        return str(q.p)
    d = q.q
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d == 1 and max(twos, fives) <= 6:
        digits = max(twos, fives)
        scaled = abs(q.p) * (10**digits // q.q)
        sign = "-" if q.p < 0 else ""
        whole, frac = divmod(scaled, 10**digits)
        return f"{sign}{whole}.{str(frac).rjust(digits, '0').rstrip('0')}"
    return f"{q.p}/{q.q}"


def rationalize_floats(expr):
    """Replace every Float by the Rational its decimal string denotes."""
    floats = expr.atoms(sympy.Float) if isinstance(expr, sympy.Basic) else set()
    if not floats:
        return expr
    return expr.xreplace({f: to_rational(f) for f in floats})


def exact_value(expr, assignment: Mapping[sympy.Symbol, sympy.Rational]):
    """Substitute exact rationals; SymPy folds rational arithmetic exactly."""
    return rationalize_floats(expr).xreplace(dict(assignment))


def _iv(x, prec: int, env=None):
    """Enclosing interval of a SymPy expression whose symbols are given exactly in
    ``env`` (Symbol -> Rational); raises _Undefined / _Unsupported."""
    if x.is_Symbol:
        if env is None or x not in env:
            raise _Unsupported
        v = env[x]
        return iv.mpf(int(v.p)) / iv.mpf(int(v.q))
    if x.is_Integer:
        return iv.mpf(int(x))
    if x.is_Rational:
        return iv.mpf(int(x.p)) / iv.mpf(int(x.q))
    if x is sympy.pi:
        return iv.pi
    if x is sympy.E:
        return iv.e
    if x in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
        raise _Undefined
    if x.is_Float:
        return _iv(to_rational(x), prec, env)
    if x.is_Add:
        total = iv.mpf(0)
        for a in x.args:
            total = total + _iv(a, prec, env)
        return total
    if x.is_Mul:
        total = iv.mpf(1)
        for a in x.args:
            total = total * _iv(a, prec, env)
        return total
    if x.is_Pow:
        base, e = x.args
        b = _iv(base, prec, env)
        if e.is_Integer:
            n = int(e)
            if n < 0 and b.a <= 0 <= b.b:
                if base.is_zero:
                    raise _Undefined
                raise _Unsupported  # cannot tell 1/0 from 1/tiny yet: refine
            return b**n
        if e.is_Rational and e.q == 2:
            if b.b < 0:
                raise _Undefined
            if b.a < 0:
                raise _Unsupported
            r = iv.sqrt(b)
            return r ** int(e.p)
        if b.b <= 0:
            raise _Undefined if b.b < 0 else _Unsupported
        if b.a <= 0:
            raise _Unsupported
        return iv.exp(_iv(e, prec, env) * iv.log(b))
    if isinstance(x, sympy.exp):
        return iv.exp(_iv(x.args[0], prec, env))
    if isinstance(x, sympy.log):
        if len(x.args) != 1:
            raise _Unsupported
        a = _iv(x.args[0], prec, env)
        if a.b <= 0:
            raise _Undefined if a.b < 0 or x.args[0].is_zero else _Unsupported
        if a.a <= 0:
            raise _Unsupported
        return iv.log(a)
    if isinstance(x, sympy.sin):
        return iv.sin(_iv(x.args[0], prec, env))
    if isinstance(x, sympy.cos):
        return iv.cos(_iv(x.args[0], prec, env))
    if isinstance(x, sympy.Abs):
        a = _iv(x.args[0], prec, env)
        if a.a >= 0:
            return a
        if a.b <= 0:
            return -a
        return iv.mpf([0, max(-a.a, a.b)])
    if isinstance(x, (sympy.Max, sympy.Min)):
        parts = [_iv(a, prec, env) for a in x.args]
        pick = max if isinstance(x, sympy.Max) else min
        lo = pick(p.a for p in parts)
        hi = pick(p.b for p in parts)
        return iv.mpf([lo, hi])
    raise _Unsupported


class _Unsupported(Exception):
    """No certified enclosure at this precision (or at all)."""


def sign_of_number(x) -> int | None:
    """Certified sign of a symbol-free real SymPy expression, or None."""
    x = rationalize_floats(sympy.sympify(x) if not isinstance(x, sympy.Basic) else x)
    if x.free_symbols:
        raise ValueError("sign_of_number needs an expression without symbols")
    if x.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if x.is_Rational:
        return int(x.p > 0) - int(x.p < 0)
    if x.is_real is False or x.has(sympy.I):
        return None
    prec = 64
    old = iv.prec
    try:
        while prec <= MAX_PREC_BITS:
            iv.prec = prec
            try:
                enc = _iv(x, prec)
            except _Undefined:
                return None
            except _Unsupported:
                enc = None
            except (mpmath.libmp.libmpf.ComplexResult, ZeroDivisionError, ValueError, OverflowError):
                return None
            if enc is not None:
                if enc.a > 0:
                    return 1
                if enc.b < 0:
                    return -1
            prec *= 2
    finally:
        iv.prec = old
    # Interval arithmetic could not separate it from zero: only a symbolic zero counts.
    if x.is_zero is True:
        return 0
    return None


def _iv_sign_at(expr, env) -> int | None:
    """Fast path: interval evaluation straight from the expression tree, without
    building the SymPy value (which factors integers under roots). 0 means "the
    enclosure contains zero", i.e. undecided here."""
    old = iv.prec
    try:
        for prec in (64, 256):
            iv.prec = prec
            try:
                enc = _iv(expr, prec, env)
            except (_Undefined, _Unsupported, mpmath.libmp.libmpf.ComplexResult, ZeroDivisionError,
                    ValueError, OverflowError, TypeError):
                return None
            if enc.a > 0:
                return 1
            if enc.b < 0:
                return -1
        return 0
    finally:
        iv.prec = old


def sign_at(expr, assignment: Mapping[sympy.Symbol, sympy.Rational]) -> int | None:
    """Certified sign of ``expr`` at an exact rational point (None: undefined/uncertain)."""
    env = {k: sympy.Rational(v) for k, v in assignment.items()}
    expr = rationalize_floats(expr)
    fast = _iv_sign_at(expr, env)
    if fast:
        return fast
    try:
        v = exact_value(expr, assignment)
    except (ZeroDivisionError, ValueError, TypeError):
        return None
    if not isinstance(v, sympy.Basic):
        return None
    if v.free_symbols:
        return None
    if v.is_zero is True:
        return 0
    return sign_of_number(v)


def defined_at(expr, assignment: Mapping[sympy.Symbol, sympy.Rational]) -> bool:
    """The expression has a finite real value at this point (certified or exact)."""
    env = {k: sympy.Rational(v) for k, v in assignment.items()}
    if _iv_sign_at(rationalize_floats(expr), env) is not None:
        return True  # a certified enclosure exists only inside every function's domain
    try:
        v = exact_value(expr, assignment)
    except (ZeroDivisionError, ValueError, TypeError):
        return False
    if not isinstance(v, sympy.Basic) or v.free_symbols:
        return False
    if v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I) or v.is_real is False:
        return False
    if v.is_Rational or v.is_zero is True:
        return True
    # an enclosure exists only if every log / root / power argument is certified in range
    return sign_of_number(v) is not None or v.is_real is True


class _Uncertified(Exception):
    pass


def with_certified_constants(expr):
    """``expr`` with every symbol-free subexpression other than a rational, pi or E replaced by a
    fresh symbol that carries only its sign as certified by :func:`sign_of_number`; None when some
    constant's sign cannot be certified (or is zero).

    SymPy's sign facts (``is_positive``, ``is_nonnegative``) evaluate constant subexpressions
    numerically and trust digits that mean nothing: ``atan(log(4) - 2*log(2)) < 0`` and
    ``sign(atan(2) + atan(3) - 3*pi/4 - 10**-400) > 0`` come back True. Facts derived from the sign
    alone hold for every value of that sign, so after this rewrite they are sound. The constant
    terms of a sum are certified together (``x**2 + sqrt(2) - 1``: one constant, sqrt(2) - 1 > 0).
    """
    try:
        return _certify(expr)
    except _Uncertified:
        return None


def _certify(e):
    if e.is_Rational or e is sympy.pi or e is sympy.E:
        return e
    if not e.free_symbols:
        if e.is_Atom:
            raise _Uncertified
        s = sign_of_number(e)
        if s is None or s == 0:
            raise _Uncertified
        return s * sympy.Dummy("c", positive=True)
    if not e.args:
        return e
    if e.is_Add:
        const = [a for a in e.args if not a.free_symbols]
        rest = [a for a in e.args if a.free_symbols]
        parts = [_certify(sympy.Add(*const))] if const else []
        return sympy.Add(*parts, *[_certify(a) for a in rest])
    return e.func(*[_certify(a) for a in e.args])
