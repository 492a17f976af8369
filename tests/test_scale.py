"""Scale invariance: theorykit.numeric.scale_invariant and the scale.* claims."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import scale
from theorykit.claims.claim import Context, compare_values
from theorykit.errors import InputError
from theorykit.numeric.nets import MLP, NetProblem
from theorykit.numeric.scale_invariant import (
    GroupRestriction,
    NormalizedLinear,
    gd_schedule,
    gd_weight_decay,
    sgd_heldout_average,
    sphere_sgd,
)

# the scale family spans both modules; its issue-14 seed claims have their own tests (tests/test_proofs_seeds.py)
_SEED_CLAIMS = {"scale.last_decay_matters", "scale.decay_drop_then_rise"}
SCALE_CLAIMS = tuple(c for c in scale.CLAIMS if c.id not in _SEED_CLAIMS)
BY_ID = {c.id: c for c in SCALE_CLAIMS}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


# --------------------------------------------------------------------------- numeric module
@given(d=st.integers(2, 5), n=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_normalized_linear_gradient_matches_finite_differences(d, n, seed):
    rng = np.random.default_rng(seed)
    prob = NormalizedLinear(rng.standard_normal((n, d)), rng.standard_normal(n))
    W = rng.standard_normal((2, d))
    G = np.asarray(prob.grad(W))
    h = 1e-6
    for j in range(d):
        E = np.zeros_like(W)
        E[:, j] = h
        fd = (np.asarray(prob.loss(W + E)) - np.asarray(prob.loss(W - E))) / (2 * h)
        assert np.allclose(G[:, j], fd, rtol=1e-6, atol=1e-8)
    # scale invariance of the loss and orthogonality of the gradient
    assert np.allclose(prob.loss(3.0 * W), prob.loss(W), rtol=1e-13)
    assert np.allclose(np.sum(W * G, axis=1), 0.0, atol=1e-13)


def test_per_row_minibatches_match_shared_ones():
    rng = np.random.default_rng(0)
    prob = NormalizedLinear(rng.standard_normal((8, 3)), rng.standard_normal(8))
    W = rng.standard_normal((4, 3))
    idx = np.array([1, 5, 6])
    shared = np.asarray(prob.grad(W, idx))
    per_row = np.asarray(prob.grad(W, np.tile(idx, (4, 1))))
    assert np.allclose(shared, per_row, rtol=1e-14, atol=1e-15)
    with pytest.raises(InputError, match="idx"):
        prob.grad(W, np.tile(idx, (3, 1)))


def test_group_restriction_is_scale_invariant():
    rng = np.random.default_rng(1)
    mlp = MLP((3, 4, 2), activation="tanh", loss="mse", norm="layer")
    prob = NetProblem(mlp, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    w = mlp.init_params(rng)
    start, stop = mlp.scale_invariant_groups()[0]
    res = GroupRestriction(prob, w, (start, stop))
    v = w[start:stop]
    assert abs(float(res.loss(4.0 * v)) - float(res.loss(v))) < 1e-14  # power of two: exact
    assert np.allclose(res.grad(v), np.asarray(prob.grad(w))[start:stop])
    with pytest.raises(InputError, match="group"):
        GroupRestriction(prob, w, (5, 2))


def test_runners_shapes_and_inputs():
    rng = np.random.default_rng(2)
    prob = NormalizedLinear(rng.standard_normal((6, 3)), rng.standard_normal(6))
    run = gd_weight_decay(prob, rng.standard_normal((2, 3)), 0.1, 0.01, 5)
    assert run.sq_norm.shape == (6, 2) and run.sq_grad.shape == (5, 2)
    assert gd_schedule(prob, rng.standard_normal((2, 3)), [0.1] * 3).shape == (2, 3)
    sr = sphere_sgd(4, 3, 0.1, 0.01, 10, every=5, rng=0)
    assert sr.sq_norm.shape == (2, 3) and sr.times == (0, 5)
    means = sgd_heldout_average(prob, rng.standard_normal((4, 3)), rng.standard_normal(4), 0.1, 0.01, 20,
                                batch=2, chains=3, burn_in=10)
    assert means.shape == (3,) and np.all(np.isfinite(means))
    with pytest.raises(InputError, match="wd"):
        gd_weight_decay(prob, rng.standard_normal((2, 3)), 0.1, -1.0, 5)
    with pytest.raises(InputError, match="dim"):
        sphere_sgd(1, 2, 0.1, 0.1, 3)
    with pytest.raises(InputError, match="batch"):
        sgd_heldout_average(prob, np.ones((1, 3)), np.ones(1), 0.1, 0.1, 2, batch=7, chains=1, burn_in=0)


# --------------------------------------------------------------------------- claims
EXPECTED = {"scale.invariance_identities", "scale.norm_dynamics", "scale.exp_lr_equivalence", "scale.equilibrium",
            "scale.lr_decay_sqrt10", "scale.intrinsic_lr"}


def test_catalog_shape():
    assert set(BY_ID) == EXPECTED
    for c in SCALE_CLAIMS:
        assert c.mutants and all(chk.examples for chk in c.checks)
        assert "Setting" in c.doc and c.sources and any(s.arxiv for s in c.sources) and "*tight*" in c.doc


@pytest.mark.parametrize("claim_id,check", [(c.id, k.name) for c in SCALE_CLAIMS for k in c.checks])
def test_canonical_examples_agree(claim_id, check):
    chk = BY_ID[claim_id].check_named(check)
    for ex in chk.examples:
        m, p = chk.measure(ex, ctx()), chk.predict(ex)
        assert math.isfinite(m) and compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


_SI = {"din": 3, "width": 4, "n": 6, "norm": "weight", "act": "gelu", "c": 0.3}
_ND = {"d": 4, "n": 8, "batch": 2, "eta": 0.2, "lam": 0.2}
_EL = {"d": 3, "n": 6, "eta": 0.1, "lam": 0.02, "T": 60}
_EQ = {"d": 4, "eta": 0.05, "lam": 0.05}
# (claim, mutant) -> an example where the claim holds and the mutant does not
_IL = {"eta_a": 0.1, "lam_a": 0.01, "eta_b": 0.4, "lam_b": 0.0025}
MUTANT_EXAMPLES = {
    ("scale.invariance_identities", "grad_factor = 1"): _SI,
    ("scale.invariance_identities", "hess_factor = 1/c"): _SI,
    ("scale.norm_dynamics", "coef = -2*eta*lam + 1"): _ND,
    ("scale.norm_dynamics", "coef = -eta*lam + 1"): _ND,
    ("scale.norm_dynamics", "growth = 0"): _ND,
    ("scale.exp_lr_equivalence", "mult = a**(-t)"): _EL,
    ("scale.exp_lr_equivalence", "mult = a**(-2*t)"): _EL,
    ("scale.equilibrium", "norm4 = G*eta/lam"): _EQ,
    ("scale.equilibrium", "norm4 = G**2*eta**2/(4*lam**2)"): _EQ,
    ("scale.equilibrium", "angle = sqrt(eta*lam)"): _EQ,
    ("scale.equilibrium", "relax = 2"): _EQ,
    ("scale.lr_decay_sqrt10", "ratio = 10"): {"d": 8, "eta": 0.5, "lam": 0.02},
    ("scale.lr_decay_sqrt10", "ratio = 1"): {"d": 8, "eta": 0.5, "lam": 0.02},
    ("scale.intrinsic_lr", "norm_ratio = 1"): _IL,
    ("scale.intrinsic_lr", "norm_ratio = eta_b/eta_a"): _IL,
}


@pytest.mark.parametrize("key", sorted(MUTANT_EXAMPLES))
def test_mutant_refuted_on_constructed_example(key):
    claim = BY_ID[key[0]]
    mutant = next(m for m in claim.mutants if m.name == key[1])
    chk = claim.check_named(mutant.check)
    ex = MUTANT_EXAMPLES[key]
    m = chk.measure(ex, ctx())
    assert compare_values(m, chk.predict(ex), chk.compare, chk.rtol, chk.atol), (key, m)
    assert not compare_values(m, (mutant.predict or chk.predict)(ex), mutant.compare or chk.compare, chk.rtol,
                              chk.atol), (key, m)


def test_all_mutants_have_an_example():
    assert {(c.id, m.name) for c in SCALE_CLAIMS for m in c.mutants} == set(MUTANT_EXAMPLES)


def test_figure_renders(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report.figures_modern import FIGURES, norm_equilibrium

    out = norm_equilibrium(tmp_path / "equilibrium.png", seed=1)
    assert out.exists() and out.stat().st_size > 10_000  # a real raster, not an empty canvas
    assert norm_equilibrium in FIGURES.values()


def test_decay_rate_and_welch_t_on_known_inputs():
    from theorykit.numeric.scale_invariant import decay_rate, welch_t

    t = np.arange(10_000)
    x = 5.0 + 300.0 * np.exp(-0.004 * t)  # gap decays at exactly 0.004 per step; flat second half
    assert abs(decay_rate(x) - 0.004) < 1e-8
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]) + 10.0
    assert welch_t(a, a) == 0.0 and welch_t(b, a) == pytest.approx(10.0 / math.sqrt(2 / 3))
    with pytest.raises(InputError, match="x"):
        decay_rate(np.ones(10))


def test_equilibrium_trace_and_mlp_group_inputs():
    from theorykit.numeric.scale_invariant import (
        equilibrium_trace,
        normalized_mlp_group,
    )

    tr = equilibrium_trace(4, 0.5, 0.2, chains=4, time_constants=2.0, lr_after=0.05)
    assert tr.switch == 20 and tr.norm4.shape == tr.eff_lr.shape == (220,)
    with pytest.raises(InputError, match="wd"):
        equilibrium_trace(4, 0.5, 0.0)
    with pytest.raises(InputError, match="norm"):
        normalized_mlp_group(3, 4, 5, None, "tanh", 0)
