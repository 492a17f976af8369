"""``challenge``: is an alternative formula distinguishable from the claim's?

The alternative is a relation in ``.deriv`` syntax (parsed with the whitelist parser,
never evaluated) over the claim's own symbols. Its left side must be a quantity one
of the claim's statement-driven checks measures; for a compound statement it
replaces the conjunct with that left side. Every such check then searches its
parameter strategy (seeded Hypothesis, shrinking) for a point where the check itself
passes and the measurement disagrees with the alternative by at least
``KILL_FACTOR`` check tolerances (``claim.mutant_killed``): the alternative is
**refuted** there. Otherwise it is **not refuted**, and the answer says which
parameter region was searched.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import sympy

from ..errors import InputError
from .claim import KILL_FACTOR, Claim, check_relation, kill_margin, relation_compare, relation_text

__all__ = ["challenge", "ChallengeResult", "parse_alternative", "DEFAULT_CHALLENGE_EXAMPLES"]

#: Hypothesis examples per check for a challenge (a question worth a longer search than CI's).
DEFAULT_CHALLENGE_EXAMPLES = 60


class ChallengeResult(NamedTuple):
    claim_id: str
    alternative: str  # the alternative relation as parsed
    claim_relation: str  # the conjunct it replaces
    status: str  # "refuted" | "not refuted"
    check: str | None  # the check that refuted it
    counterexample: dict | None  # shrunk parameters
    measured: float | None
    predicted: float | None  # the alternative's value there
    claim_predicted: float | None  # the claim's value there
    margin: float | None  # disagreement in check tolerances
    examples: int  # measured parameter points, all checks together
    region: dict  # parameter -> [lo, hi] over the points searched (numbers only)
    checks: tuple[str, ...]
    message: str

    def to_dict(self) -> dict:
        from .result import jsonable

        return jsonable(self._asdict())

    def __str__(self) -> str:
        head = f"{self.claim_id}: {self.alternative} is {self.status.upper()}"
        if self.status == "refuted":
            from .result import format_number as fmt

            return "\n".join([
                head,
                f"  by check {self.check} at {self.counterexample}",
                f"  measured {fmt(self.measured)}; alternative predicts {fmt(self.predicted)}; "
                f"the claim ({self.claim_relation}) predicts {fmt(self.claim_predicted)}",
                f"  margin: {fmt(self.margin, 3)} check tolerances (a kill needs >= {KILL_FACTOR:g})",
            ])
        region = ", ".join(f"{k} in [{v[0]:g}, {v[1]:g}]" for k, v in self.region.items()) or "(no numeric parameters)"
        return "\n".join([head, f"  searched {self.examples} points with checks {', '.join(self.checks)}",
                          f"  region: {region}", f"  {self.message}"])


def _symbol_table(claim: Claim) -> dict[str, sympy.Symbol]:
    table: dict[str, sympy.Symbol] = {}
    for s in claim.statement.free_symbols:
        table.setdefault(s.name, s)
    for c in claim.checks:
        if c.statement_driven:
            for s in check_relation(claim, c).free_symbols:
                table.setdefault(s.name, s)
            for k in c.bind:  # symbols the check binds besides the statement's (e.g. mu = lambda_min)
                name = getattr(k, "name", k)
                table.setdefault(name, k if isinstance(k, sympy.Symbol) else sympy.Symbol(name, real=True))
    return table


def parse_alternative(claim: Claim, text: str):
    """The alternative relation over the claim's own symbols (InputError naming the problem)."""
    from ..symbolic.parse import make_relation, parse_relation

    if not isinstance(text, str) or not text.strip():
        raise InputError("alternative", "expected a relation such as 'eta_c = 3/L'")
    lhs, op, rhs = parse_relation(text)
    table = _symbol_table(claim)
    unknown = sorted({s.name for s in (lhs.free_symbols | rhs.free_symbols)} - set(table))
    if unknown:
        raise InputError("alternative", f"unknown symbol(s) {', '.join(unknown)}; "
                         f"{claim.id}'s symbols are {', '.join(sorted(table))}")
    sub = {s: table[s.name] for s in lhs.free_symbols | rhs.free_symbols}
    lhs, rhs = lhs.xreplace(sub), rhs.xreplace(sub)
    measured = sorted({getattr(check_relation(claim, c).lhs, "name", "?") for c in claim.checks if c.statement_driven})
    if not measured:
        raise InputError("claim", f"{claim.id} has no statement-driven check, so it cannot be challenged yet")
    if not isinstance(lhs, sympy.Symbol) or lhs.name not in measured:
        raise InputError("alternative", f"the left side must be a measured quantity of {claim.id}: "
                         f"{', '.join(measured)} (got {lhs})")
    if lhs in rhs.free_symbols:
        raise InputError("alternative", f"{lhs} appears on both sides")
    rel = make_relation(lhs, op, rhs)
    if not isinstance(rel, sympy.Rel):
        raise InputError("alternative", f"{text!r} is not a relation between a measured quantity and a formula")
    return rel


def _numbers(value) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)] if math.isfinite(float(value)) else []
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    return []


def _region(points: list) -> dict:
    region: dict[str, list[float]] = {}
    for p in points:
        if not isinstance(p, dict):
            continue
        for k, v in p.items():
            xs = _numbers(v)
            if xs:
                lo, hi = region.get(k, [math.inf, -math.inf])
                region[k] = [min(lo, *xs), max(hi, *xs)]
    return dict(sorted(region.items()))


def challenge(claim: Claim | str, alternative: str, *, seed: int = 0, max_examples: int | None = None,
              backend: str = "numpy") -> ChallengeResult:
    """Run ``claim``'s checks against ``alternative`` (text in .deriv syntax) and say whether
    the measurements refute it; see the module docstring."""
    from .registry import get_claim
    from .runner import _Measurer, _namespace, _search, _strategy, _validate_run_args

    if isinstance(claim, str):
        claim = get_claim(claim)
    _validate_run_args(seed, max_examples, backend)
    n = DEFAULT_CHALLENGE_EXAMPLES if max_examples is None else max_examples
    rel = parse_alternative(claim, alternative)
    checks = claim.checks_measuring(rel.lhs)
    original = check_relation(claim, checks[0])
    compare = relation_compare(rel)
    measurer = _Measurer(_namespace(backend), backend, seed)
    points: list[Any] = []
    for check in checks:
        alt_predict = check.predictor_for(rel)

        def predict(params, _p=alt_predict):
            points.append(params)
            return _p(params)

        # the check's explicit examples first (no shrinking needed: they are already simple)
        for ex in check.examples:
            from .runner import _evaluate

            try:
                m, p, ok = _evaluate(measurer, check, ex, predict, compare, kill=True)
            except Exception:
                continue
            if not ok:
                return _refuted(claim, rel, original, check, ex, m, p, compare, len(points), checks)
        out = _search(measurer, check, predict, compare, _strategy(check.strategy, claim.strategy),
                      seed=seed, max_examples=n, kill=True)
        if out.failure is not None:
            params, m, p = out.failure
            return _refuted(claim, rel, original, check, params, m, p, compare, len(points), checks)
    return ChallengeResult(
        claim.id, relation_text(rel), relation_text(original), "not refuted", None, None, None, None, None, None,
        len(points), _region(points), tuple(c.name for c in checks),
        f"no point where a passing check disagrees with it by >= {KILL_FACTOR:g} tolerances "
        f"({n} Hypothesis examples per check, seed {seed}); a larger --max-examples searches longer")


def _refuted(claim, rel, original, check, params, m, p, compare, count, checks) -> ChallengeResult:
    from .runner import _cex

    try:
        own = float(check.predict(params))
    except Exception:
        own = None
    margin = kill_margin(m, p, compare, check.rtol, check.atol)
    return ChallengeResult(
        claim.id, relation_text(rel), relation_text(original), "refuted", check.name, _cex(params), float(m),
        float(p), own, margin, count, {}, tuple(c.name for c in checks),
        f"check {check.name} measured {m:g} where the alternative predicts {p:g} ({compare}, rtol={check.rtol:g})")
