"""nqm_dp's Bellman step accumulates the interpolation corners one by one; its schedule, loss and
value must be those of the step written as one gather and np.sum over the corners, bit for bit."""
import numpy as np
import pytest

from theorykit.numeric import nqm_dp


def reference_dp(h, T, B, s0=1.0, n_state=30, n_lr=40):
    h = np.asarray(h, dtype=np.float64)
    lrs_grid = (2.0 / float(np.max(h))) * np.geomspace(1e-4, 0.999, n_lr)
    a_max = float(lrs_grid[-1])
    grids = [np.concatenate([[0.0], np.geomspace(1e-14, max(s0, a_max / (B * (2.0 - a_max * hi))), n_state - 1)])
             for hi in h]
    mesh = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1)
    a = lrs_grid.reshape((-1,) + (1,) * h.size + (1,))
    st = nqm_dp._stencil(grids, (1 - a * h) ** 2 * mesh[None] + a**2 * h / B)
    tables = [0.5 * np.sum(h * mesh, axis=-1)]
    for _ in range(T):
        tables.append(np.min(np.sum(st.weight * tables[-1][st.index], axis=0), axis=0))
    tables.reverse()
    value = float(nqm_dp._apply(nqm_dp._stencil(grids, np.full((1, h.size), s0)), tables[0])[0])
    s, lrs = np.full(h.size, s0), np.empty(T)
    for k in range(T):
        succ = (1 - lrs_grid[:, None] * h) ** 2 * s + lrs_grid[:, None] ** 2 * h / B
        lrs[k] = a_k = lrs_grid[int(np.argmin(nqm_dp._apply(nqm_dp._stencil(grids, succ), tables[k + 1])))]
        s = (1 - a_k * h) ** 2 * s + a_k * a_k * h / B
    return lrs, float(0.5 * np.sum(h * s)), value


@pytest.mark.parametrize("h, T, B", [([0.7], 25, 2.0), ([1.0, 0.1], 20, 4.0), ([1.0, 0.37], 35, 16.0)])
def test_corner_by_corner_bellman_step_equals_the_gathered_sum(h, T, B):
    dp = nqm_dp.dp_schedule(h, T, B, n_state=30, n_lr=40)
    lrs, loss, value = reference_dp(h, T, B)
    np.testing.assert_array_equal(dp.lrs, lrs)
    assert (dp.loss, dp.value) == (loss, value)
