"""Search for an exact counterexample to a step inside the assumed region.

Points are drawn symbol by symbol in an order where a symbol bounded by others
(``eta < 2/L``) comes after them, so that narrow regions are sampled directly
(eta as a fraction of 2/L, values just inside the ends). First a small grid of
simple rationals, then a float minimisation of the step's margin started from
the best grid points (for narrow failing regions), then Hypothesis (seeded)
with shrinking; finally each coordinate is simplified while it stays a
counterexample.

Floats only pick candidates; a point is reported only if ``Assumptions.
satisfied_exactly`` holds and the step fails in exact / certified arithmetic.
"""
from __future__ import annotations

import math
import random
import time
import warnings
from fractions import Fraction

import sympy

from .assumptions import Assumptions
from .domain import holds_at, simplify_conditions, tree_conditions
from .exact import defined_at, sign_at
from .prove_plans import _linear_bounds

__all__ = ["StepCheck", "search_counterexample"]


class StepCheck:
    """Exact test "does the step fail at this point?" for d = big - small (or lhs - rhs)."""

    def __init__(self, diff, op: str, assumptions: Assumptions, names: list[str], parts=(), domain=()):
        self.diff = diff
        # the two sides: a counterexample must be a point where both are defined,
        # as written (domain: recorded by the parser) and as folded (the trees)
        self.parts = tuple(parts)
        folded = [c for p in (self.parts or (diff,)) for c in tree_conditions(p)]
        self.domain = tuple(simplify_conditions(list(domain) + folded))
        self.op = op  # "=", ">" (diff > 0 claimed) or ">=" (diff >= 0 claimed)
        self.a = assumptions
        self.names = names
        self.symbols = {n: assumptions.symbol(n) for n in names}
        for s in diff.free_symbols:
            self.symbols.setdefault(s.name, s)
        self._float = _lambdify(diff, [self.symbols[n] for n in self.names])
        self.exact_calls = 0

    def float_value(self, point: dict) -> float | None:
        if self._float is None:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = self._float(*[float(point[n]) for n in self.names])
            v = complex(v)
            if v.imag != 0:
                return None
            return v.real
        except Exception:  # noqa: BLE001 - a pre-screen only: any failure means "check exactly"
            return None

    def promising(self, point: dict) -> bool:
        """Float pre-screen: could this point violate the step? (never decides)"""
        v = self.float_value(point)
        if v is None or math.isnan(v):
            return True
        tiny = 1e-9 * (1 + max(abs(float(x)) for x in point.values())) if point else 1e-9
        if self.op == "=":
            return True
        return v <= tiny

    def violated(self, point: dict) -> bool:
        """Exact: the point satisfies every assumption and the step fails there."""
        full = self.a.complete(point)
        if full is None or not self.a.satisfied_exactly(full):
            return False
        self.exact_calls += 1
        subs = {self.symbols[n]: v for n, v in full.items() if n in self.symbols}
        subs.update({self.a.symbol(n): v for n, v in full.items()})
        for c in self.domain:
            for sym in c.expr.free_symbols:
                if sym not in subs and sym.name in full:
                    subs[sym] = full[sym.name]
        if not holds_at(self.domain, subs):
            return False
        s = sign_at(self.diff, subs)
        if s is None:
            return False
        if not all(defined_at(p, subs) for p in self.parts):
            return False
        if self.op == "=":
            return s != 0
        if self.op == ">":
            return s <= 0
        return s < 0


def _lambdify(expr, syms):
    try:
        return sympy.lambdify(syms, expr, modules="math")
    except Exception:  # noqa: BLE001 - lambdify's printer fails in many ways; then exact only
        return None


# -- region ------------------------------------------------------------------

def _draw_plan(assumptions: Assumptions, names: list[str]):
    """Order of names and per-name symbolic bounds [(c, is_lower, strict)]."""
    options = []
    for g, strict in assumptions.forms:
        opts = _linear_bounds(g, strict, assumptions)
        if opts:
            options.append(opts)
    # greedy acyclic choice: each constraint bounds one symbol in terms of others
    choice = []
    for opts in options:
        for o in opts:
            if _acyclic_multi(choice + [o]):
                choice.append(o)
                break
    deps = {}
    for v, c, lower, strict in choice:
        deps.setdefault(v.name, []).append((c, lower, strict))
    order = []
    placed = set()
    pending = [n for n in names]

    def ready(n):
        return all(s.name in placed or s.name not in names for c, *_ in deps.get(n, []) for s in c.free_symbols)

    while pending:
        progress = False
        for n in list(pending):
            if ready(n):
                order.append(n)
                placed.add(n)
                pending.remove(n)
                progress = True
        if not progress:
            order.extend(pending)
            break
    return order, deps


def _acyclic_multi(choice):
    deps = {}
    for v, c, *_ in choice:
        deps.setdefault(v, set()).update(c.free_symbols)
    seen, stack = set(), set()

    def visit(v):
        if v in stack:
            return False
        if v in seen:
            return True
        stack.add(v)
        ok = all(visit(u) for u in deps.get(v, ()) if u in deps)
        stack.discard(v)
        seen.add(v)
        return ok

    return all(visit(v) for v in deps)


def _interval_for(name, assumptions: Assumptions, deps, point):
    """Exact (lo, lo_open, hi, hi_open) for ``name`` given the values drawn so far."""
    iv = assumptions.bounds(name)
    lo, hi = iv.inf, iv.sup
    lo_open, hi_open = bool(getattr(iv, "left_open", False)), bool(getattr(iv, "right_open", False))
    subs = {assumptions.symbol(n): v for n, v in point.items()}
    for c, lower, strict in deps.get(name, []):
        v = c.xreplace(subs)
        if not v.is_number or v.has(sympy.zoo, sympy.nan):
            continue
        if not v.is_Rational:
            try:
                v = sympy.Rational(Fraction(float(v)).limit_denominator(10**12))
            except (TypeError, ValueError, OverflowError):
                continue
        if lower and (v > lo or (v == lo and strict)):
            lo, lo_open = v, strict
        if not lower and (v < hi or (v == hi and strict)):
            hi, hi_open = v, strict
    return lo, lo_open, hi, hi_open


def _inside(x, lo, lo_open, hi, hi_open) -> bool:
    if lo != -sympy.oo and (x < lo or (lo_open and x == lo)):
        return False
    if hi != sympy.oo and (x > hi or (hi_open and x == hi)):
        return False
    return True


_SIMPLE = [0, 1, -1, 2, sympy.Rational(1, 2), -2, 3, sympy.Rational(1, 3), sympy.Rational(3, 2), 10,
           sympy.Rational(1, 10), -sympy.Rational(1, 2), 100, sympy.Rational(1, 100), -10]


def grid_values(lo, lo_open, hi, hi_open, limit: int = 8) -> list:
    """Simple rationals in the interval, ends first when it is narrow."""
    out = []
    finite_lo, finite_hi = lo != -sympy.oo, hi != sympy.oo

    def add(x):
        x = sympy.Rational(x)
        if _inside(x, lo, lo_open, hi, hi_open) and x not in out:
            out.append(x)

    if finite_lo and finite_hi:
        w = hi - lo
        for f in (sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(3, 4), sympy.Rational(1, 10),
                  sympy.Rational(9, 10), sympy.Rational(1, 100), sympy.Rational(99, 100), 0, 1):
            add(lo + w * f)
    for x in _SIMPLE:
        add(x)
    if finite_lo:
        for d in (1, sympy.Rational(1, 10), sympy.Rational(1, 1000)):
            add(lo + d)
    if finite_hi:
        for d in (1, sympy.Rational(1, 10), sympy.Rational(1, 1000)):
            add(hi - d)
    return out[:limit]


def _value_from_draw(mode: int, a: int, b: int, lo, lo_open, hi, hi_open):
    """Map Hypothesis integers to a rational in the interval; small draws give simple numbers."""
    finite_lo, finite_hi = lo != -sympy.oo, hi != sympy.oo
    cands = []
    if mode == 0:
        cands.append(sympy.Integer(a))
    elif mode == 1:
        cands.append(sympy.Rational(a, 1 + abs(b)))
    elif mode == 2 and finite_lo:
        cands.append(lo + sympy.Rational(1 + abs(a) % 9, 10 ** (1 + abs(b) % 40)))
    elif mode == 3 and finite_hi:
        cands.append(hi - sympy.Rational(1 + abs(a) % 9, 10 ** (1 + abs(b) % 40)))
    elif mode == 4:
        den = 1 + abs(b) % 1000
        num = abs(a) % (den + 1)
        if finite_lo and finite_hi:
            cands.append(lo + (hi - lo) * sympy.Rational(num, den))
        elif finite_lo:
            cands.append(lo + sympy.Rational(abs(a), 1 + abs(b) % 50))
        elif finite_hi:
            cands.append(hi - sympy.Rational(abs(a), 1 + abs(b) % 50))
        else:
            cands.append(sympy.Rational(a, 1 + abs(b) % 50))
    elif mode == 5:
        e = abs(b) % 25
        cands.append(sympy.Integer(10) ** e * (1 if a >= 0 else -1))
        cands.append(sympy.Rational(1, 10**e) * (1 if a >= 0 else -1))
    for c in cands:
        if _inside(c, lo, lo_open, hi, hi_open):
            return c
    return _fallback(lo, lo_open, hi, hi_open)


def _fallback(lo, lo_open, hi, hi_open):
    finite_lo, finite_hi = lo != -sympy.oo, hi != sympy.oo
    if finite_lo and finite_hi:
        return (lo + hi) / 2
    if finite_lo:
        return lo + 1
    if finite_hi:
        return hi - 1
    return sympy.Integer(0)


# -- search ------------------------------------------------------------------

def search_counterexample(check: StepCheck, *, deadline: float, seed: int = 0,
                          extra: list[dict] | None = None, max_examples: int = 250,
                          grid_only: bool = False) -> dict | None:
    """An exact counterexample {name: Rational} (simplified) or None."""
    a = check.a
    names = list(check.names)
    order, deps = _draw_plan(a, names)
    for point in extra or []:
        if time.monotonic() > deadline:
            return None
        if set(point) >= set(names) and check.violated(point):
            return _simplify(check, point, order, deadline)
    seen: list = []
    found = _grid(check, order, deps, deadline, seed, seen=seen)
    if found is not None:
        return _simplify(check, found, order, deadline)
    if grid_only or time.monotonic() > deadline:
        return None
    found = _local_search(check, order, seen, deadline, seed)
    if found is not None:
        return _simplify(check, found, order, deadline)
    found = _hypothesis(check, order, deps, deadline, seed, max_examples)
    if found is not None:
        return _simplify(check, found, order, deadline)
    return None


def _grid(check, order, deps, deadline, seed, budget: int = 120, seen=None):
    rng = random.Random(seed)
    tried = 0
    a = check.a
    # depth-first over per-symbol simple values, visiting the product in a shuffled order
    stack = [({}, 0)]
    while stack and tried < budget:
        if time.monotonic() > deadline:
            return None
        point, i = stack.pop()
        if i == len(order):
            tried += 1
            if seen is not None:
                seen.append(point)
            if check.promising(point) and check.violated(point):
                return point
            continue
        name = order[i]
        lo, lo_open, hi, hi_open = _interval_for(name, a, deps, point)
        vals = grid_values(lo, lo_open, hi, hi_open, limit=6 if len(order) <= 2 else 4)
        head, tail = vals[:1], vals[1:]
        rng.shuffle(tail)
        for v in reversed(head + tail):
            stack.append(({**point, name: v}, i + 1))
    return None


def _local_search(check, order, starts, deadline, seed, runs: int = 6):
    """Float minimisation of the step's margin from the best grid points, to land in
    narrow failing regions (a small disc in the plane, eta just below 2/L); each
    minimiser is rounded to nearby rationals that are then checked exactly."""
    if check.op == "=" or check._float is None or not order:
        return None
    a = check.a
    forms = [(_lambdify(g, [a.symbol(n) for n in order]), strict) for g, strict in a.forms]
    if any(f is None for f, _ in forms):
        return None
    boxes = []
    for n in order:
        iv = a.bounds(n)
        lo = float(iv.inf) if iv.inf != -sympy.oo else None
        hi = float(iv.sup) if iv.sup != sympy.oo else None
        if lo is not None and hi is not None and hi - lo < 1e-12:
            return None
        pad = 1e-12
        boxes.append((None if lo is None else lo + pad * (1 + abs(lo)), None if hi is None else hi - pad * (1 + abs(hi))))

    def margin(v):
        point = dict(zip(order, v))
        d = check.float_value(point)
        if d is None or not math.isfinite(d):
            return 1e30
        penalty = 0.0
        for f, strict in forms:
            try:
                gv = float(f(*v))
            except Exception:  # noqa: BLE001 - float pre-screen only
                return 1e30
            if not math.isfinite(gv):
                return 1e30
            penalty += max(0.0, -gv) * 1e3
        return d + penalty

    scored = []
    for point in starts:
        v = [float(point[n]) for n in order]
        scored.append((margin(v), v))
    rng = random.Random(seed)
    scored.sort(key=lambda t: t[0])
    beginnings = [v for _, v in scored[:runs]] or [[rng.uniform(-1, 1) for _ in order]]
    for v0 in beginnings:
        if time.monotonic() > deadline:
            return None
        best, fun = _nelder_mead(margin, v0, boxes, max_iter=300 * len(order), deadline=deadline)
        if not (fun <= 1e-9):
            continue
        for k in (1, 2, 3, 4, 6, 8, 10, 12, 15):
            if time.monotonic() > deadline:
                return None
            scale = 10**k
            for rounding in (lambda t, s=scale: Fraction(t).limit_denominator(s),
                             lambda t, s=scale: Fraction(round(t * s), s)):
                point = {n: sympy.Rational(rounding(float(t))) for n, t in zip(order, best)}
                if check.violated(point):
                    return point
    return None


def _nelder_mead(f, x0, boxes, *, max_iter, deadline, xtol=1e-14):
    """Plain Nelder-Mead with points clipped to the box (SciPy's import costs more
    than the whole search in a fresh worker)."""
    def clip(v):
        return [min(max(t, lo if lo is not None else t), hi if hi is not None else t) for t, (lo, hi) in zip(v, boxes)]

    n = len(x0)
    simplex = [clip(list(x0))]
    for i in range(n):
        v = list(x0)
        v[i] += 0.1 * max(abs(v[i]), 1e-3)
        simplex.append(clip(v))
    values = [f(v) for v in simplex]
    for it in range(max_iter):
        if it % 50 == 0 and time.monotonic() > deadline:
            break
        order = sorted(range(n + 1), key=values.__getitem__)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if max(abs(simplex[-1][j] - simplex[0][j]) for j in range(n)) < xtol * (1 + max(abs(t) for t in simplex[0])):
            break
        centroid = [sum(v[j] for v in simplex[:-1]) / n for j in range(n)]
        worst = simplex[-1]
        reflected = clip([c + (c - w) for c, w in zip(centroid, worst)])
        fr = f(reflected)
        if fr < values[0]:
            expanded = clip([c + 2 * (c - w) for c, w in zip(centroid, worst)])
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = clip([c + 0.5 * (w - c) for c, w in zip(centroid, worst)])
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                best = simplex[0]
                simplex = [best] + [clip([b + 0.5 * (t - b) for b, t in zip(best, v)]) for v in simplex[1:]]
                values = [values[0]] + [f(v) for v in simplex[1:]]
    i = min(range(n + 1), key=values.__getitem__)
    return simplex[i], values[i]


def _random_search(check, order, deps, deadline, seed, max_examples):
    """Same draws as the Hypothesis search, from a seeded RNG (used inside a running
    Hypothesis test, where a nested ``find`` is refused by Hypothesis)."""
    rng = random.Random(seed)
    a = check.a
    for i in range(max_examples):
        if time.monotonic() > deadline:
            return None
        point = {}
        for name in order:
            lo, lo_open, hi, hi_open = _interval_for(name, a, deps, point)
            scale = 10 if i < max_examples // 4 else 1000
            v = _value_from_draw(rng.randrange(6), rng.randint(-scale, scale), rng.randint(0, scale**2),
                                 lo, lo_open, hi, hi_open)
            point[name] = sympy.Integer(0) if v is None else v
        if check.promising(point) and check.violated(point):
            return point
    return None


def _hypothesis(check, order, deps, deadline, seed, max_examples):
    import hypothesis
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    a = check.a
    if hypothesis.currently_in_test_context():
        return _random_search(check, order, deps, deadline, seed, max_examples)

    @st.composite
    def points(draw):
        point = {}
        for name in order:
            lo, lo_open, hi, hi_open = _interval_for(name, a, deps, point)
            mode = draw(st.integers(0, 5))
            x = draw(st.integers(-1000, 1000))
            y = draw(st.integers(0, 10**6))
            v = _value_from_draw(mode, x, y, lo, lo_open, hi, hi_open)
            if v is None:
                v = sympy.Integer(0)
            point[name] = v
        return point

    def condition(point):
        if time.monotonic() > deadline:
            return False
        return check.promising(point) and check.violated(point)

    cfg = settings(max_examples=max_examples, derandomize=False, database=None, deadline=None,
                   phases=[Phase.generate, Phase.shrink], report_multiple_bugs=False,
                   suppress_health_check=list(HealthCheck))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return find(points(), condition, settings=cfg, random=random.Random(seed))
    except NoSuchExample:
        return None
    except Exception:  # noqa: BLE001 - Hypothesis internals (e.g. Unsatisfiable) mean "none found"
        return None


def _simpler(x):
    """Simpler rationals near x, simplest first."""
    out = []
    f = Fraction(int(x.p), int(x.q))
    for cand in (round(f), Fraction(math.floor(f)), Fraction(math.ceil(f))):
        out.append(sympy.Rational(cand))
    for d in (2, 3, 4, 5, 8, 10, 16, 100, 1000, 10**6):
        out.append(sympy.Rational(f.limit_denominator(d)))
    seen, res = set(), []
    for c in out:
        if c not in seen and c != x:
            seen.add(c)
            res.append(c)
    return res


def _simplify(check, point, order, deadline):
    point = dict(point)
    for name in order:
        for cand in _simpler(point[name]):
            if time.monotonic() > deadline:
                return point
            trial = {**point, name: cand}
            if check.violated(trial):
                point = trial
                break
    return point


def as_strings(point: dict, assumptions: Assumptions) -> dict[str, str]:
    from .exact import rational_str

    full = assumptions.complete(point) or point
    return {n: rational_str(v) for n, v in sorted(full.items())}

