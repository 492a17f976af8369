"""The same numeric code on CuPy: skipped cleanly without CuPy or a CUDA device."""
import numpy as np
import pytest

cupy = pytest.importorskip("cupy")
try:
    _HAS_DEVICE = cupy.cuda.runtime.getDeviceCount() > 0
except Exception:  # no driver / no runtime
    _HAS_DEVICE = False
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not _HAS_DEVICE, reason="no CUDA device")]

from theorykit import probes  # noqa: E402
from theorykit.numeric.backend import backend_name, get_namespace, to_numpy  # noqa: E402
from theorykit.numeric.methods import run  # noqa: E402
from theorykit.numeric.problems import Quadratic, random_quadratics  # noqa: E402


def test_cupy_namespace():
    xp = get_namespace("cupy")
    assert backend_name(xp) == "cupy"
    a = xp.asarray([1.0, 2.0])
    assert isinstance(to_numpy(a), np.ndarray)


def test_threshold_and_rate_match_numpy():
    eig = np.sort(np.random.default_rng(0).uniform(0.1, 3.0, size=(8, 5)), axis=1)
    th_gpu = probes.stability_threshold("heavy_ball", eig, momentum=0.4, backend="cupy")
    th_cpu = probes.stability_threshold("heavy_ball", eig, momentum=0.4)
    assert type(th_gpu).__module__.startswith("cupy")
    assert np.allclose(to_numpy(th_gpu), th_cpu, rtol=1e-6)
    r_gpu = probes.linear_rate("nesterov", eig, 0.2, momentum=0.5, backend="cupy")
    r_cpu = probes.linear_rate("nesterov", eig, 0.2, momentum=0.5)
    assert np.allclose(to_numpy(r_gpu), r_cpu, rtol=1e-9)
    assert isinstance(probes.stability_threshold("gd", [1.0, 4.0], backend="cupy"), float)


def test_run_on_cupy_problems():
    xp = get_namespace("cupy")
    q = Quadratic(xp.asarray(np.diag([1.0, 3.0])))
    traj = run("heavy_ball", q, xp.ones(2), 0.2, 50, momentum=0.5, record=("loss", "dist"))
    ref = run("heavy_ball", Quadratic(np.diag([1.0, 3.0])), np.ones(2), 0.2, 50, momentum=0.5, record=("loss", "dist"))
    assert np.allclose(to_numpy(traj.loss), ref.loss)
    bq = random_quadratics(np.array([[1.0, 2.0], [0.5, 9.0]]), rng=0, xp=xp)
    out = run("gd", bq, xp.ones((2, 2)), 0.3, 1000)
    assert list(to_numpy(out.diverged)) == [False, True]


def test_threshold_matrix_on_cupy():
    eig = np.array([[0.5, 1.0, 2.0]])
    bq = random_quadratics(eig, rng=1)
    dense = probes.stability_threshold_matrix("gd", bq.A, backend="cupy")
    assert abs(float(to_numpy(dense)[0]) - 1.0) < 1e-6
