"""The jumping first-hit search (nqm_fast) equals stepping the exact recurrence (expected_loss)."""
import math

import numpy as np
import pytest

from theorykit.numeric.nqm import expected_loss, harmonic_spectrum, moment_step, Moments, steps_to_target
from theorykit.numeric.nqm_fast import first_hits, moment_matrices


def test_moment_matrices_are_moment_step():
    rng = np.random.default_rng(0)
    h = harmonic_spectrum(7)
    a = rng.uniform(0.01, 1.5, (3, 7))
    m = Moments(*(rng.uniform(0, 1, (3, 7)) for _ in range(3)))
    M, c = moment_matrices(a, h, h / 8, 0.7)
    got = np.einsum("sdij,sdj->sdi", M, np.stack(m, -1)) + c
    want = moment_step(m, a, h, h / 8, 0.7)
    for i in range(3):
        np.testing.assert_allclose(got[..., i], want[i], rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("B, beta, power", [(8.0, 0.0, 0.0), (8.0, 0.9, 0.0), (1e15, 0.5, 0.5), (1.0, 0.0, 0.5),
                                            (2.0, 0.5, 0.0)])
def test_first_hit_equals_stepping(B, beta, power):
    h = harmonic_spectrum(25)
    target = 0.03 * 0.5 * h.sum()
    top = 2 * (1 + beta) / float(np.max(h ** (1 - power)))
    # the last is unstable for the stiffest coordinate; large lrs sit above the target on a noise floor
    lrs = top * np.append(np.geomspace(3e-3, 0.3, 8), 1.05)
    hits = first_hits(h, lrs[:, None] * h ** (-power), h / B, beta, 1.0, target, 1500, False)
    with np.errstate(all="ignore"):
        losses = expected_loss(h, np.repeat(lrs[:, None], 1500, axis=1), batch_size=B, momentum=beta,
                               precond_power=power)
    assert np.isfinite(hits).sum() >= 3 and np.isinf(hits[-1])  # hits to compare, and the unstable lr never hits
    for lr, hit, loss in zip(lrs, hits, losses):
        below = np.flatnonzero(loss <= target)
        want = float(below[0]) if below.size else math.inf
        assert hit == want, (lr, hit, want)


def test_steps_to_target_uses_it_and_matches_first_only():
    h = harmonic_spectrum(30)
    lrs = np.geomspace(0.01, 1.9, 25)
    target = 0.05 * 0.5 * h.sum()
    full = steps_to_target(h, lrs, batch_size=8.0, target=target, max_steps=5000)
    first = steps_to_target(h, lrs, batch_size=8.0, target=target, max_steps=5000, first_only=True)
    assert np.min(full) == np.min(first)


@pytest.mark.parametrize("B, power", [(4.0, 0.0), (1e15, 0.0), (16.0, 0.5)])
def test_tuned_steps_batched_over_momenta_equals_stepping(B, power, monkeypatch):
    """One jumping search over every (beta, lr) row gives the minimum that stepping each beta's grid gives."""
    from theorykit.numeric import nqm

    h = harmonic_spectrum(40)
    target = 0.02 * 0.5 * h.sum()
    kw = dict(target=target, betas=(0.0, 0.5, 0.9), power=power, max_steps=20_000)
    fast = nqm.tuned_steps(h, B, **kw)
    monkeypatch.setattr(nqm, "USE_JUMP", False)
    slow = nqm.tuned_steps(h, B, **kw)
    assert np.isfinite(slow) and fast == slow


def test_first_only_minimum_with_mixed_momenta_and_noise_rows():
    """Rows with their own beta and noise: the minimum equals the per-row first hits found by stepping."""
    h = harmonic_spectrum(20)
    target = 0.05 * 0.5 * h.sum()
    lrs = np.geomspace(0.05, 2.5, 12)
    betas = np.tile([0.0, 0.3, 0.8], 4)
    noise = np.stack([h / B for B in np.repeat([2.0, 32.0], 6)])
    got = first_hits(h, lrs[:, None] * np.ones_like(h), noise, betas, 1.0, target, 1000, False)
    want = np.full(lrs.size, math.inf)
    Bs = h[0] / noise[:, 0]
    for b, B in {(float(b), float(B)) for b, B in zip(betas, Bs)}:  # stepped per (beta, B), lrs batched
        rows = np.flatnonzero((betas == b) & (Bs == B))
        with np.errstate(all="ignore"):
            loss = expected_loss(h, np.repeat(lrs[rows, None], 1000, axis=1), batch_size=B, momentum=b)
        for r, row in zip(rows, loss):
            below = np.flatnonzero(row <= target)
            want[r] = float(below[0]) if below.size else math.inf
    assert np.array_equal(got, want) and np.isfinite(want).sum() >= 4
    first = first_hits(h, lrs[:, None] * np.ones_like(h), noise, betas, 1.0, target, 1000, True)
    assert np.min(first) == np.min(want)


def test_one_step_losses_are_expected_losss_first_step():
    from theorykit.numeric.nqm import one_step_losses

    rng = np.random.default_rng(5)
    for _ in range(200):
        d = int(rng.integers(1, 6))
        h, s = rng.choice([0.01, 0.1, 0.5, 1.0, 2.0], d), rng.choice([0.0, 0.01, 0.1, 1.0, 4.0], d)
        B, a = float(rng.choice([1.0, 4.0, 64.0])), float(rng.uniform(0.0, 150.0))
        want = float(expected_loss(h, np.array([a]), batch_size=B, theta0_sq=s)[-1])
        assert float(one_step_losses(h, s, np.array([a]), B)[0]) == want
