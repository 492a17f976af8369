"""--backend jax / torch: every probe gives NumPy's answer to tolerance, on the framework's arrays.

Skipped, naming the package, where JAX or PyTorch is missing; the CUDA variant
("torch-cuda") runs only with a CUDA device and otherwise checks the clean error."""
from __future__ import annotations

import numpy as np
import pytest

from theorykit import probes
from theorykit.errors import BackendUnavailable, InputError
from theorykit.numeric.backend import BACKENDS, backend_name, get_namespace, to_numpy
from theorykit.numeric.methods import run
from theorykit.numeric.problems import Quadratic, random_quadratics

REASON = {"jax": "needs JAX: pip install 'theorykit[jax]'", "torch": "needs PyTorch: pip install 'theorykit[torch]'"}
FRAMEWORKS = [pytest.param(b, id=b) for b in ("jax", "torch")]


def _ns(backend):
    pytest.importorskip(backend, reason=REASON[backend])
    return get_namespace(backend)


def _close(got, ref, rtol):
    np.testing.assert_allclose(to_numpy(got), np.asarray(ref), rtol=rtol)


@pytest.mark.parametrize("backend", FRAMEWORKS)
def test_namespace_and_float64(backend):
    xp = _ns(backend)
    assert backend in BACKENDS and backend_name(xp) == backend
    a = xp.asarray([1.0, 2.0], dtype=xp.float64)
    assert str(a.dtype).endswith("float64")
    assert isinstance(to_numpy(a), np.ndarray) and to_numpy(a).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("backend", FRAMEWORKS)
def test_every_probe_matches_numpy(backend):
    _ns(backend)
    eig = np.sort(np.random.default_rng(0).uniform(0.1, 3.0, size=(6, 4)), axis=1)
    # each probe once, the methods spread over them (eager JAX dispatch makes bisections slow)
    _close(probes.stability_threshold("heavy_ball", eig, momentum=0.4, backend=backend),
           probes.stability_threshold("heavy_ball", eig, momentum=0.4), 1e-6)
    _close(probes.linear_rate("nesterov", eig, 0.3, momentum=0.6, backend=backend),
           probes.linear_rate("nesterov", eig, 0.3, momentum=0.6), 1e-9)
    _close(probes.growth("gd", eig, 0.5, backend=backend), probes.growth("gd", eig, 0.5), 1e-9)
    assert np.array_equal(to_numpy(probes.bounded("heavy_ball", eig, 0.5, momentum=0.4, backend=backend)),
                          probes.bounded("heavy_ball", eig, 0.5, momentum=0.4))
    assert probes.stability_threshold("gd", [1.0, 4.0], backend=backend) == pytest.approx(0.5, rel=1e-6)
    A = random_quadratics(np.array([[0.5, 1.0, 2.0], [1.0, 3.0, 9.0]]), rng=1).A
    _close(probes.stability_threshold_matrix("heavy_ball", A, momentum=0.3, backend=backend),
           probes.stability_threshold_matrix("heavy_ball", A, momentum=0.3), 1e-6)


@pytest.mark.parametrize("backend", FRAMEWORKS)
def test_problems_runs_and_sharpness_on_framework_arrays(backend):
    xp = _ns(backend)
    A = np.diag([1.0, 3.0, 0.5, 2.0])
    q = Quadratic(xp.asarray(A), xp=xp)
    ref = Quadratic(A)
    assert q.L == pytest.approx(3.0) and q.mu == pytest.approx(0.5)
    traj = run("heavy_ball", q, xp.ones(4, dtype=xp.float64), 0.2, 50, momentum=0.5, record=("loss", "dist"))
    base = run("heavy_ball", ref, np.ones(4), 0.2, 50, momentum=0.5, record=("loss", "dist"))
    _close(traj.loss, base.loss, 1e-12)
    _close(traj.dist, base.dist, 1e-12)
    assert probes.sharpness(q, xp.ones(4, dtype=xp.float64)) == pytest.approx(3.0, rel=1e-9)


def test_unknown_backend_lists_the_choices():
    with pytest.raises(InputError, match="jax, torch"):
        get_namespace("tensorflow")


def test_torch_cuda_backend():
    torch = pytest.importorskip("torch", reason=REASON["torch"])
    if not torch.cuda.is_available():
        with pytest.raises(BackendUnavailable, match="CUDA"):
            get_namespace("torch-cuda")
        pytest.skip("no CUDA device: checked the clean error only")
    xp = get_namespace("torch-cuda")
    try:
        eig = np.array([[1.0, 4.0], [0.5, 2.0]])
        got = probes.stability_threshold("heavy_ball", eig, momentum=0.4, backend="torch-cuda")
        assert got.device.type == "cuda"
        _close(got, probes.stability_threshold("heavy_ball", eig, momentum=0.4), 1e-6)
        assert xp.asarray([1.0]).device.type == "cuda"
    finally:
        torch.set_default_device("cpu")
