"""proofs/ntk.py's fast paths (one-exp softplus/sigmoid, the 8 inits trained side by side, a T-step run continued
from a shorter one) equal the straightforward per-init loop with np.logaddexp to round-off."""
import math

import numpy as np
import pytest

from proofs import ntk


def _plain_kernel(X, W, a):
    Z = X @ W.T
    P, Da = np.logaddexp(0.0, Z), a / (1.0 + np.exp(-Z))
    return (P @ P.T + (Da @ Da.T) * (X @ X.T)) / W.shape[0]


def _plain_relative_change(m, n, data, steps):
    X, Y = ntk._data(n, data)
    out = []
    for s in range(ntk._TRAIN_SEEDS):
        W, a = ntk._init(m, 1000 * data + s)
        K0 = _plain_kernel(X, W, a)
        for _ in range(steps):
            Z = X @ W.T
            P, D = np.logaddexp(0.0, Z), 1.0 / (1.0 + np.exp(-Z))
            r = (P @ a / math.sqrt(m) - Y) / n
            a, W = a - P.T @ r / math.sqrt(m), W - ((D * a) * r[:, None]).T @ X / math.sqrt(m)
        out.append(np.linalg.norm(_plain_kernel(X, W, a) - K0) / np.linalg.norm(K0))
    return float(np.mean(out))


def test_softplus_sigmoid_matches_logaddexp_over_a_wide_range():
    Z = np.concatenate([np.linspace(-800, 800, 4001), np.random.default_rng(0).standard_normal(1000) * 5])
    P, S = ntk._softplus_sigmoid(Z)
    assert np.all(np.isfinite(P)) and np.all(np.isfinite(S))
    eps = np.finfo(float).eps
    assert np.all(np.abs(P - np.logaddexp(0.0, Z)) <= 2 * eps * (np.maximum(Z, 0.0) + 1.0))
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(S, 1.0 / (1.0 + np.exp(-Z)), rtol=4 * eps, atol=1e-300)


@pytest.mark.parametrize("m, n", [(32, 4), (200, 8)])
def test_batched_kernel_equals_per_init_kernel(m, n):
    X, _ = ntk._data(n, 1)
    W, a = ntk._train_inits(m, 1)
    K = ntk._kernel(X, W, a)
    for s in range(W.shape[0]):
        np.testing.assert_allclose(K[s], _plain_kernel(X, W[s], a[s]), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("m, n, data", [(32, 4, 0), (256, 8, 2), (1024, 8, 1)])  # 8, 8 and 2 inits per batch
def test_relative_change_equals_plain_loop_fresh_continued_passed_and_restarted(m, n, data, monkeypatch):
    monkeypatch.setattr(ntk, "_STEPS", (6, 9, 15))
    ntk._relative_change.cache_clear()
    ntk._RESUME.clear()
    ntk._PASSED.clear()
    # 6 fresh; 15 continues from 6 and measures 9 on the way; 9 is then read off; 4 restarts (shorter than 15)
    for steps in (6, 15, 9, 4):
        fast = ntk._relative_change(m, n, data, steps)
        assert fast == pytest.approx(_plain_relative_change(m, n, data, steps), rel=1e-11)
    assert ntk._RESUME[(m, n, data)][0] == 4
    assert (m, n, data, 9) in ntk._PASSED
    ntk._relative_change.cache_clear()
    ntk._RESUME.clear()
    ntk._PASSED.clear()


def _plain_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) / math.sqrt(3)
    return X, np.sin(2 * X[:, 0])


@pytest.mark.parametrize("n", [1, 4, 8, 11])
def test_data_is_the_prefix_of_one_stream(n):
    for got, want in zip(ntk._data(n, 2), _plain_data(n, 2)):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("m, n, data", [(32, 4, 0), (64, 8, 1), (16, 5, 2)])
def test_init_variance_from_shared_kernels_equals_direct(m, n, data):
    X, _ = _plain_data(n, data)
    Ks = np.array([_plain_kernel(X, *ntk._init(m, 10**6 + 1000 * data + s)) for s in range(ntk._INIT_SEEDS)])
    direct = float(np.sum((Ks - Ks.mean(axis=0)) ** 2) / (ntk._INIT_SEEDS - 1))
    assert ntk._init_variance.__wrapped__(m, n, data) == pytest.approx(direct, rel=1e-12)
