"""The "symbolic exponent" arguments of ``SignProver``: powers ``B**e`` whose
exponent is an expression, such as ``beta**t`` or ``(1 + 1/n)**n``.

Every argument needs ``B > 0`` proved on the region (a real power with a real,
possibly non-integer exponent is only defined there), and then uses one fact:

* monotonicity in the exponent: for ``B > 0``, ``B**u - B**v`` has the sign of
  ``(B - 1)*(u - v)`` (``B**u - B**v = B**v*(B**(u-v) - 1)`` and ``B**w > 1``
  iff ``w*log(B) > 0``); a constant term counts as ``B**0``, so
  ``1 - beta**t > 0`` and ``1 - beta**t >= 1 - beta`` reduce to signs of
  polynomials;
* Bernoulli: ``B**e >= 1 + e*(B - 1)`` for ``B >= 0`` and ``e >= 1`` (also for
  ``B > 0``, ``e <= 0``), reversed for ``0 <= e <= 1``; and ``B**e <= B`` when
  ``0 < B <= 1``, ``e >= 1``. A bound replaces the power where its coefficient
  has a proven sign, then the weaker claim is proved;
* through the exponential: ``B**e = exp(e*log(B))`` and ``a - c*exp(u)`` has the
  sign of ``log(a/c) - u`` (``exp`` is increasing), so ``(1 + 1/n)**n < E``
  becomes ``1 - n*log(1 + 1/n) > 0``, which the derivative argument proves
  after ``n = 1/u``.
"""
from __future__ import annotations

import sympy

from .prove_polynomial import NONNEG, POS

__all__ = ["exponent_sign"]

_NONNEG_SIGNS = (POS, NONNEG)
_NONPOS_SIGNS = ("neg", "nonpos")


def _symbolic_powers(f):
    return [p for p in f.atoms(sympy.Pow) if p.exp.free_symbols]


def exponent_sign(prover, f, want, depth: int = 0) -> str | None:
    """'symbolic exponent' when ``f`` has sign ``want`` by one of the arguments above."""
    if not _symbolic_powers(f):
        return None
    key = ("exponent", f, want)
    if key in prover._cache:
        return prover._cache[key]
    prover._cache[key] = None
    ok = _same_base(prover, f, want, depth) or _bernoulli(prover, f, want, depth) or _via_exp(prover, f, want, depth)
    result = "symbolic exponent" if ok else None
    prover._cache[key] = result
    return result


def _positive(prover, e, depth) -> bool:
    return bool(prover.prove(e, POS, depth + 1))


def _same_base(prover, f, want, depth) -> bool:
    """c*B**u - c*B**v (a constant is c*B**0)."""
    terms = sympy.Add.make_args(sympy.expand(f, power_base=False, mul=True, multinomial=False))
    if len(terms) != 2:
        return False
    for p in _symbolic_powers(f):
        b = p.base
        split = [t.as_coeff_exponent(b) for t in terms]
        if any(c.has(b) for c, _ in split):
            continue
        # belt and braces: each term really is c*b**e
        if any(sympy.expand(c * b**e - t, power_exp=True) != 0 for (c, e), t in zip(split, terms)):
            continue
        (c1, u), (c2, v) = split
        if sympy.expand(c1 + c2) != 0 or u == v:
            continue
        prover.check_time()
        if not _positive(prover, b, depth):
            continue
        cs, _ = prover.sign(c1, depth + 1)
        if cs is None:
            continue
        if want == POS and cs not in (POS, "neg"):
            continue
        goal = (b - 1) * (u - v) if cs in _NONNEG_SIGNS else (1 - b) * (u - v)
        if prover.prove(goal, want, depth + 1):
            return True
    return False


def _bounds(prover, p, lower: bool, depth):
    """Expressions bounding the power p = B**e from below (lower) or above on the region."""
    b, e = p.base, p.exp
    ge1 = prover.prove(e - 1, NONNEG, depth + 1)
    out = []
    if lower:
        if ge1 and prover.prove(b, NONNEG, depth + 1):
            out.append(1 + e * (b - 1))                     # Bernoulli
        elif prover.prove(-e, NONNEG, depth + 1) and _positive(prover, b, depth):
            out.append(1 + e * (b - 1))
        if _positive(prover, b, depth):
            if ge1 and prover.prove(b - 1, NONNEG, depth + 1):
                out.append(b)                                # B >= 1, e >= 1: B**e >= B
            out.append(sympy.Integer(0))
    else:
        if not prover.prove(b, NONNEG, depth + 1):
            return out
        e_nonneg = prover.prove(e, NONNEG, depth + 1)
        if e_nonneg and prover.prove(1 - e, NONNEG, depth + 1):
            out.append(1 + e * (b - 1))                     # Bernoulli, 0 <= e <= 1 (0**0 = 1)
        le1 = prover.prove(1 - b, NONNEG, depth + 1)
        if ge1 and le1:
            out.append(b)                                    # 0 <= B <= 1, e >= 1: B**e <= B
        if le1 and e_nonneg:
            out.append(sympy.Integer(1))
    return out


def _bernoulli(prover, f, want, depth) -> bool:
    f = sympy.expand(f, power_base=False, power_exp=False, multinomial=False)
    for p in sorted(_symbolic_powers(f), key=sympy.count_ops):
        prover.check_time()
        coeff = f.coeff(p)
        if coeff == 0 or coeff.has(p):
            continue
        rest = sympy.expand(f - coeff * p, power_base=False, power_exp=False, multinomial=False)
        if rest.has(p):
            continue
        cs, _ = prover.sign(coeff, depth + 1)
        if cs in _NONNEG_SIGNS:
            bounds = _bounds(prover, p, True, depth)
        elif cs in _NONPOS_SIGNS:
            bounds = _bounds(prover, p, False, depth)
        else:
            continue
        for bound in bounds:
            prover.check_time()
            if prover.prove(rest + coeff * bound, want, depth + 1):
                return True
    return False


def _via_exp(prover, f, want, depth) -> bool:
    """a + c*exp(u) with numbers a, c of opposite signs, after B**e = exp(e*log(B))."""
    repl = {}
    for p in _symbolic_powers(f):
        if not _positive(prover, p.base, depth):
            return False
        repl[p] = sympy.exp(p.exp * sympy.log(p.base))
    g = f.xreplace(repl)
    terms = sympy.Add.make_args(sympy.expand(g, power_exp=False, log=False, mul=True, multinomial=False))
    consts = [t for t in terms if not t.free_symbols]
    rest = [t for t in terms if t.free_symbols]
    if len(rest) != 1:
        return False
    a = sympy.Add(*consts)
    c, ex = rest[0].as_independent(sympy.exp, as_Add=False)
    if not isinstance(ex, sympy.exp) or c.free_symbols:
        return False
    from .exact import sign_of_number  # noqa: PLC0415

    sa, sc = sign_of_number(a), sign_of_number(c)
    if sa is None or sc is None or sa * sc >= 0:
        return False
    u = ex.args[0]
    # sign(a + c*exp(u)) = sign(c) * sign(u - log(-a/c))
    goal = sympy.log(-a / c) - u if sc < 0 else u - sympy.log(-a / c)
    if prover.prove(goal, want, depth + 1):
        return True
    from .prove_derivative import derivative_sign  # noqa: PLC0415

    prover.check_time()
    return bool(derivative_sign(prover, goal, want))
