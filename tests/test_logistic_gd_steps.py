"""logistic_gd moves the step's halvings onto Z and lr (exact powers of two); its iterates must
be those of the step written plainly, bit for bit, on the implicit.max_margin data."""
import numpy as np
import pytest

from theorykit.numeric.implicit_bias import logistic_gd


def plain_logistic_gd(X, y, lr, times):
    Z = X * y[:, None]
    w, out, t = np.zeros(X.shape[1]), [], 0
    for target in times:
        while t < target:
            weight = 0.5 - 0.5 * np.tanh(0.5 * (Z @ w))
            w = w + lr * (Z.T @ weight)
            t += 1
        out.append(w)
    return np.stack(out)


@pytest.mark.parametrize("seed", range(4))
def test_logistic_gd_equals_the_plain_step(seed):
    rng = np.random.default_rng(seed)
    g, h1, h2 = 0.5, rng.uniform(0.6, 2.0), rng.uniform(0.6, 2.0)
    Z = [[g, h1], [g, -h2]] + [[abs(rng.standard_normal()) + 3 * g, rng.standard_normal()] for _ in range(seed)]
    Z = np.asarray(Z)
    y = rng.choice([-1.0, 1.0], size=Z.shape[0])
    X = Z * y[:, None]
    lr = (0.1, 0.5, 0.2, 1.7)[seed]
    times = [0, 1, 7, 500, 3000]
    np.testing.assert_array_equal(logistic_gd(X, y, lr, times).w, plain_logistic_gd(X, y, lr, times))
    Xr = rng.standard_normal((9, 4))  # generic data too (not separable: the weights stay O(1))
    yr = rng.choice([-1.0, 1.0], size=9)
    np.testing.assert_array_equal(logistic_gd(Xr, yr, 0.3, [5, 400]).w, plain_logistic_gd(Xr, yr, 0.3, [5, 400]))
