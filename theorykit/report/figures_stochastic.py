"""Figures of the stochastic families (NQM), keyed by claim id.

* ``critical_batch_figure``: tuned steps-to-target against batch size (log-log)
  for SGD, heavy-ball momentum and a preconditioner, with the perfect-scaling
  line and each measured critical batch size.
* ``short_horizon_figure``: expected loss over time for the greedy schedule, the
  best constant lr and the best tuned alpha0/(1 + k/K)^beta, and the three lr curves.

Every curve is measured on the exact NQM recurrence (``theorykit.numeric.nqm``).
matplotlib is imported lazily with the Agg backend. Register with

    from theorykit.report.figures_stochastic import FIGURES as STOCHASTIC
    FIGURES.update(STOCHASTIC)        # in theorykit/report/figures.py
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["FIGURES", "batch_sweep", "critical_batch_figure", "short_horizon_figure"]


def batch_sweep(batches, *, d=100, target_frac=0.01, variants=None) -> dict:
    """{variant: steps (len(batches),)} with the lr tuned per batch size (exact recurrence)."""
    import numpy as np

    from ..numeric.nqm import VARIANTS, harmonic_spectrum, tuned_steps

    h = harmonic_spectrum(d)
    target = target_frac * 0.5 * float(h.sum())
    out = {}
    for name, kw in (variants or VARIANTS).items():
        out[name] = np.array([tuned_steps(h, float(b), target=target, **kw) for b in batches])
    return out


def critical_batch_figure(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120, d: int = 100,
                          target_frac: float = 0.01) -> Path:
    import numpy as np

    from ..numeric.nqm import critical_batch_sizes
    from .figures import _pyplot, _save

    plt = _pyplot()
    batches = 2.0 ** np.arange(2, 16)
    sweep = batch_sweep(batches, d=d, target_frac=target_frac)
    crit = critical_batch_sizes(d, target_frac)
    labels = {"sgd": "SGD", "momentum": r"heavy ball ($\beta$ tuned)", "precond": r"preconditioned $h^{-1/2}$"}
    colors = {"sgd": "#08519c", "momentum": "#d94801", "precond": "#238b45"}
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name, steps in sweep.items():
        ax.loglog(batches, steps, "o-", ms=4, color=colors[name], label=f"{labels[name]}: $B_{{crit}}$ = {crit[name][0]:.0f}")
        bc, s_ref, s_inf = crit[name]
        ax.loglog(batches, np.maximum(s_ref * 16.0 / batches, s_inf), ":", color=colors[name], lw=1)
        ax.axvline(bc, color=colors[name], lw=0.8, alpha=0.5)
    ax.set_xlabel("batch size B")
    ax.set_ylabel("steps to target (lr tuned per B)")
    ax.set_title(f"NQM, $h_i = 1/i$, d = {d}, target = {target_frac:g} x initial loss")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


def short_horizon_figure(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120, d: int = 100,
                         T: int = 1000, batch_size: float = 4.0) -> Path:
    import numpy as np

    from ..numeric.nqm import (
        expected_loss,
        greedy_schedule,
        harmonic_spectrum,
        polynomial_grid,
    )
    from .figures import _pyplot, _save

    plt = _pyplot()
    h = harmonic_spectrum(d)
    greedy_lrs, _ = greedy_schedule(h, T, batch_size)
    top = 2.0 / float(np.max(h))
    const = top * np.geomspace(1e-3, 0.995, 120)
    fixed = expected_loss(h, np.repeat(const[:, None], T, axis=1), batch_size=batch_size)
    best_const = const[int(np.argmin(fixed[:, -1]))]
    grid, poly_lrs = polynomial_grid(T, top)
    poly = expected_loss(h, poly_lrs, batch_size=batch_size)
    j = int(np.argmin(poly[:, -1]))
    curves = {
        "greedy (one-step optimal)": (greedy_lrs, expected_loss(h, greedy_lrs, batch_size=batch_size)),
        f"best constant lr = {best_const:.3g}": (np.full(T, best_const), fixed[int(np.argmin(fixed[:, -1]))]),
        r"best $\alpha_0/(1+k/K)^\beta$" + " = {:.3g}/(1+k/{:.3g})^{:g}".format(*grid[j]): (poly_lrs[j], poly[j]),
    }
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for (label, (lrs, loss)), color in zip(curves.items(), ("#d94801", "#08519c", "#238b45")):
        ax1.loglog(np.arange(1, T + 2), loss, color=color, label=label)
        ax2.loglog(np.arange(1, T + 1), lrs, color=color, label=label)
    ax1.set_xlabel("step k + 1")
    ax1.set_ylabel("expected loss (exact)")
    ax1.set_title(f"Short-horizon bias: NQM d = {d}, B = {batch_size:g}, horizon {T}")
    ax2.set_xlabel("step k + 1")
    ax2.set_ylabel("learning rate")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


FIGURES: dict[str, Callable[..., Path]] = {
    "nqm.critical_batch_size": critical_batch_figure,
    "nqm.short_horizon_bias": short_horizon_figure,
}
