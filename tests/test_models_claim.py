"""eos.digits_gd: registered in the eos family, and JAX and PyTorch runs agree.

(tests/test_catalog.py verifies the claim itself: checks pass, mutants refuted.)"""
from __future__ import annotations

import numpy as np
import pytest

from theorykit.claims import registry


def test_registered_in_the_eos_family():
    claim = registry.get_claim("eos.digits_gd")
    assert claim.family == "eos"
    assert {c.id for c in registry.claims("eos.*")} >= {"eos.gd_sharpness", "eos.digits_gd"}
    assert {m.name for m in claim.mutants} >= {"S_eos = 1/eta", "S_low >= 19/(10*eta)"}
    archs = {e["arch"] for e in claim.checks[0].examples}
    assert archs == {"mlp", "cnn"}


def test_jax_and_torch_training_runs_agree():
    """The same digits MLP trained by GD in both frameworks: equal losses and sharpness, step for step."""
    pytest.importorskip("jax", reason="needs JAX: pip install 'theorykit[jax]'")
    pytest.importorskip("torch", reason="needs PyTorch: pip install 'theorykit[torch]'")
    from theorykit.models import digits_problem, run_eos

    runs = {}
    for fw in ("jax", "torch"):
        p = digits_problem("mlp", fw, n=64, width=16)
        runs[fw] = run_eos(p, p.w0, lr=0.05, steps=200, every=50)
    a, b = runs["jax"], runs["torch"]
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-10)
    np.testing.assert_allclose(a.sharpness, b.sharpness, rtol=1e-7)
    np.testing.assert_allclose(a.w_final, b.w_final, rtol=1e-8, atol=1e-12)
