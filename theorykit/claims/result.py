"""Result types of verifying a claim.

One result type per level, with fixed fields, so that every printer (JSON,
Markdown, LaTeX, HTML, terminal) reads the same data:

* ``CheckResult``: one ``NumericCheck`` run over its explicit examples and a
  Hypothesis search (status, message, measured, predicted, seed, backend, ...).
* ``MutantResult``: whether a mutant was refuted, by what, and where.
* ``OracleResult``: the claim's prediction against PEPit's worst case per n.
* ``ClaimResult``: all of the above for one claim plus provenance.

``to_dict()`` gives plain JSON values (non-finite floats are written as the
strings ``"inf"``, ``"-inf"`` and ``"nan"`` because JSON has no such numbers);
``from_dict()`` reads them back, validating the fields.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = [
    "CheckResult",
    "MutantResult",
    "OracleResult",
    "ClaimResult",
    "jsonable",
    "format_number",
    "strip_timings",
]

CheckStatus = Literal["passed", "failed", "error", "skipped"]
# "incomplete": nothing failed, but some evidence was skipped (a check, the PEP oracle);
# a skipped piece of evidence never counts as verified.
ClaimStatus = Literal["verified", "incomplete", "failed", "error"]
MutantStatus = Literal["refuted", "not refuted", "error"]
OracleStatus = Literal["passed", "failed", "error", "skipped"]

_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def jsonable(value: Any) -> Any:
    """Plain JSON values for parameters and numbers (NumPy scalars/arrays, tuples, Fractions...).

    Non-finite floats become "inf"/"-inf"/"nan" strings; anything unknown becomes its str().
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float_out(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    # NumPy / CuPy scalars and arrays without importing either here
    if hasattr(value, "tolist") and callable(value.tolist):
        try:
            return jsonable(value.tolist())
        except Exception:  # a device array that cannot be copied: fall through to str
            pass
    if hasattr(value, "item") and callable(value.item):
        try:
            return jsonable(value.item())
        except Exception:
            pass
    return str(value)


def _float_out(x: float | None) -> float | str | None:
    if x is None:
        return None
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _float_in(x: Any, where: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, str):
        if x in _NONFINITE:
            return _NONFINITE[x]
        raise ValueError(f"{where}: expected a number, got {x!r}")
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{where}: expected a number, got {x!r}")
    return float(x)


def format_number(x: float | None, digits: int = 6) -> str:
    """Short human form used by every table: 6 significant digits, inf/nan spelled out."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def strip_timings(d: Any) -> Any:
    """A copy of a result dict without any ``seconds`` entries (for comparing runs)."""
    if isinstance(d, dict):
        return {k: strip_timings(v) for k, v in d.items() if k != "seconds"}
    if isinstance(d, list):
        return [strip_timings(v) for v in d]
    return d


def _need(d: Any, key: str, types, where: str, *, optional: bool = False):
    if not isinstance(d, dict):
        raise ValueError(f"{where}: expected an object, got {type(d).__name__}")
    if key not in d:
        if optional:
            return None
        raise ValueError(f"{where}: missing field {key!r}")
    value = d[key]
    if value is None and optional:
        return None
    if types is not None and not isinstance(value, types):
        raise ValueError(f"{where}.{key}: expected {getattr(types, '__name__', types)}, got {value!r}")
    return value


def _source(d: Any, where: str) -> dict:
    _need(d, "key", str, where)
    _need(d, "cite", str, where)
    return d


def _choice(value: Any, allowed: tuple, where: str):
    if value not in allowed:
        raise ValueError(f"{where}: {value!r} is not one of {', '.join(map(repr, allowed))}")
    return value


@dataclass(frozen=True)
class CheckResult:
    """One numeric check. ``measured``/``predicted``/``ratio`` are those of the canonical
    example (the check's first explicit example, else Hypothesis' first draw);
    ``counterexample`` holds the (shrunk) parameters of a failing example."""

    name: str
    status: CheckStatus
    message: str
    measured: float | None
    predicted: float | None
    ratio: float | None
    passed: bool
    compare: str
    rtol: float
    atol: float
    seed: int
    backend: str
    examples: int
    counterexample: dict | None = None
    seconds: float = 0.0
    # Monte Carlo checks: the canonical measurement's confidence interval,
    # {"estimate", "lo", "hi", "level", "n_runs"}; None for deterministic checks.
    interval: dict | None = None

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        for k in ("measured", "predicted", "ratio", "rtol", "atol", "seconds"):
            d[k] = _float_out(d[k])
        d["counterexample"] = jsonable(self.counterexample)
        d["interval"] = jsonable(self.interval)
        return d

    @classmethod
    def from_dict(cls, d: dict, where: str = "check") -> "CheckResult":
        s = lambda k, t, **kw: _need(d, k, t, where, **kw)  # noqa: E731
        return cls(
            name=s("name", str),
            status=_choice(s("status", str), ("passed", "failed", "error", "skipped"), f"{where}.status"),
            message=s("message", str),
            measured=_float_in(s("measured", None, optional=True), f"{where}.measured"),
            predicted=_float_in(s("predicted", None, optional=True), f"{where}.predicted"),
            ratio=_float_in(s("ratio", None, optional=True), f"{where}.ratio"),
            passed=s("passed", bool),
            compare=s("compare", str),
            rtol=_float_in(s("rtol", None), f"{where}.rtol"),
            atol=_float_in(s("atol", None), f"{where}.atol"),
            seed=s("seed", int),
            backend=s("backend", str),
            examples=s("examples", int),
            counterexample=s("counterexample", dict, optional=True),
            seconds=_float_in(s("seconds", None, optional=True), f"{where}.seconds") or 0.0,
            interval=d.get("interval") if isinstance(d.get("interval"), dict) else None,
        )

    def measured_text(self) -> str:
        """The measured value, with its interval and run count for Monte Carlo checks."""
        if not self.interval:
            return format_number(self.measured)
        iv = self.interval
        return (f"{format_number(self.measured)} [{format_number(iv['lo'])}, {format_number(iv['hi'])}] "
                f"({100 * float(iv['level']):g}% CI, n={iv['n_runs']})")


@dataclass(frozen=True)
class MutantResult:
    """One mutant. ``status`` is "refuted", "not refuted" or "error" (its measure raised);
    ``by`` says which checker refuted it; ``counterexample`` is the first killing parameters
    the search found (plain JSON values; a kill needs one witness, so verify does not shrink
    it: ``theorykit challenge`` does); ``measured``/``predicted`` are the numbers there."""

    name: str
    description: str
    refuted: bool
    by: str | None
    check: str
    counterexample: dict | None
    measured: float | None
    predicted: float | None
    symbolic_status: str | None
    message: str
    status: MutantStatus = "not refuted"
    seconds: float = 0.0

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        for k in ("measured", "predicted", "seconds"):
            d[k] = _float_out(d[k])
        d["counterexample"] = jsonable(self.counterexample)
        return d

    @classmethod
    def from_dict(cls, d: dict, where: str = "mutant") -> "MutantResult":
        s = lambda k, t, **kw: _need(d, k, t, where, **kw)  # noqa: E731
        by = s("by", str, optional=True)
        if by is not None:
            _choice(by, ("numeric", "symbolic", "numeric+symbolic"), f"{where}.by")
        return cls(
            name=s("name", str),
            description=s("description", str),
            refuted=s("refuted", bool),
            by=by,
            check=s("check", str),
            counterexample=s("counterexample", dict, optional=True),
            measured=_float_in(s("measured", None, optional=True), f"{where}.measured"),
            predicted=_float_in(s("predicted", None, optional=True), f"{where}.predicted"),
            symbolic_status=s("symbolic_status", str, optional=True),
            message=s("message", str),
            status=_choice(s("status", str), ("refuted", "not refuted", "error"), f"{where}.status"),
            seconds=_float_in(s("seconds", None, optional=True), f"{where}.seconds") or 0.0,
        )


@dataclass(frozen=True)
class OracleResult:
    """PEPit worst case (``measured``) against the claim's value (``predicted``) for each n."""

    status: OracleStatus
    message: str
    ns: tuple[int, ...] = ()
    predicted: tuple[float, ...] = ()
    measured: tuple[float, ...] = ()
    gaps: tuple[float, ...] = ()  # |measured - predicted| / |predicted|
    compare: str = "tight"
    rtol: float = 0.0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "message": self.message,
            "ns": list(self.ns),
            "predicted": [_float_out(x) for x in self.predicted],
            "measured": [_float_out(x) for x in self.measured],
            "gaps": [_float_out(x) for x in self.gaps],
            "compare": self.compare,
            "rtol": _float_out(self.rtol),
            "seconds": _float_out(self.seconds),
        }

    @classmethod
    def from_dict(cls, d: dict, where: str = "oracle") -> "OracleResult":
        s = lambda k, t, **kw: _need(d, k, t, where, **kw)  # noqa: E731
        nums = lambda k: tuple(_float_in(x, f"{where}.{k}") for x in s(k, list))  # noqa: E731
        return cls(
            status=_choice(s("status", str), ("passed", "failed", "error", "skipped"), f"{where}.status"),
            message=s("message", str),
            ns=tuple(int(n) for n in s("ns", list)),
            predicted=nums("predicted"),
            measured=nums("measured"),
            gaps=nums("gaps"),
            compare=s("compare", str),
            rtol=_float_in(s("rtol", None), f"{where}.rtol"),
            seconds=_float_in(s("seconds", None, optional=True), f"{where}.seconds") or 0.0,
        )


@dataclass(frozen=True)
class ClaimResult:
    """Everything verifying one claim produced.

    ``status`` is "verified" iff the derivation is proved, every check passed, every
    mutant was refuted and the oracle (if any) passed; "incomplete" when nothing failed
    but some evidence was skipped (a check, or the PEP oracle without PEPit);
    "error" when something raised (derivation, a measure, the oracle); else "failed".
    ``mutation`` (optional) is the near-miss mutation analysis of ``theorykit.claims.mutation``
    as plain JSON: {"generated", "killed", "score", "survivors": [{"relation", "reason"}], ...}.
    """

    claim_id: str
    title: str
    kind: str
    statement: str
    statement_latex: str
    derivation_status: str  # proved | refuted | unknown | error
    derivation: dict | None
    checks: tuple[CheckResult, ...]
    mutants: tuple[MutantResult, ...]
    oracle: OracleResult | None
    status: ClaimStatus
    message: str
    seed: int
    backend: str
    versions: dict = field(default_factory=dict)
    seconds: float = 0.0
    sources: tuple[dict, ...] = ()  # {"key", "cite", "arxiv", "doi"}
    derivation_scope: str = "reduced"  # general | reduced (see Claim.derivation_scope)
    mutation: dict | None = None

    # -- derived views used by the printers -------------------------------------
    @property
    def derivation_cell(self) -> str:
        """The derivation verdict with its scope, so that a table never claims more than was proved."""
        return f"{self.derivation_status} ({self.derivation_scope})"

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def mutants_refuted(self) -> tuple[int, int]:
        return sum(m.refuted for m in self.mutants), len(self.mutants)

    @property
    def source_keys(self) -> list[str]:
        return [s.get("key", "") for s in self.sources]

    @staticmethod
    def decide(derivation_status: str, checks, mutants, oracle) -> tuple[str, str]:
        """(status, message) from the parts; the single place the verdict rule lives."""
        problems, skipped = [], []
        errored = derivation_status == "error"
        if derivation_status != "proved":
            problems.append(f"derivation {derivation_status}")
        for c in checks:
            if c.status == "error":
                errored = True
            if c.status == "skipped":
                skipped.append(f"check {c.name} skipped")
            elif c.status != "passed":
                problems.append(f"check {c.name} {c.status}")
        for m in mutants:
            if m.status == "error":
                errored = True
                problems.append(f"mutant {m.name} errored")
            elif not m.refuted:
                problems.append(f"mutant {m.name} not refuted")
        if oracle is not None and oracle.status in ("failed", "error"):
            errored = errored or oracle.status == "error"
            problems.append(f"PEP oracle {oracle.status}")
        if oracle is not None and oracle.status == "skipped":
            skipped.append(f"PEP oracle skipped ({oracle.message})")
        if not problems and skipped:
            return "incomplete", "; ".join(["evidence skipped, so not verified", *skipped])
        if not problems:
            k = len(mutants)
            return "verified", f"derivation proved, {len(checks)} check(s) passed, {k}/{k} mutants refuted"
        return ("error" if errored else "failed"), "; ".join(problems)

    def to_dict(self, *, timings: bool = True) -> dict:
        d = {
            "claim_id": self.claim_id,
            "title": self.title,
            "kind": self.kind,
            "statement": self.statement,
            "statement_latex": self.statement_latex,
            "derivation_status": self.derivation_status,
            "derivation": jsonable(self.derivation),
            "checks": [c.to_dict() for c in self.checks],
            "mutants": [m.to_dict() for m in self.mutants],
            "oracle": self.oracle.to_dict() if self.oracle is not None else None,
            "status": self.status,
            "message": self.message,
            "seed": self.seed,
            "backend": self.backend,
            "versions": dict(self.versions),
            "seconds": _float_out(self.seconds),
            "sources": [jsonable(s) for s in self.sources],
            "derivation_scope": self.derivation_scope,
        }
        if self.mutation is not None:
            d["mutation"] = jsonable(self.mutation)
        return d if timings else strip_timings(d)

    @classmethod
    def from_dict(cls, d: dict, where: str = "result") -> "ClaimResult":
        s = lambda k, t, **kw: _need(d, k, t, where, **kw)  # noqa: E731
        oracle = s("oracle", dict, optional=True)
        return cls(
            claim_id=s("claim_id", str),
            title=s("title", str),
            kind=s("kind", str),
            statement=s("statement", str),
            statement_latex=s("statement_latex", str),
            derivation_status=_choice(
                s("derivation_status", str), ("proved", "refuted", "unknown", "error"), f"{where}.derivation_status"
            ),
            derivation=s("derivation", dict, optional=True),
            checks=tuple(CheckResult.from_dict(c, f"{where}.checks[{i}]") for i, c in enumerate(s("checks", list))),
            mutants=tuple(
                MutantResult.from_dict(m, f"{where}.mutants[{i}]") for i, m in enumerate(s("mutants", list))
            ),
            oracle=OracleResult.from_dict(oracle, f"{where}.oracle") if oracle is not None else None,
            status=_choice(s("status", str), ("verified", "incomplete", "failed", "error"), f"{where}.status"),
            message=s("message", str),
            seed=s("seed", int),
            backend=s("backend", str),
            versions=s("versions", dict),
            seconds=_float_in(s("seconds", None, optional=True), f"{where}.seconds") or 0.0,
            sources=tuple(_source(x, f"{where}.sources[{i}]") for i, x in enumerate(s("sources", list))),
            derivation_scope=_choice(
                s("derivation_scope", str, optional=True) or "reduced", ("general", "reduced"),
                f"{where}.derivation_scope",
            ),
            mutation=d.get("mutation") if isinstance(d.get("mutation"), dict) else None,
        )

    # -- notebook display ------------------------------------------------------
    def _repr_html_(self) -> str:
        from .claim import display_html

        return display_html("result", self)

    def _repr_latex_(self) -> str:
        k, n = self.mutants_refuted
        ident = self.claim_id.replace("_", r"\_")
        return (
            f"$\\text{{{ident}}}:\\ {self.statement_latex}\\quad"
            f"\\text{{[{self.status}; derivation {self.derivation_status}; mutants {k}/{n}]}}$"
        )

    def __str__(self) -> str:
        k, n = self.mutants_refuted
        return f"{self.claim_id}: {self.status} (derivation {self.derivation_status}, mutants {k}/{n}) {self.message}"
