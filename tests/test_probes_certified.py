"""linear_rate never lies quietly: a certified value and error bound, or an explicit
inconclusive status. The red team's cases (issue #11 item 5) are regression tests here.
The tests state the exact rates; the probe never uses them."""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from theorykit import probes
from theorykit.errors import InputError
from theorykit.numeric.certified import InconclusiveMeasurement, Rate


def test_value_does_not_depend_on_the_seed():
    # red team: a seed-dependent absolute bias of about 1e-12 (the trajectory's log(C)/N)
    rates = [probes.linear_rate("gd", [0.1, 1.0], 1.0, seed=s) for s in range(5)]
    assert len({float(r) for r in rates}) == 1
    assert float(rates[0]) == 0.9 and rates[0].error < 1e-16
    # the trajectories do differ by seed; they stay within their bias bound of the value
    assert len({r.trajectory for r in rates}) > 1
    assert all(abs(r.trajectory - 0.9) < 1e-10 for r in rates)


@pytest.mark.parametrize("kappa", [1e8, 1e12, 1e15])
def test_one_minus_rate_at_huge_condition_numbers(kappa):
    # red team: at kappa = 1e12, 1 - rate was 65-120% off. GD at eta = 2/(mu + L): rate 1 - 2mu/(mu+L)
    mu, L = 1.0 / kappa, 1.0
    lr = 2 / (mu + L)
    r = probes.linear_rate("gd", [mu, 0.5, L], lr)
    # max |1 - lr*lam| with the binary inputs, exactly (at this lr the two ends tie in exact arithmetic)
    exact = max(abs(1 - Fraction(lr) * Fraction(v)) for v in (mu, 0.5, L))
    assert abs(Fraction(float(r)) - exact) <= Fraction(r.error)
    assert r.margin == pytest.approx(float(1 - exact), rel=1e-14)
    assert r.margin == pytest.approx(2 * mu / (mu + L), rel=1e-12)
    assert r.status == "certified"


@pytest.mark.parametrize("lr", [1.0, 0.5, 1.5])
def test_singular_quadratic_rate_is_exactly_one(lr):
    # red team: the singular quadratic [0, 1] returned 0.99999999999935 ("converges")
    r = probes.linear_rate("gd", [0.0, 1.0], lr)
    assert float(r) == 1.0 and r.margin == 0.0


def test_singular_quadratic_under_heavy_ball_is_exactly_one():
    r = probes.linear_rate("heavy_ball", [0.0, 1.0], 0.5, momentum=0.5)
    assert float(r) == 1.0


def _hb_optimal(kappa):
    mu, L = 1.0 / kappa, 1.0
    beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    return [mu, 0.3, L], 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, beta


def test_optimal_heavy_ball_at_kappa_1e16_is_inconclusive_not_above_one():
    # red team: returned a rate above 1. Rounding eta and beta to float64 moves a double root by
    # sqrt(eps) ~ 1e-8, as large as the margin 2e-8: the inputs do not determine convergence.
    eig, lr, beta = _hb_optimal(1e16)
    with pytest.raises(InconclusiveMeasurement, match="do not determine whether the method converges"):
        probes.linear_rate("heavy_ball", eig, lr, momentum=beta)
    rep = probes.linear_rate_report("heavy_ball", eig, lr, momentum=beta)
    assert rep.status[0] == "inconclusive" and rep.sensitivity[0] > abs(rep.margin[0])


@pytest.mark.parametrize("kappa", [1e2, 1e6, 1e10])
def test_optimal_heavy_ball_rate_certified(kappa):
    eig, lr, beta = _hb_optimal(kappa)
    r = probes.linear_rate("heavy_ball", eig, lr, momentum=beta)
    # exact for the binary inputs: roots of z^2 - (1 + beta - lr*lam) z + beta, in 80-digit arithmetic
    with mpmath.workdps(80):
        def rho(lam):
            t = 1 + mpmath.mpf(beta) - mpmath.mpf(lr) * mpmath.mpf(lam)
            disc = t * t - 4 * mpmath.mpf(beta)
            return (abs(t) + mpmath.sqrt(disc)) / 2 if disc >= 0 else mpmath.sqrt(mpmath.mpf(beta))
        exact = max(rho(v) for v in eig)
        assert abs(mpmath.mpf(float(r)) - exact) <= r.error
    # and near the intended (sqrt(kappa) - 1)/(sqrt(kappa) + 1), up to the inputs' rounding
    ideal = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert abs(float(r) - ideal) <= 8 * r.sensitivity + 1e-15
    assert isinstance(r, Rate) and r.status == "certified" and r.sensitivity < 1 - float(r)


def test_critical_damping_jordan_block():
    beta = 0.81
    lr = (1 - math.sqrt(beta)) ** 2  # double root at lambda = 1
    r = probes.linear_rate("heavy_ball", [1.0], lr, momentum=beta)
    assert abs(float(r) - 0.9) <= r.sensitivity + r.error + 1e-15


def test_batched_rates_and_report():
    eig = np.array([[0.1, 1.0], [0.0, 2.0]])
    out = probes.linear_rate("gd", eig, np.array([1.0, 0.5]))
    assert isinstance(out, np.ndarray) and out.tolist() == [0.9, 1.0]
    rep = probes.linear_rate_report("gd", eig, np.array([1.0, 0.5]))
    assert rep.status.tolist() == ["certified", "certified"] and rep.margin.tolist() == [pytest.approx(0.1), 0.0]


def test_diverging_and_nilpotent():
    assert float(probes.linear_rate("gd", [1.0], 3.0)) == 2.0
    assert float(probes.linear_rate("gd", [1.0], 1.0)) == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_input_rejected_with_a_message(dtype):
    with pytest.raises(InputError, match="float64"):
        probes.linear_rate("gd", np.array([0.1, 1.0], dtype=dtype), 1.0)
    with pytest.raises(InputError, match="lr"):
        probes.linear_rate("gd", [0.1, 1.0], np.float32(1.0))
    with pytest.raises(InputError, match="eigenvalues"):
        probes.stability_threshold("gd", np.array([1.0, 2.0], dtype=dtype))
    with pytest.raises(InputError, match="momentum"):
        probes.stability_threshold("heavy_ball", [1.0, 2.0], momentum=np.float32(0.5))
