"""from_torch keeps the gradient graph of the last w for the HVPs at that w (PyHessian style)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs PyTorch (the 'torch' extra)")

from theorykit.models import digits_problem  # noqa: E402


def test_torch_hvp_reuse_matches_a_fresh_problem_and_follows_w_changed_in_place():
    a = digits_problem("mlp", "torch", n=32, width=8)
    rng = np.random.default_rng(0)
    w = a.w0.copy()
    vs = [rng.standard_normal(a.dim) for _ in range(3)]
    first = [a.hvp(w, v) for v in vs]  # the 2nd and 3rd reuse the graph built by the 1st
    fresh = digits_problem("mlp", "torch", n=32, width=8)
    for v, got in zip(vs, first):
        np.testing.assert_array_equal(got, fresh.hvp(w, v))
        fresh = digits_problem("mlp", "torch", n=32, width=8)  # a new problem: no graph to reuse
    w += 0.1 * rng.standard_normal(a.dim)  # in place: the kept graph must not be used
    moved = a.hvp(w, vs[0])
    np.testing.assert_array_equal(moved, digits_problem("mlp", "torch", n=32, width=8).hvp(w, vs[0]))
    assert not np.allclose(moved, first[0])
    # the gradient after HVPs is unaffected by the kept graph
    np.testing.assert_array_equal(a.grad(w), fresh.grad(w))
