import math

import numpy as np
import pytest
from hypothesis import given, settings

from theorykit.errors import InputError
from theorykit.numeric.problems import LogisticRegression, Quadratic
from theorykit.strategies import logistic_problems, quadratics, spd_matrices, spectra, step_sizes


# -- eager validation -----------------------------------------------------------


@pytest.mark.parametrize(
    "factory, kwargs, arg",
    [
        (spectra, {"dim": 0}, "dim"),
        (spectra, {"dim": (3, 2)}, "dim"),
        (spectra, {"dim": 2.5}, "dim"),
        (spectra, {"mu": 0.0}, "mu"),
        (spectra, {"mu": -1.0}, "mu"),
        (spectra, {"L": math.nan}, "L"),
        (spectra, {"L": (2.0, 1.0)}, "L"),
        (spectra, {"kappa": 0.5}, "kappa"),
        (spectra, {"mu": 1.0, "L": 2.0, "kappa": 2.0}, "kappa"),
        (spectra, {"mu": 5.0, "L": 1.0}, "L"),
        (spectra, {"dim": 1, "kappa": (2.0, 3.0)}, "dim"),
        (spectra, {"batch": 0}, "batch"),
        (spd_matrices, {"dim": -1}, "dim"),
        (spd_matrices, {"spectrum": [1.0, -2.0]}, "spectrum"),
        (spd_matrices, {"spectrum": "abc"}, "spectrum"),
        (spd_matrices, {"kappa": 0.1}, "kappa"),
        (step_sizes, {"L": 0.0}, "L"),
        (step_sizes, {"L": (1.0, 2.0)}, "L"),
        (step_sizes, {"fraction": (0.0, 0.5)}, "fraction"),
        (step_sizes, {"fraction": (0.9, 0.1)}, "fraction"),
        (quadratics, {"dim": 0}, "dim"),
        (quadratics, {"linear_term": "yes"}, "linear_term"),
        (logistic_problems, {"n": 1}, "n"),
        (logistic_problems, {"reg": -1.0}, "reg"),
        (logistic_problems, {"separable": "maybe"}, "separable"),
        (logistic_problems, {"dim": (0, 2)}, "dim"),
    ],
)
def test_strategies_validate_eagerly(factory, kwargs, arg):
    with pytest.raises(InputError) as err:
        factory(**kwargs)  # no .example(): the error comes when the strategy is built
    assert err.value.argument == arg


# -- generated values -----------------------------------------------------------


@given(spectra(dim=(1, 6), mu=(0.1, 1.0), L=(2.0, 10.0)))
def test_spectra_hit_mu_and_L_exactly(eig):
    assert eig.ndim == 1 and 2 <= eig.size <= 6  # dim 1 would need kappa = 1
    assert np.all(np.diff(eig) >= 0)
    assert 0.1 <= eig[0] <= 1.0 and 2.0 <= eig[-1] <= 10.0


@given(spectra(dim=4, L=3.0, kappa=100.0))
def test_spectra_attain_a_fixed_kappa(eig):
    assert eig[-1] == 3.0
    assert eig[-1] / eig[0] == pytest.approx(100.0, rel=1e-12)
    assert np.all((eig >= eig[0]) & (eig <= eig[-1]))


@given(spectra(dim=(1, 5), kappa=(1.0, 50.0), batch=(2, 4)))
def test_spectra_batches(eig):
    assert eig.ndim == 2 and 2 <= eig.shape[0] <= 4
    assert np.all(eig > 0) and np.all(eig[:, -1] == 1.0)
    assert np.all(eig[:, -1] / eig[:, 0] <= 50.0 * (1 + 1e-12))


@given(spectra(mu=2.0, kappa=(3.0, 5.0), dim=(2, 3)))
def test_spectra_with_mu_only(eig):
    assert eig[0] == 2.0 and 6.0 * (1 - 1e-12) <= eig[-1] <= 10.0 * (1 + 1e-12)


def test_spectra_examples_cover_kappa_range():
    @settings(max_examples=60, derandomize=True)
    @given(spectra(dim=2, kappa=(1.0, 1e3)))
    def collect(eig):
        seen.append(eig[-1] / eig[0])

    seen: list[float] = []
    collect()
    assert min(seen) < 2.0 and max(seen) > 100.0


@given(spd_matrices(dim=(1, 5), kappa=(1.0, 30.0)))
def test_spd_matrices_are_spd(A):
    assert np.allclose(A, A.T)
    lam = np.linalg.eigvalsh(A)
    assert lam[0] > 0 and lam[-1] / lam[0] <= 30.0 * (1 + 1e-9)


@given(spd_matrices(spectrum=[0.5, 2.0, 7.0]))
def test_spd_matrices_with_a_fixed_spectrum(A):
    assert np.allclose(np.linalg.eigvalsh(A), [0.5, 2.0, 7.0])


@given(spd_matrices(spectrum=spectra(dim=3, mu=1.0, L=4.0)))
def test_spd_matrices_with_a_spectrum_strategy(A):
    lam = np.linalg.eigvalsh(A)
    assert lam[0] == pytest.approx(1.0) and lam[-1] == pytest.approx(4.0)


@given(step_sizes(L=4.0, fraction=(0.1, 0.9)))
def test_step_sizes_are_fractions_of_two_over_L(eta):
    assert 0.1 * 0.5 * (1 - 1e-12) <= eta <= 0.9 * 0.5 * (1 + 1e-12)


@given(quadratics(dim=(2, 4), mu=0.5, L=5.0, linear_term=True))
def test_quadratics(q):
    assert isinstance(q, Quadratic)
    assert q.mu == pytest.approx(0.5) and q.L == pytest.approx(5.0)
    assert np.allclose(q.grad(q.x_star), 0, atol=1e-10)


def _separable(p: LogisticRegression) -> bool:
    from scipy.optimize import linprog

    # exists w with y_i x_i^T w >= 1 for all i  <=>  strictly separable through the origin
    A_ub = -(p.y[:, None] * p.X)
    res = linprog(np.zeros(p.dim), A_ub=A_ub, b_ub=-np.ones(p.n), bounds=[(None, None)] * p.dim)
    return res.status == 0


@settings(max_examples=15)
@given(logistic_problems(separable=True))
def test_separable_logistic_data(p):
    assert isinstance(p, LogisticRegression)
    assert set(np.unique(p.y)) == {-1.0, 1.0}
    assert _separable(p)


@settings(max_examples=15)
@given(logistic_problems(separable=False, reg=0.0))
def test_non_separable_logistic_data(p):
    assert set(np.unique(p.y)) == {-1.0, 1.0}
    assert not _separable(p) and p.reg == 0.0


def test_strategy_values_shrink_to_small_examples():
    from hypothesis import find

    eig = find(spectra(dim=(1, 5)), lambda e: True)
    assert eig.size == 1 and eig[0] == 1.0


@given(spectra(dim=(2, 4), mu=(1.0, 5.0), L=(2.0, 3.0)))
def test_spectra_with_overlapping_mu_and_L_ranges(eig):
    assert 1.0 <= eig[0] <= eig[-1] and 2.0 <= eig[-1] <= 3.0
