"""Step-by-step checking of derivations: the ``.deriv`` format and the builder.

A derivation is a set of assumptions (a conjunction that holds for the whole
file) and a list of steps. Each ``claim:`` line is one step; each relation line
after a ``start:`` is one step relating the previous expression of the chain to
its own. Every step is handed to the prover on its own, with the per-step
timeout; see ``docs/derivation-format.md`` for the format.

Chains: a chain's overall relation (first vs last expression) composes the
step relations (``=`` with ``<=`` gives ``<=``, any ``<`` gives ``<``; ``<=``
meeting ``>=`` gives no relation). The chain is *proved* when every step is
proved and the relations compose. When some step is not proved, the composed
relation is checked directly: the chain is *refuted* only if the prover refutes
that relation itself, and *unknown* otherwise. A refuted chain makes the file
refuted even when no single step could be refuted, since a false conclusion
means some step is false.
"""
from __future__ import annotations

import math
import os
import re
import stat
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import sympy

from ..errors import DerivationSyntaxError, InputError, TheorykitError
from .domain import Condition, describe, simplify_conditions
from .parse import (
    parse_assumptions_located,
    parse_expression_with_domain,
    parse_relation_with_domain,
    split_relations,
)
from .report import ChainResult, DerivationReport, StepResult

__all__ = [
    "check",
    "Derivation",
    "DerivationReport",
    "StepResult",
    "ChainResult",
    "ParsedDerivation",
    "parse_derivation",
    "compose_relations",
    "MAX_FILE_BYTES",
    "MAX_STEPS",
]

MAX_FILE_BYTES = 1_000_000
# every step costs a prover call (a forked process), so bound the total time
MAX_STEPS = 1000
STATUSES = ("proved", "refuted", "unknown")

_KEYWORD = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*:")
_BY = re.compile(r"^#\s*by\s*:\s*(.*?)\s*$", re.IGNORECASE)
_KEYWORDS = ("assume", "claim", "start")


# ---------------------------------------------------------------- parsed form


@dataclass
class _Step:
    line: int
    lhs: sympy.Expr
    op: str
    rhs: sympy.Expr
    justification: str | None = None
    # where each side is defined as written (recorded by the parser before SymPy
    # folds it); None for SymPy objects given directly, whose tree is as written
    lhs_domain: list | None = None
    rhs_domain: list | None = None

    def side_domain(self, side: str) -> list:
        recorded = self.lhs_domain if side == "lhs" else self.rhs_domain
        if recorded is not None:
            return list(recorded)
        from .domain import tree_conditions

        return tree_conditions(self.lhs if side == "lhs" else self.rhs)

    @property
    def domain(self) -> list:
        return simplify_conditions(self.side_domain("lhs") + self.side_domain("rhs"))


@dataclass
class _Chain:
    start_line: int
    steps: list[int] = field(default_factory=list)  # positions in ParsedDerivation.steps


@dataclass
class ParsedDerivation:
    source: str | None
    assumptions: list = field(default_factory=list)  # (relation, line, column)
    steps: list[_Step] = field(default_factory=list)
    chains: list[_Chain] = field(default_factory=list)
    # where the assumptions are defined as written: an assumption holds only there
    assumption_domain: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _split_comment(raw: str) -> tuple[str, str | None]:
    # expressions never contain '#', so the first one starts the comment
    cut = raw.find("#")
    if cut < 0:
        return raw, None
    match = _BY.match(raw[cut:])
    return raw[:cut], (match.group(1) or None) if match else None


def _leading_relation(text: str) -> str | None:
    for candidate in ("<=", ">=", "==", "=", "<", ">"):
        if text.startswith(candidate):
            return candidate
    return None


def parse_derivation(text: str, source: str | None = None) -> ParsedDerivation:
    """Parse ``.deriv`` text; raises :class:`DerivationSyntaxError` on bad input."""
    parsed = ParsedDerivation(source=source)
    chain: _Chain | None = None
    chain_expr: sympy.Expr | None = None
    chain_domain: list = []
    for number, raw in enumerate(text.split("\n"), start=1):
        _note_line(number)
        content, justification = _split_comment(raw.rstrip("\r"))
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip())
        keyword = _KEYWORD.match(content)
        if keyword:
            word = keyword.group(2)
            body = content[keyword.end() :]
            body_col = keyword.end() + 1
            if word not in _KEYWORDS:
                hint = f"; did you mean '{word.lower()}:'?" if word.lower() in _KEYWORDS else ""
                raise DerivationSyntaxError(
                    f"unknown line type '{word}:' (expected assume:, claim:, start: or a relation)"
                    + hint,
                    number,
                    indent + 1,
                    source,
                )
            if word == "assume":
                located = parse_assumptions_located(
                    body, line=number, column=body_col, source=source, domain=parsed.assumption_domain
                )
                for relation, column in located:
                    parsed.assumptions.append((relation, number, column))
            elif word == "claim":
                chain, chain_expr, chain_domain = None, None, []  # a claim ends any open chain
                lhs, op, rhs, domain = parse_relation_with_domain(
                    body, line=number, column=body_col, source=source
                )
                parsed.steps.append(_Step(number, lhs, op, rhs, justification, domain, []))
            else:
                _check_single_expression(body, number, body_col, source)
                chain_expr, chain_domain = parse_expression_with_domain(
                    body, line=number, column=body_col, source=source
                )
                chain = _Chain(start_line=number)
                parsed.chains.append(chain)
            continue
        stripped = content.lstrip()
        op = _leading_relation(stripped)
        if op is None:
            if stripped.startswith("!="):
                message = "'!=' is not a supported relation"
            else:
                message = (
                    "expected 'assume:', 'claim:', 'start:' or a relation line beginning with "
                    "=, <=, <, >= or >"
                )
            raise DerivationSyntaxError(message, number, indent + 1, source)
        if chain is None:
            raise DerivationSyntaxError(
                f"relation line '{op} ...' without a preceding 'start:' (a claim: ends a chain)",
                number,
                indent + 1,
                source,
            )
        body_col = indent + len(op) + 1
        body = stripped[len(op) :]
        if body[:1] in ("<", ">", "="):
            raise DerivationSyntaxError(
                f"unexpected '{op}{body[:1]}' at the start of the line", number, indent + 1, source
            )
        _check_single_expression(body, number, body_col, source)
        expr, domain = parse_expression_with_domain(body, line=number, column=body_col, source=source)
        parsed.steps.append(
            _Step(number, chain_expr, "=" if op == "==" else op, expr, justification, chain_domain, domain)
        )
        chain.steps.append(len(parsed.steps) - 1)
        chain_expr, chain_domain = expr, domain
    for chain_item in parsed.chains:
        if not chain_item.steps:
            raise DerivationSyntaxError(
                "'start:' is not followed by any relation line", chain_item.start_line, 1, source
            )
    if not parsed.steps:
        raise DerivationSyntaxError("no steps to check: add a 'claim:' or a chain", 1, 1, source)
    if len(parsed.steps) > MAX_STEPS:
        raise DerivationSyntaxError(
            f"more than {MAX_STEPS} steps; split the derivation into several files",
            parsed.steps[MAX_STEPS].line,
            1,
            source,
        )
    parsed.warnings.extend(_name_warnings(parsed))
    return parsed


def _name_warnings(parsed: ParsedDerivation) -> list[str]:
    from .lookalikes import lookalike_warnings

    names = set()
    for step in parsed.steps:
        names |= {s.name for s in (step.lhs.free_symbols | step.rhs.free_symbols)}
    for relation, _, _ in parsed.assumptions:
        names |= {s.name for s in relation.free_symbols}
    return lookalike_warnings(names)


def _check_single_expression(body: str, line: int, column: int, source: str | None) -> None:
    parts, ops = split_relations(body, line=line, column=column, source=source)
    if ops:
        raise DerivationSyntaxError(
            "one relation per line: continue the chain on the next line",
            line,
            parts[0][1] + len(parts[0][0]),  # where the relation starts
            source,
        )


# ---------------------------------------------------------------- chains


def compose_relations(ops) -> str | None:
    """The relation between the first and last expression of a chain, or None."""
    ops = ["=" if op == "==" else op for op in ops]
    if not ops:
        return None
    directions = {op[0] for op in ops if op != "="}
    if not directions:
        return "="
    if len(directions) > 1:
        return None
    (direction,) = directions
    strict = any(op in ("<", ">") for op in ops)
    return direction if strict else direction + "="


# ---------------------------------------------------------------- checking


def _default_prover():
    from .prover import prove_step

    return prove_step


def _make_assumptions(relations, injected_prover: bool):
    try:
        from .assumptions import Assumptions
    except ImportError:
        if injected_prover:  # a test prover may not need the real Assumptions
            return tuple(relations)
        raise
    try:
        return Assumptions.from_relations(relations)
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - report it at the assume line, not as a traceback
        raise InputError("assume", f"could not use these assumptions ({type(exc).__name__}: {exc})") from exc


MAX_TIMEOUT = 3600.0


def _validate_timeout(timeout) -> float:
    try:
        value = float(timeout)
    except (TypeError, ValueError, OverflowError):
        raise InputError("timeout", f"must be a number of seconds, got {timeout!r}") from None
    if isinstance(timeout, bool) or not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise InputError("timeout", f"must be in (0, {MAX_TIMEOUT:g}] seconds, got {timeout!r}")
    return value


def _exact(value: str) -> sympy.Rational | None:
    try:
        fraction = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return sympy.Rational(fraction.numerator, fraction.denominator)


def _sign(expr: sympy.Expr) -> int | None:
    if expr.is_Rational:
        return int(expr.p > 0) - int(expr.p < 0)
    try:
        from .exact import sign_at

        return sign_at(expr, {})
    except ImportError:  # pragma: no cover - exact.py ships with the prover
        return None


_HOLDS = {
    "=": lambda s: s == 0,
    "<=": lambda s: s <= 0,
    "<": lambda s: s < 0,
    ">=": lambda s: s >= 0,
    ">": lambda s: s > 0,
}


def _counterexample_contradicted(step: _Step, counterexample, assumptions, domain=()) -> bool:
    """True when a claimed counterexample is shown *not* to be one.

    Defence in depth: the prover confirms its counterexamples exactly, and this
    re-check only ever downgrades a refutation, never upgrades anything. It runs
    under a budget (see :func:`_recheck_bounded`): a point such as n = 335134809 in
    ``(1 - 1/n)**n`` must not make the parent evaluate a huge exact power.
    """
    if not isinstance(counterexample, dict):
        return False
    values = {name: _exact(value) for name, value in counterexample.items()}
    if any(value is None for value in values.values()):
        # a closed-form point (x = pi/2): re-read with the safe parser, confirm exactly
        return not _closed_form_confirmed(step, counterexample, assumptions, domain)
    checker = getattr(assumptions, "satisfied_exactly", None)
    if checker is not None:
        try:
            if checker(values) is False:
                return True
        except Exception:  # noqa: BLE001 - an unusable check proves nothing either way
            pass
    substitution = {sympy.Symbol(name, real=True): value for name, value in values.items()}
    try:
        from .domain import holds_at
        from .exact import sign_at

        plain = {s: sympy.Symbol(s.name, real=True) for s in (step.lhs - step.rhs).free_symbols}
        conditions = [Condition(c.expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in c.expr.free_symbols}), c.kind)
                      for c in domain]
        if conditions and not holds_at(conditions, substitution):
            return True  # not a point where both sides are defined as written
        difference = (step.lhs - step.rhs).xreplace(plain)
        if not difference.free_symbols <= set(substitution):
            return False
        sign = sign_at(difference, substitution)
    except Exception:  # noqa: BLE001
        return False
    return sign is not None and _HOLDS[step.op](sign)


def _closed_form_confirmed(step: _Step, counterexample, assumptions, domain) -> bool:
    """The step fails at this closed-form point (``prove_closed_form``'s exact test)."""
    from .parse import parse_expression
    from .prove_closed_form import closed_form_violation

    try:
        point = {name: parse_expression(str(value)) for name, value in counterexample.items()}
        if any(v.free_symbols for v in point.values()):
            return False
        lhs, rhs, op = step.lhs, step.rhs, step.op
        if op in ("<", "<="):
            lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">="}[op]
        return closed_form_violation(lhs - rhs, op, assumptions, tuple(domain), (lhs, rhs), point)
    except Exception:  # noqa: BLE001 - a point that cannot be re-read is not confirmed
        return False


def _recheck_bounded(step, counterexample, assumptions, domain, seconds: float) -> bool:
    """:func:`_counterexample_contradicted` within ``seconds``; a re-check that runs out
    of time cannot confirm the point, so it counts as contradicted (downgrade)."""
    from .isolate import BudgetExceeded, run_bounded

    try:
        return run_bounded(_counterexample_contradicted, (step, counterexample, assumptions, domain),
                           max(seconds, 0.5), what="the re-check of the counterexample")
    except BudgetExceeded:
        return True
    except TheorykitError:
        return True


def _accepts_domain(prover) -> bool:
    try:
        import inspect

        params = inspect.signature(prover).parameters
    except (TypeError, ValueError):
        return False
    return "domain" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _run_prover(prover, lhs, op, rhs, assumptions, timeout: float, domain=None):
    try:
        if domain is not None and _accepts_domain(prover):
            verdict = prover(lhs, op, rhs, assumptions, timeout=timeout, seed=0, domain=domain)
        else:
            verdict = prover(lhs, op, rhs, assumptions, timeout=timeout, seed=0)
        status = verdict.status if verdict.status in STATUSES else "unknown"
        method = str(verdict.method)
        counterexample = verdict.counterexample if status == "refuted" else None
        if counterexample is not None:
            counterexample = {str(k): str(v) for k, v in dict(counterexample).items()}
        seconds = float(verdict.seconds or 0.0)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - one bad step must not sink the report
        return "unknown", f"prover error: {type(exc).__name__}: {exc}"[:200], None, 0.0
    needed = {s.name for s in (lhs - rhs).free_symbols}
    if status == "refuted" and (counterexample is None or not needed <= set(counterexample)):
        # "refuted" is only ever reported with a counterexample to show; for a
        # step without symbols that is the empty assignment {}
        return "unknown", f"{method} (refuted without a counterexample)", None, seconds
    return status, method, counterexample, seconds


# The re-check of a counterexample in the parent gets at most this long.
RECHECK_SECONDS = 2.0
# Below this much time left in the file's budget, an extra prover call is skipped.
_MIN_CALL_SECONDS = 0.25


class _Budget:
    """The file's budget: steps x timeout. Steps that finish early leave time for the
    chains' extra checks (conclusion, domains of middle expressions); nothing runs
    past the total."""

    def __init__(self, steps: int, timeout: float):
        self.timeout = timeout
        self.deadline = time.monotonic() + steps * timeout

    def slice(self) -> float:
        return min(self.timeout, self.deadline - time.monotonic())


# Parsing and building the assumptions get at most this long (a fixed overhead on
# top of steps x timeout): SymPy can fold a constant such as floor(E**E**E**E) or
# resolve thousands of chained definitions for far longer.
PREPARE_SECONDS = 10.0


def _prepare(text: str, name: str | None, injected: bool):
    parsed = parse_derivation(text, name)
    relations = [relation for relation, _, _ in parsed.assumptions]
    return parsed, _build_assumptions(parsed, relations, injected)


def _dry_run(text: str, name: str | None, injected: bool) -> bool:
    _prepare(text, name, injected)
    return True  # SymPy objects are not sent back: unpickling re-evaluates them


# The line being read, shared with the child that reads under the budget (an
# anonymous shared mapping written before each line), so that "reading did not
# finish" can name the line it stopped on.
_PROGRESS = None


def _note_line(number: int) -> None:
    if _PROGRESS is not None:
        _PROGRESS[:8] = int(number).to_bytes(8, "little")


class LocatedInputError(InputError):
    """An input error about a place in the file: ``line`` and ``column`` (1-based)."""

    def __init__(self, argument: str, message: str, line: int, column: int = 1):
        super().__init__(argument, message)
        self.line = line
        self.column = column


def _prepare_bounded(text: str, name: str | None, injected: bool):
    """Parse and build the assumptions once in a child under the budget; only when
    that finished in time do it again here (deterministic, so just as fast)."""
    import mmap

    from .isolate import BudgetExceeded, run_bounded

    global _PROGRESS
    progress = mmap.mmap(-1, 8)
    _PROGRESS = progress
    try:
        run_bounded(_dry_run, (text, name, injected), PREPARE_SECONDS, what="reading the derivation")
    except BudgetExceeded as exc:
        line = int.from_bytes(progress[:8], "little") or 1
        raise LocatedInputError(
            "source",
            f"{exc} (a constant too large to evaluate, too many chained definitions, or too "
            "little memory?)",
            line,
        ) from None
    finally:
        _PROGRESS = None
        progress.close()
    return _prepare(text, name, injected)


def check_parsed(
    parsed: ParsedDerivation, *, timeout: float = 10.0, prover: Callable | None = None,
    assumptions=None,
) -> DerivationReport:
    """Check an already parsed derivation (see :func:`check`)."""
    timeout = _validate_timeout(timeout)
    prove = prover if prover is not None else _default_prover()
    relations = [relation for relation, _, _ in parsed.assumptions]
    if assumptions is None:
        assumptions = _build_assumptions(parsed, relations, prover is not None)
    # the assumptions' own domain: "!=" conditions join every step's domain (the
    # ">=" / ">" ones are among the assumptions already)
    assumed_ne = [c for c in parsed.assumption_domain if c.kind == "!="]
    budget = _Budget(len(parsed.steps), timeout)

    results: list[StepResult] = []
    for index, step in enumerate(parsed.steps):
        domain = simplify_conditions(step.domain + assumed_ne)
        status, method, counterexample, seconds = _run_prover(
            prove, step.lhs, step.op, step.rhs, assumptions, timeout, domain
        )
        if status == "refuted" and _recheck_bounded(step, counterexample, assumptions, domain, RECHECK_SECONDS):
            status, method, counterexample = "unknown", f"{method} (counterexample not confirmed)", None
        results.append(
            StepResult(
                index=index,
                line=step.line,
                lhs=step.lhs,
                relation=step.op,
                rhs=step.rhs,
                status=status,
                method=method,
                counterexample=counterexample,
                seconds=seconds,
                justification=step.justification,
            )
        )

    chains = [_chain_result(chain, parsed, results, prove, assumptions, budget, assumed_ne)
              for chain in parsed.chains]
    # a chain whose relations do not compose concludes nothing; any other chain's
    # verdict is part of the file's (a conclusion proved only on part of the domain
    # makes the file unknown, never proved)
    statuses = {result.status for result in results} | {
        chain.status for chain in chains if chain.relation is not None
    }
    if "refuted" in statuses:
        overall = "refuted"
    elif "unknown" in statuses:
        overall = "unknown"
    else:
        overall = "proved"
    return DerivationReport(
        file=parsed.source, status=overall, steps=results, chains=chains, assumptions=relations,
        warnings=list(parsed.warnings),
    )


def _build_assumptions(parsed, relations, injected: bool):
    # an assumption holds only where it is defined: its >= / > domain conditions
    # are assumed with it
    from .domain import as_relation

    implied = [as_relation(c) for c in parsed.assumption_domain if c.kind != "!="]
    implied = [r for r in implied if r is not None and r.free_symbols]
    lines = [line for _, line, _ in parsed.assumptions if line]
    if lines:
        _note_line(max(lines))  # building the assumptions: the last assumption line
    try:
        return _make_assumptions(relations + implied, injected)
    except InputError as exc:
        if all(line == 0 for _, line, _ in parsed.assumptions):
            raise  # from the builder: no file lines to point at
        raise _locate_assumption_error(exc, parsed, injected) from None


def _chain_result(chain: _Chain, parsed, results, prove, assumptions, budget, assumed_ne=()) -> ChainResult:
    ops = [parsed.steps[position].op for position in chain.steps]
    relation = compose_relations(ops)
    step_statuses = [results[position].status for position in chain.steps]
    if relation is None:
        return ChainResult(chain.start_line, None, "unknown", list(chain.steps), "no composed relation")
    first_step, last_step = parsed.steps[chain.steps[0]], parsed.steps[chain.steps[-1]]
    first, last = first_step.lhs, last_step.rhs
    ends = simplify_conditions(first_step.side_domain("lhs") + last_step.side_domain("rhs") + list(assumed_ne))
    if all(status == "proved" for status in step_statuses):
        # Proved steps give the conclusion where every expression of the chain is
        # defined. It holds where the ends are defined only if that implies the rest.
        missing = _middle_conditions(chain, parsed, ends)
        unproved = [c for c in missing if not _condition_holds(prove, c, assumptions, ends, budget)]
        if not unproved:
            return ChainResult(chain.start_line, relation, "proved", list(chain.steps), "steps")
        return ChainResult(
            chain.start_line, relation, "unknown", list(chain.steps),
            f"every step proved, but the conclusion is proved only where {describe(unproved)} "
            "(the middle expressions are defined)",
            domain=[str(c) for c in unproved],
        )
    seconds = budget.slice()
    if seconds < _MIN_CALL_SECONDS:
        return ChainResult(chain.start_line, relation, "unknown", list(chain.steps), "no time left in the budget")
    # a counterexample to the conclusion must be a point where every expression of the chain is
    # defined: elsewhere the chain says nothing (its steps may all be true where defined)
    everywhere = simplify_conditions(list(ends) + _middle_conditions(chain, parsed, ends))
    status, method, counterexample, _ = _run_prover(prove, first, relation, last, assumptions, seconds, everywhere)
    overall_step = _Step(chain.start_line, first, relation, last)
    if status == "refuted" and not _recheck_bounded(overall_step, counterexample, assumptions, everywhere,
                                                     RECHECK_SECONDS):
        return ChainResult(
            chain.start_line, relation, "refuted", list(chain.steps), method, counterexample
        )
    # a directly proved conclusion does not vouch for the failing steps
    return ChainResult(chain.start_line, relation, "unknown", list(chain.steps), method)


def _middle_conditions(chain: _Chain, parsed, ends) -> list:
    have = {(c.expr, c.kind) for c in ends}
    strong = {c.expr for c in ends if c.kind == ">"}
    out = []
    for position in chain.steps[:-1]:
        for c in parsed.steps[position].side_domain("rhs"):
            if (c.expr, c.kind) in have or c.expr in strong:
                continue
            if c not in out:
                out.append(c)
    return out


def _condition_holds(prove, c, assumptions, ends, budget) -> bool:
    """Is the condition implied by the assumptions where the chain's ends are defined?"""
    goals = [(c.kind, )] if c.kind != "!=" else [(">",), ("<",)]
    for (op,) in goals:
        seconds = budget.slice()
        if seconds < _MIN_CALL_SECONDS:
            return False
        status, *_ = _run_prover(prove, c.expr, op, sympy.Integer(0), assumptions, seconds, list(ends))
        if status == "proved":
            return True
    return False


def _locate_assumption_error(exc: InputError, parsed: ParsedDerivation, injected: bool):
    """Turn unusable assumptions into a syntax error at the guilty place.

    The conjunction is what failed; point at the first relation that fails on
    its own, else the first line that fails on its own, else the first
    assumption.
    """
    message = str(exc)
    if message.startswith("assume: "):
        message = message[len("assume: ") :]

    def unusable(relations) -> bool:
        try:
            _make_assumptions(relations, injected)
        except InputError:
            return True
        return False

    where = next(((line, column) for _, line, column in parsed.assumptions), (1, 1))
    lines: dict[int, list] = {}
    for relation, line, column in parsed.assumptions:
        lines.setdefault(line, []).append((relation, column))
    alone = [(line, column) for relation, line, column in parsed.assumptions if unusable([relation])]
    if alone:
        where = alone[0]
    else:
        for line, items in lines.items():
            if unusable([relation for relation, _ in items]):
                where = (line, items[0][1])
                break
    return DerivationSyntaxError(f"unusable assumptions: {message}", *where, parsed.source)


# ---------------------------------------------------------------- sources


def _looks_like_path(source: str) -> bool:
    if "\n" in source:
        return False
    if source.strip().endswith(".deriv"):
        return True
    try:
        return os.path.exists(source)
    except (OSError, ValueError):
        return False


def read_source(path) -> tuple[str, str]:
    """The text of a ``.deriv`` file and its display name; clear errors otherwise."""
    path = Path(path)
    name = str(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise InputError("source", f"'{name}' is a directory, not a derivation file")
        if not stat.S_ISREG(mode):
            # /dev/zero, a FIFO, ...: reading could hang or never end
            raise InputError("source", f"'{name}' is not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise InputError("source", f"'{name}' is larger than {MAX_FILE_BYTES} bytes")
    except FileNotFoundError:
        raise InputError("source", f"cannot read '{name}': no such file") from None
    except PermissionError:
        raise InputError("source", f"cannot read '{name}': permission denied") from None
    except OSError as exc:
        raise InputError("source", f"cannot read '{name}': {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DerivationSyntaxError("the file is not UTF-8 text", line, column, name) from None


def check(source, *, timeout: float = 10.0, prover: Callable | None = None) -> DerivationReport:
    """Check a derivation given as ``.deriv`` text or as a path to a file.

    A ``str`` is read as a path when it has no newline and ends in ``.deriv``
    or names an existing file. ``prover`` replaces
    :func:`theorykit.symbolic.prover.prove_step` (same signature), for tests.
    """
    _validate_timeout(timeout)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        text, name = read_source(source)
    elif isinstance(source, str):
        text, name = source, None
    else:
        raise InputError("source", f"expected derivation text or a path, got {type(source).__name__}")
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise InputError("source", f"derivation text is larger than {MAX_FILE_BYTES} bytes")
    from .vector.syntax import is_vector_text  # files with vectors/functions: theorykit.symbolic.vector

    if is_vector_text(text):
        from .vector import check_vector_text

        return check_vector_text(text, name, timeout=timeout, prover=prover)
    parsed, assumptions = _prepare_bounded(text, name, prover is not None)
    return check_parsed(parsed, timeout=timeout, prover=prover, assumptions=assumptions)


def __getattr__(name):
    # The builder lives in its own module and imports this one, so it is
    # resolved lazily to keep either import order working.
    if name == "Derivation":
        from .builder import Derivation

        return Derivation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
