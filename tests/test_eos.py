"""Edge-of-stability training runs (theorykit.numeric.eos) and the eos.* claims."""
import os
import math

import numpy as np
import pytest

from proofs.eos import tanh_mlp as eos
from theorykit.errors import InputError
from theorykit.numeric.eos import TrainConfig, chebyshev_problem, top_eigenpair, train
from theorykit.numeric.sharpness import sharpness


def test_chebyshev_targets():
    prob = chebyshev_problem(width=4, points=5, degree=4)
    x = np.asarray(prob.X)[:, 0]
    y = np.asarray(prob.T)[:, 0]
    assert np.allclose(x, [-1, -0.5, 0, 0.5, 1])
    assert np.allclose(y, 8 * x**4 - 8 * x**2 + 1)  # T_4
    assert prob.dim == 3 * 4 + 1


@pytest.mark.parametrize("bad, arg", [({"width": 0}, "width"), ({"points": -1}, "points"), ({"degree": 1.5}, "degree")])
def test_chebyshev_bad_input(bad, arg):
    with pytest.raises(InputError, match=arg):
        chebyshev_problem(**bad)


@pytest.mark.parametrize("bad", [{"method": "sgd"}, {"lr": -0.1}, {"beta": 1.0}, {"steps": 0}])
def test_train_bad_config(bad):
    with pytest.raises(InputError, match="config"):
        train(TrainConfig(**bad))
    with pytest.raises(InputError, match="config"):
        train({"lr": 0.1})


def test_top_eigenpair_matches_dense_hessian():
    prob = chebyshev_problem(width=6)
    w = np.asarray(prob.mlp.init_params(3))
    lam, u = top_eigenpair(prob, w)
    H = np.asarray(prob.hessian(w))
    vals = np.linalg.eigvalsh(H)
    assert lam == pytest.approx(vals[-1], rel=1e-8)
    assert np.linalg.norm(H @ u - lam * u) < 1e-6 * lam


def test_stable_run_is_monotone_and_below_threshold():
    """Far below the edge (eta * sharpness < 1): monotone loss, no period-two flips, cached."""
    cfg = TrainConfig(width=8, lr=0.05, steps=200, every=50, track_flips=True)
    r = train(cfg)
    assert train(cfg) is r
    assert not r.diverged and r.loss.shape == (201,)
    assert np.all(np.diff(r.loss) <= 0)
    assert np.all(r.sharpness * cfg.lr < 1)
    assert np.nanmax(r.flips) < 0.05  # at most one sign change of the drift's curvature per 50-step block
    assert r.sample_steps.tolist() == [0, 50, 100, 150]


def test_adam_records_preconditioned_sharpness():
    """The recorded Adam value is lambda_1(P^-1 H), not lambda_1(H): recompute it at the end."""
    cfg = TrainConfig(width=8, method="adam", beta=0.9, lr=1e-3, steps=1, every=1)
    r = train(cfg)
    prob = chebyshev_problem(8)
    w0 = np.asarray(prob.mlp.init_params(0, cfg.init_scale))
    g = np.asarray(prob.grad(w0))
    P = (1 - 0.9) * (np.sqrt((1 - cfg.beta2) * g * g / (1 - cfg.beta2)) + cfg.eps)
    assert r.sharpness[0] == pytest.approx(sharpness(prob, w0, preconditioner=P), rel=1e-8)
    assert r.sharpness[0] > 10 * sharpness(prob, w0)


def test_divergence_is_reported():
    r = train(TrainConfig(width=8, lr=50.0, steps=100, every=100))
    assert r.diverged and r.loss.shape[0] < 101


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE") != "thorough", reason="tests/test_catalog.py verifies every claim at the default budget; this re-run is the thorough profile only")
@pytest.mark.parametrize("claim", eos.CLAIMS, ids=[c.id for c in eos.CLAIMS])
def test_claim_verifies(claim):
    assert claim.sources and all(s.arxiv or s.doi for s in claim.sources)  # references come from sources=
    res = claim.verify(max_examples=2)
    assert res.derivation_status == "proved", res.message
    assert all(c.passed for c in res.checks), [(c.name, c.message) for c in res.checks]
    assert res.mutants and all(m.refuted for m in res.mutants), [(m.name, m.message) for m in res.mutants]
    assert res.status == "verified"


def test_measured_sharpness_is_at_the_edge():
    """The canonical GD run: sharpness within 5% of 2/eta over its last third, and it started below."""
    p = eos._GD_CI[0]
    r = eos._gd_run(p)
    late = r.sharpness[eos._late(r)]
    assert np.all(np.abs(late * p["lr"] / 2 - 1) < 0.05)
    assert r.sharpness[0] * p["lr"] / 2 < 0.5
    assert math.isclose(np.nanmean(r.flips[eos._late(r)]), 1.0, rel_tol=0.05)
