"""The R-operator's forward/backward reuse across HVPs at one point (nets_hvp.prepare/apply)."""
import threading

import numpy as np
import pytest

from theorykit.numeric import nets_hvp
from theorykit.numeric.nets import MLP, NetProblem


def _problem(norm=False, loss="mse", seed=0):
    rng = np.random.default_rng(seed)
    mlp = MLP((5, 7, 6, 3), "tanh", loss, norm=norm)
    X = rng.standard_normal((11, 5))
    Y = rng.standard_normal((11, 3)) if loss == "mse" else rng.integers(0, 3, 11)
    return NetProblem(mlp, X, Y), rng


def _dense_hessian_by_fresh_state(pr, w):
    """Columns from a fresh prepare() each: no reuse at all."""
    cols = [nets_hvp.apply(pr.mlp, nets_hvp.prepare(pr.mlp, w, pr.X, pr.T, np), e, np) for e in np.eye(pr.dim)]
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("norm", [False, "layer", "weight"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_operator_and_cached_hvp_equal_fresh_passes(norm, loss):
    pr, rng = _problem(norm, loss)
    w = pr.mlp.init_params(1)
    H = _dense_hessian_by_fresh_state(pr, w)
    op = nets_hvp.hvp_operator(pr.mlp, w, pr.X, pr.T, np)
    for _ in range(3):
        v = rng.standard_normal(pr.dim)
        np.testing.assert_allclose(op(v), H @ v, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(pr.hvp(w, v), H @ v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H, H.T, atol=1e-10)


def test_state_is_reused_at_equal_w_and_rebuilt_when_w_changes_in_place():
    pr, rng = _problem()
    w = pr.mlp.init_params(2)
    v = rng.standard_normal(pr.dim)
    pr.hvp(w, v)
    state = nets_hvp._LAST.state
    pr.hvp(w.copy(), rng.standard_normal(pr.dim))  # equal values, another array: reused
    assert nets_hvp._LAST.state is state
    before = pr.hvp(w, v)
    w += 0.3  # in place: the cached copy must not be served
    after = pr.hvp(w, v)
    assert nets_hvp._LAST.state is not state
    fresh = nets_hvp.apply(pr.mlp, nets_hvp.prepare(pr.mlp, w, pr.X, pr.T, np), v, np)
    np.testing.assert_array_equal(after, fresh)
    assert not np.allclose(after, before)


def test_data_changed_in_place_rebuilds_the_state():
    pr, rng = _problem()
    w, v = pr.mlp.init_params(3), rng.standard_normal(pr.dim)
    first = nets_hvp.hvp(pr.mlp, w, v, pr.X, pr.T, np)
    X = pr.X.copy()
    X[0] += 1.0
    second = nets_hvp.hvp(pr.mlp, w, v, X, pr.T, np)
    fresh = nets_hvp.apply(pr.mlp, nets_hvp.prepare(pr.mlp, w, X, pr.T, np), v, np)
    np.testing.assert_array_equal(second, fresh)
    assert not np.allclose(first, second)


def test_nan_w_is_never_served_from_the_cache():
    pr, rng = _problem()
    w, v = pr.mlp.init_params(4), rng.standard_normal(pr.dim)
    w[0] = np.nan
    with np.errstate(all="ignore"):  # NetProblem refuses non-finite w; the engine itself is called here
        nets_hvp.hvp(pr.mlp, w, v, pr.X, pr.T, np)
        state = nets_hvp._LAST.state
        nets_hvp.hvp(pr.mlp, w, v, pr.X, pr.T, np)  # nan != nan: rebuilt, never matched
    assert nets_hvp._LAST.state is not state


def test_threads_keep_their_own_state():
    pr, rng = _problem()
    ws = [pr.mlp.init_params(s) for s in range(4)]
    v = rng.standard_normal(pr.dim)
    want = [nets_hvp.apply(pr.mlp, nets_hvp.prepare(pr.mlp, w, pr.X, pr.T, np), v, np) for w in ws]
    got, errors = {}, []

    def work(i):
        try:
            for _ in range(20):
                got[i] = pr.hvp(ws[i], v)
                np.testing.assert_array_equal(got[i], want[i])
        except AssertionError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
