"""The stochastic families: sgd.*, nqm.*, schedule.*, ema.*.

Every claim verifies end to end (derivation proved, checks pass, every mutant
refuted) at a small example budget; the Monte Carlo run sizes really give the
half-widths the checks use as tolerances; results are reproducible from the seed.
The full-budget runs (and the long horizons) are in the thorough profile.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
import sympy

from proofs import ema, nqm, schedule, sgd
from proofs.sgd import sampling
from proofs._stochastic import LEVEL
from theorykit.claims.claim import Claim, Context
from theorykit.claims.result import strip_timings
from theorykit.claims.runner import verify_claim
from theorykit.numeric.montecarlo import halfwidth, z_value

# the issue-14 seed claims appended to these families have their own tests (tests/test_proofs_seeds.py)
_SEED_CLAIMS = {"schedule.cosine_pinned", "sgd.sqrt_schedule", "sgd.data_parallel", "ema.tracks_time_average"}
CLAIMS = tuple(c for c in (*sgd.CLAIMS, *nqm.CLAIMS, *schedule.CLAIMS, *ema.CLAIMS) if c.id not in _SEED_CLAIMS)
BY_ID = {c.id: c for c in CLAIMS}
EXPECTED_IDS = {
    "sgd.with_replacement_coverage",
    "sgd.minibatch_variance",
    "sgd.convex_rate",
    "sgd.unbiased_gradient",
    "sgd.reshuffling",
    "nqm.sgd_recurrence",
    "nqm.momentum_recurrence",
    "nqm.critical_batch_size",
    "nqm.short_horizon_bias",
    "schedule.cosine_average",
    "schedule.monotone",
    "schedule.endpoints",
    "ema.variance",
    "ema.lag",
}
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


def test_catalog_shape():
    assert {c.id for c in CLAIMS} == EXPECTED_IDS
    for c in CLAIMS:
        assert isinstance(c, Claim) and isinstance(c.statement, sympy.Basic)
        assert c.mutants and c.checks and all(chk.examples for chk in c.checks), c.id
        assert "Setting" in c.doc and c.sources and "[1" in c.doc, c.id  # [n] cites sources[n-1]
        assert ("*tight*" in c.doc) or ("*upper*" in c.doc), c.id
        assert ("arXiv:" in c.doc) or ("doi:" in c.doc) or any(s.arxiv or s.doi for s in c.sources) \
            or c.id == "sgd.minibatch_variance", c.id
        assert all(s.arxiv or s.doi or s.venue for s in c.sources), c.id


@pytest.mark.slow
@pytest.mark.skipif(not THOROUGH, reason="tests/test_catalog.py verifies every claim at the default budget; this re-run is the thorough profile only")
@pytest.mark.parametrize("claim_id", sorted(EXPECTED_IDS))
def test_claim_verifies_and_refutes_every_mutant(claim_id):
    # tests/test_catalog.py verifies every claim at the default budget; this is the quick smoke run
    result = verify_claim(BY_ID[claim_id], seed=0, max_examples=None if THOROUGH else 2)
    assert result.derivation_status == "proved", result.message
    failed = [(c.name, c.message) for c in result.checks if c.status != "passed"]
    assert not failed, failed
    alive = [(m.name, m.message) for m in result.mutants if not m.refuted]
    assert not alive, alive
    # a refutation must come from a measurement (or the prover), at recorded parameters
    assert all(m.counterexample is not None or m.by == "symbolic" for m in result.mutants)
    assert result.status == "verified"


def test_coverage_run_sizes_give_the_stated_halfwidth():
    for n in (2, 3, 10, 1000, 100_000, 400_000):
        runs = sampling._coverage_runs(n)
        assert halfwidth(min(0.25, 1.0 / n), runs, LEVEL) <= sampling.COV_HW * (1 + 1e-12)


def test_minibatch_run_sizes_give_the_stated_halfwidth():
    x = sampling._population({"n": 30, "sigma": 2.0, "heavy": True}, ctx(1))
    assert abs(x.mean()) < 1e-12 and np.mean(x * x) == pytest.approx(4.0, rel=1e-12)
    for b in (1, 7, 30):
        R = sampling._minibatch_runs(x, b)
        kurt = np.mean(x**4) / np.mean(x**2) ** 2
        assert z_value(LEVEL) * math.sqrt((3 * (b - 1) + kurt) / (b * R)) <= sampling.MB_RTOL


def test_sixty_seven_percent_is_outside_the_interval():
    c = BY_ID["sgd.with_replacement_coverage"].check_named("large_n_limit")
    measured = c.measure({"n": 100_000}, ctx(3))
    assert abs(measured - 0.67) > 5 * c.atol
    assert abs(measured - (1 - math.exp(-1))) <= c.atol


def test_ema_lag_run_size_gives_the_stated_halfwidth():
    assert halfwidth(ema.LAG_VAR, ema._lag_runs(), LEVEL) <= ema.LAG_HW
    assert 0.95**2 / (1 - 0.95**2) <= ema.LAG_VAR  # the variance bound at the largest beta


def test_convex_rate_confidence_bounds_bracket_the_mean():
    p = {"kind": "quadratic", "eigenvalues": (0.01, 1.0), "L": 1.0, "h": 1.0, "T": 50, "sigma": 1.0, "D": 1.0}
    from proofs.sgd import convex_rate as cr

    gaps = cr._simulate(p, ctx(2))
    lo, hi = cr._lcb(p, ctx(2)), cr._ucb(p, ctx(2))
    assert lo < gaps.mean() < hi <= cr.SGD_CONVEX_RATE.checks[0].predict(p)


def test_results_reproducible_from_seed():
    c = BY_ID["nqm.momentum_recurrence"]
    a = verify_claim(c, seed=11, max_examples=2).to_dict()
    b = verify_claim(c, seed=11, max_examples=2).to_dict()
    assert strip_timings(a) == strip_timings(b)


@pytest.mark.slow
@pytest.mark.skipif(not THOROUGH, reason="long horizons (5000, 20000) run in the thorough profile")
def test_short_horizon_bias_at_long_horizons():
    from theorykit.numeric.nqm import greedy_schedule, harmonic_spectrum, tuned_losses

    h = harmonic_spectrum(100)
    for T in (5000, 20000):
        _, greedy = greedy_schedule(h, T, 4.0)
        fixed, poly = tuned_losses(h, T, 4.0)
        assert greedy > fixed > poly


def test_stochastic_figures_render(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report.figures_stochastic import (
        FIGURES,
        critical_batch_figure,
        short_horizon_figure,
    )

    assert set(FIGURES) <= EXPECTED_IDS
    a = critical_batch_figure(tmp_path / "cb.png", d=20, target_frac=0.05)
    b = short_horizon_figure(tmp_path / "sh.svg", d=20, T=60)
    assert a.stat().st_size > 10_000 and b.stat().st_size > 10_000
