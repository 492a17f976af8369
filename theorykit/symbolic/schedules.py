"""Learning-rate schedules as SymPy expressions in the step counter ``k``.

Each constructor takes numbers or SymPy expressions for its parameters and
returns a ``Schedule``: the expression, its step symbol and a name. Symbolic
claims (endpoints, averages, monotonicity) work on ``.expr``; numeric checks
evaluate it on steps 0..T-1 with ``values(schedule, T)`` (one lambdify, NumPy).

    >>> s = cosine(1, 100)
    >>> float(s.expr.subs(s.k, 0)), float(s.expr.subs(s.k, 100))
    (1.0, 0.0)

Schedules (k = 0, 1, 2, ...):
  step(alpha0, gamma, every)      alpha0 * gamma^floor(k / every)
  exponential(alpha0, gamma)      alpha0 * gamma^k
  polynomial(alpha0, K, beta)     alpha0 / (1 + k/K)^beta           (Wu et al. 2018, arXiv:1803.02021)
  cosine(alpha0, T, alpha_min)    alpha_min + (alpha0 - alpha_min)(1 + cos(pi k / T))/2
                                  (Loshchilov & Hutter 2017, arXiv:1608.03983)
  linear_warmup(alpha0, W)        alpha0 * min(1, k / W)            (Goyal et al. 2017, arXiv:1706.02677)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import sympy

from ..errors import InputError

__all__ = ["K", "Schedule", "cosine", "exponential", "linear_warmup", "polynomial", "step", "values"]

#: the step counter shared by every schedule (a real symbol, as the step checker expects)
K = sympy.Symbol("k", real=True)


class Schedule(NamedTuple):
    name: str
    expr: sympy.Expr  # learning rate at step k
    k: sympy.Symbol


def _param(value: Any, name: str, *, allow_zero=False) -> sympy.Expr:
    """A SymPy parameter: expressions pass through; numbers become exact rationals and must be > 0."""
    import math

    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(name, f"expected a number or SymPy expression, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(name, f"must be finite, got {value!r}")
    v = sympy.Integer(value) if isinstance(value, int) else sympy.Rational(repr(value))  # exact decimal
    if v < 0 or (v == 0 and not allow_zero):
        raise InputError(name, f"must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return v


def step(alpha0, gamma, every) -> Schedule:
    """Multiply by ``gamma`` every ``every`` steps."""
    a, g, e = _param(alpha0, "alpha0"), _param(gamma, "gamma"), _param(every, "every")
    return Schedule("step", a * g ** sympy.floor(K / e), K)


def exponential(alpha0, gamma) -> Schedule:
    a, g = _param(alpha0, "alpha0"), _param(gamma, "gamma")
    return Schedule("exponential", a * g**K, K)


def polynomial(alpha0, K_, beta) -> Schedule:
    """alpha0 / (1 + k/K)^beta (beta = 1: 1/t decay; beta = 1/2: 1/sqrt(t))."""
    a, kk, b = _param(alpha0, "alpha0"), _param(K_, "K"), _param(beta, "beta", allow_zero=True)
    return Schedule("polynomial", a / (1 + K / kk) ** b, K)


def cosine(alpha0, T, alpha_min=0) -> Schedule:
    """Half a cosine from alpha0 at k = 0 down to alpha_min at k = T."""
    a, t, m = _param(alpha0, "alpha0"), _param(T, "T"), _param(alpha_min, "alpha_min", allow_zero=True)
    return Schedule("cosine", m + (a - m) * (1 + sympy.cos(sympy.pi * K / t)) / 2, K)


def linear_warmup(alpha0, W) -> Schedule:
    """Linear ramp from 0 at k = 0 to alpha0 at k = W, constant afterwards."""
    a, w = _param(alpha0, "alpha0"), _param(W, "W")
    return Schedule("linear_warmup", sympy.Piecewise((a * K / w, K < w), (a, True)), K)


def values(schedule: Schedule, T: int, *, start: int = 0, xp=None):
    """The schedule at steps start..start+T-1 as a float64 array (NumPy, or ``xp``)."""
    import numpy as np

    if not isinstance(schedule, Schedule):
        raise InputError("schedule", f"expected a Schedule, got {type(schedule).__name__}")
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise InputError("T", f"must be a positive integer, got {T!r}")
    if schedule.expr.free_symbols - {schedule.k}:
        names = ", ".join(sorted(s.name for s in schedule.expr.free_symbols - {schedule.k}))
        raise InputError("schedule", f"has free parameters ({names}); substitute numbers first")
    fn = sympy.lambdify(schedule.k, schedule.expr, modules="numpy")
    ks = np.arange(start, start + T, dtype=np.float64)
    out = np.asarray(fn(ks), dtype=np.float64) * np.ones_like(ks)  # a constant expr lambdifies to a scalar
    return out if xp is None else xp.asarray(out)
