"""What the names in the catalog's statements mean, for the legend under a table.

``define(claim_id, name)`` looks first in ``CLAIM_SYMBOLS[claim_id]`` (a name whose
meaning belongs to one claim, e.g. ``s`` is a singular value in ``muon.*`` and a mode
strength in ``deeplinear.saxe``), then in ``SYMBOLS`` (names with one meaning across
the catalog). A name found in neither is reported as "a variable of <claim id> (see
its documentation)"; ``tests/test_latex_tables.py`` keeps the built-in catalog fully
covered. Plugin catalogs can add entries with ``register(claim_id, {...})``.
"""
from __future__ import annotations

__all__ = ["SYMBOLS", "CLAIM_SYMBOLS", "define", "register", "undefined"]

SYMBOLS: dict[str, str] = {
    "eta": "step size (learning rate)",
    "L": "smoothness constant (Lipschitz constant of the gradient; largest Hessian eigenvalue)",
    "mu": "strong-convexity constant (smallest Hessian eigenvalue)",
    "kappa": "condition number L/mu",
    "beta": "momentum (or averaging) coefficient",
    "b1": "Adam's first-moment decay rate beta_1",
    "rho": "contraction factor per step (rate)",
    "h": "step size times curvature, eta*lambda (or a curvature h_i where indexed)",
    "lam": "Hessian eigenvalue (curvature)",
    "lambda": "Hessian eigenvalue (curvature)",
    "f": "loss value before the step",
    "f_next": "loss value after one step",
    "g": "gradient norm (or the constant gradient)",
    "t": "step count (time)",
    "T": "number of steps",
    "N": "number of iterations",
    "R": "initial distance to a minimizer, ||x_0 - x*||",
    "f_N": "loss after N iterations",
    "f_star": "optimal value f*",
    "B": "batch size",
    "alpha": "learning rate of the NQM's SGD",
    "G": "expected squared gradient norm at unit weight norm",
    "K": "schedule time constant",
    "k": "step index",
    "C": "number of classes / coverage fraction (see the claim)",
    "n": "number of examples (or network width)",
    "lr_unit": "physical units of the learning rate",
    "Theta": "unit of the parameters theta",
    "Lambda": "unit of the loss",
    "w1": "first weight coordinate",
    "w2": "second weight coordinate",
    "c": "positive rescaling factor",
    "s2": "variance of the gradient noise / population",
    "eta_c": "critical (largest stable) step size",
    "S_eos": "sharpness (top Hessian eigenvalue) at the edge of stability",
}

CLAIM_SYMBOLS: dict[str, dict[str, str]] = {
    "adagrad.constant_gradient": {"eff": "effective step size per unit gradient", "g": "gradient coordinate g_i"},
    "adam.bias_correction": {"E_m": "expected first-moment estimate E[m_t]", "mu_g": "mean gradient E[g]"},
    "adam.nonconvergence": {"x_lim": "point where Adam's iterates end"},
    "catapult.regimes": {"f": "network output", "f_next": "network output after one GD step",
                         "lam": "NTK eigenvalue (||u||^2 + ||v||^2) x^2/n", "lam_next": "NTK eigenvalue after one step",
                         "n": "network width", "x": "the input"},
    "centralflow.gd": {"sigma2": "central flow's variance sigma^2 of the oscillation",
                       "a": "inner product <grad S, grad L> of sharpness and loss gradients",
                       "b": "squared norm ||grad S||^2 of the sharpness gradient"},
    "convexity.first_order": {"l1": "Hessian eigenvalue l_1 >= 0", "l2": "Hessian eigenvalue l_2 >= 0",
                              "x1": "coordinate 1 of x", "x2": "coordinate 2 of x",
                              "y1": "coordinate 1 of y", "y2": "coordinate 2 of y"},
    "deeplinear.saxe": {"s": "singular value of the input-output correlation (mode strength target)",
                        "t": "time", "tau": "time constant 1/lr", "u0": "initial mode strength"},
    "ema.variance": {"ratio": "Var(EMA) / Var(iterate)", "rho": "autocorrelation 1 - alpha h of the iterates",
                     "beta": "EMA decay"},
    "ema.lag": {"D": "stationary lag E[ema_t - theta_t]", "beta": "EMA decay", "g": "slope of the linear loss"},
    "eos.momentum_threshold": {"S_hb": "sharpness reached by heavy ball", "S_nag": "sharpness reached by Nesterov"},
    "eos.adam_preconditioned": {"S_P": "preconditioned sharpness lambda_1(P^-1 H)"},
    "gd.descent_lemma": {"g": "gradient norm ||grad f(x)||"},
    "gd.nonconvex_gradient_norm": {"m": "min_{t<T} ||grad f(x_t)||^2", "f_0": "initial loss f(x_0)",
                                   "f_inf": "lower bound inf f"},
    "gradcheck.centered_order": {"p": "order of the centered difference's error in h"},
    "gradcheck.forward_order": {"p": "order of the forward difference's error in h"},
    "gradcheck.optimal_h": {"hs": "optimal finite-difference step h*", "eps": "unit round-off",
                            "a": "rate of f(x) = exp(a x)"},
    "gradcheck.relu_kink": {"err": "relative error of the centered quotient",
                            "r": "distance to the kink in units of h"},
    "implicit.min_norm": {"a1": "row entry a_1 of A", "a2": "row entry a_2 of A", "b": "target b",
                          "x1": "coordinate 1 of the iterate", "x2": "coordinate 2 of the iterate"},
    "implicit.max_margin": {"g": "margin-related gradient scale of the data", "h1": "data coordinate h_1",
                            "h2": "data coordinate h_2", "t": "GD step count"},
    "momentum.heavy_ball_recurrence": {"z": "root of the characteristic polynomial"},
    "momentum.nesterov_rate": {"gap": "f(x_N) - f* of Nesterov's method"},
    "momentum.greedy_is_cg": {"x_cg_t": "t-th conjugate-gradient iterate", "x_greedy_t": "t-th greedy heavy-ball iterate"},
    "muon.newton_schulz": {"s": "singular value of the iterate"},
    "muon.quintic_band": {"s": "singular value of the normalized iterate"},
    "newton.one_step_quadratic": {"bb": "linear term b of the quadratic", "x0": "starting point"},
    "newton.quadratic_convergence": {"M": "Lipschitz constant of the Hessian", "e": "error ||x_k - x*||",
                                     "e_next": "error after one Newton step"},
    "newton.nonconvex_ascent": {"t": "x_0^2 / a (start relative to the inflection)"},
    "nqm.sgd_recurrence": {"a": "preconditioned step alpha p_i", "ell_inf": "stationary expected loss per coordinate",
                           "s": "second moment E[theta^2]", "s_next": "second moment after one step",
                           "h": "curvature h_i"},
    "nqm.momentum_recurrence": {"A": "E[theta^2]", "V": "E[v^2] (momentum buffer)", "C": "E[theta v]",
                                "A_next": "E[theta^2] after one step", "V_next": "E[v^2] after one step",
                                "C_next": "E[theta v] after one step", "a": "step alpha h^-power",
                                "c": "gradient noise variance h/B", "h": "curvature"},
    "nqm.critical_batch_size": {"s": "second moment E[theta^2]", "h": "curvature"},
    "nqm.short_horizon_bias": {"h1": "curvature h_1", "h2": "curvature h_2", "s1": "second moment E[theta_1^2]",
                               "s2": "second moment E[theta_2^2]"},
    "rmsprop.ewma_weights": {"W": "total weight of g_1..g_t in v_t", "b": "decay rate beta"},
    "sanity.initial_softmax_loss": {"loss": "initial cross-entropy loss", "C": "number of classes"},
    "scale.exp_lr_equivalence": {"a": "decay factor 1 - eta lambda", "gu": "gradient at u",
                                 "u": "rescaled weights w_t / a^t"},
    "scale.norm_dynamics": {"k": "gradient scale (g = k(-w_2, w_1))", "lam": "weight decay"},
    "scale.equilibrium": {"lam": "weight decay"},
    "scale.lr_decay_sqrt10": {"lam": "weight decay"},
    "scale.intrinsic_lr": {"lam": "weight decay"},
    "schedule.cosine_average": {"avg": "average learning rate over a cycle", "alpha0": "initial learning rate",
                                "alpha_min": "final learning rate"},
    "schedule.monotone": {"alpha0": "initial learning rate", "gamma": "decay factor per step",
                          "beta": "polynomial decay power"},
    "schedule.endpoints": {"k_half": "step at which the polynomial schedule halves",
                           "beta": "polynomial decay power"},
    "sgd.with_replacement_coverage": {"C": "expected fraction of distinct examples seen in one epoch"},
    "sgd.minibatch_variance": {"V": "variance of the minibatch mean (with replacement)",
                               "C": "variance of the minibatch mean (without replacement)", "b": "minibatch size",
                               "s2": "population variance"},
    "sgd.convex_rate": {"Fbar": "E f(xbar_T) - f*", "Dsq": "squared initial distance ||x_0 - x*||^2",
                        "s2": "bound on the gradient noise variance"},
    "smoothness.quadratic": {"d1": "coordinate 1 of Q^T(x - y)", "d2": "coordinate 2 of Q^T(x - y)",
                             "l1": "Hessian eigenvalue l_1", "l2": "Hessian eigenvalue l_2"},
    "yogi.bounded_change": {"dv": "change v_t - v_(t-1) per unit g_t^2 scale", "G": "squared gradient g_t^2",
                            "b": "decay rate beta_2"},
    # claims added with the seed statements (issue 14) and the real-data EoS claim (issue 17)
    "adagrad.nonstationary": {"ada_eff": "AdaGrad's step per unit gradient after the drop",
                              "rms_eff": "RMSProp's step per unit gradient after the drop",
                              "t0": "number of steps with the large gradient G", "G": "gradient before the drop",
                              "k": "steps since the drop"},
    "flow.gd_to_gradient_flow": {"r": "largest GD-to-flow deviation per unit eta |x0|",
                                 "ups": "largest one-step loss increase (<= 0: the loss is monotone)"},
    "gradcheck.optimal_h": {"hf": "optimal forward-difference step", "hs": "optimal centered-difference step",
                            "eps": "unit round-off", "a": "rate of the test function exp(a x)"},
    "gradcheck.weight_decay_masks": {"rel": "gradient check's relative error", "g_d": "data-loss gradient",
                                     "w": "the weight", "c": "factor by which the bug scales the data gradient"},
    "landscape.chord_convexity": {"gap": "largest normalized excess of the graph over its chords",
                                  "r_q": "chord gap of a z^2/2 per unit a (x - y)^2",
                                  "theta": "position along the chord, in [0, 1]"},
    "landscape.stationary_is_global": {"gmin": "smallest f(y) - f(x_s) over the sampled points y"},
    "landscape.indefinite_at_init": {"ratio": "smallest over largest Hessian eigenvalue at initialization"},
    "linesearch.armijo": {"dec": "decrease per unit c eta |g|^2 of an accepted step",
                          "eta_min": "smallest accepted step", "c": "Armijo constant",
                          "rho": "backtracking factor"},
    "momentum.greedy_is_cg": {"e_t": "A-norm error after t steps per unit initial A-norm error",
                              "final": "distance to x* after d steps", "gap": "largest distance between greedy heavy-ball and CG iterates"},
    "momentum.effective_step": {"eta_eff": "heavy ball's limiting step per unit gradient"},
    "newton.global_phase": {"dist": "damped Newton's final distance to the minimizer minus the tolerance",
                            "x": "current iterate", "x_next": "pure Newton's next iterate",
                            "c": "scale of f(x) = sqrt(c^2 + x^2)"},
    "nqm.critical_batch_size": {"r_small": "steps-to-target ratio per batch doubling below the critical batch size",
                                "r_large": "steps-to-target ratio per batch doubling above it",
                                "g_mom": "critical batch size with momentum over without",
                                "g_pre": "critical batch size with preconditioning over without"},
    "precond.rescale_is_lr": {"eta_eff": "step along P^-1 grad f per unit gradient with the preconditioner c P"},
    "precond.sqrt_kappa": {"kappa_pre": "condition number after Lambda^(1/2) preconditioning"},
    "precond.eps_damping_lr": {"eta_adam": "Adam's step per unit gradient when eps dominates",
                               "eta_kfac": "K-FAC's step per unit gradient when the damping dominates",
                               "eps": "Adam's epsilon", "lam": "K-FAC's damping lambda"},
    "sanity.regularization_raises_loss": {"Sxx": "sum of squared inputs", "slope": "derivative of the training loss in lam",
                                          "train_loss": "training loss of the ridge solution",
                                          "w0": "true weight", "lam": "L2 regularization strength"},
    "sgd.unbiased_gradient": {"r": "mean one-example gradient projected on the full gradient, per unit"},
    "sgd.reshuffling": {"sigma2": "population variance of the targets a_i",
                        "v_wr": "error variance after one epoch, sampling with replacement",
                        "v_rr": "error variance after one epoch, random reshuffling"},
}

# the seed claims of issue 14 (item 6), second batch
CLAIM_SYMBOLS.update({
    "centralflow.rmsprop": {"a": "curvature of the top coordinate", "lr_eff": "time-averaged effective learning "
                            "rate eta/sqrt(nu)", "x2": "time-averaged x^2 on that coordinate"},
    "centralflow.several_edges": {"excess": "GD's time-averaged excess loss", "n_edge": "number of oscillating "
                                  "directions", "a1": "curvature a_1", "a2": "curvature a_2", "a3": "curvature a_3"},
    "chaos.lyapunov": {"lyap": "Lyapunov exponent of the logistic map at r = 4",
                       "lyap_window": "its Lyapunov exponent in the period-3 window"},
    "chaos.period_three": {"missing": "number of periods k <= 16 with no point of least period k",
                           "period": "least period of the attracting cycle", "h": "topological entropy"},
    "ema.tracks_time_average": {"A": "half-swing |p - q|/2 of GD's 2-cycle", "amp": "half-swing of the EMA",
                                "m": "time average (p + q)/2 of GD's 2-cycle", "mid": "midpoint of the EMA's 2-cycle"},
    "gradcheck.depth_error": {"D": "network depth", "rel": "relative error of the directional gradient check"},
    "gradcheck.special_point": {"rel": "gradient check's relative error after burn-in", "rel0": "its relative error "
                                "at zero weights", "t": "tanh activation tanh(w . x) after burn-in"},
    "gradcheck.dropout_seed": {"S2": "sum_j x_j^2 w_j^2", "e_fixed": "max |numeric - backward| with a fixed seed",
                               "p": "dropout probability", "v": "variance of the numeric gradient with fresh masks",
                               "x_i": "input of the checked coordinate"},
    "gradcheck.float32_loss_scale": {"z_scaled": "largest error of the scaled check in units of u(|f+| + |f-|)/(2h)",
                                     "z_tiny": "RMS error of the tiny-loss check in units of 2^-149/(2h)"},
    "landscape.saddles_outnumber_minima": {"p_min": "probability that a 2-D critical point is a minimum",
                                           "p_saddle": "probability that it is a saddle",
                                           "q": "P(minimum, dim N + 1)/P(minimum, dim N)"},
    "sanity.overfit_small": {"loss_final": "mean training loss after GD", "m": "number of random features",
                             "n": "number of samples"},
    "scale.last_decay_matters": {"eta_last": "last learning rate of the history",
                                 "x_final": "equilibrium ||w||^4 under the last learning rate"},
    "schedule.cosine_pinned": {"H": "horizon (number of steps run)", "alpha0": "initial learning rate",
                               "alpha_min": "final learning rate alpha_T, kept after T",
                               "avg": "average learning rate over [0, H]", "top": "largest learning rate after T"},
    "sgd.sqrt_schedule": {"p": "log-log slope of the averaged suboptimality in T"},
    "sgd.data_parallel": {"B_eff": "effective batch size sigma^2/Var(all-reduced gradient)",
                          "b": "examples per worker", "dev": "relative gap between all-reduced and one-batch gradient",
                          "gpus": "GPUs per server", "servers": "number of servers"},
})


def register(claim_id: str, symbols: dict[str, str]) -> None:
    """Add meanings for a (plugin) claim's names."""
    CLAIM_SYMBOLS.setdefault(claim_id, {}).update(symbols)


def undefined(claim_id: str, name: str) -> bool:
    return name not in CLAIM_SYMBOLS.get(claim_id, {}) and name not in SYMBOLS


def define(claim_id: str, name: str) -> str:
    own = CLAIM_SYMBOLS.get(claim_id, {})
    if name in own:
        return own[name]
    if name in SYMBOLS:
        return SYMBOLS[name]
    return f"a variable of {claim_id} (see its documentation)"
