"""The batched R-operator passes of a small plain MLP agree with single HVPs: the dense Hessian
(nets_hvp.hessian_plain) is the matrix of the single HVPs, HVPs at a batch of points
(nets_hvp.hvp_points_plain, NetProblem.hvp on rows) are the per-point HVPs, and the Gauss-Newton plus
per-unit form of a one-hidden-layer net's Hessian (nets_hvp.hessian_one_hidden) is that matrix too; sharpness/top_eigenpair
on the dense path and the warm-started Lanczos agree with Lanczos on HVPs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit.numeric.eos import _warm_lanczos, chebyshev_problem, top_eigenpair
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


def test_warm_lanczos_meets_the_residual_test_or_declines():
    rng = np.random.default_rng(0)
    for trial in range(20):
        d = int(rng.integers(2, 40))
        A = rng.standard_normal((d, d))
        A = (A + A.T) / 2
        vals, vecs = np.linalg.eigh(A)
        v0 = vecs[:, -1] + 10.0 ** -rng.integers(1, 6) * rng.standard_normal(d)  # a nearby start
        for tol in (1e-6, 1e-10):
            pair = _warm_lanczos(lambda v: A @ v, v0, tol)
            if pair is None:
                continue
            th, y = pair
            assert abs(np.linalg.norm(y) - 1) < 1e-12
            assert np.linalg.norm(A @ y - th * y) <= 1.01 * tol * abs(th) + 1e-13 * np.abs(vals).max()
            assert th == pytest.approx(vals[-1], rel=1e-6, abs=1e-12)
    # a start orthogonal to nothing useful with one step allowed: declined, never a wrong pair
    A = np.diag(np.arange(1.0, 30.0))
    assert _warm_lanczos(lambda v: A @ v, np.ones(29), 1e-10, steps=1) is None
    assert _warm_lanczos(lambda v: A @ v, np.zeros(29), 1e-10) is None
    # a start that is exactly the second eigenvector passes the residual test at step one; the minimum
    # basis (ARPACK's first pass) is what lets the top direction show up -- or hands over to ARPACK
    e2 = np.zeros(29)
    e2[-2] = 1.0
    B = A + 1e-3 * np.ones((29, 29))  # the top direction is not a coordinate: e2 has a component on it
    v2 = np.linalg.eigh(B)[1][:, -2]
    pair = _warm_lanczos(lambda v: B @ v, v2 + 1e-6 * np.ones(29), 1e-10, steps=30, min_steps=20)
    assert pair is None or pair[0] == pytest.approx(np.linalg.eigvalsh(B)[-1], rel=1e-9)
    assert _warm_lanczos(lambda v: A @ v, e2, 1e-10, min_steps=6) is None  # invariant subspace: to ARPACK


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
