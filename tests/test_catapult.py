"""The catapult model (theorykit.numeric.catapult) and the claim catapult.regimes."""
import os
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs import catapult
from theorykit.errors import InputError
from theorykit.numeric.catapult import (
    divergence_boundary,
    initial_params,
    run_catapult,
    spike_boundary,
)


@given(n=st.integers(4, 300), f0=st.floats(-2, 2), lam0=st.floats(0.5, 5), x=st.floats(0.3, 2))
def test_initial_params_hit_f0_and_lam0(n, f0, lam0, x):
    if not abs(f0) * x < lam0 * math.sqrt(n) / 2:
        with pytest.raises(InputError, match="f0"):
            initial_params(n, f0, lam0, x, np.random.default_rng(0))
        return
    u, v = initial_params(n, f0, lam0, x, np.random.default_rng(0))
    r = run_catapult(u, v, x, 1e-3, 1)
    assert r.f[0] == pytest.approx(f0, rel=1e-9, abs=1e-9)
    assert r.lam[0] == pytest.approx(lam0, rel=1e-9)


def test_bad_input_names_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match="n"):
        initial_params(1, 0.5, 1.0, 1.0, rng)
    with pytest.raises(InputError, match="lam0"):
        initial_params(64, 0.5, -1.0, 1.0, rng)
    u, v = initial_params(64, 0.5, 1.0, 1.0, rng)
    with pytest.raises(InputError, match="lr"):
        run_catapult(u, v, 1.0, 0.0, 10)
    with pytest.raises(InputError, match="steps"):
        run_catapult(u, v, 1.0, 0.1, 0)
    with pytest.raises(InputError, match="v"):
        run_catapult(u, v[:-1], 1.0, 0.1, 3)


@pytest.mark.parametrize("h", [0.5, 1.5, 2.5, 3.5, 4.5])
def test_regimes_by_running(h):
    """The three regimes, seen directly in runs on a wide network."""
    n, lam0 = 2048, 2.0
    u, v = initial_params(n, 1.0, lam0, 1.0, np.random.default_rng(1))
    r = run_catapult(u, v, 1.0, h / lam0, 1500)
    if h < 2:  # lazy: monotone loss, lam barely moves
        above_floor = r.loss[:-1] > 1e-24 * r.loss[0]  # f ~ 1e-16 is round-off: its sign then flips at random
        assert not r.diverged and np.all(np.diff(r.loss)[above_floor] <= 0)
        assert abs(r.lam[-1] / lam0 - 1) < 1e-2
    elif h < 4:  # catapult: spike, then converge with eta lam below 2
        assert not r.diverged and r.loss.max() > 10 * r.loss[0] and r.loss[-1] < 1e-10 * r.loss[0]
        assert h / lam0 * r.lam[-1] < 2
    else:
        assert r.diverged


def test_boundaries_are_2_and_4_in_the_wide_limit():
    for n in (256, 4096):
        u, v = initial_params(n, 1.0, 2.0, 1.0, np.random.default_rng(2))
        c = 1.0 / (n * 4.0)
        assert spike_boundary(u, v, 1.0) == pytest.approx(4 / (1 + math.sqrt(1 - 8 * c)), rel=1e-6)
        assert divergence_boundary(u, v, 1.0, steps=200) == pytest.approx(4.0, rel=1e-6)
    # the finite-n offset of the spike boundary shrinks like 1/n
    offs = []
    for n in (256, 1024):
        u, v = initial_params(n, 1.0, 2.0, 1.0, np.random.default_rng(3))
        offs.append(spike_boundary(u, v, 1.0) - 2)
    assert offs[0] / offs[1] == pytest.approx(4.0, rel=1e-2)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE") != "thorough", reason="tests/test_catalog.py verifies every claim at the default budget; this re-run is the thorough profile only")
def test_claim_verifies_and_refutes_every_mutant():
    res = catapult.CATAPULT_REGIMES.verify(max_examples=4)
    assert res.status == "verified", res.message
    assert all(c.passed for c in res.checks)
    assert all(m.refuted for m in res.mutants)
    assert {m.name for m in res.mutants} >= {"h_spike = 3", "h_div = 3", "h_final = h"}


def test_catapult_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.report import figures_dynamics

    out = figures_dynamics.catapult_dynamics(tmp_path / "catapult.png", n=256, steps=30)
    assert out.exists() and out.stat().st_size > 1000
    assert set(figures_dynamics.FIGURES) == {"eos.gd_sharpness", "centralflow.gd", "catapult.regimes"}
    with pytest.raises(InputError, match="path"):
        figures_dynamics.catapult_dynamics(tmp_path / "catapult.txt")


def test_run_catapult_is_array_api_generic():
    """The same run from array_api_strict arrays (no NumPy-only calls) as from NumPy arrays."""
    xps = pytest.importorskip("array_api_strict")
    u, v = initial_params(64, 0.5, 1.0, 1.0, np.random.default_rng(0))
    a = run_catapult(u, v, 1.0, 1.2, 20)
    b = run_catapult(xps.asarray(u), xps.asarray(v), 1.0, 1.2, 20)
    assert np.array_equal(a.f, b.f) and np.array_equal(a.lam, b.lam)
