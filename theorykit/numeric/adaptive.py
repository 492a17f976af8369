"""Adaptive first-order update rules as pure functions on NamedTuple states.

Every rule is a pair ``init(x) -> State`` and ``step(state, g, ...) -> (delta, State)``:
the caller forms ``x_next = x + delta`` (and may project it, as in online
learning). Nothing is mutated, so a test can replay any step from any state.
Arrays may have any shape (one point ``(d,)`` or a batch ``(batch, d)``);
every operation is elementwise, written against the array API.

Rules (g = gradient, all operations coordinatewise):

* AdaGrad (Duchi, Hazan & Singer 2011):  G += g^2;  delta = -lr g / (sqrt(G) + eps)
* RMSProp (Tieleman & Hinton 2012):      v = beta v + (1-beta) g^2;  delta = -lr g / (sqrt(v) + eps)
* Adam (Kingma & Ba 2015, arXiv:1412.6980):
      m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  m^ = m/(1-b1^t), v^ = v/(1-b2^t)
      delta = -lr m^ / (sqrt(v^) + eps)     (bias_correction=False uses m, v)
* AMSGrad (Reddi, Kale & Kumar 2018, arXiv:1904.09237, Alg. 2):
      as Adam without bias correction, but v_max = max(v_max, v) in the denominator
* Yogi (Zaheer et al. 2018): v = v - (1-b2) sign(v - g^2) g^2, otherwise as Adam
  (bias correction on m only when asked; Zaheer et al. use none)
* AdaDelta (Zeiler 2012, arXiv:1212.5701):
      Eg = rho Eg + (1-rho) g^2;  delta = -lr sqrt(Edx + eps_dx)/sqrt(Eg + eps_g) g;
      Edx = rho Edx + (1-rho) delta^2
  Zeiler uses one eps for both roots; we keep two because they carry different
  units (theta^2 and loss^2/theta^2), which is what ``proofs/units.py`` is about.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from array_api_compat import array_namespace

from ..errors import InputError

__all__ = [
    "RULES",
    "AdaDeltaState",
    "AdaGradState",
    "AdamState",
    "RMSPropState",
    "YogiState",
    "adadelta_init",
    "adadelta_step",
    "adagrad_init",
    "adagrad_step",
    "adam_init",
    "adam_step",
    "amsgrad_step",
    "rmsprop_init",
    "rmsprop_step",
    "run_rule",
    "yogi_init",
    "yogi_step",
]


class AdaGradState(NamedTuple):
    G: Any  # (..., d) running sum of squared gradients
    t: int  # steps taken


class RMSPropState(NamedTuple):
    v: Any  # (..., d) EWMA of squared gradients
    t: int


class AdamState(NamedTuple):
    m: Any  # (..., d) EWMA of gradients
    v: Any  # (..., d) EWMA of squared gradients
    v_max: Any  # (..., d) running max of v (AMSGrad only; kept equal to v by Adam)
    t: int


class YogiState(NamedTuple):
    m: Any  # (..., d) EWMA of gradients
    v: Any  # (..., d) additive second-moment estimate
    t: int


class AdaDeltaState(NamedTuple):
    Eg: Any  # (..., d) EWMA of squared gradients
    Edx: Any  # (..., d) EWMA of squared updates
    t: int


def _beta(value: Any, name: str, *, allow_zero: bool = True) -> float:
    try:
        b = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected a real number, got {value!r}") from exc
    if not (math.isfinite(b) and (0 <= b < 1 if allow_zero else 0 < b < 1)):
        raise InputError(name, f"must lie in {'[0, 1)' if allow_zero else '(0, 1)'}, got {value!r}")
    return b


def _nonneg(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"expected a real number, got {value!r}") from exc
    if not (math.isfinite(v) and v >= 0):
        raise InputError(name, f"must be finite and >= 0, got {value!r}")
    return v


_NUMPY_NS: list = []  # array_namespace of a NumPy array, looked up once


def _ns(g: Any) -> Any:
    """array_namespace(g); for a NumPy array (a rule's usual step: a few elementwise operations on
    tiny arrays) the namespace is looked up once, not on every step."""
    if type(g) is np.ndarray:
        if not _NUMPY_NS:
            _NUMPY_NS.append(array_namespace(g))
        return _NUMPY_NS[0]
    return array_namespace(g)


def _zeros(x: Any) -> Any:
    xp = array_namespace(x)
    return xp.zeros_like(xp.asarray(x, dtype=xp.float64))


def _safe_div(num: Any, den: Any, xp: Any) -> Any:
    # eps = 0 is allowed (the theory uses it); 0/0 happens only for a zero gradient
    # on a zero history, whose step is 0, not NaN
    zero = den == 0
    if not bool(zero.any() if type(zero) is np.ndarray else xp.any(zero)):  # the common case: skip the masking
        return num / den
    return xp.where(zero, 0.0 * num, num / xp.where(zero, 1.0, den))


# ---------------------------------------------------------------- AdaGrad
def adagrad_init(x: Any, G0: float = 0.0) -> AdaGradState:
    return AdaGradState(G=_zeros(x) + _nonneg(G0, "G0"), t=0)


def adagrad_step(state: AdaGradState, g: Any, *, lr: float, eps: float = 0.0) -> tuple[Any, AdaGradState]:
    xp = _ns(g)
    G = state.G + g * g
    return -lr * _safe_div(g, xp.sqrt(G) + _nonneg(eps, "eps"), xp), AdaGradState(G, state.t + 1)


# ---------------------------------------------------------------- RMSProp
def rmsprop_init(x: Any) -> RMSPropState:
    return RMSPropState(v=_zeros(x), t=0)


def rmsprop_step(state: RMSPropState, g: Any, *, lr: float, beta: float = 0.9,
                 eps: float = 0.0) -> tuple[Any, RMSPropState]:
    xp = _ns(g)
    b = _beta(beta, "beta")
    v = b * state.v + (1 - b) * g * g
    return -lr * _safe_div(g, xp.sqrt(v) + _nonneg(eps, "eps"), xp), RMSPropState(v, state.t + 1)


# ---------------------------------------------------------------- Adam / AMSGrad
def adam_init(x: Any, v0: float = 0.0) -> AdamState:
    z = _zeros(x)
    v = z + _nonneg(v0, "v0")
    return AdamState(m=z, v=v, v_max=v, t=0)


def _moments(state: AdamState, g: Any, b1: float, b2: float) -> tuple[Any, Any]:
    return b1 * state.m + (1 - b1) * g, b2 * state.v + (1 - b2) * g * g


def adam_step(state: AdamState, g: Any, *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 0.0, bias_correction: bool = True) -> tuple[Any, AdamState]:
    xp = _ns(g)
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    m, v = _moments(state, g, b1, b2)
    t = state.t + 1
    mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if bias_correction else (m, v)
    delta = -lr * _safe_div(mh, xp.sqrt(vh) + _nonneg(eps, "eps"), xp)
    return delta, AdamState(m, v, v, t)


def amsgrad_step(state: AdamState, g: Any, *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 0.0) -> tuple[Any, AdamState]:
    xp = _ns(g)
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    m, v = _moments(state, g, b1, b2)
    v_max = xp.maximum(state.v_max, v)  # the non-increasing effective step of Reddi et al.
    delta = -lr * _safe_div(m, xp.sqrt(v_max) + _nonneg(eps, "eps"), xp)
    return delta, AdamState(m, v, v_max, state.t + 1)


# ---------------------------------------------------------------- Yogi
def yogi_init(x: Any, v0: float = 0.0) -> YogiState:
    z = _zeros(x)
    return YogiState(m=z, v=z + _nonneg(v0, "v0"), t=0)


def yogi_step(state: YogiState, g: Any, *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 0.0) -> tuple[Any, YogiState]:
    xp = _ns(g)
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    g2 = g * g
    m = b1 * state.m + (1 - b1) * g
    v = state.v - (1 - b2) * xp.sign(state.v - g2) * g2  # additive: |change| <= (1-b2) g^2
    delta = -lr * _safe_div(m, xp.sqrt(v) + _nonneg(eps, "eps"), xp)
    return delta, YogiState(m, v, state.t + 1)


# ---------------------------------------------------------------- AdaDelta
def adadelta_init(x: Any) -> AdaDeltaState:
    z = _zeros(x)
    return AdaDeltaState(Eg=z, Edx=z, t=0)


def adadelta_step(state: AdaDeltaState, g: Any, *, lr: float = 1.0, rho: float = 0.95,
                  eps_dx: float = 1e-6, eps_g: float = 1e-6) -> tuple[Any, AdaDeltaState]:
    xp = _ns(g)
    r = _beta(rho, "rho")
    Eg = r * state.Eg + (1 - r) * g * g
    num = xp.sqrt(state.Edx + _nonneg(eps_dx, "eps_dx"))
    den = xp.sqrt(Eg + _nonneg(eps_g, "eps_g"))
    delta = -lr * _safe_div(num, den, xp) * g
    Edx = r * state.Edx + (1 - r) * delta * delta
    return delta, AdaDeltaState(Eg, Edx, state.t + 1)


RULES: dict[str, tuple[Callable, Callable]] = {
    "adagrad": (adagrad_init, adagrad_step),
    "rmsprop": (rmsprop_init, rmsprop_step),
    "adam": (adam_init, adam_step),
    "amsgrad": (adam_init, amsgrad_step),
    "yogi": (yogi_init, yogi_step),
    "adadelta": (adadelta_init, adadelta_step),
}


class Trajectory(NamedTuple):
    x: Any  # (steps + 1, ...) iterates, x[0] = x0
    state: Any  # the final state


def run_rule(name: str, grad: Callable[[Any, int], Any], x0: Any, steps: int, *,
             project: Callable[[Any], Any] | None = None, init_kw: dict | None = None, **hyper) -> Trajectory:
    """Run rule ``name`` for ``steps`` steps; ``grad(x, t)`` (t = 1, 2, ...) may depend on t
    (online learning). ``project`` maps each new iterate back to the feasible set. A callable
    ``lr`` is a schedule: step t uses lr(t) (e.g. alpha / sqrt(t))."""
    if name not in RULES:
        raise InputError("name", f"unknown rule {name!r}; choose one of {', '.join(RULES)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise InputError("steps", f"must be an integer >= 0, got {steps!r}")
    xp = array_namespace(x0)
    init, step = RULES[name]
    x = xp.asarray(x0, dtype=xp.float64)
    state = init(x, **(init_kw or {}))
    xs = [x]
    schedule = hyper.pop("lr") if callable(hyper.get("lr")) else None
    if "lr" in hyper:
        hyper["lr"] = _nonneg(hyper["lr"], "lr")
    for t in range(1, steps + 1):
        if schedule is not None:
            hyper["lr"] = _nonneg(schedule(t), "lr")
        delta, state = step(state, grad(x, t), **hyper)
        x = x + delta
        if project is not None:
            x = project(x)
        xs.append(x)
    return Trajectory(xp.stack(xs), state)
