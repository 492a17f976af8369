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
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

import sympy

from ..errors import DerivationSyntaxError, InputError
from .parse import (
    parse_assumptions_located,
    parse_expression,
    parse_relation,
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
    for number, raw in enumerate(text.split("\n"), start=1):
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
                located = parse_assumptions_located(body, line=number, column=body_col, source=source)
                for relation, column in located:
                    parsed.assumptions.append((relation, number, column))
            elif word == "claim":
                chain, chain_expr = None, None  # a claim ends any open chain
                lhs, op, rhs = parse_relation(body, line=number, column=body_col, source=source)
                parsed.steps.append(_Step(number, lhs, op, rhs, justification))
            else:
                _check_single_expression(body, number, body_col, source)
                chain_expr = parse_expression(body, line=number, column=body_col, source=source)
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
        expr = parse_expression(body, line=number, column=body_col, source=source)
        parsed.steps.append(_Step(number, chain_expr, "=" if op == "==" else op, expr, justification))
        chain.steps.append(len(parsed.steps) - 1)
        chain_expr = expr
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
    return parsed


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


def _validate_timeout(timeout) -> float:
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        raise InputError("timeout", f"must be a number of seconds, got {timeout!r}") from None
    if isinstance(timeout, bool) or not math.isfinite(value) or value <= 0:
        raise InputError("timeout", f"must be a positive finite number of seconds, got {timeout!r}")
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


def _counterexample_contradicted(step: _Step, counterexample, assumptions) -> bool:
    """True when a claimed counterexample is shown *not* to be one.

    Defence in depth: the prover confirms its counterexamples exactly, and this
    re-check only ever downgrades a refutation, never upgrades anything.
    """
    if not isinstance(counterexample, dict):
        return False
    values = {name: _exact(value) for name, value in counterexample.items()}
    if any(value is None for value in values.values()):
        return False
    checker = getattr(assumptions, "satisfied_exactly", None)
    if checker is not None:
        try:
            if checker(values) is False:
                return True
        except Exception:  # noqa: BLE001 - an unusable check proves nothing either way
            pass
    substitution = {sympy.Symbol(name, real=True): value for name, value in values.items()}
    try:
        difference = (step.lhs - step.rhs).xreplace(substitution)
        if difference.free_symbols:
            return False
        sign = _sign(difference)
    except Exception:  # noqa: BLE001
        return False
    return sign is not None and _HOLDS[step.op](sign)


def _run_prover(prover, lhs, op, rhs, assumptions, timeout: float):
    try:
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


def check_parsed(
    parsed: ParsedDerivation, *, timeout: float = 10.0, prover: Callable | None = None
) -> DerivationReport:
    """Check an already parsed derivation (see :func:`check`)."""
    timeout = _validate_timeout(timeout)
    prove = prover if prover is not None else _default_prover()
    relations = [relation for relation, _, _ in parsed.assumptions]
    try:
        assumptions = _make_assumptions(relations, prover is not None)
    except InputError as exc:
        if all(line == 0 for _, line, _ in parsed.assumptions):
            raise  # from the builder: no file lines to point at
        raise _locate_assumption_error(exc, parsed, prover is not None) from None

    results: list[StepResult] = []
    for index, step in enumerate(parsed.steps):
        status, method, counterexample, seconds = _run_prover(
            prove, step.lhs, step.op, step.rhs, assumptions, timeout
        )
        if status == "refuted" and _counterexample_contradicted(step, counterexample, assumptions):
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

    chains = [_chain_result(chain, parsed, results, prove, assumptions, timeout) for chain in parsed.chains]
    statuses = {result.status for result in results} | {chain.status for chain in chains}
    if "refuted" in statuses:
        overall = "refuted"
    elif "unknown" in {result.status for result in results}:
        overall = "unknown"
    else:
        overall = "proved"
    return DerivationReport(
        file=parsed.source, status=overall, steps=results, chains=chains, assumptions=relations
    )


def _chain_result(chain: _Chain, parsed, results, prove, assumptions, timeout) -> ChainResult:
    ops = [parsed.steps[position].op for position in chain.steps]
    relation = compose_relations(ops)
    step_statuses = [results[position].status for position in chain.steps]
    if relation is None:
        return ChainResult(chain.start_line, None, "unknown", list(chain.steps), "no composed relation")
    if all(status == "proved" for status in step_statuses):
        return ChainResult(chain.start_line, relation, "proved", list(chain.steps), "steps")
    first = parsed.steps[chain.steps[0]].lhs
    last = parsed.steps[chain.steps[-1]].rhs
    status, method, counterexample, _ = _run_prover(prove, first, relation, last, assumptions, timeout)
    overall_step = _Step(chain.start_line, first, relation, last)
    if status == "refuted" and not _counterexample_contradicted(overall_step, counterexample, assumptions):
        return ChainResult(
            chain.start_line, relation, "refuted", list(chain.steps), method, counterexample
        )
    # a directly proved conclusion does not vouch for the failing steps
    return ChainResult(chain.start_line, relation, "unknown", list(chain.steps), method)


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
    return check_parsed(parse_derivation(text, name), timeout=timeout, prover=prover)


def __getattr__(name):
    # The builder lives in its own module and imports this one, so it is
    # resolved lazily to keep either import order working.
    if name == "Derivation":
        from .builder import Derivation

        return Derivation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
