"""Issue #5's claim families: newton.*, units.*, adagrad.*, rmsprop.*, adam.*, yogi.*, gradcheck.*, sanity.*.

For every claim: the derivation is proved with real steps; every check's measurement on its
canonical examples agrees with the prediction; and every mutant's prediction is violated on
parameters constructed here by hand (so the mutants are wrong independently of the runner's
Hypothesis search). The full runner over all of them is behind ``-m slow``.
"""
from __future__ import annotations

import math
import os

import pytest
import sympy

from proofs import adagrad, adam, gradcheck, newton, rmsprop, sanity, units, yogi
from theorykit.claims.claim import Claim, Context, compare_values

# the issue-14 seed claims appended to these families have their own tests (tests/test_proofs_seeds.py)
_SEED_CLAIMS = {"gradcheck.depth_error", "gradcheck.special_point", "gradcheck.dropout_seed",
                "gradcheck.float32_loss_scale", "sanity.overfit_small"}
CLAIMS = tuple(c for mod in (newton, units, adagrad, rmsprop, adam, yogi, gradcheck, sanity) for c in mod.CLAIMS
               if c.id not in _SEED_CLAIMS)
BY_ID = {c.id: c for c in CLAIMS}
EXPECTED_IDS = {
    "newton.one_step_quadratic", "newton.quadratic_convergence", "newton.nonconvex_ascent",
    "units.newton", "units.gd", "units.adam", "units.adadelta",
    "adagrad.constant_gradient", "rmsprop.ewma_weights", "adam.bias_correction", "adam.nonconvergence",
    "yogi.bounded_change",
    "gradcheck.centered_order", "gradcheck.forward_order", "gradcheck.optimal_h", "gradcheck.relu_kink",
    "sanity.initial_softmax_loss", "sanity.regularization_raises_loss", "adagrad.nonstationary",
    "gradcheck.weight_decay_masks", "newton.global_phase",
}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


def test_catalog_shape():
    assert {c.id for c in CLAIMS} == EXPECTED_IDS
    for c in CLAIMS:
        assert isinstance(c, Claim) and isinstance(c.statement, sympy.Basic)
        assert c.mutants and c.checks and all(chk.examples for chk in c.checks), c.id
        assert "Setting" in c.doc and c.sources and "[1" in c.doc, c.id  # [n] cites sources[n-1]
        assert ("*tight*" in c.doc) or ("*upper*" in c.doc), c.id
        assert ("arXiv:" in c.doc) or ("doi:" in c.doc) or any(s.arxiv or s.doi for s in c.sources), c.id


@pytest.mark.parametrize("claim_id,check_name", [(c.id, chk.name) for c in CLAIMS for chk in c.checks])
def test_canonical_examples_agree(claim_id, check_name):
    chk = BY_ID[claim_id].check_named(check_name)
    for ex in chk.examples:
        m, p = chk.measure(ex, ctx()), chk.predict(ex)
        assert math.isfinite(m)
        assert compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


def _u(rule, units_):
    return {"c": 16.0, "s": 2.0**-7, "dim": 3, "k": 4, "units": units_}


_GRAD_EPS = [-1.0, 1.0]
# (claim, mutant) -> parameters where the mutant is false
MUTANT_EXAMPLES = {
    ("newton.one_step_quadratic", "g_gd = 0"): {"eigenvalues": (0.1, 1.0, 10.0)},
    ("newton.one_step_quadratic", "g_newton = 1/2"): {"eigenvalues": (0.1, 1.0, 10.0)},
    ("newton.quadratic_convergence", "K_cubic <= M/(4*mu)"): {"mu": 1.0, "M": 2.0, "rho": 0.01},
    ("newton.quadratic_convergence", "K_cubic <= M/2"): {"mu": 0.5, "M": 1.0, "rho": 0.01},
    ("newton.quadratic_convergence", "order = 1"): {"mu": 0.2, "a": 1.0, "w": 1.5, "c": 0.7, "side": 1.0},
    ("newton.quadratic_convergence", "order = 3"): {"mu": 0.2, "a": 1.0, "w": -2.0, "c": 1.5, "side": -1.0},
    # f = x^3 from x0 = -1: Newton goes to -1/2 and f rises from -1 to -1/8
    ("newton.nonconvex_ascent", "df_poly <= 0"): {"coef": (0.0, 0.0, 0.0, 1.0, 0.0), "x0": -1.0},
    ("newton.nonconvex_ascent", "df = -t**2/4 + t/2"): {"a": 2.0, "t": 0.15},
    ("units.newton", "r_lr = c**2/s"): _u("newton", units.DERIVED_UNITS["newton"]),
    ("units.newton", "r_lr = c"): _u("newton", units.DERIVED_UNITS["newton"]),
    ("units.gd", "r_lr = 1"): _u("gd", units.DERIVED_UNITS["gd"]),
    ("units.gd", "r_lr = c"): _u("gd", units.DERIVED_UNITS["gd"]),
    ("units.gd", "r_lr = 1/s"): _u("gd", units.DERIVED_UNITS["gd"]),
    ("units.adam", "r_lr = 1"): _u("adam", units.DERIVED_UNITS["adam"]),
    ("units.adam", "r_lr = c**2/s"): _u("adam", units.DERIVED_UNITS["adam"]),
    ("units.adadelta", "r_eps_dx = 1"): _u("adadelta", units.DERIVED_UNITS["adadelta"]),
    ("units.adadelta", "r_lr = c"): _u("adadelta", units.DERIVED_UNITS["adadelta"]),
    ("adagrad.constant_gradient", "eff = eta/(g*t)"): {"eta": 0.1, "g": (0.5, -3.0, 20.0), "t": 16},
    ("adagrad.constant_gradient", "eff = eta/(gnorm*sqrt(t))"): {"eta": 0.1, "g": (0.5, -3.0, 20.0), "t": 16},
    ("adagrad.constant_gradient", "eff = eta/sqrt(t)"): {"eta": 0.1, "g": (0.5, -3.0, 20.0), "t": 16},
    ("adam.bias_correction", "E_m = mu_g"): {"beta1": 0.9, "beta2": 0.999, "t": 5, "lo": 0.2, "hi": 0.8},
    ("adam.bias_correction", "E_v = mu_g2"): {"beta1": 0.9, "beta2": 0.999, "t": 5, "lo": 0.2, "hi": 0.8},
    ("adam.bias_correction", "E_m = mu_g*(1 - b1)"): {"beta1": 0.9, "beta2": 0.999, "t": 5, "lo": 0.2,
                                                             "hi": 0.8},
    ("adam.bias_correction", "E_v_hat = mu_g**2"): {"beta1": 0.9, "beta2": 0.999, "t": 5, "lo": 0.0, "hi": 1.0},
    ("adam.nonconvergence", "x_lim = -1"): {"C": 3.0, "alpha_frac": 0.5, "x0": 1.0},
    ("adam.nonconvergence", "x_ams = 1"): {"C": 3.0, "alpha_frac": 0.5, "x0": 1.0},
    ("adam.nonconvergence", "x_lim = x0"): {"C": 5.0, "alpha_frac": 0.7, "x0": -0.5},
    ("gradcheck.centered_order", "p = 1"): {"a": 1.0},
    ("gradcheck.centered_order", "p = 4"): {"a": 2.0},
    ("gradcheck.forward_order", "p = 2"): {"a": 1.0},
    ("rmsprop.ewma_weights", "W = 1"): {"beta": 0.9, "t": 10},
    ("rmsprop.ewma_weights", "W = 1 - b**(t + 1)"): {"beta": 0.9, "t": 10},
    ("rmsprop.ewma_weights", "v_inf = Abs(g)"): {"beta": 0.9, "g": 3.0},
    ("yogi.bounded_change", "dv_adam <= G*(1 - b)"): {"beta2": 0.999, "g": 1.0, "R": 1000.0},
    ("yogi.bounded_change", "dv_yogi = G*(1 - b)*Abs(R - 1)"): {"beta2": 0.999, "g": 1.0, "R": 1000.0},
    ("yogi.bounded_change", "max_change <= 1/2"): {"beta2": 0.999, "T": 100, "dim": 3, "v0": 1.0},
    # the worst-case-rounding checks resolve the constants (rtol 1e-3)
    ("gradcheck.optimal_h", "hs = (eps/a**3)**(1/3)"): {"log2_eps": -52, "a": 1.0},
    ("gradcheck.optimal_h", "hf = sqrt(eps)/a"): {"log2_eps": -52, "a": 1.0},
    ("gradcheck.optimal_h", "hs = 6**(1/3)*(eps/a**3)**(1/3)"): {"log2_eps": -40, "a": 2.0},
    ("gradcheck.optimal_h", "hf = 3**(1/3)*(eps/a**2)**(1/3)"): {"log2_eps": -23, "a": 1.0},
    ("gradcheck.optimal_h", "hs = 2*sqrt(eps/a**3)"): {"log2_eps": -52, "a": 1.0},
    ("gradcheck.optimal_h", "hs = eps"): {"log2_eps": -23, "a": 2.0},
    ("adagrad.nonstationary", "ada_eff = eta/g"): {"eta": 0.1, "beta": 0.9, "G": 100.0, "g": 1.0, "t0": 100, "k": 373},
    ("adagrad.nonstationary", "rms_eff = eta/sqrt(G**2*t0 + g**2*k)"): {"eta": 0.1, "beta": 0.9, "G": 100.0, "g": 1.0,
                                                                         "t0": 100, "k": 373},
    ("newton.global_phase", "x_next = -x/c**2"): {"c": 1.0, "x": 2.0, "far": 1.0},
    ("newton.global_phase", "x_next = 0"): {"c": 1.0, "x": 2.0, "far": 1.0},
    ("gradcheck.weight_decay_masks", "rel = 1 - c"): {"lam": 10.0, "c": 0.5, "w": 1.0},
    ("sanity.regularization_raises_loss", "slope <= 0"): {"n": 20, "scale": 1.0, "w0": 3.0, "lam": 1.0},
    ("sanity.regularization_raises_loss", "train_loss = lam**2*w0**2/(Sxx + lam)**2"): {"n": 20, "scale": 1.0,
                                                                                       "w0": 3.0, "lam": 1.0},
    ("gradcheck.relu_kink", "err <= 1/10000000"): {"r": 0.8, "h": 1e-6, "w": (2.0, 1.0)},
    ("gradcheck.relu_kink", "flag = 0"): {"r": 0.8, "h": 1e-6, "w": (2.0, 1.0)},
    ("gradcheck.relu_kink", "err = 1 - r"): {"r": 0.8, "h": 1e-6, "w": (2.0, 1.0)},
    ("sanity.initial_softmax_loss", "loss = log(C)/log(10)"): {"classes": 10, "d_in": 5, "hidden": (16,),
                                                               "activation": "relu", "n": 20},
    ("sanity.initial_softmax_loss", "loss = log(2)"): {"classes": 3, "d_in": 2, "hidden": (), "activation": "tanh",
                                                    "n": 4},
    ("sanity.initial_softmax_loss", "loss = 1/C"): {"classes": 1000, "d_in": 2, "hidden": (4, 4), "activation": "gelu",
                                                    "n": 3},
}


def test_every_mutant_has_a_hand_made_counterexample():
    names = {(c.id, m.name) for c in CLAIMS for m in c.mutants}
    assert names == set(MUTANT_EXAMPLES)


@pytest.mark.parametrize("claim_id,mutant_name", sorted(MUTANT_EXAMPLES))
def test_mutant_is_false_on_constructed_example(claim_id, mutant_name):
    claim = BY_ID[claim_id]
    mutant = next(m for m in claim.mutants if m.name == mutant_name)
    chk = claim.check_named(mutant.check)
    params = MUTANT_EXAMPLES[(claim_id, mutant_name)]
    m = chk.measure(params, ctx())
    p = (mutant.predict or chk.predict)(params)
    assert not compare_values(m, p, mutant.compare or chk.compare, chk.rtol, chk.atol), (m, p)
    if mutant.strategy is None:  # same parameter family: the claim itself holds there
        assert compare_values(m, chk.predict(params), chk.compare, chk.rtol, chk.atol), (m, chk.predict(params))


def test_units_claims_use_the_derived_units():
    # the numeric checks' hyperparameter units come from the symbolic analysis
    assert units.DERIVED_UNITS["gd"] == {"lr": [2.0, -1.0]}
    assert units.DERIVED_UNITS["newton"] == {"lr": [0.0, 0.0]}
    assert units.DERIVED_UNITS["adam"]["lr"] == [1.0, 0.0]
    assert units.DERIVED_UNITS["adadelta"] == {"lr": [0.0, 0.0], "eps_dx": [2.0, 0.0], "eps_g": [-2.0, 2.0]}


def test_adam_mc_interval_is_hoeffding():
    # h = sqrt(ln(2/delta)/(2N)) for quantities in [0, 1]
    assert adam.MC_HALF_WIDTH == pytest.approx(math.sqrt(math.log(2 / adam.HOEFFDING_DELTA) / (2 * adam.MC_RUNS)))
    assert adam.MC_HALF_WIDTH < 0.02


THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


@pytest.mark.slow
@pytest.mark.skipif(not THOROUGH, reason="the full runner (~40 s for these families) runs in the thorough profile")
@pytest.mark.parametrize("claim_id", sorted(EXPECTED_IDS))
def test_runner_verifies(claim_id):
    result = BY_ID[claim_id].verify(seed=0)
    assert result.status == "verified", result.message
