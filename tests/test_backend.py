import math

import numpy as np
import pytest

from theorykit.errors import BackendUnavailable, InputError
from theorykit.numeric.backend import (
    DEFAULT_DTYPE,
    asarray_checked,
    backend_name,
    check_positive_scalar,
    get_namespace,
    to_numpy,
)


def _cupy_usable() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def test_numpy_namespace_defaults_to_float64():
    xp = get_namespace()
    assert backend_name(xp) == "numpy"
    a = asarray_checked([1, 2, 3], "a", xp)
    assert a.dtype == DEFAULT_DTYPE == np.float64
    assert isinstance(to_numpy(a), np.ndarray)


def test_unknown_backend_names_the_argument():
    with pytest.raises(InputError) as err:
        get_namespace("tensorflow")  # jax and torch are backends now (issue 17)
    assert err.value.argument == "backend"
    assert "numpy" in str(err.value) and "cupy" in str(err.value)


@pytest.mark.skipif(_cupy_usable(), reason="CuPy and a GPU are present here")
def test_missing_cupy_is_a_clear_backend_error():
    with pytest.raises(BackendUnavailable) as err:
        get_namespace("cupy")
    assert "pip install 'theorykit[gpu]'" in str(err.value)


@pytest.mark.parametrize(
    "value, kwargs, fragment",
    [
        ([1.0, math.nan], {}, "NaN or inf"),
        ([1.0, math.inf], {}, "NaN or inf"),
        ([[1.0, 2.0]], {"ndim": 1}, "dimension"),
        ("abc", {}, "real numbers"),
    ],
)
def test_asarray_checked_names_the_argument(value, kwargs, fragment):
    with pytest.raises(InputError) as err:
        asarray_checked(value, "weights", get_namespace(), **kwargs)
    assert err.value.argument == "weights"
    assert fragment in str(err.value)


def test_asarray_checked_can_allow_non_finite():
    a = asarray_checked([math.inf], "a", get_namespace(), finite=False)
    assert a[0] == math.inf


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "x", None])
def test_check_positive_scalar(bad):
    with pytest.raises(InputError) as err:
        check_positive_scalar(bad, "lr")
    assert err.value.argument == "lr"


def test_check_positive_scalar_allow_zero():
    assert check_positive_scalar(0, "reg", allow_zero=True) == 0.0
    assert check_positive_scalar(2, "reg") == 2.0
