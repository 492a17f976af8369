"""Sound sign arguments: is ``expr > 0`` (or ``>= 0``) on the assumed region?

``SignProver.prove(expr, want)`` returns the name of the argument that proves
the sign, or None. Every argument is symbolic and valid for all points of the
region where the expression is defined (points where a denominator vanishes
are outside the domain, the convention SymPy itself uses for ``x/x = 1``):

* "sympy assumptions": SymPy's ``is_positive`` / ``is_nonnegative``;
* "factored sign": numerator and denominator factored, each factor's sign found
  by the arguments below, even powers are >= 0;
* "positive substitution": a substitution plan (``prove_plans``) turns the
  region into positive variables, where a polynomial with coefficients of one
  sign has that sign;
* "sum of squares": LDL^T of a Gram matrix with pivots of proven sign;
* "univariate interval": exact root isolation for one variable;
* "sqrt substitution": x = s**2 (s >= 0) removes fractional powers of x;
* "exp/log bound": exp(u) >= 1 + u, log(v) <= v - 1, log(v) >= 1 - 1/v,
  -1 <= sin, cos <= 1 used on terms whose coefficient has a proven sign, then
  the weaker claim proved;
* "case split": Abs / Max / Min replaced by each branch, with the branch's
  condition added to the assumptions; every case must be proved.
* "sum of squares" (``prove_sos``): also exact Gram certificates found by an
  SDP for multivariate polynomials, with the assumptions as multipliers;
* "derivative argument" (``prove_derivative``): one variable, g(c) >= 0 and g'
  of the right sign on each side of c;
* "symbolic exponent" (``prove_exponent``): B**e with symbolic e, by
  monotonicity in the exponent, Bernoulli, or through exp(e*log(B)).
"""
from __future__ import annotations

import itertools
import time

import sympy

from ..errors import InputError
from .assumptions import Assumptions, Contradiction
from .exact import sign_of_number, with_certified_constants
from .prove_plans import apply_case, substitution_plans
from .prove_polynomial import (
    NONNEG,
    POS,
    coefficient_sign,
    quadratic_form_terms,
    univariate_sign,
)
from .prove_derivative import derivative_sign
from .prove_exponent import exponent_sign
from .prove_known import abs_linear, generalized_or_coefficients, has_large_power, squared_split, termwise_sign
from .prove_sos import sos_sign

__all__ = ["SignProver", "Timeout"]


class Timeout(Exception):
    """The step's time budget ran out."""


_IMPLIES = {POS: {POS}, NONNEG: {POS, NONNEG}, "neg": {"neg"}, "nonpos": {"neg", "nonpos"}}


def _negate(sign):
    return {POS: "neg", NONNEG: "nonpos", "neg": POS, "nonpos": NONNEG}.get(sign)


class SignProver:
    def __init__(self, assumptions: Assumptions, deadline: float, max_depth: int = 3):
        self.a = assumptions
        self.deadline = deadline
        self.max_depth = max_depth
        self._plans = {}
        self._cache = {}

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise Timeout

    # -- public -------------------------------------------------------------
    def prove(self, expr, want: str, depth: int = 0) -> str | None:
        """Method name if ``expr`` has sign ``want`` ('pos' or 'nonneg') on the region."""
        self.check_time()
        key = (expr, want, depth)
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = None  # guards against loops through recursion
        result = self._prove(expr, want, depth)
        self._cache[key] = result
        return result

    def sign(self, expr, depth: int = 0) -> tuple[str | None, str | None]:
        """Strongest sign we can prove for ``expr``: (sign, method)."""
        for want in (POS, NONNEG):
            m = self.prove(expr, want, depth)
            if m:
                return want, m
            m = self.prove(-expr, want, depth)
            if m:
                return _negate(want), m
        return None, None

    # -- strategies ------------------------------------------------------------
    def _prove(self, expr, want, depth):
        if has_large_power(expr):
            # (1 + x)**999: SymPy's sign facts on a sum and factoring expand it; the signs of
            # the single terms are cheap ((x - 1)**1000 + 1 > 0), else generalise
            if termwise_sign(expr, want):
                return "sympy assumptions"
            return generalized_or_coefficients(self, expr, want, depth)
        if self._sympy_sign(expr, want):
            return "sympy assumptions"
        if depth > self.max_depth:
            return None
        if depth < self.max_depth and expr.has(sympy.Abs):
            # R + c*|u| as the two linear branches, before factoring drags the Abs along
            m = abs_linear(self, expr, want, depth)
            if m:
                return m
        m = self._factored(expr, want, depth)
        if m:
            return m
        if depth < self.max_depth:
            # before `together` hides exp(-u) as 1/exp(u)
            m = self._exp_log(expr, want, depth)
            if m:
                return m
            if expr.has(sympy.Abs):
                plain = self.remove_abs(expr, depth)
                if plain != expr and self.prove(plain, want, depth + 1):
                    return "factored sign"
            m = self._from_assumed_forms(expr, want)
            if m:
                return m
            m = self._case_split(expr, want, depth)
            if m:
                return m
            if any(_fractional_powers(g) for g, _ in self.a.forms):
                m = self._sqrt_substitution(expr, want, depth)
                if m:
                    return m
        if depth == 0:
            # powers with symbolic exponents: monotonicity in the exponent, Bernoulli
            m = exponent_sign(self, expr, want, depth)
            if m:
                return m
            # one variable: g(c) >= 0 and g' of the right sign on each side of c
            m = derivative_sign(self, expr, want)
            if m:
                return m
        return None

    @staticmethod
    def _sympy_sign(expr, want) -> bool:
        expr = with_certified_constants(expr)  # SymPy trusts meaningless digits of constants
        if expr is None:
            return False
        if want == POS:
            return expr.is_positive is True
        return expr.is_nonnegative is True

    def _factored(self, expr, want, depth):
        """Split into numerator/denominator factors and combine their signs."""
        try:
            num, den = sympy.fraction(sympy.together(expr))
        except (sympy.PolynomialError, RecursionError):
            return None
        self.check_time()
        num_factors = self._factors(num)
        den_factors = self._factors(den)
        if num_factors is None or den_factors is None:
            return None
        if len(num_factors) + len(den_factors) <= 1 and not den_factors:
            (f, k), = num_factors if num_factors else [(num, 1)]
            if k == 1:
                return self._leaf(f, want, depth)
        total_neg = 0
        strict = True
        methods = []
        for f, k, is_den in [(f, k, False) for f, k in num_factors] + [(f, k, True) for f, k in den_factors]:
            self.check_time()
            if f.is_number:
                s = sign_of_number(f)
                if s is None:
                    return None
                if s == 0:
                    if is_den:
                        return None
                    return "factored sign" if want == NONNEG else None
                total_neg += k if s < 0 else 0
                continue
            if k % 2 == 0:
                # an even power is >= 0; > 0 only where the base is nonzero
                fs, m = self._factor_sign(f, depth, strict_needed=(want == POS and not is_den))
                if fs in (POS, "neg"):
                    methods.append(m)
                    continue
                if is_den:
                    continue  # zero denominators are outside the domain
                strict = False
                methods.append("sum of squares")
                continue
            fs, m = self._factor_sign(f, depth, strict_needed=(want == POS and not is_den))
            if fs is None:
                return None
            methods.append(m)
            if fs in ("neg", "nonpos"):
                total_neg += k
            if fs in (NONNEG, "nonpos") and not is_den:
                strict = False
        if total_neg % 2:
            return None
        if want == POS and not strict:
            return None
        if len(methods) == 1:
            return methods[0]
        return "factored sign"

    def _factor_sign(self, f, depth, strict_needed):
        """Sign of one irreducible factor: (sign, method) or (None, None)."""
        key = ("factor", f, strict_needed)
        if key in self._cache:
            return self._cache[key]
        result = (None, None)
        for want, neg in ((POS, False), (POS, True)) if strict_needed else ((POS, False), (POS, True), (NONNEG, False), (NONNEG, True)):
            m = self._leaf(-f if neg else f, want, depth)
            if m:
                result = (_negate(want) if neg else want, m)
                break
        self._cache[key] = result
        return result

    def _factors(self, e):
        if e == 1:
            return []
        try:
            coeff, factors = sympy.factor_list(e)
        except (sympy.PolynomialError, NotImplementedError, RecursionError, ValueError):
            coeff, factors = 1, [(e, 1)]
        out = [(sympy.Integer(coeff) if not isinstance(coeff, sympy.Basic) else coeff, 1)] if coeff != 1 else []
        out.extend(factors)
        # keep symbolic constants like pi or exp(2) as numbers
        return out

    def _leaf(self, f, want, depth):
        """Arguments for a single factor."""
        if self._sympy_sign(f, want):
            return "sympy assumptions"
        self.check_time()
        s = coefficient_sign(f)
        if s and s in _IMPLIES[want]:
            return "positive substitution" if depth else "sympy assumptions"
        m = self._univariate(f, want)
        if m:
            return m
        m = self._with_plans(f, want, depth)
        if m:
            return m
        m = self._quadratic(f, want, depth)
        if m:
            return m
        if depth < self.max_depth:
            m = self._sqrt_substitution(f, want, depth)
            if m:
                return m
            m = self._exp_log(f, want, depth)
            if m:
                return m
        if depth < self.max_depth:
            m = squared_split(self, f, want, depth)
            if m:
                return m
        if depth <= 1 and len(f.free_symbols) == 1 and f.has(sympy.sin, sympy.cos, sympy.tanh, sympy.atan,
                                                              sympy.exp, sympy.log):
            # a numerator after clearing a denominator of known sign: sin(x)/x >= 1 - x**2/6
            # is sin(x) - x + x**3/6 >= 0 over 6*x > 0
            m = derivative_sign(self, f, want)
            if m:
                return m
        if depth <= 1:
            # exact SOS / Positivstellensatz certificates for multivariate polynomials
            m = sos_sign(self, f, want)
            if m:
                return m
        return None

    def _plans_for(self, syms):
        key = frozenset(syms)
        if key not in self._plans:
            self._plans[key] = substitution_plans(self.a, set(syms))
        return self._plans[key]

    def _with_plans(self, f, want, depth):
        syms = {s for s in f.free_symbols if s.name in self.a.symbols and s == self.a.symbols[s.name]}
        if not syms:
            return None
        for plan in self._plans_for(syms):
            ok = True
            for case in plan:
                self.check_time()
                g = apply_case(f, case)
                if g == f:
                    ok = False
                    break
                try:
                    num, den = sympy.fraction(sympy.together(g))
                except (sympy.PolynomialError, RecursionError):
                    ok = False
                    break
                if not (self._simple_sign(num, den, want) or self._collected_sign(num, den, want, depth)):
                    ok = False
                    break
            if ok:
                return "positive substitution"
        return None

    def _simple_sign(self, num, den, want) -> bool:
        """Sign of num/den from coefficient signs or SymPy, no further search."""
        sd = coefficient_sign(den) if not den.is_positive else POS
        if sd is None and den.is_negative:
            sd = "neg"
        if sd is None:
            factors = self._factors(den) or []
            if all(f.is_positive or (k % 2 == 0 and f.is_real) for f, k in factors):
                sd = POS
        if sd is None:
            return False
        if sd in ("neg", "nonpos"):
            num = -num
        sn = POS if num.is_positive else (NONNEG if num.is_nonnegative else coefficient_sign(num))
        if sn is None:
            try:
                coeff, factors = sympy.factor_list(num)
            except (sympy.PolynomialError, NotImplementedError):
                return False
            signs = [coefficient_sign(f) if not f.is_positive else POS for f, _ in factors]
            if coeff > 0 and all(s in (POS, NONNEG) for s in signs):
                sn = POS if all(s == POS for s in signs) else NONNEG
        return sn is not None and sn in _IMPLIES[want]

    def _collected_sign(self, num, den, want, depth) -> bool:
        """num/den with num = sum_m c_m * t**m over nonnegative symbols t: every
        coefficient c_m (a function of the other symbols) proven >= 0, and the
        constant one > 0 for a strict sign. (1/4 - y + y**2) + t*y >= 0."""
        if depth > 0:
            return False  # recursion through coefficients multiplies quickly: top level only
        sd = POS if den.is_positive else coefficient_sign(den)
        if sd not in (POS, NONNEG):
            return False
        # collect over the fresh substitution variables (or every nonnegative symbol)
        fresh = sorted((s for s in num.free_symbols if isinstance(s, sympy.Dummy) and s.is_nonnegative), key=str)
        every = sorted((s for s in num.free_symbols if s.is_nonnegative), key=str)
        for nonneg in (fresh, every):
            if nonneg and len(nonneg) < len(num.free_symbols) and self._collected(num, nonneg, want, depth):
                return True
        return False

    def _collected(self, num, nonneg, want, depth) -> bool:
        try:
            poly = sympy.Poly(sympy.expand(num), *nonneg)
        except sympy.PolynomialError:
            return False
        if len(poly.terms()) > 6:
            return False
        const = poly.coeff_monomial(1)
        for monom, coeff in poly.terms():
            self.check_time()
            strict = want == POS and not any(monom)
            if not self.prove(coeff, POS if strict else NONNEG, depth + 1):
                return False
        if want == POS and const == 0:
            return False
        return True

    def _univariate(self, f, want):
        syms = f.free_symbols
        if len(syms) != 1:
            return None
        (x,) = syms
        if self.a.symbols.get(x.name) != x:  # a dummy of ours (or an unassumed symbol)
            interval = _sign_interval(x)
        else:
            interval = self.a.bounds(x.name).intersect(_sign_interval(x))
        if not f.is_rational_function(x):
            return None
        try:
            s, _ = univariate_sign(f, x, interval)
        except (sympy.PolynomialError, NotImplementedError, ValueError, ZeroDivisionError):
            return None
        if s and s in _IMPLIES[want]:
            return "univariate interval"
        return None

    def _quadratic(self, f, want, depth):
        num, den = sympy.fraction(sympy.together(f))
        if not (den.is_positive or den == 1):
            return None
        try:
            candidates = quadratic_form_terms(num)
        except (sympy.PolynomialError, ValueError):
            return None
        for basis, gram in candidates[:6]:
            self.check_time()
            if self._psd(gram, depth, strict=(want == POS)):
                return "sum of squares"
        return None

    def _psd(self, gram, depth, strict) -> bool:
        """LDL^T with pivots of proven sign; strict also needs the constant basis entry."""
        m = sympy.Matrix(gram)
        n = m.shape[0]
        for i in range(n):
            self.check_time()
            piv = sympy.cancel(m[i, i])
            row_zero = all(sympy.cancel(m[i, j]) == 0 for j in range(i + 1, n))
            if piv == 0:
                # a zero pivot leaves a direction where the form can vanish
                if strict or not row_zero:
                    return False
                continue
            if strict or not row_zero:
                if not self.prove(piv, POS, depth + 1):
                    return False
            elif not self.prove(piv, NONNEG, depth + 1):
                return False
            for r in range(i + 1, n):
                for c in range(i + 1, n):
                    m[r, c] = m[r, c] - m[r, i] * m[i, c] / piv
        return True

    def _sqrt_substitution(self, f, want, depth):
        subs = _fractional_powers(f)
        # roots that only the assumptions mention (eta*lam <= (1 - sqrt(beta))**2)
        in_assumptions = {}
        for g, _ in self.a.forms:
            if g.free_symbols & f.free_symbols:
                for b, q in _fractional_powers(g).items():
                    in_assumptions[b] = sympy.ilcm(in_assumptions.get(b, 1), q)
        if not subs and not in_assumptions:
            return None
        both = dict(subs)
        for b, q in in_assumptions.items():
            both[b] = sympy.ilcm(both.get(b, 1), q)
        m = self._root_region(f, both, want, depth)
        if m or not subs:
            return m
        repl = {}
        for x, q in subs.items():
            repl[x] = self._root_variable(x, q) ** q
        g = f.xreplace(repl)
        # the new variables forget bounds other than the sign; that only weakens
        if self.prove(g, want, depth + 1):
            return "sqrt substitution"
        return None

    def _root_region(self, f, subs, want, depth):
        """x = r**q in the assumptions too, so that L > mu becomes r_L > r_mu."""
        taken = set(self.a.symbols) | {s.name for s in f.free_symbols}
        for s in f.free_symbols:
            if self.a.symbols.get(s.name, sympy.Symbol(s.name, real=True)) != s:
                return None
        repl, rels = {}, []
        for x, q in subs.items():
            name = x.name + "_root"
            while name in taken:
                name += "_"
            taken.add(name)
            r = sympy.Symbol(name, real=True)
            repl[sympy.Symbol(x.name, real=True)] = r**q
            # fractional powers are real only for x >= 0: the domain where the step is defined
            rels.append(r > 0 if x.is_positive else r >= 0)
        plain = {s: sympy.Symbol(s.name, real=True) for s in f.free_symbols}
        try:
            for c in self.a.constraints:
                c = c.xreplace({s: sympy.Symbol(s.name, real=True) for s in c.free_symbols})
                rels.append(c.xreplace(repl))
            region = Assumptions.from_relations(rels)
        except (InputError, TypeError, ValueError):
            return None
        g = region.expand_definitions(region.rebind(f.xreplace(plain).xreplace(repl)))
        if g.has(sympy.zoo, sympy.nan):
            return None
        sub = SignProver(region, self.deadline, self.max_depth)
        if sub.prove(g, want, depth + 1):
            return "sqrt substitution"
        return None

    def _root_variable(self, x, q):
        """r with x = r**q covering x's range; r = c + t when x >= c**q with c rational."""
        iv = self.a.bounds(x.name) if self.a.symbols.get(x.name) == x else None
        if iv is not None and iv.inf.is_Rational and iv.inf > 0:
            c = sympy.root(iv.inf, q)
            if c.is_Rational:
                t = sympy.Dummy("t_" + x.name, positive=True) if getattr(iv, "left_open", False) else sympy.Dummy("t_" + x.name, nonnegative=True)
                return c + t
        if x.is_positive:
            return sympy.Dummy("r_" + x.name, positive=True)
        return sympy.Dummy("r_" + x.name, nonnegative=True)

    def _case_split(self, f, want, depth):
        """Abs(u) = u where u >= 0 and -u where u <= 0; Max(p1, ..., pk) = pi where pi is
        at least every other argument (Min alike): prove every case on the region with
        the case's conditions added to the assumptions. A case is skipped only when its
        conditions certainly leave no point; a condition that cannot be decided makes
        the whole argument fail (soundness: undecided is never empty)."""
        cases = case_options(f)
        if cases is None:
            return None
        for s in f.free_symbols:
            if self.a.symbols.get(s.name, sympy.Symbol(s.name, real=True)) != s:
                return None  # dummies of ours cannot be written as assumptions
        for case in itertools.product(*cases):
            self.check_time()
            region = case_region(self.a, [c for _, _, conds in case for c in conds])
            if region is EMPTY:
                continue
            if region is None:
                return None
            mapping = {t: v for t, v, _ in case}
            g = f
            for _ in range(3):  # Max(Abs(u), Abs(v)): the branches contain other atoms
                g = g.xreplace(mapping)
            g = region.rebind(g)
            sub = SignProver(region, self.deadline, self.max_depth)
            if not sub.prove(region.expand_definitions(g), want, depth + 1):
                return None
        return "case split"

    def _from_assumed_forms(self, expr, want):
        """expr = c*g + r with g > 0 (or >= 0) assumed, c > 0 rational and r >= 0 by
        SymPy's sign facts: the assumptions themselves as certificates (x - y >= 0
        from x >= y). Cheap on purpose: no recursion."""
        for g, strict in self.a.forms[:8]:
            self.check_time()
            try:
                q = sympy.cancel(expr / g)
            except (sympy.PolynomialError, ZeroDivisionError, RecursionError):
                continue
            if q.is_Rational and q > 0 and (strict or want == NONNEG):
                return "assumed bound"
            rest = sympy.expand(expr - g)
            if rest != expr and self._sympy_sign(rest, want if not strict else NONNEG):
                return "assumed bound"
        return None

    def _exp_log(self, f, want, depth):
        # keep exp(x - 1) whole: the tangent bound at the right point needs it
        f = sympy.expand(f, power_exp=False)
        if not f.has(sympy.exp, sympy.log, sympy.sin, sympy.cos):
            return None
        for atom in sorted(f.atoms(sympy.exp, sympy.log, sympy.sin, sympy.cos), key=sympy.count_ops):
            self.check_time()
            coeff = f.coeff(atom)
            if coeff == 0 or coeff.has(atom):
                continue
            rest = sympy.expand(f - coeff * atom, power_exp=False)
            if rest.has(atom):
                continue
            csign, _ = self.sign(coeff, depth + 1)
            if csign in (POS, NONNEG):
                bounds = _lower_bounds(atom, self, depth)
            elif csign in ("neg", "nonpos"):
                bounds = _upper_bounds(atom, self, depth)
            else:
                continue
            for b in bounds:
                if self.prove(rest + coeff * b, want, depth + 1):
                    return "exp/log bound"
        # x*exp(-x) <= exp(-1): multiplying by exp(x) > 0 keeps the sign and
        # moves the exponential onto the constant, where exp(u) >= 1 + u applies
        exps = [t for t in f.atoms(sympy.exp) if t.args[0].free_symbols]
        if 1 <= len(exps) <= 2 and depth + 1 < self.max_depth:
            for t in exps:
                self.check_time()
                g = sympy.expand(sympy.powsimp(sympy.expand(f * sympy.exp(-t.args[0]))), power_exp=False)
                if g != f and not g.has(t) and self._exp_log(g, want, depth + 1):
                    return "exp/log bound"
        return None

    def remove_abs(self, expr, depth: int = 0):
        """Abs(u) -> u or -u where the sign of u is proven on the region."""
        repl = {}
        for t in expr.atoms(sympy.Abs):
            (u,) = t.args
            s, _ = self.sign(u, depth + 1)
            if s in (POS, NONNEG):
                repl[t] = u
            elif s in ("neg", "nonpos"):
                repl[t] = -u
        return expr.xreplace(repl) if repl else expr


def _fractional_powers(expr) -> dict:
    """{symbol: lcm of the root orders} over powers symbol**(p/q), q > 1."""
    out = {}
    for p in expr.atoms(sympy.Pow):
        b, e = p.args
        if isinstance(b, sympy.Symbol) and e.is_Rational and e.q > 1:
            out[b] = sympy.ilcm(out.get(b, 1), e.q)
    return out


def _sign_interval(x) -> sympy.Interval:
    if x.is_positive:
        return sympy.Interval.open(0, sympy.oo)
    if x.is_nonnegative:
        return sympy.Interval(0, sympy.oo, False, True)
    if x.is_negative:
        return sympy.Interval.open(-sympy.oo, 0)
    if x.is_nonpositive:
        return sympy.Interval(-sympy.oo, 0, True, False)
    return sympy.Interval(-sympy.oo, sympy.oo, True, True)


def _lower_bounds(atom, prover: SignProver, depth):
    """Expressions <= atom on the region."""
    (arg,) = atom.args if len(atom.args) == 1 else (None,)
    if arg is None:
        return []
    if isinstance(atom, (sympy.sin, sympy.cos)):
        return [sympy.Integer(-1)]
    if isinstance(atom, sympy.exp):
        return [1 + arg, sympy.Integer(0)]
    if prover.prove(arg, POS, depth + 1):
        return [1 - 1 / arg]
    return []


def _upper_bounds(atom, prover: SignProver, depth):
    """Expressions >= atom on the region."""
    (arg,) = atom.args if len(atom.args) == 1 else (None,)
    if arg is None:
        return []
    if isinstance(atom, (sympy.sin, sympy.cos)):
        return [sympy.Integer(1)]
    if isinstance(atom, sympy.log) and prover.prove(arg, POS, depth + 1):
        return [arg - 1]
    if isinstance(atom, sympy.exp) and prover.prove(1 - arg, POS, depth + 1):
        return [1 / (1 - arg)]  # exp(u) <= 1/(1-u) for u < 1
    return []


# -- case analysis over Abs / Max / Min ----------------------------------------------

EMPTY = "empty"
_MAX_CASE_ATOMS = 4
_MAX_CASES = 64


def case_options(f):
    """Per Abs/Max/Min atom of ``f``, its branches as (atom, value, [conditions]); each
    condition is ``(g, strict)`` meaning g > 0 / g >= 0. None when there are no atoms
    or too many cases."""
    atoms = sorted(f.atoms(sympy.Abs, sympy.Max, sympy.Min), key=sympy.default_sort_key)
    if not atoms or len(atoms) > _MAX_CASE_ATOMS:
        return None
    options = []
    total = 1
    for t in atoms:
        if isinstance(t, sympy.Abs):
            (u,) = t.args
            branches = [(t, u, [(u, False)]), (t, -u, [(-u, False)])]
        else:
            sign = 1 if isinstance(t, sympy.Max) else -1
            branches = []
            for i, p in enumerate(t.args):
                # p is the max (min): p - q >= 0 (<= 0) for every other argument q
                branches.append((t, p, [(sign * (p - q), False) for j, q in enumerate(t.args) if j != i]))
        options.append(branches)
        total *= len(branches)
    if total > _MAX_CASES:
        return None
    return options


def case_region(a: Assumptions, conditions):
    """The region ``a`` with the case's conditions added: an Assumptions, EMPTY when
    the conditions certainly leave no point, or None when that cannot be decided."""
    rels = []
    for g, strict in conditions:
        if not g.free_symbols:
            s = sign_of_number(g)
            if s is None:
                return None  # e.g. log(4) - 2*log(2) >= 0: undecided, never empty
            if s < 0 or (s == 0 and strict):
                return EMPTY
            continue
        rel = sympy.StrictGreaterThan(g, 0, evaluate=False) if strict else sympy.GreaterThan(g, 0, evaluate=False)
        rels.append(rel)
    if not rels:
        return a
    try:
        return Assumptions.from_relations(list(a.constraints) + rels)
    except Contradiction:
        return EMPTY
    except (InputError, TypeError, ValueError):
        return None
