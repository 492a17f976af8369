"""Figures for the scale-invariance, deep-linear, implicit-bias and Newton-Schulz claims.

Like ``figures.py``: each figure draws the claim's formula and puts what the methods
*measure* on top (runs of SGD, GD, the matrix iteration), so a wrong formula shows
as points off the curve. matplotlib is imported lazily with the Agg backend.

Every function has the ``figures.FIGURES`` signature ``fn(path, *, seed=0,
backend="numpy", dpi=120) -> Path``; ``FIGURES`` below maps claim ids to them, to
be merged into the main registry (``figures.FIGURES.update(figures_modern.FIGURES)``).
"""
from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from pathlib import Path

__all__ = ["FIGURES", "max_margin_rate", "newton_schulz_maps", "norm_equilibrium", "saxe_trajectories"]

_PLOT_HINT = "figures need matplotlib: pip install 'theorykit[plot]'"


def _pyplot():
    if importlib.util.find_spec("matplotlib") is None:
        from .figures import PlotUnavailable

        raise PlotUnavailable(_PLOT_HINT)
    import matplotlib

    matplotlib.use("Agg", force=True)  # files only; never opens a window
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path, dpi, plt) -> Path:
    path = Path(path)
    try:
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path


def _xp(backend: str):
    from ..numeric.backend import get_namespace

    return get_namespace(backend)


# --------------------------------------------------------------------------- scale.*
def norm_equilibrium(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """||w||^4 and the effective lr eta/||w||^2 of sphere SGD with weight decay, through a
    tenfold lr decay, against the predicted equilibria eta G/(2 lam) and sqrt(2 eta lam/G)."""
    import numpy as np

    from ..numeric.backend import to_numpy
    from ..numeric.scale_invariant import sphere_sgd

    plt = _pyplot()
    d, lr, wd = 8, 0.5, 0.02
    G = d - 1.0  # E||g||^2 ||w||^2 of the sphere-noise loss
    first = int(8 / (lr * wd))
    steps = first + int(8 / (lr / 10 * wd))
    run = sphere_sgd(d, 16, lr, wd, steps, init_norm=10.0, lr_after=lr / 10, switch=first, every=10, rng=seed,
                     xp=_xp(backend))
    t = np.asarray(run.times)
    sq = to_numpy(run.sq_norm)
    eta_t = np.where(t < first, lr, lr / 10)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    a1.semilogy(t, (sq**2).mean(1), lw=1, label=r"measured mean $\|w_t\|^4$ (16 chains)")
    for eta, lo, hi in ((lr, 0, first), (lr / 10, first, steps)):
        a1.hlines(eta * G / (2 * wd), lo, hi, colors="k", linestyles="--")
    a1.plot([], [], "k--", label=r"predicted $\eta G/(2\lambda)$")
    a1.axvline(first, color="0.6", lw=0.8)
    a1.set_xlabel("step")
    a1.set_title(r"norm equilibrium ($\eta\to\eta/10$ at the grey line)")
    a1.legend(fontsize=7)
    a2.semilogy(t, (eta_t[:, None] / sq).mean(1), lw=1, label=r"measured $\eta/\|w_t\|^2$")
    for eta, lo, hi in ((lr, 0, first), (lr / 10, first, steps)):
        a2.hlines(math.sqrt(2 * eta * wd / G), lo, hi, colors="k", linestyles="--")
    a2.plot([], [], "k--", label=r"predicted $\sqrt{2\eta\lambda/G}$ (drops by $\sqrt{10}$)")
    a2.axvline(first, color="0.6", lw=0.8)
    a2.set_xlabel("step")
    a2.set_title("effective learning rate")
    a2.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


# --------------------------------------------------------------------------- deeplinear.saxe
def saxe_trajectories(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """Mode strengths of a simulated two-layer linear net (balanced start and small random
    start) against the closed form u(t) = s e^{2st}/(e^{2st} - 1 + s/u0)."""
    import numpy as np

    from ..numeric.backend import to_numpy
    from ..numeric.deeplinear import balanced_init, two_layer_gd, whitened_task

    plt = _pyplot()
    svals, u0, lr = [3.0, 1.5, 0.75], 1e-3, 2e-3
    rng = np.random.default_rng(seed)
    xp = _xp(backend)
    task = whitened_task(svals, 6, 5, 16, rng, xp=xp)
    steps = int(7.0 / lr)
    W1, W2 = balanced_init(task, 8, u0, rng)
    run = two_layer_gd(task, W1, W2, lr, steps, every=25)
    R1 = xp.asarray(rng.standard_normal((8, 6)) * 0.03)
    R2 = xp.asarray(rng.standard_normal((5, 8)) * 0.03)
    rnd = two_layer_gd(task, R1, R2, lr, steps, every=25)
    t = to_numpy(run.times) * lr
    tt = np.linspace(0, t[-1], 400)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for a, s in enumerate(svals):
        E = np.exp(2 * s * tt)
        line, = ax.plot(tt, s * E / (E - 1 + s / u0), lw=1.5, label=f"closed form, s = {s}")
        ax.plot(t[::6], to_numpy(run.modes)[::6, a], "o", ms=3, color=line.get_color())
        ax.plot(t, to_numpy(rnd.modes)[:, a], ":", lw=1, color=line.get_color())
    ax.plot([], [], "ko", ms=3, label="simulated GD, balanced start")
    ax.plot([], [], "k:", label="simulated GD, small random start")
    ax.set_xlabel(r"time $t$ (steps $\times$ lr, $\tau = 1$)")
    ax.set_ylabel(r"mode strength $u_a = U_a^T W_2 W_1 V_a$")
    ax.set_title("Saxe et al.: stronger modes are learned first")
    ax.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


# --------------------------------------------------------------------------- implicit.max_margin
def max_margin_rate(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """gap(t) * ln t of GD on separable logistic regression (max-margin vector from the QP)
    against the predicted curve from w(t) = w_hat ln t + w_tilde."""
    import numpy as np

    from ..numeric.implicit_bias import direction_gap, logistic_gd, max_margin_direction

    plt = _pyplot()
    g, eta = 0.5, 0.5
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    times = np.unique(np.logspace(1, 4, 30).astype(int))
    rng = np.random.default_rng(seed)
    for h1, h2 in ((1.4, 0.6), (2.0, 0.9), (0.6, 2.0)):
        Z = np.array([[g, h1], [g, -h2], [3.5 * g, 0.4], [4.0 * g, -1.0]])
        y = rng.choice([-1.0, 1.0], size=Z.shape[0])
        X = Z * y[:, None]
        mm = max_margin_direction(X, y)
        run = logistic_gd(_xp(backend).asarray(X), _xp(backend).asarray(y), eta, times.tolist())
        gaps = np.array([direction_gap(run.w[i], mm.w) for i in range(times.size)])
        a1 = h2 / (g * g * (h1 + h2))
        wt2 = math.log(h1 / h2) / (h1 + h2)
        wt1 = (math.log(eta / a1) - h1 * wt2) / g
        tt = np.logspace(1, 4, 200)
        theta = np.arctan(abs(wt2) / (np.log(tt) / g + wt1))
        line, = ax.semilogx(tt, 2 * np.sin(theta / 2) * np.log(tt), lw=1.5, label=f"predicted, h = ({h1}, {h2})")
        ax.semilogx(times, gaps * np.log(times), "o", ms=3, color=line.get_color())
        ax.axhline(g * abs(wt2), color=line.get_color(), ls=":", lw=0.8)
    ax.plot([], [], "ko", ms=3, label="measured GD (w_hat from the QP)")
    ax.plot([], [], "k:", label=r"limit $g|\tilde w_2|$")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"direction gap $\times \ln t$")
    ax.set_title("Soudry et al.: the direction converges like 1/log t")
    ax.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


# --------------------------------------------------------------------------- muon.*
def newton_schulz_maps(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120) -> Path:
    """The cubic and quintic singular-value maps, and measured singular values of the matrix
    iterates (SVD of X_k) against the predicted band / the limit 1."""
    import numpy as np

    from ..numeric.backend import to_numpy
    from ..numeric.newton_schulz import (
        CUBIC,
        MUON_QUINTIC,
        matrix_with_singular_values,
        newton_schulz,
        singular_values,
    )

    plt = _pyplot()
    xp = _xp(backend)
    s = np.linspace(0, 2.0, 400)
    cubic = 1.5 * s - 0.5 * s**3
    a, b, c = MUON_QUINTIC
    quintic = a * s + b * s**3 + c * s**5
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    a1.plot(s, cubic, label=r"cubic $3s/2 - s^3/2$")
    a1.plot(s[s <= 1.25], quintic[s <= 1.25], label="Muon quintic (3.4445, -4.7750, 2.0315)")
    a1.plot(s, s, "k:", lw=0.8, label="identity")
    a1.axvline(math.sqrt(3), color="0.6", lw=0.8)
    a1.axhline(0, color="0.8", lw=0.6)
    rng = np.random.default_rng(seed)
    probe = np.linspace(0.05, 1.95, 14)
    mat = matrix_with_singular_values(probe, (16, 14), rng, xp)
    X1 = newton_schulz(mat.G, 1, coefficients=CUBIC)
    measured = np.diag(to_numpy(mat.U.T @ X1 @ mat.V))  # signed image of each input singular value
    a1.plot(probe, measured, "o", ms=3, color="C0", label=r"measured $u^T X_1 v$ (one matrix step)")
    a1.set_ylim(-1.2, 1.5)
    a1.set_xlabel("input singular value s")
    a1.set_title(r"singular-value maps ($\sqrt{3}$ in grey)")
    a1.legend(fontsize=7)
    G = xp.asarray(rng.standard_normal((64, 67)))
    for coeffs, name, colour in ((CUBIC, "cubic", "C0"), (MUON_QUINTIC, "quintic", "C1")):
        for k in range(9):
            sv = to_numpy(singular_values(newton_schulz(G, k, coefficients=coeffs, normalize=True)))
            a2.plot(np.full(sv.size, k + (0.15 if name == "quintic" else -0.15)), sv, ".", ms=2, color=colour)
        a2.plot([], [], ".", color=colour, label=f"{name}: measured singular values of $X_k$")
    lo, top, env = _quintic_band()
    a2.axhspan(lo, top, color="C1", alpha=0.12, label=f"invariant band [{lo:.4f}, {top:.4f}]")
    a2.axhline(env, color="C1", ls="--", lw=0.8, label=f"envelope q(s_m) = {env:.4f}")
    a2.axhline(1.0, color="k", ls=":", lw=0.8)
    a2.set_xlabel("iteration k (G/||G||_F, Gaussian 64 x 67)")
    a2.set_title("iterates: cubic -> 1, quintic -> band")
    a2.legend(fontsize=7, loc="lower right")
    return _save(fig, path, dpi, plt)


def _quintic_band() -> tuple[float, float, float]:
    """(q(s_c), q(q(s_c)), q(s_m)) from the critical points of q, solved with SymPy."""
    import sympy

    a, b, c = (sympy.Rational(v).limit_denominator(10**6) for v in ("3.4445", "-4.7750", "2.0315"))
    s, r = sympy.symbols("s r", positive=True)
    q = a * s + b * s**3 + c * s**5
    roots = sorted(float(v) for v in sympy.solve(a + 3 * b * r + 5 * c * r**2, r))
    s_m, s_c = math.sqrt(roots[0]), math.sqrt(roots[1])
    qf = sympy.lambdify(s, q)
    lo = qf(s_c)
    return lo, qf(lo), qf(s_m)


FIGURES: dict[str, Callable[..., Path]] = {
    "scale.equilibrium": norm_equilibrium,
    "scale.lr_decay_sqrt10": norm_equilibrium,
    "deeplinear.saxe": saxe_trajectories,
    "implicit.max_margin": max_margin_rate,
    "muon.newton_schulz": newton_schulz_maps,
    "muon.quintic_band": newton_schulz_maps,
}
