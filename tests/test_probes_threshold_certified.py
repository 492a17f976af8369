"""Issue #11 item 5: stability_threshold returns a threshold the exact 2x2 blocks confirm to
rtol, or raises InconclusiveMeasurement; never a bare number off by more than rtol."""
import numpy as np
import pytest

from theorykit.numeric import probes
from theorykit.numeric.certified import InconclusiveMeasurement, certify_thresholds


def test_gd_threshold_is_certified_and_right():
    lam = np.array([[1.0, 4.0]])
    check = certify_thresholds("gd", lam, np.zeros(1), np.array([0.5]), 1e-6)
    assert check.certified.tolist() == [True]
    assert check.rho_below[0] < 1 < check.rho_above[0]


@pytest.mark.parametrize("wrong", [0.51, 0.49, 0.5 * (1 + 3e-6)])
def test_a_wrong_threshold_is_not_certified(wrong):
    # 2/lam_max = 0.5 exactly: anything off by more than rtol must fail the check
    check = certify_thresholds("gd", np.array([[1.0, 4.0]]), np.zeros(1), np.array([wrong]), 1e-6)
    assert check.certified.tolist() == [False]


def test_heavy_ball_near_one_momentum():
    # threshold 2 (1 + beta) / lam_max; momentum 1 - 1e-6 puts rho within ~1e-3 of 1 everywhere
    beta = 1 - 1e-6
    eta = probes.stability_threshold("heavy_ball", np.array([1.0, 4.0]), momentum=beta)
    assert abs(eta / (2 * (1 + beta) / 4) - 1) <= 1e-6
    check = certify_thresholds("heavy_ball", np.array([[1.0, 4.0]]), np.array([beta]),
                               np.array([2 * (1 + beta) / 4 * 1.01]), 1e-6)
    assert check.certified.tolist() == [False]


def test_probe_raises_instead_of_returning_an_unconfirmed_number(monkeypatch):
    # a bisection that decides wrongly (here: made to, by a broken growth measurement) is caught
    real = probes._eigen_growth

    def biased(method, lam, lr, mom, steps, e0, xp):
        return real(method, lam, lr * 0.9, mom, steps, e0, xp)  # runs at 90% of the asked step

    monkeypatch.setattr(probes, "_eigen_growth", biased)
    with pytest.raises(InconclusiveMeasurement, match="stability_threshold is inconclusive"):
        probes.stability_threshold("gd", np.array([1.0, 4.0]))


def test_infinite_and_zero_thresholds_keep_their_meaning():
    check = certify_thresholds("gd", np.array([[0.0], [1.0]]), np.zeros(2), np.array([np.inf, 0.0]), 1e-6)
    assert check.certified.tolist() == [True, True]


def test_spectral_bounded_decides_the_clear_cases():
    from theorykit.numeric.certified import spectral_bounded

    lam, zero = np.array([[1.0, 4.0]]), np.zeros((1, 1))
    level = probes.GROWTH_TOL
    assert spectral_bounded("gd", lam, np.array([[0.49]]), zero, 2**38, level).tolist() == [1]
    assert spectral_bounded("gd", lam, np.array([[0.51]]), zero, 2**38, level).tolist() == [-1]
    # exactly at 2/lam_max (rho = 1) and near-one momentum: the spectrum alone cannot tell
    assert spectral_bounded("gd", lam, np.array([[0.5]]), zero, 2**38, level).tolist() == [0]
    assert spectral_bounded("heavy_ball", lam, np.array([[0.1]]), np.full((1, 1), 0.999999), 2**38,
                            level).tolist() == [0]


def test_bounded_raises_when_the_run_contradicts_the_spectrum(monkeypatch):
    assert probes.bounded("gd", np.array([1.0, 4.0]), 0.49) is True
    assert probes.bounded("gd", np.array([1.0, 4.0]), 0.51) is False
    monkeypatch.setattr(probes, "growth", lambda *a, **k: 100.0)  # a run that says "grew"
    with pytest.raises(InconclusiveMeasurement, match="bounded is inconclusive"):
        probes.bounded("gd", np.array([1.0, 4.0]), 0.49)


@pytest.mark.parametrize("lr, steps", [(0.49, 2**20), (0.4999999, 2**40), (0.5, 2**38)])
def test_growth_matches_the_exact_power_of_gd(lr, steps):
    """One direction of GD: T = [[r, 0], [1, 0]], r = 1 - lr*lam, so from (e, e) the state after
    N steps is e*r^(N-1)*(r, 1); the probe's value must be within its stated accuracy."""
    import mpmath

    lam = 4.0
    with mpmath.workdps(80):
        r = mpmath.mpf(1.0 - lr * lam)  # the float64 entry the method's update produces
        exact = (steps - 1) * mpmath.log(abs(r)) + mpmath.log(mpmath.sqrt(r * r + 1)) - mpmath.log(mpmath.sqrt(2))
    g = probes.growth("gd", [lam], lr, steps=steps)
    assert abs(g - float(exact)) <= probes.GROWTH_RTOL * (1 + abs(g)), (g, exact)


def test_growth_of_a_nilpotent_iteration_is_minus_infinity():
    assert probes.growth("gd", [2.0], 0.5) == -np.inf  # 1 - lr*lam = 0: the state is exactly 0
