"""PEP worst cases for Nesterov's accelerated gradient method (PEPit [3]).

``fista_worst_case(n)``: the exact worst case of f(x_n) − f* over all convex
L-smooth f (any dimension) and all x_0 with ‖x_0 − x*‖² ≤ R², for Nesterov's
method with the t_k sequence [1, 2]:

    t_1 = 1,  t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2,
    x_k     = y_k − (1/L) ∇f(y_k),           y_1 = x_0,
    y_{k+1} = x_k + ((t_k − 1)/t_{k+1}) (x_k − x_{k−1}).

Beck and Teboulle [2, Thm 4.4] prove f(x_n) − f* ≤ 2 L R² / (n + 1)²; the PEP
value must lie below it (an *upper* bound, not tight). Solved like the GD PEPs of
``theorykit.claims.pep`` (Clarabel through PEPit's cvxpy wrapper).

References
  [1] Y. Nesterov (1983). A method for solving the convex programming problem with
      convergence rate O(1/k²). Soviet Math. Dokl. 27(2).
  [2] A. Beck, M. Teboulle (2009). A fast iterative shrinkage-thresholding algorithm
      for linear inverse problems. SIAM J. Imaging Sci. 2(1). doi:10.1137/080716542
  [3] Goujaud, Moucer, Glineur, Hendrickx, Taylor, Dieuleveut (2022). PEPit:
      computer-assisted worst-case analyses of first-order optimization methods in
      Python. arXiv:2201.04040
"""
from __future__ import annotations

import math

from ..errors import InputError
from .pep import _require, _solve

__all__ = ["fista_momentum", "fista_worst_case", "nesterov_strongly_convex_worst_case"]


def fista_momentum(n: int) -> list[float]:
    """Momentum coefficients (t_k − 1)/t_{k+1}, k = 1..n: the k-th is used to form
    y_{k+1}, i.e. in the step that produces x_{k+1} from (x_k, x_{k−1})."""
    t = 1.0
    out = []
    for _ in range(n):
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        out.append((t - 1.0) / t_next)
        t = t_next
    return out


def _check(n, L, R):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("n", f"number of iterations must be an int >= 1, got {n!r}")
    if not L > 0:
        raise InputError("L", f"smoothness constant must be > 0, got {L!r}")
    if not R > 0:
        raise InputError("R", f"initial distance must be > 0, got {R!r}")


def fista_worst_case(n: int, *, L: float = 1.0, R: float = 1.0) -> float:
    """PEP worst case of f(x_n) − f* for Nesterov's method with the t_k sequence."""
    _check(n, L, R)
    _require()
    from PEPit import PEP
    from PEPit.functions import SmoothConvexFunction

    problem = PEP()
    f = problem.declare_function(SmoothConvexFunction, L=L)
    xs = f.stationary_point()
    fs = f(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= R**2)
    betas = [0.0] + fista_momentum(n - 1)  # the first step starts from y_1 = x_0
    x_prev = x = x0
    for beta in betas:
        y = x + beta * (x - x_prev) if beta else x
        x_prev, x = x, y - (1.0 / L) * f.gradient(y)
    problem.set_performance_metric(f(x) - fs)
    return _solve(problem)


def nesterov_strongly_convex_worst_case(n: int, *, mu: float, L: float = 1.0, R: float = 1.0) -> float:
    """PEP worst case of f(x_n) − f* for constant-momentum Nesterov, step 1/L and
    β = (√κ − 1)/(√κ + 1), on μ-strongly convex L-smooth f with ‖x_0 − x*‖² ≤ R²."""
    _check(n, L, R)
    if not 0 < mu < L:
        raise InputError("mu", f"need 0 < mu < L, got mu={mu!r}, L={L!r}")
    _require()
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    kappa = L / mu
    beta = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=mu, L=L)
    xs = f.stationary_point()
    fs = f(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= R**2)
    x_prev = x = x0
    for _ in range(n):
        y = x + beta * (x - x_prev)
        x_prev, x = x, y - (1.0 / L) * f.gradient(y)
    problem.set_performance_metric(f(x) - fs)
    return _solve(problem)
