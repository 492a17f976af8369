"""Deep linear networks: theorykit.numeric.deeplinear and the deeplinear.* claims."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import deeplinear
from theorykit.claims.claim import Context, compare_values
from theorykit.errors import InputError
from theorykit.numeric.deeplinear import balanced_init, two_layer_gd, whitened_task

BY_ID = {c.id: c for c in deeplinear.CLAIMS}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


# --------------------------------------------------------------------------- numeric module
@given(k=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_whitened_task_has_the_prescribed_correlation(k, seed):
    s = np.linspace(2.0, 0.5, k)
    task = whitened_task(s, 4, 3, 9, seed)
    n = task.X.shape[0]
    assert np.allclose(task.X.T @ task.X / n, np.eye(4), atol=1e-13)
    assert np.allclose(task.Y.T @ task.X / n, (task.U * task.s) @ task.V.T, atol=1e-13)
    assert np.allclose(np.linalg.svd(task.Y.T @ task.X / n, compute_uv=False)[:k], s)


def test_balanced_init_is_decoupled_and_gd_keeps_it():
    task = whitened_task([2.0, 1.0], 4, 3, 8, 0)
    W1, W2 = balanced_init(task, 5, [0.01, 0.02], 1)
    assert np.allclose(W2 @ W1, (task.U * np.array([0.01, 0.02])) @ task.V.T, atol=1e-15)
    run = two_layer_gd(task, W1, W2, 0.01, 300, every=100)
    assert run.modes.shape == (4, 2)
    u = np.asarray(run.modes)
    assert np.all(np.diff(u, axis=0) > 0)  # each mode grows towards its singular value from below
    assert np.all(u < np.array([2.0, 1.0]))


def test_bad_input():
    with pytest.raises(InputError, match="singular_values"):
        whitened_task([1.0, -1.0], 3, 3, 5)
    with pytest.raises(InputError, match="n"):
        whitened_task([1.0], 3, 3, 2)
    task = whitened_task([1.0], 3, 3, 5)
    with pytest.raises(InputError, match="hidden"):
        balanced_init(task, 0, 0.1)
    W1, W2 = balanced_init(task, 2, 0.1)
    with pytest.raises(InputError, match="lr"):
        two_layer_gd(task, W1, W2, 0.0, 3)


# --------------------------------------------------------------------------- claims
def test_catalog_shape():
    assert set(BY_ID) == {"deeplinear.saxe"}
    c = BY_ID["deeplinear.saxe"]
    assert "Setting" in c.doc and c.sources[0].arxiv == "1312.6120" and "*tight*" in c.doc


@pytest.mark.parametrize("check", [k.name for k in BY_ID["deeplinear.saxe"].checks])
def test_canonical_examples_agree(check):
    chk = BY_ID["deeplinear.saxe"].check_named(check)
    for ex in chk.examples:
        m, p = chk.measure(ex, ctx()), chk.predict(ex)
        assert math.isfinite(m) and compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


MUTANT_EXAMPLES = {
    "u_rel = exp(s*t)/(s/u0 + exp(s*t) - 1)": {"s": 2.0, "u0": 0.01, "t": 1.0},
    "t_half = log(s/u0)/s": {"s": 2.0, "u0": 0.001},
    "t_learn = log(s/u0)/(2*s)": {"s": 2.0, "u0": 0.001},
    "order >= 1": {"svals": (3.0, 1.5, 0.75), "init": 1e-3},
}


@pytest.mark.parametrize("name", sorted(MUTANT_EXAMPLES))
def test_mutant_refuted_on_constructed_example(name):
    claim = BY_ID["deeplinear.saxe"]
    mutant = next(m for m in claim.mutants if m.name == name)
    chk = claim.check_named(mutant.check)
    ex = MUTANT_EXAMPLES[name]
    m = chk.measure(ex, ctx())
    assert compare_values(m, chk.predict(ex), chk.compare, chk.rtol, chk.atol), (name, m)
    assert not compare_values(m, (mutant.predict or chk.predict)(ex), mutant.compare or chk.compare, chk.rtol,
                              chk.atol), (name, m)


def test_all_mutants_have_an_example():
    assert {m.name for m in BY_ID["deeplinear.saxe"].mutants} == set(MUTANT_EXAMPLES)


def test_figure_renders(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report.figures_modern import FIGURES, saxe_trajectories

    out = saxe_trajectories(tmp_path / "saxe.png", seed=1)
    assert out.exists() and out.stat().st_size > 10_000  # a real raster, not an empty canvas
    assert saxe_trajectories in FIGURES.values()
