"""The figure of ``theorykit eos MODEL``: loss and sharpness of a user's training run.

Top: the training loss (log scale). Bottom: the measured sharpness (Lanczos every
``every`` steps) with the method's threshold, the band around it, the
progressive-sharpening phase, and the plateau window with its mean and interval.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from .figures import _pyplot

__all__ = ["eos_run_figure"]

_FORMATS = (".png", ".pdf", ".svg")
_LABELS = {"gd": "2/η", "hb": "(2+2β)/η", "nesterov": "(2+2β)/(η(1+2β))", "adam": "(2+2β₁)/(η(1−β₁))"}


def eos_run_figure(trace: Any, summary: Any, path: str | Path, *, title: str = "", dpi: int = 120) -> Path:
    """Draw ``trace`` (an ``EoSTrace``) and its ``summary`` into ``path`` (.png, .pdf, .svg)."""
    import numpy as np

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise InputError("--plot", f"unsupported format {path.suffix!r}; use one of {', '.join(_FORMATS)}")
    if not path.parent.exists():
        raise InputError("--plot", f"directory {str(path.parent)!r} does not exist")
    plt = _pyplot()
    fig, (ax_l, ax_s) = plt.subplots(2, 1, figsize=(7.5, 6.0), sharex=True, constrained_layout=True)
    steps = np.arange(trace.loss.size)
    ax_l.semilogy(steps, np.maximum(trace.loss, 1e-300), color="tab:blue", lw=0.9)
    ax_l.set_ylabel("training loss")
    ax_l.grid(alpha=0.3)
    thr, band = summary.threshold, summary.band
    ax_s.axhspan((1 - band) * thr, (1 + band) * thr, color="tab:red", alpha=0.12, lw=0,
                 label=f"threshold ±{band:.0%}")
    ax_s.axhline(thr, color="tab:red", ls="--", lw=1.2, label=f"{_LABELS[trace.optimizer]} = {thr:.4g}")
    if summary.reached_step is not None and summary.reached_step > summary.sharpening_start:
        ax_s.axvspan(summary.sharpening_start, summary.reached_step, color="tab:green", alpha=0.10, lw=0,
                     label="progressive sharpening")
    what = "λ₁(P⁻¹H)" if trace.optimizer == "adam" else "λ₁(H)"
    ax_s.plot(trace.sample_steps, trace.sharpness, ".-", color="black", ms=2.5, lw=0.7, label=f"measured {what}")
    if summary.plateau_mean is not None:
        a, b = summary.plateau_steps
        lo, hi = summary.plateau_ci
        ax_s.fill_between([a, b], [lo, lo], [hi, hi], color="tab:orange", alpha=0.35, lw=0,
                          label=f"plateau mean {summary.plateau_mean:.4g} ({summary.level:.0%} CI)")
        ax_s.plot([a, b], [summary.plateau_mean] * 2, color="tab:orange", lw=1.5)
    ax_s.set_xlabel("step")
    ax_s.set_ylabel("sharpness")
    ax_s.grid(alpha=0.3)
    top = max(float(np.nanmax(trace.sharpness)) if trace.sharpness.size else thr, (1 + band) * thr)
    ax_s.set_ylim(0, 1.1 * top)
    ax_s.legend(loc="lower right", fontsize=8)
    name = {"gd": "GD", "hb": "heavy ball", "nesterov": "Nesterov", "adam": "Adam"}[trace.optimizer]
    ax_l.set_title(title or f"{name}, η = {trace.lr:g}" + (f", β = {trace.momentum:g}" if trace.momentum else ""))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
