"""Newton's method and test functions whose Newton constants (mu, M) are known.

``newton_step(problem, x)`` solves hessian(x) d = grad(x) and returns x - lr d;
``run_newton`` iterates it. Test problems (``x`` of shape (d,) or (batch, d)):

* ``LogCoshRidge(W, c, a, mu)``: f(x) = mu/2 |x|^2 + sum_j a_j phi_j(w_j.x) with
  phi_j(z) = logcosh(z + c_j) - logcosh(c_j) - tanh(c_j) z  (a_j >= 0).
  The linear correction makes grad f(0) = 0, so x* = 0 and f* = 0 exactly.
  Hessian: mu I + sum_j a_j sech^2(w_j.x + c_j) w_j w_j^T  >= mu I  (so mu-strongly convex).
  Hessian Lipschitz constant: |d/dz sech^2 z| = 2 sech^2 z |tanh z| = 2 tau (1 - tau^2)
  with tau = |tanh z|, maximal at tau = 1/sqrt 3, value K = 4/(3 sqrt 3). Hence
  ||H(x) - H(y)|| <= sum_j a_j K |w_j.(x-y)| ||w_j||^2 <= (K sum_j a_j ||w_j||^3) ||x - y||,
  so M = K sum_j a_j ||w_j||^3 (an upper bound, attribute ``M``). logcosh(z/2) is the
  logistic loss log(1 + e^z) up to a linear term and a constant, so this is
  ridge-regularized logistic regression in disguise, with a known minimizer.
* ``CubicRidge1D(mu, M)``: f(x) = mu x^2/2 + M |x|^3/6 in 1-D; f'' = mu + M|x| >= mu,
  |f''(x) - f''(y)| = M ||x| - |y|| <= M |x - y|: both constants are exact, and
  the Newton error ratio e+/e^2 = M / (2 (mu + M e)) tends to the bound M/(2 mu).
* ``Polynomial1D(coef)``: f(x) = sum_k coef[k] x^k, for nonconvex examples.
* ``Reparametrized(base, c, s)``: phi -> s base(phi / c): parameters measured in a unit
  c times smaller and the loss in a unit s times smaller (for ``proofs/units.py``).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked, check_positive_scalar, get_namespace

__all__ = [
    "SECH2_LIPSCHITZ",
    "CubicRidge1D",
    "LogCoshRidge",
    "Polynomial1D",
    "Reparametrized",
    "newton_step",
    "run_newton",
]

#: max |d/dz sech^2(z)| = 4 / (3 sqrt 3), attained at tanh z = 1/sqrt 3
SECH2_LIPSCHITZ = 4.0 / (3.0 * math.sqrt(3.0))


def newton_step(problem: Any, x: Any, *, lr: float = 1.0) -> Any:
    """x - lr H(x)^{-1} grad f(x) for one point x of shape (d,)."""
    xp = array_namespace(x)
    if x.ndim != 1:
        raise InputError("x", f"expected one point of shape (d,), got shape {tuple(x.shape)}")
    H = problem.hessian(x)
    d = xp.linalg.solve(H, problem.grad(x)[:, None])[:, 0]
    return x - lr * d


def run_newton(problem: Any, x0: Any, steps: int, *, lr: float = 1.0) -> Any:
    """Iterates (steps + 1, d) of Newton's method from x0 (d,)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise InputError("steps", f"must be an integer >= 0, got {steps!r}")
    xp = getattr(problem, "xp", None) or array_namespace(x0)
    x = asarray_checked(x0, "x0", xp, ndim=1)
    xs = [x]
    for _ in range(steps):
        x = newton_step(problem, x, lr=lr)
        xs.append(x)
    return xp.stack(xs)


def _sech2(z: Any, xp: Any) -> Any:
    # 4 e^{-2|z|} / (1 + e^{-2|z|})^2: no overflow of cosh for large |z|
    q = xp.exp(-2.0 * xp.abs(z))
    return 4.0 * q / (1.0 + q) ** 2


def _logcosh(z: Any, xp: Any) -> Any:
    # |z| + log(1 + e^{-2|z|}) - log 2, without overflow for large |z|
    a = xp.abs(z)
    return a + xp.log1p(xp.exp(-2.0 * a)) - math.log(2.0)


class LogCoshRidge:
    """Strongly convex test function with x* = 0 and known mu, M (module docstring).

    W: (k, d) directions w_j; c: (k,) offsets; a: (k,) weights >= 0; mu > 0.
    """

    def __init__(self, W: Any, c: Any, a: Any, mu: float, *, xp: Any = None):
        xp = xp or get_namespace("numpy")
        self.xp = xp
        self.W = asarray_checked(W, "W", xp, ndim=2)
        k, d = self.W.shape
        self.c = asarray_checked(c, "c", xp, ndim=1)
        self.a = asarray_checked(a, "a", xp, ndim=1)
        if self.c.shape[0] != k:
            raise InputError("c", f"expected {k} offsets (one per row of W), got {self.c.shape[0]}")
        if self.a.shape[0] != k:
            raise InputError("a", f"expected {k} weights (one per row of W), got {self.a.shape[0]}")
        if bool(xp.any(self.a < 0)):
            raise InputError("a", "weights must be >= 0 (convexity)")
        self.mu = check_positive_scalar(mu, "mu")
        self.dim = int(d)
        norms = xp.linalg.vector_norm(self.W, axis=1)
        self.M = SECH2_LIPSCHITZ * float(xp.sum(self.a * norms**3))
        self.L = self.mu + float(xp.linalg.eigvalsh((self.W.T * self.a) @ self.W)[-1])  # sech^2 <= 1
        self.x_star = xp.zeros((d,), dtype=xp.float64)
        self.f_star = 0.0

    def _z(self, x: Any) -> Any:
        return x @ self.W.T + self.c  # (..., k)

    def loss(self, x: Any) -> Any:
        xp = self.xp
        lin = x @ self.W.T
        phi = _logcosh(lin + self.c, xp) - _logcosh(self.c, xp) - xp.tanh(self.c) * lin
        return self.mu / 2 * xp.sum(x * x, axis=-1) + xp.sum(self.a * phi, axis=-1)

    def grad(self, x: Any) -> Any:
        xp = self.xp
        r = self.a * (xp.tanh(self._z(x)) - xp.tanh(self.c))
        return self.mu * x + r @ self.W

    def hessian(self, x: Any) -> Any:
        xp = self.xp
        D = self.a * _sech2(self._z(x), xp)  # (..., k)
        H = xp.matmul(self.W.T * D[..., None, :], self.W)
        return H + self.mu * xp.eye(self.dim, dtype=xp.float64)

    def hvp(self, x: Any, v: Any) -> Any:
        xp = self.xp
        D = self.a * _sech2(self._z(x), xp)
        return self.mu * v + (D * (v @ self.W.T)) @ self.W

    @classmethod
    def random(cls, dim: int, k: int, mu: float, *, rng: np.random.Generator, scale: float = 1.0,
               xp: Any = None) -> LogCoshRidge:
        """Random instance: rows w_j ~ N(0, scale^2/dim I), c_j ~ U[-2, 2], a_j ~ U[0.1, 1]."""
        for name, value in (("dim", dim), ("k", k)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(name, f"must be an integer >= 1, got {value!r}")
        if not isinstance(rng, np.random.Generator):
            raise InputError("rng", f"expected a numpy Generator, got {type(rng).__name__}")
        scale = check_positive_scalar(scale, "scale")
        W = rng.standard_normal((k, dim)) * scale / math.sqrt(dim)
        c = rng.uniform(-2.0, 2.0, size=k)
        a = rng.uniform(0.1, 1.0, size=k)
        xp = xp or get_namespace("numpy")
        return cls(xp.asarray(W), xp.asarray(c), xp.asarray(a), mu, xp=xp)

    def __repr__(self) -> str:
        return f"LogCoshRidge(dim={self.dim}, k={self.W.shape[0]}, mu={self.mu:.4g}, M={self.M:.4g})"


class _OneD:
    dim = 1

    def hvp(self, x: Any, v: Any) -> Any:
        return self.hessian(x)[..., 0] * v


class CubicRidge1D(_OneD):
    """f(x) = mu x^2/2 + M |x|^3 / 6: mu-strongly convex, Hessian exactly M-Lipschitz, x* = 0."""

    def __init__(self, mu: float, M: float, *, xp: Any = None):
        self.mu = check_positive_scalar(mu, "mu")
        self.M = check_positive_scalar(M, "M")
        self.xp = xp or get_namespace("numpy")
        self.L = None  # f'' is unbounded
        self.x_star = self.xp.zeros((1,), dtype=self.xp.float64)
        self.f_star = 0.0

    def loss(self, x: Any) -> Any:
        t = x[..., 0]
        return self.mu * t * t / 2 + self.M * self.xp.abs(t) ** 3 / 6

    def grad(self, x: Any) -> Any:
        return self.mu * x + self.M * x * self.xp.abs(x) / 2

    def hessian(self, x: Any) -> Any:
        return (self.mu + self.M * self.xp.abs(x))[..., None]

    def __repr__(self) -> str:
        return f"CubicRidge1D(mu={self.mu:.4g}, M={self.M:.4g})"


class Polynomial1D(_OneD):
    """f(x) = sum_k coef[k] x^k (coef[0] is the constant)."""

    def __init__(self, coef: Sequence[float], *, xp: Any = None):
        c = np.asarray(coef, dtype=np.float64)
        if c.ndim != 1 or c.size == 0 or not np.all(np.isfinite(c)):
            raise InputError("coef", f"expected a non-empty sequence of finite numbers, got {coef!r}")
        self.coef = tuple(float(v) for v in c)
        self.xp = xp or get_namespace("numpy")
        self.L = self.mu = self.x_star = self.f_star = None

    def _poly(self, coef: Sequence[float], t: Any) -> Any:
        out = self.xp.zeros_like(t)
        for ck in reversed(coef):  # Horner
            out = out * t + ck
        return out

    def _deriv(self, coef: Sequence[float]) -> tuple[float, ...]:
        return tuple(k * c for k, c in enumerate(coef))[1:] or (0.0,)

    def loss(self, x: Any) -> Any:
        return self._poly(self.coef, x[..., 0])

    def grad(self, x: Any) -> Any:
        return self._poly(self._deriv(self.coef), x)

    def hessian(self, x: Any) -> Any:
        return self._poly(self._deriv(self._deriv(self.coef)), x)[..., None]

    def __repr__(self) -> str:
        return f"Polynomial1D({self.coef})"


class Reparametrized:
    """g(phi) = s * base.loss(phi / c): theta = phi / c, loss unit scaled by s.

    grad g = (s/c) grad f(phi/c); hess g = (s/c^2) hess f(phi/c). ``x_star`` = c x*.
    """

    def __init__(self, base: Any, c: float, s: float = 1.0):
        self.base = base
        self.c = check_positive_scalar(c, "c")
        self.s = check_positive_scalar(s, "s")
        self.xp = getattr(base, "xp", None) or get_namespace("numpy")
        self.dim = base.dim
        self.mu = None if getattr(base, "mu", None) is None else self.s / self.c**2 * base.mu
        self.L = None if getattr(base, "L", None) is None else self.s / self.c**2 * base.L
        self.x_star = None if getattr(base, "x_star", None) is None else self.c * base.x_star
        self.f_star = None if getattr(base, "f_star", None) is None else self.s * base.f_star

    def loss(self, x: Any) -> Any:
        return self.s * self.base.loss(x / self.c)

    def grad(self, x: Any) -> Any:
        return (self.s / self.c) * self.base.grad(x / self.c)

    def hessian(self, x: Any) -> Any:
        return (self.s / self.c**2) * self.base.hessian(x / self.c)

    def hvp(self, x: Any, v: Any) -> Any:
        return (self.s / self.c**2) * self.base.hvp(x / self.c, v)

    def __repr__(self) -> str:
        return f"Reparametrized({self.base!r}, c={self.c:.4g}, s={self.s:.4g})"
