"""Run a claim: derive it, measure it, and try to refute its mutants.

Reproducibility: every Hypothesis search is seeded from the run seed with no
example database, and each measurement gets ``Context.rng`` seeded from
(run seed, a stable hash of the example's parameters). Two runs with the same
seed therefore give the same result dict apart from the ``seconds`` entries.

Measurements are cached per (check, parameters) within one claim: a mutant reuses
its check's ``measure``, and since its search draws from the same seeded strategy,
most of its examples are measured once for the check and its mutants together.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import math
import platform
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..errors import InputError
from .claim import Claim, Context, Mutant, NumericCheck, KILL_FACTOR, compare_values, kill_margin, mutant_killed
from .result import CheckResult, ClaimResult, MutantResult, OracleResult, format_number, jsonable

__all__ = ["verify_claim", "verify", "verify_many", "ProgressEvent", "DEFAULT_MAX_EXAMPLES", "SHRINK_BUDGET"]

#: Hypothesis examples per check and per mutant when ``max_examples`` is None.
DEFAULT_MAX_EXAMPLES = 20
#: New measurements allowed while shrinking a failure. Shrinking only makes the
#: counterexample smaller; it never decides pass/fail, so capping it keeps
#: expensive measures (bisection on runs) affordable.
SHRINK_BUDGET = 60
#: Seconds the symbolic prover gets per mutant statement.
SYMBOLIC_TIMEOUT = 5.0

_PEP_MISSING = "PEPit not installed (pip install 'theorykit[pep]')"


@dataclass(frozen=True)
class ProgressEvent:
    """Passed to the ``progress`` callback before each stage and once when a claim is done.

    ``step`` of ``steps`` counts stages within the claim (derive, each check, each
    mutant, the oracle); ``claim_index`` of ``claim_count`` counts claims in a batch.
    """

    claim_id: str
    stage: str
    step: int
    steps: int
    claim_index: int = 0
    claim_count: int = 1


def claim_steps(claim: Claim) -> int:
    return 1 + len(claim.checks) + len(claim.mutants) + (1 if claim.oracle is not None else 0)


# --------------------------------------------------------------------------- helpers
def _params_key(params) -> str:
    # repr-exact floats and sorted keys: equal parameters give equal keys on every run
    return json.dumps(jsonable(params), sort_keys=True, allow_nan=False, default=str)


def _params_words(key: str) -> list[int]:
    digest = hashlib.sha256(key.encode()).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def _cex(params) -> dict | None:
    """Parameters as a plain JSON object (a strategy that draws non-dicts gets wrapped)."""
    if params is None:
        return None
    value = jsonable(params)
    return value if isinstance(value, dict) else {"params": value}


def _ratio(m: float | None, p: float | None) -> float | None:
    if m is None or p is None or p == 0 or not (math.isfinite(m) and math.isfinite(p)):
        return None
    return m / p


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _error_message(params, exc: BaseException) -> str:
    if isinstance(exc, _StrategyRaised):
        return str(exc)
    if params is None:
        return f"search failed: {_describe(exc)}"
    if isinstance(exc, _PredictRaised):
        return f"predict raised at {jsonable(params)}: {exc}"
    return f"measure raised at {jsonable(params)}: {_describe(exc)}"


def _validate_run_args(seed, max_examples, backend):
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", f"must be a non-negative integer, got {seed!r}")
    if max_examples is not None and (
        isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1
    ):
        raise InputError("max_examples", f"must be a positive integer or None, got {max_examples!r}")
    if not isinstance(backend, str):
        raise InputError("backend", f"must be a string such as 'numpy' or 'cupy', got {backend!r}")


def _namespace(backend: str):
    from ..numeric.backend import get_namespace

    return get_namespace(backend)


def _versions(backend: str, pep_used: bool) -> dict[str, str]:
    return dict(_lookup_versions(backend, pep_used))  # a copy: each result owns its dict


# a metadata lookup scans sys.path (~5 ms per claim); installed versions do not change in a run
@functools.lru_cache(maxsize=None)
def _lookup_versions(backend: str, pep_used: bool) -> dict[str, str]:
    from importlib import metadata  # slow to import; `theorykit check` never needs it

    from .. import __version__

    out = {"python": platform.python_version(), "theorykit": __version__}
    names = ["numpy", "sympy", "hypothesis", "scipy"]
    if backend == "cupy":
        names.append("cupy")
    if pep_used:
        names.append("PEPit")
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name == "cupy":  # installed as cupy-cuda12x etc.
                try:
                    import cupy  # noqa: F401  (only reached when backend == "cupy")

                    out[name] = cupy.__version__
                except Exception:
                    out[name] = "unknown"
            else:
                out[name] = "not installed"
    return out


class _Measurer:
    """Measurements of one claim's checks, cached by (check, parameters)."""

    def __init__(self, xp, backend: str, seed: int):
        self.xp, self.backend, self.seed = xp, backend, seed
        self.cache: dict[tuple[str, str], tuple[str, Any]] = {}
        self.intervals: dict[tuple[str, str], dict] = {}

    def interval(self, check: NumericCheck, params) -> dict | None:
        if params is None:
            return None
        return self.intervals.get((check.name, _params_key(params)))

    def measure(self, check: NumericCheck, params, key: str) -> float:
        slot = (check.name, key)
        if slot not in self.cache:
            import numpy as np

            ctx = Context(
                xp=self.xp,
                backend=self.backend,
                seed=self.seed,
                rng=np.random.default_rng([self.seed, *_params_words(key)]),
            )
            try:
                value = check.measure(params, ctx)
                # Monte Carlo measures return a float carrying `.interval` (theorykit.numeric.montecarlo)
                interval = getattr(value, "interval", None)
                if interval is not None:
                    self.intervals[slot] = {k: getattr(interval, k) for k in ("estimate", "lo", "hi", "level", "n_runs")}
                self.cache[slot] = ("ok", float(value))
            except Exception as exc:  # recorded per example; reported as an error status
                self.cache[slot] = ("error", exc)
        kind, value = self.cache[slot]
        if kind == "error":
            raise value
        return value

    def is_cached(self, check: NumericCheck, key: str) -> bool:
        return (check.name, key) in self.cache


class _CompareFailed(Exception):
    pass


class _MeasureRaised(Exception):
    pass


class _StrategyRaised(Exception):
    pass


@dataclass
class _Outcome:
    examples: int = 0
    first: tuple | None = None  # (params, measured, predicted, passed)
    failure: tuple | None = None  # (params, measured, predicted)
    error: tuple | None = None  # (params, exception)


class _PredictRaised(Exception):
    pass


def _evaluate(measurer, check, params, predict, compare, kill=False):
    """(measured, predicted, ok). For a mutant (``kill``), ok means "not killed": a kill needs the
    check itself to pass here (unless ``kill == "any"``: a mutant with its own parameter strategy,
    where the check's prediction is not about those parameters) and ``mutant_killed``'s margin;
    a prediction that raises is no kill."""
    key = _params_key(params)
    m = measurer.measure(check, params, key)
    if kill:
        try:
            p = float(predict(params))
            own = kill == "any" or compare_values(m, float(check.predict(params)), check.compare, check.rtol,
                                                  check.atol)
        except Exception:
            return m, math.nan, True
        interval = measurer.intervals.get((check.name, key))
        return m, p, not (own and mutant_killed(m, p, compare, check.rtol, check.atol, interval))
    try:
        p = float(predict(params))
    except Exception as exc:  # told apart from a measure error: the formula, not the method, broke
        raise _PredictRaised(_describe(exc)) from exc
    return m, p, compare_values(m, p, compare, check.rtol, check.atol)


def _search(measurer, check, predict, compare, strategy, *, seed, max_examples, kill=False, shrink=True) -> _Outcome:
    """Hypothesis search for parameters where ``compare`` fails; the failure it reports is the shrunk
    one, or with ``shrink=False`` the first one found (a mutant's kill needs one witness, and
    shrinking it cost a third of a cheap claim's verify time)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import errors as hyp_errors
    from hypothesis import seed as hyp_seed

    out = _Outcome()
    state = {"last": None, "shrink_calls": 0}
    max_examples = check.draws(max_examples)

    def probe(params):
        key = _params_key(params)
        if out.failure is None and out.error is None:
            pass
        elif not measurer.is_cached(check, key):
            # shrinking past its budget: treat new candidates as passing so the shrinker stops;
            # known failures stay failures, so Hypothesis' replay is consistent
            if state["shrink_calls"] >= SHRINK_BUDGET:
                return
            state["shrink_calls"] += 1
        out.examples += 1
        try:
            m, p, ok = _evaluate(measurer, check, params, predict, compare, kill)
        except Exception as exc:
            state["last"] = ("error", params, exc)
            if out.error is None:
                out.error = (params, exc)
            raise _MeasureRaised() from None
        if out.first is None:
            out.first = (params, m, p, ok)
        state["last"] = ("fail", params, m, p) if not ok else None
        if not ok:
            if out.failure is None:
                out.failure = (params, m, p)
            raise _CompareFailed()

    test = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )(hyp_seed(seed)(given(params=strategy)(probe)))
    try:
        test()
    except _CompareFailed:
        # Hypothesis replays the minimal failing example last
        _, params, m, p = state["last"]
        out.failure, out.error = (params, m, p), None
    except _MeasureRaised:
        _, params, exc = state["last"]
        out.error, out.failure = (params, exc), None
    except hyp_errors.Unsatisfiable as exc:
        out.error = (None, InputError("strategy", f"produced no valid parameters ({_describe(exc)})"))
    except hyp_errors.HypothesisException as exc:
        out.error = (None, exc)
    except Exception as exc:  # raised while drawing parameters: a bug in the claim's strategy
        out.error = (None, _StrategyRaised(f"the parameter strategy raised {_describe(exc)}"))
    return out


def _strategy(*candidates):
    for c in candidates:
        if c is not None:
            return c()
    raise InputError("strategy", "no parameter strategy given")  # Claim.strategy is required, so unreachable


# --------------------------------------------------------------------------- stages
def _run_check(claim: Claim, check: NumericCheck, measurer: _Measurer, *, seed, backend, max_examples) -> CheckResult:
    t0 = time.perf_counter()
    base = dict(name=check.name, compare=check.compare, rtol=check.rtol, atol=check.atol, seed=seed, backend=backend)
    first = None
    examples = 0
    failure = error = None
    for ex in check.examples:  # explicit examples first; the first is the canonical one
        examples += 1
        try:
            m, p, ok = _evaluate(measurer, check, ex, check.predict, check.compare)
        except Exception as exc:
            error = (ex, exc)
            break
        if first is None:
            first = (ex, m, p, ok)
        if not ok:
            failure = (ex, m, p)
            break
    if failure is None and error is None:
        try:
            strategy = _strategy(check.strategy, claim.strategy)
        except Exception as exc:
            error = (None, exc)
        else:
            out = _search(measurer, check, check.predict, check.compare, strategy, seed=seed, max_examples=max_examples)
            examples += out.examples
            first = first or out.first
            failure, error = out.failure, out.error
    m, p = (first[1], first[2]) if first else (None, None)
    base["interval"] = measurer.interval(check, first[0]) if first else None
    rule = f"{check.compare}, rtol={check.rtol:g}, atol={check.atol:g}"
    if base["interval"]:
        iv = base["interval"]
        rule += (f"; canonical measurement {format_number(m)} in [{format_number(iv['lo'])}, "
                 f"{format_number(iv['hi'])}] at {100 * float(iv['level']):g}% confidence from {iv['n_runs']} runs")
    if error is not None:
        params, exc = error
        return CheckResult(status="error", message=_error_message(params, exc), measured=m,
                           predicted=p, ratio=_ratio(m, p), passed=False, examples=examples,
                           counterexample=_cex(params),
                           seconds=time.perf_counter() - t0, **base)
    if failure is not None:
        params, fm, fp = failure
        msg = (f"failed at {jsonable(params)}: measured {format_number(fm)} vs predicted "
               f"{format_number(fp)} ({rule})")
        return CheckResult(status="failed", message=msg, measured=m, predicted=p, ratio=_ratio(m, p), passed=False,
                           examples=examples, counterexample=_cex(params), seconds=time.perf_counter() - t0, **base)
    return CheckResult(status="passed", message=f"{examples} examples passed ({rule})", measured=m, predicted=p,
                       ratio=_ratio(m, p), passed=True, examples=examples, counterexample=None,
                       seconds=time.perf_counter() - t0, **base)


_REL_OPS = {"Equality": "=", "LessThan": "<=", "StrictLessThan": "<", "GreaterThan": ">=", "StrictGreaterThan": ">"}


def _symbolic(claim: Claim, mutant: Mutant, seed: int) -> tuple[str, str, dict | None]:
    """(status, note, counterexample) from the derivation checker on the mutant's statement."""
    import sympy

    rel = mutant.statement
    if rel is sympy.true:
        return "proved", "statement evaluates to True", None
    if rel is sympy.false:
        return "refuted", "statement evaluates to False", None
    op = _REL_OPS.get(type(rel).__name__)
    if op is None:
        return "unsupported", f"statement is not a relation (=, <=, <, >=, >): {rel}", None
    try:
        from ..symbolic.assumptions import Assumptions
        from ..symbolic.prover import prove_step
    except ModuleNotFoundError as exc:
        return "unavailable", f"symbolic prover unavailable ({exc})", None
    try:
        verdict = prove_step(rel.lhs, op, rel.rhs, Assumptions.from_relations(list(claim.assumptions)),
                             timeout=SYMBOLIC_TIMEOUT, seed=seed)
    except Exception as exc:
        return "error", f"prover raised {_describe(exc)}", None
    return verdict.status, f"prover: {verdict.status} by {verdict.method}", verdict.counterexample


def _run_mutant(claim: Claim, mutant: Mutant, measurer: _Measurer, *, seed, max_examples) -> MutantResult:
    """A relation mutant (an alternative statement) is tried on every check that measures its left
    side, in order, until one refutes it; any other mutant on its own check."""
    import dataclasses

    t0 = time.perf_counter()
    result = _run_mutant_on(claim, mutant, measurer, seed=seed, max_examples=max_examples)
    if mutant.relation is not None and not result.refuted:
        for other in claim.checks_measuring(mutant.relation.lhs):
            if other.name == mutant.check:
                continue
            alt = dataclasses.replace(mutant, check=other.name, predict=other.predictor_for(mutant.relation))
            again = _run_mutant_on(claim, alt, measurer, seed=seed, max_examples=max_examples)
            if again.refuted:
                result = again
                break
    return dataclasses.replace(result, seconds=time.perf_counter() - t0)


def _run_mutant_on(claim: Claim, mutant: Mutant, measurer: _Measurer, *, seed, max_examples) -> MutantResult:
    t0 = time.perf_counter()
    check = claim.check_named(mutant.check)
    predict = mutant.predict or check.predict
    compare = mutant.compare or check.compare
    found = error = None
    try:
        strategy = _strategy(mutant.strategy, check.strategy, claim.strategy)
    except Exception as exc:
        error = (None, exc)
    else:
        out = _search(measurer, check, predict, compare, strategy, seed=seed, max_examples=max_examples,
                      kill="any" if mutant.strategy is not None else True, shrink=False)
        found, error = out.failure, out.error
    if found is None and error is None and mutant.strategy is None:
        for ex in check.examples:  # the check's own examples, if the search missed
            try:
                m, p, ok = _evaluate(measurer, check, ex, predict, compare, kill=True)
            except Exception as exc:
                error = (ex, exc)
                break
            if not ok:
                found = (ex, m, p)
                break
    sym_status, sym_note, sym_cex = (None, "", None)
    if mutant.statement is not None:
        sym_status, sym_note, sym_cex = _symbolic(claim, mutant, seed)
    numeric, symbolic = found is not None, sym_status == "refuted"
    by = {(True, True): "numeric+symbolic", (True, False): "numeric", (False, True): "symbolic"}.get((numeric, symbolic))
    notes = [sym_note] if sym_note else []
    if sym_status == "proved":
        notes.append("warning: the prover PROVED this mutant's statement, so it is not a wrong variant")
    # (status, counterexample, measured, predicted, first part of the message)
    if found is not None:
        params, m, p = found
        outcome = ("refuted", _cex(params), m, p,
                   f"refuted at {jsonable(params)}: measured {format_number(m)} vs mutant's {format_number(p)} "
                   f"({compare}, margin {format_number(kill_margin(m, p, compare, check.rtol, check.atol), 3)}"
                   f" tolerances >= {KILL_FACTOR:g})")
    elif symbolic:  # the prover refuted it even though the numeric search did not (or errored)
        outcome = ("refuted", _cex(sym_cex), None, None,
                   "refuted by the derivation checker" + (f" at {sym_cex}" if sym_cex else ""))
    elif error is not None:
        params, exc = error
        outcome = ("error", _cex(params), None, None, _error_message(params, exc))
    else:
        outcome = ("not refuted", None, None, None,
                   f"not refuted: no counterexample in {max_examples} examples"
                   + ("" if mutant.statement is not None else " (no symbolic statement to try)"))
    status, cex, m, p, msg = outcome
    return MutantResult(name=mutant.name, description=mutant.description, refuted=status == "refuted", by=by,
                        check=mutant.check, counterexample=cex, measured=m, predicted=p, symbolic_status=sym_status,
                        message="; ".join([msg, *notes]), status=status, seconds=time.perf_counter() - t0)


def _run_oracle(claim: Claim) -> OracleResult:
    oracle = claim.oracle
    t0 = time.perf_counter()
    base = dict(compare=oracle.compare, rtol=oracle.rtol)
    if importlib.util.find_spec("PEPit") is None:
        return OracleResult(status="skipped", message=_PEP_MISSING, **base)
    ns, pred, meas, gaps, bad = [], [], [], [], []
    try:
        for n in oracle.ns:
            w, p = float(oracle.worst_case(n)), float(oracle.predict(n))
            ns.append(int(n)), pred.append(p), meas.append(w)
            gaps.append(abs(w - p) / abs(p) if p else abs(w - p))
            if not compare_values(w, p, oracle.compare, oracle.rtol, 0.0):
                bad.append(n)
    except ModuleNotFoundError as exc:
        return OracleResult(status="skipped", message=f"{_PEP_MISSING}: {exc}", seconds=time.perf_counter() - t0, **base)
    except Exception as exc:
        return OracleResult(status="error", message=f"PEP worst case raised at n={n}: {_describe(exc)}", ns=tuple(ns),
                            predicted=tuple(pred), measured=tuple(meas), gaps=tuple(gaps),
                            seconds=time.perf_counter() - t0, **base)
    worst = max(gaps) if gaps else 0.0
    status = "failed" if bad else "passed"
    msg = (f"PEPit disagrees ({oracle.compare}, rtol={oracle.rtol:g}) at n={bad}" if bad
           else f"PEPit agrees for n={ns[0]}..{ns[-1]} ({oracle.compare}, rtol={oracle.rtol:g})" if ns
           else "no n to compare")
    return OracleResult(status=status, message=f"{msg}; max relative gap {format_number(worst, 3)}", ns=tuple(ns),
                        predicted=tuple(pred), measured=tuple(meas), gaps=tuple(gaps),
                        seconds=time.perf_counter() - t0, **base)


def _derive(claim: Claim) -> tuple[str, dict | None, str]:
    try:
        report = claim.derive()
        status = str(report.status)
        if status not in ("proved", "refuted", "unknown"):
            return "error", None, f"derive() returned a report with status {status!r}"
        # stored as plain JSON values so a result equals itself after a JSON round trip
        return status, jsonable(report.to_dict()), ""
    except Exception as exc:
        return "error", None, f"derive() raised {_describe(exc)}"


# --------------------------------------------------------------------------- public
def verify_claim(claim: Claim, *, backend: str = "numpy", seed: int = 0, max_examples: int | None = None,
                 progress: Callable[[ProgressEvent], None] | None = None, _position: tuple[int, int] = (0, 1),
                 _xp=None, mutation: bool = False) -> ClaimResult:
    """Derive, measure and mutation-test one claim.

    ``max_examples`` (default ``DEFAULT_MAX_EXAMPLES``) bounds each Hypothesis search;
    ``progress`` receives a ``ProgressEvent`` before each stage.
    Raises ``BackendUnavailable``/``InputError`` for a bad backend, ``InputError`` for a bad
    seed or max_examples; anything a claim's own code raises is recorded as an error status.
    """
    if not isinstance(claim, Claim):
        raise InputError("claim", f"expected a theorykit Claim, got {type(claim).__name__}")
    _validate_run_args(seed, max_examples, backend)
    n_examples = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    xp = _xp if _xp is not None else _namespace(backend)
    t0 = time.perf_counter()
    steps, index, count = claim_steps(claim), *_position
    step = 0

    def tick(stage: str):
        nonlocal step
        if progress is not None:
            progress(ProgressEvent(claim.id, stage, step, steps, index, count))
        step += 1

    tick("derive")
    d_status, d_dict, d_msg = _derive(claim)
    measurer = _Measurer(xp, backend, seed)
    checks = []
    for check in claim.checks:
        tick(f"check {check.name}")
        checks.append(_run_check(claim, check, measurer, seed=seed, backend=backend, max_examples=n_examples))
    mutants = []
    for mutant in claim.mutants:
        tick(f"mutant {mutant.name}")
        mutants.append(_run_mutant(claim, mutant, measurer, seed=seed, max_examples=n_examples))
    oracle = None
    if claim.oracle is not None:
        tick("PEP oracle")
        oracle = _run_oracle(claim)
    near_miss = None
    if mutation:  # near-miss mutation analysis on the same measurements (theorykit.claims.mutation)
        from .mutation import analyse

        near_miss = analyse(claim, seed=seed, max_examples=n_examples, backend=backend, measurer=measurer).to_dict()
    result = _assemble(claim, (d_status, d_dict, d_msg), checks, mutants, oracle, backend=backend, seed=seed,
                       seconds=time.perf_counter() - t0, near_miss=near_miss)
    step = steps
    tick("done")
    return result


def _assemble(claim: Claim, derived, checks, mutants, oracle, *, backend, seed, seconds, near_miss=None) -> ClaimResult:
    d_status, d_dict, d_msg = derived
    status, message = ClaimResult.decide(d_status, checks, mutants, oracle)
    if d_msg:
        message = f"{d_msg}; {message}"
    import sympy

    return ClaimResult(
        claim_id=claim.id, title=claim.title, kind=claim.kind.value, statement=str(claim.statement),
        statement_latex=sympy.latex(claim.statement), derivation_status=d_status, derivation=d_dict,
        checks=tuple(checks), mutants=tuple(mutants), oracle=oracle, status=status, message=message, seed=seed,
        backend=backend, versions=_versions(backend, oracle is not None and oracle.status != "skipped"),
        seconds=seconds,
        sources=tuple({"key": s.key, "cite": s.cite(), "arxiv": s.arxiv, "doi": s.doi} for s in claim.sources),
        derivation_scope=claim.derivation_scope,
        mutation=near_miss,
    )


def _resolve(pattern) -> list[Claim]:
    from .registry import claims

    if pattern is None:
        return list(claims())
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    if not patterns:
        return list(claims())
    chosen: dict[str, Claim] = {}
    for p in patterns:  # resolve every pattern before running anything, so a typo fails fast
        for c in claims(p):
            chosen.setdefault(c.id, c)
    return list(chosen.values())


def verify(pattern: str | Iterable[str] | None = None, *, backend: str = "numpy", seed: int = 0,
           max_examples: int | None = None, progress: Callable[[ProgressEvent], None] | None = None,
           claims: Iterable[Claim] | None = None, jobs: int = 1, cache=None, dask=None,
           mutation: bool = False) -> list[ClaimResult]:
    """Verify the claims matching ``pattern`` (an id, ``family.*``, a glob, or a list of those;
    None = the whole catalog), or the given ``claims``. Bad input fails before any claim runs.

    ``jobs`` worker processes (results identical to ``jobs=1``), ``cache`` a
    ``theorykit.claims.cache.ResultCache`` (None: no cache), ``dask`` a scheduler address,
    cluster or Client to run the claims on (see ``theorykit.claims.parallel``)."""
    from .parallel import run_claims

    _validate_run_args(seed, max_examples, backend)
    chosen = list(claims) if claims is not None else _resolve(pattern)
    xp = _namespace(backend)  # an unavailable backend fails here, before any worker starts
    if mutation:  # near-miss analysis: in this process, claim after claim
        return [
            verify_claim(c, backend=backend, seed=seed, max_examples=max_examples, progress=progress,
                         _position=(i, len(chosen)), _xp=xp, mutation=True)
            for i, c in enumerate(chosen)
        ]
    return run_claims(chosen, backend=backend, seed=seed, max_examples=max_examples, progress=progress,
                      jobs=jobs, cache=cache, dask=dask)


verify_many = verify
