"""Near-miss mutation analysis: wrong formulas generated from a claim's statement.

For every statement-driven check (``NumericCheck(measures=...)``) the right side of
the relation it measures is rewritten the way a researcher slips:

* each numeric constant times 1/2, 2/3, 3/2 and 2 (so a threshold's 2 also becomes 1 and 3);
* each numeric exponent plus and minus 1;
* each factor of a product dropped, each term of a sum dropped;
* same-role symbols swapped (L <-> mu, beta1 <-> beta2, ...);
* an iteration count T (or t, k, n, N, K) replaced by its square.

Each mutant runs through every check that measures its left side, on the same
measured samples (explicit examples plus a seeded Hypothesis draw of the check's
strategy). It is killed only at a sample where the check itself passes and the
measurement disagrees with the mutant by ``KILL_FACTOR`` tolerances (and lies
outside the Monte Carlo confidence interval, if any): ``claim.mutant_killed``.
A NaN, inf or raising prediction never kills.

The score is killed / (generated - implied - documented equivalent):

* *implied*: for an upper (lower) bound, a mutant at least as loose as the claim's
  bound at every measured sample is a true, weaker statement that no measurement
  can refute; it is listed, not counted. How loose the claim itself is shows in
  ``tightness`` (largest measured/bound for upper bounds, smallest for lower ones).
* *equivalent*: ``Claim.equivalent`` documents survivors that cannot be told apart
  on the checked domain (or that a check cannot reach), each with its reason.
* *undefined*: a rewrite whose prediction is not a finite real number at any measured
  sample (e.g. the log of a negative number) is no formula at all; it is listed, not counted.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, NamedTuple

import sympy

from .claim import (
    Claim,
    NumericCheck,
    check_relation,
    compare_values,
    kill_margin,
    mutant_killed,
    relation_compare,
    relation_text,
)

__all__ = ["NearMiss", "MutationReport", "near_misses", "analyse", "draw_samples", "Sample", "MAX_MUTANTS",
           "ROLE_PAIRS", "COUNT_SYMBOLS"]

#: Same-role symbol pairs swapped by the generator (by name).
ROLE_PAIRS = (("L", "mu"), ("beta1", "beta2"), ("lambda_max", "lambda_min"), ("l_max", "l_min"),
              ("L_max", "L_min"), ("sigma_max", "sigma_min"))
#: Iteration counts: T -> T^2.
COUNT_SYMBOLS = ("T", "t", "k", "K", "n", "N")
_FACTORS = (sympy.Rational(1, 2), sympy.Rational(2, 3), sympy.Rational(3, 2), sympy.Integer(2))
#: Generated mutants per measured relation are capped (in generation order) to keep runs affordable.
MAX_MUTANTS = 60


class NearMiss(NamedTuple):
    relation: sympy.Basic  # the alternative relation (same left side and relation type)
    rule: str  # how it was made, e.g. "constant 2 x 1/2"

    @property
    def text(self) -> str:
        return relation_text(self.relation)


class Sample(NamedTuple):
    params: Any
    measured: float
    interval: dict | None


class MutationReport(NamedTuple):
    claim_id: str
    generated: int
    killed: int
    equivalent: int  # survivors with a documented reason (Claim.equivalent)
    score: float | None  # killed / (generated - implied - equivalent); None when nothing was generated
    kills: tuple[dict, ...]
    survivors: tuple[dict, ...]
    samples: dict  # check name -> number of measured samples where the check passed
    note: str
    implied: tuple[dict, ...] = ()  # looser bounds than the claim at every sample (true; not counted)
    tightness: dict = {}  # check name -> max measured/bound (upper) or min (lower) over the samples
    undefined: tuple[dict, ...] = ()  # predictions never a finite real number at the samples (not counted)

    @property
    def counted(self) -> int:
        return self.generated - self.equivalent - len(self.implied) - len(self.undefined)

    def to_dict(self) -> dict:
        from .result import jsonable

        return jsonable(self._asdict())

    def __str__(self) -> str:
        if self.score is None:
            return f"{self.claim_id}: no near-miss mutants ({self.note})"
        lines = [f"{self.claim_id}: mutation score {100 * self.score:.0f}% "
                 f"({self.killed}/{self.counted} killed"
                 + (f", {self.equivalent} documented equivalent" if self.equivalent else "")
                 + (f", {len(self.implied)} implied (looser bounds)" if self.implied else "")
                 + (f", {len(self.undefined)} undefined (not real anywhere sampled)" if self.undefined else "") + ")"]
        for name, t in self.tightness.items():
            lines.append(f"  tightness of {name}: {t:.4g} (measured/bound, extreme over the samples)")
        for s in self.survivors:
            lines.append(f"  survivor {s['relation']}  [{s['rule']}]" + (f"  -- {s['reason']}" if s["reason"] else ""))
        return "\n".join(lines)


# --------------------------------------------------------------------------- generation
def _fmt(x) -> str:
    return str(x)


def _local_rewrites(e: sympy.Basic) -> Iterable[tuple[sympy.Basic, str]]:
    # +-1 are structure (a sign, the 1 in 1 - eta*mu), not constants; an implicit overall
    # constant is covered by _global_rewrites' "overall x f"
    if isinstance(e, sympy.Number) and e not in (0, 1, -1):
        for f in _FACTORS:
            yield e * f, f"constant {_fmt(e)} x {_fmt(f)}"
    if isinstance(e, sympy.Pow) and e.exp.is_Number:
        for d in (1, -1):
            yield sympy.Pow(e.base, e.exp + d), f"exponent {_fmt(e.exp)} {'+' if d > 0 else '-'} 1"
    if isinstance(e, sympy.Mul):
        args = e.args
        for i, a in enumerate(args):
            if a.is_Number:
                continue
            rest = args[:i] + args[i + 1:]
            if rest:
                yield sympy.Mul(*rest), f"factor {_fmt(a)} dropped"
    if isinstance(e, sympy.Add):
        for i, a in enumerate(e.args):
            rest = e.args[:i] + e.args[i + 1:]
            if rest:
                yield sympy.Add(*rest), f"term {_fmt(a)} dropped"


def _rewrites(e: sympy.Basic) -> Iterable[tuple[sympy.Basic, str]]:
    """Every single local rewrite of ``e``, at each position of its tree."""
    yield from _local_rewrites(e)
    if isinstance(e, sympy.Pow):  # the exponent is handled as a whole, not as a constant
        for new, rule in _rewrites(e.base):
            yield sympy.Pow(new, e.exp), rule
        return
    if not e.args or isinstance(e, (sympy.Symbol, sympy.Number)):
        return
    for i, a in enumerate(e.args):
        for new, rule in _rewrites(a):
            try:
                yield e.func(*e.args[:i], new, *e.args[i + 1:]), rule
            except Exception:  # a rewrite the head cannot take (e.g. a Piecewise condition)
                continue


def _global_rewrites(rhs: sympy.Basic) -> Iterable[tuple[sympy.Basic, str]]:
    by_name = {s.name: s for s in rhs.free_symbols}
    for f in _FACTORS:
        yield rhs * f, f"overall x {_fmt(f)}"
    for a, b in ROLE_PAIRS:
        if a in by_name and b in by_name:
            yield rhs.subs({by_name[a]: by_name[b], by_name[b]: by_name[a]}, simultaneous=True), f"swap {a} <-> {b}"
    for name in COUNT_SYMBOLS:
        if name in by_name:
            yield rhs.subs(by_name[name], by_name[name] ** 2), f"{name} -> {name}^2"


def _same(a: sympy.Basic, b: sympy.Basic) -> bool:
    try:
        return a == b or sympy.expand(a - b) == 0
    except Exception:
        return False


def near_misses_of(relation: sympy.Basic, *, limit: int = MAX_MUTANTS) -> list[NearMiss]:
    """Near-miss alternatives of one relation: its right side rewritten, left side and relation kept."""
    rhs = relation.rhs
    out: list[NearMiss] = []
    seen = {sympy.srepr(rhs)}
    for new, rule in (*_global_rewrites(rhs), *_rewrites(rhs)):
        if not isinstance(new, sympy.Expr) or new.has(sympy.zoo, sympy.nan) or _same(new, rhs):
            continue
        key = sympy.srepr(new)
        if key in seen:
            continue
        seen.add(key)
        rel = type(relation)(relation.lhs, new, evaluate=False)
        out.append(NearMiss(rel, rule))
        if len(out) >= limit:
            break
    return out


def measured_relations(claim: Claim) -> list[sympy.Basic]:
    """The distinct relations the claim's statement-driven checks measure (one per left side)."""
    rels, seen = [], set()
    for c in claim.checks:
        if not c.statement_driven or not c.near_misses:
            continue
        rel = check_relation(claim, c)
        key = (getattr(rel.lhs, "name", str(rel.lhs)), sympy.srepr(rel))
        if key not in seen:
            seen.add(key)
            rels.append(rel)
    return rels


def near_misses(claim: Claim, *, limit: int = MAX_MUTANTS) -> list[NearMiss]:
    """Near-miss mutants of every relation the claim's checks measure."""
    out = []
    for rel in measured_relations(claim):
        out.extend(near_misses_of(rel, limit=limit))
    return out


# --------------------------------------------------------------------------- measuring
def draw_samples(strategy, n: int, seed: int) -> list:
    """``n`` parameter draws of a Hypothesis strategy, reproducible from ``seed`` (no shrinking)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hyp_seed

    out: list = []

    @hyp_seed(seed)
    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)
    @given(params=strategy)
    def collect(params):
        out.append(params)

    collect()
    return out


def measure_samples(claim: Claim, check: NumericCheck, measurer, *, seed: int, max_examples: int) -> list[Sample]:
    """The check's explicit examples and drawn parameters, measured; only those where the
    check itself passes (a kill elsewhere would rest on a measurement the claim disowns)."""
    from .runner import _params_key

    strategy = (check.strategy or claim.strategy)()
    candidates = list(check.examples) + draw_samples(strategy, check.draws(max_examples), seed)
    samples, seen = [], set()
    for params in candidates:
        key = _params_key(params)
        if key in seen:
            continue
        seen.add(key)
        try:
            m = measurer.measure(check, params, key)
            ok = compare_values(m, float(check.predict(params)), check.compare, check.rtol, check.atol)
        except Exception:
            continue
        if ok:
            samples.append(Sample(params, m, measurer.intervals.get((check.name, key))))
    return samples


def first_kill(check: NumericCheck, relation, samples: list[Sample]) -> dict | None:
    """The first sample at which ``relation`` (through ``check``'s bindings) is killed."""
    predict = check.predictor_for(relation)
    compare = relation_compare(relation)
    for s in samples:
        try:
            p = float(predict(s.params))
        except Exception:
            continue
        if mutant_killed(s.measured, p, compare, check.rtol, check.atol, s.interval):
            return {"check": check.name, "params": s.params, "measured": s.measured, "predicted": p,
                    "margin": kill_margin(s.measured, p, compare, check.rtol, check.atol)}
    return None


def analyse(claim: Claim, *, seed: int = 0, max_examples: int | None = None, backend: str = "numpy",
            mutants: list[NearMiss] | None = None, measurer=None) -> MutationReport:
    """Generate near-miss mutants of ``claim`` (or take ``mutants``) and try to kill each one."""
    from .runner import DEFAULT_MAX_EXAMPLES, _Measurer, _namespace

    n = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    mutants = near_misses(claim) if mutants is None else mutants
    if not any(c.statement_driven for c in claim.checks):
        return MutationReport(claim.id, 0, 0, 0, None, (), (), {},
                              "no statement-driven check (old-form claim): nothing to generate from")
    measurer = measurer or _Measurer(_namespace(backend), backend, seed)
    samples: dict[str, list[Sample]] = {}
    kills, survivors, implied, undefined = [], [], [], []
    for nm in mutants:
        found = None
        checks = claim.checks_measuring(nm.relation.lhs)
        for check in checks:
            if check.name not in samples:
                samples[check.name] = measure_samples(claim, check, measurer, seed=seed, max_examples=n)
            found = first_kill(check, nm.relation, samples[check.name])
            if found:
                break
        if found:
            kills.append({"relation": nm.text, "rule": nm.rule, **found})
        elif _undefined(checks, nm.relation, samples):
            undefined.append({"relation": nm.text, "rule": nm.rule})
        elif _implied(checks, nm.relation, samples):
            implied.append({"relation": nm.text, "rule": nm.rule})
        else:
            survivors.append({"relation": nm.text, "rule": nm.rule, "reason": claim.equivalent.get(nm.text, "")})
    equivalent = sum(bool(s["reason"]) for s in survivors)
    denominator = len(mutants) - equivalent - len(implied) - len(undefined)
    score = (len(kills) / denominator if denominator else 1.0) if mutants else None
    note = "" if mutants else "the measured relations have nothing to rewrite"
    stale = sorted(set(claim.equivalent) - {nm.text for nm in mutants})
    if stale:  # a documented reason for a mutant that is no longer generated (the statement changed)
        note = "; ".join(filter(None, [note, f"Claim.equivalent names mutants not generated: {stale}"]))
    return MutationReport(claim.id, len(mutants), len(kills), equivalent, score, tuple(kills), tuple(survivors),
                          {k: len(v) for k, v in samples.items()}, note, tuple(implied),
                          tightness(claim, samples), tuple(undefined))


def _undefined(checks, relation, samples: dict) -> bool:
    """True when the mutant's prediction is not a finite real number (it raises, is complex, NaN or
    inf) at every measured sample of every check: not a formula anyone could hold, so it is listed
    and not counted (it could never be killed, and it could never be true either)."""
    seen = False
    for c in checks:
        predict = c.predictor_for(relation)
        for s in samples[c.name]:
            seen = True
            try:
                if math.isfinite(float(predict(s.params))):
                    return False
            except Exception:
                continue
    return seen


def _implied(checks, relation, samples: dict) -> bool:
    """Looser than the claim on every check where the mutant can be evaluated (a check whose
    bindings do not cover the mutant's symbols, e.g. another instance family, says nothing)."""
    verdicts = [looser(c, relation, samples[c.name]) for c in checks if _applicable(c, relation, samples[c.name])]
    return bool(verdicts) and all(verdicts)


def _applicable(check: NumericCheck, relation, samples: list[Sample]) -> bool:
    predict = check.predictor_for(relation)
    for s in samples:
        try:
            predict(s.params)
            return True
        except Exception:
            continue
    return not samples


def looser(check: NumericCheck, relation, samples: list[Sample]) -> bool:
    """True when ``relation`` is an upper (lower) bound at least as loose as the check's own
    bound (or own tight value) at every sample: implied by the claim, so no measurement can refute it."""
    compare = relation_compare(relation)
    # a tight check (measured = own prediction) implies every bound on the right side of it too
    if compare == "tight" or check.compare not in (compare, "tight") or not samples:
        return False
    predict = check.predictor_for(relation)
    for s in samples:
        try:
            p, own = float(predict(s.params)), float(check.predict(s.params))
        except Exception:
            return False
        if not (math.isfinite(p) and math.isfinite(own)):
            return False
        slack = 1e-12 * max(abs(p), abs(own))
        if (compare == "upper" and p < own - slack) or (compare == "lower" and p > own + slack):
            return False
    return True


def tightness(claim: Claim, samples: dict[str, list[Sample]]) -> dict:
    """Per bound check: the largest measured/bound (upper) or smallest (lower) over the samples."""
    out = {}
    for name, ss in samples.items():
        check = claim.check_named(name)
        if check.compare == "tight":
            continue
        ratios = []
        for s in ss:
            try:
                p = float(check.predict(s.params))
            except Exception:
                continue
            if p and math.isfinite(p) and math.isfinite(s.measured):
                ratios.append(s.measured / p)
        if ratios:
            out[name] = max(ratios) if check.compare == "upper" else min(ratios)
    return out


def catalog_score(reports: Iterable[MutationReport]) -> tuple[int, int, float | None]:
    """(killed, counted, score) over many claims; implied and documented-equivalent mutants are not counted."""
    killed = counted = 0
    for r in reports:
        if r.score is None:
            continue
        killed += r.killed
        counted += r.counted
    return killed, counted, (killed / counted if counted else None)
