"""sanity.overfit_small's GD in the form A <- M A + B equals the plain step A -= lr Phi^T (Phi A - Y)/n to round-off."""
import math

import numpy as np
import pytest

from proofs import sanity
from theorykit.claims.claim import Context


def _plain_overfit_loss(params, ctx):
    nn = int(params["n"])
    mm = max(1, int(round(nn * float(params["m_frac"]))))
    Phi = ctx.rng.standard_normal((nn, mm)) / math.sqrt(mm)
    Y = np.eye(nn)
    A = np.zeros((mm, nn))
    lr = nn / float(np.linalg.eigvalsh(Phi.T @ Phi)[-1])
    for _ in range(sanity._OF_STEPS):
        A -= lr * (Phi.T @ (Phi @ A - Y)) / nn
    R = Phi @ A - Y
    return float(np.sum(R * R)) / (2 * nn)


@pytest.mark.parametrize("n, m_frac, seed", [(10, 0.25, 0), (20, 0.5, 1), (23, 1.5, 2), (30, 3.0, 3), (17, 0.75, 4),
                                             (20, 2.0, 5)])
def test_affine_form_equals_plain_gd(n, m_frac, seed, monkeypatch):
    monkeypatch.setattr(sanity, "_OF_STEPS", 2000)  # the loops agree at every length; 2000 keeps the test cheap
    params = {"n": n, "m_frac": m_frac}
    fast, plain = sanity._overfit_loss(params, Context.numpy(seed)), _plain_overfit_loss(params, Context.numpy(seed))
    assert fast == pytest.approx(plain, rel=1e-9, abs=1e-13)
