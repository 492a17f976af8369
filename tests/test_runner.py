"""The claim runner on toy claims about GD on h x^2/2 (see tests/plugin_catalog)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import strategies as st

from theorykit.claims.claim import Mutant, PepOracle
from theorykit.claims.result import ClaimResult
from theorykit.claims.runner import DEFAULT_MAX_EXAMPLES, ProgressEvent, verify, verify_claim
from theorykit.errors import BackendUnavailable, InputError, TheorykitError

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402


class FakeReport:
    """Stands in for a DerivationReport so these tests do not depend on the prover's verdicts."""

    def __init__(self, status="proved"):
        self.status = status

    def to_dict(self):
        return {"status": self.status, "steps": []}


def proved():
    return FakeReport("proved")


@pytest.fixture(scope="module")
def true_result():
    return verify_claim(toy.contraction_claim(derive=proved), seed=3)


def test_true_claim_verified_with_all_mutants_refuted(true_result):
    r = true_result
    assert r.status == "verified", r.message
    assert r.derivation_status == "proved"
    (check,) = r.checks
    assert check.status == "passed" and check.passed
    # canonical numbers come from the first explicit example h=1, lr=0.1
    assert check.measured == pytest.approx(0.9, rel=1e-12) and check.predicted == pytest.approx(0.9, rel=1e-15)
    assert check.examples == 1 + DEFAULT_MAX_EXAMPLES
    assert r.mutants_refuted == (2, 2)
    no_abs = r.mutants[0]
    assert no_abs.refuted and no_abs.by == "numeric" and no_abs.status == "refuted"
    # the counterexample is real: there the mutant's prediction differs from the measurement
    assert no_abs.counterexample is not None
    assert no_abs.predicted == pytest.approx(1 - no_abs.counterexample["lr"] * no_abs.counterexample["h"])
    assert no_abs.measured == pytest.approx(abs(no_abs.predicted))
    assert no_abs.predicted < 0 < no_abs.measured


def test_a_mutant_is_killed_by_its_first_witness(monkeypatch):
    # a kill needs one witness: verify does not shrink a mutant's counterexample (challenge does,
    # and a failing check does: test_shrinking_stops_at_its_budget)
    calls = []

    def counting(params, ctx):
        calls.append(params["lr"] * params["h"] > 1)  # where "no_abs" (1 - lr*h) is refuted
        return toy.measure_contraction(params, ctx)

    full = toy.contraction_claim(derive=proved, measure=counting)
    claim = full.__class__(**{**full.__dict__, "mutants": full.mutants[:1]})
    start = []
    r = verify_claim(claim, seed=0, max_examples=10,
                     progress=lambda e: start.append(len(calls)) if e.stage.startswith("mutant") else None)
    (m,) = r.mutants
    assert m.refuted and set(m.counterexample) == {"h", "lr"}
    assert m.predicted == pytest.approx(1 - m.counterexample["lr"] * m.counterexample["h"])
    assert m.predicted < 0 <= m.measured
    mutant_calls = calls[start[0]:]
    assert mutant_calls.index(True) == len(mutant_calls) - 1  # nothing measured after the first kill


def test_unrefutable_mutant_means_not_verified():
    loose = Mutant("loose_upper", "|1 - lr h| + 0.5 as an upper bound (true, so not a wrong variant)", "rate",
                   predict=lambda p: abs(1 - p["lr"] * p["h"]) + 0.5, compare="upper")
    r = verify_claim(toy.contraction_claim(derive=proved, mutants=(loose,)), seed=0, max_examples=10)
    assert r.status == "failed"
    (m,) = r.mutants
    assert not m.refuted and m.by is None and m.status == "not refuted"
    assert "not refuted" in m.message and "mutant loose_upper not refuted" in r.message
    assert r.checks[0].status == "passed"


def test_wrong_claim_fails_with_counterexample():
    claim = toy.contraction_claim(derive=proved)
    wrong = claim.checks[0].__class__(**{**claim.checks[0].__dict__, "predict": lambda p: abs(1 - 0.9 * p["lr"] * p["h"]),
                                         "examples": ()})
    claim = claim.__class__(**{**claim.__dict__, "checks": (wrong,)})
    r = verify_claim(claim, seed=0, max_examples=15)
    (c,) = r.checks
    assert r.status == "failed" and c.status == "failed" and not c.passed
    assert c.counterexample is not None and "failed at" in c.message


def test_measure_that_raises_gives_error_status():
    def boom(params, ctx):
        if params["h"] > 5:
            raise InputError("h", "too large for this toy")
        return toy.measure_contraction(params, ctx)

    r = verify_claim(toy.contraction_claim(derive=proved, measure=boom), seed=0, max_examples=30)
    (c,) = r.checks
    assert c.status == "error" and not c.passed
    assert "InputError" in c.message and "h: too large" in c.message
    assert c.counterexample is not None and c.counterexample["h"] > 5
    assert r.status == "error"


def test_derive_that_raises_gives_error_status():
    def bad_derive():
        raise ZeroDivisionError("division by zero in step 2")

    r = verify_claim(toy.contraction_claim(derive=bad_derive), seed=0, max_examples=5)
    assert r.derivation_status == "error" and r.derivation is None
    assert r.status == "error" and "ZeroDivisionError: division by zero in step 2" in r.message


@pytest.mark.parametrize("status", ["refuted", "unknown"])
def test_unproved_derivation_is_not_verified(status):
    r = verify_claim(toy.contraction_claim(derive=lambda: FakeReport(status)), seed=0, max_examples=5)
    assert r.derivation_status == status and r.status == "failed"
    assert f"derivation {status}" in r.message


def test_same_seed_same_result_dict():
    claim = toy.threshold_claim()
    a = verify_claim(claim, seed=11, max_examples=8).to_dict(timings=False)
    b = verify_claim(claim, seed=11, max_examples=8).to_dict(timings=False)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["seed"] == 11 and a["backend"] == "numpy"
    assert {"python", "theorykit", "numpy", "sympy", "hypothesis", "scipy"} <= set(a["versions"])


def test_measurement_rng_is_seeded_from_seed_and_params():
    seen = []

    def record(params, ctx):
        seen.append((params["h"], params["lr"], float(ctx.rng.random()), ctx.seed, ctx.backend))
        return toy.measure_contraction(params, ctx)

    claim = toy.contraction_claim(derive=proved, measure=record, mutants=())
    verify_claim(claim, seed=5, max_examples=3)
    first = list(seen)
    seen.clear()
    verify_claim(claim, seed=5, max_examples=3)
    assert seen == first
    seen.clear()
    verify_claim(claim, seed=6, max_examples=3)
    assert seen[0][:2] == first[0][:2] and seen[0][2] != first[0][2]  # same explicit example, new seed


def test_symbolic_refutation_of_a_mutant_statement():
    r = verify_claim(toy.threshold_claim(), seed=0, max_examples=5)
    m = r.mutants[0]
    assert m.refuted
    assert m.symbolic_status in ("refuted", "unavailable", "unknown", "error")
    if m.symbolic_status == "refuted":
        assert m.by == "numeric+symbolic"


def test_progress_events_cover_every_stage():
    events: list[ProgressEvent] = []
    claim = toy.contraction_claim(derive=proved)
    verify_claim(claim, seed=0, max_examples=3, progress=events.append)
    stages = [e.stage for e in events]
    assert stages == ["derive", "check rate", "mutant no_abs", "mutant half_step", "done"]
    assert [e.step for e in events] == [0, 1, 2, 3, 4] and {e.steps for e in events} == {4}


def test_oracle_compared_per_n_or_skipped():
    oracle = PepOracle(worst_case=lambda n: 0.5 ** n, predict=lambda n: 0.5 ** n, ns=(1, 2, 3))
    claim = toy.contraction_claim(derive=proved, mutants=())
    claim = claim.__class__(**{**claim.__dict__, "oracle": oracle})
    r = verify_claim(claim, seed=0, max_examples=3)
    import importlib.util

    if importlib.util.find_spec("PEPit") is None:
        assert r.oracle.status == "skipped" and "pip install 'theorykit[pep]'" in r.oracle.message
    else:
        assert r.oracle.status == "passed" and r.oracle.ns == (1, 2, 3) and max(r.oracle.gaps) == 0
        bad = claim.__class__(**{**claim.__dict__, "oracle": PepOracle(
            worst_case=lambda n: 0.5 ** n, predict=lambda n: 0.4 ** n, ns=(1, 2))})
        rb = verify_claim(bad, seed=0, max_examples=3)
        assert rb.oracle.status == "failed" and rb.status == "failed"
        assert rb.oracle.gaps[0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"max_examples": 0}, "max_examples"),
     ({"backend": "tensorflow"}, "backend")],
)
def test_bad_run_arguments_name_the_argument(kwargs, argument):
    with pytest.raises(InputError) as info:
        verify_claim(toy.contraction_claim(derive=proved), **kwargs)
    assert info.value.argument == argument


def test_cupy_without_gpu_is_a_clean_error():
    try:
        import cupy  # noqa: F401

        pytest.skip("cupy is installed here")
    except ImportError:
        pass
    with pytest.raises(BackendUnavailable) as info:
        verify(claims=[toy.contraction_claim(derive=proved)], backend="cupy")
    assert isinstance(info.value, TheorykitError) and "cupy" in str(info.value).lower()


def test_result_round_trips_through_json(true_result):
    d = json.loads(json.dumps(true_result.to_dict(), allow_nan=False))
    back = ClaimResult.from_dict(d)
    assert back == true_result


def test_strategy_with_no_valid_examples_is_an_error():
    check_strategy = lambda: st.fixed_dictionaries({"h": st.floats(1, 2), "lr": st.floats(0.1, 0.2)}).filter(  # noqa
        lambda p: False)
    claim = toy.contraction_claim(derive=proved, mutants=())
    claim = claim.__class__(**{**claim.__dict__, "strategy": check_strategy})
    r = verify_claim(claim, seed=0, max_examples=5)
    assert r.checks[0].status == "error" and "no valid parameters" in r.checks[0].message


def _shrink_calls(monkeypatch, budget: int):
    """Measurements a failing check's search made after its first failing example."""
    from theorykit.claims import runner

    calls = []

    def counting(params, ctx):
        calls.append(params["lr"] * params["h"] > 1)  # where the wrong prediction 1 - lr*h fails
        return toy.measure_contraction(params, ctx)

    full = toy.contraction_claim(derive=proved, measure=counting, mutants=())
    wrong = full.checks[0].__class__(**{**full.checks[0].__dict__, "predict": lambda p: 1 - p["lr"] * p["h"],
                                        "examples": (), "strategy": lambda: st.fixed_dictionaries(
                                            {"h": st.floats(1.0, 10.0), "lr": st.floats(0.25, 0.3)})})
    claim = full.__class__(**{**full.__dict__, "checks": (wrong,)})
    monkeypatch.setattr(runner, "SHRINK_BUDGET", budget)
    r = verify_claim(claim, seed=0, max_examples=10)
    (c,) = r.checks
    assert c.status == "failed"
    # whatever the shrinker reached is still a real counterexample: there 1 - lr*h < 0 <= |1 - lr*h|
    assert c.counterexample["lr"] * c.counterexample["h"] > 1
    return len(calls) - (calls.index(True) + 1)


def test_shrinking_stops_at_its_budget(monkeypatch):
    assert _shrink_calls(monkeypatch, 60) > 2  # unbounded, this search shrinks for more than 2 measurements
    assert _shrink_calls(monkeypatch, 2) <= 2


def test_predict_that_raises_is_named():
    claim = toy.contraction_claim(derive=proved, mutants=())
    bad = claim.checks[0].__class__(**{**claim.checks[0].__dict__, "predict": lambda p: 1 / 0})
    r = verify_claim(claim.__class__(**{**claim.__dict__, "checks": (bad,)}), seed=0, max_examples=3)
    assert r.checks[0].status == "error"
    assert r.checks[0].message == "predict raised at {'h': 1.0, 'lr': 0.1}: ZeroDivisionError: division by zero"
