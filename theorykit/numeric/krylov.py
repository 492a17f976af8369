"""Krylov methods on the quadratic f(x) = ½ xᵀAx − bᵀx (A symmetric positive definite).

* ``conjugate_gradient``: Hestenes–Stiefel CG [1]; x_t minimizes f over
  x_0 + span{r_0, A r_0, ..., A^{t-1} r_0}, so it reaches x* in at most d steps
  in exact arithmetic.
* ``greedy_heavy_ball``: heavy ball x_{t+1} = x_t − η_t ∇f(x_t) + β_t (x_t − x_{t−1})
  with (η_t, β_t) chosen each step to minimize f(x_{t+1}) exactly, a 2×2 linear
  solve on span{∇f(x_t), x_t − x_{t−1}}. On quadratics this is CG written as a
  momentum method [2, Sec. 3.2].
* ``steepest_descent``: gradient descent with exact line search (no momentum),
  which does not terminate finitely (it zig-zags; Akaike 1959).

All three return the iterates stacked as a (steps + 1, d) array in the namespace
of ``A`` (array API), starting with ``x0``. Iterations stop moving once the
gradient is exactly zero or the step system is numerically singular (the
remaining rows repeat the last iterate), so runs past convergence stay finite.

References
  [1] M. R. Hestenes, E. Stiefel (1952). Methods of conjugate gradients for solving
      linear systems. J. Res. Nat. Bur. Standards 49(6). doi:10.6028/jres.049.044
  [2] B. T. Polyak (1987). Introduction to Optimization. Optimization Software.
"""
from __future__ import annotations

from typing import Any

from array_api_compat import array_namespace

from ..errors import InputError

__all__ = ["conjugate_gradient", "greedy_heavy_ball", "steepest_descent", "quadratic_loss"]


def _prepare(A, b, x0, steps):
    xp = array_namespace(A)
    A = xp.asarray(A, dtype=xp.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InputError("A", f"must be a square matrix, got shape {tuple(A.shape)}")
    d = A.shape[0]
    b = xp.zeros(d, dtype=xp.float64) if b is None else xp.asarray(b, dtype=xp.float64)
    x0 = xp.asarray(x0, dtype=xp.float64)
    if b.shape != (d,):
        raise InputError("b", f"must have shape ({d},), got {tuple(b.shape)}")
    if x0.shape != (d,):
        raise InputError("x0", f"must have shape ({d},), got {tuple(x0.shape)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise InputError("steps", f"must be an int >= 0, got {steps!r}")
    if not bool(xp.all(xp.isfinite(A))) or not bool(xp.all(xp.isfinite(b))) or not bool(xp.all(xp.isfinite(x0))):
        raise InputError("A, b, x0", "must be finite")
    return xp, A, b, x0


def _matvec(xp, A, v):
    return xp.matmul(A, v)


def quadratic_loss(A: Any, b: Any, x: Any) -> float:
    """f(x) = ½ xᵀAx − bᵀx."""
    xp = array_namespace(A)
    return float(0.5 * xp.vecdot(x, _matvec(xp, A, x)) - xp.vecdot(b, x))


def conjugate_gradient(A: Any, b: Any, x0: Any, steps: int) -> Any:
    """CG iterates x_0, ..., x_steps for A x = b (Hestenes–Stiefel form)."""
    xp, A, b, x = _prepare(A, b, x0, steps)
    out = [x]
    r = b - _matvec(xp, A, x)  # residual = −∇f(x)
    p = r
    rr = float(xp.vecdot(r, r))
    for _ in range(steps):
        Ap = _matvec(xp, A, p)
        pAp = float(xp.vecdot(p, Ap))
        if rr == 0.0 or not pAp > 0.0:
            out.append(x)  # converged exactly (or A not positive definite along p)
            continue
        alpha = rr / pAp
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = float(xp.vecdot(r, r))
        p = r + (rr_new / rr) * p
        rr = rr_new
        out.append(x)
    return xp.stack(out)


def greedy_heavy_ball(A: Any, b: Any, x0: Any, steps: int, *, return_params: bool = False):
    """Heavy ball with (η_t, β_t) minimizing f(x_{t+1}) exactly at each step.

    x_{t+1} = x_t + D c with D = [g, s], g = ∇f(x_t), s = x_t − x_{t−1}, c = (−η, β);
    f(x_t + Dc) = f(x_t) + gᵀDc + ½ cᵀ(DᵀAD)c is minimized by (DᵀAD) c = −Dᵀg.
    At t = 0 (s = 0) this is an exact line search along g. With ``return_params``
    also returns the lists of η_t and β_t.
    """
    xp, A, b, x = _prepare(A, b, x0, steps)
    out = [x]
    etas: list[float] = []
    betas: list[float] = []
    s = xp.zeros_like(x)
    for _ in range(steps):
        g = _matvec(xp, A, x) - b
        Ag, As = _matvec(xp, A, g), _matvec(xp, A, s)
        gAg, gAs, sAs = float(xp.vecdot(g, Ag)), float(xp.vecdot(g, As)), float(xp.vecdot(s, As))
        gg, gs = float(xp.vecdot(g, g)), float(xp.vecdot(g, s))
        det = gAg * sAs - gAs * gAs
        # Solve the 2×2 system by Cramer's rule; when s is (numerically) parallel to g
        # or zero, the plane degenerates to the line along g.
        if gg == 0.0:
            eta, beta = 0.0, 0.0
        elif sAs == 0.0 or det <= 1e-14 * gAg * sAs:
            eta, beta = gg / gAg, 0.0
        else:
            # (DᵀAD) (−η, β) = −(gg, gs)
            c1 = (-gg * sAs + gs * gAs) / det
            c2 = (-gs * gAg + gg * gAs) / det
            eta, beta = -c1, c2
        x_new = x - eta * g + beta * s
        s, x = x_new - x, x_new
        etas.append(eta)
        betas.append(beta)
        out.append(x)
    xs = xp.stack(out)
    return (xs, etas, betas) if return_params else xs


def steepest_descent(A: Any, b: Any, x0: Any, steps: int) -> Any:
    """Gradient descent with exact line search: η_t = gᵀg / gᵀAg, momentum 0."""
    xp, A, b, x = _prepare(A, b, x0, steps)
    out = [x]
    for _ in range(steps):
        g = _matvec(xp, A, x) - b
        gg = float(xp.vecdot(g, g))
        gAg = float(xp.vecdot(g, _matvec(xp, A, g)))
        if gg == 0.0 or not gAg > 0.0:
            out.append(x)
            continue
        x = x - (gg / gAg) * g
        out.append(x)
    return xp.stack(out)
