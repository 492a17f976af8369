"""Sanity checks a practitioner runs before training: the loss at initialization."""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._sources import CS231N, GOODFELLOW
from ._util import S


__all__ = ["CLAIMS"]


C, n, loss = S("C"), S("n"), S("loss")
SM_ASSUME = (sympy.Ge(C, 2), sympy.Ge(n, 1))
SM_STATEMENT = sympy.Eq(loss, sympy.log(C))
BISHOP = Source(
    key="Bishop 2006",
    authors="C. M. Bishop",
    title="Pattern Recognition and Machine Learning",
    year=2006,
    venue="Springer",
    doi="10.1007/978-0-387-45528-0",
)


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(SM_ASSUME), name="sanity.initial_softmax_loss")
    # zero logits: every softmax probability is e^0 / (C e^0) = 1/C
    d.start(sympy.exp(0) / (C * sympy.exp(0))).eq(1 / C, by="softmax of equal logits is uniform")
    # cross-entropy of one sample, whatever its label: -log(1/C)
    d.start(-sympy.log(1 / C)).eq(sympy.log(C), by="-log(1/C) = log C")
    # the mean over n samples of a constant
    d.start(n * sympy.log(C) / n).eq(sympy.log(C), by="mean over samples")
    # C = 10: 2.302585...
    d.claim(sympy.log(10), ">", sympy.Rational(2302585, 10**6), by="ln 10 = 2.30258509...")
    d.claim(sympy.log(10), "<", sympy.Rational(2302586, 10**6), by="ln 10 = 2.30258509...")
    return d.check()


def _net(params, ctx):
    from theorykit.numeric.nets import MLP, NetProblem

    sizes = (params["d_in"], *params["hidden"], params["classes"])
    mlp = MLP(sizes, activation=params["activation"], loss="cross_entropy")
    X = ctx.rng.standard_normal((params["n"], params["d_in"])) * 3.0
    y = ctx.rng.integers(0, params["classes"], size=params["n"])
    return mlp, NetProblem(mlp, ctx.xp.asarray(X), y)


def _loss_zero_weights(params, ctx) -> float:
    mlp, prob = _net(params, ctx)
    return float(prob.loss(ctx.xp.zeros((mlp.num_params,), dtype=ctx.xp.float64)))


def _loss_zero_last_layer(params, ctx) -> float:
    """Random hidden layers, zero output layer: the logits are still all zero."""
    mlp, prob = _net(params, ctx)
    w = np.asarray(mlp.init_params(ctx.rng, scale=2.0))
    last = mlp.spec.layers[-1]
    w[last.offset:] = 0.0  # the output layer is last in the flat layout: W_D then b_D
    return float(prob.loss(ctx.xp.asarray(w)))


def _params():
    return st.fixed_dictionaries({
        "classes": st.integers(2, 1000),
        "d_in": st.integers(1, 8),
        "hidden": st.lists(st.integers(1, 16), min_size=0, max_size=2).map(tuple),
        "activation": st.sampled_from(["tanh", "relu", "gelu"]),
        "n": st.integers(1, 32),
    })


_EX = {"classes": 10, "d_in": 5, "hidden": (16,), "activation": "relu", "n": 20}

SANITY_SOFTMAX = Claim(
    id="sanity.initial_softmax_loss",
    title="Zero output weights give cross-entropy ln C (2.302585 for C = 10)",
    statement=SM_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(CS231N, GOODFELLOW, BISHOP),
    derive=_derive,
    derivation_scope="general",  # a symbolic proof of the statement for every parameter value
    assumptions=SM_ASSUME,
    strategy=_params,
    checks=(
        NumericCheck(name="zero_weights", description="cross-entropy of an MLP (theorykit.numeric.nets) with all weights 0",
                     measure=_loss_zero_weights, measures=loss, bind={C: "classes"}, rtol=1e-12, examples=(_EX,)),
        NumericCheck(name="zero_output_layer", description="the same with random hidden layers and a zero output layer",
                     measure=_loss_zero_last_layer, measures=loss, bind={C: "classes"}, rtol=1e-12,
                     examples=(_EX,)),
    ),
    mutants=(
        sympy.Eq(loss, sympy.log(C) / sympy.log(10)),  # log10 C (1 for C = 10)
        sympy.Eq(loss, sympy.log(2)),  # ln 2 whatever C (the binary case)
        sympy.Eq(loss, 1 / C),  # the uniform probability 1/C
    ),
    doc="""\
Setting: a classifier with C classes whose logits are o = W_D a_(D-1) + b_D, trained with the mean
cross-entropy L = (1/n) sum_i [logsumexp(o_i) - o_(i, y_i)].
Algorithm: none; the check before training: at W_D = 0, b_D = 0 (or all weights 0) every logit is 0.

Claim (*tight*, an identity): the loss is ln C (2.302585 for C = 10, 6.907755 for C = 1000) for every
input and label [1], [2, Sec. 6.2.2.3]; a first loss far from ln C signals a bug or a bad init.

Derivation: softmax of equal logits is uniform, 1/C; -log(1/C) = log C; the mean of a constant;
2.302585 < ln 10 < 2.302586.

Checks: the loss of MLPs from theorykit.numeric.nets (random widths, tanh/relu/gelu, random data and
labels) at zero weights, and with random hidden layers but a zero output layer, equals ln C
(rtol 1e-12: one log-sum-exp in float64). Mutants: log10 C, ln 2, 1/C.
""",
)

HOERL_KENNARD = Source(
    key="Hoerl & Kennard 1970",
    authors="A. E. Hoerl, R. W. Kennard",
    title="Ridge regression: biased estimation for nonorthogonal problems",
    year=1970, venue="Technometrics 12(1)", doi="10.1080/00401706.1970.10488634")

# ============================================================== sanity.regularization_raises_loss
lam_r, Sxx, w0, n_r, tl, slope = (S(v) for v in ("lam", "Sxx", "w0", "n", "train_loss", "slope"))
RIDGE_LOSS = Sxx * w0**2 * lam_r**2 / (n_r * (Sxx + lam_r) ** 2)


def _derive_ridge():
    from ._util import derivation

    d = derivation((Sxx > 0, lam_r >= 0, n_r > 0), "sanity.regularization_raises_loss")
    # noiseless data y_i = w0 x_i: the ridge solution is w = w0 Sxx/(Sxx + lam), residual w0 - w = w0 lam/(Sxx + lam)
    d.start(w0 - w0 * Sxx / (Sxx + lam_r)).eq(w0 * lam_r / (Sxx + lam_r), by="ridge solution w = Sxy/(Sxx + lam)")
    d.start(sympy.diff(RIDGE_LOSS, lam_r)).eq(2 * Sxx**2 * w0**2 * lam_r / (n_r * (Sxx + lam_r) ** 3),
                                              by="d/d lam of the training loss").ge(0, by="lam >= 0")
    return d.check()


def _ridge_data(params):
    n_ = int(params["n"])
    x = np.linspace(-1.0, 2.0, n_) * params["scale"]
    return x, params["w0"] * x


def _ridge_fit_loss(x, y, lam_):
    """Training loss (1/n) sum (y - x w)^2 of the ridge fit, w from the regularized normal equation."""
    A = np.array([[x @ x + lam_]])
    w = np.linalg.solve(A, np.array([x @ y]))[0]
    return float(np.mean((y - x * w) ** 2))


def _train_loss(params, ctx) -> float:
    x, y = _ridge_data(params)
    return _ridge_fit_loss(x, y, params["lam"])


def _loss_slope(params, ctx) -> float:
    """(loss(1.01 lam + 1e-3) - loss(lam)) / step: more regularization, higher training loss."""
    x, y = _ridge_data(params)
    lam2 = params["lam"] * 1.01 + 1e-3
    return (_ridge_fit_loss(x, y, lam2) - _ridge_fit_loss(x, y, params["lam"])) / (lam2 - params["lam"])


def _sxx(p):
    x, _ = _ridge_data(p)
    return float(x @ x)


RIDGE = Claim(
    id="sanity.regularization_raises_loss",
    title="More L2 regularization raises the training loss (ridge: (Sxx/n) w0^2 lam^2/(Sxx + lam)^2)",
    statement=sympy.And(sympy.Eq(tl, RIDGE_LOSS), sympy.Ge(slope, 0)),
    kind=Kind.IDENTITY,
    sources=(HOERL_KENNARD, BISHOP, GOODFELLOW),
    derive=_derive_ridge,
    assumptions=(Sxx > 0, lam_r >= 0, n_r > 0),
    strategy=lambda: st.fixed_dictionaries({"n": st.integers(2, 40), "scale": st.sampled_from([0.1, 1.0, 5.0]),
                                            "w0": st.sampled_from([-2.0, 0.5, 3.0]),
                                            "lam": st.sampled_from([0.0, 0.01, 0.3, 1.0, 10.0, 100.0])}),
    checks=(
        NumericCheck("ridge_training_loss", "training loss of the ridge fit (a linear solve) on noiseless data",
                     _train_loss, measures=tl, bind={Sxx: _sxx}, rtol=1e-9, atol=1e-15,
                     examples=({"n": 20, "scale": 1.0, "w0": 3.0, "lam": 1.0},)),
        NumericCheck("loss_rises_with_lam", "finite-difference slope of the training loss in lam", _loss_slope,
                     measures=slope, rtol=0.0, atol=1e-12,
                     examples=({"n": 20, "scale": 1.0, "w0": 3.0, "lam": 1.0},)),
    ),
    mutants=(sympy.Le(slope, 0), sympy.Eq(tl, w0**2 * lam_r**2 / (Sxx + lam_r) ** 2)),
    doc="""Setting: one-feature least squares with L2 regularization, min_w (1/n) sum (y_i - w x_i)^2 + (lam/n) w^2,
noiseless data y_i = w0 x_i (x on a grid, Sxx = sum x_i^2).

Claim (*tight*, an identity): the ridge solution is w = w0 Sxx/(Sxx + lam) and the training loss is
(Sxx/n) w0^2 lam^2/(Sxx + lam)^2, increasing in lam: more regularization raises the training loss
(it trades training fit for a smaller weight) [1], [2, Sec. 3.1.4], [3, Sec. 7.1].

Derivation: the residual w0 - w = w0 lam/(Sxx + lam); d loss / d lam = 2 Sxx^2 w0^2 lam/(n (Sxx + lam)^3) >= 0.

Checks: the training loss of the fitted ridge model (linear solve) vs the formula (rtol 1e-9), and
its finite-difference slope in lam >= 0. Mutants: the loss falls with lam; the 1/n and Sxx factors dropped.
""",
)

CLAIMS = (SANITY_SOFTMAX, RIDGE)


# ============================================================== seed claims (issue 14, item 6)
from ._sources import KARPATHY_RECIPE  # noqa: E402  (the seed block is appended as one unit)
from ._util import derivation  # noqa: E402

# ------------------------------------------------------------ sanity.overfit_small
n_s, m_f, loss_fin = S("n", positive=True), S("m", positive=True), S("loss_final")
OVERFIT_STATEMENT = sympy.Eq(loss_fin, sympy.Max(0, n_s - m_f) / (2 * n_s))
_OF_STEPS = 8_000


def _derive_overfit():
    r_ = S("r", positive=True)
    d = derivation((n_s >= 1, m_f >= 1, r_ >= 0, r_ <= n_s), "sanity.overfit_small")
    # GD from a = 0 on |Phi a - y|^2/(2n) converges to the least-squares fit; the residual is (I - P) y with P
    # the projection on range(Phi), of rank r = min(m, n) for Gaussian Phi; for y ~ N(0, I_n),
    # E |(I - P) y|^2 = tr(I - P) = n - r
    d.start((n_s - r_) / (2 * n_s)).eq(sympy.Rational(1, 2) - r_ / (2 * n_s), by="expand").ge(0, by="r <= n")
    d.start(((n_s - r_) / (2 * n_s)).subs(r_, n_s)).eq(0, by="m >= n: rank n, zero training loss")
    return d.check()


def _overfit_loss(params, ctx) -> float:
    """Mean over labels y ~ N(0, I_n) of the training loss |Phi a - y|^2/(2n) after 8000 GD steps (step
    1/lambda_max) from a = 0 on m Gaussian random features; by linearity GD is run on the n basis labels at once
    and the mean is tr(R^T R)/(2n) for their residual matrix R (an exact expectation, no sampling)."""
    nn = int(params["n"])
    mm = max(1, int(round(nn * float(params["m_frac"]))))
    Phi = ctx.rng.standard_normal((nn, mm)) / math.sqrt(mm)
    Y = np.eye(nn)
    A = np.zeros((mm, nn))
    lr = nn / float(np.linalg.eigvalsh(Phi.T @ Phi)[-1])
    # the GD step A - lr Phi^T (Phi A - Y)/n as M A + B (M = I - lr Phi^T Phi/n, B = lr Phi^T Y/n): the same
    # iterates up to round-off, in two array calls per step instead of six
    M, B = np.eye(mm) - lr * (Phi.T @ Phi) / nn, lr * (Phi.T @ Y) / nn
    MA = np.empty_like(A)
    for _ in range(_OF_STEPS):
        np.add(np.matmul(M, A, out=MA), B, out=A)
    R = Phi @ A - Y
    return float(np.sum(R * R)) / (2 * nn)


def _of_m(p):
    return max(1, int(round(int(p["n"]) * float(p["m_frac"]))))


OVERFIT_SMALL = Claim(
    id="sanity.overfit_small",
    title="Sanity check: with at least as many parameters as samples GD overfits 20 samples to zero training loss; "
          "with m < n features the loss stays at (n - m)/(2n)",
    statement=OVERFIT_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(KARPATHY_RECIPE, CS231N),
    derive=_derive_overfit,
    assumptions=(n_s >= 1, m_f >= 1),
    strategy=lambda: st.fixed_dictionaries({"n": st.integers(10, 30),
                                            "m_frac": st.sampled_from([0.25, 0.5, 0.75, 1.5, 2.0, 3.0])}),
    checks=(NumericCheck("final_loss", "mean training loss over Gaussian labels after 8000 GD steps on m "
                         "Gaussian random features", _overfit_loss, measures=loss_fin, bind={m_f: _of_m},
                         rtol=1e-6, atol=1e-9,
                         examples=({"n": 20, "m_frac": 2.0}, {"n": 20, "m_frac": 0.5})),),
    mutants=(sympy.Eq(loss_fin, 0),  # any model overfits 20 samples
             sympy.Eq(loss_fin, sympy.Rational(1, 2))),  # random labels cannot be fit
    doc="""\
Setting: n samples (the seed's 20; n in 10..30 searched) with labels y ~ N(0, I_n) independent of the
model; a linear model on m Gaussian random features Phi (n x m), trained by GD on |Phi a - y|^2/(2n)
from a = 0 with step 1/lambda_max(Phi^T Phi/n).

Claim (*tight*, an identity): the training loss tends to (n - min(m, n))/(2n) in mean over the labels:
0 when m >= n -- a model with enough parameters must overfit a small sample, even with random
labels, which is the sanity check of [1], [2]: if it cannot, the pipeline has a bug -- and
(n - m)/(2n) when m < n.

Derivation: GD from 0 converges to the least-squares fit, whose residual (I - P) y has mean square
tr(I - P) = n - rank(Phi) = n - min(m, n) (Gaussian Phi has full rank almost surely).

Check: GD run for 8000 steps on the n basis labels at once (the mean over Gaussian labels is then
exactly tr(R^T R)/(2n) of the residual matrix R; m/n in {0.25, 0.5, 0.75, 1.5, 2, 3}, condition
numbers <= ~200, so GD has converged to 1e-9); rtol 1e-6, atol 1e-9. Mutants: loss 0 whatever m;
loss 1/2 (random labels cannot be fit).
""",
)

CLAIMS = CLAIMS + (OVERFIT_SMALL,)
