"""Newton-Schulz iterations (theorykit.numeric.newton_schulz) and the muon.* claims."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import muon
from theorykit.claims.claim import Context, compare_values
from theorykit.errors import InputError
from theorykit.numeric.backend import get_namespace
from theorykit.numeric.newton_schulz import (
    CUBIC,
    MUON_QUINTIC,
    matrix_with_singular_values,
    newton_schulz,
    polar_factor,
    singular_values,
)

BY_ID = {c.id: c for c in muon.CLAIMS}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


# --------------------------------------------------------------------------- numeric module
@given(m=st.integers(1, 7), n=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_cubic_converges_to_polar_factor(m, n, seed):
    rng = np.random.default_rng(seed)
    k = min(m, n)
    sv = rng.uniform(0.05, 1.7, size=k)
    mat = matrix_with_singular_values(sv, (m, n), rng)
    X = newton_schulz(mat.G, 30)
    assert np.linalg.norm(X - polar_factor(mat.G), 2) < 1e-12
    # the polar factor has unit singular values
    assert np.allclose(singular_values(X), 1.0, atol=1e-12)


def test_matrix_with_singular_values_factors():
    rng = np.random.default_rng(3)
    mat = matrix_with_singular_values([2.0, 0.5], (5, 3), rng)
    assert np.allclose(mat.U.T @ mat.U, np.eye(2)) and np.allclose(mat.V.T @ mat.V, np.eye(2))
    assert np.allclose(np.sort(singular_values(mat.G))[::-1][:2], [2.0, 0.5])


def test_tall_and_wide_agree():
    rng = np.random.default_rng(1)
    G = rng.standard_normal((6, 3)) * 0.3
    a = newton_schulz(G, 4, coefficients=MUON_QUINTIC)
    b = newton_schulz(G.T, 4, coefficients=MUON_QUINTIC).T  # (X X^T)^j X = X (X^T X)^j
    assert np.allclose(a, b, atol=1e-13)


def test_singular_value_above_sqrt3_flips():
    rng = np.random.default_rng(0)
    mat = matrix_with_singular_values([1.9, 0.5], (4, 4), rng)
    X1 = newton_schulz(mat.G, 1, coefficients=CUBIC)
    # measured, not assumed: the pair's value is negative after one step
    assert float(mat.U[:, 0] @ X1 @ mat.V[:, 0]) < 0


def test_normalize_and_bad_input():
    G = np.ones((3, 2))
    assert singular_values(newton_schulz(G, 0, normalize=True)).max() <= 1 + 1e-15
    with pytest.raises(InputError, match="G"):
        newton_schulz(np.zeros((2, 2)), 1, normalize=True)
    with pytest.raises(InputError, match="steps"):
        newton_schulz(G, -1)
    with pytest.raises(InputError, match="coefficients"):
        newton_schulz(G, 1, coefficients=[])
    with pytest.raises(InputError, match="G"):
        newton_schulz(np.ones(3), 1)
    with pytest.raises(InputError, match="shape"):
        matrix_with_singular_values([1.0, 1.0, 1.0], (2, 5), np.random.default_rng(0))


# --------------------------------------------------------------------------- claims
def test_catalog_shape():
    assert set(BY_ID) == {"muon.newton_schulz", "muon.quintic_band"}
    for c in muon.CLAIMS:
        assert c.mutants and all(chk.examples for chk in c.checks)
        assert "Setting" in c.doc and c.sources and "[1" in c.doc  # [n] cites sources[n-1]
        assert ("*tight*" in c.doc) or ("*upper*" in c.doc)


@pytest.mark.parametrize("claim_id,check", [(c.id, k.name) for c in muon.CLAIMS for k in c.checks])
def test_canonical_examples_agree(claim_id, check):
    chk = BY_ID[claim_id].check_named(check)
    for ex in chk.examples:
        m, p = chk.measure(ex, ctx()), chk.predict(ex)
        assert math.isfinite(m) and compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


MUTANT_EXAMPLES = {
    ("muon.newton_schulz", "s_out > 0"): {"s": 1.9, "m": 4, "n": 3},
    ("muon.newton_schulz", "s_out = Abs(s**3/2 - 3*s/2)"): {"s": 1.9, "m": 4, "n": 3},
    ("muon.newton_schulz", "s_out = -s**3/2 + s"): {"s": 0.5, "m": 4, "n": 3},
    ("muon.quintic_band", "s_top <= 1"): {"k": 1, "m": 6, "n": 6},
    ("muon.quintic_band", "s_top = q_env"): {"k": 3, "m": 6, "n": 6},
    ("muon.quintic_band", "s_muon <= q_top"): {"k": 5},
    ("muon.quintic_band", "s_out = -s**3/2 + 3*s/2"): {"s": 1.0, "m": 4, "n": 3},
}


@pytest.mark.parametrize("key", sorted(MUTANT_EXAMPLES))
def test_mutant_refuted_on_constructed_example(key):
    claim = BY_ID[key[0]]
    mutant = next(m for m in claim.mutants if m.name == key[1])
    chk = claim.check_named(mutant.check)
    ex = MUTANT_EXAMPLES[key]
    m = chk.measure(ex, ctx())
    claim_ok = compare_values(m, chk.predict(ex), chk.compare, chk.rtol, chk.atol)
    mutant_ok = compare_values(m, (mutant.predict or chk.predict)(ex), mutant.compare or chk.compare, chk.rtol, chk.atol)
    assert not mutant_ok, (key, m)
    assert claim_ok, (key, m)  # the claim itself holds there


def test_all_mutants_have_an_example():
    assert {(c.id, m.name) for c in muon.CLAIMS for m in c.mutants} == set(MUTANT_EXAMPLES)


def test_quintic_band_numbers():
    lo, top = muon.QUINTIC_BAND
    assert 0.68 < lo < 0.6820 and 1.134 < top < 1.135
    assert 1.2023 < muon.ENVELOPE_F < 1.2024


def test_figure_renders(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report.figures_modern import FIGURES, newton_schulz_maps

    out = newton_schulz_maps(tmp_path / "muon.png", seed=1)
    assert out.exists() and out.stat().st_size > 10_000  # a real raster, not an empty canvas
    assert newton_schulz_maps in FIGURES.values()


def test_numeric_modules_run_on_cupy():
    """The four numeric modules of issue #8 on the CuPy namespace (skipped without a GPU)."""
    from theorykit.errors import BackendUnavailable

    try:
        cp = get_namespace("cupy")
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.deeplinear import balanced_init, two_layer_gd, whitened_task
    from theorykit.numeric.implicit_bias import least_squares_gd, pinv_solution
    from theorykit.numeric.scale_invariant import NormalizedLinear, sphere_sgd

    rng = np.random.default_rng(0)
    mat = matrix_with_singular_values([1.5, 0.2], (4, 3), rng, cp)
    X = newton_schulz(mat.G, 30)
    assert np.allclose(to_numpy(X), to_numpy(polar_factor(mat.G)), atol=1e-12)
    A, b = cp.asarray(rng.standard_normal((2, 6))), cp.asarray(rng.standard_normal(2))
    x = least_squares_gd(A, b, cp.zeros(6), 0.05, 3000)
    assert np.allclose(to_numpy(x), to_numpy(pinv_solution(A, b)), atol=1e-9)
    prob = NormalizedLinear(cp.asarray(rng.standard_normal((5, 3))), cp.asarray(rng.standard_normal(5)))
    W = cp.asarray(rng.standard_normal((2, 3)))
    assert abs(float(cp.sum(W * prob.grad(W)))) < 1e-12
    assert sphere_sgd(3, 2, 0.1, 0.1, 4, xp=cp).sq_norm.shape == (4, 2)
    task = whitened_task([1.0], 3, 2, 5, 0, xp=cp)
    W1, W2 = balanced_init(task, 2, 0.01)
    assert two_layer_gd(task, W1, W2, 0.01, 3).modes.shape == (4, 1)
