"""The gradient-descent family (gd.*) and its neighbours smoothness.* and convexity.*.

For every claim: its derivation is proved; every check's measurement on its
canonical example agrees with the prediction; and every mutant's prediction is
violated on an example constructed here (so the mutants are genuinely wrong,
independently of the runner's Hypothesis search).
"""
from __future__ import annotations

import dataclasses

import math

import pytest
import sympy
from hypothesis import given, settings

from theorykit.claims.claim import Claim, Context, compare_values

from proofs import convexity, gd, smoothness
from proofs._util import golden_section, oracle_predictor, predictor

CLAIMS = (*smoothness.CLAIMS, *convexity.CLAIMS, *gd.CLAIMS)
BY_ID = {c.id: c for c in CLAIMS}
EXPECTED_IDS = {
    "smoothness.quadratic",
    "convexity.first_order",
    "gd.descent_lemma",
    "gd.best_step",
    "gd.stability",
    "gd.strongly_convex_rate",
    "gd.convex_rate",
    "gd.convex_rate_tight",
    "gd.nonconvex_gradient_norm",
}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


def test_catalog_shape():
    assert {c.id for c in CLAIMS} == EXPECTED_IDS
    for c in CLAIMS:
        assert isinstance(c, Claim)
        assert c.mutants, c.id
        assert c.checks and all(chk.examples for chk in c.checks), c.id
        # PEPit-style doc: setting, tight/upper marker, numbered references with identifiers
        assert "Setting" in c.doc and c.sources and "[1" in c.doc, c.id  # [n] cites sources[n-1]
        assert ("*tight*" in c.doc) or ("*upper*" in c.doc) or ("*lower*" in c.doc), c.id
        assert ("arXiv:" in c.doc) or ("doi:" in c.doc) or any(s.arxiv or s.doi for s in c.sources), c.id
        assert all(s.arxiv or s.doi or s.venue for s in c.sources), c.id
        assert isinstance(c.statement, sympy.Basic)


@pytest.mark.parametrize(
    "claim_id,check_name",
    [(c.id, chk.name) for c in CLAIMS for chk in c.checks],
)
def test_canonical_example_agrees(claim_id, check_name):
    chk = BY_ID[claim_id].check_named(check_name)
    for ex in chk.examples:
        m = chk.measure(ex, ctx())
        p = chk.predict(ex)
        assert math.isfinite(m)
        assert compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


# (claim, mutant) -> parameters constructed by hand where the mutant is false.
MUTANT_EXAMPLES = {
    ("convexity.first_order", "gap_n >= mu"): {"eigenvalues": (0.5, 2.0)},
    ("convexity.first_order", "gap_n >= L/2"): {"eigenvalues": (0.5, 2.0)},
    ("gd.descent_lemma", "dec >= h*(1 - h/4)"): {"eigenvalues": (1.0, 2.0), "h": 0.5},
    ("gd.descent_lemma", "dec >= h"): {"eigenvalues": (1.0, 2.0), "h": 1.5},
    ("gd.best_step", "eta_best = 2/L"): {"eigenvalues": (0.5, 2.0)},
    ("gd.best_step", "dec_best = 1/L"): {"eigenvalues": (0.5, 2.0)},
    ("smoothness.quadratic", "ratio_max = L/2"): {"eigenvalues": (1.0, 3.0)},
    ("smoothness.quadratic", "ratio_max = l_mean"): {"eigenvalues": (0.0, 1.0, 5.0)},
    ("smoothness.quadratic", "ratio_max = A_F"): {"eigenvalues": (1.0, 2.0)},
    ("gd.stability", "eta_c = 1/L"): {"eigenvalues": (0.5, 2.0)},
    ("gd.stability", "eta_c = 3/L"): {"eigenvalues": (0.5, 2.0)},
    ("gd.stability", "eta_c = 2/mu"): {"eigenvalues": (0.5, 2.0)},
    ("gd.strongly_convex_rate", "rho = 1 - 1/kappa"): {"eigenvalues": (0.5, 1.0, 5.0)},
    ("gd.strongly_convex_rate", "rho = (kappa - 1)**2/(kappa + 1)**2"): {"eigenvalues": (0.5, 1.0, 5.0)},
    ("gd.strongly_convex_rate", "eta_opt = 1/L"): {"eigenvalues": (0.5, 1.0, 5.0)},
    ("gd.convex_rate", "gap <= L*R**2/(8*N)"): {"L": 2.0, "N": 5, "R": 1.5, "h": 1.0},
    ("gd.convex_rate", "gap <= L*R**2/(2*N**2)"): {"L": 2.0, "N": 5, "R": 1.5, "h": 1.0},
    ("gd.convex_rate_tight", "gap = L*R**2/(4*N)"): {"L": 2.0, "N": 5, "R": 1.5, "h": 1.0},
    ("gd.convex_rate_tight", "gap <= L*R**2/(4*N + 4)"): {"L": 2.0, "N": 5, "R": 1.5, "h": 1.0},
    # the zigzag worst case keeps |f'| constant: min_t |f'|^2 = L gap/(0.75 T + 0.5)
    ("gd.nonconvex_gradient_norm", "m <= (f_0 - f_inf)/(2*L*T)"): {"L": 1.0, "T": 4, "gap": 1.0, "f_inf": 0.0},
    ("gd.nonconvex_gradient_norm", "m <= L*(f_0 - f_inf)/(2*T)"): {"L": 1.0, "T": 4, "gap": 1.0, "f_inf": 0.0},
    ("gd.nonconvex_gradient_norm", "m <= 2*L*(f_0 - f_inf)/T**2"): {"L": 1.0, "T": 4, "gap": 1.0, "f_inf": 0.0},
}


def test_every_mutant_has_an_example():
    assert set(MUTANT_EXAMPLES) == {(c.id, m.name) for c in CLAIMS for m in c.mutants}


@pytest.mark.parametrize("claim_id,mutant_name", sorted(MUTANT_EXAMPLES))
def test_mutant_violated_on_constructed_example(claim_id, mutant_name):
    claim = BY_ID[claim_id]
    mutant = next(m for m in claim.mutants if m.name == mutant_name)
    chk = claim.check_named(mutant.check)
    params = MUTANT_EXAMPLES[(claim_id, mutant_name)]
    if claim_id == "gd.nonconvex_gradient_norm":  # an alternative statement is tried on every check
        chk = claim.check_named("zigzag_worst_case")  # measuring m; these examples are the zigzag's
        mutant = dataclasses.replace(mutant, predict=chk.predictor_for(mutant.relation))
    m = chk.measure(params, ctx())
    # the true claim holds on this very example ...
    if mutant.strategy is None:
        assert compare_values(m, chk.predict(params), chk.compare, chk.rtol, chk.atol)
    # ... and the mutant does not
    predict = mutant.predict or chk.predict
    compare = mutant.compare or chk.compare
    assert not compare_values(m, predict(params), compare, chk.rtol, chk.atol), (m, predict(params))


@settings(max_examples=15)
@given(p=BY_ID["gd.strongly_convex_rate"].strategy())
def test_strongly_convex_params_contain_mu_and_L(p):
    ev = p["eigenvalues"]
    assert 0 < ev[0] < ev[-1]


def test_huber_instance_attains_drori_teboulle():
    chk = BY_ID["gd.convex_rate_tight"].check_named("huber_worst_case")
    for n in (1, 2, 7, 20):
        p = {"L": 3.0, "N": n, "R": 2.0, "h": 1.0}
        assert chk.measure(p, ctx()) == pytest.approx(3.0 * 4.0 / (4 * n + 2), rel=1e-12)


def test_predictors_are_lambdified_statements():
    L, R, N = sympy.symbols("L R N", real=True)
    f = predictor(L * R**2 / (4 * N + 2), L="L", R=1.0)
    assert f({"L": 2.0, "N": 3}) == pytest.approx(2.0 / 14)
    g = oracle_predictor(1 / (4 * N + 2), n="N")
    assert g(4) == pytest.approx(1 / 18)
    x, fx = golden_section(lambda t: (t - 0.3) ** 2, 0.0, 1.0, tol=1e-12)
    assert x == pytest.approx(0.3, abs=1e-6) and fx == pytest.approx(0.0, abs=1e-12)


def test_registry_finds_the_family():
    from theorykit.claims.registry import claims

    ids = {c.id for c in claims("gd.*")}
    assert {i for i in EXPECTED_IDS if i.startswith("gd.")} <= ids
