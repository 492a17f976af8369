"""Issue #11 item 5: stability_threshold_matrix returns a threshold certified through a rigorous
enclosure of A's spectrum and the exact 2x2 blocks, or raises InconclusiveMeasurement."""
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorykit.errors import InputError
from theorykit.numeric import probes
from theorykit.numeric.certified import InconclusiveMeasurement
from theorykit.numeric.certified_matrix import certify_matrix_thresholds, eigenvalue_enclosure


def _rotated(lam, seed):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(lam), len(lam))))
    A = (Q * np.asarray(lam, dtype=np.float64)) @ Q.T
    return np.where(A == A.T, A, 0.5 * A + 0.5 * A.T)  # exactly symmetric float64


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enclosure_contains_the_exact_eigenvalues(seed):
    # the exact eigenvalues of the float64 matrix, in mpmath at 60 digits, lie in the enclosure
    A = _rotated([-3.0, 1e-3, 1.0, 1.0 + 1e-9, 7.0], seed)
    enc = eigenvalue_enclosure(A[None])
    r = float(enc.radius[0])
    assert 0 < r < 1e-12
    with mpmath.workdps(60):
        exact = mpmath.eigsy(mpmath.matrix(A.tolist()), eigvals_only=True)
        for mu in exact:
            assert min(abs(mu - mpmath.mpf(float(w))) for w in enc.w[0]) <= r
        for w in enc.w[0]:
            assert min(abs(mu - mpmath.mpf(float(w))) for mu in exact) <= r


@given(st.integers(1, 6).flatmap(lambda d: st.tuples(
    st.lists(st.floats(-1.0, 1.0), min_size=d * d, max_size=d * d),
    st.lists(st.integers(-60, 60), min_size=d * d, max_size=d * d))))
def test_enclosure_contains_the_exact_eigenvalues_of_any_symmetric_matrix(data):
    # entries of mixed magnitudes (2^-60 .. 2^60): the exact spectrum (mpmath, 60 digits) is enclosed
    vals, exps = data
    d = math.isqrt(len(vals))
    M = np.ldexp(np.array(vals).reshape(d, d), np.array(exps).reshape(d, d))
    A = np.triu(M) + np.triu(M, 1).T
    enc = eigenvalue_enclosure(A[None])
    r = float(enc.radius[0])
    assert math.isfinite(r)
    with mpmath.workdps(60):
        exact = mpmath.eigsy(mpmath.matrix(A.tolist()), eigvals_only=True)
        for mu in exact:
            assert min(abs(mu - mpmath.mpf(float(w))) for w in enc.w[0]) <= r
        for w in enc.w[0]:
            assert min(abs(mu - mpmath.mpf(float(w))) for mu in exact) <= r


def test_enclosure_is_not_trivially_wide_and_flags_non_finite():
    enc = eigenvalue_enclosure(np.array([np.diag([1.0, 2.0]), [[math.nan, 0.0], [0.0, 1.0]]]))
    assert enc.radius[0] < 1e-14 and enc.radius[1] == math.inf


@pytest.mark.parametrize("method,beta", [("gd", 0.0), ("heavy_ball", 0.6), ("nesterov", 0.3)])
@pytest.mark.parametrize("seed", [3, 4])
def test_agrees_with_the_eigenvalue_form_on_random_rotations(method, beta, seed):
    lam = np.sort(np.random.default_rng(seed).uniform(0.1, 10.0, size=4))
    A = _rotated(lam, seed)
    dense = probes.stability_threshold_matrix(method, A, momentum=beta)
    fast = probes.stability_threshold(method, np.linalg.eigvalsh(A), momentum=beta)
    assert abs(dense / fast - 1) <= 2e-6
    # and with the known closed form (used only as the test's oracle, never by the probe)
    c = {"gd": 2.0, "heavy_ball": 2 * (1 + beta), "nesterov": 2 * (1 + beta) / (1 + 2 * beta)}[method]
    assert abs(dense / (c / lam[-1]) - 1) <= 1e-6 * (1 + 1e-9)


def test_near_singular_and_clustered_spectrum_is_certified():
    # a tiny but clearly positive eigenvalue and a cluster at the top, 1e-12 apart
    lam = [1e-9, 0.5, 2.0, 2.0 + 1e-12, 2.0 + 2e-12]
    A = _rotated(lam, 5)
    eta = probes.stability_threshold_matrix("heavy_ball", A, momentum=0.9)
    assert abs(eta / (2 * 1.9 / (2.0 + 2e-12)) - 1) <= 1e-6
    check = certify_matrix_thresholds("heavy_ball", A[None], np.array([0.9]), np.array([eta]), 1e-6)
    assert check.certified.tolist() == [True] and check.rho_below[0] < 1 < check.rho_above[0]


def test_float64_cannot_decide_the_sign_of_an_eigenvalue():
    # exact eigenvalue ~1e-17, far below the enclosure radius (~1e-16): the runs cannot see
    # growth from a tiny negative eigenvalue and put the threshold at ~2, but whether the
    # exact A has one is not decided by float64, so no number is returned
    A = _rotated([1e-17, 1.0, 1.0], 6)
    assert eigenvalue_enclosure(A[None]).radius[0] > 1e-17
    with pytest.raises(InconclusiveMeasurement, match="stability_threshold_matrix is inconclusive"):
        probes.stability_threshold_matrix("gd", A)
    # the eigenvalue form refuses a tiny negative eigenvalue in the same way
    with pytest.raises(InconclusiveMeasurement):
        probes.stability_threshold("gd", [-1e-17, 1.0, 1.0])


@pytest.mark.parametrize("wrong", [0.51, 0.49, 0.5 * (1 + 3e-6), 0.5 / (1 + 3e-6)])
def test_a_wrong_threshold_is_not_certified(wrong):
    A = _rotated([1.0, 4.0, 2.5], 7)
    assert certify_matrix_thresholds("gd", A[None], np.zeros(1), np.array([0.5]), 1e-6).certified.tolist() == [True]
    assert certify_matrix_thresholds("gd", A[None], np.zeros(1), np.array([wrong]), 1e-6).certified.tolist() == [False]


def test_probe_raises_instead_of_returning_an_unconfirmed_number(monkeypatch):
    real = probes.transition_matrix

    def biased(method, A, lr, *, momentum=0.0):
        return real(method, A, lr * 0.9, momentum=momentum)  # runs at 90% of the asked step

    monkeypatch.setattr(probes, "transition_matrix", biased)
    with pytest.raises(InconclusiveMeasurement, match="problem 0"):
        probes.stability_threshold_matrix("gd", _rotated([1.0, 4.0], 8))


def test_batch_input_and_per_problem_momentum():
    lams = np.array([[0.2, 1.0, 3.0], [0.5, 0.5, 8.0], [1.0, 2.0, 2.0]])
    A = np.stack([_rotated(l, 10 + i) for i, l in enumerate(lams)])
    betas = np.array([0.0, 0.5, 0.9])
    dense = probes.stability_threshold_matrix("heavy_ball", A, momentum=betas)
    assert isinstance(dense, np.ndarray) and dense.shape == (3,)
    fast = probes.stability_threshold("heavy_ball", np.linalg.eigvalsh(A), momentum=betas)
    assert np.all(np.abs(dense / fast - 1) <= 2e-6)
    # one undecidable problem in a batch is named
    A[1] = _rotated([1e-17, 1.0, 1.0], 6)
    with pytest.raises(InconclusiveMeasurement, match="problem 1"):
        probes.stability_threshold_matrix("heavy_ball", A, momentum=betas)


def test_slightly_asymmetric_input_uses_the_symmetric_part():
    A = _rotated([1.0, 4.0, 2.0], 12)
    B = A.copy()
    B[0, 1] += 1e-13  # within the symmetry check's tolerance
    eta = probes.stability_threshold_matrix("gd", B)
    assert abs(eta / 0.5 - 1) <= 1e-6


def test_bracket_ends_keep_their_meaning():
    assert probes.stability_threshold_matrix("gd", np.zeros((2, 2))) == math.inf
    assert probes.stability_threshold_matrix("gd", np.diag([-1.0, 2.0])) == 0.0


@pytest.mark.parametrize(
    "A,kwargs,arg,fragment",
    [
        ([[1.0, 2.0], [0.0, 1.0]], {}, "A", "symmetric"),
        ([[1.0, 2.0, 3.0], [2.0, 1.0, 0.0]], {}, "A", "square"),
        (np.zeros((0, 0)), {}, "A", "square"),
        ([[1.0, math.nan], [math.nan, 1.0]], {}, "A", "NaN or inf"),
        (np.eye(2, dtype=np.float32), {}, "A", "float64"),
        (np.eye(2), {"rtol": 0.0}, "rtol", "[1e-10, 1)"),
        (np.eye(2), {"momentum": 1.0}, "momentum", "gd"),
        (np.eye(2), {"steps": 0}, "steps", ">= 1"),
    ],
)
def test_bad_input_errors_unchanged(A, kwargs, arg, fragment):
    with pytest.raises(InputError) as err:
        probes.stability_threshold_matrix("gd", A, **kwargs)
    assert err.value.argument == arg and fragment in str(err.value)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e200, 1e300])
def test_extreme_scales_give_the_scaled_threshold(scale):
    # once a silently wrong inf / 0: the bracket start overflowed (1/inf) or the geometric
    # bisection's lo*hi under/overflowed; the enclosure scales A by a power of 2
    lam = np.array([0.5, 1.0, 3.0])
    A = _rotated(lam, 1) * scale
    assert eigenvalue_enclosure(A[None]).radius[0] < 1e-13 * 3 * scale
    dense = probes.stability_threshold_matrix("heavy_ball", A, momentum=0.5)
    fast = probes.stability_threshold("heavy_ball", lam * scale, momentum=0.5)
    for eta in (dense, fast):
        assert abs(eta / (3.0 / (3.0 * scale)) - 1) <= 1e-6 * (1 + 1e-9)
