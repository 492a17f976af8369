"""The catalog-wide near-miss mutation score (issue 14): the cheap CI version on a fixed set of fast
claims (the whole-catalog version is tests/test_mutation.py's, thorough profile), the record of
claims still in the old check form, and the infrastructure the searched checks use (max_draws,
cached_run)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck
from theorykit.claims.mutation import analyse, catalog_score
from theorykit.claims.registry import claims, get_claim

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402

# fast statement-driven claims (each < ~10 s of mutation analysis): the CI sample of the catalog score
FAST = ("gd.stability", "gd.best_step", "gd.descent_lemma", "convexity.first_order", "scale.norm_dynamics",
        "scale.invariance_identities", "gradcheck.relu_kink", "gradcheck.optimal_h")

# claims whose checks are still in the old form (hand-typed predict=, lambda mutants): they get no
# generated near misses and no score. This list may only shrink; a new claim must be statement-driven.
UNCONVERTED: frozenset = frozenset()  # catalogA, catalogB and catalogC converted every family (issue 14)


def _method_mutant(m) -> bool:
    """A mutant that runs the claim's own statement-derived prediction on a problem outside its
    assumptions (its own strategy; no predict or compare typed): the runner refutes it there."""
    return m.relation is None and m.strategy is not None and m.predict is None and m.compare is None


def _old_form(c) -> bool:
    return not all(ch.statement_driven for ch in c.checks) or any(
        m.relation is None and not _method_mutant(m) for m in c.mutants)


def test_no_claim_falls_back_to_the_old_form():
    old = {c.id for c in claims() if _old_form(c)}
    assert old <= UNCONVERTED, sorted(old - UNCONVERTED)


def test_fast_claims_score_and_their_catalog_score():
    reports = [analyse(get_claim(i), seed=0, max_examples=4) for i in FAST]
    low = [str(r) for r in reports if r.score is None or r.score < 0.75]
    assert not low, "\n".join(low)
    killed, counted, score = catalog_score(reports)
    assert counted >= 100 and score >= 0.9, (killed, counted)
    for r in reports:  # every kill is by a margin, never a NaN/inf prediction
        assert all(k["margin"] >= 5 and k["predicted"] == k["predicted"] for k in r.kills), r.claim_id


# The whole-catalog score (>= 90% overall, >= 75% per claim) is tests/test_mutation.py::test_catalog_mutation_score
# (thorough profile); benchmarks/mutation_score.py runs the same measurement with the per-claim table. A second
# copy here that skipped old-form claims ran the same hours-long analysis twice: UNCONVERTED is empty, so both
# covered the same claims.


def test_mutate_cli_exit_code_follows_the_catalog_threshold(capsys):
    from theorykit.cli import main

    assert main(["mutate", "gd.stability", "--max-examples", "3"]) == 0
    err = capsys.readouterr().err
    assert "overall: " in err and "0 below 75%" in err
    # nothing is killed by a check whose tolerance is a decade: a catalog threshold above 0 fails
    assert main(["mutate", "gd.stability", "--max-examples", "3", "--min-catalog-score", "1.0"]) == 0


def _counting_claim(calls, max_draws):
    x = sympy.Symbol("x")

    def measure(p, ctx):
        calls.append(p["h"])
        return 2.0 / p["h"]

    return Claim(id="toy.draws", title="t", statement=sympy.Eq(x, 2 / toy.h), kind=Kind.THRESHOLD,
                 sources=(toy.TOY_SOURCE,), derive=toy.contraction_claim().derive,
                 checks=(NumericCheck("c", "d", measure, measures=x, max_draws=max_draws),),
                 strategy=lambda: st.fixed_dictionaries({"h": st.floats(0.1, 10.0)}), mutants=())


def test_max_draws_caps_the_search_outside_the_thorough_profile():
    from hypothesis import settings

    from theorykit.claims.runner import _Measurer, _namespace, _search

    calls: list = []
    claim = _counting_claim(calls, max_draws=2)
    check = claim.checks[0]
    assert check.draws(20) == (20 if settings.get_current_profile_name() == "thorough" else 2)
    _search(_Measurer(_namespace("numpy"), "numpy", 0), check, check.predict, check.compare, claim.strategy(),
            seed=0, max_examples=20)
    assert 1 <= len(calls) <= check.draws(20)
    with pytest.raises(ValueError, match="max_draws"):
        _counting_claim([], max_draws=0)


def test_cached_run_serves_a_second_decoration_from_disk(monkeypatch, tmp_path):
    import theorykit.claims.cache as cache

    monkeypatch.setenv("THEORYKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_RUN_CACHE", {})
    calls = []

    def run(p):
        calls.append(dict(p))
        return {"value": p["a"] * 2.0}

    first = cache.cached_run("toy.run")(run)
    assert first({"a": 1.5}) == {"value": 3.0} and first({"a": 1.5}) == {"value": 3.0}
    assert cache.cached_run("toy.run")(run)({"a": 1.5}) == {"value": 3.0}  # a fresh memo: the disk answers
    assert calls == [{"a": 1.5}]
    monkeypatch.setenv("THEORYKIT_RUN_CACHE", "0")
    monkeypatch.setattr(cache, "_RUN_CACHE", {})
    assert cache.cached_run("toy.run")(run)({"a": 1.5}) == {"value": 3.0}
    assert len(calls) == 2


# families whose docs cite [n] for sources[n-1] and no longer re-type a reference list
GENERATED_REFERENCES = ("adagrad", "adam", "catapult", "centralflow", "chaos", "convexity", "deeplinear", "ema", "eos", "flow",
                        "gd", "gradcheck", "implicit", "landscape", "linesearch", "momentum", "muon", "newton", "nqm",
                        "ntk", "precond", "rmsprop", "sanity", "scale", "schedule", "sgd", "smoothness", "units", "yogi")


def test_reference_lists_are_generated_from_sources():
    import re

    from theorykit.report.docs_catalog import claim_page

    for c in claims():
        if c.family not in GENERATED_REFERENCES:
            continue
        assert "References:" not in c.doc, c.id
        cited = {int(n) for n in re.findall(r"\[(\d+)(?=[,\]])", c.doc) if int(n) < 10}
        cited = {n for n in cited if re.search(rf"\[{n}(\]|, (Sec|Thm|Lemma|Eq|Prop|Cor|Ch|Alg|Def|Fig)\b)", c.doc)}
        assert not cited or max(cited) <= len(c.sources), (c.id, cited, len(c.sources))
        page = claim_page(c)
        assert all(f"{i}. **" in page for i in range(1, len(c.sources) + 1)), c.id


def test_verify_with_mutation_prints_the_score_line(capsys):
    from theorykit.cli import main

    assert main(["verify", "convexity.first_order", "--mutation", "--max-examples", "2", "--no-cache"]) == 0
    assert "mutation score: 3/3 near-miss mutants killed (100.0%)" in capsys.readouterr().out


def test_bounds_implied_by_a_tight_check_and_undefined_predictions_are_not_counted():
    from theorykit.claims.mutation import NearMiss

    lr_star = sympy.Symbol("lr_star", positive=True)
    claim = Claim(id="toy.threshold_sd", title="t", statement=sympy.Eq(lr_star, 2 / toy.h), kind=Kind.THRESHOLD,
                  sources=(toy.TOY_SOURCE,), derive=toy.contraction_claim().derive,
                  checks=(NumericCheck("threshold", "bisection", toy.measure_threshold, measures=lr_star,
                                       examples=({"h": 1.0},)),),
                  strategy=lambda: st.fixed_dictionaries({"h": st.floats(0.1, 10.0)}), mutants=())
    mutants = [NearMiss(sympy.Le(lr_star, 4 / toy.h), "looser upper bound"),
               NearMiss(sympy.Ge(lr_star, 1 / toy.h), "looser lower bound"),
               NearMiss(sympy.Eq(lr_star, sympy.log(-toy.h), evaluate=False), "not real"),
               NearMiss(sympy.Eq(lr_star, 3 / toy.h), "wrong constant")]
    r = analyse(claim, seed=0, max_examples=3, mutants=mutants)
    assert [m["rule"] for m in r.implied] == ["looser upper bound", "looser lower bound"]
    assert [m["rule"] for m in r.undefined] == ["not real"]
    assert r.killed == 1 and r.counted == 1 and r.score == 1.0
