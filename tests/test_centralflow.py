"""Central flow numerics (theorykit.numeric.centralflow) and the claim centralflow.gd."""
import numpy as np
import pytest

from proofs import centralflow
from theorykit.errors import InputError
from theorykit.numeric.centralflow import compare_flows, flow, gd_path, grad_sharpness
from theorykit.numeric.eos import chebyshev_problem, top_eigenpair


@pytest.fixture(scope="module")
def small():
    prob = chebyshev_problem(width=8)
    return prob, np.asarray(prob.mlp.init_params(0))


def test_grad_sharpness_matches_differences_of_lanczos_sharpness(small):
    """<grad S, v> from the HVP difference = (S(w + d v) - S(w - d v)) / (2d) from Lanczos."""
    prob, w = small
    _, u = top_eigenpair(prob, w, tol=1e-12)
    g, err = grad_sharpness(prob, w, u)
    assert err < 1e-6
    rng = np.random.default_rng(0)
    for _ in range(3):
        v = rng.standard_normal(w.size)
        v /= np.linalg.norm(v)
        d = 1e-4
        fd = (top_eigenpair(prob, w + d * v, tol=1e-12)[0] - top_eigenpair(prob, w - d * v, tol=1e-12)[0]) / (2 * d)
        assert g @ v == pytest.approx(fd, rel=1e-4, abs=1e-7)


def test_gradient_flow_decreases_the_loss_and_matches_small_step_gd(small):
    prob, w = small
    gf = flow(prob, w, 0.01, 50.0, central=False, t_eval=np.linspace(0, 50, 6), rtol=1e-8, atol=1e-10)
    assert np.all(np.diff(gf.loss) < 0)
    assert np.all(gf.sigma2 == 0)
    # GD with a tiny step is a first-order discretization of the same flow
    path = gd_path(prob, w, 0.01, 50)
    assert np.linalg.norm(path.w[-1] - gf.w[-1]) < 1e-2 * np.linalg.norm(path.w[-1] - w)


def test_central_flow_holds_sharpness_at_two_over_eta(small):
    """With eta so large that 2/eta is below the initial sharpness, sigma^2 > 0 drives S down to 2/eta."""
    prob, w = small
    S0 = top_eigenpair(prob, w)[0]
    lr = 2 / (0.8 * S0)
    cf = flow(prob, w, lr, 60.0, central=True, t_eval=np.linspace(0, 60, 7))
    assert cf.sigma2[0] > 0
    assert cf.sharpness[-1] == pytest.approx(2 / lr, rel=1e-3)
    assert np.all(cf.predicted_loss >= cf.loss)


def test_bad_input(small):
    prob, w = small
    with pytest.raises(InputError, match="lr"):
        flow(prob, w, -1.0, 10.0)
    with pytest.raises(InputError, match="t_end"):
        flow(prob, w, 0.1, 0)
    with pytest.raises(InputError, match="steps"):
        gd_path(prob, w, 0.1, 0)


def test_claim_verifies():
    claim = centralflow.CENTRAL_FLOW_GD
    assert "References:" not in claim.doc and claim.sources[0].arxiv == "2410.24206"  # generated from sources
    # verified (with every mutant refuted) in tests/test_catalog.py, not re-run here
    c = compare_flows(**{k: centralflow._CI[0][k] for k in ("width", "lr", "net_seed", "window")})
    assert c is compare_flows(**{k: centralflow._CI[0][k] for k in ("width", "lr", "net_seed", "window")})
    # the central flow sits on S = 2/eta once active; gradient flow climbs past it
    assert c.central.sharpness.max() <= 2 / 0.4 * (1 + 1e-3)
    assert c.gradient.sharpness[-1] > 1.2 * 2 / 0.4
