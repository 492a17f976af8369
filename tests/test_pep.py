"""theorykit.claims.pep: PEPit worst cases of gradient descent (Clarabel through cvxpy)."""
from __future__ import annotations

import pytest

from theorykit.claims import pep
from theorykit.errors import InputError

needs_pep = pytest.mark.skipif(not pep.pep_available(), reason="PEPit/cvxpy/clarabel not installed")


@needs_pep
@pytest.mark.parametrize("n", [1, 2, 5])
def test_gd_matches_drori_teboulle(n):
    # exact worst case L R^2 / (4 n h + 2) for h <= 1 (Drori & Teboulle 2014, Thm 3.1)
    assert pep.gd_worst_case(n) == pytest.approx(1 / (4 * n + 2), rel=1e-5)


@needs_pep
def test_gd_scales_with_L_R_and_h():
    assert pep.gd_worst_case(2, L=3.0, R=2.0) == pytest.approx(3.0 * 4.0 / 10, rel=1e-5)
    assert pep.gd_worst_case(3, h=0.5) == pytest.approx(1 / (4 * 3 * 0.5 + 2), rel=1e-5)


@needs_pep
def test_gd_large_step_is_worse_than_formula():
    # at h = 1.9 the quadratic L/2 x^2 gives (1 - h)^(2n)/2, which beats 1/(4n+2)
    w = pep.gd_worst_case(2, h=1.9)
    assert w >= 0.9**4 / 2 * (1 - 1e-5)
    assert w > 1 / 10


@needs_pep
@pytest.mark.parametrize("n", [0, 1, 4])
def test_strongly_convex_rate(n):
    rho = (1 - 0.1) / (1 + 0.1)
    assert pep.gd_strongly_convex_worst_case(n, mu=0.1) == pytest.approx(rho ** (2 * n), rel=1e-5)
    # a step other than 2/(mu+L): max(|1 - h mu/L|, |1 - h|)^(2n)
    assert pep.gd_strongly_convex_worst_case(n, mu=0.1, h=1.0) == pytest.approx(0.9 ** (2 * n), rel=1e-5)


def test_bad_input_names_the_argument():
    with pytest.raises(InputError, match="^n:"):
        pep.gd_worst_case(-1)
    with pytest.raises(InputError, match="^n:"):
        pep.gd_worst_case(1.5)
    with pytest.raises(InputError, match="^L:"):
        pep.gd_worst_case(1, L=0.0)
    with pytest.raises(InputError, match="^h:"):
        pep.gd_worst_case(1, h=-1.0)
    with pytest.raises(InputError, match="^mu:"):
        pep.gd_strongly_convex_worst_case(1, mu=2.0, L=1.0)


def test_missing_pepit_raises_clear_error(monkeypatch):
    monkeypatch.setattr(pep.importlib.util, "find_spec", lambda name, *a: None)
    assert not pep.pep_available()
    with pytest.raises(pep.PepUnavailable, match=r"pip install 'theorykit\[pep\]'"):
        pep.gd_worst_case(1)
    # the runner treats ModuleNotFoundError as "skip the oracle"
    with pytest.raises(ModuleNotFoundError):
        pep.gd_strongly_convex_worst_case(1, mu=0.1)
