"""A claim in parts, for parallelism within a claim (``parallel.run_claims``).

Group 0 is the derivation and the PEP oracle; group k >= 1 is check k-1 with the
mutants that use it, in catalog order. The measurement cache is keyed by (check,
parameters), so a mutant only ever sees its own check's entries and those of the
mutants of that check before it, exactly as in ``runner.verify_claim``; the parts
therefore give verify_claim's result, wherever they run (``tests/test_parallel.py``).
"""
from __future__ import annotations

import time
from typing import Any, Callable, NamedTuple

from .claim import Claim
from .result import ClaimResult
from .runner import (
    DEFAULT_MAX_EXAMPLES,
    ProgressEvent,
    _Measurer,
    _assemble,
    _derive,
    _namespace,
    _run_check,
    _run_mutant,
    _run_oracle,
    _validate_run_args,
    claim_steps,
)

__all__ = ["ClaimPart", "assemble_parts", "claim_groups", "run_claim_part"]


class ClaimPart(NamedTuple):
    group: int
    derived: tuple | None  # (status, dict, message), group 0 only
    checks: tuple  # ((check index, CheckResult), ...)
    mutants: tuple  # ((mutant index, MutantResult), ...)
    oracle: Any  # OracleResult or None (group 0)
    seconds: float


def claim_groups(claim: Claim) -> int:
    """How many parts ``run_claim_part`` splits the claim into."""
    return 1 + len(claim.checks)


def run_claim_part(claim: Claim, group: int, *, backend: str = "numpy", seed: int = 0,
                   max_examples: int | None = None, progress: Callable[[ProgressEvent], None] | None = None,
                   _position: tuple[int, int] = (0, 1), _xp=None) -> ClaimPart:
    """One part of ``verify_claim`` (see ``claim_groups``); ``assemble_parts`` joins them."""
    _validate_run_args(seed, max_examples, backend)
    n_examples = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    xp = _xp if _xp is not None else _namespace(backend)
    t0 = time.perf_counter()
    index, count = _position

    def tick(stage: str):
        if progress is not None:
            progress(ProgressEvent(claim.id, stage, 0, claim_steps(claim), index, count))

    if group == 0:
        tick("derive")
        derived = _derive(claim)
        oracle = None
        if claim.oracle is not None:
            tick("PEP oracle")
            oracle = _run_oracle(claim)
        return ClaimPart(0, derived, (), (), oracle, time.perf_counter() - t0)
    check = claim.checks[group - 1]
    measurer = _Measurer(xp, backend, seed)
    tick(f"check {check.name}")
    checks = ((group - 1, _run_check(claim, check, measurer, seed=seed, backend=backend, max_examples=n_examples)),)
    mutants = []
    for j, mutant in enumerate(claim.mutants):
        if mutant.check == check.name:
            tick(f"mutant {mutant.name}")
            mutants.append((j, _run_mutant(claim, mutant, measurer, seed=seed, max_examples=n_examples)))
    return ClaimPart(group, None, checks, tuple(mutants), None, time.perf_counter() - t0)


def assemble_parts(claim: Claim, parts, *, backend: str, seed: int) -> ClaimResult:
    """The ``ClaimResult`` of all ``claim_groups(claim)`` parts (any order); ``seconds`` is their sum."""
    by_group = {p.group: p for p in parts}
    if set(by_group) != set(range(claim_groups(claim))):
        raise ValueError(f"{claim.id}: parts {sorted(by_group)} do not cover groups 0..{claim_groups(claim) - 1}")
    checks = dict(kv for p in parts for kv in p.checks)
    mutants = dict(kv for p in parts for kv in p.mutants)
    if len(mutants) != len(claim.mutants):  # a mutant naming no check of the claim: run it as verify_claim does
        raise ValueError(f"{claim.id}: a mutant names no check of the claim")
    return _assemble(claim, by_group[0].derived, [checks[i] for i in range(len(claim.checks))],
                     [mutants[j] for j in range(len(claim.mutants))], by_group[0].oracle, backend=backend,
                     seed=seed, seconds=sum(p.seconds for p in parts))
