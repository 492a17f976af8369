"""What the gradient-check claims share: the Higham source, the symbols of the difference
quotients' Taylor expansions, and the exp(a x) difference quotient computed in a given dtype."""
from __future__ import annotations

import numpy as np

from theorykit.claims.claim import Source

from .._util import S

__all__ = ["HIGHAM", "difference_quotient"]

HIGHAM = Source(
    key="Higham 2002",
    authors="N. J. Higham",
    title="Accuracy and Stability of Numerical Algorithms (2nd ed.)",
    year=2002,
    venue="SIAM",
    doi="10.1137/1.9780898718027",
)

h, d1, d2, d3, d4, d5, A, B, hs, eps, f0, a, r = (S(n) for n in ("h", "d1", "d2", "d3", "d4", "d5", "A", "B",
                                                                 "hs", "eps", "f0", "a", "r"))
err, p_order = S("err"), S("p")


def _taylor(x):
    # degree-5 Taylor polynomial around the base point: exact for quintics, and the
    # remainder of a smooth f only adds higher powers of h to every line below
    return d1 * x + d2 * x**2 / 2 + d3 * x**3 / 6 + d4 * x**4 / 24 + d5 * x**5 / 120



# --------------------------------------------------------------------------- measurement helpers
def difference_quotient(a_val: float, x0, step: float, method: str, dtype):
    """Centered or forward quotient of f(x) = exp(a x) at the points x0, computed entirely in ``dtype``."""
    x = np.asarray(x0, dtype=dtype)
    hh, aa = dtype(step), dtype(a_val)
    if method == "centered":
        return (np.exp(aa * (x + hh)) - np.exp(aa * (x - hh))) / (dtype(2) * hh)
    if method == "forward":
        return (np.exp(aa * (x + hh)) - np.exp(aa * x)) / hh
    raise ValueError(f"unknown method {method!r}")
