"""Test problems with known constants: the ``Problem`` protocol and concrete problems.

Every problem takes ``x`` of shape ``(d,)`` or, batched, ``(batch, d)`` and
returns ``loss`` of shape ``()`` / ``(batch,)`` and ``grad`` of the shape of
``x``. ``BatchedQuadratic`` is a batch of *problems*: its ``x`` has shape
``(batch, d)`` with one row per problem, and its constants are ``(batch,)`` arrays.
"""
from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import InputError
from .backend import asarray_checked, check_positive_scalar, get_namespace, to_numpy

__all__ = [
    "Problem",
    "Quadratic",
    "BatchedQuadratic",
    "random_quadratic",
    "random_quadratics",
    "haar_orthogonal",
    "Huber1D",
    "LogisticRegression",
    "SinusoidalQuadratic",
]


@runtime_checkable
class Problem(Protocol):
    dim: int
    L: Any
    mu: Any
    x_star: Any
    f_star: Any
    xp: Any

    def loss(self, x: Any) -> Any: ...
    def grad(self, x: Any) -> Any: ...
    def hvp(self, x: Any, v: Any) -> Any: ...
    def hessian(self, x: Any) -> Any: ...


def _namespace(arr: Any, xp: Any) -> Any:
    if xp is not None:
        return xp
    return get_namespace("cupy") if type(arr).__module__.startswith("cupy") else get_namespace("numpy")


def _rng(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise InputError("rng", f"expected a numpy Generator or an int seed, got {type(rng).__name__}")


def _matvec(A: Any, x: Any, xp: Any) -> Any:
    # A: (d, d) or (batch, d, d); x: (d,) or (batch, d). Symmetric A, so x @ A == A x.
    if A.ndim == 2:
        return xp.matmul(x, A)
    return xp.matmul(A, x[..., None])[..., 0]


def _check_x(x: Any, dim: int, xp: Any, name: str = "x") -> Any:
    arr = asarray_checked(x, name, xp, ndim=(1, 2), finite=False)
    if arr.shape[-1] != dim:
        raise InputError(name, f"last dimension must be {dim}, got shape {tuple(arr.shape)}")
    return arr


def _symmetric(A: Any, name: str, xp: Any) -> Any:
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise InputError(name, f"expected a square matrix, got shape {tuple(A.shape)}")
    At = xp.matrix_transpose(A) if hasattr(xp, "matrix_transpose") else xp.swapaxes(A, -1, -2)
    scale = max(float(xp.max(xp.abs(A))) if A.size else 0.0, 1.0)
    if float(xp.max(xp.abs(A - At))) > 1e-10 * scale:
        raise InputError(name, "must be symmetric")
    return (A + At) / 2


class _QuadraticBase:
    """f(x) = 1/2 x^T A x - b^T x with A symmetric; shared by the single and batched forms."""

    def _setup(self, A: Any, b: Any, require_psd: bool, xp: Any) -> None:
        self.xp = xp
        self.A = _symmetric(A, "A", xp)
        d = self.A.shape[-1]
        self.dim = int(d)
        self.b = xp.zeros(self.A.shape[:-1], dtype=xp.float64) if b is None else b
        if tuple(self.b.shape) != tuple(self.A.shape[:-1]):
            raise InputError("b", f"expected shape {tuple(self.A.shape[:-1])}, got {tuple(self.b.shape)}")
        self.eigenvalues = xp.linalg.eigvalsh(self.A)  # ascending, (..., d)
        lam_max = self.eigenvalues[..., -1]
        lam_min = self.eigenvalues[..., 0]
        # Round-off makes a PSD matrix's zero eigenvalue come out as about -eps*|A|.
        tol = 1e-12 * xp.maximum(xp.abs(lam_max), xp.ones_like(lam_max))
        indefinite = lam_min < -tol
        if require_psd and bool(xp.any(indefinite)):
            raise InputError("A", f"must be positive semidefinite; smallest eigenvalue is {float(xp.min(lam_min)):.3g}")
        self.L = lam_max
        self.mu = xp.where(xp.abs(lam_min) <= tol, xp.zeros_like(lam_min), lam_min)
        self.convex = not bool(xp.any(indefinite))
        if bool(xp.all(self.mu > 0)):
            self.x_star = xp.linalg.solve(self.A, self.b[..., None])[..., 0]
            self.f_star = self.loss(self.x_star)
        elif self.convex and not bool(xp.any(self.b != 0)):
            self.x_star = xp.zeros_like(self.b)
            self.f_star = xp.zeros(self.b.shape[:-1], dtype=xp.float64)
        else:
            self.x_star = None
            self.f_star = None

    def loss(self, x: Any) -> Any:
        xp = self.xp
        x = _check_x(x, self.dim, xp)
        return 0.5 * xp.sum(x * _matvec(self.A, x, xp), axis=-1) - xp.sum(x * self.b, axis=-1)

    def grad(self, x: Any) -> Any:
        x = _check_x(x, self.dim, self.xp)
        return _matvec(self.A, x, self.xp) - self.b

    def hvp(self, x: Any, v: Any) -> Any:
        v = _check_x(v, self.dim, self.xp, "v")
        return _matvec(self.A, v, self.xp)

    def hessian(self, x: Any) -> Any:
        x = _check_x(x, self.dim, self.xp)
        if self.A.ndim == 2 and x.ndim == 2:
            return self.xp.broadcast_to(self.A, (x.shape[0], self.dim, self.dim))
        return self.A


class Quadratic(_QuadraticBase):
    """f(x) = 1/2 x^T A x - b^T x.

    ``A`` must be symmetric (InputError naming "A"); with ``require_psd=True`` an
    indefinite ``A`` is rejected too. ``L`` = largest eigenvalue, ``mu`` = smallest
    (0 when it is zero up to round-off), ``x_star``/``f_star`` when A is positive
    definite (or b = 0 and A is PSD), else None.
    """

    def __init__(self, A: Any, b: Any = None, *, require_psd: bool = False, xp: Any = None):
        xp = _namespace(A, xp)
        A = asarray_checked(A, "A", xp, ndim=2)
        b = None if b is None else asarray_checked(b, "b", xp, ndim=1)
        self._setup(A, b, require_psd, xp)
        self.L = float(self.L)
        self.mu = float(self.mu)
        if self.f_star is not None:
            self.f_star = float(self.f_star)

    def __repr__(self) -> str:
        return f"Quadratic(dim={self.dim}, mu={self.mu:.4g}, L={self.L:.4g})"


class BatchedQuadratic(_QuadraticBase):
    """A batch of quadratics: ``A`` of shape (batch, d, d), ``b`` (batch, d).

    ``x`` has shape (batch, d), row i for problem i; ``L``, ``mu``, ``f_star``
    are (batch,) arrays, ``x_star`` is (batch, d).
    """

    def __init__(self, A: Any, b: Any = None, *, require_psd: bool = False, xp: Any = None):
        xp = _namespace(A, xp)
        A = asarray_checked(A, "A", xp, ndim=3)
        b = None if b is None else asarray_checked(b, "b", xp, ndim=2)
        self._setup(A, b, require_psd, xp)
        self.batch = int(self.A.shape[0])

    def __len__(self) -> int:
        return self.batch

    def __getitem__(self, i: int) -> Quadratic:
        return Quadratic(self.A[i], self.b[i], xp=self.xp)

    def __repr__(self) -> str:
        return f"BatchedQuadratic(batch={self.batch}, dim={self.dim})"


def haar_orthogonal(d: int, rng: Any, batch: int | None = None) -> np.ndarray:
    """Haar-distributed orthogonal matrices (NumPy), shape (d, d) or (batch, d, d).

    QR of a Gaussian matrix is Haar only after fixing the signs of R's diagonal
    (Mezzadri 2007); without it the distribution is biased.
    """
    rng = _rng(rng)
    shape = (d, d) if batch is None else (batch, d, d)
    Q, R = np.linalg.qr(rng.standard_normal(shape))
    signs = np.sign(np.diagonal(R, axis1=-2, axis2=-1))
    signs[signs == 0] = 1.0
    return Q * signs[..., None, :]


def _from_spectrum(eig: np.ndarray, Q: np.ndarray) -> np.ndarray:
    A = np.matmul(Q * eig[..., None, :], np.swapaxes(Q, -1, -2))
    return (A + np.swapaxes(A, -1, -2)) / 2


def random_quadratic(eigenvalues: Any, *, rng: Any, xp: Any = None, b: Any = None) -> Quadratic:
    """Quadratic with Hessian Q diag(eigenvalues) Q^T for a Haar-random rotation Q."""
    eig = to_numpy(asarray_checked(eigenvalues, "eigenvalues", get_namespace("numpy"), ndim=1))
    if eig.size == 0:
        raise InputError("eigenvalues", "must not be empty")
    A = _from_spectrum(eig, haar_orthogonal(eig.size, rng))
    xp = xp or get_namespace("numpy")
    return Quadratic(xp.asarray(A), None if b is None else xp.asarray(b), xp=xp)


def random_quadratics(eigenvalues: Any, *, rng: Any, xp: Any = None) -> BatchedQuadratic:
    """BatchedQuadratic whose problem i has Hessian eigenvalues ``eigenvalues[i]``, shape (batch, d)."""
    eig = to_numpy(asarray_checked(eigenvalues, "eigenvalues", get_namespace("numpy"), ndim=2))
    if eig.size == 0:
        raise InputError("eigenvalues", "must not be empty")
    A = _from_spectrum(eig, haar_orthogonal(eig.shape[1], rng, batch=eig.shape[0]))
    xp = xp or get_namespace("numpy")
    return BatchedQuadratic(xp.asarray(A), xp=xp)


class Huber1D:
    """The L-smooth convex 1-D Huber function with threshold ``delta``:

        f(x) = L x^2 / 2                         for |x| <= delta
        f(x) = L delta |x| - L delta^2 / 2       for |x| >= delta

    x* = 0, f* = 0, mu = 0. ``x`` has shape (1,) or (batch, 1).
    """

    def __init__(self, L: float, delta: float, *, xp: Any = None):
        self.L = check_positive_scalar(L, "L")
        self.delta = check_positive_scalar(delta, "delta")
        self.xp = xp or get_namespace("numpy")
        self.dim = 1
        self.mu = 0.0
        self.x_star = self.xp.zeros((1,), dtype=self.xp.float64)
        self.f_star = 0.0

    @classmethod
    def worst_case_for_gd(cls, L: float, N: int, x0: float, *, xp: Any = None) -> "Huber1D":
        """The Huber function on which N steps of GD with lr 1/L from x0 end worst.

        With lr = 1/L the gradient on the linear part is L*delta*sign(x), so each
        step moves by exactly delta toward 0. While the iterates stay on the linear
        part, x_N = x0 - N*delta and
            f(x_N) = L*delta*x0 - L*delta^2*(N + 1/2),
        a concave quadratic in delta maximised at delta = x0/(2N+1). There x_N =
        x0 (N+1)/(2N+1) >= delta, so the iterates did stay on the linear part, and
        f(x_N) - f* = L x0^2 / (4N+2): Drori & Teboulle's (2014) bound is attained.
        """
        L = check_positive_scalar(L, "L")
        if not isinstance(N, (int, np.integer)) or isinstance(N, bool) or N < 0:
            raise InputError("N", f"must be an integer >= 0, got {N!r}")
        try:
            x0f = float(x0)
        except (TypeError, ValueError) as exc:
            raise InputError("x0", f"expected a real number, got {x0!r}") from exc
        if not math.isfinite(x0f) or x0f == 0.0:
            raise InputError("x0", f"must be finite and nonzero, got {x0!r}")
        return cls(L, abs(x0f) / (2 * N + 1), xp=xp)

    def loss(self, x: Any) -> Any:
        xp = self.xp
        x = _check_x(x, 1, xp)
        ax = xp.abs(x[..., 0])
        inside = self.L * ax * ax / 2
        outside = self.L * self.delta * ax - self.L * self.delta**2 / 2
        return xp.where(ax <= self.delta, inside, outside)

    def grad(self, x: Any) -> Any:
        x = _check_x(x, 1, self.xp)
        return self.L * self.xp.clip(x, -self.delta, self.delta)

    def hvp(self, x: Any, v: Any) -> Any:
        xp = self.xp
        x = _check_x(x, 1, xp)
        v = _check_x(v, 1, xp, "v")
        curv = xp.where(xp.abs(x) < self.delta, xp.full_like(x, self.L), xp.zeros_like(x))
        return curv * v

    def hessian(self, x: Any) -> Any:
        x = _check_x(x, 1, self.xp)
        return self.hvp(x, self.xp.ones_like(x))[..., None]

    def __repr__(self) -> str:
        return f"Huber1D(L={self.L:.4g}, delta={self.delta:.4g})"


def _log_sigmoid(t: Any, xp: Any) -> Any:
    # log(1/(1+e^-t)) without overflow for either sign of t
    return -xp.logaddexp(xp.zeros_like(t), -t)


class LogisticRegression:
    """Mean logistic loss with labels +-1 and optional ridge term:

        f(w) = (1/n) sum_i log(1 + exp(-y_i x_i^T w)) + reg/2 |w|^2

    L = lambda_max(X^T X)/(4n) + reg (the logistic loss has curvature <= 1/4),
    mu = reg. x_star/f_star are None (no closed form).
    """

    def __init__(self, X: Any, y: Any, reg: float = 0.0, *, xp: Any = None):
        xp = _namespace(X, xp)
        self.xp = xp
        self.X = asarray_checked(X, "X", xp, ndim=2)
        self.y = asarray_checked(y, "y", xp, ndim=1)
        n, d = self.X.shape
        if n == 0 or d == 0:
            raise InputError("X", f"must have at least one row and one column, got shape {(n, d)}")
        if self.y.shape[0] != n:
            raise InputError("y", f"expected {n} labels (one per row of X), got {self.y.shape[0]}")
        if not bool(xp.all((self.y == 1) | (self.y == -1))):
            raise InputError("y", "labels must be +1 or -1")
        self.reg = check_positive_scalar(reg, "reg", allow_zero=True)
        self.n, self.dim = int(n), int(d)
        gram = xp.matmul(xp.matrix_transpose(self.X), self.X)
        self.L = float(xp.linalg.eigvalsh(gram)[-1]) / (4 * n) + self.reg
        self.mu = self.reg
        self.x_star = None
        self.f_star = None

    def _margins(self, w: Any) -> Any:
        return xp_matmul_rows(w, self.X, self.xp) * self.y  # (..., n)

    def loss(self, w: Any) -> Any:
        xp = self.xp
        w = _check_x(w, self.dim, xp, "w")
        z = self._margins(w)
        return -xp.mean(_log_sigmoid(z, xp), axis=-1) + self.reg / 2 * xp.sum(w * w, axis=-1)

    def grad(self, w: Any) -> Any:
        xp = self.xp
        w = _check_x(w, self.dim, xp, "w")
        s = xp.exp(_log_sigmoid(-self._margins(w), xp))  # sigma(-z)
        return -xp.matmul(s * self.y, self.X) / self.n + self.reg * w

    def _curvature(self, w: Any) -> Any:
        xp = self.xp
        z = self._margins(w)
        return xp.exp(_log_sigmoid(z, xp) + _log_sigmoid(-z, xp))  # sigma(z) sigma(-z)

    def hvp(self, w: Any, v: Any) -> Any:
        xp = self.xp
        w = _check_x(w, self.dim, xp, "w")
        v = _check_x(v, self.dim, xp, "v")
        D = self._curvature(w)
        return xp.matmul(D * xp_matmul_rows(v, self.X, xp), self.X) / self.n + self.reg * v

    def hessian(self, w: Any) -> Any:
        xp = self.xp
        w = _check_x(w, self.dim, xp, "w")
        D = self._curvature(w)  # (..., n)
        XT = xp.matrix_transpose(self.X)
        H = xp.matmul(XT * D[..., None, :], self.X) / self.n
        return H + self.reg * xp.eye(self.dim, dtype=xp.float64)

    def __repr__(self) -> str:
        return f"LogisticRegression(n={self.n}, dim={self.dim}, reg={self.reg:.3g})"


def xp_matmul_rows(w: Any, X: Any, xp: Any) -> Any:
    """X w for w of shape (d,) or (batch, d): shape (n,) or (batch, n)."""
    return xp.matmul(w, xp.matrix_transpose(X))


def _sinusoid_min(a: float) -> tuple[float, float]:
    """Global minimiser and minimum of g(x) = x^2/2 + a sin x.

    Every stationary point solves x = -a cos x, so |x| <= |a| and the global
    minimiser lies in [-|a|, |a|]. We bracket all sign changes of g' on a grid
    of that interval (widened by 1), solve each with brentq, and keep the best;
    a pair of roots closer than the grid step could hide between two grid
    points, so the best grid point, refined by a bounded scalar search in its
    cell, is a candidate too (g is (1+|a|)-smooth, so nothing is lost between
    grid points by more than (1+|a|) h^2 / 8).
    """
    from scipy.optimize import brentq, minimize_scalar

    def g(x):
        return x * x / 2 + a * np.sin(x)

    def dg(x):
        return x + a * np.cos(x)

    if a == 0:
        return 0.0, 0.0
    h = 1e-3
    r = abs(a) + 1.0
    grid = np.linspace(-r, r, int(math.ceil(2 * r / h)) + 1)
    vals = dg(grid)
    candidates = []
    for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)[0]:
        if vals[i] == 0:
            candidates.append(grid[i])
        elif vals[i + 1] != 0:
            candidates.append(brentq(dg, grid[i], grid[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
    j = int(np.argmin(g(grid)))
    lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
    refined = float(minimize_scalar(g, bounds=(lo, hi), method="bounded", options={"xatol": 1e-14}).x)
    # Prefer a root of g' (accurate to round-off in x); the bounded search is only
    # accurate to ~sqrt(eps) in x at a flat minimum, so it wins only if clearly lower.
    best = min(candidates, key=g) if candidates else refined
    if g(refined) < g(best) - 1e-12 * max(1.0, abs(g(best))):
        best = refined
    return float(best), float(g(best))


class SinusoidalQuadratic:
    """f(x) = sum_i (x_i^2/2 + a sin x_i): smooth, nonconvex for |a| > 1.

    L = 1 + |a|; ``mu`` = 1 - |a| is the lower curvature bound (negative when
    nonconvex). ``f_inf`` = dim * min_t (t^2/2 + a sin t), found numerically;
    ``x_star`` is the corresponding global minimiser (all coordinates equal),
    and ``f_star`` = ``f_inf``.
    """

    def __init__(self, a: float, dim: int, *, xp: Any = None):
        try:
            a = float(a)
        except (TypeError, ValueError) as exc:
            raise InputError("a", f"expected a real number, got {a!r}") from exc
        if not math.isfinite(a):
            raise InputError("a", f"must be finite, got {a}")
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 1:
            raise InputError("dim", f"must be an integer >= 1, got {dim!r}")
        self.a = a
        self.dim = int(dim)
        self.xp = xp or get_namespace("numpy")
        self.L = 1.0 + abs(a)
        self.mu = 1.0 - abs(a)
        t_min, g_min = _sinusoid_min(a)
        self.f_inf = self.dim * g_min
        self.f_star = self.f_inf
        self.x_star = self.xp.full((self.dim,), t_min, dtype=self.xp.float64)

    def loss(self, x: Any) -> Any:
        xp = self.xp
        x = _check_x(x, self.dim, xp)
        return xp.sum(x * x / 2 + self.a * xp.sin(x), axis=-1)

    def grad(self, x: Any) -> Any:
        x = _check_x(x, self.dim, self.xp)
        return x + self.a * self.xp.cos(x)

    def hvp(self, x: Any, v: Any) -> Any:
        x = _check_x(x, self.dim, self.xp)
        v = _check_x(v, self.dim, self.xp, "v")
        return (1.0 - self.a * self.xp.sin(x)) * v

    def hessian(self, x: Any) -> Any:
        xp = self.xp
        x = _check_x(x, self.dim, xp)
        diag = 1.0 - self.a * xp.sin(x)
        return diag[..., None] * xp.eye(self.dim, dtype=xp.float64)

    def __repr__(self) -> str:
        return f"SinusoidalQuadratic(a={self.a:.4g}, dim={self.dim})"
