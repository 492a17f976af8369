"""The scale-invariant runners' fast paths equal the plain per-step loops they replaced: bit for bit where the
arithmetic is the same (noise drawn in blocks -- the same stream as a draw per step --, norms and angles recorded
after the loop, inputs checked once outside it instead of at every gradient call), to round-off where per-row
minibatches are contracted by batched matmul instead of a product and a sum."""
import numpy as np
import pytest

from theorykit.errors import InputError
from theorykit.numeric import scale_invariant as si


def _plain_sphere_sgd(dim, chains, lr, wd, steps, *, sigma=1.0, init_norm=1.0, lr_after=None, switch=None, every=1,
                      rng=0):
    rng = np.random.default_rng(rng)
    W = rng.standard_normal((chains, dim))
    W = W / np.linalg.norm(W, axis=1, keepdims=True) * float(init_norm)
    norms, angles, times = [], [], []
    for t in range(steps):
        eta = lr if (lr_after is None or switch is None or t < switch) else float(lr_after)
        r = np.sqrt(np.sum(W * W, axis=1, keepdims=True))
        U = W / r
        xi = rng.standard_normal((chains, dim)) * sigma
        G = (xi - U * np.sum(U * xi, axis=1, keepdims=True)) / r
        Wn = (1.0 - eta * wd) * W - eta * G
        if t % every == 0:
            rn = np.sqrt(np.sum(Wn * Wn, axis=1))
            cos = np.clip(np.sum(W * Wn, axis=1) / (r[:, 0] * rn), -1.0, 1.0)
            norms.append(r[:, 0] ** 2)
            angles.append(np.arccos(cos))
            times.append(t)
        W = Wn
    return np.stack(norms), np.stack(angles), tuple(times)


def _plain_grad(prob, W, idx=None):
    X, y = (prob.X, prob.y) if idx is None else (prob.X[idx], prob.y[idx])  # the product-and-sum reference
    r = np.sqrt(np.sum(W * W, axis=-1, keepdims=True))
    U = W / r
    if X.ndim == 2:
        res = y[None, :] - U @ X.T
        gu = -(res @ X) / X.shape[0]
    else:
        res = y - np.sum(X * U[:, None, :], axis=-1)
        gu = -np.sum(res[:, :, None] * X, axis=1) / X.shape[1]
    return (gu - U * np.sum(U * gu, axis=1, keepdims=True)) / r


@pytest.mark.parametrize("dim, chains, steps, every, switch, sigma", [
    (3, 4, 1, 1, None, 1.0), (8, 32, 600, 1, 300, 1.0), (5, 3, 700, 7, 256, 0.5), (16, 2, 513, 10, None, 2.0)])
def test_sphere_sgd_equals_the_per_step_loop(dim, chains, steps, every, switch, sigma):
    kw = dict(sigma=sigma, init_norm=10.0, lr_after=None if switch is None else 0.01, switch=switch, every=every, rng=7)
    run = si.sphere_sgd(dim, chains, 0.1, 0.02, steps, **kw)
    norms, angles, times = _plain_sphere_sgd(dim, chains, 0.1, 0.02, steps, **kw)
    assert run.times == times
    assert np.array_equal(np.asarray(run.sq_norm), norms) and np.array_equal(np.asarray(run.angle), angles)


def test_sgd_heldout_average_equals_the_per_step_loop():
    prob = si.random_normalized_linear(4, 10, 3)
    Xt = np.random.default_rng(4).standard_normal((20, 4))
    yt = Xt @ np.ones(4)
    got = si.sgd_heldout_average(prob, Xt, yt, 0.1, 0.05, 300, batch=3, chains=5, burn_in=100, every=10, rng=11)
    rng = np.random.default_rng(11)
    test = si.NormalizedLinear(Xt, yt)
    W = rng.standard_normal((5, 4))
    acc, count = np.zeros(5), 0
    for t in range(300):
        idx = rng.integers(0, 10, size=(5, 3))
        W = (1.0 - 0.1 * 0.05) * W - 0.1 * _plain_grad(prob, W, idx)
        if t >= 100 and (t - 100) % 10 == 0:
            acc = acc + test.loss(W)
            count += 1
    np.testing.assert_allclose(np.asarray(got), acc / count, rtol=1e-12)


@pytest.mark.parametrize("per_row", [False, True])
def test_gd_weight_decay_and_schedule_equal_the_per_step_loop(per_row):
    rng = np.random.default_rng(5)
    prob = si.random_normalized_linear(5, 12, rng)
    W0 = rng.standard_normal((4, 5))
    batches = [rng.choice(12, size=(4, 3) if per_row else 3) for _ in range(300)]  # crosses a 256-step block
    run = si.gd_weight_decay(prob, W0, 0.2, 0.01, 300, batches=batches)
    W, norms, grads, inners = W0, [np.sum(W0 * W0, axis=1)], [], []
    for t in range(300):
        G = _plain_grad(prob, W, batches[t])
        grads.append(np.sum(G * G, axis=1))
        inners.append(np.sum(W * G, axis=1))
        W = (1.0 - 0.2 * 0.01) * W - 0.2 * G
        norms.append(np.sum(W * W, axis=1))
    same = np.testing.assert_allclose if per_row else np.testing.assert_array_equal  # matmul vs product and sum
    tol = {"rtol": 1e-12, "atol": 1e-15} if per_row else {}
    same(run.W, W, **tol)
    same(run.sq_norm, np.stack(norms), **tol)
    same(run.sq_grad, np.stack(grads), **tol)
    same(run.inner, np.stack(inners), **({"rtol": 1e-12, "atol": 1e-13} if per_row else {}))  # <w, g> ~ 0
    lrs = [0.1 * 1.01**t for t in range(50)]
    U = W0
    for t, lr in enumerate(lrs):
        U = U - lr * _plain_grad(prob, U)
    assert np.array_equal(si.gd_schedule(prob, W0, lrs), U)


def test_checks_moved_out_of_the_loop_still_fire():
    prob = si.random_normalized_linear(3, 6, 0)
    W0 = np.ones((2, 3))
    with pytest.raises(InputError, match="zero"):
        si.gd_weight_decay(prob, np.zeros((2, 3)), 0.1, 0.1, 3)
    with pytest.raises(InputError, match="idx"):
        si.gd_weight_decay(prob, W0, 0.1, 0.1, 2, batches=[np.zeros((3, 2), dtype=int)] * 2)
    with pytest.raises(InputError, match="batches"):
        si.gd_weight_decay(prob, W0, 0.1, 0.1, 3, batches=[np.arange(2)])
    # lr wd = 1 with lr = 1 on a one-point fit drives w to exactly zero: a non-finite run is an error
    one = si.NormalizedLinear(np.array([[1.0, 0.0]]), np.array([1.0]))
    with pytest.raises(InputError, match="zero"):
        si.gd_weight_decay(one, np.array([[1.0, 0.0]]), 1.0, 1.0, 3)


@pytest.mark.parametrize("seed", range(5))
def test_per_row_minibatch_gradient_and_loss_match_product_and_sum(seed):
    rng = np.random.default_rng(seed)
    d, n, B, m = rng.integers(2, 8), rng.integers(3, 30), rng.integers(1, 40), rng.integers(1, 6)
    prob = si.random_normalized_linear(d, n, rng)
    W = rng.standard_normal((B, d)) * rng.uniform(0.1, 10)
    idx = rng.integers(0, n, size=(B, m))
    np.testing.assert_allclose(prob.grad(W, idx), _plain_grad(prob, W, idx), rtol=1e-12, atol=1e-14)
    X, y = prob.X[idx], prob.y[idx]
    res = y - np.sum(X * (W / np.linalg.norm(W, axis=1, keepdims=True))[:, None, :], axis=-1)
    np.testing.assert_allclose(prob.loss(W, idx), np.sum(res * res, axis=1) / (2 * m), rtol=1e-12)


def test_stacked_heldout_runs_equal_the_runs_alone():
    prob = si.random_normalized_linear(4, 10, 3)
    Xt = np.random.default_rng(4).standard_normal((20, 4))
    yt = Xt @ np.ones(4)
    runs = [(0.1, 0.05, 11), (0.4, 0.0125, 12), (0.1, 0.05, np.random.default_rng(13))]
    kw = dict(batch=3, chains=5, burn_in=100, every=10)
    together = si.sgd_heldout_averages(prob, Xt, yt, runs, 300, **kw)
    alone = [si.sgd_heldout_average(prob, Xt, yt, lr, wd, 300, rng=r if not isinstance(r, np.random.Generator)
                                    else np.random.default_rng(13), **kw) for lr, wd, r in runs]
    for a, b in zip(together, alone):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    with pytest.raises(InputError, match="runs"):
        si.sgd_heldout_averages(prob, Xt, yt, [], 10, **kw)
    shared = np.random.default_rng(5)  # two runs drawing from one generator would interleave their draws
    with pytest.raises(InputError, match="own random generator"):
        si.sgd_heldout_averages(prob, Xt, yt, [(0.1, 0.05, shared), (0.2, 0.05, shared)], 10, **kw)


def test_heldout_losses_many_groups_runs_by_length():
    runs = [(0.2, 0.05, 1), (0.1, 0.1, 2), (0.2, 0.1, 3)]  # lengths 600, 600, 300
    many = si.heldout_equilibrium_losses_many(runs, chains=4, time_constants=6.0)
    for (lr, wd, seed), got in zip(runs, many):
        assert np.array_equal(got, si.heldout_equilibrium_losses(lr, wd, seed, chains=4, time_constants=6.0))
