"""Backtracking (Armijo) line search on an L-smooth function: sufficient decrease and the
smallest step it can accept."""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck

from ._sources import NOCEDAL_WRIGHT
from . import _vector_catalog
from ._util import BOYD, S, derivation, rotated_quadratic, rounded

__all__ = ["CLAIMS"]

L, eta, c, rho, eta0 = (S(n, positive=True) for n in ("L", "eta", "c", "rho", "eta0"))
eta_min, dec = S("eta_min"), S("dec")
ARMIJO_STEP = 2 * rho * (1 - c) / L  # the accepted step is never below min(eta0, this)


def _derive():
    d = derivation((L > 0, eta > 0, c > 0, c < 1, rho > 0, rho < 1, eta <= 2 * (1 - c) / L), "linesearch.armijo")
    # descent lemma: f(x - eta g) <= f(x) - eta (1 - L eta/2) |g|^2, and for eta <= 2(1-c)/L
    # the factor 1 - L eta/2 is >= c, so the Armijo test f(x - eta g) <= f(x) - c eta |g|^2 passes
    d.claim(1 - L * eta / 2, ">=", c, by="eta <= 2(1 - c)/L")
    # backtracking stops at the first eta0 rho^k passing the test: it rejected eta0 rho^(k-1), which
    # therefore exceeds 2(1-c)/L, so the accepted step is > rho 2(1-c)/L (or it is eta0 itself)
    d.start(rho * (2 * (1 - c) / L)).eq(ARMIJO_STEP, by="rho times the largest step the test always accepts")
    return d.check()


def _backtrack(prob, X, steps0, c_, rho_):
    """Backtracking from each start X[i] (P, d) with initial step steps0[i] (P,): (accepted steps,
    f(x) - f(x+), |g|^2), each (P,). All starts try their steps together, one batched trial per
    round, a start leaving once its test passes. Row by row this is the plain loop's arithmetic
    (step *= rho until f(x - step g) <= f(x) - c step |g|^2) in the same order: x @ A is the same
    gemv per row (a stack of (1, d) @ (d, d) products), g @ g the same dot."""
    # prob.loss / prob.grad's arithmetic, without re-validating x on each of the ~10^4 trials of a
    # sweep (np.add.reduce is np.sum's reduction; x @ A as problems._matvec)
    A, b, add = np.asarray(prob.A), np.asarray(prob.b), np.add.reduce

    def xA(Y):
        return np.matmul(Y[:, None, :], A)[:, 0, :]

    def f(Y):
        return 0.5 * add(Y * xA(Y), axis=-1) - add(Y * b, axis=-1)

    G = xA(X) - b
    fx, gg = f(X), np.matmul(G[:, None, :], G[:, :, None])[:, 0, 0]
    step = np.array(steps0, dtype=np.float64)
    todo = np.ones(step.shape, dtype=bool)
    while todo.any():
        rows = np.flatnonzero(todo)
        s = step[rows]
        fail = f(X[rows] - s[:, None] * G[rows]) > fx[rows] - c_ * s * gg[rows]
        step[rows[fail]] *= rho_
        todo[rows[~fail]] = False
    return step, fx - f(X - step[:, None] * G), gg


def _instance(params, ctx):
    prob, q = rotated_quadratic(params["eigenvalues"], ctx.rng, np)
    top = q[:, int(np.argmax(params["eigenvalues"]))]
    starts = np.stack([top * 2.0] + list(ctx.rng.standard_normal((8, prob.dim))))
    return prob, starts


def _pairs(starts, sweep):
    """Every (start, eta0) pair: starts repeated per eta0, eta0 tiled per start."""
    return np.repeat(starts, sweep.size, axis=0), np.tile(sweep, starts.shape[0])


def _smallest_accepted(params, ctx) -> float:
    """min over initial steps eta0 in a log sweep of [2/L, 2e3/L] (and over starts, one on the top
    eigenvector) of the step backtracking accepts; eta0 >= 2/L > 2 rho (1-c)/L, so the bound is the
    second argument of min(eta0, .)."""
    prob, starts = _instance(params, ctx)
    L_ = max(params["eigenvalues"])
    X, s0 = _pairs(starts[:4], np.geomspace(2.0 / L_, 2e3 / L_, 150))
    return float(np.min(_backtrack(prob, X, s0, params["c"], params["rho"])[0]))


def _decrease_ratio(params, ctx) -> float:
    """min over starts and eta0 of (f(x) - f(x+)) / (c eta |g|^2) at the accepted eta: >= 1."""
    prob, starts = _instance(params, ctx)
    L_ = max(params["eigenvalues"])
    X, s0 = _pairs(starts, np.geomspace(0.1 / L_, 1e3 / L_, 20))
    step, drop, gg = _backtrack(prob, X, s0, params["c"], params["rho"])
    return float(np.min(drop / (params["c"] * step * gg)))


def _params():
    from ._util import spectrum

    return st.fixed_dictionaries({"eigenvalues": spectrum(dim=(1, 5), lo=0.1, hi=10.0),
                                  "c": rounded(0.01, 0.9, 3), "rho": rounded(0.1, 0.9, 3)})


ARMIJO = Claim(
    id="linesearch.armijo",
    title="Backtracking line search on an L-smooth f accepts eta >= min(eta0, 2 rho (1-c)/L) with sufficient decrease",
    statement=sympy.And(sympy.Ge(eta_min, ARMIJO_STEP), sympy.Ge(dec, 1)),
    kind=Kind.TIGHT_BOUND,
    sources=(NOCEDAL_WRIGHT, BOYD),
    derive=_vector_catalog.armijo,  # every L-smooth f (_derive: the scalar factor only)
    derivation_scope="general",
    assumptions=(L > 0, c > 0, c < 1, rho > 0, rho < 1),
    strategy=_params,
    checks=(
        NumericCheck("smallest_accepted_step", "min over a sweep of eta0 of the accepted step (quadratics)",
                     _smallest_accepted, measures=eta_min, bind={L: lambda p: max(p["eigenvalues"])}, rtol=1e-9,
                     examples=({"eigenvalues": (0.5, 2.0), "c": 0.5, "rho": 0.5},)),
        NumericCheck("sufficient_decrease", "(f(x) - f(x+)) / (c eta |grad f|^2) at the accepted step",
                     _decrease_ratio, measures=dec, rtol=1e-9,
                     examples=({"eigenvalues": (0.5, 2.0), "c": 0.5, "rho": 0.5},)),
    ),
    mutants=(sympy.Ge(eta_min, 2 * (1 - c) / L), sympy.Ge(eta_min, rho / L)),
    doc="""\
Setting: f with L-Lipschitz gradient (here quadratics with lambda_max = L, dim <= 5); backtracking:
start at eta0, multiply by rho in (0, 1) until f(x - eta g) <= f(x) - c eta |g|^2 (Armijo, c in (0, 1)).

Claim (*tight*): the test passes for every eta <= 2(1 - c)/L, so backtracking stops with
eta >= min(eta0, 2 rho (1 - c)/L), and every accepted step decreases f by at least c eta |g|^2
[1, Sec. 3.1, 3.5], [2, Sec. 9.2].

Derivation (general, every L-smooth f in every dimension): the descent lemma gives f(x - eta g) <= f(x) - eta (1 - L eta/2)|g|^2, and
1 - L eta/2 >= c iff eta <= 2(1-c)/L; the last rejected step exceeded that, so the accepted
one is more than rho times it.

Checks: the smallest accepted step over 150 log-spaced eta0 in [2/L, 2e3/L] (all above the bound,
so min(eta0, .) is the bound) and 4 starts (one on the top eigenvector, where the test fails for
every eta > 2(1-c)/L, so the sweep comes within its spacing, a factor 1.05, of the bound);
the decrease ratio (f(x) - f(x+)) / (c eta |g|^2) >= 1 over 20 eta0 and 9 starts.
""",
)

CLAIMS = (ARMIJO,)
