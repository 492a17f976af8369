"""Measurement primitives on quadratics, vectorised over a batch of problems.

Every probe *runs* the method. On a quadratic with Hessian eigenvalues lam_i the
method's error evolves independently along each eigendirection by a 2x2 linear
recurrence (``methods.eigen_iteration``, read off the method's own update), so
n steps are run exactly as n-fold products, and 2^k steps take k squarings
(``methods.eigen_power_run``). That is what lets a probe look 2^38 steps ahead,
which is what deciding boundedness at relative distance 1e-7 from a threshold
needs: there the per-step growth factor is only 1 + O(1e-7).

No probe evaluates a closed-form threshold or rate.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InputError
from .backend import asarray_checked, get_namespace, to_numpy
from .certified import InconclusiveMeasurement, Rate, RateReport, certified_rates
from .methods import (
    check_lr,
    check_method,
    check_momentum,
    dense_power_run,
    eigen_iteration,
    eigen_power_run,
    quiet,
    transition_matrix,
)

__all__ = [
    "GROWTH_TOL",
    "bounded",
    "growth",
    "stability_threshold",
    "stability_threshold_matrix",
    "linear_rate",
    "linear_rate_report",
    "Rate",
    "RateReport",
    "InconclusiveMeasurement",
]

# "Bounded" means: the error state grew by less than this factor (as a log) over
# the run. At rho = 1 + eps the run of N steps grows by about eps*N, so a run of
# N = 2^14/tol steps separates eps = +-tol by a margin of ~1e3 over this level,
# while a stable but non-normal iteration (transient growth ~1/(1 - momentum))
# stays far below it.
GROWTH_TOL = math.log(1e6)
_STEPS_MARGIN_BITS = 14  # the 2^14 above
_RATE_STEPS = 2**40  # Jordan blocks bias the n-th root by log(n)/n: 2.5e-11 here
_MAX_BRACKET = 64  # doublings/halvings of the bracket before declaring inf / 0


def _eigen_input(eigenvalues: Any, backend: str):
    _reject_low_precision(eigenvalues, "eigenvalues")
    xp = get_namespace(backend)
    lam = asarray_checked(eigenvalues, "eigenvalues", xp, ndim=(1, 2))
    if lam.shape[-1] == 0 or (lam.ndim == 2 and lam.shape[0] == 0):
        raise InputError("eigenvalues", "must not be empty")
    single = lam.ndim == 1
    return xp, (lam[None, :] if single else lam), single


def _per_problem(v: Any, xp: Any, batch: int, name: str, single: bool) -> Any:
    """Scalar -> (batch, 1) column; (batch,) array -> (batch, 1)."""
    if isinstance(v, float):
        return xp.full((batch, 1), v, dtype=xp.float64)
    if single or v.shape[0] != batch:
        raise InputError(name, f"an array {name} needs one value per problem: shape ({batch},), got {tuple(v.shape)}")
    return v[:, None]


def _start(xp: Any, shape: tuple[int, ...], seed: int) -> Any:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputError("seed", f"expected an integer, got {seed!r}")
    e0 = np.random.default_rng(int(seed)).standard_normal(shape)
    return xp.asarray(e0, dtype=xp.float64)


def _logsumexp(v: Any, xp: Any, axis: int = -1) -> Any:
    with quiet():
        m = xp.max(v, axis=axis, keepdims=True)
        m_safe = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
        out = m_safe + xp.log(xp.sum(xp.exp(v - m_safe), axis=axis, keepdims=True))
        out = xp.where(m == math.inf, m, out)
    return xp.squeeze(out, axis=axis)


def _check_steps(steps: Any, default: int) -> int:
    if steps is None:
        return default
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError("steps", f"must be an integer >= 1, got {steps!r}")
    return int(steps)


def _eigen_growth(method: str, lam: Any, lr: Any, mom: Any, steps: int, e0: Any, xp: Any) -> Any:
    """log(|s_N| / |s_0|) per problem for the stacked error state s = (e_k, e_{k-1})
    of a run started at x_{-1} = x_0, in the eigenbasis (rotation-invariant norm)."""
    T = eigen_iteration(method, lam, lr, momentum=mom)
    end = eigen_power_run(T, e0, e0, steps).log_norm  # (batch, d)
    with quiet():
        start = xp.log(xp.sqrt(2 * e0 * e0))
    return _logsumexp(end, xp) - _logsumexp(start, xp)


def _output(v: Any, single: bool) -> Any:
    return float(v[0]) if single else v


def growth(
    method: str,
    eigenvalues: Any,
    lr: Any,
    *,
    momentum: Any = 0.0,
    steps: int = 2**20,
    seed: int = 0,
    backend: str = "numpy",
) -> Any:
    """Measured log(|s_N| / |s_0|) after ``steps`` steps from a random start,
    s_k = (x_k - x*, x_{k-1} - x*) (per eigendirection, summed over directions).
    1-D eigenvalues -> float, 2-D -> (batch,).

    Certified: the value is that of the exact iteration on these float64 inputs to within
    ``GROWTH_RTOL * (1 + |value|)`` (the float64 run selects the directions that matter;
    those are recomputed in mpmath, ``certified.certified_growth``), else
    ``InconclusiveMeasurement`` is raised."""
    method = check_method(method)
    xp, lam, single = _eigen_input(eigenvalues, backend)
    batch = lam.shape[0]
    lr_c = _per_problem(check_lr(lr, xp), xp, batch, "lr", single)
    mom = _per_problem(check_momentum(method, momentum, xp), xp, batch, "momentum", single)
    steps = _check_steps(steps, 2**20)
    e0 = _start(xp, tuple(lam.shape), seed)
    T = eigen_iteration(method, lam, lr_c, momentum=mom)
    end = eigen_power_run(T, e0, e0, steps).log_norm  # the float64 run picks the blocks that matter
    return _output(_certified_growth(method, lam, lr_c, mom, steps, e0, end, xp), single)


# growth's stated accuracy: |value - exact| <= this * (1 + |value|)
GROWTH_RTOL = 1e-9


def _certified_growth(method, lam, lr, mom, steps, e0, end, xp):
    """The growth of the exact iteration on these float64 inputs (``certified.certified_growth``),
    or InconclusiveMeasurement when its bound exceeds GROWTH_RTOL."""
    from .certified import certified_growth

    value, error = certified_growth(method, to_numpy(lam), to_numpy(lr), to_numpy(mom), steps, to_numpy(e0),
                                    to_numpy(end))
    bad = np.flatnonzero(~(error <= GROWTH_RTOL * (1 + np.abs(value))))
    if bad.size:
        i = int(bad[0])
        raise InconclusiveMeasurement(f"growth is inconclusive for problem {i}: value {value[i]!r} "
                                      f"with error bound {error[i]!r}")
    return xp.asarray(value, dtype=xp.float64)


def bounded(
    method: str,
    eigenvalues: Any,
    lr: Any,
    *,
    momentum: Any = 0.0,
    steps: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
) -> Any:
    """Whether the run stays bounded: growth over ``steps`` (default 2^38) steps
    from a random start is below a factor 1e6. 1-D eigenvalues -> bool, 2-D -> (batch,) bool."""
    steps = _check_steps(steps, 2 ** (24 + _STEPS_MARGIN_BITS))
    g = growth(method, eigenvalues, lr, momentum=momentum, steps=steps, seed=seed, backend=backend)
    out = bool(g <= GROWTH_TOL) if isinstance(g, float) else g <= GROWTH_TOL
    _cross_check_bounded(method, eigenvalues, lr, momentum, steps, out)
    return out


def _cross_check_bounded(method, eigenvalues, lr, momentum, steps, out) -> None:
    """Raise InconclusiveMeasurement where the run's answer contradicts what the exact
    spectrum certainly implies (``certified.spectral_bounded``); elsewhere the run decides."""
    from .certified import spectral_bounded

    lam = np.asarray(to_numpy(eigenvalues), dtype=np.float64)
    lam = lam[None, :] if lam.ndim == 1 else lam
    batch = lam.shape[0]
    col = lambda v: np.broadcast_to(np.asarray(to_numpy(v), dtype=np.float64).reshape(-1, 1), (batch, 1))  # noqa: E731
    verdict = spectral_bounded(method, lam, col(lr), col(momentum), steps, GROWTH_TOL)
    run = np.atleast_1d(np.asarray(to_numpy(out), dtype=bool))
    wrong = ((verdict == 1) & ~run) | ((verdict == -1) & run)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InconclusiveMeasurement(
            f"bounded is inconclusive for problem {i}: the run says {'bounded' if run[i] else 'unbounded'}, "
            f"but the exact spectrum says {'bounded' if verdict[i] == 1 else 'unbounded'}")


def _check_rtol(rtol: Any) -> float:
    try:
        r = float(rtol)
    except (TypeError, ValueError) as exc:
        raise InputError("rtol", f"expected a real number, got {rtol!r}") from exc
    # Below 1e-10 the runs get so long (2^52+ steps) that round-off in the
    # accumulated log-norm approaches the growth level that decides boundedness.
    if not (1e-10 <= r < 1):
        raise InputError("rtol", f"must be in [1e-10, 1), got {rtol!r}")
    return r


# Evaluations per batched call of the bisection: a run's cost is ~40 squarings of a few array
# operations each, flat up to a few hundred elements, so this many (rows x directions) cost
# about as much as one.
_BATCH_ELEMENTS = 128
_MAX_LEVELS = 8


def _bisect(rows_stable, scale: Any, tol: float, xp: Any, row_size: int = 1) -> Any:
    """Largest eta with stable(eta) per problem, to relative precision ``tol``.

    ``rows_stable(eta, idx)`` maps step sizes ``eta`` (n,) for the problems ``idx`` (n,) (an
    integer array that may repeat a problem) to (n,) bools and must be monotone in eta (stable
    on (0, eta*]). The bracket starts at ``scale`` and is widened by doubling/halving; then
    geometric bisection. Problems whose bracket has converged stop running.

    The result is that of the plain sequential search (one decision per problem per step),
    bit for bit; the decisions are only batched: each call decides, per open problem, the
    whole tree of the next ``levels`` bisection steps (2^levels - 1 step sizes, computed
    exactly as the sequential search would) and the doubling and halving chains of the
    bracketing, so ~40 sequential runs become ~7 calls. ``row_size`` (elements per problem
    of one run) sets how many levels fit one call.
    """
    sc = np.asarray(to_numpy(scale), dtype=np.float64)
    lo, hi = _bracket(rows_stable, sc, xp, row_size)
    with np.errstate(all="ignore"):
        up_or_down = (hi == math.inf) | (lo == 0)
        used = np.zeros(sc.shape, dtype=np.int64)
        while True:
            open_ = ~up_or_down & (hi / np.where(lo > 0, lo, 1.0) - 1 > tol) & (used < 200)
            rows = np.flatnonzero(open_)
            if rows.size == 0:
                break
            levels = _levels(rows.size, row_size)
            # the tree in heap order: level k at columns 2^k - 1 ... 2^(k+1) - 2; from node p the
            # unstable outcome (hi = mid) leads to child 2p, the stable one (lo = mid) to 2p + 1
            blo, bhi, nodes = lo[rows, None], hi[rows, None], []
            for _ in range(levels):
                mid = np.sqrt(blo) * np.sqrt(bhi)  # sqrt(lo) sqrt(hi): lo*hi may under/overflow
                nodes.append(mid)
                blo = np.stack([blo, mid], axis=-1).reshape(rows.size, -1)
                bhi = np.stack([mid, bhi], axis=-1).reshape(rows.size, -1)
            nodes = np.concatenate(nodes, axis=1)
            ok = _decide(rows_stable, nodes, rows, xp)
            rlo, rhi, rused = lo[rows], hi[rows], used[rows]
            pos = np.zeros(rows.size, dtype=np.int64)
            for k in range(levels):
                live = (rhi / rlo - 1 > tol) & (rused < 200)
                col = 2**k - 1 + pos
                mid, good = nodes[np.arange(rows.size), col], ok[np.arange(rows.size), col]
                rlo = np.where(live & good, mid, rlo)
                rhi = np.where(live & ~good, mid, rhi)
                rused = rused + live
                pos = 2 * pos + good
            lo[rows], hi[rows], used[rows] = rlo, rhi, rused
        out = np.where(hi == math.inf, hi, np.where(lo == 0, lo, np.sqrt(lo) * np.sqrt(hi)))
    return xp.asarray(out, dtype=xp.float64)


def _levels(rows: int, row_size: int) -> int:
    """Bisection levels decided per call: 2^levels - 1 runs per row within _BATCH_ELEMENTS."""
    fit = _BATCH_ELEMENTS // max(rows * row_size, 1) + 1
    return max(1, min(_MAX_LEVELS, fit.bit_length() - 1))


def _decide(rows_stable, etas: np.ndarray, rows: np.ndarray, xp: Any) -> np.ndarray:
    """rows_stable on the (len(rows), k) step sizes ``etas``, row i for problem rows[i]."""
    idx = np.repeat(rows, etas.shape[1])
    ok = rows_stable(xp.asarray(etas.reshape(-1), dtype=xp.float64), xp.asarray(idx))
    return np.asarray(to_numpy(ok), dtype=bool).reshape(etas.shape)


def _bracket(rows_stable, scale: np.ndarray, xp: Any, row_size: int):
    """(lo, hi) per problem: the doubling/halving from ``scale`` of the sequential search (at
    most 2 _MAX_BRACKET + 1 decisions per problem; lo = 0 / hi = inf where it ran out). Each
    call decides, per unbracketed problem, the current step size and the next ``chain``
    doublings and halvings of it, so the search usually takes one call."""
    n = scale.shape[0]
    lo, hi, eta = np.zeros(n), np.full(n, math.inf), scale.copy()
    used = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    with np.errstate(all="ignore"):
        while True:
            rows = np.flatnonzero(todo & (used < 2 * _MAX_BRACKET + 1))
            if rows.size == 0:
                break
            chain = max(1, (2**_levels(rows.size, row_size) - 2) // 2)
            ups, downs, u, d = [], [], eta[rows], eta[rows]
            for _ in range(chain):
                u, d = u * 2, d / 2
                ups.append(u)
                downs.append(d)
            cand = np.stack([eta[rows]] + ups + downs, axis=1)  # columns: eta, up 1..chain, down 1..chain
            ok = _decide(rows_stable, cand, rows, xp)
            for i, r in enumerate(rows):
                col, way = 0, 0  # way: +1 on the doubling chain, -1 on the halving chain
                while True:
                    e, good = cand[i, col], ok[i, col]
                    used[r] += 1
                    if good:
                        lo[r] = e
                    else:
                        hi[r] = e
                    up, down = hi[r] == math.inf, lo[r] == 0
                    if not (up or down):
                        todo[r] = False
                        break
                    nxt = 1 if up else -1
                    eta[r] = e * 2 if up else e / 2
                    if used[r] >= 2 * _MAX_BRACKET + 1:
                        break
                    j = (col if way == 1 else col - chain if way == -1 else 0) + 1  # chain index of the next
                    if (way not in (0, nxt)) or j > chain:
                        break  # the next step size is not among this call's candidates
                    way, col = nxt, (j if nxt == 1 else chain + j)
    return lo, hi


def _default_threshold_steps(tol: float) -> int:
    return 2 ** (math.ceil(math.log2(1 / tol)) + _STEPS_MARGIN_BITS)


def stability_threshold(
    method: str,
    eigenvalues: Any,
    *,
    momentum: Any = 0.0,
    rtol: float = 1e-6,
    steps: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
) -> Any:
    """The largest step size for which ``method`` stays bounded on a quadratic
    with these Hessian eigenvalues, measured by bisection on runs.

    Each decision runs the method for ``steps`` steps (default 2^(log2(16/rtol)+14),
    about 2.7e11 for rtol = 1e-6, run exactly in eigenbasis by repeated squaring)
    from a random start (``seed``) and calls it bounded when the error grew by
    less than 1e6. The bracket starts at 1/|eigenvalues|_2 and doubles/halves;
    geometric bisection then narrows it to rtol/16. Result within ``rtol``
    (relative) of the true threshold; inf if bounded for every step size tried
    (up to 2^64 times the start); 0.0 if unbounded down to (rtol/16) times the
    start, below which a run of this length cannot resolve growth (e.g. any
    negative eigenvalue).

    1-D eigenvalues (d,) -> float; 2-D (batch, d) -> (batch,) array (``momentum``
    may then be a (batch,) array).
    """
    method = check_method(method)
    rtol = _check_rtol(rtol)
    _reject_low_precision(momentum, "momentum")
    xp, lam, single = _eigen_input(eigenvalues, backend)
    batch = lam.shape[0]
    mom = _per_problem(check_momentum(method, momentum, xp), xp, batch, "momentum", single)
    tol = rtol / 16
    steps = _check_steps(steps, _default_threshold_steps(tol))
    e0 = _start(xp, tuple(lam.shape), seed)

    def rows_stable(eta, idx):
        take = lambda a: xp.take(a, idx, axis=0)  # noqa: E731
        return _eigen_growth(method, take(lam), eta[:, None], take(mom), steps, take(e0), xp) <= GROWTH_TOL

    # Where the bracket starts: only a scale (any positive start works, the
    # doubling/halving finds the bracket), computable alike from eigenvalues and
    # from the matrix (Frobenius norm), so both forms bisect identically.
    scale = _bracket_start(lam, (-1,), xp)
    eta = _resolved(_bisect(rows_stable, scale, tol, xp, lam.shape[-1]), scale, tol, xp)
    _certify_threshold(method, lam, mom, eta, rtol)
    return _output(eta, single)


def _bracket_start(x: Any, axes: tuple[int, ...], xp: Any) -> Any:
    """1/||x||_F per problem (1 where x = 0), computed on x / max|x| so that the squares
    neither overflow nor underflow: a start of 1/inf = 0 or 1/0 = inf would leave the
    bracket stuck at a silently wrong inf."""
    with quiet():
        big = xp.max(xp.abs(x), axis=axes)
        big_safe = xp.where(big > 0, big, xp.ones_like(big))
        y = x / xp.reshape(big_safe, big.shape + (1,) * len(axes))
        norm = xp.sqrt(xp.sum(y * y, axis=axes))  # in [1, sqrt(n)], or 0 for x = 0
        scale = (1.0 / big_safe) / xp.where(norm > 0, norm, xp.ones_like(norm))
        # 1/max|x| overflows only for subnormal x
        return xp.where(xp.isfinite(scale), scale, xp.full_like(scale, 2.0**1000))


def _certify_threshold(method, lam, mom, eta, rtol) -> None:
    """Raise InconclusiveMeasurement unless the exact 2x2 blocks confirm the threshold
    to ``rtol`` (``certified.certify_thresholds``): never a bare wrong number."""
    from .certified import certify_thresholds

    check = certify_thresholds(method, to_numpy(lam), to_numpy(mom), to_numpy(eta), rtol)
    _raise_unless_certified("stability_threshold", check, eta, rtol, lambda i: "")


def _raise_unless_certified(probe: str, check, eta, rtol, detail) -> None:
    """InconclusiveMeasurement naming the first problem whose threshold ``check`` did not
    confirm; ``detail(i)`` adds what the check knows beyond the two spectral radii."""
    bad = np.flatnonzero(~np.asarray(check.certified, dtype=bool))
    if bad.size:
        i = int(bad[0])
        raise InconclusiveMeasurement(
            f"{probe} is inconclusive for problem {i} ({bad.size} of {len(check.certified)}): "
            f"the runs put the threshold at {float(to_numpy(eta)[i])!r}, but {detail(i)}the spectral radius is "
            f"{check.rho_below[i]!r} just below and {check.rho_above[i]!r} just above it (rtol {rtol:g})"
        )


def _resolved(eta: Any, scale: Any, tol: float, xp: Any) -> Any:
    # Below tol*scale a run of the chosen length cannot tell the iteration from a
    # bounded one (e.g. a negative eigenvalue grows by only 1 + |lam| eta per step),
    # so such step sizes mean "unstable for every step size we can resolve".
    return xp.where(eta < tol * scale, xp.zeros_like(eta), eta)


def stability_threshold_matrix(
    method: str,
    A: Any,
    *,
    momentum: Any = 0.0,
    rtol: float = 1e-6,
    steps: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
) -> Any:
    """``stability_threshold`` on the full Hessian ``A`` (d, d) or (batch, d, d):
    the same bisection, each decision running the method on the stacked state
    (x_k, x_{k-1}) in the original coordinates, 2^k steps by k squarings of the
    (2d, 2d) transition matrix. Costs O(d^3) per squaring; the eigenvalue form
    is the fast one.

    A is taken as its symmetric part (A + A^T)/2 (the Hessian of x^T A x / 2; the input
    check allows asymmetry up to 1e-10 relative, e.g. round-off from building A; an exactly
    symmetric A is used as is). Certified like ``stability_threshold``: A's eigenvalues are
    enclosed rigorously (``certified_matrix.eigenvalue_enclosure``: eigh plus a bounded
    residual, Bauer-Fike) and the exact 2x2 blocks must confirm the threshold to ``rtol``
    for every eigenvalue in the enclosure (``certified_matrix.certify_matrix_thresholds``);
    otherwise ``InconclusiveMeasurement`` is raised (e.g. an eigenvalue whose sign float64
    cannot fix, as for the eigenvalue form at a zero eigenvalue)."""
    method = check_method(method)
    rtol = _check_rtol(rtol)
    _reject_low_precision(A, "A")
    _reject_low_precision(momentum, "momentum")
    xp = get_namespace(backend)
    A = asarray_checked(A, "A", xp, ndim=(2, 3))
    if A.shape[-1] != A.shape[-2] or A.shape[-1] == 0:
        raise InputError("A", f"expected square matrices, got shape {tuple(A.shape)}")
    At = xp.matrix_transpose(A)
    if float(xp.max(xp.abs(A - At))) > 1e-10 * max(float(xp.max(xp.abs(A))), 1.0):
        raise InputError("A", "must be symmetric (a Hessian)")
    # the symmetric part; where A is already symmetric, A itself (exactly)
    A = xp.where(A == At, A, 0.5 * A + 0.5 * At)
    single = A.ndim == 2
    A = A[None] if single else A
    batch, d = A.shape[0], A.shape[-1]
    mom = _per_problem(check_momentum(method, momentum, xp), xp, batch, "momentum", single)[..., None]
    tol = rtol / 16
    steps = _check_steps(steps, _default_threshold_steps(tol))
    e0 = _start(xp, (batch, d), seed)
    s0 = xp.concat([e0, e0], axis=-1)
    log_s0 = xp.log(xp.linalg.vector_norm(s0, axis=-1))

    def rows_stable(eta, idx):
        take = lambda a: xp.take(a, idx, axis=0)  # noqa: E731
        M = transition_matrix(method, take(A), eta[:, None, None], momentum=take(mom))
        return dense_power_run(M, take(s0), steps).log_norm - take(log_s0) <= GROWTH_TOL

    scale = _bracket_start(A, (-2, -1), xp)
    eta = _resolved(_bisect(rows_stable, scale, tol, xp, 4 * d * d), scale, tol, xp)
    _certify_threshold_matrix(method, A, mom, eta, rtol)
    return _output(eta, single)


def _certify_threshold_matrix(method, A, mom, eta, rtol) -> None:
    """Raise InconclusiveMeasurement unless the enclosure of A's spectrum and the exact 2x2
    blocks confirm the threshold to ``rtol`` (``certified_matrix.certify_matrix_thresholds``)."""
    from .certified_matrix import certify_matrix_thresholds

    check = certify_matrix_thresholds(method, to_numpy(A), to_numpy(mom), to_numpy(eta), rtol)
    _raise_unless_certified("stability_threshold_matrix", check, eta, rtol,
                            lambda i: f"with A's eigenvalues enclosed to +-{float(check.radius[i]):.3g} ")


def linear_rate(
    method: str,
    eigenvalues: Any,
    lr: Any,
    *,
    momentum: Any = 0.0,
    steps: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
) -> Any:
    """The asymptotic contraction factor per step of the error, certified.

    Runs the method for ``steps`` steps (default 2^40, exactly, by repeated
    squaring in the eigenbasis) from a random start, and evaluates the spectral
    radius of each eigendirection's transition (read off the method's update) in
    extended precision (``theorykit.numeric.certified``). The value returned is
    that spectral radius, so it does not depend on the seed; the trajectory's N-th
    root (|s_N| / |s_0|)^(1/N) must agree with it within its bias bound
    log(C N)/N, else ``InconclusiveMeasurement`` is raised instead of a number.

    1-D eigenvalues -> a ``Rate`` (a float with ``.error``, a certified bound on
    |value - rate|; ``.margin`` = 1 - rate, accurate to full relative precision
    even when the rate rounds to 1.0; ``.trajectory``; ``.status``). 2-D (batch, d)
    -> (batch,) array of rates (``linear_rate_report`` gives the bounds too);
    ``lr``/``momentum`` may be (batch,) arrays then. Values >= 1 mean no
    convergence (exactly 1.0 for a zero eigenvalue under GD; inf if a step
    overflows); 0.0 if the error becomes exactly 0. float32/float16 input is
    rejected (see ``_reject_low_precision``).
    """
    report = linear_rate_report(method, eigenvalues, lr, momentum=momentum, steps=steps, seed=seed,
                                backend=backend)
    bad = np.flatnonzero(report.status != "certified")
    if bad.size:
        b = int(bad[0])
        raise _inconclusive_rate(report, b, f" (problem {b})" if report.rate.shape[0] > 1 else "")
    if report.rate.shape[0] == 1 and np.ndim(eigenvalues) == 1:
        return _single_rate(report, 0)
    xp = get_namespace(backend)
    return xp.asarray(report.rate)


def _inconclusive_rate(report: RateReport, b: int, where: str) -> InconclusiveMeasurement:
    """What ``linear_rate`` raises for the uncertified problem ``b`` of ``report``."""
    r, t, sens = float(report.rate[b]), float(report.trajectory[b]), float(report.sensitivity[b])
    if (r < 1) != (r - sens < 1) or (r < 1) != (r + sens < 1):
        why = (f"one ulp in an input moves the rate {r!r} by {sens:.3g}, across 1: float64 inputs do not "
               f"determine whether the method converges here")
    else:
        why = (f"the run's N-th root {t!r} disagrees with the spectral radius {r!r} of the method's "
               f"transition beyond the run's bias bound")
    return InconclusiveMeasurement(f"linear_rate is inconclusive{where}: {why}")


def _single_rate(report: RateReport, b: int) -> Rate:
    """``linear_rate``'s answer for the certified problem ``b`` of ``report``."""
    return Rate(float(report.rate[b]), error=float(report.error[b]), margin=float(report.margin[b]),
                sensitivity=float(report.sensitivity[b]), status="certified",
                trajectory=float(report.trajectory[b]))


def linear_rate_report(
    method: str,
    eigenvalues: Any,
    lr: Any,
    *,
    momentum: Any = 0.0,
    steps: int | None = None,
    seed: int = 0,
    backend: str = "numpy",
    blocks: int = 1,
) -> RateReport:
    """``linear_rate`` with everything per problem: a ``RateReport`` of (batch,) NumPy arrays
    (rate, error, margin, trajectory, status); never raises for an inconclusive problem.
    ``blocks``: the problems are that many equal blocks, each run from the start that a
    call on that block alone draws (a search's batched candidates, as if run one by one)."""
    steps = _check_steps(steps, _RATE_STEPS)
    method, xp, lam, lr_c, mom, g = _rate_run(method, eigenvalues, lr, momentum, steps, seed, backend, blocks)
    with quiet():
        traj = xp.exp(g / steps)
    return certified_rates(method, to_numpy(lam), to_numpy(lr_c), to_numpy(mom), to_numpy(traj), steps)


def _rate_run(method, eigenvalues, lr, momentum, steps: int, seed: int, backend: str, blocks: int = 1):
    """The validated inputs of a rate measurement and the log-growth of its ``steps``-step run
    from the ``seed`` start: (method, xp, lam, lr, momentum, growth), every array (batch, ...).
    With ``blocks`` > 1 the batch is that many equal blocks, each started where a run of that
    block alone starts."""
    method = check_method(method)
    for v, name in ((eigenvalues, "eigenvalues"), (lr, "lr"), (momentum, "momentum")):
        _reject_low_precision(v, name)
    xp, lam, single = _eigen_input(eigenvalues, backend)
    batch = lam.shape[0]
    lr_c = _per_problem(check_lr(lr, xp), xp, batch, "lr", single)
    mom = _per_problem(check_momentum(method, momentum, xp), xp, batch, "momentum", single)
    if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 1 or batch % blocks:
        raise InputError("blocks", f"must be a positive integer dividing the batch {batch}, got {blocks!r}")
    e0 = _start(xp, (batch // blocks,) + tuple(lam.shape[1:]), seed)
    e0 = e0 if blocks == 1 else xp.tile(e0, (blocks, 1))
    g = _eigen_growth(method, lam, lr_c, mom, steps, e0, xp)
    return method, xp, lam, lr_c, mom, g


_LOW_PRECISION = ("float16", "float32", "bfloat16", "complex64")


def _reject_low_precision(x: Any, name: str) -> None:
    """float32 input is never upcast silently: the probes work in float64 and extended precision,
    and a float32 eigenvalue or step size already carries a relative error of 6e-8 that no
    rate or threshold measured from it can undo. The caller converts explicitly."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and str(dtype).replace("torch.", "") in _LOW_PRECISION:
        raise InputError(name, f"has dtype {dtype}; the probes need float64 input (convert explicitly, e.g. "
                               f"x.astype('float64'), accepting the float32 rounding already in x)")
