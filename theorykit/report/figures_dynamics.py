"""Figures for the training-dynamics claims: edge of stability, catapult, central flow.

Each function has the signature of ``theorykit.report.figures.FIGURES`` entries,
``f(path, *, seed=0, backend="numpy", dpi=120) -> Path``, and draws what is *measured*
by running the methods (Lanczos sharpness on exact HVPs, GD on the catapult model,
solve_ivp for the flows) next to the predicted levels (2/eta, 2/eta and 4/eta lines).
``FIGURES`` maps claim ids to them; the figure registry can merge it with
``FIGURES.update(figures_dynamics.FIGURES)``.

matplotlib is imported lazily with the Agg backend.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["FIGURES", "catapult_dynamics", "flows_loss", "sharpness_vs_step"]

_FORMATS = (".png", ".pdf", ".svg")


def _pyplot():
    from .figures import (
        _pyplot as pyplot,  # one place decides how matplotlib is loaded (Agg, hint)
    )

    return pyplot()


def _target(path) -> Path:
    from ..errors import InputError

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise InputError("path", f"unsupported file type {path.suffix or '(none)'!r}; use one of {', '.join(_FORMATS)}")
    if not path.parent.exists():
        raise InputError("path", f"directory {str(path.parent)!r} does not exist")
    return path


def _save(fig, path: Path, dpi: int, plt) -> Path:
    try:
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path


def sharpness_vs_step(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120,
                      lrs=(0.4, 0.25), steps: int = 3000) -> Path:
    """Lanczos sharpness every 25 GD steps for several step sizes, with the 2/eta lines (eos.gd_sharpness)."""
    from ..numeric.eos import TrainConfig, train

    path = _target(path)
    plt = _pyplot()
    fig, (ax_s, ax_l) = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, lr in enumerate(lrs):
        r = train(TrainConfig(lr=float(lr), steps=int(steps), net_seed=int(seed)))
        c = colors[i % len(colors)]
        ax_s.plot(r.sample_steps, r.sharpness, color=c, label=rf"$\eta={lr:g}$")
        ax_s.axhline(2 / lr, color=c, ls="--", lw=1)
        ax_l.semilogy(r.loss, color=c, lw=0.8, label=rf"$\eta={lr:g}$")
    ax_s.set_xlabel("step")
    ax_s.set_ylabel(r"sharpness $\lambda_1(\nabla^2 L)$ (Lanczos)")
    ax_s.set_title(r"GD: sharpness rises to $2/\eta$ (dashed)")
    ax_s.legend(fontsize=8)
    ax_l.set_xlabel("step")
    ax_l.set_ylabel("training loss")
    ax_l.set_title("loss: non-monotone, decreasing over the long run")
    ax_l.legend(fontsize=8)
    return _save(fig, path, dpi, plt)


def flows_loss(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120, window: int = 400) -> Path:
    """GD loss, gradient-flow loss and the central flow's predicted loss from the EoS onset (centralflow.gd)."""
    import numpy as np

    from ..numeric.centralflow import compare_flows

    path = _target(path)
    plt = _pyplot()
    c = compare_flows(32, 0.4, int(seed), int(window))
    steps = np.arange(c.gd_loss.shape[0])
    fig, (ax_l, ax_s) = plt.subplots(1, 2, figsize=(10, 4))
    ax_l.semilogy(steps, c.gd_loss, color="0.6", lw=0.7, label="GD")
    cum = np.cumsum(c.gd_loss) / (steps + 1)
    ax_l.semilogy(steps, cum, color="k", lw=1.2, label="GD, running mean")
    ax_l.semilogy(c.t, c.gradient.loss, "C0", label="gradient flow")
    ax_l.semilogy(c.t, c.central.predicted_loss, "C3", label=r"central flow $L + \sigma^2 S/2$")
    pred_cum = np.concatenate([[c.central.predicted_loss[0]], [
        np.trapezoid(c.central.predicted_loss[: k + 1], c.t[: k + 1]) / c.t[k] for k in range(1, c.t.shape[0])]])
    ax_l.semilogy(c.t, pred_cum, "C3", ls="--", label="central flow, running mean")
    ax_l.set_xlabel(f"steps after the EoS onset (step {c.onset})")
    ax_l.set_ylabel("loss")
    ax_l.legend(fontsize=7)
    ax_s.plot(c.t, c.central.sharpness, "C3", label="central flow")
    ax_s.plot(c.t, c.gradient.sharpness, "C0", label="gradient flow")
    ax_s.axhline(2 / 0.4, color="k", ls="--", lw=1, label=r"$2/\eta$")
    ax_s.set_xlabel("steps after the onset")
    ax_s.set_ylabel("sharpness")
    ax_s.legend(fontsize=7)
    return _save(fig, path, dpi, plt)


def catapult_dynamics(path, *, seed: int = 0, backend: str = "numpy", dpi: int = 120,
                      hs=(1.5, 2.5, 3.5, 4.1), n: int = 2048, steps: int = 60) -> Path:
    """Loss and eta*lambda over GD steps on the catapult model for several eta*lambda0 (catapult.regimes)."""
    import numpy as np

    from ..numeric.catapult import initial_params, run_catapult

    path = _target(path)
    plt = _pyplot()
    lam0 = 2.0
    u, v = initial_params(int(n), 1.0, lam0, 1.0, np.random.default_rng(seed))
    fig, (ax_l, ax_k) = plt.subplots(1, 2, figsize=(10, 4))
    for i, h in enumerate(hs):
        r = run_catapult(u, v, 1.0, h / lam0, int(steps))
        ax_l.semilogy(r.loss, f"C{i}", label=rf"$\eta\lambda_0={h:g}$" + (" (diverges)" if r.diverged else ""))
        ax_k.plot(h / lam0 * r.lam, f"C{i}", label=rf"$\eta\lambda_0={h:g}$")
    ax_k.axhline(2, color="k", ls="--", lw=1)
    ax_k.axhline(4, color="k", ls=":", lw=1)
    ax_k.set_ylim(0, 6)
    ax_l.set_xlabel("step")
    ax_l.set_ylabel(r"loss $f^2/2$")
    ax_l.set_title(f"catapult model, width n = {n}")
    ax_l.legend(fontsize=8)
    ax_k.set_xlabel("step")
    ax_k.set_ylabel(r"$\eta\lambda_t$ (NTK eigenvalue x step)")
    ax_k.set_title(r"$\eta\lambda$ falls below 2 for $2<\eta\lambda_0<4$")
    ax_k.legend(fontsize=8)
    return _save(fig, path, dpi, plt)


FIGURES: dict[str, Callable[..., Path]] = {
    "eos.gd_sharpness": sharpness_vs_step,
    "centralflow.gd": flows_loss,
    "catapult.regimes": catapult_dynamics,
}
