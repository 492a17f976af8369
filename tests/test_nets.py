"""The small-net engine: gradients and exact HVPs against finite differences,
HVP symmetry, hessian() as stacked HVPs, scale invariance of normalized
layers, and clear errors on bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric.backend import get_namespace
from theorykit.numeric.gradcheck import gradcheck, gradcheck_hvp
from theorykit.numeric.nets import ACTIVATIONS, MLP, NetProblem, flatten, unflatten

LOSSES = ("mse", "cross_entropy")
NORMS = (False, "layer", "weight")
DEPTHS = {1: (3, 2), 2: (3, 5, 2), 3: (3, 5, 4, 3)}


def make(sizes, activation="tanh", loss="mse", norm=False, n=7, seed=0, spread=0.3):
    """A net, its data and a generic point (random biases too, so no parameter sits at 0)."""
    rng = np.random.default_rng(seed)
    mlp = MLP(sizes, activation, loss, norm)
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.standard_normal((n, sizes[-1])) if mlp.loss == "mse" else rng.integers(0, sizes[-1], n)
    w = mlp.init_params(rng) + spread * rng.standard_normal(mlp.num_params)
    return mlp, NetProblem(mlp, X, Y), w, rng


def relu_margin(problem, w):
    """Smallest |pre-activation| (after normalization) over hidden units and samples."""
    from theorykit.numeric.nets import forward

    fw = forward(problem.mlp, w, problem.X, np)
    margins = []
    a = problem.X
    params = unflatten(w, problem.mlp.spec)
    for h, p in zip(fw.hidden, params):
        z = a @ h.W.T + (p.b if p.b is not None else 0)
        if h.ln is not None:
            z = math.sqrt(z.shape[-1]) * h.ln.y
        margins.append(np.min(np.abs(z)))
        a = np.maximum(z, 0)
    return min(margins) if margins else np.inf


# ---------------------------------------------------------------------------
# derivatives against finite differences


@pytest.mark.parametrize("depth", sorted(DEPTHS))
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_grad_and_hvp_match_finite_differences(activation, loss, norm, depth):
    mlp, pr, w, rng = make(DEPTHS[depth], activation, loss, norm, seed=depth)
    res = gradcheck(pr, w)  # centered differences, float64, rtol 1e-7 per coordinate
    assert res.passed, res.message
    assert not res.kink, res.message
    v = rng.standard_normal(mlp.num_params)
    h = None
    margin = relu_margin(pr, w)
    if activation == "relu" and np.isfinite(margin):  # keep the step well inside the activation pattern
        h = 1e-3 * margin / np.linalg.norm(v)
    hres = gradcheck_hvp(pr, w, v, h=h)
    assert hres.passed, hres.message
    assert not hres.kink, hres.message


@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5).map(tuple),
    activation=st.sampled_from(("tanh", "gelu", "linear")),
    loss=st.sampled_from(LOSSES),
    norm=st.sampled_from(NORMS),
    seed=st.integers(0, 2**16),
)
def test_random_architectures_hvp_matches_finite_differences(sizes, activation, loss, norm, seed):
    if loss == "cross_entropy" and sizes[-1] < 2:
        sizes = sizes[:-1] + (2,)
    if norm == "layer" and min(sizes[1:-1], default=2) < 2:
        norm = "weight"  # layer norm of a single unit has zero spread: undefined (tested below)
    mlp, pr, w, rng = make(sizes, activation, loss, norm, seed=seed)
    res = gradcheck_hvp(pr, w, rng.standard_normal(mlp.num_params))
    assert res.passed, res.message


def test_grad_detects_a_wrong_gradient():
    """The check is not vacuous: a gradient off by 1e-5 relative in one layer fails."""
    mlp, pr, w, _ = make((3, 4, 2), "tanh", "mse")

    def bad_grad(x):
        g = pr.grad(x)
        g[:12] *= 1 + 1e-5
        return g

    assert not gradcheck(pr.loss, w, bad_grad).passed


# ---------------------------------------------------------------------------
# HVP structure


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hvp_is_symmetric(activation, norm):
    mlp, pr, w, rng = make((3, 6, 4, 3), activation, "cross_entropy", norm, seed=5)
    u, v = rng.standard_normal((2, mlp.num_params))
    Hu, Hv = pr.hvp(w, u), pr.hvp(w, v)
    scale = np.linalg.norm(u) * np.linalg.norm(Hv) + np.linalg.norm(v) * np.linalg.norm(Hu)
    assert abs(u @ Hv - v @ Hu) <= 1e-13 * scale


@pytest.mark.parametrize("norm", NORMS)
def test_hessian_is_stacked_hvps(norm):
    mlp, pr, w, _ = make((2, 4, 3), "gelu", "mse", norm, seed=2)
    H = pr.hessian(w)
    assert H.shape == (mlp.num_params, mlp.num_params)
    stacked = np.stack([pr.hvp(w, e) for e in np.eye(mlp.num_params)], axis=1)
    # a one-hidden-layer plain net's matrix comes from the Gauss-Newton + per-unit form, not from
    # the same R-operator lines: equal up to rounding
    np.testing.assert_allclose(H, stacked, rtol=0, atol=1e-13 * np.abs(stacked).max())
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-13 * np.abs(H).max())


def test_hvp_is_linear_in_v():
    mlp, pr, w, rng = make((3, 5, 2), "tanh", "cross_entropy", "layer", seed=3)
    u, v = rng.standard_normal((2, mlp.num_params))
    lhs = pr.hvp(w, 2.0 * u - 3.0 * v)
    rhs = 2.0 * pr.hvp(w, u) - 3.0 * pr.hvp(w, v)
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-13 * np.abs(rhs).max())


def test_linear_net_mse_hessian_matches_closed_form():
    """One linear layer with MSE: L = |XW^T + b - Y|^2/(2n), H = (1/n) [X 1]^T [X 1] per output."""
    mlp, pr, w, _ = make((3, 1), "linear", "mse", n=9)
    Xa = np.hstack([pr.X, np.ones((9, 1))])
    np.testing.assert_allclose(pr.hessian(w), Xa.T @ Xa / 9, rtol=1e-14, atol=1e-15)


def test_batched_points_are_rowwise():
    mlp, pr, w, rng = make((3, 4, 2), "tanh", "mse", seed=4)
    W = np.stack([w, 2 * w, -w])
    V = rng.standard_normal(W.shape)
    np.testing.assert_array_equal(pr.loss(W), [pr.loss(row) for row in W])
    np.testing.assert_array_equal(pr.grad(W), np.stack([pr.grad(row) for row in W]))
    np.testing.assert_array_equal(pr.hvp(W, V), np.stack([pr.hvp(a, b) for a, b in zip(W, V)]))


# ---------------------------------------------------------------------------
# scale invariance of normalized layers


@given(k=st.integers(-8, 8), seed=st.integers(0, 2**16), norm=st.sampled_from(("layer", "weight")))
def test_scale_invariance_is_exact_for_powers_of_two(k, seed, norm):
    mlp, pr, w, _ = make((3, 5, 4, 2), "tanh", "cross_entropy", norm, seed=seed)
    base = pr.loss(w)
    for start, stop in mlp.scale_invariant_groups():
        w2 = w.copy()
        w2[start:stop] *= 2.0**k
        assert pr.loss(w2) == base  # bit for bit: every scaling by 2^k is exact


@given(c=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16), norm=st.sampled_from(("layer", "weight")))
def test_scale_invariance_and_its_derivatives(c, seed, norm):
    """L(cW) = L(W); so grad_W L(cW) = grad_W L(W)/c and <grad_W L, W> = 0 (Euler)."""
    mlp, pr, w, _ = make((3, 5, 4, 2), "gelu", "mse", norm, seed=seed)
    base, g = pr.loss(w), pr.grad(w)
    gscale = np.abs(g).max()
    for start, stop in mlp.scale_invariant_groups():
        w2 = w.copy()
        w2[start:stop] *= c
        assert abs(pr.loss(w2) - base) <= 1e-14 * abs(base)
        g2 = pr.grad(w2)
        np.testing.assert_allclose(c * g2[start:stop], g[start:stop], rtol=0, atol=1e-12 * gscale)
        wg = w[start:stop] @ g[start:stop]
        assert abs(wg) <= 1e-13 * np.linalg.norm(w[start:stop]) * gscale * (stop - start)


def test_scale_invariant_groups_are_the_documented_ones():
    layer = MLP((3, 5, 4, 2), norm="layer")
    assert layer.scale_invariant_groups() == [(0, 15), (15, 35)]  # W_1 (5x3), W_2 (4x5): no hidden biases
    weight = MLP((3, 2, 2), norm="weight")
    # V_1 rows (3 each), then b_1 (2); V_2 rows (2 each), then b_2; the output layer is not normalized
    assert weight.scale_invariant_groups() == [(0, 3), (3, 6)]
    assert MLP((3, 5, 2)).scale_invariant_groups() == []


def test_unnormalized_net_is_not_scale_invariant():
    """Control for the invariance tests: without a norm layer scaling W_1 changes the loss."""
    mlp, pr, w, _ = make((3, 5, 4, 2), "tanh", "cross_entropy", False)
    w2 = w.copy()
    w2[:15] *= 2.0
    assert abs(pr.loss(w2) - pr.loss(w)) > 1e-3 * abs(pr.loss(w))


# ---------------------------------------------------------------------------
# special values


@pytest.mark.parametrize("classes", (2, 3, 10))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_zero_weights_cross_entropy_is_log_classes(activation, classes):
    mlp, pr, _, _ = make((4, 6, classes), activation, "cross_entropy")
    w = np.zeros(mlp.num_params)
    assert abs(pr.loss(w) - math.log(classes)) <= 4 * np.finfo(float).eps * math.log(classes)


def test_cross_entropy_is_stable_for_huge_logits():
    mlp = MLP((1, 3), "linear", "cross_entropy")
    pr = NetProblem(mlp, np.ones((1, 1)), np.array([0]))
    w = np.array([1e4, 0.0, 0.0, 0.0, 0.0, 0.0])  # logits (1e4, 0, 0): correct class dominates
    assert pr.loss(w) == pytest.approx(2 * math.exp(-1e4), abs=1e-300)
    assert np.all(np.isfinite(pr.grad(w)))
    w[0] = -1e4  # logits (-1e4, 0, 0): loss = 1e4 + ln 2, finite
    assert pr.loss(w) == pytest.approx(1e4 + math.log(2), rel=1e-15)


def test_soft_labels_equal_one_hot():
    mlp, pr, w, rng = make((3, 4, 3), "tanh", "cross_entropy", seed=8)
    labels = np.argmax(pr.T, axis=1)
    soft = NetProblem(mlp, pr.X, np.eye(3)[labels])
    assert soft.loss(w) == pr.loss(w)


def test_mse_value_and_1d_targets():
    mlp = MLP((1, 1), "linear", "mse")
    pr = NetProblem(mlp, np.array([[1.0], [2.0]]), np.array([1.0, 0.0]))
    # outputs 2x+1 = (3, 5): L = ((3-1)^2 + (5-0)^2) / (2*2)
    assert pr.loss(np.array([2.0, 1.0])) == pytest.approx(29 / 4, rel=1e-15)


# ---------------------------------------------------------------------------
# layout and init


def test_flatten_roundtrip_and_layout():
    mlp = MLP((3, 4, 2), norm="layer")
    assert [l.weight_shape for l in mlp.spec.layers] == [(4, 3), (2, 4)]
    assert [l.bias_size for l in mlp.spec.layers] == [0, 2]  # no bias before a layer norm
    assert mlp.num_params == 12 + 8 + 2
    w = np.arange(mlp.num_params, dtype=float)
    params = unflatten(w, mlp.spec)
    assert params[0].W[1, 0] == 3 and params[0].b is None and params[1].b.tolist() == [20, 21]
    np.testing.assert_array_equal(flatten(params, mlp.spec), w)


def test_init_params_is_reproducible_and_scaled():
    mlp = MLP((400, 300, 1))
    w1, w2 = mlp.init_params(7), mlp.init_params(np.random.default_rng(7))
    np.testing.assert_array_equal(w1, w2)
    W1 = unflatten(w1, mlp.spec)[0].W
    assert np.std(W1) == pytest.approx(1 / math.sqrt(400), rel=0.02)  # LeCun: var 1/fan_in
    assert np.all(unflatten(mlp.init_params(0, scale=3.0), mlp.spec)[0].b == 0)
    assert np.all(mlp.init_params(0, scale=0.0) == 0)


def test_default_architecture():
    mlp = MLP()
    assert mlp.sizes == (1, 100, 1) and mlp.activation == "tanh" and mlp.loss == "mse" and mlp.norm is None
    assert mlp.num_params == 301
    assert MLP(norm=True).norm == "layer"
    assert MLP((2, 3), loss="ce").loss == "cross_entropy"


def test_problem_protocol_attributes():
    from theorykit.numeric.problems import Problem

    mlp, pr, w, _ = make((3, 4, 2))
    assert isinstance(pr, Problem)
    assert pr.dim == mlp.num_params and pr.xp is get_namespace("numpy")
    assert pr.L is None and pr.mu is None and pr.x_star is None and pr.f_star is None


# ---------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(sizes=()), "sizes"),
        (dict(sizes=(3,)), "sizes"),
        (dict(sizes=(3, 0, 1)), "sizes"),
        (dict(sizes=(3, 2.5, 1)), "sizes"),
        (dict(sizes=(3, True, 1)), "sizes"),
        (dict(sizes="3,1"), "sizes"),
        (dict(sizes=5), "sizes"),
        (dict(activation="sigmoid"), "activation"),
        (dict(activation=None), "activation"),
        (dict(loss="hinge"), "loss"),
        (dict(norm="batch"), "norm"),
        (dict(sizes=(3, 4, 1), loss="cross_entropy"), "sizes"),
    ],
)
def test_bad_architecture_names_the_argument(kwargs, argument):
    with pytest.raises(InputError) as err:
        MLP(**kwargs)
    assert err.value.argument == argument


def test_bad_data_and_points_name_the_argument():
    mlp = MLP((3, 4, 2), loss="mse")
    X, Y = np.ones((5, 3)), np.ones((5, 2))
    cases = [
        (lambda: NetProblem("net", X, Y), "mlp"),
        (lambda: NetProblem(mlp, np.ones((5, 4)), Y), "X"),
        (lambda: NetProblem(mlp, np.ones(5), Y), "X"),
        (lambda: NetProblem(mlp, X, np.ones((5, 3))), "Y"),
        (lambda: NetProblem(mlp, X, np.ones((4, 2))), "Y"),
        (lambda: NetProblem(mlp, X * np.nan, Y), "X"),
    ]
    ce = MLP((3, 4, 3), loss="cross_entropy")
    cases += [
        (lambda: NetProblem(ce, X, np.array([0, 1, 2, 3, 0])), "Y"),  # label out of range
        (lambda: NetProblem(ce, X, np.array([0.0, 1.0, 2.0, 1.0, 0.0])), "Y"),  # float labels
        (lambda: NetProblem(ce, X, np.array([0, 1])), "Y"),
        (lambda: NetProblem(ce, X, np.full((5, 3), 0.5)), "Y"),  # rows do not sum to 1
    ]
    pr = NetProblem(mlp, X, Y)
    w = np.zeros(mlp.num_params)
    cases += [
        (lambda: pr.loss(np.zeros(mlp.num_params + 1)), "w"),
        (lambda: pr.grad(np.full(mlp.num_params, np.nan)), "w"),
        (lambda: pr.hvp(w, np.zeros(3)), "v"),
        (lambda: pr.hvp(np.stack([w, w]), np.stack([w, w, w])), "v"),
        (lambda: pr.loss(np.zeros((2, 2, mlp.num_params))), "w"),
        (lambda: mlp.init_params("seed"), "rng"),
        (lambda: mlp.init_params(0, scale=-1.0), "scale"),
    ]
    for make_it, argument in cases:
        with pytest.raises(InputError) as err:
            make_it()
        assert err.value.argument == argument, str(err.value)


@pytest.mark.parametrize("norm", ("layer", "weight"))
def test_normalization_singularity_is_a_clear_error(norm):
    mlp = MLP((3, 4, 2), norm=norm)
    pr = NetProblem(mlp, np.ones((5, 3)), np.ones((5, 2)))
    with pytest.raises(InputError, match="zero") as err:
        pr.loss(np.zeros(mlp.num_params))
    assert err.value.argument == "w"


def test_hessian_refuses_large_nets():
    mlp = MLP((50, 50, 1))
    pr = NetProblem(mlp, np.ones((2, 50)), np.ones(2))
    with pytest.raises(InputError, match="hvp"):
        pr.hessian(np.zeros(mlp.num_params))


@pytest.mark.gpu
def test_cupy_matches_numpy():
    cp = pytest.importorskip("cupy")
    try:
        xp = get_namespace("cupy")
    except Exception as exc:  # no device: BackendUnavailable
        pytest.skip(str(exc))
    mlp, pr, w, rng = make((3, 6, 4, 3), "gelu", "cross_entropy", "layer", seed=11)
    gpu = NetProblem(mlp, xp.asarray(pr.X), cp.asarray(np.argmax(pr.T, axis=1)))
    v = rng.standard_normal(mlp.num_params)
    wg, vg = xp.asarray(w), xp.asarray(v)
    assert float(gpu.loss(wg)) == pytest.approx(float(pr.loss(w)), rel=1e-13)
    np.testing.assert_allclose(cp.asnumpy(gpu.grad(wg)), pr.grad(w), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(cp.asnumpy(gpu.hvp(wg, vg)), pr.hvp(w, v), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize(
    "activation, loss, norm",
    [("tanh", "mse", False), ("gelu", "cross_entropy", "layer"), ("relu", "mse", "weight"), ("linear", "cross_entropy", "weight")],
)
def test_matches_pytorch_autograd(activation, loss, norm):
    """An independent check where PyTorch is installed (not a dependency): its autograd
    gradient and double-backward HVP of the same loss agree with ours to rounding."""
    torch = pytest.importorskip("torch")
    mlp, pr, w, rng = make((3, 6, 5, 3), activation, loss, norm, seed=9)
    v = rng.standard_normal(mlp.num_params)
    act = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
           "gelu": lambda z: torch.nn.functional.gelu(z, approximate="tanh")}[activation]
    X, T = torch.from_numpy(pr.X), torch.from_numpy(pr.T)

    def torch_loss(wt):
        a, n = X, X.shape[0]
        for l, p in enumerate(unflatten(wt, mlp.spec)):
            W = p.W
            if norm == "weight" and l < mlp.depth - 1:
                W = W / torch.linalg.vector_norm(W, dim=1, keepdim=True)
            z = a @ W.T + (p.b if p.b is not None else 0)
            if l == mlp.depth - 1:
                break
            if norm == "layer":
                c = z - z.mean(dim=1, keepdim=True)
                z = math.sqrt(z.shape[1]) * c / torch.linalg.vector_norm(c, dim=1, keepdim=True)
            a = act(z)
        if loss == "mse":
            return ((z - T) ** 2).sum() / (2 * n)
        return (torch.logsumexp(z, dim=1).sum() - (T * z).sum()) / n

    wt = torch.from_numpy(w).requires_grad_(True)
    value = torch_loss(wt)
    (g,) = torch.autograd.grad(value, wt, create_graph=True)
    (hv,) = torch.autograd.grad(g @ torch.from_numpy(v), wt)
    assert float(pr.loss(w)) == pytest.approx(value.item(), rel=1e-14)
    np.testing.assert_allclose(pr.grad(w), g.detach().numpy(), rtol=0, atol=1e-14 * np.abs(pr.grad(w)).max())
    np.testing.assert_allclose(pr.hvp(w, v), hv.numpy(), rtol=0, atol=1e-13 * np.abs(hv.numpy()).max())


@pytest.mark.parametrize("sizes, activation, loss", [((1, 32, 1), "tanh", "mse"), ((3, 8, 8, 2), "relu", "cross_entropy"),
                                                     ((2, 7, 7, 7, 3), "gelu", "mse"), ((5, 16, 4), "linear", "cross_entropy")])
def test_training_fast_path_is_loss_and_grad_bit_for_bit(sizes, activation, loss):
    """NetProblem._loss_and_grad_trusted (the training loops' fused path) equals loss_and_grad exactly."""
    from theorykit.numeric.nets import MLP, NetProblem

    rng = np.random.default_rng(len(sizes))
    X = rng.standard_normal((11, sizes[0]))
    Y = rng.integers(0, sizes[-1], 11) if loss == "cross_entropy" else rng.standard_normal((11, sizes[-1]))
    prob = NetProblem(MLP(sizes, activation=activation, loss=loss), X, Y)
    for _ in range(3):
        w = rng.standard_normal(prob.dim)
        (l1, g1), (l2, g2) = prob.loss_and_grad(w), prob._loss_and_grad_trusted(w)
        assert float(l1) == float(l2) and np.array_equal(g1, g2)
