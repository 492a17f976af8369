"""The probes against known values. The tests may state the formulas; the probes
never use them (they bisect on runs and take n-th roots of run lengths)."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorykit import probes
from theorykit.errors import InputError
from theorykit.numeric.methods import run
from theorykit.numeric.problems import random_quadratic, random_quadratics
from theorykit.strategies import spectra


def rel(a, b):
    return abs(a - b) / abs(b)


# -- stability thresholds -----------------------------------------------------


def test_gd_threshold_is_two_over_L():
    assert rel(probes.stability_threshold("gd", [1.0, 2.0, 4.0]), 0.5) < 1e-6


@pytest.mark.parametrize("beta", [0.0, 0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("L", [0.3, 4.0])
def test_heavy_ball_and_nesterov_thresholds(beta, L):
    eig = [L / 7, L / 2, L]
    hb = probes.stability_threshold("heavy_ball", eig, momentum=beta)
    nag = probes.stability_threshold("nesterov", eig, momentum=beta)
    assert rel(hb, 2 * (1 + beta) / L) < 1e-6
    assert rel(nag, 2 * (1 + beta) / ((1 + 2 * beta) * L)) < 1e-6


@settings(max_examples=10)
@given(spectra(dim=(1, 6), L=(0.01, 100.0), kappa=(1.0, 1e4)))
def test_gd_threshold_over_random_spectra(eig):
    assert rel(probes.stability_threshold("gd", eig), 2 / eig[-1]) < 1e-6


def test_threshold_batched_equals_loop_and_returns_array():
    rng = np.random.default_rng(0)
    eig = np.sort(rng.uniform(0.1, 5.0, size=(6, 4)), axis=1)
    betas = np.linspace(0.0, 0.9, 6)
    batched = probes.stability_threshold("heavy_ball", eig, momentum=betas)
    assert isinstance(batched, np.ndarray) and batched.shape == (6,)
    for i in range(6):
        single = probes.stability_threshold("heavy_ball", eig[i], momentum=float(betas[i]))
        assert isinstance(single, float)
        assert rel(single, float(batched[i])) < 1e-6


def test_threshold_on_full_rotated_matrices_matches_eigen_version():
    eig = np.array([[0.5, 1.0, 3.0], [0.2, 0.2, 8.0]])
    bq = random_quadratics(eig, rng=np.random.default_rng(1))
    dense = probes.stability_threshold_matrix("nesterov", bq.A, momentum=0.3)
    fast = probes.stability_threshold("nesterov", eig, momentum=0.3)
    assert np.all(np.abs(dense / fast - 1) < 1e-6)
    single = probes.stability_threshold_matrix("gd", bq.A[1])
    assert rel(single, 2 / 8.0) < 1e-6


def test_threshold_edge_cases():
    # a flat direction never diverges under GD; a negative one always does
    assert probes.stability_threshold("gd", [0.0, 0.0]) == math.inf
    assert probes.stability_threshold("gd", [-1.0, 2.0]) == 0.0
    # coarser rtol is honoured
    assert rel(probes.stability_threshold("gd", [2.0], rtol=1e-3), 1.0) < 1e-3


def test_threshold_is_a_boundary_of_runs():
    """Just below the measured threshold an actual run stays bounded; just above it blows up."""
    q = random_quadratic([0.3, 1.0, 2.0], rng=np.random.default_rng(2))
    eta = probes.stability_threshold("heavy_ball", [0.3, 1.0, 2.0], momentum=0.5)
    x0 = np.ones(3)
    below = run("heavy_ball", q, x0, eta * (1 - 1e-2), 3000, momentum=0.5, record=("dist",))
    above = run("heavy_ball", q, x0, eta * (1 + 1e-2), 3000, momentum=0.5, record=("dist",))
    assert float(below.dist[-1]) <= 10 * float(below.dist[0])
    assert float(above.dist[-1]) > 1e3 * float(above.dist[0])


def test_bounded_probe():
    assert probes.bounded("gd", [2.0], 0.999) is True
    assert not probes.bounded("gd", [2.0], 1.001)
    grid = probes.bounded("gd", np.array([[2.0], [2.0]]), np.array([0.5, 1.5]))
    assert list(grid) == [True, False]


# -- linear rates --------------------------------------------------------------


@pytest.mark.parametrize("kappa", [1.0, 2.0, 10.0, 1e3])
def test_gd_rate_with_optimal_step(kappa):
    mu, L = 0.5, 0.5 * kappa
    eig = np.geomspace(mu, L, 5)
    rate = probes.linear_rate("gd", eig, 2 / (mu + L))
    assert abs(rate - (kappa - 1) / (kappa + 1)) < 1e-8


@pytest.mark.parametrize("kappa", [4.0, 10.0, 1e4])
def test_heavy_ball_rate_with_optimal_parameters(kappa):
    # Polyak's tuning: the complex-root regime (interior eigenvalues) and Jordan
    # blocks at mu and L, the hardest case for an n-th root.
    mu, L = 1.0, kappa
    eta = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    rate = probes.linear_rate("heavy_ball", np.geomspace(mu, L, 7), eta, momentum=beta)
    assert rel(rate, (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) < 1e-7


@pytest.mark.parametrize("h", [0.01, 0.3, 0.9])
def test_heavy_ball_rate_at_critical_damping(h):
    lam, eta = 2.0, h / 2.0
    beta = (1 - math.sqrt(eta * lam)) ** 2
    rate = probes.linear_rate("heavy_ball", [lam], eta, momentum=beta)
    assert rel(rate, 1 - math.sqrt(eta * lam)) < 1e-7


@pytest.mark.parametrize("kappa", [4.0, 100.0])
def test_nesterov_rate_strongly_convex_tuning(kappa):
    mu, L = 1.0, kappa
    beta = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    rate = probes.linear_rate("nesterov", np.geomspace(mu, L, 6), 1 / L, momentum=beta)
    assert rel(rate, 1 - 1 / math.sqrt(kappa)) < 1e-7


def test_rate_agrees_with_a_plain_trajectory():
    """Cross-check with run(): the error ratio over a window of an explicit
    trajectory on a rotated quadratic."""
    eig = np.array([0.5, 1.0, 2.0])
    q = random_quadratic(eig, rng=np.random.default_rng(3))
    eta, beta = 0.4, 0.3
    traj = run("heavy_ball", q, np.ones(3), eta, 400, momentum=beta, record=("dist",))
    measured = (traj.dist[400] / traj.dist[200]) ** (1 / 200)
    assert rel(probes.linear_rate("heavy_ball", eig, eta, momentum=beta), float(measured)) < 1e-3


def test_rate_non_convergent_and_exact():
    assert probes.linear_rate("gd", [1.0], 3.0) == pytest.approx(2.0, rel=1e-9)
    assert probes.linear_rate("gd", [1.0, 0.0], 0.5) == pytest.approx(1.0, rel=1e-9)
    assert probes.linear_rate("gd", [1.0], 1.0) == 0.0  # one step reaches the minimiser
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert probes.linear_rate("gd", [1e300], 1e300) == math.inf


def test_rate_batched_with_arrays_of_lr_and_momentum():
    eig = np.array([[1.0, 4.0], [1.0, 4.0], [2.0, 3.0]])
    lrs = np.array([0.1, 0.2, 0.3])
    moms = np.array([0.0, 0.4, 0.8])
    out = probes.linear_rate("nesterov", eig, lrs, momentum=moms)
    assert out.shape == (3,)
    for i in range(3):
        single = probes.linear_rate("nesterov", eig[i], float(lrs[i]), momentum=float(moms[i]))
        assert rel(single, float(out[i])) < 1e-9


def test_probes_are_reproducible_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = probes.stability_threshold("heavy_ball", [1.0, 3.0], momentum=0.7, seed=5)
        b = probes.stability_threshold("heavy_ball", [1.0, 3.0], momentum=0.7, seed=5)
        r = probes.linear_rate("heavy_ball", [1.0, 3.0], 1e3, momentum=0.7)
    assert a == b and r > 1


# -- validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "call, arg, fragment",
    [
        (lambda: probes.stability_threshold("sgd", [1.0]), "method", "gd, heavy_ball, nesterov"),
        (lambda: probes.linear_rate("gd", [1.0], 0.0), "lr", "> 0"),
        (lambda: probes.linear_rate("gd", [1.0], -0.1), "lr", "> 0"),
        (lambda: probes.linear_rate("gd", [1.0], math.inf), "lr", "NaN or inf"),
        (lambda: probes.linear_rate("gd", [1.0, math.nan], 0.1), "eigenvalues", "NaN or inf"),
        (lambda: probes.stability_threshold("gd", [[[1.0]]]), "eigenvalues", "dimension"),
        (lambda: probes.stability_threshold("gd", []), "eigenvalues", "empty"),
        (lambda: probes.stability_threshold("heavy_ball", [1.0], momentum=1.0), "momentum", "[0, 1)"),
        (lambda: probes.stability_threshold("nesterov", [1.0], momentum=-0.5), "momentum", "[0, 1)"),
        (lambda: probes.stability_threshold("gd", [1.0], momentum=0.5), "momentum", "gd"),
        (lambda: probes.stability_threshold("gd", [1.0], rtol=0.0), "rtol", "[1e-10, 1)"),
        (lambda: probes.stability_threshold("gd", [1.0], steps=0), "steps", ">= 1"),
        (lambda: probes.stability_threshold("gd", [1.0], backend="tensorflow"), "backend", "numpy"),
        (lambda: probes.linear_rate("gd", [1.0], np.array([0.1, 0.2])), "lr", "one value per problem"),
        (lambda: probes.stability_threshold("gd", [1.0], seed=1.5), "seed", "integer"),
        (lambda: probes.stability_threshold_matrix("gd", [[1.0, 2.0], [0.0, 1.0]]), "A", "symmetric"),
    ],
)
def test_probe_validation(call, arg, fragment):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.argument == arg and fragment in str(err.value)


def _root_radius(method, h, beta):
    """Spectral radius of the method's per-direction characteristic polynomial (h = lr*lambda)."""
    if method == "heavy_ball":
        coeffs = [1.0, -(1 + beta - h), beta]
    else:
        coeffs = [1.0, -(1 + beta) * (1 - h), beta * (1 - h)]
    return float(np.max(np.abs(np.roots(coeffs))))


@given(
    method=st.sampled_from(["heavy_ball", "nesterov"]),
    h=st.floats(1e-3, 4.0),
    beta=st.floats(0.0, 0.99),
)
def test_rate_matches_the_characteristic_roots_in_every_regime(method, h, beta):
    # real roots, complex roots and (nearly) double roots alike
    rate = probes.linear_rate(method, [1.0], h, momentum=beta)
    radius = _root_radius(method, h, beta)
    # np.roots itself is only sqrt(eps)-accurate at a double root
    assert abs(rate - radius) <= 1e-6 * max(radius, 1e-3)


def test_rate_at_an_exact_double_root_sweep():
    betas = np.linspace(0.0, 0.95, 20)
    lam = 1.0
    lrs = (1 - np.sqrt(betas)) ** 2 / lam  # critical damping: beta = (1 - sqrt(lr*lam))^2
    rates = probes.linear_rate("heavy_ball", np.full((20, 1), lam), lrs, momentum=betas)
    assert np.all(np.abs(rates / np.sqrt(betas + (betas == 0)) - 1)[betas > 0] < 1e-7)


def test_probe_core_is_portable_array_api_code():
    """The bisection and the runs use only array-API operations (what CuPy needs):
    checked with array_api_strict when it is installed."""
    xp = pytest.importorskip("array_api_strict")
    from theorykit.numeric.probes import GROWTH_TOL, _bisect, _eigen_growth

    lam = xp.asarray([[0.5, 1.0, 2.0], [1.0, 1.0, 4.0]], dtype=xp.float64)
    mom = xp.asarray([[0.5], [0.2]], dtype=xp.float64)
    e0 = xp.asarray(np.random.default_rng(0).standard_normal((2, 3)))

    def rows_stable(eta, idx):
        take = lambda a: xp.take(a, idx, axis=0)  # noqa: E731
        return _eigen_growth("heavy_ball", take(lam), eta[:, None], take(mom), 2**38, take(e0), xp) <= GROWTH_TOL

    scale = 1.0 / xp.sqrt(xp.sum(lam * lam, axis=-1))
    th = np.asarray(_bisect(rows_stable, scale, 1e-8, xp, 3))
    assert np.allclose(th, [2 * 1.5 / 2.0, 2 * 1.2 / 4.0], rtol=1e-7)


@pytest.mark.parametrize("beta", [1e-200, 2.2e-313, 5e-324])
def test_heavy_ball_threshold_with_vanishing_momentum(beta):
    # Regression: at eta*lam = 1 the transition degenerates and its powers
    # underflow; normalizing by a subnormal reciprocal turned them into NaN,
    # which the bisection read as divergence (threshold 1 instead of 2).
    measured = probes.stability_threshold("heavy_ball", [1.0], momentum=beta)
    assert abs(measured - 2.0) <= 1e-6 * 2.0
