"""Worst-case values of first-order methods from performance estimation (PEP).

A PEP [1, 2] computes the exact worst case of a method over a function class
by solving a small semidefinite program; PEPit [3] builds that program. Claims
use these values as an independent oracle (``PepOracle``): a formula from a
paper should match the SDP's value to the solver's accuracy.

PEPit, cvxpy and Clarabel are the optional extra ``pep``. When any is missing
the functions here raise ``PepUnavailable`` (a ``TheorykitError`` and a
``ModuleNotFoundError``) with an install hint; callers that want a soft skip use ``pep_available()`` first.

We solve with Clarabel through PEPit's cvxpy wrapper: it is open source, ships
as a wheel, and on these SDPs reaches relative accuracy around 1e-8 (see
``benchmarks/bench_gd_pep.py``), so oracles compare with rtol 1e-4, which is
well above solver error yet far below any plausible wrong constant.

References
  [1] Drori, Teboulle (2014). Performance of first-order methods for smooth
      convex minimization: a novel approach. Math. Program. 145. arXiv:1206.3209
  [2] Taylor, Hendrickx, Glineur (2017). Smooth strongly convex interpolation
      and exact worst-case performance of first-order methods.
      Math. Program. 161. arXiv:1502.05666
  [3] Goujaud, Moucer, Glineur, Hendrickx, Taylor, Dieuleveut (2022). PEPit:
      computer-assisted worst-case analyses of first-order optimization
      methods in Python. arXiv:2201.04040
"""
from __future__ import annotations

import importlib.util
import io
from contextlib import redirect_stdout

from ..errors import InputError, TheorykitError

__all__ = [
    "PepUnavailable",
    "pep_available",
    "gd_worst_case",
    "gd_strongly_convex_worst_case",
    "SOLVER",
]

# Name of the cvxpy solver used for every PEP in theorykit.
SOLVER = "CLARABEL"


class PepUnavailable(TheorykitError, ModuleNotFoundError):
    """PEPit (or cvxpy / Clarabel) is not installed.

    A ``ModuleNotFoundError`` too, so that callers which already treat a missing
    optional module as "skip" (the claim runner does) skip on it as well."""


def pep_available() -> bool:
    """True when PEPit, cvxpy and Clarabel can all be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("PEPit", "cvxpy", "clarabel"))


def _require():
    if not pep_available():
        missing = [m for m in ("PEPit", "cvxpy", "clarabel") if importlib.util.find_spec(m) is None]
        raise PepUnavailable(
            f"PEP oracle needs {', '.join(missing)}; install with: pip install 'theorykit[pep]'"
        )


def _check_params(L: float, h: float, n: int, mu: float | None = None) -> None:
    if not (isinstance(n, int) and n >= 0):
        raise InputError("n", f"number of iterations must be an int >= 0, got {n!r}")
    if not (L > 0):
        raise InputError("L", f"smoothness constant must be > 0, got {L!r}")
    if not (h > 0):
        raise InputError("h", f"normalized step h (step = h/L) must be > 0, got {h!r}")
    if mu is not None and not (0 <= mu < L):
        raise InputError("mu", f"strong convexity must satisfy 0 <= mu < L, got mu={mu!r}, L={L!r}")


def _solve(problem) -> float:
    # PEPit prints progress even at verbose=0 in some versions; keep stdout clean
    # because the CLI may be writing JSON there.
    with redirect_stdout(io.StringIO()):
        value = problem.solve(wrapper="cvxpy", solver=SOLVER, verbose=0)
    status = getattr(getattr(problem, "wrapper", None), "prob", None)
    status = getattr(status, "status", "optimal")
    if status not in ("optimal", "optimal_inaccurate") or value is None:
        raise TheorykitError(f"PEP solver {SOLVER} did not converge (status {status!r})")
    return float(value)


def gd_worst_case(n: int, *, L: float = 1.0, h: float = 1.0, R: float = 1.0) -> float:
    """Worst case of f(x_n) - f* for gradient descent x_{k+1} = x_k - (h/L) grad f(x_k).

    Over all convex L-smooth f and all x0 with ||x0 - x*||^2 <= R^2 (any dimension).
    For h <= 1 this equals L R^2 / (4 n h + 2) [1, Thm 3.1]; the PEP finds it
    without knowing that.
    """
    _check_params(L, h, n)
    _require()
    from PEPit import PEP
    from PEPit.functions import SmoothConvexFunction

    problem = PEP()
    f = problem.declare_function(SmoothConvexFunction, L=L)
    xs = f.stationary_point()
    fs = f(xs)
    x = x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= R**2)
    for _ in range(n):
        x = x - (h / L) * f.gradient(x)
    problem.set_performance_metric(f(x) - fs)
    return _solve(problem)


def gd_strongly_convex_worst_case(
    n: int, *, mu: float, L: float = 1.0, h: float | None = None, R: float = 1.0
) -> float:
    """Worst case of ||x_n - x*||^2 for gradient descent with step h/L on
    mu-strongly convex L-smooth f, given ||x0 - x*||^2 <= R^2.

    ``h=None`` means the step 2/(mu + L), i.e. h = 2L/(mu + L). For 0 < h < 2 the
    value is max(|1 - h mu/L|, |1 - h|)^(2n) R^2 (the classical contraction factor,
    attained by a quadratic); the PEP finds it from the interpolation conditions
    of [2] alone.
    """
    if h is None:
        h = 2 * L / (mu + L)
    _check_params(L, h, n, mu)
    _require()
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=mu, L=L)
    xs = f.stationary_point()
    x = x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= R**2)
    for _ in range(n):
        x = x - (h / L) * f.gradient(x)
    problem.set_performance_metric((x - xs) ** 2)
    return _solve(problem)
