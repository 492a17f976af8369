"""The "derivative argument" of ``SignProver``: monotonicity from an anchor point.

For ``g`` in one variable ``x`` on an interval ``I`` and an anchor ``c`` (an end
of ``I`` or an interior point), the mean value theorem gives

    g continuous on I u {c}, differentiable inside I,
    g' >= 0 on I right of c, g' <= 0 on I left of c   ==>   g(x) >= g(c) on I,

so ``g(c) >= 0`` (decided exactly by ``sign_of_number``) proves ``g >= 0`` on
``I``; ``g(c) > 0`` proves ``g > 0``, and so does ``g(c) = 0`` with ``c`` an
excluded end of ``I`` and ``g'`` of strict sign. Anchors tried: the finite ends
of ``I``, simple rationals where ``g'`` vanishes exactly, and the exact roots
of ``g'`` SymPy finds (``x*log(x) >= -1/e`` splits at 1/e).

The signs of ``g'`` are proved by the prover on the open pieces (rational outer
enclosures where an end is irrational: a larger interval only weakens), and
recursively by the same argument, up to ``MAX_DEPTH`` derivatives. Domains are
checked, not assumed: every log argument is proved > 0, every fractional-power
base >= 0 (> 0 where the power is differentiated), every denominator nonzero,
on the closed piece for ``g`` and on the open piece for ``g'``. Functions that
are not differentiable (Abs, Max, floor, ...) make the argument fail.
"""
from __future__ import annotations

import time

import sympy

from ..errors import InputError
from .assumptions import Assumptions
from .exact import sign_of_number
from .prove_polynomial import NONNEG, POS

__all__ = ["MAX_DEPTH", "derivative_sign"]

MAX_DEPTH = 4
_SHARE = 0.35
_SMOOTH = (sympy.exp, sympy.sin, sympy.cos, sympy.atan, sympy.sinh, sympy.cosh, sympy.tanh)
_SIMPLE_POINTS = tuple(map(sympy.Integer, (0, 1, -1, 2, -2))) + (sympy.Rational(1, 2), -sympy.Rational(1, 2))


class _Interval:
    """lo < x < hi with flags saying whether each finite end belongs to it."""

    def __init__(self, lo, hi, lo_in, hi_in):
        self.lo, self.hi, self.lo_in, self.hi_in = lo, hi, lo_in, hi_in

    @classmethod
    def from_sympy(cls, iv: sympy.Interval):
        lo, hi = iv.inf, iv.sup
        return cls(lo, hi, lo.is_finite and not iv.left_open, hi.is_finite and not iv.right_open)

    def __repr__(self):
        return f"{'[' if self.lo_in else '('}{self.lo}, {self.hi}{']' if self.hi_in else ')'}"


def derivative_sign(prover, f, want, depth: int = 0, *, sample_first: bool = True) -> str | None:
    """'derivative argument' when ``f`` (one free variable) has sign ``want`` on the region.

    ``sample_first=False`` skips the cheap sampled-points filter (tests use it to
    give false statements to the argument itself)."""
    level = getattr(prover, "derivative_depth", 0)
    if level >= MAX_DEPTH:
        return None
    syms = f.free_symbols
    if len(syms) != 1:
        return None
    (x,) = syms
    if not (f.atoms(sympy.Function) or f.atoms(sympy.Pow)) or f.is_rational_function(x):
        return None  # rational functions: exact root isolation decides them
    iv = prover.a.bounds(x.name) if prover.a.symbols.get(x.name) == x else sympy.Interval(-sympy.oo, sympy.oo, True, True)
    iv = iv.intersect(_sign_interval(x))
    if not isinstance(iv, sympy.Interval) or iv.measure == 0:
        return None
    key = ("derivative", f, want)
    if key in prover._cache:
        return prover._cache[key]
    prover._cache[key] = None
    if sample_first and _negative_somewhere(f, x, iv, want):
        return None  # sampled points already show it false: no argument can succeed
    # a share of what is left, so that a counterexample search still runs after us
    deadline = time.monotonic() + _SHARE * max(0.0, prover.deadline - time.monotonic())
    from .prove_sign import Timeout  # noqa: PLC0415 - prove_sign imports this module

    try:
        ok = _Argument(prover, x, level, deadline).holds(f, _Interval.from_sympy(iv), want, level)
        if not ok and iv.inf.is_Rational and (iv.inf > 0 or (iv.inf == 0 and iv.left_open)) and iv.sup == sympy.oo:
            ok = _reciprocal(prover, f, x, iv, want, level, deadline)
    except Timeout:
        if time.monotonic() > prover.deadline:
            raise
        ok = False
    result = "derivative argument" if ok else None
    prover._cache[key] = result
    return result


def _negative_somewhere(f, x, iv, want) -> bool:
    """A cheap necessary test at a few points of the interval (30 digits). It only
    ever skips the search; a wrong skip costs a proof, never soundness."""
    lo, hi = iv.inf, iv.sup
    if lo.is_finite and hi.is_finite:
        points = [lo + (hi - lo) * sympy.Rational(k, 12) for k in range(1, 12)]
    elif lo.is_finite:
        points = [lo + sympy.Rational(d) for d in ("1/64", "1/8", "1/2", "1", "2", "5", "20", "100")]
    elif hi.is_finite:
        points = [hi - sympy.Rational(d) for d in ("1/64", "1/8", "1/2", "1", "2", "5", "20", "100")]
    else:
        points = [sympy.Rational(d) for d in ("-20", "-3", "-1", "-1/3", "0", "1/3", "1", "3", "20")]
    for p in points:
        try:
            v = f.xreplace({x: p}).evalf(30)
        except (TypeError, ValueError, ZeroDivisionError, RecursionError, OverflowError):
            continue
        if v.is_real and v.is_Number and (v < -1e-20 or (want == POS and v < 1e-25 and v <= 0)):
            return True
    return False


def _reciprocal(prover, f, x, iv, want, level, deadline) -> bool:
    """x = 1/u maps [a, oo) onto (0, 1/a] (a > 0; (0, oo) onto itself), turning the end at infinity into
    the end u = 0, where an anchor can sit: 1 - n*log(1 + 1/n) becomes
    (u - log(1 + u))/u. A denominator positive on (0, 1/a] is dropped."""
    from .prove_sign import SignProver  # noqa: PLC0415 - prove_sign imports this module

    u = sympy.Symbol(x.name, real=True)
    rels = [u > 0]
    if iv.inf > 0:  # (0, oo) maps onto itself
        rels.append(u < 1 / iv.inf if iv.left_open else u <= 1 / iv.inf)
    try:
        region = Assumptions.from_relations(rels)
    except InputError:
        return False
    u = region.symbols[x.name]
    h = f.xreplace({x: 1 / u})
    try:
        num, den = sympy.fraction(sympy.together(h))
    except (sympy.PolynomialError, RecursionError):
        return False
    if den.is_positive is not True:
        return False
    sub = SignProver(region, deadline)
    sub.derivative_depth = level + 1
    return bool(sub.prove(num, want))


def _sign_interval(x):
    if x.is_positive:
        return sympy.Interval.open(0, sympy.oo)
    if x.is_nonnegative:
        return sympy.Interval(0, sympy.oo, False, True)
    if x.is_negative:
        return sympy.Interval.open(-sympy.oo, 0)
    if x.is_nonpositive:
        return sympy.Interval(-sympy.oo, 0, True, False)
    return sympy.Interval(-sympy.oo, sympy.oo, True, True)


class _Argument:
    def __init__(self, prover, x, level, deadline):
        self.prover = prover
        self.deadline = deadline
        self.x = x
        self.plain = sympy.Symbol(x.name, real=True)
        self.level = level

    def check_time(self):
        if time.monotonic() > self.deadline:
            from .prove_sign import Timeout  # noqa: PLC0415

            raise Timeout

    # -- the argument ----------------------------------------------------------
    def holds(self, g, iv: _Interval, want, level) -> bool:
        """g has sign ``want`` on iv: leaf prover first, then monotonicity."""
        self.check_time()
        g = g.xreplace({self.x: self.plain}) if self.x != self.plain else g
        if not g.has(self.plain):
            s = sign_of_number(g)
            return s is not None and (s > 0 or (s == 0 and want == NONNEG))
        if level > self.level and self._leaf(g, iv, want, level):
            return True
        if level >= MAX_DEPTH:
            return False
        if _conditions(g) is None:
            return False
        dg = sympy.diff(g, self.plain)
        if _conditions(dg) is None:
            return False
        for c, kind in self._anchors(g, dg, iv):
            self.check_time()
            if self._anchored(g, dg, iv, c, kind, want, level):
                return True
        return self._concave(g, dg, iv, want, level)

    def _concave(self, g, dg, iv, want, level) -> bool:
        """On a bounded interval: g'' <= 0 inside makes g lie above its chord, so
        g >= min(g(lo), g(hi)) (exp(x) <= 1 + 2*x on [0, 1])."""
        if not (iv.lo.is_finite and iv.hi.is_finite) or level + 1 >= MAX_DEPTH:
            return False
        for c in (iv.lo, iv.hi):
            value = g.xreplace({self.plain: c})
            s = _exact_sign(value)
            if s is None or s < 0 or (s == 0 and want == POS) or not self._defined_at(g, c):
                return False
        piece = _Interval(iv.lo, iv.hi, False, False)
        d2 = sympy.diff(dg, self.plain)
        for e in (g, dg, d2):
            if not self._conditions_hold(e, piece, level):
                return False
        return self.holds(-d2, piece, NONNEG, level + 2)

    def _anchors(self, g, dg, iv):
        out = []
        if iv.lo.is_finite:
            out.append((iv.lo, "lo"))
        if iv.hi.is_finite:
            out.append((iv.hi, "hi"))
        inside = []
        for c in _SIMPLE_POINTS:
            if self._strictly_inside(c, iv) and _exact_sign(dg.xreplace({self.plain: c})) == 0:
                inside.append(c)
        if not inside:
            for r in self._roots(dg):
                if not r.free_symbols and r.is_real and self._strictly_inside(r, iv) \
                        and _exact_sign(dg.xreplace({self.plain: r})) == 0:
                    inside.append(r)
        out.extend((c, "inside") for c in inside[:2])
        return out

    def _roots(self, dg):
        """Candidate zeros of g': rational roots of a rational function's numerator;
        SymPy's solve (unchecked: we check) only for logs and powers, where it is
        quick (no Lambert W, no RootOf)."""
        self.check_time()
        x = self.plain
        try:
            if dg.is_rational_function(x):
                num, _ = sympy.fraction(sympy.together(dg))
                _, factors = sympy.Poly(num, x).factor_list()
                return [-f.all_coeffs()[1] / f.all_coeffs()[0] for f, _ in factors if f.degree() == 1][:4]
            if not all(isinstance(fn, sympy.log) for fn in dg.atoms(sympy.Function)) or sympy.count_ops(dg) > 30 \
                    or any(p.exp.free_symbols for p in dg.atoms(sympy.Pow)):
                return []
            return list(sympy.solve(dg, x, check=False))[:4]
        except (NotImplementedError, ValueError, TypeError, RecursionError, sympy.PolynomialError):
            return []

    @staticmethod
    def _strictly_inside(c, iv) -> bool:
        lo_ok = iv.lo == -sympy.oo or _exact_sign(c - iv.lo) == 1
        hi_ok = iv.hi == sympy.oo or _exact_sign(iv.hi - c) == 1
        return lo_ok and hi_ok

    def _anchored(self, g, dg, iv, c, kind, want, level) -> bool:
        value = g.xreplace({self.plain: c})
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I):
            return False
        s = _exact_sign(value)
        if s is None or s < 0:
            return False
        # g must be defined (hence continuous: elementary) at the anchor
        if not self._defined_at(g, c):
            return False
        anchor_in = (kind == "lo" and iv.lo_in) or (kind == "hi" and iv.hi_in) or kind == "inside"
        strict_needed = want == POS and s == 0
        if strict_needed and anchor_in:
            return False  # g(c) = 0 at a point of the interval
        right = _Interval(c, iv.hi, False, False) if kind != "hi" else None
        left = _Interval(iv.lo, c, False, False) if kind != "lo" else None
        for piece, sign in ((right, 1), (left, -1)):
            if piece is None:
                continue
            # g defined on the open piece and at the far end where that end belongs to I
            far_in = iv.hi_in if sign == 1 else iv.lo_in
            far = piece.hi if sign == 1 else piece.lo
            if not self._conditions_hold(g, piece, level):
                return False
            if far_in and not self._defined_at(g, far):
                return False
            # g' defined on the open piece, with the sign that makes c a minimum
            if not self._conditions_hold(dg, piece, level):
                return False
            d = dg if sign == 1 else -dg
            if not self.holds(d, piece, POS if strict_needed else NONNEG, level + 1):
                return False
        return True

    # -- domains -----------------------------------------------------------------
    def _defined_at(self, e, c) -> bool:
        conds = _conditions(e)
        if conds is None:
            return False
        for u, kind in conds:
            s = _exact_sign(u.xreplace({self.plain: c}))
            if s is None or not _meets(s, kind):
                return False
        return True

    def _conditions_hold(self, e, iv, level) -> bool:
        conds = _conditions(e)
        if conds is None:
            return False
        for u, kind in conds:
            self.check_time()
            if kind == "nonzero":
                if not (self._leaf(u, iv, POS, level) or self._leaf(-u, iv, POS, level)):
                    return False
            elif not self._leaf(u, iv, POS if kind == "pos" else NONNEG, level):
                return False
        return True

    # -- leaf sign proofs on an open interval ----------------------------------------
    def _leaf(self, e, iv: _Interval, want, level) -> bool:
        """Sign of e on the open interval (lo, hi) by the prover, over a rational outer
        enclosure, with x shifted so that the region's finite end is 0."""
        self.check_time()
        x = self.plain
        if not e.has(x):
            s = _exact_sign(e)
            return s is not None and (s > 0 or (s == 0 and want == NONNEG))
        lo = _rational_below(iv.lo) if iv.lo.is_finite else -sympy.oo
        hi = _rational_above(iv.hi) if iv.hi.is_finite else sympy.oo
        if lo is None or hi is None:
            return False
        plain_rels = ([x > lo] if lo.is_finite else []) + ([x < hi] if hi.is_finite else [])
        tries = [(e, plain_rels)]
        # shifted so that the finite end is 0: sqrt(1 + x) on x > -1 becomes sqrt(t), t > 0
        if lo.is_finite and lo != 0:
            tries.append((e.xreplace({x: lo + x}), [x > 0] + ([x < hi - lo] if hi.is_finite else [])))
        elif hi.is_finite and not lo.is_finite and hi != 0:
            tries.append((e.xreplace({x: hi - x}), [x > 0]))
        from .prove_sign import SignProver  # noqa: PLC0415 - prove_sign imports this module

        for expr, rels in tries:
            self.check_time()
            try:
                region = Assumptions.from_relations(rels)
            except InputError:
                continue
            sub = SignProver(region, self.deadline)
            sub.derivative_depth = MAX_DEPTH  # the recursion over derivatives is ours, on exact intervals
            if sub.prove(region.rebind(expr), want):
                return True
        return False


def _meets(s, kind) -> bool:
    return {"pos": s > 0, "nonneg": s >= 0, "nonzero": s != 0}[kind]


def _exact_sign(v):
    try:
        v = sympy.sympify(v)
        if v.has(sympy.zoo, sympy.nan, sympy.I) or not v.is_finite:
            return None
        return sign_of_number(v)
    except (TypeError, ValueError, RecursionError):
        return None


def _conditions(e):
    """[(u, 'pos' | 'nonneg' | 'nonzero')] under which e is defined and real, or None
    when e holds something that is not differentiable (or not understood)."""
    out = []
    stack = [e]
    while stack:
        t = stack.pop()
        if t.is_Atom:
            continue
        if isinstance(t, (sympy.Add, sympy.Mul)):
            stack.extend(t.args)
        elif isinstance(t, sympy.Pow):
            b, ex = t.args
            stack.extend([b, ex])
            if ex.is_Integer:
                if ex < 0:
                    out.append((b, "nonzero"))
            elif ex.is_Rational:
                out.append((b, "nonneg" if ex > 0 else "pos"))
            elif ex.free_symbols or not ex.is_real:
                out.append((b, "pos"))
            elif ex.is_positive:
                out.append((b, "nonneg"))
            else:
                out.append((b, "pos"))
        elif isinstance(t, sympy.log):
            if len(t.args) != 1:
                return None
            out.append((t.args[0], "pos"))
            stack.append(t.args[0])
        elif isinstance(t, _SMOOTH):
            stack.extend(t.args)
        else:
            return None
    # a number that is not defined (zoo) or not real is never fine
    return [(u, k) for u, k in out if u.free_symbols] + [(u, k) for u, k in out if not u.free_symbols]


def _rational_below(c):
    if c.is_Rational:
        return c
    try:
        approx = sympy.Rational(sympy.floor(c * 2**20)) / 2**20
    except (TypeError, ValueError):
        return None
    s = _exact_sign(c - approx)
    return approx if s is not None and s >= 0 else None


def _rational_above(c):
    if c.is_Rational:
        return c
    try:
        approx = sympy.Rational(sympy.ceiling(c * 2**20)) / 2**20
    except (TypeError, ValueError):
        return None
    s = _exact_sign(approx - c)
    return approx if s is not None and s >= 0 else None
