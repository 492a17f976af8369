"""Scale invariance: L(c w) = L(w) for c > 0 (normalization layers), and (S)GD with
weight decay on such losses: gradient/Hessian scaling, norm dynamics, the
exponential learning-rate equivalence and the norm equilibrium.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck, Source

from ._util import S, predictor

__all__ = ["CLAIMS"]

w1, w2, c, eta, lam, k, G = (S(n) for n in ("w1", "w2", "c", "eta", "lam", "k", "G"))
a, u, gu, t = S("a"), S("u"), S("gu"), S("t")
x = S("x")  # ||w||^4

ARORA_LI_LYU = Source(key="Arora et al. 2019", authors="S. Arora, Z. Li, K. Lyu",
                      title="Theoretical analysis of auto rate-tuning by batch normalization", year=2019,
                      venue="ICLR 2019", arxiv="1812.03981")
LI_ARORA = Source(key="Li & Arora 2020", authors="Z. Li, S. Arora",
                  title="An exponential learning rate schedule for deep learning", year=2020, venue="ICLR 2020",
                  arxiv="1910.07454")
LI_LYU_ARORA = Source(key="Li et al. 2020", authors="Z. Li, K. Lyu, S. Arora",
                      title="Reconciling modern deep learning with traditional optimization analyses: "
                            "the intrinsic learning rate", year=2020, venue="NeurIPS 2020", arxiv="2010.02916")
VAN_LAARHOVEN = Source(key="van Laarhoven 2017", authors="T. van Laarhoven",
                       title="L2 regularization versus batch and weight normalization", year=2017,
                       venue="arXiv preprint", arxiv="1706.05350")

# A concrete scale-invariant loss on R^2 for the symbolic steps: L(w) = p(w/||w||).
_r = sympy.sqrt(w1**2 + w2**2)
L2D = (w1 / _r) ** 3 + (w1 / _r) * (w2 / _r)
_g1, _g2 = sympy.diff(L2D, w1), sympy.diff(L2D, w2)
_H12 = sympy.diff(L2D, w1, w2)
_SCALE = {w1: c * w1, w2: c * w2}


def _at_cw(expr):
    return expr.subs(_SCALE, simultaneous=True)


# ============================================================== scale.invariance_identities
SI_ASSUME = (sympy.Gt(c, 0), sympy.Gt(w1**2 + w2**2, 0))
SI_STATEMENT = sympy.Eq(_at_cw(_g1), _g1 / c)


def _derive_invariance():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(SI_ASSUME), name="scale.invariance_identities")
    d.claim(_at_cw(L2D), "=", L2D, by="L(c w) = L(w): the model sees only w/||w||")
    # Euler: d/dc L(c w) at c = 1 is <w, grad L(w)>, and L(c w) is constant in c
    d.claim(w1 * _g1 + w2 * _g2, "=", 0, by="differentiate L(c w) = L(w) in c at c = 1")
    # chain rule on L(c w) = L(w): c grad L(c w) = grad L(w), c^2 Hess L(c w) = Hess L(w)
    # (the w2 and mixed entries follow by the symmetry of the argument; one entry of each is checked)
    d.claim(_at_cw(_g1), "=", _g1 / c, by="differentiate L(c w) = L(w) in w")
    d.claim(_at_cw(_H12), "=", _H12 / c**2, by="differentiate twice")
    return d.check()


@functools.lru_cache(maxsize=2048)
def _net_group(din, width, n, norm, act, seed_words):
    """The hidden-weight loss of a normalized MLP, a point v on it, and a random direction."""
    from theorykit.numeric.scale_invariant import normalized_mlp_group

    rng = np.random.default_rng(list(seed_words))
    res, v = normalized_mlp_group(din, width, n, norm, act, rng)
    return res, v, rng.standard_normal(v.shape[0])


def _words(ctx):
    return tuple(int(q) for q in ctx.rng.integers(0, 2**31, size=4))


def _si_setup(params, ctx):
    return _net_group(params["din"], params["width"], params["n"], params["norm"], params["act"], _words(ctx))


def _si_orth(params, ctx) -> float:
    res, v, _ = _si_setup(params, ctx)
    g = res.grad(v)
    return float(abs(v @ g) / (np.linalg.norm(v) * np.linalg.norm(g)))


def _si_grad_factor(params, ctx) -> float:
    """<grad L(c v), grad L(v)> / ||grad L(v)||^2: the factor the gradient picks up."""
    res, v, _ = _si_setup(params, ctx)
    g, gc = res.grad(v), res.grad(params["c"] * v)
    return float(gc @ g / (g @ g))


def _si_hess_factor(params, ctx) -> float:
    """<H(c v) z, H(v) z> / ||H(v) z||^2 for a random direction z (exact HVPs)."""
    res, v, z = _si_setup(params, ctx)
    h, hc = res.hvp(v, z), res.hvp(params["c"] * v, z)
    return float(hc @ h / (h @ h))


def _si_params():
    return st.fixed_dictionaries({
        "din": st.integers(2, 4), "width": st.integers(3, 5), "n": st.integers(3, 8),
        "norm": st.sampled_from(["layer", "weight"]), "act": st.sampled_from(["tanh", "gelu"]),
        "c": st.sampled_from([0.125, 0.3, 0.5, 2.0, 3.7, 8.0]),
    })


_SI_EX = {"din": 3, "width": 4, "n": 6, "norm": "layer", "act": "tanh", "c": 3.7}

SCALE_INVARIANCE = Claim(
    id="scale.invariance_identities",
    title="Scale-invariant L: <w, grad L> = 0, grad L(cw) = grad L(w)/c, Hess L(cw) = Hess L(w)/c^2",
    statement=SI_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(ARORA_LI_LYU, VAN_LAARHOVEN),
    derive=_derive_invariance,
    assumptions=SI_ASSUME,
    strategy=_si_params,
    checks=(
        NumericCheck(name="orthogonality", description="|<v, grad L(v)>| / (||v|| ||grad L(v)||) on a normalized MLP layer",
                     measure=_si_orth, predict=lambda p: 0.0, compare="tight", atol=1e-12, examples=(_SI_EX,)),
        NumericCheck(name="gradient_factor", description="<grad L(cv), grad L(v)> / ||grad L(v)||^2 (backprop)",
                     measure=_si_grad_factor, predict=predictor(1 / c, c="c"), compare="tight", rtol=1e-10,
                     examples=(_SI_EX,)),
        NumericCheck(name="hessian_factor", description="<H(cv)z, H(v)z> / ||H(v)z||^2 (exact R-operator HVPs)",
                     measure=_si_hess_factor, predict=predictor(1 / c**2, c="c"), compare="tight", rtol=1e-9,
                     examples=(_SI_EX,)),
    ),
    mutants=(
        Mutant(name="gradient_unscaled", description="grad L(c w) = grad L(w)", check="gradient_factor",
               predict=lambda p: 1.0, statement=sympy.Eq(_at_cw(_g1), _g1)),
        Mutant(name="hessian_over_c", description="Hess L(c w) = Hess L(w)/c", check="hessian_factor",
               predict=predictor(1 / c, c="c"), statement=sympy.Eq(_at_cw(_H12), _H12 / c)),
    ),
    doc="""\
Setting: L: R^d \\ {0} -> R with L(c w) = L(w) for all c > 0 (a parameter group followed by a
normalization layer: layer norm or weight norm, no epsilon).

Claim (*tight*, identities) [1, Lemma 2.4], [2]: <w, grad L(w)> = 0; grad L(c w) = grad L(w)/c;
Hess L(c w) = Hess L(w)/c^2.

Derivation: on L(w) = p(w/||w||), p(u) = u1^3 + u1 u2 in R^2: L(c w) = L(w), Euler's identity, and
the scaled first and second derivatives, each checked by the step checker (c > 0).

Checks: a one-hidden-layer MLP (tanh/GELU, layer or weight norm) restricted to its hidden weight
matrix (theorykit.numeric.scale_invariant.GroupRestriction): the cosine between v and grad L(v)
(1e-12), the factor <grad L(cv), grad L(v)>/||grad L(v)||^2 vs 1/c (1e-10), the factor of exact
HVPs vs 1/c^2 (1e-9). Mutants: unscaled gradient; Hessian scaling 1/c.

References:
  [1] S. Arora, Z. Li, K. Lyu (2019). Theoretical analysis of auto rate-tuning by batch normalization.
      ICLR. arXiv:1812.03981
  [2] T. van Laarhoven (2017). L2 regularization versus batch and weight normalization. arXiv:1706.05350
""",
)

# ============================================================== scale.norm_dynamics
# One step w+ = (1 - eta lam) w - eta g with g = k (-w2, w1) orthogonal to w (2-D).
_wp1, _wp2 = (1 - eta * lam) * w1 + eta * k * w2, (1 - eta * lam) * w2 - eta * k * w1
_gsq = k**2 * (w1**2 + w2**2)
ND_ASSUME = (sympy.Gt(eta, 0), sympy.Ge(lam, 0), sympy.Lt(eta * lam, 1))
ND_STATEMENT = sympy.Eq(_wp1**2 + _wp2**2, (1 - eta * lam) ** 2 * (w1**2 + w2**2) + eta**2 * _gsq)


def _derive_norm_dynamics():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(ND_ASSUME), name="scale.norm_dynamics")
    d.start(_wp1**2 + _wp2**2).eq((1 - eta * lam) ** 2 * (w1**2 + w2**2) + eta**2 * _gsq,
                                  by="expand; the cross term 2 eta (1 - eta lam) <w, g> vanishes")
    # without weight decay the squared norm grows by eta^2 ||g||^2 >= 0
    d.start((w1 + eta * k * w2) ** 2 + (w2 - eta * k * w1) ** 2).eq(w1**2 + w2**2 + eta**2 * _gsq).ge(
        w1**2 + w2**2, by="eta^2 ||g||^2 >= 0")
    return d.check()


def _nl_problem(d, n, rng):
    from theorykit.numeric.scale_invariant import random_normalized_linear

    return random_normalized_linear(d, n, rng)


@functools.lru_cache(maxsize=2048)
def _nd_run(d, n, batch, lr, wd, steps, seed_words):
    """SGD with weight decay on a normalized linear model, 4 chains, minibatches of ``batch``."""
    from theorykit.numeric.scale_invariant import gd_weight_decay

    rng = np.random.default_rng(list(seed_words))
    prob = _nl_problem(d, n, rng)
    batches = [rng.choice(n, size=batch, replace=False) for _ in range(steps)]
    run = gd_weight_decay(prob, rng.standard_normal((4, d)), lr, wd, steps, batches=batches)
    return np.asarray(run.sq_norm), np.asarray(run.sq_grad)


def _nd(params, ctx, wd=None):
    return _nd_run(params["d"], params["n"], params["batch"], params["eta"],
                   params["lam"] if wd is None else wd, 30, _words(ctx))


def _nd_coeff(params, ctx, pick):
    """(||w_{t+1}||^2 - eta^2 ||g_t||^2) / ||w_t||^2 over every step and chain: max or min."""
    sq, gs = _nd(params, ctx)
    coeff = (sq[1:] - params["eta"] ** 2 * gs) / sq[:-1]
    return float(pick(coeff))


def _nd_growth(params, ctx) -> float:
    """Without weight decay: the smallest relative step increase of ||w||^2 over the run."""
    sq, _ = _nd(params, ctx, wd=0.0)
    return float(np.min((sq[1:] - sq[:-1]) / sq[:-1]))


def _nd_params():
    @st.composite
    def make(draw):
        n = draw(st.integers(3, 12))
        return {"d": draw(st.integers(2, 8)), "n": n, "batch": draw(st.integers(1, n)),
                "eta": draw(st.sampled_from([0.05, 0.2, 1.0])), "lam": draw(st.sampled_from([0.01, 0.05, 0.2]))}

    return make()


_ND_EX = {"d": 5, "n": 10, "batch": 3, "eta": 1.0, "lam": 0.05}
_nd_pred = predictor((1 - eta * lam) ** 2, eta="eta", lam="lam")

SCALE_NORM_DYNAMICS = Claim(
    id="scale.norm_dynamics",
    title="(S)GD + weight decay on scale-invariant L: ||w+||^2 = (1 - eta lam)^2 ||w||^2 + eta^2 ||g||^2",
    statement=ND_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(VAN_LAARHOVEN, ARORA_LI_LYU, LI_ARORA),
    derive=_derive_norm_dynamics,
    assumptions=ND_ASSUME,
    strategy=_nd_params,
    checks=(
        NumericCheck(name="decay_coefficient_max", description="max over SGD steps of (||w+||^2 - eta^2||g||^2)/||w||^2",
                     measure=lambda p, ctx: _nd_coeff(p, ctx, np.max), predict=_nd_pred, compare="tight",
                     rtol=1e-12, examples=(_ND_EX,)),
        NumericCheck(name="decay_coefficient_min", description="min over SGD steps of the same coefficient",
                     measure=lambda p, ctx: _nd_coeff(p, ctx, np.min), predict=_nd_pred, compare="tight",
                     rtol=1e-12, examples=(_ND_EX,)),
        NumericCheck(name="growth_without_wd", description="min over SGD steps (lam = 0) of the relative increase of ||w||^2",
                     measure=_nd_growth, predict=lambda p: 0.0, compare="lower", atol=1e-15, examples=(_ND_EX,)),
    ),
    mutants=(
        Mutant(name="first_order_decay", description="||w+||^2 = (1 - 2 eta lam)||w||^2 + eta^2||g||^2",
               check="decay_coefficient_max", predict=predictor(1 - 2 * eta * lam, eta="eta", lam="lam")),
        Mutant(name="decay_not_squared", description="||w+||^2 = (1 - eta lam)||w||^2 + eta^2||g||^2",
               check="decay_coefficient_min", predict=predictor(1 - eta * lam, eta="eta", lam="lam")),
        Mutant(name="norm_constant_without_wd", description="without weight decay ||w|| stays constant",
               check="growth_without_wd", compare="tight"),
    ),
    doc="""\
Setting: L scale invariant (so <w, g> = 0 for every minibatch gradient g of a scale-invariant
minibatch loss); SGD with weight decay w_{t+1} = (1 - eta lam) w_t - eta g_t.

Claim (*tight*, an identity) [1], [2]: ||w_{t+1}||^2 = (1 - eta lam)^2 ||w_t||^2 + eta^2 ||g_t||^2;
with lam = 0 the norm never decreases (it grows by eta^2 ||g_t||^2 each step).

Derivation: expand the square in R^2 with g = k(-w2, w1) orthogonal to w.

Checks: 30 SGD steps (4 chains, random minibatches) on the normalized linear model
L(w) = 1/(2n) sum (y_i - x_i^T w/||w||)^2: the coefficient (||w+||^2 - eta^2 ||g||^2)/||w||^2, at
every step, equals (1 - eta lam)^2 (rtol 1e-12: round-off; eta <= 1 keeps ||w+||^2 and eta^2 ||g||^2
within ~300x of the coefficient, while at eta = 3 single steps grow ||w||^2 by 1e7 and the
difference loses that many digits, which is cancellation, not the identity failing); with lam = 0 each step's relative
increase is >= 0. Mutants: first-order factor 1 - 2 eta lam; factor 1 - eta lam; constant norm.

References:
  [1] T. van Laarhoven (2017). L2 regularization versus batch and weight normalization. arXiv:1706.05350
  [2] S. Arora, Z. Li, K. Lyu (2019). Theoretical analysis of auto rate-tuning by batch normalization.
      ICLR. arXiv:1812.03981
  [3] Z. Li, S. Arora (2020). An exponential learning rate schedule for deep learning. ICLR. arXiv:1910.07454
""",
)

# ============================================================== scale.exp_lr_equivalence
EL_ASSUME = (sympy.Gt(a, 0), sympy.Lt(a, 1), sympy.Gt(eta, 0))
# w_t = a^t u_t, a = 1 - eta lam; grad L(a^t u) = grad L(u) / a^t (scale invariance)
EL_STATEMENT = sympy.Eq((a * (a**t * u) - eta * gu / a**t) / a ** (t + 1), u - eta * a ** (-2 * t - 1) * gu)


def _derive_exp_lr():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(EL_ASSUME), name="scale.exp_lr_equivalence")
    d.start((a * (a**t * u) - eta * gu / a**t) / a ** (t + 1)).eq(
        u - eta * gu / (a**t * a ** (t + 1)), by="w_{t+1}/a^{t+1} with w_t = a^t u_t and grad L(a^t u) = grad L(u)/a^t").eq(
        u - eta * a ** (-2 * t - 1) * gu, by="collect the powers of a")
    return d.check()


_EXPONENTS = {"2t+1": lambda s: 2 * s + 1, "t": lambda s: s, "2t": lambda s: 2 * s}


@functools.lru_cache(maxsize=2048)
def _el_run(d, n, lr, wd, steps, exponent, seed_words):
    from theorykit.numeric.scale_invariant import gd_schedule, gd_weight_decay

    rng = np.random.default_rng(list(seed_words))
    prob = _nl_problem(d, n, rng)
    W0 = rng.standard_normal((2, d))
    alpha = 1.0 - lr * wd
    W = np.asarray(gd_weight_decay(prob, W0, lr, wd, steps).W) / alpha**steps  # rescaled GD + WD
    lrs = [lr * alpha ** (-_EXPONENTS[exponent](s)) for s in range(steps)]
    U = np.asarray(gd_schedule(prob, W0, lrs))  # GD without WD, exponential schedule
    return float(np.max(np.linalg.norm(W - U, axis=1) / np.linalg.norm(U, axis=1)))


def _el_measure(params, ctx) -> float:
    return _el_run(params["d"], params["n"], params["eta"], params["lam"], params["T"], params["exponent"], _words(ctx))


def _el_params(exponent="2t+1"):
    return st.fixed_dictionaries({
        "d": st.integers(2, 6), "n": st.integers(3, 10), "eta": st.sampled_from([0.02, 0.05, 0.1]),
        "lam": st.sampled_from([0.005, 0.02]), "T": st.sampled_from([20, 60, 150]), "exponent": st.just(exponent)})


SCALE_EXP_LR = Claim(
    id="scale.exp_lr_equivalence",
    title="GD + WD (eta, lam) on scale-invariant L = GD with lr eta (1 - eta lam)^(-2t-1), after rescaling",
    statement=EL_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LI_ARORA,),
    derive=_derive_exp_lr,
    assumptions=EL_ASSUME,
    strategy=_el_params,
    checks=(
        NumericCheck(name="trajectories_coincide",
                     description="max_chains ||w_T/(1-eta lam)^T - u_T|| / ||u_T||: GD+WD vs GD with the exponential schedule",
                     measure=_el_measure, predict=lambda p: 0.0, compare="tight", atol=1e-12,
                     examples=({"d": 4, "n": 8, "eta": 0.1, "lam": 0.02, "T": 150, "exponent": "2t+1"},)),
    ),
    mutants=(
        Mutant(name="exponent_t", description="the equivalent schedule is eta (1 - eta lam)^(-t)",
               check="trajectories_coincide", strategy=lambda: _el_params("t"),
               statement=sympy.Eq(EL_STATEMENT.lhs, u - eta * a ** (-t) * gu)),
        Mutant(name="exponent_2t", description="the equivalent schedule is eta (1 - eta lam)^(-2t)",
               check="trajectories_coincide", strategy=lambda: _el_params("2t")),
    ),
    doc="""\
Setting: L scale invariant; GD with weight decay w_{t+1} = (1 - eta lam) w_t - eta grad L(w_t),
alpha = 1 - eta lam in (0, 1).

Claim (*tight*, an identity) [1, Thm 2.1]: u_t = w_t / alpha^t follows plain GD
u_{t+1} = u_t - eta alpha^(-2t-1) grad L(u_t): weight decay is an exponentially growing learning rate.

Derivation: substitute w_t = alpha^t u_t and grad L(alpha^t u) = grad L(u)/alpha^t, collect powers.

Checks: full-batch GD on the normalized linear model for T in {20, 60, 150} steps from the same
start (eta <= 0.1, lam <= 0.02, so eta lam T <= 0.3): GD+WD rescaled by alpha^-T vs GD with the
schedule, relative distance <= 1e-12 (measured ~2e-15: round-off). Measured limit of the check:
at eta = 0.2, lam = 0.05, T = 150 the effective step eta/||w||^2 grows past GD's stability
threshold and the two float runs separate (chaotic amplification of round-off, 1e-1); such
parameters test floating point, not the identity, so they are not drawn. Mutants: schedules alpha^(-t), alpha^(-2t) (their trajectories measurably separate).

References:
  [1] Z. Li, S. Arora (2020). An exponential learning rate schedule for deep learning. ICLR. arXiv:1910.07454
""",
)

# ============================================================== scale.equilibrium
EQ_ASSUME = (sympy.Gt(eta, 0), sympy.Gt(lam, 0), sympy.Lt(eta * lam, 1), sympy.Gt(G, 0))
_alpha = 1 - eta * lam
XSTAR = eta * G / (lam * (2 - eta * lam))  # fixed point of ||w||^4 under y -> alpha^2 y + eta^2 G / y
EQ_STATEMENT = sympy.Le(eta * G / (2 * lam), XSTAR)


def _derive_equilibrium():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(EQ_ASSUME), name="scale.equilibrium")
    # (1) y = ||w||^2 with ||g||^2 = G/y: y = alpha^2 y + eta^2 G/y  <=>  (1 - alpha^2) y^2 = eta^2 G
    d.start((1 - _alpha**2) * XSTAR).eq(eta**2 * G, by="1 - alpha^2 = eta lam (2 - eta lam)")
    # (2) to first order in eta lam the equilibrium is eta G/(2 lam) (from below)
    d.start(eta * G / (2 * lam)).le(XSTAR, by="2 - eta lam <= 2")
    # (3) effective lr eta/||w||^2 and angular step: tan^2 = eta^2 G/(alpha^2 y^2) = (1 - alpha^2)/alpha^2
    d.start(eta**2 * G / (_alpha**2 * XSTAR)).eq(eta * lam * (2 - eta * lam) / _alpha**2).ge(
        2 * eta * lam - eta**2 * lam**2, by="alpha^2 <= 1")
    # (4) relaxation: the map's slope at the fixed point is alpha^2 - eta^2 G/y*^2 = 2 alpha^2 - 1 ~ 1 - 4 eta lam
    d.start(_alpha**2 - eta**2 * G / XSTAR).eq(2 * _alpha**2 - 1).eq(1 - 4 * eta * lam + 2 * eta**2 * lam**2)
    return d.check()


@functools.lru_cache(maxsize=32)
def _eq_run(d, lr, wd, seed, lr_after=None):
    """Chain means per step of sphere SGD, 32 chains from ||w_0|| = 10, 8 time constants 1/(eta lam) per phase."""
    from theorykit.numeric.scale_invariant import equilibrium_trace

    return equilibrium_trace(d, lr, wd, rng=seed, lr_after=lr_after)


def _eq(params, ctx):
    return _eq_run(params["d"], params["eta"], params["lam"], ctx.seed)


def _second_half(v):
    return float(np.mean(v[len(v) // 2:]))


def _relaxation(params, ctx) -> float:
    """Fitted per-step decay rate of E||w||^4 - x_inf (gap in (0.05, 20) x_inf), over eta lam."""
    from theorykit.numeric.scale_invariant import decay_rate

    return decay_rate(_eq(params, ctx).norm4) / (params["eta"] * params["lam"])


def _eq_params():
    import os

    if os.environ.get("HYPOTHESIS_PROFILE") == "thorough":  # ~1 s per run: fresh configurations
        # eta <= 1, d <= 16, eta lam >= 1e-3 keep eta G/(2 lam) < ||w_0||^4 = 1e4, so the norm relaxes from above
        return st.builds(lambda d, eta, el: {"d": d, "eta": eta, "lam": round(el / eta, 8)}, st.integers(3, 16),
                         st.sampled_from([0.05, 0.1, 0.5, 1.0]), st.sampled_from([1e-3, 2e-3, 4e-3]))
    return st.sampled_from([{"d": 8, "eta": 0.1, "lam": 0.02}, {"d": 4, "eta": 0.05, "lam": 0.05},
                            {"d": 16, "eta": 0.5, "lam": 0.004}])


_G = lambda p: float(p["d"] - 1)
_EQ_EX = {"d": 8, "eta": 0.1, "lam": 0.02}

SCALE_EQUILIBRIUM = Claim(
    id="scale.equilibrium",
    title="SGD + WD on scale-invariant L: ||w||^4 -> eta G/(2 lam), angular step sqrt(2 eta lam), in O(1/(eta lam))",
    statement=EQ_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(LI_LYU_ARORA, VAN_LAARHOVEN, ARORA_LI_LYU),
    derive=_derive_equilibrium,
    assumptions=EQ_ASSUME,
    strategy=_eq_params,
    checks=(
        NumericCheck(name="equilibrium_norm4", description="mean ||w||^4 over 32 chains, second half of 8/(eta lam) steps",
                     measure=lambda p, ctx: _second_half(_eq(p, ctx).norm4),
                     predict=predictor(eta * G / (2 * lam), G=_G), compare="tight", rtol=0.02, examples=(_EQ_EX,)),
        NumericCheck(name="angular_update", description="RMS angle between consecutive iterates at equilibrium",
                     measure=lambda p, ctx: math.sqrt(_second_half(_eq(p, ctx).angle2)),
                     predict=predictor(sympy.sqrt(2 * eta * lam)), compare="tight", rtol=0.02, examples=(_EQ_EX,)),
        NumericCheck(name="effective_lr", description="mean eta/||w||^2 at equilibrium",
                     measure=lambda p, ctx: _second_half(_eq(p, ctx).eff_lr),
                     predict=predictor(sympy.sqrt(2 * eta * lam / G), G=_G), compare="tight", rtol=0.02,
                     examples=(_EQ_EX,)),
        NumericCheck(name="relaxation_rate", description="fitted per-step decay rate of E||w||^4 - x_inf, over eta lam",
                     measure=_relaxation, predict=predictor(-sympy.log(2 * (1 - eta * lam) ** 2 - 1) / (eta * lam)),
                     compare="tight", rtol=0.05, examples=(_EQ_EX,)),
    ),
    mutants=(
        Mutant(name="norm4_eta_G_over_lam", description="||w||^4 -> eta G / lam", check="equilibrium_norm4",
               predict=predictor(eta * G / lam, G=_G)),
        Mutant(name="norm2_not_norm4", description="||w||^2 -> eta G/(2 lam)", check="equilibrium_norm4",
               predict=predictor((eta * G / (2 * lam)) ** 2, G=_G)),
        Mutant(name="angle_sqrt_eta_lam", description="RMS angular update sqrt(eta lam)", check="angular_update",
               predict=predictor(sympy.sqrt(eta * lam))),
        Mutant(name="relaxation_2_eta_lam", description="the norm relaxes at rate 2 eta lam (weight decay alone)",
               check="relaxation_rate", predict=lambda p: 2.0),
    ),
    doc="""\
Setting: L_t scale invariant; SGD with weight decay w_{t+1} = (1 - eta lam) w_t - eta g_t; G = E||g_t||^2
at unit norm (so E||g_t||^2 = G/||w_t||^2). Tested on the stochastic loss L_t(w) = <xi_t, w/||w||>,
xi_t ~ N(0, I_d), whose gradients have G = d - 1 exactly at every w (a pure-noise model of the
late phase of training).

Claim (*tight* to first order in eta lam) [1], [2]: ||w||^4 -> eta G/(lam (2 - eta lam)) ~ eta G/(2 lam);
the effective lr eta/||w||^2 -> sqrt(2 eta lam/G); the angular update per step -> sqrt(2 eta lam); the
norm relaxes with per-step factor 2(1 - eta lam)^2 - 1 ~ 1 - 4 eta lam, i.e. in O(1/(eta lam)) steps.

Derivation: the fixed point of y -> (1 - eta lam)^2 y + eta^2 G/y (the norm identity of
scale.norm_dynamics with ||g||^2 = G/y); first-order comparison; angle and slope at the fixed point.

Checks (32 chains from ||w_0|| = 10, 8/(eta lam) steps, eta lam in [2e-3, 2.5e-3]): mean ||w||^4,
RMS angle and eta/||w||^2 over the second half within 2% (first-order error eta lam/2 ~ 0.1%,
sampling error ~0.5%); the fitted decay rate of E||w||^4 within 5% of -log(2 alpha^2 - 1)/(eta lam) ~ 4.
Mutants: eta G/lam; ||w||^2 (not ^4) = eta G/(2 lam); angle sqrt(eta lam); relaxation at 2 eta lam.

References:
  [1] Z. Li, K. Lyu, S. Arora (2020). Reconciling modern deep learning with traditional optimization
      analyses: the intrinsic learning rate. NeurIPS. arXiv:2010.02916
  [2] T. van Laarhoven (2017). L2 regularization versus batch and weight normalization. arXiv:1706.05350
  [3] S. Arora, Z. Li, K. Lyu (2019). Theoretical analysis of auto rate-tuning by batch normalization.
      ICLR. arXiv:1812.03981
""",
)

# ============================================================== scale.lr_decay_sqrt10
LD_LHS = (eta / sympy.sqrt(eta * G / (2 * lam))) / ((eta / 10) / sympy.sqrt(eta / 10 * G / (2 * lam)))
# the statement is the equilibrium effective lr (its ratio at eta and eta/10 SymPy folds to sqrt(10))
LD_STATEMENT = sympy.Eq(eta / sympy.sqrt(eta * G / (2 * lam)), sympy.sqrt(2 * eta * lam / G))


def _derive_lr_decay():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(EQ_ASSUME), name="scale.lr_decay_sqrt10")
    d.start(LD_LHS).eq(sympy.sqrt(2 * eta * lam / G) / sympy.sqrt(2 * eta * lam / (10 * G)),
                                  by="eta/||w||^2 = sqrt(2 eta lam/G) at equilibrium").eq(sympy.sqrt(10))
    return d.check()


def _lr_ratio(params, ctx) -> float:
    tr = _eq_run(params["d"], params["eta"], params["lam"], ctx.seed, lr_after=params["eta"] / 10)
    eff, first = tr.eff_lr, tr.switch
    return float(np.mean(eff[first // 2:first]) / np.mean(eff[first + (eff.size - first) // 2:]))


SCALE_LR_DECAY = Claim(
    id="scale.lr_decay_sqrt10",
    title="At equilibrium, dividing eta by 10 lowers the effective lr eta/||w||^2 by only sqrt(10)",
    statement=LD_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LI_LYU_ARORA,),
    derive=_derive_lr_decay,
    assumptions=EQ_ASSUME,
    strategy=lambda: st.sampled_from([{"d": 8, "eta": 0.5, "lam": 0.02}, {"d": 4, "eta": 0.2, "lam": 0.05}]),
    checks=(
        NumericCheck(name="effective_lr_ratio",
                     description="mean eta/||w||^2 at equilibrium before / after eta -> eta/10 (each 8/(eta lam) steps)",
                     measure=_lr_ratio, predict=lambda p: math.sqrt(10), compare="tight", rtol=0.03,
                     examples=({"d": 8, "eta": 0.5, "lam": 0.02},)),
    ),
    mutants=(
        Mutant(name="ratio_10", description="the effective lr drops tenfold with eta", check="effective_lr_ratio",
               predict=lambda p: 10.0),
        Mutant(name="ratio_1", description="the effective lr is unchanged (the norm adapts fully)",
               check="effective_lr_ratio", predict=lambda p: 1.0),
    ),
    doc="""\
Setting: as scale.equilibrium (SGD + weight decay on a scale-invariant loss, sphere-noise model).

Claim (*tight* to first order in eta lam) [1]: the equilibrium effective lr is sqrt(2 eta lam/G), so
after eta -> eta/10 the norm re-equilibrates (in O(1/(eta lam/10)) steps) and the effective lr drops
by sqrt(10) only, not 10.

Derivation: the ratio of sqrt(2 eta lam/G) at eta and eta/10.

Checks: eta lam = 0.01, 8/(eta lam) steps, then eta/10 for 8/(eta lam/10) steps, 32 chains; the ratio
of the mean effective lr over the second half of each phase within 3% of sqrt(10) (first-order error
~0.3%, sampling ~1%). Mutants: ratio 10; ratio 1.

References:
  [1] Z. Li, K. Lyu, S. Arora (2020). Reconciling modern deep learning with traditional optimization
      analyses: the intrinsic learning rate. NeurIPS. arXiv:2010.02916
""",
)

# ============================================================== scale.intrinsic_lr
# the rescaling (eta, lam) -> (c^2 eta, lam / c^2) with w -> c w
IL_ASSUME = (sympy.Gt(c, 0), sympy.Gt(eta, 0), sympy.Gt(lam, 0))
IL_STATEMENT = sympy.Eq((1 - (c**2 * eta) * (lam / c**2)) * (c * w1) - c**2 * eta * (_g1 / c),
                        c * ((1 - eta * lam) * w1 - eta * _g1))


def _derive_intrinsic():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(IL_ASSUME), name="scale.intrinsic_lr")
    # one step of (c^2 eta, lam/c^2) from c w, using grad L(c w) = grad L(w)/c (scale.invariance_identities),
    # is c times one step of (eta, lam) from w: the runs coincide up to the scale c, so every
    # quantity of w/||w|| (the function) depends on (eta, lam) only through eta lam
    d.start(IL_STATEMENT.lhs).eq(IL_STATEMENT.rhs, by="(c^2 eta)(lam/c^2) = eta lam")
    d.claim((c**2 * eta) * (lam / c**2), "=", eta * lam)
    return d.check()


@functools.lru_cache(maxsize=32)
def _il_chain_means(lr, wd, seed):
    """Per-chain equilibrium held-out losses; one noise seed per (run seed, eta, lam), so a run shared
    by two pairs is computed once and the two runs of a pair always have independent noise."""
    from theorykit.numeric.scale_invariant import heldout_equilibrium_losses

    return heldout_equilibrium_losses(lr, wd, int(np.random.default_rng([seed, int(lr * 1e6), int(wd * 1e6)])
                                                  .integers(0, 2**31)))


def _il_t(params, ctx) -> float:
    """|Welch t| between the per-chain equilibrium held-out losses of runs A and B."""
    from theorykit.numeric.scale_invariant import welch_t

    return abs(welch_t(_il_chain_means(params["eta_a"], params["lam_a"], ctx.seed),
                       _il_chain_means(params["eta_b"], params["lam_b"], ctx.seed)))


def _il_pairs(kind="same_product"):
    pairs = {
        "same_product": [(0.1, 0.01, 0.4, 0.0025), (0.1, 0.01, 0.025, 0.04)],
        "same_eta": [(0.1, 0.01, 0.1, 0.04)],
        "same_lam": [(0.1, 0.01, 0.4, 0.01)],
    }[kind]
    return st.sampled_from([{"eta_a": a, "lam_a": b, "eta_b": c_, "lam_b": d} for a, b, c_, d in pairs])


SCALE_INTRINSIC_LR = Claim(
    id="scale.intrinsic_lr",
    title="SGD + WD on scale-invariant L: runs with equal eta*lam reach the same equilibrium in function space",
    statement=IL_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LI_LYU_ARORA,),
    derive=_derive_intrinsic,
    assumptions=IL_ASSUME,
    strategy=_il_pairs,
    checks=(
        NumericCheck(name="welch_t_same_product",
                     description="|Welch t| of held-out loss (time-averaged per chain, 32 chains each) between two runs",
                     measure=_il_t, predict=lambda p: 4.0, compare="upper",
                     examples=({"eta_a": 0.1, "lam_a": 0.01, "eta_b": 0.4, "lam_b": 0.0025},)),
    ),
    mutants=(
        Mutant(name="eta_alone_sets_equilibrium", description="runs with equal eta (any lam) reach the same equilibrium",
               check="welch_t_same_product", strategy=lambda: _il_pairs("same_eta")),
        Mutant(name="lam_alone_sets_equilibrium", description="runs with equal lam (any eta) reach the same equilibrium",
               check="welch_t_same_product", strategy=lambda: _il_pairs("same_lam")),
    ),
    doc="""\
Setting: SGD with weight decay on a scale-invariant loss; here the normalized linear model
L(w) = 1/(2n) sum (y_i - x_i^T w/||w||)^2 (d = 6, n = 24, minibatch 4 per chain), one fixed task.

Claim (*tight*, an identity in distribution) [1]: one step with (c^2 eta, lam/c^2) from c w equals c times
one step with (eta, lam) from w, so the function w/||w|| evolves the same way for every pair with the
same intrinsic lr eta lam; the equilibrium (reached in O(1/(eta lam)) steps, which forgets the scale of
w_0) depends on eta lam only.

Derivation: the step identity, using grad L(c w) = grad L(w)/c.

Checks: two runs (32 chains each, independent noise, 6/(eta lam) steps, averages over the second half)
with equal eta lam = 1e-3; the statistic is |Welch t| of the per-chain mean held-out loss; the claim
is |t| <= 4 (a false alarm has probability ~1e-4 under the claim). Mutants: equal eta with lam 4x apart,
and equal lam with eta 4x apart, measured |t| >> 4.

References:
  [1] Z. Li, K. Lyu, S. Arora (2020). Reconciling modern deep learning with traditional optimization
      analyses: the intrinsic learning rate. NeurIPS. arXiv:2010.02916
""",
)

CLAIMS = (SCALE_INVARIANCE, SCALE_NORM_DYNAMICS, SCALE_EXP_LR, SCALE_EQUILIBRIUM, SCALE_LR_DECAY, SCALE_INTRINSIC_LR)
