"""Statement-driven checks and near-miss mutation for the momentum, muon, newton, nqm, rmsprop,
schedule, sgd, smoothness, units and yogi families (issue #14, items 1, 2 and 4).

Every check names the statement symbol (or conjunct) it measures, every mutant is a SymPy relation,
and on a few cheap claims the generated near misses are killed by a margin of at least five check
tolerances, never through a NaN or infinite prediction. The full per-claim scores are printed by
``theorykit mutate 'FAMILY.*'`` (the catalog-wide test is in tests/test_mutation.py).
"""
from __future__ import annotations

import math

import pytest
import sympy

from theorykit.claims.claim import KILL_FACTOR, check_relation
from theorykit.claims.mutation import analyse, near_misses
from theorykit.claims.registry import claims

FAMILIES = ("momentum", "muon", "newton", "nqm", "rmsprop", "schedule", "sgd", "smoothness", "units", "yogi")
CLAIMS = [c for c in claims() if c.family in FAMILIES]
# mutants that change the method, not the formula: the claim's own relation is run on another method
# (sgd.sqrt_schedule: a constant step in place of c/sqrt(t) must NOT show the T^(-1/2) decay)
METHOD_MUTANTS: set[tuple[str, str]] = {("sgd.sqrt_schedule", "constant_step")}


def test_the_families_are_in_the_catalog():
    assert {c.family for c in CLAIMS} == set(FAMILIES)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_checks_measure_the_statement_and_mutants_are_relations(claim):
    for check in claim.checks:
        assert check.statement_driven, (claim.id, check.name)
        rel = check_relation(claim, check)  # a conjunct of the statement, or a relation built from it
        assert isinstance(rel, sympy.Rel), (claim.id, check.name)
        assert rel.lhs not in rel.rhs.free_symbols
    for m in claim.mutants:
        assert m.relation is not None or (claim.id, m.name) in METHOD_MUTANTS, (claim.id, m.name)
    assert near_misses(claim), claim.id  # something to generate from


# cheap claims (a few seconds each at 5 samples per check)
FAST = ("rmsprop.ewma_weights", "yogi.bounded_change", "units.gd", "smoothness.quadratic", "schedule.endpoints",
        "schedule.cosine_average", "muon.newton_schulz", "newton.global_phase", "momentum.effective_step",
        "momentum.heavy_ball_recurrence")


@pytest.mark.parametrize("claim_id", FAST)
def test_near_misses_are_killed_by_a_margin(claim_id):
    claim = next(c for c in CLAIMS if c.id == claim_id)
    report = analyse(claim, seed=0, max_examples=5)
    assert report.score is not None and report.score >= 0.75, str(report)
    for kill in report.kills:
        assert math.isfinite(kill["predicted"]), kill
        assert kill["margin"] >= KILL_FACTOR, kill
