"""The claims added for the seed statements (issue 14, item 6): each verifies on a small search,
and its generated near-miss mutants are killed (or documented)."""
from __future__ import annotations

import os

import pytest

from theorykit.claims.mutation import analyse
from theorykit.claims.registry import get_claim
from theorykit.claims.runner import verify_claim

FAST = [
    "precond.rescale_is_lr", "precond.sqrt_kappa", "precond.eps_damping_lr", "momentum.effective_step",
    "sgd.unbiased_gradient", "landscape.chord_convexity", "landscape.stationary_is_global",
    "landscape.indefinite_at_init", "flow.gd_to_gradient_flow", "adagrad.nonstationary",
    "sanity.regularization_raises_loss", "sgd.reshuffling", "gradcheck.weight_decay_masks",
    "newton.global_phase",
]


@pytest.mark.parametrize("claim_id", FAST)
def test_seed_claim_verifies_and_kills_its_near_misses(claim_id):
    claim = get_claim(claim_id)
    r = verify_claim(claim, seed=0, max_examples=3)
    assert r.status == "verified", r.message
    report = analyse(claim, seed=0, max_examples=3)
    assert report.score is None or report.score >= 0.75, str(report)
    assert all(s["reason"] for s in report.survivors) or report.score == 1.0, str(report)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE") != "thorough", reason="~30 s: thorough profile")
def test_linesearch_armijo():
    assert verify_claim(get_claim("linesearch.armijo"), seed=0, max_examples=3).status == "verified"
