"""Textbook arguments of ``SignProver`` that SymPy's rewriting does not find alone.

* **Large integer exponents** (``(1 + x)**999``): SymPy expands such powers when
  asked for a sign, which runs past any budget. A power ``B**n`` with a large
  integer ``n`` and ``B >= 0`` proven on the region is *generalised*: ``n`` is
  replaced everywhere by a fresh symbol ``N`` with ``N >= n`` added to the region
  (``1 + 999*x`` becomes ``1 + N*x``). ``B**N`` is a real power, defined for
  ``B >= 0`` and ``N > 0``, and equals ``B**n`` at ``N = n``; a proof for every
  ``N >= n`` therefore proves the instance ``N = n``. The symbolic-exponent
  arguments (monotonicity in the exponent, Bernoulli) then apply.
* **Weighted AM-GM / Young** (``a*b <= a**p/p + b**q/q``,
  ``a**t*b**(1-t) <= t*a + (1-t)*b``): for ``z_i >= 0`` and weights ``c_i >= 0``
  summing to 1, ``prod z_i**c_i <= sum c_i*z_i`` (concavity of log; Hardy,
  Littlewood & Polya, *Inequalities*, Thm 9). A goal ``big >= small`` is reduced
  to signs of the weights and the ``z_i`` once ``big = sum c_i*z_i`` and
  ``small = prod z_i**c_i`` are checked as exact identities (a zero difference).
"""
from __future__ import annotations

import itertools

import sympy

from .assumptions import Assumptions, Contradiction
from .exact import sign_of_number, with_certified_constants
from .prove_polynomial import NONNEG, POS

__all__ = ["LARGE_EXPONENT", "abs_linear", "amgm_goals", "generalized_or_coefficients", "generalized_sign",
           "has_large_power", "has_variable_root", "squared_split", "termwise_sign"]

# integer exponents above this are generalised instead of expanded
LARGE_EXPONENT = 30
_MAX_TERMS = 4
_MAX_FACTORS = 4
_MAX_COMBOS = 256


def _large_pows(e):
    return [p for p in e.atoms(sympy.Pow)
            if p.exp.is_Integer and abs(int(p.exp)) > LARGE_EXPONENT and p.base.free_symbols]


def has_large_power(e) -> bool:
    """True when ``e`` has a power of an expression in the variables with a large integer exponent."""
    return isinstance(e, sympy.Basic) and bool(_large_pows(e))


def generalized_sign(prover, f, want, depth: int) -> str | None:
    """'symbolic exponent' when ``f`` with its large exponents generalised has sign ``want``."""
    pows = _large_pows(f)
    if not pows:
        return None
    a: Assumptions = prover.a
    for s in f.free_symbols:
        if a.symbols.get(s.name, sympy.Symbol(s.name, real=True)) != s:
            return None  # dummies of ours cannot be written as assumptions
    exponents = sorted({int(p.exp) for p in pows})
    if any(n < 0 for n in exponents):
        return None
    # every base must be >= 0 on the region: B**N is real there for N > 0
    for p in pows:
        prover.check_time()
        if not prover.prove(p.base, NONNEG, depth + 1):
            return None
    taken = set(a.symbols) | {s.name for s in f.free_symbols}
    repl, rels = {}, []
    for n in exponents:
        name = f"N_{n}"
        while name in taken:
            name += "_"
        taken.add(name)
        big = sympy.Symbol(name, real=True)
        repl[sympy.Integer(n)] = big
        repl[sympy.Integer(-n)] = -big
        rels.append(sympy.GreaterThan(big, n, evaluate=False))
    g = f.xreplace(repl)
    if _large_pows(g) or g == f:
        return None
    try:
        region = Assumptions.from_relations(list(a.constraints) + rels)
    except Contradiction:
        return None
    except (ValueError, TypeError):
        return None
    except Exception:  # noqa: BLE001 - InputError and friends: no region, no argument
        return None
    g = region.expand_definitions(region.rebind(g))
    sub = type(prover)(region, prover.deadline, prover.max_depth)
    # only the exponent arguments: the general strategies would substitute N = n + t
    # and expand B**(n + t) all over again
    from .prove_exponent import exponent_sign  # noqa: PLC0415 - prove_exponent imports nothing of ours

    if exponent_sign(sub, g, want, depth):
        return "symbolic exponent"
    return None


def generalized_or_coefficients(prover, f, want, depth: int) -> str | None:
    """The generalisation first (cheap), then exact Poly coefficients ((1 + x)**50 binomials)."""
    return generalized_sign(prover, f, want, depth) or _poly_coefficients(f, want)


def _poly_coefficients(f, want) -> str | None:
    """(1 + x)**50 - 1 - 50*x - 1225*x**2 on x >= 0: a polynomial in nonnegative symbols
    with coefficients of one sign, built by the sparse polynomial arithmetic of
    ``Poly`` (never SymPy's expression expansion, which is what hangs)."""
    gens = sorted(f.free_symbols, key=lambda s: s.name)
    if not gens or len(gens) > 2 or any(g.is_nonnegative is not True for g in gens):
        return None
    if any(int(p.exp) > 4 * LARGE_EXPONENT * 10 for p in _large_pows(f)):
        return None  # keep the dense expansion small: degree <= 1200
    try:
        poly = sympy.Poly(f, *gens)
    except (sympy.PolynomialError, ValueError, TypeError):
        return None
    if poly.is_zero or any(not c.is_Rational for c in poly.coeffs()):
        return None  # the zero polynomial is not > 0 (and its coeffs() is [0], which looks nonnegative)
    coeffs = poly.coeffs()
    if not coeffs or any(c < 0 for c in coeffs):
        return None
    strict = poly.coeff_monomial(1) > 0 or all(g.is_positive for g in gens)
    if want == NONNEG or strict:
        return "positive substitution"
    return None


# -- sign arguments used by SignProver (kept here to keep prove_sign.py small) -----------

def termwise_sign(expr, want) -> bool:
    """Every term of the sum >= 0 by SymPy's sign facts on the term alone (never on the
    sum, which expands large powers); > 0 also needs one term > 0."""
    expr = with_certified_constants(expr)  # SymPy trusts meaningless digits of constants
    if expr is None:
        return False
    terms = sympy.Add.make_args(expr)
    if not all(t.is_nonnegative is True for t in terms):
        return False
    return want == NONNEG or any(t.is_positive is True for t in terms)


def has_variable_root(e) -> bool:
    return any(p.exp.is_Rational and not p.exp.is_Integer and p.base.free_symbols for p in e.atoms(sympy.Pow))


def abs_linear(prover, f, want, depth):
    """f = R + c*|u| with a number c: |u| = max(u, -u), so for c < 0 both R + c*u and
    R - c*u must have the sign (no case regions needed), for c > 0 either one.
    1 - eta*mu - |1 - eta*L| >= 0 from eta*(L - mu) >= 0 and 2 - eta*(L + mu) >= 0."""
    atoms = f.atoms(sympy.Abs)
    if len(atoms) != 1:
        return None
    (t,) = atoms
    g = sympy.expand(f)
    c = g.coeff(t)
    rest = sympy.expand(g - c * t)
    if c == 0 or c.free_symbols or rest.has(t) or c.has(sympy.Abs):
        return None
    sc = sign_of_number(c)
    (u,) = t.args
    if sc is None or sc == 0:
        return None
    plus, minus = rest + c * u, rest - c * u
    if sc < 0:
        if prover.prove(plus, want, depth + 1) and prover.prove(minus, want, depth + 1):
            return "case split"
        return None
    if prover.prove(plus, want, depth + 1) or prover.prove(minus, want, depth + 1):
        return "case split"
    return None

def squared_split(prover, f, want, depth):
    """Rationalising: f = u - v with u >= 0 and u**2 - v**2 >= 0 (> 0) gives
    u >= |v| >= v. The terms with roots of the variables form one part, the others
    the second; either part may play u. 2*k + 1 - 2*sqrt(k)*sqrt(k + 1) >= 0 as
    (2*k + 1)**2 - 4*k*(k + 1) = 1 (the telescoping 1/sqrt(k+1) <= 2*(sqrt(k+1) - sqrt(k)))."""
    if not has_variable_root(f):
        return None
    try:
        terms = sympy.Add.make_args(sympy.expand(f))
    except (RecursionError, ValueError, TypeError):
        return None
    rooted = sympy.Add(*[t for t in terms if has_variable_root(t)])
    plain = sympy.Add(*[t for t in terms if not has_variable_root(t)])
    if rooted == 0 or plain == 0:
        return None
    for u, v in ((plain, -rooted), (rooted, -plain)):
        prover.check_time()
        try:
            gap = sympy.expand(u**2 - v**2)
        except (RecursionError, ValueError, TypeError):
            continue
        if has_variable_root(gap) and sympy.count_ops(gap) > sympy.count_ops(f):
            continue  # no simpler: squaring did not remove the roots
        if prover.prove(u, NONNEG, depth + 1) and prover.prove(gap, want, depth + 1):
            return "squared sides"
    return None


# -- weighted AM-GM ---------------------------------------------------------------

def _splits(term):
    """(weight, value) pairs with weight*value == term: the numeric coefficient always
    goes to the weight, every subset of the other factors too."""
    coeff, rest = term.as_coeff_Mul()
    factors = sympy.Mul.make_args(rest)
    if len(factors) > _MAX_FACTORS:
        return []
    out = []
    for k in range(len(factors) + 1):
        for chosen in itertools.combinations(range(len(factors)), k):
            w = coeff * sympy.Mul(*[factors[i] for i in chosen])
            v = sympy.Mul(*[factors[i] for i in range(len(factors)) if i not in chosen])
            out.append((w, v))
    return out


def _is_zero(e, deep: bool = True) -> bool:
    try:
        if sympy.expand(e) == 0 or sympy.cancel(sympy.together(e)) == 0:
            return True
        return deep and sympy.simplify(e) == 0
    except (sympy.PolynomialError, RecursionError, ValueError, TypeError, NotImplementedError):
        return False


def _power(v, w):
    """v**w, with (B**e)**w written B**(e*w) where B > 0 is a SymPy fact (valid for
    real e and w; where e is not real, v itself is undefined)."""
    if isinstance(v, sympy.Pow) and v.base.is_positive is True:
        return v.base ** sympy.cancel(v.exp * w)
    return v**w


def amgm_goals(big, small, want, check_time=lambda: None):
    """Goal lists [(expr, sign), ...] each of which proves big >= small by weighted AM-GM;
    [] when the shapes do not match. Only non-strict goals (AM-GM is tight)."""
    if want != NONNEG or has_large_power(big) or has_large_power(small):
        return []
    if not small.free_symbols or not isinstance(small, (sympy.Mul, sympy.Pow)):
        return []
    k, small_rest = small.as_coeff_Mul()
    if not (k.is_Rational and k > 0):
        return []
    terms = [t / k for t in sympy.Add.make_args(big)]
    if not 2 <= len(terms) <= _MAX_TERMS or any(not t.free_symbols for t in terms):
        return []
    options = [_splits(t) for t in terms]
    if any(not o for o in options):
        return []
    out = []
    for n, combo in enumerate(itertools.product(*options)):
        if n >= _MAX_COMBOS or len(out) >= 2:
            break
        check_time()
        weights = [w for w, _ in combo]
        values = [v for _, v in combo]
        if any(not w.free_symbols and not (w.is_Rational and w > 0) for w in weights):
            continue
        if not _is_zero(sympy.Add(*weights) - 1, deep=False):
            continue
        # the geometric mean must be small exactly; values are >= 0 (a goal below),
        # so (v**w) is the real power
        geo = sympy.Mul(*[_power(v, w) for v, w in zip(values, weights)])
        if not _is_zero(sympy.powsimp(geo, force=False) - small_rest):
            continue
        out.append([(w, NONNEG) for w in weights if w.free_symbols] + [(v, NONNEG) for v in values])
    return out


_ = POS  # the strict sign is never produced here
