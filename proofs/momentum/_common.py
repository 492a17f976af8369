"""Shared pieces of the momentum family (``heavy_ball.py``, ``accelerated.py``):
symbols, the per-eigendirection characteristic polynomials derived by
``theorykit.symbolic.stability``, citations, and small measurement helpers.
Not a family module itself (leading underscore: no ``CLAIMS``).
"""
from __future__ import annotations

import math

import numpy as np
import sympy

from theorykit.claims.claim import Source
from theorykit.symbolic.stability import (
    characteristic_polynomial,
    companion_matrix,
    jury_conditions,
)

from .._util import derivation, BECK_TEBOULLE, NESTEROV, POLYAK, S

# --------------------------------------------------------------------------- symbols
# h = eta*lambda (step times eigenvalue): the only combination the recurrences see.
eta, lam, beta, h, z = S("eta"), S("lambda"), S("beta"), S("h"), S("z")
s = S("s")  # a square root (sqrt(beta), sqrt(h), ...): keeps the prover polynomial
k = S("k")  # sqrt(kappa)
a, b = S("a"), S("b")  # sqrt(L), sqrt(mu)
kappa, L, mu = S("kappa"), S("L"), S("mu")

# Characteristic polynomials of one eigendirection, derived from the step rules
# (stability.companion_matrix runs the rule with grad(u) = lambda*u).
HB_MATRIX = companion_matrix("heavy_ball", eta, beta, lam)
HB_POLY = characteristic_polynomial(HB_MATRIX, z)
HB_POLY_H = sympy.expand(HB_POLY.subs(eta, h / lam))
NAG_POLY_H = sympy.expand(characteristic_polynomial(companion_matrix("nesterov", h / lam, beta, lam), z))
GD_POLY_H = sympy.expand(characteristic_polynomial(companion_matrix("gd", h / lam, 0, lam), z) / z)

HB_CONDITIONS = jury_conditions(HB_POLY_H, z)
NAG_CONDITIONS = jury_conditions(NAG_POLY_H, z)
GD_CONDITIONS = jury_conditions(GD_POLY_H, z)

# --------------------------------------------------------------------------- sources
POLYAK_1964 = Source(
    key="Polyak 1964",
    authors="B. T. Polyak",
    title="Some methods of speeding up the convergence of iteration methods",
    year=1964,
    venue="USSR Computational Mathematics and Mathematical Physics 4(5), 1-17",
    doi="10.1016/0041-5553(64)90137-5",
)
NESTEROV_1983 = Source(
    key="Nesterov 1983",
    authors="Y. Nesterov",
    title="A method for solving the convex programming problem with convergence rate O(1/k^2)",
    year=1983,
    venue="Soviet Mathematics Doklady 27(2), 372-376",
)
JURY = Source(
    key="Jury 1964",
    authors="E. I. Jury",
    title="Theory and Application of the z-Transform Method",
    year=1964,
    venue="Wiley, New York",
)
GOH = Source(
    key="Goh 2017",
    authors="G. Goh",
    title="Why momentum really works",
    year=2017,
    venue="Distill",
    doi="10.23915/distill.00006",
)
LESSARD = Source(
    key="Lessard et al. 2016",
    authors="L. Lessard, B. Recht, A. Packard",
    title="Analysis and design of optimization algorithms via integral quadratic constraints",
    year=2016,
    venue="SIAM Journal on Optimization 26(1), 57-95",
    arxiv="1408.3595",
    doi="10.1137/15M1009597",
)
HESTENES_STIEFEL = Source(
    key="Hestenes & Stiefel 1952",
    authors="M. R. Hestenes, E. Stiefel",
    title="Methods of conjugate gradients for solving linear systems",
    year=1952,
    venue="Journal of Research of the National Bureau of Standards 49(6), 409-436",
    doi="10.6028/jres.049.044",
)
__all__ = [
    "eta", "lam", "beta", "h", "z", "s", "k", "a", "b", "kappa", "L", "mu",
    "HB_MATRIX", "HB_POLY", "HB_POLY_H", "NAG_POLY_H", "GD_POLY_H",
    "HB_CONDITIONS", "NAG_CONDITIONS", "GD_CONDITIONS",
    "POLYAK_1964", "NESTEROV_1983", "BECK_TEBOULLE", "JURY", "GOH", "LESSARD", "HESTENES_STIEFEL",
    "NESTEROV", "POLYAK", "spread", "rel_round", "derivation", "probes", "seed_of", "unit_floats",
]


# --------------------------------------------------------------------------- helpers
def spread(lo: float, hi: float, n: int) -> np.ndarray:
    """n eigenvalues from lo to hi (endpoints included): the extremes decide rates
    and thresholds, the interior ones make sure nothing else does."""
    return np.linspace(lo, hi, max(n, 2)) if n > 1 else np.array([hi])


def rel_round(v: float, digits: int = 6) -> float:
    """Round to ``digits`` significant digits (counterexamples print cleanly)."""
    if v == 0 or not math.isfinite(v):
        return v
    return float(f"{v:.{digits}g}")


def probes():
    from theorykit.numeric import probes

    return probes


def seed_of(ctx) -> int:
    """A seed for one measurement, drawn from the run's seeded rng."""
    return int(ctx.rng.integers(0, 2**31 - 1))


def unit_floats(lo, hi):
    """Finite floats in [lo, hi], rounded so that counterexamples print cleanly."""
    from hypothesis import strategies as st

    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(rel_round)
