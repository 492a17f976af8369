"""Sharpness: the top Hessian eigenvalues of a Problem at a point, from HVPs.

``sharpness(problem, w, k)`` runs Lanczos (ARPACK's implicitly restarted
Lanczos through ``scipy.sparse.linalg.eigsh``, which="LA") on a LinearOperator
whose matvec is ``problem.hvp(w, .)``: exact HVPs, never the dense Hessian.
Sharpness lambda_1(H) is the quantity of the edge-of-stability literature
(Cohen et al. 2021, arXiv:2103.00065): GD with step eta is stable on a
convex quadratic iff lambda_1 < 2/eta.

Preconditioned sharpness lambda_1(P^-1 H) for a diagonal preconditioner P > 0
(e.g. Adam's sqrt(v) + eps; Cohen et al. 2022, arXiv:2207.14484) is computed
through the similar symmetric matrix P^-1/2 H P^-1/2, which has the same
eigenvalues and keeps Lanczos applicable.

Backends: the Lanczos vectors live on the host (ARPACK is CPU code); each
matvec moves one vector to the problem's namespace, runs the HVP there (on
the GPU for CuPy) and moves the result back: O(P) transfers against an HVP
that costs O(P n).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError, TheorykitError
from .backend import asarray_checked, get_namespace, to_numpy

__all__ = ["sharpness", "SharpnessNotConverged", "hvp_at", "top_symmetric_eig"]

_DENSE_MAX_DIM = 3  # below this ARPACK has no room for a Krylov space; use the dense matrix


class SharpnessNotConverged(TheorykitError, RuntimeError):
    """Lanczos did not reach ``tol`` within ``maxiter`` restarts."""


def _namespace(problem: Any, w: Any) -> Any:
    xp = getattr(problem, "xp", None)
    if xp is not None:
        return xp
    try:
        return array_namespace(w)
    except TypeError:
        return get_namespace("numpy")


def _check_k(k: Any, dim: int) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise InputError("k", f"expected a positive integer, got {k!r}")
    if not 1 <= k <= dim:
        raise InputError("k", f"must lie in [1, dim = {dim}], got {k}")
    return int(k)


def _check_tol(tol: Any) -> float:
    try:
        t = float(tol)
    except (TypeError, ValueError) as exc:
        raise InputError("tol", f"expected a real number, got {tol!r}") from exc
    if not (math.isfinite(t) and 0 <= t < 1):
        raise InputError("tol", f"must be in [0, 1) (0 = machine precision), got {t}")
    return t


def _inv_sqrt_preconditioner(preconditioner: Any, dim: int) -> np.ndarray | None:
    """P^-1/2 as a host vector (dim,), or None without preconditioner."""
    if preconditioner is None:
        return None
    p = asarray_checked(to_numpy(preconditioner), "preconditioner", get_namespace("numpy"), ndim=1)
    p = np.asarray(p)
    if p.shape[0] != dim:
        raise InputError("preconditioner", f"expected a vector of length dim = {dim} (a diagonal), got {p.shape[0]}")
    if not np.all(p > 0):
        raise InputError("preconditioner", "must be strictly positive (a positive diagonal)")
    return 1.0 / np.sqrt(p)


def sharpness(
    problem: Any,
    w: Any,
    k: int = 1,
    *,
    preconditioner: Any = None,
    tol: float = 1e-10,
    maxiter: int | None = None,
    seed: int = 0,
) -> float | np.ndarray:
    """The k largest (algebraic) eigenvalues of the Hessian of ``problem`` at ``w``.

    ``problem``: anything with ``dim`` and ``hvp(w, v)`` (a ``Problem``, a
    ``NetProblem``).  ``preconditioner``: optional positive vector (dim,) P;
    then the eigenvalues are those of P^-1 H.  ``tol``: ARPACK's relative
    accuracy of the eigenvalues.  ``seed`` fixes the Lanczos start vector, so
    results are reproducible.  Returns a float for k = 1, else a host array
    (k,) in decreasing order, repeated eigenvalues repeated (for k > 1 a
    deflation pass checks that none was missed; see ``_top_k``).  When
    H v0 = 0 for the random start v0, H = 0 with probability one and the
    result is zeros.  Raises ``SharpnessNotConverged`` if Lanczos does not
    converge within ``maxiter`` restarts.  A problem that can build its whole
    Hessian cheaply (``NetProblem._hessian_trusted``: small NumPy MLPs) gets a
    dense eigendecomposition instead of Lanczos.
    """
    if not callable(getattr(problem, "hvp", None)) or not hasattr(problem, "dim"):
        raise InputError("problem", f"needs .dim and a callable .hvp(w, v); got {type(problem).__name__}")
    dim = int(problem.dim)
    k = _check_k(k, dim)
    tol = _check_tol(tol)
    if maxiter is not None and (isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 1):
        raise InputError("maxiter", f"expected a positive integer or None, got {maxiter!r}")
    xp = _namespace(problem, w)
    w = asarray_checked(w, "w", xp, ndim=1)
    if w.shape[0] != dim:
        raise InputError("w", f"expected length dim = {dim}, got {w.shape[0]}")
    d = _inv_sqrt_preconditioner(preconditioner, dim)
    at_w = hvp_at(problem, w)  # w is validated above

    def matvec(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        if d is not None:
            v = d * v
        hv = to_numpy(at_w(xp.asarray(v))).astype(np.float64).reshape(-1)
        return d * hv if d is not None else hv

    dense = getattr(problem, "_hessian_trusted", None)
    H = dense(w) if dense is not None else None
    if H is not None:
        # a small network's whole Hessian in one batched pass: cheaper than a Lanczos run's
        # 20-40 single HVPs, and its eigenvalues are exact up to rounding (tol, seed unused)
        H = (H + H.T) / 2
        if d is not None:
            H = d[:, None] * H * d[None, :]
        with _blas_threads(LANCZOS_BLAS_THREADS):
            vals = top_symmetric_eig(H, k)[::-1]
    elif k >= dim - 1 or dim <= _DENSE_MAX_DIM:
        # ARPACK needs k < dim - 1: tiny problems use the dense (symmetrized) matrix
        M = np.stack([matvec(e) for e in np.eye(dim)], axis=1)
        vals = np.linalg.eigvalsh((M + M.T) / 2)[::-1][:k]
    else:
        with _blas_threads(LANCZOS_BLAS_THREADS):
            vals = _top_k(matvec, dim, k, tol, maxiter, np.random.default_rng(seed))
    return float(vals[0]) if k == 1 else vals


def hvp_at(problem: Any, w: Any) -> Callable[[Any], Any]:
    """v -> H(w) v for a w the caller has validated, as Lanczos asks for it (every matvec at this
    one w): one prepared HVP state, built on the first product, where the problem offers it
    (``NetProblem._hvp_operator_trusted``), else its unvalidated ``_hvp_trusted`` (re-validating w
    and v per matvec costs as much as a small net's HVP), else ``problem.hvp``."""
    operator = getattr(problem, "_hvp_operator_trusted", None)
    if operator is not None:
        state: list = []  # none is built when the caller takes a dense path instead

        def prepared(v):
            if not state:
                state.append(operator(w))
            return state[0](v)

        return prepared
    hvp = getattr(problem, "_hvp_trusted", None) or problem.hvp
    return lambda v: hvp(w, v)


def top_symmetric_eig(H: np.ndarray, k: int, *, vectors: bool = False):
    """The k largest eigenvalues of the symmetric matrix H, ascending (and their eigenvectors as
    columns when ``vectors``). LAPACK's MRRR (``evr``) computes only those, a third of the time of a
    full decomposition at P ~ 100; where it fails (it can, on large clusters of equal eigenvalues)
    or returns anything non-finite, the full ``numpy.linalg`` decomposition decides, with its own
    errors for a non-finite H."""
    from scipy.linalg import eigh

    n = H.shape[0]
    try:
        out = eigh(H, eigvals_only=not vectors, subset_by_index=[n - k, n - 1], driver="evr", check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        out = None
    parts = (out if vectors else (out,)) if out is not None else ()
    if parts and parts[0].shape[0] == k and all(bool(np.all(np.isfinite(a))) for a in parts):
        return out
    if vectors:
        vals, vecs = np.linalg.eigh(H)
        return vals[n - k:], vecs[:, n - k:]
    return np.linalg.eigvalsh(H)[n - k:]


#: BLAS threads during Lanczos. NumPy and SciPy wheels each bundle their own OpenBLAS;
#: when the HVP (NumPy) alternates with ARPACK's work (SciPy) every matvec, the two
#: thread pools spin against each other: ~100 ms per HVP inside eigsh against ~1 ms
#: standalone at 1e5 parameters (issue #16). One thread each removes the contention;
#: the matvecs are memory-bound, so little parallelism is lost. None: leave the pools alone.
LANCZOS_BLAS_THREADS: int | None = 1


class _blas_threads:
    """threadpoolctl's limit on every BLAS pool in the process (NumPy's and SciPy's), if installed."""

    def __init__(self, n: int | None):
        self.n, self.ctl = n, None

    def __enter__(self):
        if self.n is not None:
            ctl = _controller()
            if ctl is not None:
                self.ctl = ctl.limit(limits=self.n, user_api="blas")
        return self

    def __exit__(self, *exc):
        if self.ctl is not None:
            self.ctl.restore_original_limits()


_CONTROLLER: list = []


def _controller():
    """One threadpoolctl controller per process: finding the BLAS libraries scans every loaded
    shared object (~10 ms), which per Lanczos call cost more than a small net's whole Lanczos."""
    if not _CONTROLLER:
        try:
            import scipy.sparse.linalg  # noqa: F401  (load SciPy's BLAS first, so the controller sees it)
            from threadpoolctl import ThreadpoolController
        except ModuleNotFoundError:  # a core dependency; without it the pools are left alone
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _lanczos(matvec, dim: int, k: int, tol: float, maxiter, v0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values (k,) decreasing, vectors (dim, k)) of the k largest eigenvalues."""
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

    if not np.any(matvec(v0)):
        # the operator annihilates a random Gaussian vector: with probability one it is 0
        # (ARPACK would stop with "starting vector is zero")
        return np.zeros(k), np.eye(dim, k)
    op = LinearOperator((dim, dim), matvec=matvec, dtype=np.float64)
    try:
        vals, vecs = eigsh(op, k=k, which="LA", tol=tol, v0=v0, maxiter=maxiter)
    except ArpackNoConvergence as exc:
        raise SharpnessNotConverged(
            f"Lanczos found {len(exc.eigenvalues)} of {k} eigenvalues to tol={tol:g}; raise maxiter or tol"
        ) from exc
    except ArpackError as exc:
        raise SharpnessNotConverged(f"ARPACK failed: {exc}") from exc
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def _top_k(matvec, dim: int, k: int, tol: float, maxiter, rng: np.random.Generator) -> np.ndarray:
    """The k largest eigenvalues, repeated ones included.

    Single-vector Lanczos sees one copy of a repeated eigenvalue per Krylov
    space (exact arithmetic), so for k > 1 it can return 96, 96, 95 where the
    spectrum is 96, 96, 96, ....  Check by deflation: the largest eigenvalue
    of H on the orthogonal complement of the found vectors U (Lanczos, k = 1,
    on (I - UU^T) H (I - UU^T) + s UU^T with s below everything found) must not
    exceed the k-th value; if it does, it is a missed eigenvalue: swap it in
    and check again.  The largest eigenvalue itself is never missed, so after
    the loop the values are the top k (up to tol)."""
    vals, U = _lanczos(matvec, dim, k, tol, maxiter, rng.standard_normal(dim))
    if k == 1 or dim - k < 3:
        return vals
    scale = max(float(np.max(np.abs(vals))), np.finfo(np.float64).tiny)
    slack = 100 * max(tol, np.finfo(np.float64).eps) * scale
    for _ in range(dim):
        shift = vals[-1] - 1.0 - abs(vals[-1])

        def deflated(v: np.ndarray, U: np.ndarray = U, shift: float = shift) -> np.ndarray:
            v = np.asarray(v, dtype=np.float64).reshape(-1)
            c = U.T @ v
            hv = matvec(v - U @ c)
            return hv - U @ (U.T @ hv) + shift * (U @ c)

        mu, u = _lanczos(deflated, dim, 1, tol, maxiter, rng.standard_normal(dim))
        if not mu[0] > vals[-1] + slack:
            return vals
        # a missed eigenvalue: replace the smallest found one, keep the vectors orthonormal
        vals = np.concatenate([vals[:-1], mu])
        u = u[:, 0] - U[:, :-1] @ (U[:, :-1].T @ u[:, 0])
        U = np.concatenate([U[:, :-1], (u / np.linalg.norm(u))[:, None]], axis=1)
        order = np.argsort(vals)[::-1]
        vals, U = vals[order], U[:, order]
    return vals
