"""The momentum family: derivations proved, canonical measurements agree with the
predictions, every mutant violated on some example, PEP oracle consistent."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, settings
from hypothesis.errors import NoSuchExample

from proofs import momentum
from proofs.momentum import accelerated as momentum_accel
from proofs.momentum import heavy_ball
from theorykit.claims.claim import Context, compare_values

CLAIMS = momentum.CLAIMS
IDS = [c.id for c in CLAIMS]
EXPECTED = {
    "momentum.heavy_ball_recurrence", "momentum.heavy_ball_stability", "momentum.threshold_doubling",
    "momentum.complex_root_modulus", "momentum.heavy_ball_optimal", "momentum.critical_damping",
    "momentum.nesterov_stability", "momentum.nesterov_rate", "momentum.hb_beats_gd", "momentum.greedy_is_cg",
    "momentum.effective_step",
}


_ctx = Context.numpy  # a seeded NumPy context for calling measures directly


def test_catalog_has_the_family():
    assert set(IDS) == EXPECTED
    for c in CLAIMS:
        assert c.family == "momentum"
        assert c.mutants and c.checks
        assert c.sources and ("tight" in c.doc or "upper" in c.doc or "identity" in c.doc)  # references: from sources=


def test_modules_are_small():
    root = Path(momentum.__file__).parent
    for name in ("heavy_ball.py", "accelerated.py", "_common.py", "__init__.py"):
        assert len((root / name).read_text().splitlines()) < 600


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_canonical_examples_agree(claim):
    for check in claim.checks:
        examples = check.examples
        if not examples:  # measured on the first draw of its strategy instead
            examples = (find((check.strategy or claim.strategy)(), lambda p: True,
                             settings=settings(database=None, derandomize=True)),)
        for params in examples:
            m, p = check.measure(params, _ctx()), check.predict(params)
            assert compare_values(m, p, check.compare, check.rtol, check.atol), (check.name, params, m, p)


_FIND = settings(max_examples=30, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
MUTANTS = [(c, m) for c in CLAIMS for m in c.mutants]


@pytest.mark.parametrize("claim,mutant", MUTANTS, ids=[f"{c.id}:{m.name}" for c, m in MUTANTS])
def test_mutant_violated(claim, mutant):
    check = claim.check_named(mutant.check)
    predict = mutant.predict or check.predict
    compare = mutant.compare or check.compare

    def violated(params):
        return not compare_values(check.measure(params, _ctx()), predict(params), compare, check.rtol, check.atol)

    if mutant.strategy is None and any(violated(ex) for ex in check.examples):
        return
    strategy = (mutant.strategy or check.strategy or claim.strategy)()
    try:
        find(strategy, violated, settings=_FIND)
    except NoSuchExample:
        pytest.fail(f"mutant {mutant.name} of {claim.id} not violated")


def test_fista_huber_search_reaches_pep_worst_case():
    """The Huber search in the convex check is a near-worst case: it matches PEPit."""
    pytest.importorskip("PEPit")
    from theorykit.claims.pep_momentum import fista_worst_case

    check = momentum_accel.NESTEROV_RATE.check_named("convex_huber")
    for n in (3, 5):
        measured = check.measure({"L": 1.0, "R": 1.0, "N": n}, _ctx())
        pep = fista_worst_case(n)
        assert measured <= pep * (1 + 1e-6)
        assert measured >= pep * (1 - 1e-3)
        assert pep <= check.predict({"L": 1.0, "R": 1.0, "N": n})


def test_pep_oracle_upper():
    pytest.importorskip("PEPit")
    oracle = momentum_accel.NESTEROV_RATE.oracle
    for n in oracle.ns[:3]:
        assert compare_values(oracle.worst_case(n), oracle.predict(n), oracle.compare, oracle.rtol, 0.0)


def test_threshold_tiny_momentum():
    check = heavy_ball.HEAVY_BALL_STABILITY.check_named("threshold")
    params = {"eigenvalues": (1.0,), "beta": 1e-200}
    assert compare_values(check.measure(params, _ctx()), check.predict(params), "tight", check.rtol, 0.0)
