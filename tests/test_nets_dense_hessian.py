"""The batched R-operator passes of a small plain MLP agree with single HVPs: the dense Hessian
(nets_hvp.hessian_plain) is the matrix of the single HVPs, HVPs at a batch of points
(nets_hvp.hvp_points_plain, NetProblem.hvp on rows) are the per-point HVPs, and the Gauss-Newton plus
per-unit form of a one-hidden-layer net's Hessian (nets_hvp.hessian_one_hidden) is that matrix too; sharpness/top_eigenpair
on the dense path and a warm-started eigenpair agree with Lanczos on HVPs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.numeric.eos import chebyshev_problem, top_eigenpair
from theorykit.numeric.nets import DENSE_HESSIAN_MAX, MLP, NetProblem
from theorykit.numeric.nets_hvp import apply, hessian_one_hidden, hessian_plain, hvp_points_plain, prepare
from theorykit.numeric.sharpness import _top_k, sharpness


@st.composite
def _nets(draw):
    sizes = tuple(draw(st.lists(st.integers(1, 6), min_size=2, max_size=5)))
    act = draw(st.sampled_from(("tanh", "relu", "gelu", "linear")))
    loss = draw(st.sampled_from(("mse", "cross_entropy"))) if sizes[-1] > 1 else "mse"
    n = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**16))
    return sizes, act, loss, n, seed


def _problem(net):
    sizes, act, loss, n, seed = net
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.integers(0, sizes[-1], n) if loss == "cross_entropy" else rng.standard_normal((n, sizes[-1]))
    mlp = MLP(sizes, act, loss)
    return mlp, NetProblem(mlp, X, Y), rng


@settings(max_examples=40, deadline=None)
@given(_nets())
def test_dense_hessian_is_the_matrix_of_single_hvps(net):
    seed = net[-1]
    mlp, prob, _ = _problem(net)
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


@settings(max_examples=40, deadline=None)
@given(_nets(), st.integers(1, 5))
def test_hvps_at_a_batch_of_points_are_the_single_hvps(net, k):
    mlp, prob, rng = _problem(net)
    W, V = rng.standard_normal((k, mlp.num_params)), rng.standard_normal((k, mlp.num_params))
    ref = np.stack([apply(mlp, prepare(mlp, W[i], prob.X, prob.T, np), V[i], np) for i in range(k)])
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.abs(hvp_points_plain(mlp, W, V, prob.X, prob.T) - ref).max() <= 1e-12 * scale
    assert np.abs(prob.hvp(W, V) - ref).max() <= 1e-12 * scale  # the batched path of NetProblem.hvp


def test_warm_started_eigenpair_matches_a_cold_one():
    prob = chebyshev_problem(32)
    w = np.asarray(prob.mlp.init_params(1, 0.7))
    lam, u = top_eigenpair(prob, w)
    step = 1e-3 * np.random.default_rng(1).standard_normal(prob.dim)
    warm = top_eigenpair(prob, w + step, v0=u, tol=1e-10, ncv=6)
    cold = top_eigenpair(prob, w + step)
    assert warm[0] == pytest.approx(cold[0], rel=1e-9)
    assert abs(abs(warm[1] @ cold[1]) - 1) < 1e-8


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 9), st.integers(1, 4), st.integers(1, 9),
       st.sampled_from(("tanh", "relu", "gelu", "linear")), st.booleans(), st.integers(0, 2**16))
def test_one_hidden_layer_hessian_is_the_r_operator_hessian(d, m, C, n, act, ce, seed):
    loss = "cross_entropy" if ce and C > 1 else "mse"
    mlp, prob, rng = _problem(((d, m, C), act, loss, n, seed))
    w = np.asarray(mlp.init_params(seed, 1.0)) + 0.3 * rng.standard_normal(mlp.num_params)  # biases too
    ref = hessian_plain(mlp, prepare(mlp, w, prob.X, prob.T, np))
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.abs(hessian_one_hidden(mlp, w, prob.X, prob.T) - ref).max() <= 1e-12 * scale
    assert np.abs(prob._hessian_trusted(w) - ref).max() <= 1e-12 * scale  # the path NetProblem takes


def test_one_hidden_layer_hessian_stays_finite_and_accurate_past_huge_weights():
    # a relu / cross-entropy net whose outputs overflow the softmax margins (found by a red team):
    # the Gauss-Newton term is summed in centred form, as the R-operator does, so no inf - inf
    X = np.array([[-0.605, 0.397, -1.907], [-0.158, 0.612, -0.215], [-0.283, -1.527, 0.771],
                  [0.024, 1.128, -0.290], [2.641, 0.382, 1.153]])
    w = np.array([1.54e153, 1.11e153, -1.27e154, 3.53e153, 4.63e153, -1.83e153, -6.73e152, -4.88e153,
                  -1.87e153, 5.77e153])
    mlp = MLP((3, 1, 3), "relu", "cross_entropy")
    prob = NetProblem(mlp, X, np.array([0, 1, 0, 0, 1]))
    with np.errstate(all="ignore"):
        H = hessian_one_hidden(mlp, w, prob.X, prob.T)
        ref = hessian_plain(mlp, prepare(mlp, w, prob.X, prob.T, np))
    assert np.all(np.isfinite(H)) and np.allclose(H, ref, rtol=0, atol=1e-12 * max(1.0, np.abs(ref).max()))


def test_a_non_finite_one_hidden_layer_hessian_falls_back_to_the_r_operator(monkeypatch):
    import theorykit.numeric.nets_hvp as nets_hvp

    prob = chebyshev_problem(4)
    w = np.asarray(prob.mlp.init_params(0, 1.0))
    ref = hessian_plain(prob.mlp, prepare(prob.mlp, w, prob.X, prob.T, np))
    monkeypatch.setattr(nets_hvp, "hessian_one_hidden", lambda *a: np.full_like(ref, np.nan))
    assert np.array_equal(prob._hessian_trusted(w), ref)


def test_top_symmetric_eig_falls_back_when_lapack_mrrr_fails(monkeypatch):
    import scipy.linalg

    from theorykit.numeric.sharpness import top_symmetric_eig

    rng = np.random.default_rng(3)
    A = rng.standard_normal((12, 12))
    H = (A + A.T) / 2
    vals, vecs = np.linalg.eigh(H)
    assert np.allclose(top_symmetric_eig(H, 3), vals[-3:], rtol=0, atol=1e-12)
    v1, u1 = top_symmetric_eig(H, 1, vectors=True)
    assert abs(abs(u1[:, 0] @ vecs[:, -1]) - 1) < 1e-12 and v1[0] == pytest.approx(vals[-1], rel=1e-13)

    def fails(*a, **k):  # LAPACK's dsyevr can stop with "Internal Error" on large eigenvalue clusters
        raise np.linalg.LinAlgError("Internal Error.")

    monkeypatch.setattr(scipy.linalg, "eigh", fails)
    assert np.array_equal(top_symmetric_eig(H, 3), np.linalg.eigvalsh(H)[-3:])
    v1, u1 = top_symmetric_eig(H, 1, vectors=True)
    assert v1[0] == vals[-1] and abs(abs(u1[:, 0] @ vecs[:, -1]) - 1) < 1e-12
    with pytest.raises(np.linalg.LinAlgError):  # a non-finite matrix: numpy's own error, as before
        top_symmetric_eig(np.full((4, 4), np.nan), 1)
