"""Gradient descent as a discretization of gradient flow: as eta -> 0 the GD iterates track the
flow dx/dt = -grad f(x) at t = k eta, with a deviation of first order in eta, and the loss is monotone."""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._util import NESTEROV, S, derivation, rounded

__all__ = ["CLAIMS"]

L, eta, t, lam = (S(n, positive=True) for n in ("L", "eta", "t", "lam"))
r, ups = S("r"), S("ups")
FLOW_STATEMENT = sympy.And(sympy.Eq(r, L / (2 * sympy.E)), sympy.Le(ups, 0))


def _derive():
    d = derivation((L > 0, eta > 0, t > 0), "flow.gd_to_gradient_flow")
    # along an eigendirection with curvature L: GD after t/eta steps is (1 - eta L)^(t/eta) = exp((t/eta)
    # log(1 - eta L)) = exp(-L t - eta L^2 t/2 + O(eta^2)), the flow is exp(-L t): the deviation is
    # eta L^2 t exp(-L t)/2 + O(eta^2), whose maximum over t (at t = 1/L) is eta L/(2e)
    dev = L**2 * t * sympy.exp(-L * t) / 2
    d.start(sympy.diff(dev, t)).eq(L**2 * (1 - L * t) * sympy.exp(-L * t) / 2, by="d/dt of the first-order deviation")
    d.start(dev.subs(t, 1 / L)).eq(L / (2 * sympy.E), by="its value at the critical point t = 1/L")
    # monotone loss: for eta L < 1 every mode contracts without sign change, so f(x+) < f(x)
    d.start((1 - eta * lam) ** 2).eq(1 - eta * lam * (2 - eta * lam), by="expand")
    return d.check()


def _run(params):
    return _run_cached(float(params["L"]), float(params["eta_frac"]))


@functools.lru_cache(maxsize=64)
def _run_cached(L_, eta_frac):  # both checks read the same run
    lr = eta_frac / L_
    steps = int(math.ceil(20.0 / (lr * L_)))
    k = np.arange(steps + 1)
    xs = [1.0]
    for _ in range(steps):  # GD on f = L x^2/2 from x0 = 1: x+ = x - lr * L x
        xs.append(xs[-1] - lr * (L_ * xs[-1]))
    flow = np.exp(-L_ * k * lr)  # the gradient flow's exact solution, compared at t = k eta
    return lr, np.asarray(xs), flow, L_


def _max_deviation_per_eta(params, ctx) -> float:
    lr, gd, flow, _ = _run(params)
    return float(np.max(np.abs(gd - flow)) / lr)


def _loss_increases(params, ctx) -> float:
    _, gd, _, L_ = _run(params)
    return float(np.count_nonzero(np.diff(L_ * gd**2 / 2) > 0))


GD_FLOW = Claim(
    id="flow.gd_to_gradient_flow",
    title="As eta -> 0, GD tracks gradient flow (max deviation eta L/(2e) |x0| on L x^2/2) with a monotone loss",
    statement=FLOW_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(NESTEROV,),
    derive=_derive,
    assumptions=(L > 0, eta > 0),
    strategy=lambda: st.fixed_dictionaries({"L": rounded(0.1, 10.0), "eta_frac": st.sampled_from([1e-3, 3e-4, 1e-4])}),
    checks=(
        NumericCheck("deviation_over_eta", "max_k |x_k(GD) - x(k eta)(flow)| / eta on L x^2/2, x0 = 1, t <= 20/L",
                     _max_deviation_per_eta, measures=r, rtol=1e-3, examples=({"L": 1.0, "eta_frac": 1e-4},)),
        NumericCheck("loss_increases", "number of steps at which GD's loss went up", _loss_increases, measures=ups,
                     rtol=0.0, examples=({"L": 1.0, "eta_frac": 1e-4},)),
    ),
    mutants=(sympy.Eq(r, L / 2), sympy.Eq(r, L**2 / (2 * sympy.E))),
    doc="""\
Setting: f(x) = L x^2 / 2 (the top eigendirection of any quadratic with lambda_max = L); GD with step
eta << 1/L from x0 = 1, and the gradient flow dx/dt = -L x, x(t) = exp(-L t), compared at t = k eta.

Claim (*tight* as eta -> 0): max_k |x_k - x(k eta)| = eta L/(2e) |x0| + O(eta^2) (GD is a first-order
discretization of the flow, cf. [1, Sec. 1.2]), and the loss decreases at every step.

Derivation: (1 - eta L)^(t/eta) = exp(-L t - eta L^2 t/2 + O(eta^2)), so the deviation is
eta L^2 t e^(-L t)/2 + O(eta^2), maximal at t = 1/L where it is eta L/(2e); for eta L < 1 each mode
contracts without changing sign, so the loss is monotone.

Checks: GD run for 20/(eta L) steps with eta L in {1e-3, 3e-4, 1e-4}; max deviation / eta vs L/(2e)
(rtol 1e-3, above the O(eta L) relative correction, 4.2e-4 at eta L = 1e-3); the number of loss increases is 0.
""",
)

CLAIMS = (GD_FLOW,)
