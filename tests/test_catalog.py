"""Every claim in the installed catalog derives, verifies and refutes each of its mutants.

One test per claim (derivation proved, checks passed, oracle not failed) and one per
(claim, mutant), so a failure names exactly what broke. Each claim is verified once
and shared by its tests. Under HYPOTHESIS_PROFILE=thorough the searches use that
profile's example count instead of the runner's default.
"""
from __future__ import annotations

import functools
import os

import pytest
from hypothesis import settings

from theorykit.claims import registry
from theorykit.claims.runner import DEFAULT_MAX_EXAMPLES, verify_claim
from theorykit.errors import TheorykitError

MAX_EXAMPLES = settings.default.max_examples if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" \
    else DEFAULT_MAX_EXAMPLES


def _catalog():
    try:
        return registry.claims(), None
    except TheorykitError as exc:  # reported by a failing test below rather than a collection error
        return (), str(exc)


_CLAIMS, _LOAD_ERROR = _catalog()
_EMPTY = pytest.mark.skip(reason="the catalog has no claims yet (no family modules in proofs/ and no plugins)")

# Under pytest-xdist (--dist loadgroup) a claim's tests share one worker, so the
# claim is verified once per run rather than once per worker.
CLAIM_PARAMS = [pytest.param(c.id, id=c.id, marks=pytest.mark.xdist_group(c.id)) for c in _CLAIMS] or [
    pytest.param(None, id="empty", marks=_EMPTY)]
MUTANT_PARAMS = [pytest.param(c.id, m.name, id=f"{c.id}:{m.name}", marks=pytest.mark.xdist_group(c.id))
                 for c in _CLAIMS for m in c.mutants] or [pytest.param(None, None, id="empty", marks=_EMPTY)]


#: Real steps, not the final formula asserted: two at least, three for the families whose
#: derivations are chains (the per-family tests that re-derived each claim to check this were
#: a second derivation of every claim in the suite); two claims are one exact step by design.
_ONE_STEP = {"precond.rescale_is_lr", "sgd.unbiased_gradient"}
_THREE_STEP_FAMILIES = {"implicit", "deeplinear", "muon"}


def _min_steps(claim_id: str) -> int:
    if claim_id in _ONE_STEP:
        return 1
    return 3 if claim_id.split(".", 1)[0] in _THREE_STEP_FAMILIES else 2


@functools.lru_cache(maxsize=None)
def _result(claim_id: str):
    return verify_claim(registry.get_claim(claim_id), seed=0, max_examples=MAX_EXAMPLES)


def test_catalog_loads():
    assert _LOAD_ERROR is None, _LOAD_ERROR
    ids = [c.id for c in _CLAIMS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("claim_id", CLAIM_PARAMS)
def test_claim_derives_and_checks_pass(claim_id):
    claim = registry.get_claim(claim_id)
    assert claim.sources, f"{claim_id} cites no source"
    assert claim.mutants, f"{claim_id} has no mutants, so its checks are never shown to be able to fail"
    r = _result(claim_id)
    assert r.derivation_status == "proved", f"derivation {r.derivation_status}: {r.message}"
    steps = len((r.derivation or {}).get("steps", ()))
    assert steps >= _min_steps(claim_id), f"{claim_id}: {steps} derivation steps, not a derivation of the formula"
    for c in r.checks:
        assert c.status == "passed", f"check {c.name}: {c.message}"
    if r.oracle is not None:
        assert r.oracle.status in ("passed", "skipped"), r.oracle.message


@pytest.mark.parametrize("claim_id, mutant", MUTANT_PARAMS)
def test_mutant_refuted(claim_id, mutant):
    (m,) = [m for m in _result(claim_id).mutants if m.name == mutant]
    assert m.refuted, f"mutant {mutant} ({m.description}) not refuted: {m.message}"


@pytest.mark.parametrize("claim_id", CLAIM_PARAMS)
def test_statement_is_not_a_constant(claim_id):
    # SymPy evaluates relations eagerly: Eq(1 - eta*(2/eta), -1) becomes True, which would
    # print as "True" in every table. (A statement may still have no free symbols, e.g. a limit.)
    import sympy

    statement = registry.get_claim(claim_id).statement
    assert statement not in (sympy.true, sympy.false), f"{claim_id}: statement evaluated to {statement}"
