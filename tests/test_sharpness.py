"""sharpness(): Lanczos on exact HVPs agrees with dense eigenvalues of hessian()."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.nets import MLP, NetProblem
from theorykit.numeric.problems import random_quadratic
from theorykit.numeric.sharpness import SharpnessNotConverged, sharpness


def net(sizes, activation, loss, norm, seed, n=12):
    rng = np.random.default_rng(seed)
    mlp = MLP(sizes, activation, loss, norm)
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.standard_normal((n, sizes[-1])) if mlp.loss == "mse" else rng.integers(0, sizes[-1], n)
    w = mlp.init_params(rng) + 0.2 * rng.standard_normal(mlp.num_params)
    return NetProblem(mlp, X, Y), w, rng


def dense_top(M, k):
    return np.linalg.eigvalsh((M + M.T) / 2)[::-1][:k]


CASES = [
    ((4, 10, 3), "tanh", "mse", False),
    ((3, 8, 6, 3), "gelu", "cross_entropy", "layer"),
    ((3, 8, 6, 2), "relu", "mse", "weight"),
    ((5, 12, 4), "linear", "cross_entropy", False),
]


@pytest.mark.parametrize("sizes, activation, loss, norm", CASES)
def test_matches_dense_eigenvalues(sizes, activation, loss, norm):
    pr, w, _ = net(sizes, activation, loss, norm, seed=len(sizes))
    ref = dense_top(pr.hessian(w), 4)
    top = sharpness(pr, w)
    assert isinstance(top, float)
    assert abs(top - ref[0]) <= 1e-8 * abs(ref[0])
    vals = sharpness(pr, w, k=4)
    assert vals.shape == (4,) and np.all(np.diff(vals) <= 0)
    np.testing.assert_allclose(vals, ref, rtol=1e-8)


@pytest.mark.parametrize("sizes, activation, loss, norm", CASES[:3])
def test_preconditioned_matches_dense(sizes, activation, loss, norm):
    pr, w, rng = net(sizes, activation, loss, norm, seed=7)
    p = rng.uniform(0.05, 5.0, pr.dim)
    H = pr.hessian(w)
    d = 1 / np.sqrt(p)
    ref = dense_top(d[:, None] * H * d[None, :], 3)
    np.testing.assert_allclose(sharpness(pr, w, k=3, preconditioner=p), ref, rtol=1e-8)
    # same spectrum as P^-1 H (not symmetric, but similar): a check of the similarity itself
    ev = np.sort(np.linalg.eigvals(H / p[:, None]).real)[::-1][:3]
    np.testing.assert_allclose(ref, ev, rtol=1e-7)


def test_unit_preconditioner_is_plain_sharpness():
    pr, w, _ = net((3, 7, 2), "tanh", "mse", False, seed=1)
    assert sharpness(pr, w, preconditioner=np.ones(pr.dim)) == pytest.approx(sharpness(pr, w), rel=1e-10)


@given(
    eigs=st.lists(st.floats(-10.0, 100.0), min_size=5, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_quadratic_known_spectrum(eigs, seed):
    """On a rotated quadratic the answer is known exactly: the largest eigenvalues."""
    q = random_quadratic(np.array(eigs), rng=np.random.default_rng(seed))
    k = min(3, len(eigs))
    ref = np.sort(np.array(eigs))[::-1][:k]
    got = sharpness(q, np.zeros(q.dim), k=k)
    scale = max(np.abs(eigs).max(), 1e-300)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8 * scale)


@pytest.mark.parametrize("copies", (2, 3, 5))
def test_repeated_eigenvalues_are_all_found(copies):
    """Single-vector Lanczos can miss copies of a repeated top eigenvalue; the
    deflation check must put them back (found by Hypothesis: 96, 96, 95 for 96 x 3)."""
    eigs = np.array([96.0] * copies + [95.0] + list(np.linspace(-3.0, 50.0, 30)))
    q = random_quadratic(eigs, rng=np.random.default_rng(0))
    got = sharpness(q, np.zeros(q.dim), k=copies + 1)
    np.testing.assert_allclose(got, [96.0] * copies + [95.0], rtol=0, atol=1e-8 * 96)


def test_tiny_problems_use_the_dense_path():
    q = random_quadratic(np.array([1.0, 5.0, -2.0]), rng=np.random.default_rng(0))
    assert sharpness(q, np.zeros(3)) == pytest.approx(5.0, rel=1e-12)
    np.testing.assert_allclose(sharpness(q, np.zeros(3), k=3), [5.0, 1.0, -2.0], rtol=1e-12)


def test_seed_makes_it_reproducible():
    pr, w, _ = net((4, 10, 3), "tanh", "mse", False, seed=3)
    assert sharpness(pr, w, seed=5) == sharpness(pr, w, seed=5)


def test_non_convergence_is_a_clear_error():
    q = random_quadratic(np.linspace(1.0, 1.0 + 1e-9, 200), rng=np.random.default_rng(0))
    with pytest.raises(SharpnessNotConverged, match="maxiter"):
        sharpness(q, np.zeros(200), k=5, tol=1e-15, maxiter=1)


def test_bad_input_names_the_argument():
    pr, w, _ = net((3, 4, 2), "tanh", "mse", False, seed=0)
    P = pr.dim
    cases = [
        (lambda: sharpness(object(), w), "problem"),
        (lambda: sharpness(pr, w, k=0), "k"),
        (lambda: sharpness(pr, w, k=P + 1), "k"),
        (lambda: sharpness(pr, w, k=1.5), "k"),
        (lambda: sharpness(pr, w, k=True), "k"),
        (lambda: sharpness(pr, w, tol=-1.0), "tol"),
        (lambda: sharpness(pr, w, tol="small"), "tol"),
        (lambda: sharpness(pr, w, maxiter=0), "maxiter"),
        (lambda: sharpness(pr, w[:-1]), "w"),
        (lambda: sharpness(pr, np.full(P, np.nan)), "w"),
        (lambda: sharpness(pr, w, preconditioner=np.ones(P - 1)), "preconditioner"),
        (lambda: sharpness(pr, w, preconditioner=-np.ones(P)), "preconditioner"),
        (lambda: sharpness(pr, w, preconditioner=np.zeros(P)), "preconditioner"),
        (lambda: sharpness(pr, w, preconditioner=np.full(P, np.inf)), "preconditioner"),
    ]
    for call, argument in cases:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.argument == argument, str(err.value)


@pytest.mark.gpu
def test_cupy_problem_matches_numpy():
    cp = pytest.importorskip("cupy")
    from theorykit.numeric.backend import get_namespace

    try:
        xp = get_namespace("cupy")
    except Exception as exc:  # no device: BackendUnavailable
        pytest.skip(str(exc))
    pr, w, _ = net((4, 10, 3), "tanh", "mse", "layer", seed=2)
    gpu = NetProblem(pr.mlp, xp.asarray(pr.X), cp.asarray(pr.T))
    np.testing.assert_allclose(sharpness(gpu, xp.asarray(w), k=3), sharpness(pr, w, k=3), rtol=1e-9)
