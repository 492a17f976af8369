"""The derivation-scope rule (docs/ARCHITECTURE.md, "Derivation scope"): a claim is `general` only
when the table there lists it with its reason, and a general class theorem is derived with
interpolation certificates (a vector derivation), never on a fixed-dimension special case."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: class theorems: general only through a vector derivation (certificate steps in the report)
CLASS_THEOREMS = ("gd.descent_lemma", "gd.convex_rate", "gd.strongly_convex_rate", "gd.nonconvex_gradient_norm",
                  "smoothness.quadratic", "convexity.first_order", "landscape.chord_convexity",
                  "landscape.stationary_is_global", "linesearch.armijo", "momentum.nesterov_rate",
                  "sgd.convex_rate", "gd.convex_rate_tight")


def _documented_general() -> set[str]:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    section = text.split("### Derivation scope", 1)[1].split("\n## ", 1)[0]
    table = section.split("| general claim |", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \|", table, re.MULTILINE))


def _general() -> set[str]:
    from theorykit.claims import registry

    return {c.id for c in registry.claims() if c.derivation_scope == "general"}


def test_every_general_claim_is_documented_with_its_reason():
    documented = _documented_general()
    assert documented, "the table of general claims is missing from docs/ARCHITECTURE.md"
    assert _general() == documented


def test_class_theorems_are_general_only_through_vector_derivations():
    assert set(CLASS_THEOREMS) <= _general()


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", CLASS_THEOREMS)
def test_a_general_class_theorem_has_certificates_and_no_fixed_dimension(claim_id):
    from theorykit.claims import registry

    report = registry.get_claim(claim_id).derive()
    assert report.status == "proved"
    certified = [s for s in report.steps if str(s.method).startswith(("interpolation certificate",
                                                                       "identity in the Gram", "two certificates"))]
    assert certified, f"{claim_id}: no vector step, so the class part is not derived in general"


def test_merged_reports_keep_their_chains_pointing_at_their_steps():
    from proofs._vector_catalog import merged_report
    from theorykit.symbolic.derivation import Derivation

    first = Derivation(assume=["a > 0"])
    first.start("a + 1").gt("a")
    second = Derivation(assume=["b > 0"])
    second.start("b + 2").gt("b + 1").gt("b")
    merged = merged_report("m", first.check(), second.check())
    assert [s.index for s in merged.steps] == [0, 1, 2]
    assert merged.status == "proved"
    assert [c.step_indices for c in merged.chains][-1] == [1, 2]
