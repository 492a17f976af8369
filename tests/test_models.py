"""Bring your own model: from_jax / from_torch Problems against known Hessians, against
theorykit's own NumPy networks, and through everything that takes a Problem.

Tests that need JAX or PyTorch skip with the package they need named in the reason."""
from __future__ import annotations

import numpy as np
import pytest

from theorykit import gradcheck
from theorykit.errors import BackendUnavailable, InputError
from theorykit.models import digits_problem, from_jax, from_torch, load_digits, run_eos, summarize_eos
from theorykit.numeric.gradcheck import gradcheck_hvp
from theorykit.numeric.nets import MLP, NetProblem
from theorykit.numeric.problems import LogisticRegression
from theorykit.numeric.sharpness import sharpness

NEEDS_JAX = "needs JAX: pip install 'theorykit[jax]'"
NEEDS_TORCH = "needs PyTorch: pip install 'theorykit[torch]'"


def _jax():
    return pytest.importorskip("jax", reason=NEEDS_JAX)


def _torch():
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    torch.set_num_threads(1)  # tiny models: more threads only oversubscribe a busy CPU
    return torch


def _logreg_data(n=40, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(rng.standard_normal(n) > 0, 1.0, -1.0)
    return X, y


def _jax_logreg(X, y, reg=0.1):
    _jax()
    import jax.numpy as jnp

    def loss_fn(p, batch):
        A, t = batch
        z = t * (A @ p["w"])
        return jnp.mean(jnp.logaddexp(0.0, -z)) + reg / 2 * jnp.sum(p["w"] ** 2)

    return from_jax(loss_fn, {"w": np.zeros(X.shape[1])}, (X, y))


def _torch_logreg(X, y, reg=0.1):
    torch = _torch()

    class Linear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(X.shape[1]))

        def forward(self, A):
            return A @ self.w

    def loss_fn(out, t, model=None):
        return torch.nn.functional.softplus(-t * out).mean()

    m = Linear()
    prob = from_torch(m, loss_fn, (X, y))
    # the ridge term is not part of a module's loss here: compare with reg = 0
    return prob


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_logistic_regression_matches_numpy_problem(framework):
    """loss, gradient, HVP and Hessian equal those of theorykit's closed-form LogisticRegression."""
    X, y = _logreg_data()
    reg = 0.1 if framework == "jax" else 0.0
    prob = _jax_logreg(X, y, reg) if framework == "jax" else _torch_logreg(X, y)
    ref = LogisticRegression(X, y, reg=reg)
    rng = np.random.default_rng(1)
    for _ in range(3):
        w, v = rng.standard_normal(5), rng.standard_normal(5)
        assert prob.loss(w) == pytest.approx(float(ref.loss(w)), rel=1e-13)
        np.testing.assert_allclose(prob.grad(w), ref.grad(w), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(prob.hvp(w, v), ref.hvp(w, v), rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(prob.hessian(w), ref.hessian(w), rtol=1e-11, atol=1e-14)
    assert prob.dim == 5 and prob.L is None and prob.x_star is None
    # batched rows, as the other Problems take them
    W = rng.standard_normal((2, 5))
    np.testing.assert_allclose(prob.loss(W), ref.loss(W), rtol=1e-13)
    np.testing.assert_allclose(prob.hvp(W, W), np.stack([ref.hvp(w, w) for w in W]), rtol=1e-11)


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_digits_mlp_matches_numpy_r_operator(framework):
    """The adapters and theorykit's hand-written MLP (backprop + R-operator) agree on the same net."""
    (_jax if framework == "jax" else _torch)()
    prob = digits_problem("mlp", framework, n=64, width=8)
    d = load_digits(64)
    ref = NetProblem(MLP((64, 8, 10), "tanh", "mse"), d.X, d.Y)
    w = prob.w0
    v = np.random.default_rng(0).standard_normal(prob.dim)
    assert prob.loss(w) == pytest.approx(float(ref.loss(w)), rel=1e-13)
    np.testing.assert_allclose(prob.grad(w), ref.grad(w), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(prob.hvp(w, v), ref.hvp(w, v), rtol=1e-9, atol=1e-12)


def test_jax_and_torch_cnn_agree():
    _jax(), _torch()
    pj = digits_problem("cnn", "jax", n=32, channels=(2, 3))
    pt = digits_problem("cnn", "torch", n=32, channels=(2, 3))
    np.testing.assert_array_equal(pj.w0, pt.w0)
    w = pj.w0 + 0.1 * np.random.default_rng(0).standard_normal(pj.dim)
    v = np.random.default_rng(1).standard_normal(pj.dim)
    assert pj.loss(w) == pytest.approx(pt.loss(w), rel=1e-12)
    np.testing.assert_allclose(pj.grad(w), pt.grad(w), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pj.hvp(w, v), pt.hvp(w, v), rtol=1e-8, atol=1e-11)
    assert sharpness(pj, w) == pytest.approx(sharpness(pt, w), rel=1e-8)


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_hvp_passes_gradcheck_and_sharpness_matches_dense(framework):
    (_jax if framework == "jax" else _torch)()
    prob = digits_problem("cnn", framework, n=24, channels=(2, 2))
    w = prob.w0
    assert gradcheck(prob, w, coords=np.arange(0, prob.dim, 7))
    v = np.random.default_rng(0).standard_normal(prob.dim)
    assert gradcheck_hvp(prob, w, v)
    H = prob.hessian(w)
    top = np.linalg.eigvalsh(H)[::-1]
    np.testing.assert_allclose(sharpness(prob, w, 3), top[:3], rtol=1e-7)
    P = np.random.default_rng(2).uniform(0.5, 2.0, prob.dim)
    pre = np.linalg.eigvals(H / P[:, None]).real.max()
    assert sharpness(prob, w, preconditioner=P) == pytest.approx(pre, rel=1e-7)


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_fixed_minibatch(framework):
    """batch_size=k: the loss on k examples drawn once from seed; the same seed, the same rows."""
    (_jax if framework == "jax" else _torch)()
    full = digits_problem("mlp", framework, n=100, width=4)
    mb = full.minibatch(10, seed=3)
    assert mb.n_examples == 10 and mb.dim == full.dim
    idx = np.sort(np.random.default_rng(3).choice(100, 10, replace=False))
    d = load_digits(100)
    ref = NetProblem(MLP((64, 4, 10), "tanh", "mse"), d.X[idx], d.Y[idx])
    assert mb.loss(full.w0) == pytest.approx(float(ref.loss(full.w0)), rel=1e-13)
    assert full.minibatch(10, seed=3).loss(full.w0) == mb.loss(full.w0)
    assert full.minibatch(10, seed=4).loss(full.w0) != mb.loss(full.w0)
    with pytest.raises(InputError, match="batch_size"):
        full.minibatch(101)


def test_torch_custom_backward_is_what_gradcheck_checks():
    """A custom autograd.Function's backward is the gradient; a wrong one fails gradcheck."""
    torch = _torch()

    def make(scale):
        class Cube(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * scale * x**2  # right for scale = 3

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = torch.nn.Linear(3, 2)

            def forward(self, x):
                return Cube.apply(self.lin(x))

        torch.manual_seed(0)
        X = torch.randn(8, 3, dtype=torch.float64)
        return from_torch(Net(), lambda o, t: ((o - t) ** 2).mean(), (X, torch.zeros(8, 2)))

    good, bad = make(3.0), make(2.5)
    assert gradcheck(good, good.w0)
    r = gradcheck(bad, bad.w0)
    assert not r.passed and r.max_rel_error > 0.1
    assert gradcheck_hvp(good, good.w0, np.ones(good.dim))


def test_jax_custom_vjp_is_what_gradcheck_checks():
    jax = _jax()
    import jax.numpy as jnp

    @jax.custom_vjp
    def wrong_tanh(x):
        return jnp.tanh(x)

    wrong_tanh.defvjp(lambda x: (jnp.tanh(x), x), lambda x, g: (g * (1 - jnp.tanh(x)),))  # forgot the square

    X = np.random.default_rng(0).standard_normal((10, 3))

    def good(p, b):
        return jnp.mean(jnp.tanh(b @ p) ** 2)

    def bad(p, b):
        return jnp.mean(wrong_tanh(b @ p) ** 2)

    w0 = np.array([0.5, -0.3, 0.8])
    assert gradcheck(from_jax(good, w0, X), w0)
    assert not gradcheck(from_jax(bad, w0, X), w0).passed


def test_central_flow_and_eos_run_take_adapter_problems():
    _jax()
    import jax.numpy as jnp

    from theorykit.numeric.centralflow import flow

    X = np.linspace(-1, 1, 8)[:, None]

    def loss_fn(p, b):  # a 1 -> 3 -> 1 tanh net on 8 points: the central flow's ODE stays cheap
        x, y = b
        return 0.5 * jnp.mean((jnp.tanh(x @ p["W"]) @ p["v"] - y) ** 2)

    rng = np.random.default_rng(0)
    prob = from_jax(loss_fn, {"W": rng.standard_normal((1, 3)), "v": rng.standard_normal(3)}, (X, X[:, 0] ** 2))
    run = flow(prob, prob.w0, 0.5, 2.0, central=True, t_eval=np.array([0.0, 2.0]), rtol=1e-4, atol=1e-7)
    assert run.w.shape == (2, prob.dim) and np.all(np.isfinite(run.loss)) and run.loss[1] < run.loss[0]
    tr = run_eos(prob, prob.w0, lr=0.02, steps=20, every=5)
    assert tr.sample_steps.tolist() == [0, 5, 10, 15]
    assert tr.sharpness[0] == pytest.approx(sharpness(prob, prob.w0), rel=1e-6)
    assert np.all(np.diff(tr.loss) < 0)  # far below the edge: monotone


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_adapter_bad_input(framework):
    (_jax if framework == "jax" else _torch)()
    X = np.zeros((4, 2))
    if framework == "jax":
        import jax.numpy as jnp

        with pytest.raises(InputError, match="loss_fn"):
            from_jax(3, np.zeros(2), X)
        with pytest.raises(InputError, match="loss_fn.*scalar"):
            from_jax(lambda p, b: b @ p, np.zeros(2), X)
        with pytest.raises(InputError, match="loss_fn.*failed"):
            from_jax(lambda p, b: jnp.sum(b @ p[:5, None, None]), np.zeros(2), X)
        with pytest.raises(InputError, match="batch"):
            from_jax(lambda p, b: jnp.sum(b[0] @ p), np.zeros(2), (X, np.zeros(3)))
        with pytest.raises(InputError, match="batch_size"):
            from_jax(lambda p, b: jnp.sum(b @ p), np.zeros(2), X, batch_size=5)
        prob = from_jax(lambda p, b: jnp.sum(b @ p), np.zeros(2), X)
    else:
        import torch

        with pytest.raises(InputError, match="module"):
            from_torch(lambda x: x, torch.nn.functional.mse_loss, (X, X))
        with pytest.raises(InputError, match="loss_fn.*scalar"):
            from_torch(torch.nn.Linear(2, 2), lambda o, t: o - t, (X, X))
        with pytest.raises(InputError, match="loss_fn.*failed"):
            from_torch(torch.nn.Linear(3, 2), torch.nn.functional.mse_loss, (X, X))
        with pytest.raises(InputError, match="data"):
            from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, np.zeros((3, 2))))
        with pytest.raises(InputError, match="hvp"):
            from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, X), hvp="magic")
        prob = from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, X))
    with pytest.raises(InputError, match="w"):
        prob.loss(np.zeros(prob.dim + 1))
    with pytest.raises(InputError, match="w"):
        prob.grad(np.full(prob.dim, np.nan))


def test_torch_func_and_double_backward_agree_and_module_untouched():
    torch = _torch()
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    before = [p.detach().clone() for p in net.parameters()]
    X = np.random.default_rng(0).standard_normal((6, 3))
    Y = np.random.default_rng(1).standard_normal((6, 1))
    def mse(o, t):
        return ((o - t) ** 2).mean()

    a = from_torch(net, mse, (X, Y), hvp="func")
    b = from_torch(net, mse, (X, Y), hvp="double_backward")
    v = np.random.default_rng(2).standard_normal(a.dim)
    np.testing.assert_allclose(a.hvp(a.w0, v), b.hvp(b.w0, v), rtol=1e-12, atol=1e-14)
    assert all(p.dtype == torch.float32 for p in net.parameters())  # the caller's module is not cast
    # torch.nn.functional.mse_loss has no forward-mode formula here (torch 2.14): a clean error, not a crash
    try:
        from_torch(net, torch.nn.functional.mse_loss, (X, Y), hvp="func")
    except InputError as exc:
        assert "double_backward" in str(exc)
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), before))


def test_torch_cuda_device():
    torch = _torch()
    X = np.zeros((4, 2))
    if not torch.cuda.is_available():
        with pytest.raises(BackendUnavailable, match="CUDA"):
            from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, X), device="cuda")
        pytest.skip("no CUDA device: checked the clean error only")
    prob = from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, X), device="cuda")
    cpu = from_torch(torch.nn.Linear(2, 2), torch.nn.functional.mse_loss, (X, X))
    w = np.arange(prob.dim, dtype=float)
    np.testing.assert_allclose(prob.hvp(w, w), cpu.hvp(w, w), rtol=1e-12)


def test_missing_framework_is_a_clean_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_frameworks(name, *args, **kw):
        if name.split(".")[0] in ("jax", "torch"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_frameworks)
    with pytest.raises(BackendUnavailable, match=r"theorykit\[jax\]"):
        from_jax(lambda p, b: 0.0, np.zeros(1), np.zeros((1, 1)))
    with pytest.raises(BackendUnavailable, match=r"theorykit\[torch\]"):
        from_torch(object(), None, None)


def test_digits_data_is_bundled():
    d = load_digits()
    assert d.X.shape == (1797, 64) and d.y.shape == (1797,) and d.Y.shape == (1797, 10)
    assert d.X.min() == 0.0 and d.X.max() == 1.0
    assert np.bincount(d.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    sub = load_digits(50, seed=1)
    assert sub.X.shape == (50, 64) and np.array_equal(sub.Y.argmax(1), sub.y)
    with pytest.raises(InputError, match="n"):
        load_digits(0)


def test_summarize_eos_reads_phases_from_a_trace():
    """Synthetic trace: a transient above the edge, a dip, linear sharpening, then a plateau."""
    from theorykit.numeric.models.training import EoSTrace

    steps = np.arange(0, 1000, 10)
    S = np.where(steps < 300, 10 + (steps - 100).clip(0) * 0.05, 20.0)
    S[0] = 30.0  # initial transient above the threshold
    S[1:10] = 9.0
    S[steps >= 300] = 20.0 + 0.1 * np.sin(steps[steps >= 300])
    tr = EoSTrace("gd", 0.1, 0.0, 990, 10, np.ones(991), steps, S, 20.0, np.zeros(1), None, False, 0.0, 0)
    s = summarize_eos(tr)
    assert s.reached_step == int(steps[np.argmax((S >= 19.0) & (steps > 0))])
    assert s.sharpening_start == 10 and s.sharpness_start == 9.0
    assert s.at_edge and abs(s.ratio - 1) < 0.01 and s.plateau_ci[0] < 20.0 < s.plateau_ci[1]
    low = tr._replace(sharpness=np.where(steps > 0, 15.0, 30.0))
    s2 = summarize_eos(low)
    assert s2.reached_step is None and not s2.at_edge


def test_run_eos_on_a_quadratic_measures_its_top_eigenvalue():
    from theorykit.numeric.problems import Quadratic

    q = Quadratic(np.diag([1.0, 2.0, 4.0, 8.0, 3.0]))
    tr = run_eos(q, np.ones(5), lr=0.1, steps=30, every=10)
    np.testing.assert_allclose(tr.sharpness, 8.0, rtol=1e-9)
    assert tr.threshold == 20.0 and not tr.diverged
    # Adam: the recorded value is lambda_1(P^-1 H) with Adam's P at that step
    ta = run_eos(q, np.ones(5), lr=0.01, steps=1, every=1, optimizer="adam")
    from theorykit.numeric.models.training import adam_preconditioner

    g = q.grad(np.ones(5))
    P = adam_preconditioner(0.001 * g * g, 1, 0.9, 0.999, 1e-8)
    assert ta.sharpness[0] == pytest.approx(float(np.max(np.diag(q.A) / P)), rel=1e-9)
    with pytest.raises(InputError, match="momentum"):
        run_eos(q, np.ones(5), lr=0.1, steps=3, momentum=0.5)
    with pytest.raises(InputError, match="optimizer"):
        run_eos(q, np.ones(5), lr=0.1, steps=3, optimizer="sgd")
    with pytest.raises(InputError, match="w0"):
        run_eos(q, np.ones(4), lr=0.1, steps=3)


def test_importing_theorykit_models_imports_no_framework():
    import subprocess
    import sys

    code = ("import sys, theorykit, theorykit.models; from theorykit.models import from_jax, from_torch; "
            "theorykit.models.load_digits(5); from theorykit.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('jax', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_torch_unused_and_linear_parameters():
    """A parameter the loss ignores has gradient 0; a loss linear in a parameter has H = 0 there."""
    torch = _torch()

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
            self.b = torch.nn.Parameter(torch.tensor([3.0]))
            self.unused = torch.nn.Parameter(torch.tensor([5.0]))

        def forward(self, x):
            return (x * self.a).sum(1) ** 2 + self.b

    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    prob = from_torch(Net(), lambda o: o.mean(), (X,))
    w = prob.w0
    np.testing.assert_allclose(prob.grad(w), [1.0, 2.0, 1.0, 0.0])
    np.testing.assert_allclose(prob.hessian(w), np.diag([1.0, 1.0, 0.0, 0.0]))
    lin = from_torch(torch.nn.Linear(2, 1, bias=False), lambda o: o.sum(), (X,))
    np.testing.assert_array_equal(lin.hvp(lin.w0, np.ones(2)), np.zeros(2))
