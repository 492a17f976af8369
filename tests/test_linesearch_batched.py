"""proofs.linesearch backtracks every (start, eta0) pair in one batched loop; the measured values
must be those of the plain per-pair loop, bit for bit."""
from types import SimpleNamespace

import numpy as np
import pytest

from proofs._util import rotated_quadratic
from proofs.linesearch import _decrease_ratio, _smallest_accepted


def plain_backtrack(f, grad, x, step0, c_, rho_):
    g = grad(x)
    fx, gg = f(x), float(g @ g)
    step = step0
    while f(x - step * g) > fx - c_ * step * gg:
        step *= rho_
    return step, fx - f(x - step * g), gg


def plain_measures(params, seed):
    rng = np.random.default_rng(seed)
    prob, q = rotated_quadratic(params["eigenvalues"], rng, np)
    top = q[:, int(np.argmax(params["eigenvalues"]))]
    starts = [top * 2.0] + list(rng.standard_normal((8, prob.dim)))
    A, b = np.asarray(prob.A), np.asarray(prob.b)
    f = lambda x: float(0.5 * np.sum(x * np.matmul(x, A), axis=-1) - np.sum(x * b, axis=-1))  # noqa: E731
    grad = lambda x: np.matmul(x, A) - b  # noqa: E731
    L_, c_, rho_ = max(params["eigenvalues"]), params["c"], params["rho"]
    smallest = min(plain_backtrack(f, grad, x, s0, c_, rho_)[0]
                   for x in starts[:4] for s0 in np.geomspace(2.0 / L_, 2e3 / L_, 150))
    ratios = []
    for x in starts:
        for s0 in np.geomspace(0.1 / L_, 1e3 / L_, 20):
            step, drop, gg = plain_backtrack(f, grad, x, s0, c_, rho_)
            ratios.append(drop / (c_ * step * gg))
    return float(smallest), float(min(ratios))


@pytest.mark.parametrize("seed", range(5))
def test_batched_backtracking_equals_the_plain_loop(seed):
    rng = np.random.default_rng(100 + seed)
    d = int(rng.integers(1, 6))
    params = {"eigenvalues": tuple(sorted(np.round(rng.uniform(0.1, 10.0, d), 3))),
              "c": round(float(rng.uniform(0.01, 0.9)), 3), "rho": round(float(rng.uniform(0.1, 0.9)), 3)}
    ctx = lambda: SimpleNamespace(rng=np.random.default_rng(seed))  # noqa: E731
    assert (_smallest_accepted(params, ctx()), _decrease_ratio(params, ctx())) == plain_measures(params, seed)
