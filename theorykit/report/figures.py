"""Figures keyed by claim id: predicted curves with measured points on top.

Each figure draws the claim's own formulas (SymPy conditions from
``theorykit.symbolic.stability`` or the claim checks' ``predict``) and overlays
what the probes *measure* by running the methods (the checks' ``measure`` or
``stability_threshold``), so a wrong formula shows up as points off the curve.

matplotlib is imported lazily with the Agg backend (no display needed); when
it is missing, ``render`` raises ``PlotUnavailable`` with the install hint.

    render("momentum.heavy_ball_stability", "regions.png")
    figure_ids()  # ids that have a figure
"""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Callable

from ..errors import InputError, TheorykitError

__all__ = ["PlotUnavailable", "FIGURES", "figure_ids", "render", "stability_regions", "optimal_rates"]

_PLOT_HINT = "figures need matplotlib: pip install 'theorykit[plot]'"
_FORMATS = (".png", ".pdf", ".svg")


class PlotUnavailable(TheorykitError, RuntimeError):
    """matplotlib is not installed."""


def _pyplot():
    if importlib.util.find_spec("matplotlib") is None:
        raise PlotUnavailable(_PLOT_HINT)
    import matplotlib

    matplotlib.use("Agg", force=True)  # files only; never opens a window
    import matplotlib.pyplot as plt

    return plt


def _context(seed: int, backend: str):
    import numpy as np

    from ..claims.claim import Context
    from ..numeric.backend import get_namespace

    return Context(xp=get_namespace(backend), backend=backend, seed=seed, rng=np.random.default_rng(seed))


# --------------------------------------------------------------------------- stability regions
def _region_panel(ax, method: str, conditions, h, beta, betas_measured, seed, backend, extra=None):
    """Shade where the symbolic conditions hold, draw the boundary solved from them,
    and put the thresholds measured by bisection on runs on top."""
    import numpy as np
    import sympy

    from ..numeric.probes import stability_threshold
    from ..symbolic.stability import stability_interval

    hs = np.linspace(0.0, 4.2, 421)
    bs = np.linspace(0.0, 0.99, 100)
    holds = sympy.lambdify((h, beta), sympy.And(*conditions), modules="numpy")
    H, B = np.meshgrid(hs, bs)
    inside = np.asarray(holds(H, B), dtype=float) * np.ones_like(H)
    ax.contourf(H, B, inside, levels=[0.5, 1.5], colors=["#c6dbef"])
    # the upper boundary h_max(beta), solved exactly at rational beta from the same conditions
    grid = [sympy.Rational(i, 40) for i in range(40)]
    tops = []
    for bv in grid:
        region = stability_interval(conditions, h, {beta: bv})
        tops.append(float(region.sup) if region.is_Interval else math.nan)
    ax.plot(tops, [float(bv) for bv in grid], color="#08519c", lw=2, label="symbolic boundary (Jury)")
    measured = [float(stability_threshold(method, [1.0], momentum=bv, rtol=1e-6, seed=seed, backend=backend))
                for bv in betas_measured]
    ax.plot(measured, betas_measured, "o", color="#d94801", ms=5, label="measured: bisection on runs")
    if extra is not None:
        extra(ax)
    ax.set_xlim(0, 4.2)
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"$\eta\lambda$")
    ax.set_ylabel(r"momentum $\beta$")


def stability_regions(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """Heavy-ball and Nesterov stability regions in the (ηλ, β) plane."""
    plt = _pyplot()
    import numpy as np
    import sympy

    from ..symbolic.stability import characteristic_polynomial, companion_matrix, jury_conditions

    h, beta, z, lam = (sympy.Symbol(n, real=True) for n in ("h", "beta", "z", "lambda"))
    betas = [round(v, 3) for v in np.linspace(0.0, 0.95, 12)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)

    def complex_regime(ax):
        # heavy ball's complex-root regime (1 - sqrt(beta))^2 < h < (1 + sqrt(beta))^2 (momentum.complex_root_modulus)
        b = np.linspace(0, 0.99, 200)
        ax.plot((1 - np.sqrt(b)) ** 2, b, "--", color="gray", lw=1)
        ax.plot((1 + np.sqrt(b)) ** 2, b, "--", color="gray", lw=1, label=r"complex roots, $|z|=\sqrt{\beta}$")

    for ax, method, title, extra in ((axes[0], "heavy_ball", "heavy ball", complex_regime),
                                     (axes[1], "nesterov", "Nesterov", None)):
        p = characteristic_polynomial(companion_matrix(method, h / lam, beta, lam), z)
        _region_panel(ax, method, jury_conditions(p, z), h, beta, betas, seed, backend, extra)
        ax.set_title(f"{title}: all roots of $p(z)$ in the unit disk")
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle("Stability regions on quadratics (shaded: Jury conditions hold)")
    return _save(fig, path, dpi, plt)


# --------------------------------------------------------------------------- optimal rates
def optimal_rates(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """1 − ρ against κ (log–log) for tuned GD, heavy ball and Nesterov: each claim
    check's predicted curve with its measured points."""
    plt = _pyplot()
    import numpy as np

    from ..claims.registry import get_claim

    hb_gd = get_claim("momentum.hb_beats_gd")
    nag = get_claim("momentum.nesterov_rate")
    ctx = _context(seed, backend)
    kappas = np.geomspace(1.05, 1e4, 200)
    kappas_measured = np.geomspace(1.5, 1e4, 9)
    series = [
        ("GD, η = 2/(L+μ)", hb_gd.check_named("gd_rate"), lambda k: {"kappa": float(k), "n": 3}, "#6a51a3"),
        ("heavy ball, (η*, β*)", hb_gd.check_named("hb_rate"), lambda k: {"kappa": float(k), "n": 3}, "#d94801"),
        ("Nesterov, η = 1/L, β = (√κ−1)/(√κ+1)", nag.check_named("rate"), _nag_params, "#238b45"),
    ]
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for label, check, params, color in series:
        pred = [1 - check.predict(params(k)) for k in kappas]
        meas = [1 - check.measure(params(k), ctx) for k in kappas_measured]
        ax.loglog(kappas, pred, color=color, lw=2, label=f"{label}: predicted")
        ax.loglog(kappas_measured, meas, "o", color=color, mfc="white", ms=6, label="measured (linear_rate)")
    ax.set_xlabel(r"condition number $\kappa = L/\mu$")
    ax.set_ylabel(r"$1 - \rho$  (per-step contraction gap)")
    ax.set_title("Optimally tuned rates on quadratics")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    return _save(fig, path, dpi, plt)


def _nag_params(k) -> dict:
    return {"mu": 1.0, "L": float(k), "n": 3}


# --------------------------------------------------------------------------- registry
FIGURES: dict[str, Callable[..., Path]] = {
    "momentum.heavy_ball_stability": stability_regions,
    "momentum.nesterov_stability": stability_regions,
    "momentum.heavy_ball_optimal": optimal_rates,
    "momentum.nesterov_rate": optimal_rates,
    "momentum.hb_beats_gd": optimal_rates,
}


def figure_ids() -> list[str]:
    return sorted(FIGURES)


def _save(fig, path, dpi, plt) -> Path:
    path = Path(path)
    try:
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path


def unknown_figure_message(claim_id: str) -> str:
    """'no figure for X; did you mean Y?' with the close ids first (a typo is the usual
    cause), then every id that has a figure."""
    import difflib

    ids = figure_ids()
    close = difflib.get_close_matches(str(claim_id), ids, n=3, cutoff=0.6)
    family = str(claim_id).partition(".")[0]
    if not close:  # a wrong name in a right family: that family's figures
        close = [i for i in ids if i.partition(".")[0] == family][:3]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"no figure for {claim_id!r}{hint} (figures exist for: {', '.join(ids)})"


def render(claim_id: str, path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """Draw the figure of ``claim_id`` into ``path`` (.png, .pdf or .svg)."""
    if claim_id not in FIGURES:
        raise InputError("ID", unknown_figure_message(claim_id))
    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise InputError("PATH", f"unsupported file type {path.suffix or '(none)'!r}; use one of {', '.join(_FORMATS)}")
    if not path.parent.exists():
        raise InputError("PATH", f"directory {str(path.parent)!r} does not exist")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise InputError("dpi", f"must be an integer in [20, 1200], got {dpi!r}")
    return FIGURES[claim_id](path, seed=seed, backend=backend, dpi=dpi)


def _register_family_figures() -> None:
    # Family figure modules keep their plotting next to their claims' numerics;
    # they import helpers from this module, so they are merged in last.
    from .figures_dynamics import FIGURES as dynamics
    from .figures_modern import FIGURES as modern
    from .figures_stochastic import FIGURES as stochastic

    for extra in (dynamics, modern, stochastic):
        clash = set(extra) & set(FIGURES)
        if clash:
            raise RuntimeError(f"figure ids registered twice: {sorted(clash)}")
        FIGURES.update(extra)


_register_family_figures()
