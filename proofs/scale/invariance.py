"""Scale invariance: L(c w) = L(w) for c > 0 (normalization layers), and (S)GD with
weight decay on such losses: gradient/Hessian scaling, norm dynamics, the
exponential learning-rate equivalence. The equilibrium claims (norm equilibrium,
learning-rate decay, intrinsic learning rate) are in ``equilibrium.py``;
both modules are the ``scale`` family.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from .._util import S, seed_words

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
SI_HESSIAN = sympy.Eq(_at_cw(_H12), _H12 / c**2)
# what the checks measure: the factors grad L(c w) and Hess L(c w) pick up, from the identities
cos_wg, grad_factor, hess_factor = S("cos_wg"), S("grad_factor"), S("hess_factor")
SI_GRAD_FACTOR = sympy.Eq(grad_factor, sympy.simplify(SI_STATEMENT.rhs / _g1))
SI_HESS_FACTOR = sympy.Eq(hess_factor, sympy.simplify(SI_HESSIAN.rhs / _H12))


def _derive_invariance():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(SI_ASSUME), name="scale.invariance_identities")
    d.claim(_at_cw(L2D), "=", L2D, by="L(c w) = L(w): the model sees only w/||w||")
    # Euler: d/dc L(c w) at c = 1 is <w, grad L(w)>, and L(c w) is constant in c
    d.claim(w1 * _g1 + w2 * _g2, "=", 0, by="differentiate L(c w) = L(w) in c at c = 1")
    # chain rule on L(c w) = L(w): c grad L(c w) = grad L(w), c^2 Hess L(c w) = Hess L(w)
    # (the w2 and mixed entries follow by the symmetry of the argument; one entry of each is checked)
    d.claim(_at_cw(_g1), "=", _g1 / c, by="differentiate L(c w) = L(w) in w")
    d.claim(SI_HESSIAN.lhs, "=", SI_HESSIAN.rhs, by="differentiate twice")
    return d.check()


@functools.lru_cache(maxsize=2048)
def _net_group(din, width, n, norm, act, seed_words):
    """The hidden-weight loss of a normalized MLP, a point v on it, and a random direction."""
    from theorykit.numeric.scale_invariant import normalized_mlp_group

    rng = np.random.default_rng(list(seed_words))
    res, v = normalized_mlp_group(din, width, n, norm, act, rng)
    return res, v, rng.standard_normal(v.shape[0])




def _si_setup(params, ctx):
    return _net_group(params["din"], params["width"], params["n"], params["norm"], params["act"], seed_words(ctx))


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
                     measure=_si_orth, relation=sympy.Eq(cos_wg, 0), atol=1e-12, examples=(_SI_EX,)),
        NumericCheck(name="gradient_factor", description="<grad L(cv), grad L(v)> / ||grad L(v)||^2 (backprop)",
                     measure=_si_grad_factor, relation=SI_GRAD_FACTOR, rtol=1e-10, examples=(_SI_EX,)),
        NumericCheck(name="hessian_factor", description="<H(cv)z, H(v)z> / ||H(v)z||^2 (exact R-operator HVPs)",
                     measure=_si_hess_factor, relation=SI_HESS_FACTOR, rtol=1e-9, examples=(_SI_EX,)),
    ),
    # grad L(c w) = grad L(w) (unscaled); Hess L(c w) = Hess L(w)/c
    mutants=(sympy.Eq(grad_factor, 1), sympy.Eq(hess_factor, 1 / c)),
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
                   params["lam"] if wd is None else wd, 30, seed_words(ctx))


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
# measured: the coefficient of ||w||^2 once eta^2 ||g||^2 is taken off, read off the statement;
# and the relative growth of ||w||^2 without weight decay (eta^2 ||g||^2 / ||w||^2 >= 0)
coef, growth = S("coef"), S("growth")
ND_COEF = sympy.Eq(coef, sympy.factor(sympy.simplify((ND_STATEMENT.rhs - eta**2 * _gsq) / (w1**2 + w2**2))))
ND_GROWTH = sympy.Ge(growth, 0)

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
                     measure=lambda p, ctx: _nd_coeff(p, ctx, np.max), relation=ND_COEF, rtol=1e-12,
                     examples=(_ND_EX,)),
        NumericCheck(name="decay_coefficient_min", description="min over SGD steps of the same coefficient",
                     measure=lambda p, ctx: _nd_coeff(p, ctx, np.min), relation=ND_COEF, rtol=1e-12,
                     examples=(_ND_EX,)),
        NumericCheck(name="growth_without_wd", description="min over SGD steps (lam = 0) of the relative increase of ||w||^2",
                     measure=_nd_growth, relation=ND_GROWTH, atol=1e-15, examples=(_ND_EX,)),
    ),
    # first-order decay 1 - 2 eta lam; the factor not squared; the norm constant without weight decay
    mutants=(sympy.Eq(coef, 1 - 2 * eta * lam), sympy.Eq(coef, 1 - eta * lam), sympy.Eq(growth, 0)),
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


# measured: the step multiplier GD+WD applies to u_t = w_t/alpha^t, and the distance between
# the rescaled GD+WD run and plain GD on the schedule eta alpha^(-2t-1) read off the statement
mult, traj = S("mult"), S("traj")
EL_MULT = sympy.Eq(mult, -sympy.simplify((EL_STATEMENT.rhs - u) / (eta * gu)))


def _el_schedule_exponent(step: int) -> float:
    """-(exponent of alpha) in the statement's step at t = step: 2 step + 1."""
    return -float(sympy.Poly(EL_MULT.rhs.as_base_exp()[1], t).eval(step))


@functools.lru_cache(maxsize=2048)
def _el_runs(d, n, lr, wd, steps, seed_words):
    """(largest relative gap between the rescaled GD+WD run and GD on the schedule,
    the GD+WD step multiplier on u at the last step)."""
    from theorykit.numeric.scale_invariant import gd_schedule, gd_weight_decay

    rng = np.random.default_rng(list(seed_words))
    prob = _nl_problem(d, n, rng)
    W0 = rng.standard_normal((2, d))
    alpha = 1.0 - lr * wd
    W = np.asarray(gd_weight_decay(prob, W0, lr, wd, steps).W) / alpha**steps  # rescaled GD + WD
    lrs = [lr * alpha ** (-_el_schedule_exponent(s)) for s in range(steps)]
    U = np.asarray(gd_schedule(prob, W0, lrs))  # GD without WD, exponential schedule
    gap = float(np.max(np.linalg.norm(W - U, axis=1) / np.linalg.norm(U, axis=1)))
    # the last GD+WD step, seen on u = w/alpha^t: u+ - u = -eta_eff grad L(u)
    Wt = np.asarray(gd_weight_decay(prob, W0, lr, wd, steps - 1).W) if steps > 1 else W0
    w_next = alpha * Wt - lr * np.asarray(prob.grad(Wt))
    u_t = Wt / alpha ** (steps - 1)
    # u_{t+1} - u_t = (w_{t+1} - alpha w_t) / alpha^{t+1}: the same difference, written without the
    # cancellation of two nearly equal vectors (which costs digits when the step is small)
    du = (w_next - alpha * Wt) / alpha**steps
    G = np.asarray(prob.grad(u_t))
    # pooled over the chains (a chain near a stationary point has a tiny gradient and no digits to spare)
    eff = -np.sum(du * G) / np.sum(G * G)
    return gap, float(eff / lr)


def _el_gap(params, ctx) -> float:
    return _el_runs(params["d"], params["n"], params["eta"], params["lam"], params["T"], seed_words(ctx))[0]


def _el_mult(params, ctx) -> float:
    return _el_runs(params["d"], params["n"], params["eta"], params["lam"], params["T"], seed_words(ctx))[1]


def _el_params():
    return st.fixed_dictionaries({
        "d": st.integers(2, 6), "n": st.integers(3, 10), "eta": st.sampled_from([0.02, 0.05, 0.1]),
        "lam": st.sampled_from([0.005, 0.02]), "T": st.sampled_from([20, 60, 150])})


_EL_EX = {"d": 4, "n": 8, "eta": 0.1, "lam": 0.02, "T": 150}

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
        NumericCheck(name="step_multiplier", description="eta_eff/eta of the last GD+WD step seen on u_t = w_t/alpha^t "
                     "(-<u_{t+1} - u_t, grad L(u_t)> / (eta ||grad L(u_t)||^2), pooled over 2 chains), t = T - 1",
                     measure=_el_mult, relation=EL_MULT, bind={a: lambda p: 1 - p["eta"] * p["lam"], t: lambda p: p["T"] - 1},
                     rtol=1e-9, examples=(_EL_EX,)),
        NumericCheck(name="trajectories_coincide",
                     description="max_chains ||w_T/(1-eta lam)^T - u_T|| / ||u_T||: GD+WD vs GD with the exponential schedule",
                     measure=_el_gap, relation=sympy.Eq(traj, 0), atol=1e-12, examples=(_EL_EX,)),
    ),
    # the equivalent schedule is eta alpha^(-t); eta alpha^(-2t)
    mutants=(sympy.Eq(mult, a ** (-t)), sympy.Eq(mult, a ** (-2 * t))),
    doc="""\
Setting: L scale invariant; GD with weight decay w_{t+1} = (1 - eta lam) w_t - eta grad L(w_t),
alpha = 1 - eta lam in (0, 1).

Claim (*tight*, an identity) [1, Thm 2.1]: u_t = w_t / alpha^t follows plain GD
u_{t+1} = u_t - eta alpha^(-2t-1) grad L(u_t): weight decay is an exponentially growing learning rate.

Derivation: substitute w_t = alpha^t u_t and grad L(alpha^t u) = grad L(u)/alpha^t, collect powers.

Checks: full-batch GD on the normalized linear model for T in {20, 60, 150} steps from the same
start (eta <= 0.1, lam <= 0.02, so eta lam T <= 0.3): GD+WD rescaled by alpha^-T vs GD with the
schedule, relative distance <= 1e-12 (round-off); and the multiplier GD+WD applies to the step
of u_t = w_t/alpha^t at the last step equals alpha^(-2t-1) (rtol 1e-9). Measured limit of the check:
at eta = 0.2, lam = 0.05, T = 150 the effective step eta/||w||^2 grows past GD's stability
threshold and the two float runs separate (chaotic amplification of round-off, 1e-1); such
parameters test floating point, not the identity, so they are not drawn. Mutants: multipliers alpha^(-t), alpha^(-2t).
""",
)


CLAIMS = (SCALE_INVARIANCE, SCALE_NORM_DYNAMICS, SCALE_EXP_LR)
