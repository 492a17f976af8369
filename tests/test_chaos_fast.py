"""proofs/chaos.py's chunked grid count equals the whole-grid loop bit for bit (the same elementwise arithmetic), and
the blocked orbit exponent (the same orbit; log of products of 8 slopes) equals the per-step sum of logs to
round-off."""
import numpy as np
import pytest

from proofs import chaos


def _plain_counts(r):
    x = np.linspace(0.0, 1.0, 1_000_001)
    y = x.copy()
    out = []
    for _ in range(chaos.K_MAX):
        y = r * y * (1.0 - y)
        g = y - x
        s = np.signbit(g)
        out.append(int(np.count_nonzero(s[1:] != s[:-1])) + int(np.count_nonzero(g == 0.0)))
    return tuple(out)


def _plain_exponent(r, seed):
    x = np.random.default_rng(seed).uniform(0.01, 0.99, 2000)
    for _ in range(100):
        x = r * x * (1.0 - x)
    acc = np.zeros_like(x)
    for _ in range(2000):
        acc += np.log(np.abs(r * (1.0 - 2.0 * x)))
        x = r * x * (1.0 - x)
    return float(np.mean(acc / 2000))


@pytest.mark.parametrize("r", [3.83, 3.5, 4.0, 2.0])  # 2.0: f^k(x) - x hits 0 exactly at the grid point x = 1/2
def test_chunked_fixed_point_counts_equal_whole_grid(r):
    assert chaos._fixed_point_counts.__wrapped__(r) == _plain_counts(r)


@pytest.mark.parametrize("r, seed", [(4.0, 0), (3.83, 5), (3.9, 123), (2.0, 1)])  # r = 2: slopes -> 0 at x* = 1/2
def test_blocked_orbit_exponent_equals_per_step_loop(r, seed):
    fast, plain = chaos._orbit_exponent(r, seed), _plain_exponent(r, seed)
    assert fast == pytest.approx(plain, rel=1e-12) or (np.isneginf(fast) and np.isneginf(plain))
