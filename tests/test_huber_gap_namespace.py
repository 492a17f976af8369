"""momentum.nesterov_rate's Huber search runs FISTA on Huber1D with plain NumPy as the namespace
(a fast clip); the gaps must be those of the default (array_api_compat) namespace, bit for bit."""
import pytest

import theorykit.numeric.problems as problems
from proofs.momentum.accelerated import _convex_gap_huber


@pytest.mark.parametrize("L_v, R_v, N_v", [(1.0, 1.0, 10), (0.37, 4.2, 3), (7.5, 0.2, 20), (2.0, 9.0, 1)])
def test_huber_gap_equals_the_default_namespace(monkeypatch, L_v, R_v, N_v):
    params = {"L": L_v, "R": R_v, "N": N_v}
    fast = _convex_gap_huber(params, None)
    default = problems.Huber1D

    class DefaultNamespaceHuber(default):
        def __init__(self, L, delta, *, xp=None):  # whatever namespace is asked for, the default one
            super().__init__(L, delta)
            assert self.xp is not __import__("numpy")

    monkeypatch.setattr(problems, "Huber1D", DefaultNamespaceHuber)
    assert _convex_gap_huber(params, None) == fast
