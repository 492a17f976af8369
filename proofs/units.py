"""Units of update rules: theta and the loss as independent base dimensions.

For each method the derivation computes (with ``theorykit.symbolic.units``) the
dimension of the update without its learning rate, and from it the units the
hyperparameters must carry for the update to move theta by a quantity of
dimension theta. The numeric checks change units, theta -> c theta and
loss -> s loss (the problem phi -> s f(phi / c)), run the method in both
parametrizations with hyperparameters rescaled by their derived units, and
measure the equivariance defect max_k ||phi_k - c theta_k|| / max_k ||c theta_k||.
A mutant assigns wrong units (e.g. "GD's lr is dimensionless", i.e. GD is
equivariant with the same lr) and is refuted by a measured defect.
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source
from theorykit.symbolic.units import (
    GRAD,
    HESSIAN,
    THETA,
    UNIT_SYMBOLS,
    Dimension,
    dimension_of,
    monomial,
    unit_skeleton,
)

from ._sources import DUCHI, KINGMA_BA
from ._util import derivation, BOYD, NESTEROV, S

__all__ = ["CLAIMS"]

ZEILER = Source(
    key="Zeiler 2012",
    authors="M. D. Zeiler",
    title="ADADELTA: an adaptive learning rate method",
    year=2012,
    venue="arXiv preprint",
    arxiv="1212.5701",
)

TH, LA = UNIT_SYMBOLS
g, h, m, v, G, eps, Edx, Eg, eps_dx, eps_g = (S(n) for n in ("g", "h", "m", "v", "G", "eps", "Edx", "Eg",
                                                              "eps_dx", "eps_g"))

# quantity units shared by all rules (per coordinate)
UNITS = {
    "g": GRAD, "h": HESSIAN, "m": GRAD, "v": GRAD**2, "G": GRAD**2, "eps": GRAD,
    "Edx": THETA**2, "Eg": GRAD**2, "eps_dx": THETA**2, "eps_g": GRAD**2,
}
# the update of each rule without its learning rate (1-D, per coordinate)
DIRECTIONS = {
    "newton": g / h,
    "gd": g,
    "adam": m / (sympy.sqrt(v) + eps),
    "adagrad": g / (sympy.sqrt(G) + eps),
    "rmsprop": g / (sympy.sqrt(v) + eps),
    "adadelta": sympy.sqrt(Edx + eps_dx) / sympy.sqrt(Eg + eps_g) * g,
}


def lr_dimension(rule: str) -> Dimension:
    """Units lr must carry so that lr * direction has the dimension of theta."""
    return THETA / dimension_of(DIRECTIONS[rule], UNITS)


def _pair(d: Dimension) -> list[float]:
    return [float(d.theta), float(d.loss)]


# hyperparameter -> units, as the derivation gives them; measures read these from params
DERIVED_UNITS = {
    "newton": {"lr": _pair(lr_dimension("newton"))},
    "gd": {"lr": _pair(lr_dimension("gd"))},
    "adam": {"lr": _pair(lr_dimension("adam")), "eps": _pair(UNITS["eps"])},
    "adagrad": {"lr": _pair(lr_dimension("adagrad")), "eps": _pair(UNITS["eps"])},
    "rmsprop": {"lr": _pair(lr_dimension("rmsprop")), "eps": _pair(UNITS["eps"])},
    "adadelta": {"lr": _pair(lr_dimension("adadelta")), "eps_dx": _pair(UNITS["eps_dx"]),
                 "eps_g": _pair(UNITS["eps_g"])},
}
BASE_HYPER = {
    "newton": {"lr": 1.0},
    "gd": {"lr": 0.5},  # times 1/L of the instance (below), so GD converges in the base units
    "adam": {"lr": 0.05, "eps": 1e-3, "beta1": 0.9, "beta2": 0.99},
    "adagrad": {"lr": 0.3, "eps": 1e-3},
    "rmsprop": {"lr": 0.03, "eps": 1e-3, "beta": 0.9},
    "adadelta": {"lr": 1.0, "eps_dx": 1e-4, "eps_g": 1e-4, "rho": 0.9},
}
STEPS = {"newton": 6, "gd": 30, "adam": 40, "adagrad": 40, "rmsprop": 40, "adadelta": 40}


# --------------------------------------------------------------------------- derivations
def _unit_steps(d, rule: str):
    """[direction] by substituting units (unevaluated), simplified; then [lr] = Theta / [direction]."""
    expr = DIRECTIONS[rule]
    skeleton, sums = unit_skeleton(expr, UNITS)
    for term, first in sums:
        d.claim(term, "=", first, by="the terms of a sum share units")
    direction = monomial(dimension_of(expr, UNITS))
    d.start(skeleton).eq(direction, by=f"units of the {rule} direction {expr}")
    d.start(TH / direction).eq(monomial(lr_dimension(rule)), by="[lr] = theta / [direction]")
    return direction


def _derive(rule: str, extra=()):
    def derive():
        d = derivation(name=f"units.{rule}")
        _unit_steps(d, rule)
        for other in extra:
            _unit_steps(d, other)
        if rule == "newton":
            # the step H^{-1} g written out: (loss/theta^2)^{-1} (loss/theta) = theta
            d.start((LA / TH**2) ** -1 * (LA / TH)).eq(TH, by="Newton's step has theta's units")
        if rule == "adadelta":
            d.start(sympy.sqrt(TH**2) / sympy.sqrt(LA**2 / TH**2) * (LA / TH)).eq(TH, by="RMS[dx]/RMS[g] g")
        return d.check()

    return derive


# --------------------------------------------------------------------------- measures
def _problem(params, ctx):
    from theorykit.numeric.newton import LogCoshRidge

    return LogCoshRidge.random(params["dim"], params["k"], params.get("mu", 0.5), rng=ctx.rng, xp=ctx.xp)


def _trajectory(rule: str, prob, x0, hyper, steps=None):
    """(steps+1, d) iterates of ``rule`` on ``prob`` from x0."""
    from theorykit.numeric.adaptive import run_rule
    from theorykit.numeric.methods import run
    from theorykit.numeric.newton import run_newton

    steps = STEPS[rule] if steps is None else steps
    if rule == "newton":
        return run_newton(prob, x0, steps, lr=hyper["lr"])
    if rule == "gd":
        return run("gd", prob, x0, hyper["lr"], steps, record=("x",)).xs
    return run_rule(rule, lambda z, t: prob.grad(z), x0, steps, **hyper).x


def _runs(rule: str, params, ctx, keep=(), steps=None):
    """(c theta_k, phi_k): the run in the base units, scaled by c, and the run in the new units with
    each hyperparameter rescaled by params["units"] except those in ``keep`` (left as they are)."""
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.newton import Reparametrized

    c, s = params["c"], params["s"]
    base = _problem(params, ctx)
    x0 = ctx.xp.asarray(ctx.rng.standard_normal(base.dim))
    hyper = dict(BASE_HYPER[rule])
    if rule == "gd":
        hyper["lr"] = hyper["lr"] / base.L  # a stable step for this instance; the claim is about its units
    scaled = dict(hyper)
    for name, (p, q) in params["units"].items():
        if name not in keep:
            scaled[name] = hyper[name] * Dimension(p, q).scale(c, s)
    a = c * to_numpy(_trajectory(rule, base, x0, hyper, steps))
    b = to_numpy(_trajectory(rule, Reparametrized(base, c, s), c * x0, scaled, steps))
    return a, b


def first_step_factor(rule: str, name: str, power: float, params, ctx) -> float:
    """The factor by which hyperparameter ``name`` must be multiplied in the new units for the first
    step to come out c times the base one: (|c dtheta_1| / |dphi_1|)^(1/power) with ``name`` left in
    the base units, for a first step proportional to name^power (lr: 1, AdaDelta's eps_dx: 1/2)."""
    a, b = _runs(rule, params, ctx, keep=(name,), steps=1)
    da, db = np.linalg.norm(a[1] - a[0]), np.linalg.norm(b[1] - b[0])
    if not (np.isfinite(da) and np.isfinite(db)) or db == 0:
        return math.nan
    return float((da / db) ** (1.0 / power))


def equivariance_defect(rule: str, params, ctx) -> float:
    """max_k ||phi_k - c theta_k|| / max_k ||c theta_k|| with hyperparameters rescaled by params["units"]."""
    a, b = _runs(rule, params, ctx)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return math.inf
    return float(np.max(np.linalg.norm(b - a, axis=-1)) / np.max(np.linalg.norm(a, axis=-1)))


def _measure(rule):
    return lambda params, ctx: equivariance_defect(rule, params, ctx)


# Unit changes by powers of two: scaling by 2^k is exact in binary floating point (and commutes
# with every rounding), so an equivariant rule reproduces the scaled trajectory bit for bit and the
# predicted defect 0 needs no tolerance. General factors (c = 3.7, say) leave round-off that the
# adaptive rules' oscillating dynamics amplify (a defect of 1.4e-8 after 40 RMSProp steps was seen).
# c = 2^i (i in [-6, 8]) and s = 2^j (j in [-7, 7]): every power of two in that range is searched.


def _params(rule: str, units=None):
    units = DERIVED_UNITS[rule] if units is None else units

    def make():
        return st.fixed_dictionaries({
            "c": st.integers(-6, 8).map(lambda i: 2.0**i), "s": st.integers(-7, 7).map(lambda j: 2.0**j),
            "dim": st.integers(1, 5), "k": st.integers(1, 6), "units": st.just(units),
        })

    return make


def _example(rule, units=None):
    return {"c": 16.0, "s": 2.0**-7, "dim": 3, "k": 4, "units": DERIVED_UNITS[rule] if units is None else units}


# Statement symbols: the change of units theta -> c theta, loss -> s loss; the factor r_lr by which
# lr must be multiplied (AdaDelta: r_eps for eps_dx); the trajectory's equivariance defect after it.
c_u, s_u = S("c", positive=True), S("s", positive=True)
r_lr, r_eps, defect = S("r_lr"), S("r_eps_dx"), S("defect")


def _factor(dim: Dimension):
    """c^p s^q for units theta^p loss^q: the factor a quantity of those units picks up."""
    return monomial(dim).subs({TH: c_u, LA: s_u}, simultaneous=True)


def _statement(rule, *extra):
    return sympy.And(sympy.Eq(r_lr, _factor(lr_dimension(rule))), *extra, sympy.Eq(defect, 0))


def _check(rule):
    return NumericCheck(
        name=f"{rule}_equivariant",
        description=f"equivariance defect of {rule} with hyperparameters in their derived units",
        measure=_measure(rule), measures=defect, rtol=0.0, atol=0.0,  # exact: unit changes by powers of two
        strategy=_params(rule), examples=(_example(rule),))


def _factor_check(rule, name="lr", power=1.0, symbol=r_lr):
    return NumericCheck(
        name=f"{rule}_{name}_factor",
        description=f"factor on {rule}'s {name} that makes the first step in the new units c times the base one",
        measure=lambda p, ctx: first_step_factor(rule, name, power, p, ctx), measures=symbol,
        # a ratio of first-step lengths; unscaled, the new-units step is up to c^2/s ~ 1e7 times smaller
        # than |phi_0|, so phi_1 - phi_0 keeps only ~9 digits (errors to 3e-9 relative seen)
        rtol=1e-7,
        strategy=_params(rule), examples=(_example(rule),))


_METHOD = """\
Checks: on f(theta) = mu/2|theta|^2 + sum_j a_j logcosh-terms (theorykit.numeric.newton.LogCoshRidge),
change units theta -> c theta, loss -> s loss (g(phi) = s f(phi/c)), run the method from theta0 and
from c theta0 with each hyperparameter multiplied by c^p s^q for its derived units theta^p loss^q,
and measure the defect max_k ||phi_k - c theta_k|| / max_k ||c theta_k|| (*tight*: exactly 0). The factors
c, s are powers of two, which floating point scales exactly, so no tolerance is needed (atol 0); with
general factors round-off is amplified by the adaptive rules' dynamics (1e-8 seen for RMSProp).
A second check measures the factor on lr (AdaDelta: also on eps_dx) that makes the first step in the
new units c times the base one (a ratio of step lengths), against c^p s^q from the derived units
theta^p loss^q. Mutants give a hyperparameter the wrong units and are refuted by that factor."""

UNITS_NEWTON = Claim(
    id="units.newton",
    title="Newton's update H^{-1} grad f has the units of theta: Newton is unit-free (lr dimensionless)",
    statement=_statement("newton"),
    kind=Kind.IDENTITY,
    sources=(NESTEROV, BOYD),
    derive=_derive("newton"),
    strategy=_params("newton"),
    checks=(_factor_check("newton"), _check("newton")),
    mutants=(sympy.Eq(r_lr, _factor(THETA / GRAD)), sympy.Eq(r_lr, c_u)),  # GD's units; Adam's
    doc=f"""\
Setting: f: R^d -> R twice differentiable; theta has unit [theta], f has unit [loss], independent.
Then [grad f] = loss/theta and [H] = loss/theta^2.
Algorithm: Newton theta+ = theta - lr H(theta)^{{-1}} grad f(theta).

Claim (*tight*, an identity of units): [H^{{-1}} grad f] = (theta^2/loss)(loss/theta) = theta, so lr is
dimensionless and Newton's trajectory is equivariant under any change of units of theta and of
the loss (affine invariance, [2, Sec. 9.5.1], [1, Sec. 1.2.4]).

{_METHOD}
""",
)

UNITS_GD = Claim(
    id="units.gd",
    title="GD's lr must carry units theta^2/loss (an inverse curvature)",
    statement=_statement("gd"),
    kind=Kind.IDENTITY,
    sources=(NESTEROV, BOYD),
    derive=_derive("gd"),
    strategy=_params("gd"),
    checks=(_factor_check("gd"), _check("gd")),
    mutants=(sympy.Eq(r_lr, 1), sympy.Eq(r_lr, c_u), sympy.Eq(r_lr, 1 / s_u)),  # unit-free; theta; 1/loss
    doc=f"""\
Setting: as for units.newton: [theta], [loss] independent, [grad f] = loss/theta.
Algorithm: GD theta+ = theta - lr grad f(theta).

Claim (*tight*, an identity of units): lr grad f has units theta only if [lr] = theta/(loss/theta)
= theta^2/loss, the units of 1/L (the step 1/L of [1, Sec. 1.2.3]); with a dimensionless lr GD is
not equivariant: changing the units of theta or the loss changes the trajectory [2, Sec. 9.3].

{_METHOD}
""",
)

UNITS_ADAM = Claim(
    id="units.adam",
    title="Adam's, AdaGrad's and RMSProp's direction is dimensionless: their lr carries units theta",
    statement=_statement("adam"),
    kind=Kind.IDENTITY,
    sources=(KINGMA_BA, DUCHI, ZEILER),
    derive=_derive("adam", extra=("adagrad", "rmsprop")),
    strategy=_params("adam"),
    checks=(*(_factor_check(r) for r in ("adam", "adagrad", "rmsprop")),
            *(_check(r) for r in ("adam", "adagrad", "rmsprop"))),
    mutants=(sympy.Eq(r_lr, 1), sympy.Eq(r_lr, _factor(THETA / GRAD))),  # unit-free lr; GD's units
    doc=f"""\
Setting: as for units.newton; [grad f] = loss/theta, second-moment estimates have units (loss/theta)^2.
Algorithms: Adam theta+ = theta - lr m^/(sqrt(v^) + eps) [1]; AdaGrad - lr g/(sqrt(G) + eps) [2];
RMSProp - lr g/(sqrt(v) + eps); eps must have the units loss/theta of sqrt(v) for the sums to be
consistent.

Claim (*tight*, an identity of units): the directions m^/sqrt(v^), g/sqrt(G), g/sqrt(v) are
dimensionless (invariant to the loss scale), so [lr] = theta: the lr is a distance per step, and
the methods are equivariant only when lr is rescaled with theta (and eps with loss/theta) [3, Sec. 3.2].

{_METHOD}
""",
)

UNITS_ADADELTA = Claim(
    id="units.adadelta",
    title="AdaDelta's update RMS[dx]/RMS[g] g has the units of theta (up to eps)",
    statement=_statement("adadelta", sympy.Eq(r_eps, _factor(UNITS["eps_dx"]))),
    kind=Kind.IDENTITY,
    sources=(ZEILER,),
    derive=_derive("adadelta"),
    strategy=_params("adadelta"),
    checks=(_factor_check("adadelta"), _factor_check("adadelta", "eps_dx", 0.5, r_eps), _check("adadelta")),
    mutants=(sympy.Eq(r_eps, 1), sympy.Eq(r_lr, c_u)),  # unit-free eps_dx; Adam's units for lr
    doc=f"""\
Setting: as for units.newton.
Algorithm (Zeiler 2012 [1], with the two eps kept apart because their units differ):
E[g^2] <- rho E[g^2] + (1-rho) g^2;  dx = -lr sqrt(E[dx^2] + eps_dx)/sqrt(E[g^2] + eps_g) g;
E[dx^2] <- rho E[dx^2] + (1-rho) dx^2.

Claim (*tight*, an identity of units): with [E[dx^2]] = theta^2 and [E[g^2]] = (loss/theta)^2,
[sqrt(E[dx^2])/sqrt(E[g^2]) g] = theta (theta/(loss/theta))(loss/theta) = theta, so lr is dimensionless:
AdaDelta is unit-free "up to eps" [1, Sec. 3.2]: exactly equivariant when eps_dx carries theta^2 and
eps_g (loss/theta)^2; with unit-free eps it is not (eps_dx sets the first steps' size).

{_METHOD}
""",
)

CLAIMS = (UNITS_NEWTON, UNITS_GD, UNITS_ADAM, UNITS_ADADELTA)
