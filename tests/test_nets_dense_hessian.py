"""The batched dense Hessian of a small plain MLP (nets_hvp.hessian_plain) is the matrix of the
single R-operator HVPs, and sharpness/top_eigenpair on it agree with Lanczos on HVPs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.numeric.eos import chebyshev_problem, top_eigenpair
from theorykit.numeric.nets import DENSE_HESSIAN_MAX, MLP, NetProblem
from theorykit.numeric.nets_hvp import apply, hessian_plain, prepare
from theorykit.numeric.sharpness import _top_k, sharpness


@st.composite
def _nets(draw):
    sizes = tuple(draw(st.lists(st.integers(1, 6), min_size=2, max_size=5)))
    act = draw(st.sampled_from(("tanh", "relu", "gelu", "linear")))
    loss = draw(st.sampled_from(("mse", "cross_entropy"))) if sizes[-1] > 1 else "mse"
    n = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**16))
    return sizes, act, loss, n, seed


@settings(max_examples=40, deadline=None)
@given(_nets())
def test_dense_hessian_is_the_matrix_of_single_hvps(net):
    sizes, act, loss, n, seed = net
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.integers(0, sizes[-1], n) if loss == "cross_entropy" else rng.standard_normal((n, sizes[-1]))
    mlp = MLP(sizes, act, loss)
    prob = NetProblem(mlp, X, Y)
    w = np.asarray(mlp.init_params(seed, 1.0))
    state = prepare(mlp, w, prob.X, prob.T, np)
    H = hessian_plain(mlp, state)
    ref = np.stack([apply(mlp, state, e, np) for e in np.eye(mlp.num_params)])
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.abs(H - ref).max() <= 1e-12 * scale
    assert np.allclose(prob.hessian(w), ref.T, rtol=0, atol=1e-12 * scale)


def test_sharpness_and_eigenpair_on_the_dense_path_match_lanczos():
    prob = chebyshev_problem(32)
    for seed in range(3):
        w = np.asarray(prob.mlp.init_params(seed, 0.7))
        lam, u = top_eigenpair(prob, w)
        lanczos = _top_k(lambda v: prob.hvp(w, v), prob.dim, 1, 1e-12, None, np.random.default_rng(seed))[0]
        assert lam == pytest.approx(lanczos, rel=1e-9)
        assert sharpness(prob, w) == pytest.approx(lanczos, rel=1e-9)
        assert np.linalg.norm(prob.hvp(w, u) - lam * u) <= 1e-8 * abs(lam)


def test_large_or_normalized_nets_fall_back_to_hvps():
    big = MLP((1, DENSE_HESSIAN_MAX, 1), "tanh", "mse")
    prob = NetProblem(big, np.zeros((3, 1)), np.zeros(3))
    assert prob._hessian_trusted(np.asarray(big.init_params(0))) is None
    normed = MLP((2, 4, 4, 1), "tanh", "mse", norm="layer")
    prob = NetProblem(normed, np.ones((3, 2)), np.zeros(3))
    assert prob._hessian_trusted(np.asarray(normed.init_params(0))) is None
