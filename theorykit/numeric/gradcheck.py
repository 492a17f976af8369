"""Finite-difference checks of gradients and Hessian-vector products.

``gradcheck(f, x, grad)`` compares an analytic gradient with difference
quotients coordinate by coordinate; ``gradcheck_hvp(problem, w, v)`` compares
``problem.hvp(w, v)`` with differences of ``problem.grad`` along v.

Every coordinate is sampled at x +- h, x +- h/2 and x +- h/4.  The numeric
derivative n_i is the quotient at step h (centered by default); the two
smaller steps give (a) an estimate of its truncation error by Richardson's
principle (Richardson 1911): for a smooth f, c(h) - c(h/2) = (3/4) c2 h^2 + ...,
so the error of c(h) is about (4/3)|c(h) - c(h/2)|; and (b) the kink test below.

Error measure, per coordinate i, for analytic a_i:

    rel_i = |a_i - n_i| / max(|a_i|, |n_i|, e_i / rtol)

where e_i, the error estimate of n_i (field ``fd_error``), is ten times the
rounding error of the quotient (eps |f| / h scale) plus twice its estimated
truncation error.  So a coordinate passes when |a - n| <= rtol max(|a|, |n|),
or when the disagreement is within what the differences can resolve there
(the message names coordinates where that is coarser than rtol: use a
smaller h for them).  The check passes when every rel_i <= rtol.

Kinks (e.g. ReLU): when x +- h straddles a point of nondifferentiability the
centered difference averages two one-sided slopes and can disagree with a
correct gradient.  We flag coordinate i when the forward and backward
differences disagree (by 1% of their size, or by enough to fail the check)
AND their gap D(s) = (f(x+s) - 2f(x) + f(x-s))/s does not shrink like a smooth
function's (D(s) = s f'' + O(s^3), so D(h)/D(h/2) = D(h/2)/D(h/4) = 2); at a
straddled kink D stays near the jump in slope or collapses once s is smaller
than the distance to the kink.  Flagged coordinates get no truncation
allowance (their "truncation estimate" is the jump), so they fail loudly.

Default steps: h_i = eps^(1/3) max(1, |x_i|) for centered differences (balances
O(h^2) truncation against O(eps/h) rounding), eps^(1/2) max(1, |x_i|) for one-sided.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError
from .backend import asarray_checked, get_namespace, to_numpy

__all__ = ["GradcheckResult", "gradcheck", "gradcheck_hvp", "METHODS"]

METHODS = ("centered", "forward", "backward")
_EPS = float(np.finfo(np.float64).eps)
_NOISE_FACTOR = 10.0  # allowance: 10 x the rounding error of the quotient
_TRUNC_FACTOR = 2.0  # allowance: 2 x the Richardson estimate of its truncation error
_KINK_GAP = 1e-2  # one-sided slopes disagreeing by > 1% of their size ...
_KINK_NOISE = 1e3  # ... and by > 1000 x rounding noise are examined for a kink
_KINK_RATIO_TOL = 0.25  # smooth: D(s)/D(s/2) within 2 +- 0.25


class GradcheckResult(NamedTuple):
    """Outcome of a finite-difference check (host NumPy arrays, m checked coordinates)."""

    passed: bool
    max_rel_error: float
    rel_errors: np.ndarray  # (m,) rel_i as in the module docstring
    analytic: np.ndarray  # (m,)
    numeric: np.ndarray  # (m,)
    fd_error: np.ndarray  # (m,) e_i: what the differences can resolve (rounding + truncation)
    coords: np.ndarray  # (m,) int: which (flattened) coordinates were checked
    h: np.ndarray  # (m,) step per coordinate (for gradcheck_hvp: the step along v, repeated)
    kink: bool  # a possible kink was detected near x
    kink_coords: np.ndarray  # (k,) int: coordinates flagged as possible kinks
    message: str

    def __bool__(self) -> bool:  # `assert gradcheck(...)` reads naturally
        return bool(self.passed)


class _Samples(NamedTuple):
    """Function values around x, one entry per checked coordinate (all (m,))."""

    f0: np.ndarray  # f(x)
    p1: np.ndarray  # f(x + h e_i)   (for an HVP: grad_i(w + h v))
    m1: np.ndarray  # f(x - h e_i)
    p2: np.ndarray  # step h/2
    m2: np.ndarray
    p4: np.ndarray  # step h/4
    m4: np.ndarray
    h: np.ndarray  # the step h
    unit: np.ndarray  # rounding error of one evaluation (eps x magnitude)


def _check_rtol(rtol: Any) -> float:
    try:
        r = float(rtol)
    except (TypeError, ValueError) as exc:
        raise InputError("rtol", f"expected a real number, got {rtol!r}") from exc
    if not (math.isfinite(r) and 0 < r < 1):
        raise InputError("rtol", f"must be in (0, 1), got {r}")
    return r


def _check_h(h: Any) -> float:
    try:
        hv = float(h)
    except (TypeError, ValueError) as exc:
        raise InputError("h", f"expected a real number, got {h!r}") from exc
    if not (math.isfinite(hv) and hv > 0):
        raise InputError("h", f"must be finite and > 0, got {hv}")
    return hv


def _check_coords(coords: Any, size: int) -> np.ndarray:
    if coords is None:
        return np.arange(size)
    c = np.asarray(to_numpy(coords)).reshape(-1)
    if c.size and not np.issubdtype(c.dtype, np.integer):
        raise InputError("coords", f"expected integer indices, got dtype {c.dtype}")
    if c.size and (c.min() < 0 or c.max() >= size):
        raise InputError("coords", f"indices must lie in [0, {size})")
    return c.astype(np.int64)


def _as_float64(x: Any, name: str) -> tuple[Any, Any, str]:
    """x as float64 in its own namespace; warns (and notes) when it was lower precision."""
    try:
        xp = array_namespace(x)
    except TypeError:
        xp = get_namespace("numpy")
    note = ""
    dt = getattr(x, "dtype", None)
    if dt is not None and str(dt) in ("float32", "float16"):
        note = (
            f"{name} was {dt}; finite differences need float64 (float32 rounding noise swamps "
            "the derivative), so it was cast to float64. Make sure the function computes in float64 too."
        )
        warnings.warn(f"gradcheck: {note}", UserWarning, stacklevel=3)
    return asarray_checked(x, name, xp), xp, note


def _quotients(S: _Samples, method: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(numeric at h, the same at h/2, truncation estimate factor, rounding factor).

    "extrapolated" is the Richardson combination (4 c(h/2) - c(h)) / 3 of
    centered quotients c (error O(h^4)); its own error is estimated from the
    same combination one level down, (4 c(h/4) - c(h/2)) / 3."""
    h = S.h
    if method == "forward":
        return (S.p1 - S.f0) / h, (S.p2 - S.f0) / (h / 2), 2.0, 2.0
    if method == "backward":
        return (S.f0 - S.m1) / h, (S.f0 - S.m2) / (h / 2), 2.0, 2.0
    c1, c2, c4 = (S.p1 - S.m1) / (2 * h), (S.p2 - S.m2) / h, (S.p4 - S.m4) / (h / 2)
    if method == "centered":
        return c1, c2, 4.0 / 3.0, 1.0
    return (4 * c2 - c1) / 3, (4 * c4 - c2) / 3, 16.0 / 15.0, 3.0


def _smooth(S: _Samples) -> np.ndarray:
    """Boolean (m,): the gap D(s) scales like s f'' across s = h, h/2, h/4."""
    h = S.h
    d1 = (S.p1 - 2 * S.f0 + S.m1) / h
    d2 = (S.p2 - 2 * S.f0 + S.m2) / (h / 2)
    d4 = (S.p4 - 2 * S.f0 + S.m4) / (h / 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = d1 / d2, d2 / d4
    return (np.abs(r1 - 2.0) <= _KINK_RATIO_TOL) & (np.abs(r2 - 2.0) <= _KINK_RATIO_TOL)


def _assess(kind: str, a: np.ndarray, S: _Samples, method: str, rtol: float, coords, note: str) -> GradcheckResult:
    with np.errstate(all="ignore"):  # inf/NaN samples become failures below, not warnings
        n, n_half, trunc_factor, round_factor = _quotients(S, method)
        fwd, bwd = (S.p1 - S.f0) / S.h, (S.f0 - S.m1) / S.h
        gap = np.abs(fwd - bwd)
        scale = np.maximum(np.abs(a), np.abs(n))
        disagree = (gap > _KINK_GAP * np.maximum(np.abs(fwd), np.abs(bwd))) | (np.abs(a - n) > rtol * scale)
        kink = (gap > _KINK_NOISE * 4 * S.unit / S.h) & disagree & ~_smooth(S)
        trunc = np.where(kink, 0.0, _TRUNC_FACTOR * trunc_factor * np.abs(n - n_half))
        noise = _NOISE_FACTOR * round_factor * S.unit / S.h
        err = noise + trunc
        diff = np.abs(a - n)
        rel = diff / np.maximum(np.maximum(scale, err / rtol), np.finfo(np.float64).tiny)
    rel = np.where(np.isnan(rel), np.inf, rel)  # a NaN difference is a failure, not a pass
    passed = bool(np.all(rel <= rtol))
    # passed only thanks to the truncation allowance: worth telling (a smaller h would resolve them)
    coarse = coords[(diff > np.maximum(rtol * scale, noise)) & (rel <= rtol)]
    kinks = coords[kink]
    return GradcheckResult(
        passed=passed,
        max_rel_error=float(rel.max()) if rel.size else 0.0,
        rel_errors=rel,
        analytic=a,
        numeric=n,
        fd_error=err,
        coords=coords,
        h=S.h,
        kink=bool(kinks.size),
        kink_coords=kinks,
        message=_message(kind, passed, rel, coords, rtol, kinks, coarse, note),
    )


def _listing(c: np.ndarray) -> str:
    return ", ".join(str(int(i)) for i in c[:10]) + (", ..." if c.size > 10 else "")


def _message(kind, passed, rel, coords, rtol, kinks, coarse, note) -> str:
    parts = []
    if rel.size == 0:
        parts.append(f"{kind}: no coordinates checked")
    else:
        worst = int(np.argmax(rel))
        verdict = "passed" if passed else "FAILED"
        parts.append(
            f"{kind} {verdict}: max relative error {rel[worst]:.2e} at coordinate {int(coords[worst])} "
            f"(rtol {rtol:.1e}, {rel.size} coordinates)"
        )
    if kinks.size:
        parts.append(
            f"possible kink at coordinate(s) {_listing(kinks)}: the one-sided differences disagree and do not "
            "scale like a smooth function's, so the centered difference is unreliable there "
            "(try a smaller h or move x away from the kink)"
        )
    if coarse.size:
        parts.append(
            f"coordinate(s) {_listing(coarse)} agree only to the differences' truncation error, "
            "which is coarser than rtol there (the function curves on a scale below h: try a smaller h)"
        )
    if note:
        parts.append(note)
    return "; ".join(parts)


def gradcheck(
    f: Callable[[Any], Any],
    x: Any,
    grad: Callable[[Any], Any] | None = None,
    *,
    h: float | None = None,
    method: str = "centered",
    rtol: float = 1e-7,
    coords: Any = None,
) -> GradcheckResult:
    """Check ``grad(x)`` against difference quotients of the scalar function ``f``.

    ``f``: callable x -> scalar, or a Problem (with ``loss``/``grad``) when
    ``grad`` is None.  ``x``: array of any shape (coordinates are its flattened
    entries).  ``h``: step (default per coordinate, see the module docstring).
    ``method``: "centered" (default), "forward" or "backward".  ``coords``:
    optional flat indices to check (6 evaluations of f each; large nets need a
    sample).  Returns a ``GradcheckResult``; its ``message`` explains failures.
    """
    if grad is None:
        if callable(getattr(f, "loss", None)) and callable(getattr(f, "grad", None)):
            f, grad = f.loss, f.grad
        else:
            raise InputError("grad", "pass the gradient function, or a Problem with .loss and .grad as f")
    if not callable(f):
        raise InputError("f", f"expected a callable, got {type(f).__name__}")
    if not callable(grad):
        raise InputError("grad", f"expected a callable, got {type(grad).__name__}")
    if method not in METHODS:
        raise InputError("method", f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    rtol = _check_rtol(rtol)
    x, xp, note = _as_float64(x, "x")
    shape, size = tuple(x.shape), int(math.prod(x.shape))
    flat = xp.reshape(x, (-1,))
    coords = _check_coords(coords, size)

    def fval(z: Any) -> float:
        try:
            return float(to_numpy(f(xp.reshape(z, shape))).reshape(()))
        except (TypeError, ValueError) as exc:
            raise InputError("f", f"must return a real scalar ({exc})") from exc

    f0 = fval(flat)
    if not math.isfinite(f0):
        raise InputError("f", f"f(x) = {f0} is not finite")
    g = to_numpy(grad(x)).astype(np.float64).reshape(-1)
    if g.size != size:
        raise InputError("grad", f"returned {g.size} entries for x with {size}")
    if h is None:
        base = _EPS ** (1 / 3) if method == "centered" else math.sqrt(_EPS)
        steps = base * np.maximum(1.0, np.abs(to_numpy(flat)[coords]))
    else:
        steps = np.full(coords.shape, _check_h(h))

    def shifted(scale: float) -> tuple[np.ndarray, np.ndarray]:
        plus, minus = np.empty(coords.size), np.empty(coords.size)
        for k, (i, s) in enumerate(zip(coords.tolist(), (steps * scale).tolist())):
            z = xp.asarray(flat, copy=True)
            z[i] = flat[i] + s
            plus[k] = fval(z)
            z[i] = flat[i] - s
            minus[k] = fval(z)
        return plus, minus

    (p1, m1), (p2, m2), (p4, m4) = shifted(1.0), shifted(0.5), shifted(0.25)
    mag = np.maximum(np.maximum(np.abs(p1), np.abs(m1)), abs(f0))
    S = _Samples(np.full(coords.shape, f0), p1, m1, p2, m2, p4, m4, steps, _EPS * mag)
    return _assess("gradcheck", g[coords], S, method, rtol, coords, note)


def gradcheck_hvp(problem: Any, w: Any, v: Any, *, h: float | None = None, rtol: float = 1e-6) -> GradcheckResult:
    """Check ``problem.hvp(w, v)`` against differences of ``problem.grad`` along v.

    The numeric HVP is the Richardson extrapolation of centered differences at
    steps h and h/2: (4 c(h/2) - c(h)) / 3 with c(s) = (grad(w + s v) - grad(w - s v)) / (2s),
    which cancels the O(h^2) term (error O(h^4) + O(eps/h)); plain centered
    differences leave an O(h^2) error above 1e-6 relative on the small
    entries of a typical HVP.  Default h = eps^(1/4) max(1, ||w||) / ||v||:
    smaller than the eps^(1/5) that balances h^4 against eps/h for unit
    derivatives, because the small entries of an HVP meet higher derivatives
    of the whole gradient's size.  The default rtol is looser than
    gradcheck's because every entry is a difference of computed gradients,
    sums whose rounding scales with the largest gradient entry (used as the
    rounding scale of every entry).  Same result type; coordinates are the
    entries of the HVP; kinks are flagged as in ``gradcheck``.
    """
    for attr in ("grad", "hvp"):
        if not callable(getattr(problem, attr, None)):
            raise InputError("problem", f"needs a callable .{attr}; got {type(problem).__name__}")
    rtol = _check_rtol(rtol)
    w, xp, note = _as_float64(w, "w")
    v = asarray_checked(v, "v", xp)
    if tuple(v.shape) != tuple(w.shape):
        raise InputError("v", f"expected shape {tuple(w.shape)} like w, got {tuple(v.shape)}")
    vn = float(xp.linalg.vector_norm(v))
    if vn == 0:
        raise InputError("v", "is zero; the check needs a nonzero direction")
    s = _check_h(h) if h is not None else _EPS ** (1 / 4) * max(1.0, float(xp.linalg.vector_norm(w))) / vn

    def g(t: float) -> np.ndarray:
        return to_numpy(problem.grad(w + t * v)).astype(np.float64).reshape(-1)

    a = to_numpy(problem.hvp(w, v)).astype(np.float64).reshape(-1)
    vals = [g(t) for t in (0.0, s, -s, s / 2, -s / 2, s / 4, -s / 4)]
    if any(arr.size != a.size for arr in vals):
        raise InputError("problem", f"hvp returned {a.size} entries but grad {vals[0].size}")
    mag = max(float(np.max(np.abs(arr), initial=0.0)) for arr in vals)
    S = _Samples(*vals, np.full(a.shape, s), np.full(a.shape, _EPS * mag))
    return _assess("gradcheck_hvp", a, S, "extrapolated", rtol, np.arange(a.size), note)
