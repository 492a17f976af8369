"""gradcheck / gradcheck_hvp: pass on correct derivatives, fail on wrong ones,
flag kinks, and reject bad input with errors that name the argument."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theorykit
from theorykit.errors import InputError
from theorykit.numeric.gradcheck import GradcheckResult, gradcheck, gradcheck_hvp
from theorykit.numeric.nets import MLP, NetProblem


def smooth(A):
    """f(x) = sum tanh(Ax) + |x|^2/2 and its gradient."""

    def f(x):
        return float(np.sum(np.tanh(A @ x)) + 0.5 * x @ x)

    def g(x):
        return A.T @ (1 - np.tanh(A @ x) ** 2) + x

    return f, g


@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-8, 1e-3, 1.0, 30.0]))
def test_correct_smooth_gradients_pass_without_kink_warnings(seed, scale):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((4, 5))
    x = scale * rng.standard_normal(5)
    f, g = smooth(A)
    res = gradcheck(f, x, g)
    assert res.passed, res.message
    assert not res.kink, res.message


def test_result_fields():
    f, g = smooth(np.eye(3))
    x = np.array([0.1, -0.2, 0.3])
    res = gradcheck(f, x, g)
    assert isinstance(res, GradcheckResult) and bool(res)
    assert res.rel_errors.shape == res.analytic.shape == res.numeric.shape == res.fd_error.shape == (3,)
    assert res.max_rel_error == res.rel_errors.max() <= 1e-7
    np.testing.assert_allclose(res.numeric, g(x), rtol=1e-8)
    np.testing.assert_array_equal(res.coords, [0, 1, 2])
    assert res.kink_coords.size == 0 and "passed" in res.message


@given(seed=st.integers(0, 2**32 - 1), rel=st.sampled_from([1e-2, 1e-4, 1e-6]))
def test_wrong_gradients_fail(seed, rel):
    """A gradient perturbed by rel (relative) in one coordinate fails, and is blamed there."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((4, 5))
    f, g = smooth(A)
    x = rng.standard_normal(5)
    i = int(rng.integers(5))

    def bad(z):
        out = g(z)
        out[i] += rel * max(abs(out[i]), 1e-3)
        return out

    res = gradcheck(f, x, bad)
    assert not res.passed
    assert int(np.argmax(res.rel_errors)) == i
    assert "FAILED" in res.message


def test_the_documented_error_measure():
    """f = x1^2 + 3 x2 with a wrong second entry: rel = |a - n| / max(|a|, |n|)."""
    res = gradcheck(lambda x: x[0] ** 2 + 3 * x[1], np.array([1.0, 2.0]), lambda x: np.array([2 * x[0], 3.3]))
    assert res.rel_errors[0] <= 1e-9
    assert res.rel_errors[1] == pytest.approx(0.3 / 3.3, rel=1e-8)


def test_kinks_are_flagged():
    f = lambda x: float(np.sum(np.abs(x)))  # noqa: E731
    g = np.sign
    x = np.array([1e-7, 0.5, -2e-6, 0.3, 0.0])  # coordinates 0, 2, 4 sit within h of the kink at 0
    res = gradcheck(f, x, g)
    np.testing.assert_array_equal(res.kink_coords, [0, 2, 4])
    assert res.kink and "possible kink" in res.message
    assert not res.passed  # 0 and 2 straddle the kink: the centered difference is wrong there
    np.testing.assert_array_equal(np.nonzero(res.rel_errors > 1e-7)[0], [0, 2])
    # away from the kink, or with a step that does not reach it, no warning
    assert not gradcheck(f, np.array([0.5, -0.3]), g).kink
    clean = gradcheck(f, x[:3], g, h=1e-9)
    assert clean.passed and not clean.kink, clean.message


@pytest.mark.parametrize("d", np.linspace(-1.4e-5, 1.4e-5, 29))
def test_every_kink_caused_failure_is_flagged(d):
    """ReLU-like kink at distance d from x: whenever the check fails, the kink is named."""
    f = lambda x: float(max(x[0] - d, 0.0) + x[0] ** 2)  # noqa: E731
    g = lambda x: np.array([float(x[0] > d) + 2 * x[0]])  # noqa: E731
    res = gradcheck(f, np.array([0.0]), g)
    assert res.passed or res.kink, res.message


def test_smooth_function_near_a_minimum_is_not_a_kink():
    """Near a minimum the one-sided slopes disagree relative to a tiny gradient, like at a
    kink; the h, h/2, h/4 scaling tells them apart."""
    f = lambda x: float(np.sum(x**2 + x**4))  # noqa: E731
    g = lambda x: 2 * x + 4 * x**3  # noqa: E731
    res = gradcheck(f, np.array([1e-9, 0.0, 1e-4, 3.0]), g)
    assert res.passed and not res.kink, res.message


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_one_sided_methods(method):
    f, g = smooth(np.array([[1.0, 2.0], [0.5, -1.0]]))
    x = np.array([0.3, -0.7])
    res = gradcheck(f, x, g, method=method, rtol=1e-5)
    assert res.passed, res.message
    assert np.abs(res.numeric - g(x)).max() > 1e-10  # really one-sided: O(h) error, not centered's O(h^2)


def test_float32_input_warns_and_is_checked_in_float64():
    f, g = smooth(np.eye(2))
    with pytest.warns(UserWarning, match="float32"):
        res = gradcheck(f, np.array([0.25, -0.5], dtype=np.float32), g)
    assert res.passed and "float32" in res.message


def test_problem_as_f_coords_and_top_level_export():
    mlp = MLP((2, 3, 2), "tanh", "cross_entropy")
    rng = np.random.default_rng(0)
    pr = NetProblem(mlp, rng.standard_normal((4, 2)), np.array([0, 1, 1, 0]))
    w = mlp.init_params(1)
    res = theorykit.gradcheck(pr, w, coords=[0, 5, 16])
    assert res.passed, res.message
    np.testing.assert_array_equal(res.coords, [0, 5, 16])
    np.testing.assert_allclose(res.analytic, pr.grad(w)[[0, 5, 16]])


def test_matrix_shaped_x():
    f = lambda X: float(np.sum(X**3))  # noqa: E731
    res = gradcheck(f, np.arange(6.0).reshape(2, 3) / 7, lambda X: 3 * X**2)
    assert res.passed and res.rel_errors.shape == (6,)


def test_nan_in_perturbed_evaluations_fails():
    f = lambda x: float(np.log(x[0]))  # noqa: E731  (NaN at x - h < 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gradcheck(f, np.array([1e-7]), lambda x: 1 / x)
    assert not res.passed and np.isinf(res.max_rel_error)


# ---------------------------------------------------------------------------
# gradcheck_hvp


class ScaledHVP:
    """A mutant: the net's HVP times (1 + rel)."""

    def __init__(self, problem, rel):
        self.problem, self.rel = problem, rel

    def grad(self, w):
        return self.problem.grad(w)

    def hvp(self, w, v):
        return (1 + self.rel) * self.problem.hvp(w, v)


def test_gradcheck_hvp_passes_and_catches_mutants():
    mlp = MLP((3, 6, 2), "gelu", "mse", "layer")
    rng = np.random.default_rng(4)
    pr = NetProblem(mlp, rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    w, v = mlp.init_params(2), rng.standard_normal(mlp.num_params)
    ok = gradcheck_hvp(pr, w, v)
    assert ok.passed and ok.rel_errors.shape == (mlp.num_params,), ok.message
    assert np.abs(ok.numeric - ok.analytic).max() <= 1e-6 * np.abs(ok.analytic).max()
    for rel in (1e-2, 1e-4):
        assert not gradcheck_hvp(ScaledHVP(pr, rel), w, v).passed


def test_gradcheck_hvp_flags_relu_kinks_with_a_large_step():
    mlp = MLP((2, 8, 1), "relu", "mse")
    rng = np.random.default_rng(0)
    pr = NetProblem(mlp, rng.standard_normal((6, 2)), rng.standard_normal(6))
    w, v = mlp.init_params(0), rng.standard_normal(mlp.num_params)
    res = gradcheck_hvp(pr, w, v, h=0.3)  # moves pre-activations by O(1): crosses kinks
    assert res.kink and not res.passed and "possible kink" in res.message


# ---------------------------------------------------------------------------
# errors


def test_bad_input_names_the_argument():
    f, g = smooth(np.eye(2))
    x = np.zeros(2)
    mlp = MLP((2, 2), "linear", "mse")
    pr = NetProblem(mlp, np.ones((3, 2)), np.ones((3, 2)))
    cases = [
        (lambda: gradcheck(f, x), "grad"),
        (lambda: gradcheck(3.0, x, g), "f"),
        (lambda: gradcheck(f, x, "g"), "grad"),
        (lambda: gradcheck(f, x, g, method="complex-step"), "method"),
        (lambda: gradcheck(f, x, g, rtol=0), "rtol"),
        (lambda: gradcheck(f, x, g, rtol="tight"), "rtol"),
        (lambda: gradcheck(f, x, g, h=-1e-6), "h"),
        (lambda: gradcheck(f, x, g, h=float("nan")), "h"),
        (lambda: gradcheck(f, np.array([np.nan, 0.0]), g), "x"),
        (lambda: gradcheck(f, x, lambda z: np.zeros(3)), "grad"),
        (lambda: gradcheck(lambda z: z, x, g), "f"),
        (lambda: gradcheck(lambda z: np.inf, x, g), "f"),
        (lambda: gradcheck(f, x, g, coords=[0, 2]), "coords"),
        (lambda: gradcheck(f, x, g, coords=[0.5]), "coords"),
        (lambda: gradcheck_hvp(object(), x, x), "problem"),
        (lambda: gradcheck_hvp(pr, np.zeros(mlp.num_params), np.zeros(mlp.num_params)), "v"),
        (lambda: gradcheck_hvp(pr, np.zeros(mlp.num_params), np.ones(2)), "v"),
    ]
    for call, argument in cases:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.argument == argument, str(err.value)
