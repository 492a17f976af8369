"""Preconditioning: a rescaled preconditioner is a learning rate, Lambda^-1/2 takes kappa to
sqrt(kappa), and Adam's eps / K-FAC's damping act as a learning rate when they dominate."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import KINGMA_BA, NOCEDAL_WRIGHT
from ._util import S, derivation, rounded

__all__ = ["CLAIMS"]

MARTENS_GROSSE = Source(
    key="Martens & Grosse 2015",
    authors="J. Martens, R. Grosse",
    title="Optimizing neural networks with Kronecker-factored approximate curvature",
    year=2015, venue="ICML 2015", arxiv="1503.05671")

eta, c, p, g, s, eps, lam, f = (S(n, positive=True) for n in ("eta", "c", "p", "g", "s", "eps", "lam", "f"))
L, mu = S("L", positive=True), S("mu", positive=True)
eta_eff, kappa_pre, eta_adam, eta_kfac = S("eta_eff"), S("kappa_pre"), S("eta_adam"), S("eta_kfac")
kappa = S("kappa", positive=True)


def _spd(rng, dim, lo=0.1, hi=10.0):
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    q = q * np.sign(np.diag(r))
    return (q * rng.uniform(lo, hi, dim)) @ q.T


# ============================================================== precond.rescale_is_lr
def _derive_rescale():
    d = derivation((eta > 0, c > 0, p > 0), "precond.rescale_is_lr")
    d.start(eta / (c * p) * g).eq((eta / c) / p * g, by="(c P)^-1 = P^-1 / c, per eigendirection of P")
    return d.check()


def _rescaled_step(params, ctx) -> float:
    """One preconditioned GD step with c P, expressed in units of the step direction P^-1 grad f."""
    dim = params["dim"]
    P, H = _spd(ctx.rng, dim), _spd(ctx.rng, dim)
    x = ctx.rng.standard_normal(dim)
    grad = H @ x
    step = -params["eta"] * np.linalg.solve(params["c"] * P, grad)  # the method: solve with c P
    direction = -np.linalg.solve(P, grad)
    return float(step @ direction / (direction @ direction))


RESCALE = Claim(
    id="precond.rescale_is_lr",
    title="Preconditioning with c P and step eta is preconditioning with P and step eta / c",
    statement=sympy.Eq(eta_eff, eta / c),
    kind=Kind.IDENTITY,
    sources=(NOCEDAL_WRIGHT,),
    derive=_derive_rescale,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=(eta > 0, c > 0),
    strategy=lambda: st.fixed_dictionaries({"dim": st.integers(1, 6), "eta": rounded(0.001, 1.0),
                                            "c": rounded(0.01, 100.0)}),
    checks=(NumericCheck("effective_step", "step of x+ = x - eta (cP)^-1 grad f along P^-1 grad f",
                         _rescaled_step, measures=eta_eff, rtol=1e-9,
                         examples=({"dim": 3, "eta": 0.1, "c": 4.0},)),),
    mutants=(sympy.Eq(eta_eff, eta * c), sympy.Eq(eta_eff, eta / sympy.sqrt(c))),
    doc="""\
Setting: preconditioned GD x+ = x - eta P^-1 grad f(x), P symmetric positive definite.

Claim (*identity*): replacing P by c P (c > 0) gives the same iterates as keeping P with step
eta / c; a preconditioner's scale is a learning rate [1, Sec. 2.2, scaling].

Derivation: (c P)^-1 = P^-1 / c.

Check: one step with c P (a linear solve with c P, random SPD P and quadratic f, dim <= 6)
measured along P^-1 grad f is eta / c (rtol 1e-9).
""",
)


# ============================================================== precond.sqrt_kappa
def _derive_sqrt_kappa():
    d = derivation((L > 0, mu > 0, sympy.Eq(kappa, L / mu)), "precond.sqrt_kappa")
    # P^-1/2 H P^-1/2 with P = H^(1/2) has eigenvalues lambda^(1/2): extreme ones sqrt(L), sqrt(mu)
    d.start(sympy.sqrt(L) / sympy.sqrt(mu)).eq(sympy.sqrt(L / mu), by="quotient of square roots").eq(
        sympy.sqrt(kappa), by="kappa = L/mu")
    return d.check()


def _preconditioned_kappa(params, ctx) -> float:
    """kappa of P^-1/2 H P^-1/2 with P = H^(1/2) built from H's numerical eigendecomposition."""
    dim, k = params["dim"], params["kappa"]
    q, r = np.linalg.qr(ctx.rng.standard_normal((dim, dim)))
    q = q * np.sign(np.diag(r))
    lam_ = np.concatenate([[1.0, k], ctx.rng.uniform(1.0, k, dim - 2)])
    H = (q * lam_) @ q.T
    w, V = np.linalg.eigh((H + H.T) / 2)
    P_inv_half = (V * w ** -0.25) @ V.T
    ev = np.linalg.eigvalsh(P_inv_half @ H @ P_inv_half)
    return float(ev.max() / ev.min())


SQRT_KAPPA = Claim(
    id="precond.sqrt_kappa",
    title="Preconditioning by Lambda^(1/2) (updates scaled by Lambda^-1/2) takes kappa to sqrt(kappa)",
    statement=sympy.Eq(kappa_pre, sympy.sqrt(kappa)),
    kind=Kind.IDENTITY,
    sources=(NOCEDAL_WRIGHT, KINGMA_BA),
    derive=_derive_sqrt_kappa,
    assumptions=(kappa >= 1,),
    strategy=lambda: st.fixed_dictionaries({"dim": st.integers(2, 8), "kappa": rounded(1.5, 1e4, 2)}),
    checks=(NumericCheck("preconditioned_condition_number", "lambda_max/lambda_min of P^-1/2 H P^-1/2, P = H^1/2",
                         _preconditioned_kappa, measures=kappa_pre, rtol=1e-6,
                         examples=({"dim": 4, "kappa": 100.0},)),),
    mutants=(sympy.Eq(kappa_pre, kappa), sympy.Eq(kappa_pre, 1)),
    doc="""\
Setting: f(x) = 1/2 x^T H x, H symmetric positive definite with eigenvalues in [mu, L], kappa = L/mu;
preconditioner P = H^(1/2) = Q Lambda^(1/2) Q^T, i.e. updates P^-1 grad f scaled by Lambda^-1/2
(the square-root scaling of Adam-type methods on a diagonal quadratic).

Claim (*identity*): the preconditioned Hessian P^-1/2 H P^-1/2 = Q Lambda^(1/2) Q^T has condition
number sqrt(kappa): Lambda^-1/2 preconditioning reduces kappa to its square root (full P = H
gives 1) [1, Sec. 5.1], [2, Sec. 5].

Derivation: its eigenvalues are lambda_i^(1/2), so sqrt(L)/sqrt(mu) = sqrt(kappa).

Check: random rotated H (dim <= 8, kappa up to 1e4, both extremes in the spectrum), P^-1/2 from
H's numerical eigendecomposition, eigvalsh of the product: lambda_max/lambda_min vs sqrt(kappa)
(rtol 1e-6).
""",
)


# ============================================================== precond.eps_damping_lr
def _derive_eps_damping():
    d = derivation((eta > 0, eps > 0, s >= 0, lam > 0, f >= 0), "precond.eps_damping_lr")
    # Adam: step eta m / (s + eps) with s = sqrt(v_hat) >= 0; K-FAC: eta g / (f + lam) per eigendirection
    d.claim(eta / (s + eps), "<=", eta / eps, by="s >= 0")
    d.claim(eta / (s + eps), ">=", eta / eps - eta * s / eps**2, by="gap = eta s^2 / (eps^2 (s + eps)) >= 0")
    d.claim(eta / (f + lam), "<=", eta / lam, by="f >= 0")
    d.claim(eta / (f + lam), ">=", eta / lam - eta * f / lam**2, by="the same with f, lam")
    return d.check()


def _adam_effective_lr(params, ctx) -> float:
    """|Adam's first step| / |grad| with eps = eps_unit and |grad| ~ 10^-k eps (bias-corrected moments)."""
    from theorykit.numeric.adaptive import adam_init, adam_step

    grad = ctx.rng.standard_normal(params["dim"]) * params["eps_unit"] * 10.0 ** -params["log10_ratio"]
    delta, _ = adam_step(adam_init(np.zeros_like(grad)), grad, lr=params["eta"], eps=params["eps_unit"])
    return float(np.linalg.norm(delta) / np.linalg.norm(grad))


def _kfac_effective_lr(params, ctx) -> float:
    """-<step, grad>/|grad|^2 of the damped natural-gradient step eta (F + lam I)^-1 grad,
    with ||F|| = 10^-k lam (a solve, not a formula)."""
    dim = params["dim"]
    F = _spd(ctx.rng, dim, 0.0, 1.0)
    lam_ = params["eps_unit"]
    F *= lam_ * 10.0 ** -params["log10_ratio"] / np.linalg.eigvalsh(F).max()
    grad = ctx.rng.standard_normal(dim)
    step = -params["eta"] * np.linalg.solve(F + lam_ * np.eye(dim), grad)
    return float(-step @ grad / (grad @ grad))


def _ed_params():
    return st.fixed_dictionaries({"dim": st.integers(1, 6), "eta": rounded(1e-4, 1.0),
                                  "eps_unit": rounded(1e-3, 10.0), "log10_ratio": st.integers(6, 9)})


EPS_DAMPING = Claim(
    id="precond.eps_damping_lr",
    title="Adam's eps and K-FAC's damping act as a learning rate: eta/eps and eta/lambda when they dominate",
    statement=sympy.And(sympy.Eq(eta_adam, eta / eps), sympy.Eq(eta_kfac, eta / lam)),
    kind=Kind.TIGHT_BOUND,
    sources=(KINGMA_BA, MARTENS_GROSSE),
    derive=_derive_eps_damping,
    assumptions=(eta > 0, eps > 0, lam > 0),
    strategy=_ed_params,
    checks=(
        NumericCheck("adam_large_eps", "Adam's first step per unit gradient, |grad| ~ 1e-6..1e-9 eps",
                     _adam_effective_lr, measures=eta_adam, bind={eps: "eps_unit"}, rtol=1e-5,
                     examples=({"dim": 3, "eta": 0.01, "eps_unit": 1.0, "log10_ratio": 6},)),
        NumericCheck("kfac_large_damping", "damped natural-gradient step along -grad per unit |grad|^2",
                     _kfac_effective_lr, measures=eta_kfac, bind={lam: "eps_unit"}, rtol=1e-5,
                     examples=({"dim": 3, "eta": 0.01, "eps_unit": 1.0, "log10_ratio": 6},)),
    ),
    mutants=(sympy.Eq(eta_adam, eta), sympy.Eq(eta_kfac, eta / sympy.sqrt(lam))),
    doc="""\
Setting: Adam's step -eta m_hat / (sqrt(v_hat) + eps) [1] and K-FAC's damped natural-gradient step
-eta (F + lambda I)^-1 grad [2], with eps >> sqrt(v_hat) and lambda >> ||F||.

Claim (*tight* in that limit): Adam becomes SGD with momentum and step eta/eps, K-FAC becomes
SGD with step eta/lambda: eps and the damping are learning rates, not just safeguards.

Derivation: eta/eps - eta s/eps^2 <= eta/(s + eps) <= eta/eps for s = sqrt(v_hat) >= 0 (and the
same with an eigenvalue f of F and lambda), so the relative gap is at most s/eps (f/lambda).

Checks: Adam's first step (theorykit.numeric.adaptive.adam_step, bias-corrected) with gradients
of size ~10^-k eps (k in 6..9), per unit gradient; K-FAC's step
by a linear solve with ||F|| = 10^-k lambda: both equal eta/eps (eta/lambda) within rtol 1e-5.
""",
)

CLAIMS = (RESCALE, SQRT_KAPPA, EPS_DAMPING)
