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


def test_profile_claim_mode_reads_what_the_claim_checks():
    """benchmarks/profile_digits_full.py --claim (the source of docs/models.md's full-size numbers) reads
    the same five values from a run as eos.digits_gd's checks measure (here a small MLP run that reaches
    the edge), each as a multiple of 2/eta. The trace is the claim's own run (its runner call is the
    one claim_run makes), so this pins the reading, not a second training run."""
    pytest.importorskip("jax", reason="needs JAX: pip install 'theorykit[jax]'")
    import importlib.util
    from pathlib import Path

    from proofs.eos import digits as ed
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "profile_digits_full.py"
    spec = importlib.util.spec_from_file_location("profile_digits_full", path)
    prof = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(prof)
    cfg = {"arch": "mlp", "n": 128, "depth": 2, "width": 32, "lr": 0.065, "steps": 500, "framework": "jax"}
    got = prof.claim_values(ed._run(cfg))
    thr = 2 / 0.065
    assert got["reached_step"] is not None  # the plateau is defined: the comparison below is not NaN == NaN
    want = {"plateau_mean": ed._m_plateau(cfg, None) / thr, "late_max": ed._m_late_max(cfg, None) / thr,
            "late_min": ed._m_late_min(cfg, None) / thr,
            "lowest_before_edge": ed._m_lowest_before_edge(cfg, None) / thr, "loss_trend": ed._m_loss_trend(cfg, None)}
    for k, v in want.items():
        assert np.isfinite(v) and got[k] == pytest.approx(v, rel=1e-12), k
