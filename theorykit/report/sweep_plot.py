"""Phase diagrams of a sweep (``theorykit sweep --plot``), matplotlib Agg, imported lazily.

One swept parameter: measured values (markers) against it, the claim's prediction
as a line. Two, one of them with a few values (<= 8, e.g. widths): one series per
value, measured as markers and the prediction dashed in the same colour, against
the other parameter. Two continuous parameters: the plane coloured by
measured / predicted (1 = the claim holds exactly), with the contour where the
ratio is 1. Failed comparisons (the check's own rule) are circled in red, and
points whose measurement raised are drawn as grey crosses.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = ["plot_sweep"]


def _num(rows, key):
    return np.array([float(r[key]) if r.get(key) not in (None, "") else math.nan for r in rows])


def plot_sweep(result, path, *, check: str | None = None, logx: bool | None = None, logy: bool | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check = check or result.checks[0]
    rows = [r for r in result.rows if r["check"] == check]
    swept = list(result.swept)
    fig, ax = plt.subplots(figsize=(6.4, 4.6), dpi=120)
    meas, pred = _num(rows, "measured"), _num(rows, "predicted")
    failed = np.array([not r["passed"] and not r["error"] for r in rows])
    errored = np.array([bool(r["error"]) for r in rows])

    def auto_log(v):
        v = v[np.isfinite(v)]
        return bool(v.size and np.all(v > 0) and v.max() / v.min() > 50)

    if len(swept) == 1 or (len(swept) == 2 and min(len({r[s] for r in rows}) for s in swept) <= 8):
        if len(swept) == 1:
            xname, series = swept[0], [None]
        else:
            counts = {s: len({r[s] for r in rows}) for s in swept}
            sname = min(swept, key=lambda s: counts[s])
            xname = [s for s in swept if s != sname][0]
            series = sorted({r[sname] for r in rows})
        colors = plt.cm.viridis(np.linspace(0.1, 0.85, len(series)))
        for col, sv in zip(colors, series):
            idx = [i for i, r in enumerate(rows) if sv is None or r[sname] == sv]
            x = _num([rows[i] for i in idx], xname)
            order = np.argsort(x)
            lab = "" if sv is None else f"{sname}={sv}: "
            ax.plot(x[order], meas[idx][order], "o", color=col, label=f"{lab}measured")
            ax.plot(x[order], pred[idx][order], "--", color=col if sv is not None else "k", label=f"{lab}predicted")
        x_all = _num(rows, xname)
        if failed.any():
            ax.plot(x_all[failed], meas[failed], "o", mfc="none", mec="red", ms=11, label="check failed")
        if errored.any():
            ax.plot(x_all[errored], np.zeros(int(errored.sum())), "x", color="grey", label="measure raised")
        ax.set_xlabel(xname)
        ax.set_ylabel(f"{check}")
        if logx if logx is not None else auto_log(x_all):
            ax.set_xscale("log")
        if logy if logy is not None else auto_log(np.concatenate([meas, pred])):
            ax.set_yscale("log")
        ax.legend(fontsize=7, ncol=2 if len(series) > 2 else 1)
    else:
        xname, yname = swept[0], swept[1]
        x, y = _num(rows, xname), _num(rows, yname)
        with np.errstate(all="ignore"):
            ratio = meas / pred
        ok = np.isfinite(ratio)
        sc = ax.scatter(x[ok], y[ok], c=ratio[ok], cmap="coolwarm", s=36, vmin=min(0.5, np.nanmin(ratio[ok], initial=1)),
                        vmax=max(1.5, np.nanmax(ratio[ok], initial=1)))
        fig.colorbar(sc, ax=ax, label="measured / predicted")
        if ok.sum() >= 4 and np.nanmin(ratio[ok]) < 1 < np.nanmax(ratio[ok]):
            try:
                ax.tricontour(x[ok], y[ok], ratio[ok], levels=[1.0], colors="k", linewidths=1.2)
            except (ValueError, RuntimeError):  # degenerate triangulation: points only
                pass
        if failed.any():
            ax.plot(x[failed], y[failed], "o", mfc="none", mec="red", ms=11, label="check failed")
        if errored.any():
            ax.plot(x[errored], y[errored], "x", color="grey", label="measure raised")
        ax.set_xlabel(xname)
        ax.set_ylabel(yname)
        if failed.any() or errored.any():
            ax.legend(fontsize=7)
    n_fail = int(failed.sum())
    ax.set_title(f"{result.claim_id}: {check}\n{len(rows)} points, {n_fail} failed the claim's comparison",
                 fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
