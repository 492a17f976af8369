"""The verdict engine: is one derivation step proved, refuted, or unknown?

``prove_step(lhs, op, rhs, assumptions)`` answers

* "proved"  only from a symbolic argument valid on the whole assumed region
  (points where the step is undefined, like a zero denominator, excepted);
* "refuted" only with a rational point that satisfies every assumption and
  violates the step, both checked exactly (``exact.py``);
* "unknown" otherwise, including "timeout" when the budget runs out.

Cheap things come first: SymPy's own sign facts, a small grid of simple
rational points (false steps are common), then the symbolic arguments of
``prove_sign``, then a float minimisation and a Hypothesis search for points
(``counterexample.py``; at most ~30% of the remaining budget).

Semantics: every symbol is a real number (SymPy ``integer=True`` and the like
are dropped by ``Assumptions.rebind``), decimals are exact (``0.1`` = 1/10),
and a step is judged where both sides are defined (``x/x = 1`` is proved; a
point where a side is undefined is never a counterexample).

Isolation: SymPy can hang or eat memory on unlucky inputs, so by default the
work runs in a forked child with an address-space limit and is killed at the
deadline. ``isolate=False`` runs in-process (no fork cost, for many cheap
steps); the budget is then only checked between strategies, so a single
SymPy call that hangs is not interrupted.
"""
from __future__ import annotations

import math
import os
import time
from fractions import Fraction
from typing import NamedTuple

import sympy

from ..errors import InputError
from .assumptions import Assumptions, Contradiction
from .counterexample import StepCheck, as_strings, search_counterexample
from .domain import Condition, as_relation, simplify_conditions, tree_conditions
from .exact import rationalize_floats, sign_of_number, to_rational
from .isolate import MEMORY_LIMIT_BYTES, fork_call
from .prove_plans import apply_case, substitution_plans
from .prove_closed_form import closed_form_candidates, closed_form_violation
from .prove_known import amgm_goals, has_large_power
from .prove_polynomial import NONNEG, POS, univariate_sign
from .prove_sign import SignProver, Timeout

__all__ = ["MEMORY_LIMIT_BYTES", "RELATIONS", "StepVerdict", "prove_step"]

RELATIONS = ("=", "<=", "<", ">=", ">")
# the child stops its own work this much before the parent kills it
_CHILD_MARGIN = 0.15
_SEARCH_MIN_SECONDS = 1.5
_SEARCH_SHARE = 0.3


class StepVerdict(NamedTuple):
    status: str
    method: str
    counterexample: dict[str, str] | None
    seconds: float


# -- input ---------------------------------------------------------------------

def _as_expr(x, argument: str):
    if isinstance(x, bool):
        raise InputError(argument, "a boolean is not an expression")
    if isinstance(x, (int, Fraction)):
        return sympy.Rational(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise InputError(argument, f"{x} is not a finite number")
        return to_rational(x)
    if isinstance(x, str):
        raise InputError(argument, "give a SymPy expression; parse text with theorykit.symbolic.parse.parse_expression")
    if not isinstance(x, sympy.Expr) or isinstance(x, sympy.Rel):
        raise InputError(argument, f"{x!r} is not a SymPy expression")
    if x.has(sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise InputError(argument, f"'{x}' is not a finite real expression")
    for s in x.free_symbols:
        if not isinstance(s, sympy.Symbol):
            raise InputError(argument, f"'{s}' is not a plain symbol")
    return rationalize_floats(x)


def _as_assumptions(a) -> Assumptions:
    if a is None:
        return Assumptions.from_relations([])
    if isinstance(a, Assumptions):
        return a
    if isinstance(a, (list, tuple, sympy.Basic)):
        return Assumptions.from_relations(a)
    raise InputError("assumptions", f"expected Assumptions or a list of relations, got {type(a).__name__}")


# -- public entry ----------------------------------------------------------------

def prove_step(lhs, op: str, rhs, assumptions: Assumptions | None = None, *, timeout: float = 10.0,
               seed: int = 0, isolate: bool = True, domain=None) -> StepVerdict:
    """Verdict for ``lhs op rhs`` under ``assumptions`` within ``timeout`` seconds.

    The step is judged where both sides are defined. ``domain`` is the list of
    :class:`~theorykit.symbolic.domain.Condition` s of the sides *as written*
    (the parser records them before SymPy folds ``sqrt(x)**2`` into ``x``); when
    it is None the domain is read off the given trees.

    ``isolate=True`` (default) runs in a forked child (killed past the budget,
    memory-limited); ``isolate=False`` runs here, for callers checking many cheap
    steps, and can overrun the budget if a single SymPy call hangs.
    """
    if op not in RELATIONS:
        raise InputError("op", f"{op!r} is not one of {', '.join(RELATIONS)}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        raise InputError("timeout", f"must be a positive number of seconds, got {timeout!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError("seed", f"must be an integer, got {seed!r}")
    lhs = _as_expr(lhs, "lhs")
    rhs = _as_expr(rhs, "rhs")
    a = _as_assumptions(assumptions)
    domain = _as_domain(domain, lhs, rhs)
    fork_ok = isolate and hasattr(os, "fork")
    if fork_ok:
        _warm_up()  # once per process, not charged to this step's budget
    start = time.monotonic()
    if fork_ok:
        status, method, cex = _run_isolated(lhs, op, rhs, a, timeout, seed, domain)
    else:
        status, method, cex = _decide_safely(lhs, op, rhs, a, start + timeout, seed, domain)
    return StepVerdict(status, method, cex, time.monotonic() - start)


def _as_domain(domain, lhs, rhs) -> tuple:
    if domain is None:
        return tuple(tree_conditions(lhs) + tree_conditions(rhs))
    out = []
    for c in domain:
        if not isinstance(c, Condition) or c.kind not in (">=", ">", "!="):
            raise InputError("domain", f"{c!r} is not a domain Condition")
        out.append(Condition(rationalize_floats(_as_expr(c.expr, "domain")), c.kind))
    return tuple(simplify_conditions(out))


def _decide_safely(lhs, op, rhs, a, deadline, seed, domain=()):
    try:
        return _decide(lhs, op, rhs, a, deadline, seed, domain)
    except Timeout:
        return "unknown", "timeout", None
    except MemoryError:
        return "unknown", "memory limit", None
    except RecursionError:
        return "unknown", "expression too deep", None
    except Exception as exc:  # noqa: BLE001 - a SymPy failure on odd input means "unknown", not a crash
        return "unknown", f"internal error: {type(exc).__name__}: {exc}"[:200], None


_WARM = False


def _warm_up():
    """Run a few tiny steps here once, so forked children inherit SymPy's caches and
    lazily imported modules instead of rebuilding them for every step (~0.2 s each)."""
    global _WARM
    if _WARM:
        return
    _WARM = True
    import resource  # noqa: F401

    import hypothesis  # noqa: F401 - imported by the search; load it before forking
    import scipy.optimize  # noqa: F401

    x = sympy.Symbol("x", real=True)
    a = Assumptions.from_relations([x > 0, x < 1])
    deadline = time.monotonic() + 2.0
    for lhs, op, rhs in ((x * (1 - x), "<=", sympy.Rational(1, 4)), (x**2, ">", x), (x + 1, "=", 1 + x)):
        try:
            _decide_safely(lhs, op, rhs, a, deadline, 0)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            pass


def _run_isolated(lhs, op, rhs, a, timeout, seed, domain=()):
    """The step in a forked child (``isolate.fork_call``), killed past the budget; the
    child stops its own work a margin earlier, so that it can still answer."""
    margin = min(_CHILD_MARGIN, timeout * 0.2)
    deadline = time.monotonic() + timeout - margin
    status, verdict = fork_call(_decide_safely, (lhs, op, rhs, a, deadline, seed, domain), timeout)
    if status != "ok":
        return "unknown", status, None
    return verdict


# -- the decision ------------------------------------------------------------------

def _decide(lhs, op, rhs, a: Assumptions, deadline: float, seed: int, domain=()):
    # The step is judged on the region where both sides are defined as written: the
    # proof may assume the necessary conditions (u >= 0 under a root, ...), and a
    # counterexample must satisfy all of them (StepCheck).
    region = _region_with_domain(a, domain)
    if region is None:
        return "unknown", "the step is defined nowhere in the assumed region", None
    a = region
    lhs = a.expand_definitions(a.rebind(lhs))
    rhs = a.expand_definitions(a.rebind(rhs))
    domain = tuple(Condition(a.expand_definitions(a.rebind(c.expr)), c.kind) for c in domain)
    defined = {k.name for k in a.definitions}
    used = lhs.free_symbols | rhs.free_symbols
    for c in domain:
        used |= c.expr.free_symbols
    names = sorted({s.name for s in used} - defined | set(a.free_names))
    if op == "=":
        return _decide_equality(lhs - rhs, a, names, deadline, seed, (lhs, rhs), domain)
    if op in ("<", "<="):
        lhs, rhs = rhs, lhs
    strict = op in ("<", ">")
    return _decide_inequality(lhs, rhs, strict, a, names, deadline, seed, domain)


def _region_with_domain(a: Assumptions, domain) -> Assumptions | None:
    """``a`` with the >= / > domain conditions added; None when they certainly leave
    no point. A condition that cannot be added (undecidable, or not usable as an
    assumption) is left out: a proof on a larger region is still a proof."""
    rels = [as_relation(c) for c in domain]
    rels = [r for r in rels if r is not None and r.free_symbols]
    if not rels:
        return a
    base = list(a.constraints)
    try:
        return Assumptions.from_relations(base + rels)
    except Contradiction:
        return None
    except (InputError, TypeError, ValueError):
        pass
    kept = []
    for r in rels:
        try:
            Assumptions.from_relations(base + kept + [r])
        except Contradiction:
            return None
        except (InputError, TypeError, ValueError):
            continue
        kept.append(r)
    return Assumptions.from_relations(base + kept) if kept else a


def _refuted(check: StepCheck, a, deadline, seed, method, *, extra=None, grid_only=False):
    if not grid_only:
        # the random search gets a share of the budget: a true step nobody can prove
        # should not cost the whole timeout when checking a long derivation
        deadline = min(deadline, time.monotonic() + max(_SEARCH_MIN_SECONDS, _SEARCH_SHARE * (deadline - time.monotonic())))
    point = search_counterexample(check, deadline=deadline, seed=seed, extra=extra, grid_only=grid_only)
    if point is None:
        return None
    # belt and braces: the reported point is re-checked from scratch
    if not check.violated(point):
        return None
    return "refuted", method, as_strings(point, a)


def _decide_equality(d, a, names, deadline, seed, parts=(), domain=()):
    prover = SignProver(a, deadline)
    check = StepCheck(d, "=", a, names, parts, domain)
    if _zero_quick(d):
        return "proved", "zero difference", None
    if not d.free_symbols:
        s = sign_of_number(d)
        if s is not None and s != 0:
            r = _refuted(check, a, deadline, seed, "exact evaluation")
            if r:
                return r
    r = _refuted(check, a, deadline, seed, "counterexample search", grid_only=True)
    if r:
        return r
    if d.has(sympy.Abs, sympy.Max, sympy.Min) and len(parts) == 2:
        # lhs >= rhs and rhs >= lhs, each by the inequality arguments (Max/Min bounds
        # first): Max(|1 - eta*mu|, |1 - eta*L|) = 1 - eta*mu on 0 < eta <= 2/(L + mu)
        lhs, rhs = parts
        m1 = _goal_proof(lhs, rhs, NONNEG, prover)
        if m1 and _goal_proof(rhs, lhs, NONNEG, prover):
            return "proved", "two inequalities", None
    method = _zero_deep(d, a, prover)
    if method:
        return "proved", method, None
    if d.has(sympy.Abs, sympy.Max, sympy.Min):
        # d >= 0 and -d >= 0, each by case analysis (Max(x, y) + Min(x, y) = x + y)
        if prover.prove(d, NONNEG) and prover.prove(-d, NONNEG):
            return "proved", "case split", None
    r = _refuted(check, a, deadline, seed, "counterexample search")
    if r:
        return r
    return _unknown(deadline)


def _zero_quick(d) -> bool:
    if d == 0:
        return True
    try:
        if sympy.expand(d) == 0:
            return True
        return sympy.cancel(sympy.together(d)) == 0
    except (sympy.PolynomialError, RecursionError):
        return False


def _zero_deep(d, a: Assumptions, prover: SignProver) -> str | None:
    """Name of the rewriting that shows d == 0 on the region, or None."""
    if d.has(sympy.Abs):
        # Abs(u) is u (or -u) where u's sign is proven: sqrt(beta) with beta = u**2
        plain = prover.remove_abs(d)
        if plain != d:
            d = plain
            if _zero_quick(d):
                return "zero difference"
    for f in (sympy.radsimp, sympy.powsimp, sympy.simplify):
        prover.check_time()
        try:
            if _zero_quick(f(d)):
                return "zero difference"
        except (sympy.PolynomialError, RecursionError, ValueError, TypeError, NotImplementedError):
            continue
    # rewrite the region (x > y as x = y + t, sqrt(x) as s**2 ...) and try again
    prover.check_time()
    for plan in substitution_plans(a, d.free_symbols):
        if all(_zero_quick(sympy.simplify(apply_case(d, case))) for case in plan):
            return "positive substitution"
        prover.check_time()
    roots = {}
    for p in d.atoms(sympy.Pow):
        b, e = p.args
        if isinstance(b, sympy.Symbol) and e.is_Rational and e.q > 1:
            roots[b] = sympy.ilcm(roots.get(b, 1), e.q)
    if roots:
        repl = {x: (sympy.Dummy("r", positive=True) if x.is_positive else sympy.Dummy("r", nonnegative=True)) ** q
                for x, q in roots.items()}
        g = d.xreplace(repl)
        if _zero_quick(g) or _zero_quick(sympy.simplify(g)):
            return "sqrt substitution"
    return None


def _goal_sets(big, small, want):
    """Alternative lists of (difference, wanted sign) that together prove
    big > small (want 'pos') or big >= small (want 'nonneg')."""
    sets = []
    if isinstance(small, sympy.Abs):
        (u,) = small.args
        sets.append([(big - u, want), (big + u, want)])
    if isinstance(big, sympy.Abs) and isinstance(small, sympy.Abs):
        # |B| >= |A| iff B**2 >= A**2 (reals): |sin(x)| <= |x|
        sets.append(_Labelled("squared sides", [(big.args[0] ** 2 - small.args[0] ** 2, want)]))
    if isinstance(big, sympy.Abs):
        (u,) = big.args
        sets.append([(u - small, want)])
        sets.append([(-u - small, want)])
    for f in (sympy.exp, sympy.log):
        # increasing: the arguments compare the same way (log only where defined)
        if isinstance(big, f) and isinstance(small, f):
            sets.append([(big.args[0] - small.args[0], want)])
    # t -> t**n is increasing on t >= 0 for n > 0: compare the bases, written with
    # exp(A) = exp(A/n)**n where one side is an exponential
    pb = _as_power(big)
    ps = _as_power(small)
    if pb and ps:
        (b1, n1), (b2, n2) = pb, ps
        if n1 == n2 and n1.is_positive:
            sets.append([(b1 - b2, want), (b2, NONNEG)])
    ebig, esmall = _exp_arg(big), _exp_arg(small)
    if ps and ebig is not None and ps[1].is_positive:
        base, n = ps
        sets.append([(sympy.exp(ebig / n) - base, want), (base, NONNEG)])
    if pb and esmall is not None and pb[1].is_positive:
        base, n = pb
        sets.append([(base - sympy.exp(esmall / n), want)])
    # Max(a, b) <= c iff a <= c and b <= c; c <= Min(a, b) likewise; c <= Max(a, b)
    # follows from c <= a alone (and Min(a, b) <= c from a <= c)
    if isinstance(small, sympy.Max):
        sets.append(_Labelled("Max/Min bound", [(big - p, want) for p in small.args]))
    if isinstance(big, sympy.Min):
        sets.append(_Labelled("Max/Min bound", [(p - small, want) for p in big.args]))
    if isinstance(big, sympy.Max):
        sets.extend(_Labelled("Max/Min bound", [(p - small, want)]) for p in big.args)
    if isinstance(small, sympy.Min):
        sets.extend(_Labelled("Max/Min bound", [(big - p, want)]) for p in small.args)
    large = has_large_power(big) or has_large_power(small)
    # with roots: big >= 0 and big**2 - small**2 >= 0 (> 0) give big >= |small| >= small
    squared = None
    if (_has_root(big) or _has_root(small)) and not large:
        squared = _Labelled("squared sides", [(big, NONNEG), (sympy.expand(big**2 - small**2), want)])
    transcendental = (big - small).has(sympy.exp, sympy.log, sympy.sin, sympy.cos)
    if squared is not None and not transcendental:
        sets.append(squared)
    # weighted AM-GM / Young: big = sum c_i*z_i, small = prod z_i**c_i
    sets.extend(_Labelled("weighted AM-GM", goals) for goals in amgm_goals(big, small, want))
    # the plain difference last: the rewritten goals are simpler when they exist
    sets.append([(big - small, want)])
    if squared is not None and transcendental:
        # 1 - sqrt(u) <= exp(-sqrt(u)): the exp/log bounds work on the plain difference
        sets.append(squared)
    return sets


class _Labelled(list):
    """A goal set whose argument has its own name in the verdict."""

    def __init__(self, label: str, goals):
        super().__init__(goals)
        self.label = label


def _has_root(e) -> bool:
    # roots of expressions in the variables; constant radicals (sqrt(20315)) are numbers
    return any(p.exp.is_Rational and not p.exp.is_Integer and p.base.free_symbols for p in e.atoms(sympy.Pow))


def _exp_arg(e):
    """u for exp(u) (E counts as exp(1)), else None."""
    if isinstance(e, sympy.exp):
        return e.args[0]
    if e is sympy.E:
        return sympy.Integer(1)
    return None


def _as_power(e):
    if isinstance(e, sympy.Pow) and not e.exp.is_Integer or (isinstance(e, sympy.Pow) and e.exp > 1):
        return e.base, e.exp
    return None


def _decide_inequality(big, small, strict, a, names, deadline, seed, domain=()):
    want = POS if strict else NONNEG
    d = big - small
    check = StepCheck(d, ">" if strict else ">=", a, names, (big, small), domain)
    prover = SignProver(a, deadline)
    if not d.free_symbols:
        s = sign_of_number(d)
        if s is not None:
            if s > 0 or (s == 0 and not strict):
                return "proved", "exact evaluation", None
            r = _refuted(check, a, deadline, seed, "exact evaluation")
            return r if r else _unknown(deadline)
    # SymPy's own sign facts expand (1 + x)**999: large powers go to the generalisation
    large = has_large_power(d)
    if not large and prover._sympy_sign(d, want):
        return "proved", "factored sign", None
    r = _refuted(check, a, deadline, seed, "counterexample search", grid_only=True)
    if r:
        return r
    extra = None if large else _univariate_witness(d, a, want)
    if extra:
        r = _refuted(check, a, deadline, seed, "univariate interval", extra=extra, grid_only=True)
        if r:
            return r
    m = _goal_proof(big, small, want, prover)
    if m:
        return "proved", m, None
    r = _closed_form_refuted(check, a, names, deadline)
    if r:
        return r
    r = _refuted(check, a, deadline, seed, "counterexample search")
    if r:
        return r
    return _unknown(deadline)


def _goal_proof(big, small, want, prover: SignProver) -> str | None:
    """Name of the argument proving big > small (want 'pos') or >= (want 'nonneg'), or None."""
    for goals in _goal_sets(big, small, want):
        if getattr(goals, "label", "") == "Max/Min bound" and len(goals) == 1 and _fails_on_grid(goals[0][0], prover):
            continue  # Max(p, q) >= s through p >= s: a p that is not a bound costs the budget
        methods = []
        for g, w in goals:
            m = prover.prove(g, w)
            if not m:
                break
            methods.append(m)
        else:
            if isinstance(goals, _Labelled):
                return goals.label
            return methods[0] if len(set(methods)) == 1 else "factored sign"
    return None


def _closed_form_refuted(check: StepCheck, a: Assumptions, names, deadline):
    """A counterexample at a closed-form zero or critical point of the difference
    (x = pi/2 for sin(x) < 1), confirmed exactly by ``closed_form_violation``."""
    if not 1 <= len(names) <= 3 or deadline - time.monotonic() < 0.5 or has_large_power(check.diff):
        return None
    syms = {n: check.symbols.get(n) for n in names}
    if any(s is None for s in syms.values()) or {s.name for s in check.diff.free_symbols} - set(names):
        return None
    # one variable free, the others at 0 or 1 ((x - sqrt(2))**2 + y**2 > 0 at y = 0)
    slices = [(name, {}) for name in names] if len(names) == 1 else \
        [(name, {o: sympy.Integer(v) for o in names if o != name}) for v in (0, 1) for name in names]
    for name, fixed in slices:
        if time.monotonic() > deadline:
            return None
        x = syms[name]
        d = check.diff.xreplace({syms[o]: v for o, v in fixed.items()})
        if not d.free_symbols <= {x}:
            continue
        for c in closed_form_candidates(d, x, deadline):
            if time.monotonic() > deadline:
                return None
            point = {**fixed, name: c}
            if closed_form_violation(check.diff, check.op, a, check.domain, check.parts, point):
                values = dict(point)
                for k, expr in a.definitions.items():
                    values.setdefault(k.name, expr.xreplace({s: values[s.name] for s in expr.free_symbols
                                                             if s.name in values}))
                return "refuted", "closed-form counterexample", {n: closed_form_str(v) for n, v in sorted(values.items())}
    return None


def closed_form_str(v) -> str:
    """A rational as rational_str prints it; any other closed form as SymPy prints it."""
    from .exact import rational_str

    return rational_str(v) if isinstance(v, sympy.Rational) else str(v)


def _fails_on_grid(g, prover: SignProver) -> bool:
    """g < 0 at a simple rational point of the region (exact; a short grid only)."""
    a = prover.a
    names = sorted({s.name for s in g.free_symbols} - {k.name for k in a.definitions} | set(a.free_names))
    if any(a.symbols.get(s.name) != s for s in g.free_symbols if s.name in a.symbols):
        return False
    try:
        check = StepCheck(g, ">=", a, names, (g,), ())
        deadline = min(prover.deadline, time.monotonic() + 0.5)
        return search_counterexample(check, deadline=deadline, seed=0, grid_only=True) is not None
    except Exception:  # noqa: BLE001 - a filter only: when in doubt, try the goal
        return False


def _univariate_witness(d, a: Assumptions, want):
    syms = d.free_symbols
    if len(syms) != 1:
        return None
    (x,) = syms
    if not d.is_rational_function(x):
        return None
    try:
        s, witness = univariate_sign(d, x, a.bounds(x.name))
    except (sympy.PolynomialError, NotImplementedError, ValueError, ZeroDivisionError):
        return None
    points = []
    if s is None and witness:
        points.append(witness[0])
    elif s == NONNEG and want == POS and witness is not None:
        points.append(witness)
    if not points:
        return None
    base = {n: sympy.Integer(0) for n in a.free_names}
    return [{**base, x.name: p} for p in points]


def _unknown(deadline):
    if time.monotonic() > deadline:
        return "unknown", "timeout", None
    return "unknown", "no argument found", None
