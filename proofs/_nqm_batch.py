"""nqm.critical_batch_size and nqm.short_horizon_bias (part of the ``nqm`` family).

Both are measured on the exact expected-loss recurrence of ``theorykit.numeric.nqm``
(iterated, not solved), whose correctness against Monte Carlo is the subject of
nqm.sgd_recurrence and nqm.momentum_recurrence. The NQM is h_i = 1/i, i = 1..d,
E[theta_i(0)^2] = 1, as in Zhang et al. (2019).
"""
from __future__ import annotations

import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck
from theorykit.numeric.nqm import critical_batch_sizes, greedy_lr, tuned_steps

from ._stochastic import WU, ZHANG, cached
from ._util import thorough, S, golden_section

__all__ = ["NQM_CRITICAL_BATCH", "NQM_SHORT_HORIZON"]


alpha, h, B, s, c = (S(v) for v in ("alpha", "h", "B", "s", "c"))
h1, h2, s1, s2, Q = (S(v) for v in ("h1", "h2", "s1", "s2", "Q"))

# ============================================================== nqm.critical_batch_size
LIN_STEP = (1 - 2 * alpha * h) * s + alpha**2 * h / B  # the recurrence to first order in alpha h


def _derive_critical():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=[sympy.Gt(alpha, 0), sympy.Gt(h, 0), sympy.Gt(B, 0), sympy.Ge(s, 0), sympy.Lt(alpha * h, 2)],
                   name="nqm.critical_batch_size")
    # (1) small lr: two steps at (alpha, B) equal one step at (2 alpha, 2 B) up to O(alpha^2):
    #     doubling B and the lr halves the steps (perfect scaling) while alpha h is small
    two = LIN_STEP.subs(s, LIN_STEP)
    one = LIN_STEP.subs({alpha: 2 * alpha, B: 2 * B}, simultaneous=True)
    d.start(two - one).eq(4 * alpha**2 * h**2 * s - 2 * alpha**3 * h**2 / B, by="second order in alpha")
    # (2) noise only adds: every noisy step is >= the noiseless one, so steps(B) >= steps(oo) for all B
    d.start((1 - alpha * h) ** 2 * s + alpha**2 * h / B).ge((1 - alpha * h) ** 2 * s, by="alpha^2 h/B >= 0")
    return d.check()


def _config(params, ctx):
    return cached("nqm.critical", params, ctx, lambda: critical_batch_sizes(params["d"], params["target_frac"]))


def _scaling_ratio(params, ctx) -> float:
    """steps(b_ref)/steps(2 b_ref), SGD (b_ref = 16 << B_crit)."""
    from theorykit.numeric.nqm import harmonic_spectrum

    h_ = harmonic_spectrum(params["d"])
    target = params["target_frac"] * 0.5 * float(h_.sum())
    s_ref = _config(params, ctx)["sgd"][1]
    return s_ref / tuned_steps(h_, 32.0, target=target)


def _flat_ratio(params, ctx) -> float:
    """steps(16 B_crit)/steps(32 B_crit), SGD."""
    from theorykit.numeric.nqm import harmonic_spectrum

    h_ = harmonic_spectrum(params["d"])
    target = params["target_frac"] * 0.5 * float(h_.sum())
    bc = _config(params, ctx)["sgd"][0]
    return tuned_steps(h_, 16 * bc, target=target) / tuned_steps(h_, 32 * bc, target=target)


def _raise_ratio(variant):
    def measure(params, ctx) -> float:
        cfg = _config(params, ctx)
        return cfg[variant][0] / cfg["sgd"][0]

    return measure


def _cb_params():
    # the runner's max_examples decides how many of these run (CI: all three are cheap enough)
    return st.sampled_from([{"d": 100, "target_frac": 0.01}, {"d": 50, "target_frac": 0.02},
                            {"d": 200, "target_frac": 0.01}])


# r_small = steps(16)/steps(32), r_large = steps(16 B_crit)/steps(32 B_crit) (SGD, lr tuned per B);
# g_mom, g_pre = B_crit(heavy ball) / B_crit(SGD), B_crit(preconditioned) / B_crit(SGD)
r_small, r_large, g_mom, g_pre = (S(v) for v in ("r_small", "r_large", "g_mom", "g_pre"))
CB_STATEMENT = sympy.And(sympy.Eq(r_small, 2), sympy.Eq(r_large, 1), sympy.Ge(g_mom, 1), sympy.Ge(g_pre, 1))


_CB_EX = ({"d": 100, "target_frac": 0.01},)

NQM_CRITICAL_BATCH = Claim(
    id="nqm.critical_batch_size",
    title="NQM: tuned steps-to-target scale like 1/B up to a critical batch size, then flatten; "
          "momentum and preconditioning raise it",
    statement=CB_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(ZHANG,),
    derive=_derive_critical,
    strategy=_cb_params,
    checks=(
        NumericCheck(
            name="perfect_scaling_small_B",
            description="steps(16)/steps(32) with the lr tuned per batch size (SGD)",
            measure=_scaling_ratio,
            measures=r_small,
            rtol=0.1,
            examples=_CB_EX,
        ),
        NumericCheck(
            name="flat_large_B",
            description="steps(16 B_crit)/steps(32 B_crit) (SGD)",
            measure=_flat_ratio,
            measures=r_large,
            rtol=0.1,
            examples=_CB_EX,
        ),
        NumericCheck(
            name="momentum_raises",
            description="B_crit(heavy ball, beta tuned in {0, .5, .9}) / B_crit(SGD)",
            measure=_raise_ratio("momentum"),
            measures=g_mom,
            rtol=0.0,
            examples=_CB_EX,
        ),
        NumericCheck(
            name="preconditioning_raises",
            description="B_crit(preconditioner h^-1/2) / B_crit(SGD)",
            measure=_raise_ratio("precond"),
            measures=g_pre,
            rtol=0.0,
            examples=_CB_EX,
        ),
    ),
    mutants=(
        sympy.Eq(r_large, 2),  # perfect scaling at every batch size
        sympy.Le(g_mom, 1),  # momentum does not raise the critical batch size
        sympy.Le(g_pre, 1),  # preconditioning does not raise it
    ),
    equivalent={
        **dict.fromkeys(("r_small = 4/3", "r_small = 3", "r_large = 3/2"),
                        "an empirical law at 10% (steps come from a 48-point lr grid): a refutation needs 5 "
                        "tolerances, i.e. 50%, so ratios this close are not told apart"),
        **dict.fromkeys(("g_mom >= 3/2", "g_mom >= 2", "g_pre >= 3/2", "g_pre >= 2"),
                        "true on the configurations checked (gains 2.2-3.5x, see the tightness); the claim of "
                        "[1] is only that B_crit rises, so a stronger survivor is no wrong formula"),
    },
    doc="""\
Setting: NQM (see nqm.sgd_recurrence) with h_i = 1/i, i = 1..d, E theta_i(0)^2 = 1; target
loss = target_frac x initial loss. steps(B) = min over a 48-point log grid of constant lrs
(and over beta in {0, 0.5, 0.9} for momentum) of the first step at which the exact expected
loss is <= target. B_crit = 16 steps(16)/steps(oo): where the perfect-scaling line meets the
large-batch floor (steps(oo) = noiseless run, B = 1e15).

Claim (empirical in [1]; *tight* ratios within 10%, *lower* for B_crit): steps(B) ~ 1/B for B << B_crit (ratio 2 per
doubling within 10%), steps(B) flat for B >> B_crit (ratio 1 within 10% at 16 B_crit);
heavy-ball momentum and preconditioning p_i = h_i^-1/2 give larger B_crit than SGD.

Statement: r_small = steps(16)/steps(32) = 2, r_large = steps(16 B_crit)/steps(32 B_crit) = 1
(within 10%), and g_mom = B_crit(momentum)/B_crit(SGD) >= 1, g_pre = B_crit(precond)/B_crit(SGD) >= 1.

Derivation: to first order in alpha h, two steps at (alpha, B) equal one step at
(2 alpha, 2 B) (the difference is O(alpha^2)), which is perfect scaling at small lr; and the
noise term alpha^2 h/B >= 0 only adds, so steps(B) >= steps(oo): the floor.

Checks: the two ratios above and B_crit(variant)/B_crit(SGD) >= 1 (*lower*), measured on the
exact recurrence (d = 100 / 50 / 200 with 1% / 2% / 1% targets). Mutants: perfect scaling at
every B (ratio 2 at 16 B_crit); "momentum / preconditioning do not raise B_crit" (ratio <= 1).
Measured values are in the check rows and in figures_stochastic.critical_batch_figure.

References:
  [1] G. Zhang et al. (2019). Which algorithmic choices matter at which batch sizes?
      Insights from a noisy quadratic model. NeurIPS. arXiv:1907.04164
""",
)

# ============================================================== nqm.short_horizon_bias
# one-step expected loss of two coordinates as a function of the lr, and its minimizer
ONE_STEP = sum(hi / 2 * ((1 - alpha * hi) ** 2 * si + alpha**2 * hi / B) for hi, si in ((h1, s1), (h2, s2)))
GREEDY = (h1**2 * s1 + h2**2 * s2) / (h1**2 * (h1 * s1 + 1 / B) + h2**2 * (h2 * s2 + 1 / B))
SH_ASSUME = (sympy.Gt(h1, 0), sympy.Gt(h2, 0), sympy.Ge(s1, 0), sympy.Ge(s2, 0), sympy.Gt(B, 0))


def _derive_short_horizon():
    from theorykit.symbolic.derivation import Derivation

    curv = h1**2 * (h1 * s1 + 1 / B) + h2**2 * (h2 * s2 + 1 / B)
    d = Derivation(assume=list(SH_ASSUME), name="nqm.short_horizon_bias")
    (
        d.start(ONE_STEP)
        .eq(ONE_STEP.subs(alpha, GREEDY) + curv / 2 * (alpha - GREEDY) ** 2,
            by="complete the square in alpha: the one-step loss is a parabola with vertex at the greedy lr")
        .ge(ONE_STEP.subs(alpha, GREEDY), by="a square is >= 0")
    )
    return d.check()


def _sh_data(params, ctx):
    from theorykit.numeric.nqm import greedy_schedule, harmonic_spectrum, tuned_losses

    def go():
        hs = harmonic_spectrum(int(params["d"]))
        _, greedy = greedy_schedule(hs, int(params["T"]), float(params["B"]))
        fixed, poly = tuned_losses(hs, int(params["T"]), float(params["B"]), xp=ctx.xp)
        return greedy, fixed, poly

    return cached("nqm.short_horizon", params, ctx, go)


def _measured_greedy_lr(params, ctx) -> float:
    """argmin over alpha of the one-step expected loss, by golden section on the exact recurrence."""
    from theorykit.numeric.nqm import expected_loss, one_step_losses

    hs = np.asarray(params["h"], dtype=np.float64)
    s_ = np.asarray(params["s"], dtype=np.float64)
    B_ = float(params["B"])
    expected_loss(hs, np.array([0.0]), batch_size=B_, theta0_sq=s_)  # validates the inputs once

    def loss(a):
        # the same exact step as expected_loss (moment_step), without re-validating per evaluation
        return float(one_step_losses(hs, s_, np.array([a]), B_)[0])

    # the greedy lr is a weighted average of 1/h_i (coordinates with s_i > 0) shrunk by the noise, so <= 1/min h
    return golden_section(loss, 0.0, 1.5 / float(np.min(hs)), tol=1e-12)[0]


def _predict_greedy(noise=True):
    def predict(params) -> float:
        hs, s_ = np.asarray(params["h"], dtype=np.float64), np.asarray(params["s"], dtype=np.float64)
        return greedy_lr(hs, s_, float(params["B"]) if noise else math.inf)

    return predict


def _greedy_params():
    @st.composite
    def make(draw):
        dim = draw(st.integers(1, 5))
        vals = st.sampled_from([0.01, 0.1, 0.5, 1.0, 2.0])
        return {"h": tuple(draw(st.lists(vals, min_size=dim, max_size=dim))),
                "s": tuple(draw(st.lists(st.sampled_from([0.0, 0.01, 0.1, 1.0, 4.0]), min_size=dim, max_size=dim))),
                "B": draw(st.sampled_from([1.0, 4.0, 64.0]))}

    return make()


def _horizon_params():
    horizons = [100, 1000] + ([5000, 20000] if thorough() else [])
    batches = [4.0] + ([1.0, 16.0] if thorough() else [])
    return st.fixed_dictionaries({"d": st.just(100), "B": st.sampled_from(batches), "T": st.sampled_from(horizons)})


def _greedy_over_fixed(params, ctx) -> float:
    g, f, _ = _sh_data(params, ctx)
    return g / f


def _early_lr_ratio(params, ctx) -> float:
    """mean lr over the first half of the horizon: optimal schedule / greedy schedule."""
    from theorykit.numeric.nqm import (
        greedy_schedule,
        harmonic_spectrum,
        optimal_schedule,
    )

    def go():
        hs, T_, B_ = harmonic_spectrum(int(params["d"])), int(params["T"]), float(params["B"])
        opt, _ = optimal_schedule(hs, T_, B_)
        greedy, _ = greedy_schedule(hs, T_, B_)
        return float(np.mean(opt[: T_ // 2]) / np.mean(greedy[: T_ // 2]))

    return cached("nqm.short_horizon.opt", params, ctx, go)


def _dp_data(params, ctx):
    """(DP schedule, greedy lrs) on a two-curvature NQM (h = (1, h2))."""
    from theorykit.numeric.nqm import greedy_schedule
    from theorykit.numeric.nqm_dp import dp_schedule

    def go():
        h, T_, B_ = np.array([1.0, float(params["h2"])]), int(params["T"]), float(params["B"])
        # an 80-point moment grid and 100 lrs (~2 s); finer grids move the loss by < 0.5%
        dp = dp_schedule(h, T_, B_, n_state=80, n_lr=100)
        greedy, _ = greedy_schedule(h, T_, B_)
        return dp, greedy

    return cached("nqm.short_horizon.dp", params, ctx, go)


def _dp_early_lr_ratio(params, ctx) -> float:
    """mean lr over the first half of the horizon: DP-optimal schedule / greedy."""
    dp, greedy = _dp_data(params, ctx)
    half = int(params["T"]) // 2
    return float(np.mean(dp.lrs[:half]) / np.mean(greedy[:half]))


def _dp_params():
    return st.fixed_dictionaries({"h2": st.sampled_from([0.01, 0.05]), "B": st.just(4.0), "T": st.just(50)})


def _optimal_params():
    horizons = [100] + ([1000] if thorough() else [])  # L-BFGS-B over T lrs: ~1 s at T = 100, ~2 min at 1000
    return st.fixed_dictionaries({"d": st.just(100), "B": st.just(4.0), "T": st.sampled_from(horizons)})


def _greedy_over_poly(params, ctx) -> float:
    g, _, p = _sh_data(params, ctx)
    return g / p


_SH_EX = ({"d": 100, "B": 4.0, "T": 1000},)

NQM_SHORT_HORIZON = Claim(
    id="nqm.short_horizon_bias",
    title="Short-horizon bias: the greedy one-step-optimal lr decays too fast; tuned schedules beat it",
    statement=sympy.Ge(ONE_STEP, ONE_STEP.subs(alpha, GREEDY)),
    kind=Kind.TIGHT_BOUND,
    sources=(WU, ZHANG),
    derive=_derive_short_horizon,
    assumptions=SH_ASSUME,
    strategy=_horizon_params,
    checks=(
        NumericCheck(
            name="greedy_lr",
            description="golden-section argmin over alpha of the exact one-step expected loss vs the closed form",
            measure=_measured_greedy_lr,
            predict=_predict_greedy(),
            compare="tight",
            rtol=1e-6,  # golden section to 1e-12 relative on a parabola: the argmin is good to ~1e-8
            atol=1e-9,
            strategy=_greedy_params,
            examples=({"h": (1.0, 0.1), "s": (1.0, 1.0), "B": 4.0},),
        ),
        NumericCheck(
            name="fixed_beats_greedy",
            description="final loss greedy / best constant lr (exact recurrence, 80-lr grid)",
            measure=_greedy_over_fixed,
            predict=lambda p: 1.0,
            compare="lower",
            rtol=0.0,
            examples=_SH_EX,
        ),
        NumericCheck(
            name="greedy_decays_too_fast",
            description="mean lr over the first half: optimal schedule (L-BFGS-B on the costate gradient) / greedy",
            measure=_early_lr_ratio,
            predict=lambda p: 1.0,
            compare="lower",
            rtol=0.0,
            strategy=_optimal_params,
            examples=({"d": 100, "B": 4.0, "T": 100},),
        ),
        NumericCheck(
            name="greedy_decays_too_fast_dp",
            description="mean lr over the first half: value-function DP schedule / greedy, two-curvature NQM",
            measure=_dp_early_lr_ratio,
            predict=lambda p: 1.0,
            compare="lower",
            rtol=0.0,
            strategy=_dp_params,
            examples=({"h2": 0.01, "B": 4.0, "T": 100},),
        ),
        NumericCheck(
            name="polynomial_beats_greedy",
            description="final loss greedy / best alpha0/(1 + k/K)^beta (320-schedule grid, batched)",
            measure=_greedy_over_poly,
            predict=lambda p: 1.0,
            compare="lower",
            rtol=0.0,
            examples=_SH_EX,
        ),
    ),
    mutants=(
        Mutant(name="greedy_not_too_fast", description="the optimal schedule's early lrs are no larger than greedy's",
               check="greedy_decays_too_fast", compare="upper"),
        Mutant(name="greedy_not_too_fast_dp", description="the DP-optimal schedule's early lrs are no larger than "
               "greedy's", check="greedy_decays_too_fast_dp", compare="upper"),
        Mutant(name="greedy_is_optimal", description="the greedy schedule is at least as good as any fixed lr",
               check="fixed_beats_greedy", compare="upper"),
        Mutant(name="noiseless_line_search", description="greedy lr = sum h^2 s / sum h^3 s (noise ignored)",
               check="greedy_lr", predict=_predict_greedy(noise=False)),
    ),
    doc="""\
Setting: NQM (see nqm.sgd_recurrence), SGD without preconditioning, s_i = E theta_i^2.
Greedy rule [1]: alpha_k minimizes the next expected loss sum_i 1/2 h_i ((1 - alpha h_i)^2 s_i
+ alpha^2 h_i/B), i.e. alpha_k = sum h_i^2 s_i / sum h_i^2 (h_i s_i + 1/B).

Claim: (i) (*tight*) the closed form above is the one-step minimizer; (ii) (short-horizon
bias [1]) at long horizons the greedy schedule, which decays the lr as soon as the
high-curvature coordinates reach their noise floor, ends at a higher loss than the best
constant lr and than the best tuned alpha0/(1 + k/K)^beta.

Derivation: the one-step loss is a parabola in alpha with curvature
sum h_i^2 (h_i s_i + 1/B) > 0 and vertex at the greedy lr (completing the square, 2 coordinates).

Checks: (i) golden-section argmin on the exact one-step recurrence vs the formula (1-5
coordinates); (ii) loss ratios greedy/tuned >= 1 at horizons 100 and 1000 (5000 and 20000 in
the thorough profile), h_i = 1/i, d = 100, B = 4 (thorough adds 1 and 16); the tuning sweeps 80 constant lrs and
320 polynomial schedules with one batched recurrence; (iii) the optimal schedule, computed by
L-BFGS-B on the exact gradient from the backward costate (dynamic-programming) recursion
lam_k = lam_(k+1) (1 - alpha_k h)^2 (a local optimum started from greedy, horizon 100; 1000 in
thorough), keeps larger lrs than greedy over the first half of the horizon: greedy decays too fast;
(iv) on two-curvature NQMs (h = (1, h2)) the optimal schedule is also computed by dynamic
programming on Bellman's recursion over the moment state (``theorykit.numeric.nqm_dp``: value
tables on an 80-point grid per coordinate, 100 lrs; the schedule read forward from the exact state
and its loss recomputed exactly), and its early lrs exceed greedy's. The DP is exact only up to its
grids and tractable only for d <= 2; d = 100 uses the adjoint gradient, whose L-BFGS optimum is
local: on h = (1, 0.01), B = 4, T = 50 it ends 0.23% above the DP schedule from greedy, constant
and maximal starts alike (seen when this check was added), so it bounds the optimum from above.
Mutants: "greedy is optimal" (ratio <= 1), "greedy's early lrs are not too small" (ratio <= 1, for
the L-BFGS and the DP optimum), the noiseless line-search lr.

References:
  [1] Y. Wu, M. Ren, R. Liao, R. Grosse (2018). Understanding short-horizon bias in stochastic
      meta-optimization. ICLR. arXiv:1803.02021
  [2] G. Zhang et al. (2019). Which algorithmic choices matter at which batch sizes? NeurIPS.
      arXiv:1907.04164
""",
)
