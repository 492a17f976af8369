"""Implicit bias: theorykit.numeric.implicit_bias and the implicit.* claims."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import implicit
from theorykit.claims.claim import Context, compare_values
from theorykit.errors import InputError
from theorykit.numeric.implicit_bias import (
    direction_gap,
    least_squares_gd,
    logistic_gd,
    max_margin_direction,
    null_space_projector,
    pinv_solution,
)

BY_ID = {c.id: c for c in implicit.CLAIMS}


ctx = Context.numpy  # a seeded NumPy context for calling measures directly


# --------------------------------------------------------------------------- numeric module
@given(n=st.integers(1, 4), extra=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_gd_from_zero_reaches_min_norm(n, extra, seed):
    rng = np.random.default_rng(seed)
    d = 2 * n + extra
    A, b = rng.standard_normal((n, d)), rng.standard_normal(n)
    sv = np.linalg.svd(A, compute_uv=False)
    x = least_squares_gd(A, b, np.zeros(d), 1 / sv[0] ** 2, int(60 * sv[0] ** 2 / sv[-1] ** 2))
    assert np.allclose(A @ x, b, atol=1e-9)
    assert np.linalg.norm(x - pinv_solution(A, b)) < 1e-9
    assert np.linalg.norm(null_space_projector(A) @ x) < 1e-9  # nothing in null(A)


def test_max_margin_on_a_known_instance():
    # points (1, 1) and (1, -1) labelled +1, (-2, 0) labelled -1: w_hat = (1, 0), margin 1
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-2.0, 0.0]])
    y = np.array([1.0, 1.0, -1.0])
    mm = max_margin_direction(X, y)
    assert np.allclose(mm.w, [1.0, 0.0], atol=1e-12)
    assert set(mm.support.tolist()) == {0, 1}
    assert np.all((X * y[:, None]) @ mm.w >= 1 - 1e-12)


def test_max_margin_rejects_non_separable():
    X = np.array([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(InputError, match="X"):
        max_margin_direction(X, np.array([1.0, -1.0]))


def test_logistic_gd_direction_improves_and_inputs():
    X = np.array([[1.0, 1.0], [1.0, -0.5], [-2.0, 0.3]])
    y = np.array([1.0, 1.0, -1.0])
    mm = max_margin_direction(X, y)
    run = logistic_gd(X, y, 0.5, [10, 1000])
    gaps = [direction_gap(run.w[i], mm.w) for i in range(2)]
    assert gaps[1] < gaps[0]
    with pytest.raises(InputError, match="y"):
        logistic_gd(X, np.array([1.0, 0.0, -1.0]), 0.5, [1])
    with pytest.raises(InputError, match="times"):
        logistic_gd(X, y, 0.5, [5, 3])
    with pytest.raises(InputError, match="lr"):
        logistic_gd(X, y, -1.0, [1])
    with pytest.raises(InputError, match="x0"):
        least_squares_gd(np.ones((1, 3)), np.ones(1), np.ones(2), 0.1, 1)


# --------------------------------------------------------------------------- claims
def test_catalog_shape():
    assert set(BY_ID) == {"implicit.min_norm", "implicit.max_margin"}
    for c in implicit.CLAIMS:
        assert c.mutants and all(chk.examples for chk in c.checks)
        assert "Setting" in c.doc and c.sources and any(s.arxiv for s in c.sources) and "*tight*" in c.doc


@pytest.mark.parametrize("claim_id,check", [(c.id, k.name) for c in implicit.CLAIMS for k in c.checks])
def test_canonical_examples_agree(claim_id, check):
    chk = BY_ID[claim_id].check_named(check)
    for ex in chk.examples:
        m, p = chk.measure(ex, ctx()), chk.predict(ex)
        assert math.isfinite(m) and compare_values(m, p, chk.compare, chk.rtol, chk.atol), (ex, m, p)


_MM = {"g": 0.5, "h1": 1.4, "h2": 0.6, "eta": 0.1, "n_extra": 0, "t": 10_000}
MUTANT_EXAMPLES = {
    ("implicit.min_norm", "dist = 0"): {"n": 2, "d": 6, "r": 3.0},
    ("implicit.min_norm", "dist = r/2"): {"n": 2, "d": 6, "r": 3.0},
    ("implicit.max_margin", "gap_log = 0"): _MM,
    ("implicit.max_margin", "gap_log = 2*log(t)*sin(atan(Abs(log(h1/h2)/(h1 + h2))/((-h1*log(h1/h2)/(h1 + h2) + log(g**2*(h1 + h2)/h2))/g + log(t)/g))/2)"): _MM,
    ("implicit.max_margin", "gap_log = 2*log(t)/sqrt(t)"): _MM,
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
    assert {(c.id, m.name) for c in implicit.CLAIMS for m in c.mutants} == set(MUTANT_EXAMPLES)


def test_figure_renders(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report.figures_modern import FIGURES, max_margin_rate

    out = max_margin_rate(tmp_path / "max_margin.png", seed=1)
    assert out.exists() and out.stat().st_size > 10_000  # a real raster, not an empty canvas
    assert max_margin_rate in FIGURES.values()
