"""Claim data types: validation, compare_values semantics, and the verdict rule of ClaimResult."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck, Source, compare_values
from theorykit.claims.result import CheckResult, ClaimResult, MutantResult, OracleResult, jsonable, strip_timings

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402


@pytest.mark.parametrize(
    "m, p, compare, rtol, atol, expected",
    [
        (1.0, 1.0, "tight", 0, 0, True),
        (1.0 + 1e-7, 1.0, "tight", 1e-6, 0, True),
        (1.0 + 1e-5, 1.0, "tight", 1e-6, 0, False),
        (1e-9, 0.0, "tight", 1e-6, 1e-8, True),
        (0.9, 1.0, "upper", 0, 0, True),
        (1.1, 1.0, "upper", 0, 0, False),
        (1.0 + 5e-7, 1.0, "upper", 1e-6, 0, True),
        (-1.0, -1.0, "upper", 1e-6, 0, True),
        (-0.9999995, -1.0, "upper", 1e-6, 0, True),  # slack is rtol*|p| also for negative p
        (-0.99, -1.0, "upper", 1e-6, 0, False),
        (1.1, 1.0, "lower", 0, 0, True),
        (0.9, 1.0, "lower", 0, 0, False),
        (math.inf, math.inf, "tight", 1e-6, 0, True),
        (1.0, math.inf, "tight", 1e-6, 0, False),
        (math.inf, 1.0, "upper", 1e-6, 0, False),
        (5.0, math.inf, "upper", 1e-6, 0, True),
        (math.inf, math.inf, "lower", 1e-6, 0, True),  # was nan (inf - inf) before the fix
        (5.0, math.inf, "lower", 1e-6, 0, False),
        (-5.0, -math.inf, "upper", 1.0, 0, False),  # was nan (-inf * 0) before the fix
        (-math.inf, -math.inf, "upper", 1.0, 0, True),
        (math.nan, 1.0, "tight", 1, 1, False),
        (1.0, math.nan, "upper", 1, 1, False),
    ],
)
def test_compare_values(m, p, compare, rtol, atol, expected):
    assert compare_values(m, p, compare, rtol, atol) is expected


@given(st.floats(-1e6, 1e6), st.floats(0, 1))
def test_upper_and_lower_agree_with_tight_at_equality(p, rtol):
    for compare in ("tight", "upper", "lower"):
        assert compare_values(p, p, compare, rtol, 0.0)


def test_unknown_comparison():
    with pytest.raises(ValueError, match="unknown comparison"):
        compare_values(1, 1, "roughly", 0, 0)


def _check(**kw):
    base = dict(name="c", description="d", measure=lambda p, ctx: 0.0, predict=lambda p: 0.0)
    return NumericCheck(**{**base, **kw})


def test_validation_messages():
    with pytest.raises(ValueError, match="compare must be tight, upper or lower"):
        _check(compare="roughly")
    with pytest.raises(ValueError, match="rtol and atol must be >= 0"):
        _check(rtol=-1)
    with pytest.raises(ValueError, match="changes nothing"):
        Mutant("m", "d", "c")
    with pytest.raises(ValueError, match="Mutant 'm': compare must be"):
        Mutant("m", "d", "c", compare="tigth")
    claim = toy.contraction_claim()
    with pytest.raises(ValueError, match="must look like 'family.name'"):
        Claim(**{**claim.__dict__, "id": "nofamily"})
    with pytest.raises(ValueError, match="duplicate check names"):
        Claim(**{**claim.__dict__, "checks": claim.checks * 2})
    with pytest.raises(ValueError, match="duplicate mutant names"):
        Claim(**{**claim.__dict__, "mutants": claim.mutants[:1] * 2})
    with pytest.raises(ValueError, match="targets unknown check 'nope'"):
        Claim(**{**claim.__dict__, "mutants": (Mutant("m", "d", "nope", compare="upper"),)})


def test_kind_coercion_and_family():
    claim = Claim(**{**toy.contraction_claim().__dict__, "kind": "rate"})
    assert claim.kind is Kind.RATE and claim.family == "toy"
    assert claim.check_named("rate").name == "rate"


def test_source_cite():
    s = Source("K 2020", "A. B", "A title", 2020, venue="V", arxiv="2001.00001")
    assert s.cite() == "A. B (2020). A title. V. arXiv:2001.00001"
    assert Source("K", "A", "T", 1999, doi="10.1/x").cite() == "A (1999). T. doi:10.1/x"


def test_claim_repr_latex_escapes_the_id():
    assert toy.contraction_claim()._repr_latex_().startswith(r"$\text{toy.gd\_contraction}:\ ")


def _c(status):
    return CheckResult(name="c", status=status, message="", measured=1.0, predicted=1.0, ratio=1.0,
                       passed=status == "passed", compare="tight", rtol=0.0, atol=0.0, seed=0, backend="numpy",
                       examples=1)


def _m(status):
    return MutantResult(name="m", description="", refuted=status == "refuted", by="numeric" if status == "refuted"
                        else None, check="c", counterexample=None, measured=None, predicted=None,
                        symbolic_status=None, message="", status=status)


@pytest.mark.parametrize(
    "derivation, checks, mutants, oracle, expected",
    [
        ("proved", ["passed"], ["refuted"], None, "verified"),
        ("proved", ["passed"], ["refuted"], "skipped", "incomplete"),
        ("proved", ["passed"], ["refuted"], "failed", "failed"),
        ("proved", ["passed"], ["refuted"], "error", "error"),
        ("unknown", ["passed"], ["refuted"], None, "failed"),
        ("refuted", ["passed"], ["refuted"], None, "failed"),
        ("error", ["passed"], ["refuted"], None, "error"),
        ("proved", ["failed"], ["refuted"], None, "failed"),
        ("proved", ["skipped"], ["refuted"], None, "incomplete"),
        ("proved", ["skipped", "failed"], ["refuted"], None, "failed"),
        ("proved", ["error"], ["refuted"], None, "error"),
        ("proved", ["passed"], ["not refuted"], None, "failed"),
        ("proved", ["passed"], ["error"], None, "error"),
    ],
)
def test_verdict_rule(derivation, checks, mutants, oracle, expected):
    o = OracleResult(status=oracle, message="") if oracle else None
    status, message = ClaimResult.decide(derivation, [_c(s) for s in checks], [_m(s) for s in mutants], o)
    assert status == expected
    assert (message.startswith("derivation proved")) == (expected == "verified")


def test_jsonable_and_strip_timings():
    import numpy as np

    assert jsonable({"a": np.float64(0.5), "b": np.arange(2), "c": (1, math.inf), "d": sympy.Rational(1, 3)}) == {
        "a": 0.5, "b": [0, 1], "c": [1, "inf"], "d": "1/3"}
    assert strip_timings({"seconds": 1, "x": [{"seconds": 2, "y": 3}]}) == {"x": [{"y": 3}]}


def test_from_dict_rejects_bad_status():
    d = _c("passed").to_dict()
    d["status"] = "great"
    with pytest.raises(ValueError, match=r"check.status: 'great' is not one of"):
        CheckResult.from_dict(d)
