"""``theorykit sharpness|gradcheck|eos MODULE:FACTORY``: the catalog's checks on your own model.

MODULE:FACTORY names a function that returns a Problem built by
``theorykit.models.from_jax`` / ``from_torch`` (or their arguments); see
``theorykit.numeric.models.factory``. Everything is measured at (or trained from)
the model's initial parameters ``w0``.

Exit codes: ``sharpness`` 0; ``gradcheck`` 0 when both checks pass, 1 otherwise;
``eos`` 0 when the plateau's interval meets the band around the method's
threshold, 1 when it does not (never reached the edge, left it, or diverged);
2 for bad input (a bad MODULE:FACTORY, option or file), always as one message.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import InputError
from .argtypes import fraction_below_one, positive_int, positive_number

__all__ = ["register", "run_sharpness", "run_gradcheck", "run_eos", "read_preconditioner"]

_pos_int, _pos_float, _unit = positive_int, positive_number, fraction_below_one
_MODEL_HELP = "MODULE:FACTORY, e.g. mymodels:make_problem (a module on the path or a .py file)"


def _common(p, *, json_help: str) -> None:
    p.add_argument("model", metavar="MODULE:FACTORY", help=_MODEL_HELP)
    p.add_argument("--minibatch", type=_pos_int, default=None, metavar="K",
                   help="use the loss on a fixed random minibatch of K examples (default: the model's own loss)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the minibatch and of Lanczos (default 0)")
    p.add_argument("--json", action="store_true", help=json_help)


def register(subparsers) -> None:
    p = subparsers.add_parser("sharpness", help="top Hessian eigenvalues of your model (Lanczos on exact HVPs)",
                              description="The k largest Hessian eigenvalues of MODULE:FACTORY's loss at its "
                                          "initial parameters; with --precond those of P^-1 H.")
    _common(p, json_help="print a JSON object")
    p.add_argument("--k", type=_pos_int, default=1, metavar="K", help="how many eigenvalues (default 1)")
    p.add_argument("--precond", type=Path, default=None, metavar="FILE.npz",
                   help="diagonal preconditioner: an .npz with 'preconditioner' (P > 0), or Adam's second moment "
                        "'exp_avg_sq' (or 'v') with optional 'step', 'beta1', 'beta2', 'eps' "
                        "(P = (1 - b1^t)(sqrt(v/(1 - b2^t)) + eps)); as written by `theorykit eos --save-state`")
    p.add_argument("--lr", type=_pos_float, default=None, metavar="ETA", help="also print 2/ETA for comparison")
    p.set_defaults(func=run_sharpness)

    p = subparsers.add_parser("gradcheck", help="check your model's gradient and HVP against finite differences",
                              description="Compare MODULE:FACTORY's gradient (its backward pass, custom autograd "
                                          "functions included) with finite differences of its loss, and its HVP "
                                          "with differences of the gradient.")
    _common(p, json_help="print a JSON object")
    p.add_argument("--coords", type=_pos_int, default=64, metavar="N",
                   help="gradient coordinates to check, spread evenly (default 64; 6 loss evaluations each)")
    p.add_argument("--rtol", type=_pos_float, default=1e-6, metavar="R", help="relative tolerance (default 1e-6)")
    p.add_argument("--reference", default=None, metavar="MODULE:FACTORY",
                   help="also compare the gradient and HVP with this model's (e.g. the same network with plain "
                        "autodiff instead of your custom backward) at the initial point and two perturbed points")
    p.set_defaults(func=run_gradcheck)

    p = subparsers.add_parser("eos", help="train your model and measure the edge of stability",
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Train MODULE:FACTORY from its initial parameters, measure the sharpness "
                                          "every --every steps, and compare its plateau with the method's "
                                          "threshold: 2/lr (gd), (2+2b)/lr (hb), (2+2b)/(lr(1+2b)) (nesterov), "
                                          "(2+2b1)/(lr(1-b1)) for lambda_1(P^-1 H) (adam).",
                              epilog="exit 0: the plateau's interval meets the band; 1: it does not; 2: bad input")
    _common(p, json_help="print a JSON object instead of the text report")
    p.add_argument("--lr", type=_pos_float, required=True, metavar="ETA", help="learning rate")
    p.add_argument("--steps", type=_pos_int, default=3000, metavar="T", help="training steps (default 3000)")
    p.add_argument("--optimizer", choices=("gd", "hb", "nesterov", "adam"), default=None,
                   help="default gd, or hb when --momentum is given")
    p.add_argument("--momentum", type=_unit, default=None, metavar="B",
                   help="momentum of hb/nesterov, beta1 of adam (default 0.9 for adam)")
    p.add_argument("--every", type=_pos_int, default=10, metavar="K", help="sharpness every K steps (default 10)")
    p.add_argument("--band", type=_unit, default=0.05, metavar="R",
                   help="relative band around the threshold that counts as the edge (default 0.05)")
    p.add_argument("--plot", type=Path, default=None, metavar="PATH", help="draw loss and sharpness (.png/.pdf/.svg)")
    p.add_argument("--save-state", type=Path, default=None, metavar="FILE.npz",
                   help="with adam: save the final second moment for `theorykit sharpness --precond`")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run_eos)


def _load(args):
    from ..numeric.models.factory import load_model

    prob = load_model(args.model)
    if args.minibatch is not None:
        if not callable(getattr(prob, "minibatch", None)):
            raise InputError("--minibatch", f"{args.model} is not an adapter Problem (no .minibatch)")
        if args.minibatch > prob.n_examples:
            raise InputError("--minibatch", f"K = {args.minibatch} exceeds the {prob.n_examples} examples")
        prob = prob.minibatch(args.minibatch, args.seed)
    return prob


def read_preconditioner(path: Path, dim: int):
    """The diagonal P from a --precond file (see the option's help)."""
    import numpy as np

    from ..numeric.models.training import adam_preconditioner

    if not path.is_file():
        raise InputError("--precond", f"no such file: {path}")
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise InputError("--precond", f"{path} is not a readable .npz file ({exc})") from exc
    keys = set(getattr(z, "files", ()))
    if "preconditioner" in keys:
        P = np.asarray(z["preconditioner"], dtype=np.float64).reshape(-1)
    else:
        key = "exp_avg_sq" if "exp_avg_sq" in keys else "v" if "v" in keys else None
        if key is None:
            raise InputError("--precond", f"{path} has neither 'preconditioner' nor 'exp_avg_sq'/'v' (has: "
                                          f"{', '.join(sorted(keys)) or 'nothing'})")
        get = {k: float(z[k]) for k in ("step", "beta1", "beta2", "eps") if k in keys}
        v = np.asarray(z[key], dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise InputError("--precond", f"'{key}' must be finite and >= 0")
        t = get.get("step")
        if t is None:  # no bias correction known: the plain sqrt(v) + eps
            P = np.sqrt(v) + get.get("eps", 1e-8)
        else:
            P = adam_preconditioner(v, t, get.get("beta1", 0.9), get.get("beta2", 0.999), get.get("eps", 1e-8))
    if P.size != dim:
        raise InputError("--precond", f"has {P.size} entries, the model has {dim} parameters")
    if not np.all(np.isfinite(P)) or np.any(P <= 0):
        raise InputError("--precond", "the preconditioner must be finite and > 0")
    return P


def run_sharpness(args) -> int:
    from ..numeric.sharpness import sharpness

    prob = _load(args)
    if args.k > prob.dim:
        raise InputError("--k", f"must be at most the number of parameters ({prob.dim})")
    P = read_preconditioner(args.precond, prob.dim) if args.precond is not None else None
    vals = sharpness(prob, prob.w0, args.k, preconditioner=P, seed=args.seed)
    vals = [float(vals)] if args.k == 1 else [float(x) for x in vals]
    what = "lambda(P^-1 H)" if P is not None else "lambda(H)"
    out = {"model": args.model, "params": prob.dim, "examples": getattr(prob, "n_examples", None),
           "preconditioned": P is not None, "eigenvalues": vals}
    if args.lr is not None:
        out["two_over_lr"] = 2 / args.lr
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"{args.model}: {prob!r}")
    for i, v in enumerate(vals, 1):
        print(f"  {what}_{i} = {v:.10g}")
    if args.lr is not None:
        print(f"  2/lr = {2 / args.lr:.10g}  (lambda_1 * lr / 2 = {vals[0] * args.lr / 2:.4g})")
    return 0


def run_gradcheck(args) -> int:
    import numpy as np

    from ..numeric.gradcheck import gradcheck, gradcheck_hvp

    prob = _load(args)
    w = np.asarray(prob.w0, dtype=np.float64)
    coords = np.unique(np.linspace(0, prob.dim - 1, min(args.coords, prob.dim)).astype(int))
    g = gradcheck(prob, w, coords=coords, rtol=args.rtol)
    v = np.random.default_rng(args.seed).standard_normal(prob.dim)
    h = gradcheck_hvp(prob, w, v, rtol=max(args.rtol, 1e-6))
    ok = bool(g.passed and h.passed)
    ref = _compare_reference(args, prob, v) if args.reference is not None else None
    if ref is not None:
        ok = ok and ref["passed"]
    if args.json:
        print(json.dumps({"model": args.model, "params": prob.dim, "passed": ok,
                          "gradient": {"passed": bool(g.passed), "max_rel_error": float(g.max_rel_error),
                                       "coords": int(coords.size), "message": g.message},
                          "hvp": {"passed": bool(h.passed), "max_rel_error": float(h.max_rel_error),
                                  "message": h.message}, "reference": ref}, indent=2))
        return 0 if ok else 1
    print(f"{args.model}: {prob!r}")
    mark = {True: "✓ passed", False: "✗ FAILED"}
    print(f"  gradient vs finite differences ({coords.size} coordinates): {mark[bool(g.passed)]}, "
          f"max relative error {g.max_rel_error:.3g}")
    if not g.passed:
        print(f"    {g.message}")
    print(f"  HVP vs differences of the gradient (random direction): {mark[bool(h.passed)]}, "
          f"max relative error {h.max_rel_error:.3g}")
    if not h.passed:
        print(f"    {h.message}")
    if ref is not None:
        print(f"  gradient and HVP vs {args.reference} at 3 points: {mark[ref['passed']]}, max relative "
              f"difference {ref['grad_rel']:.3g} (gradient), {ref['hvp_rel']:.3g} (HVP)")
    return 0 if ok else 1


def _compare_reference(args, prob, v) -> dict:
    """Gradient and HVP of MODEL against --reference at w0 and two seeded perturbations of it."""
    import numpy as np

    from ..numeric.models.factory import load_model

    try:
        other = load_model(args.reference)
    except InputError as exc:
        raise InputError("--reference", str(exc)) from exc
    if other.dim != prob.dim:
        raise InputError("--reference", f"has {other.dim} parameters, {args.model} has {prob.dim}")
    rng = np.random.default_rng(args.seed)
    w0 = np.asarray(prob.w0, dtype=np.float64)
    scale = max(float(np.max(np.abs(w0))), 1.0) * 0.1
    g_rel = h_rel = 0.0
    for w in (w0, w0 + scale * rng.standard_normal(w0.size), w0 + scale * rng.standard_normal(w0.size)):
        a, b = np.asarray(prob.grad(w)), np.asarray(other.grad(w))
        g_rel = max(g_rel, float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-300)))
        a, b = np.asarray(prob.hvp(w, v)), np.asarray(other.hvp(w, v))
        h_rel = max(h_rel, float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-300)))
    tol = max(args.rtol, 1e-6)
    return {"model": args.reference, "grad_rel": g_rel, "hvp_rel": h_rel, "rtol": tol,
            "passed": bool(g_rel <= tol and h_rel <= tol)}


class _Bar:
    """A rich progress bar on stderr for long runs (off when not a terminal, or --quiet)."""

    def __init__(self, steps: int, quiet: bool):
        self.progress = None
        if quiet or steps < 200:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        if not console.is_terminal:
            return
        self.progress = Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 TimeRemainingColumn(), console=console, transient=True)
        self.task = self.progress.add_task("train", total=steps)

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, step: int, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=step)


def run_eos(args) -> int:
    import numpy as np

    from ..numeric.models.training import run_eos as train, summarize_eos

    optimizer = args.optimizer or ("hb" if args.momentum else "gd")
    if optimizer == "gd" and args.momentum:
        raise InputError("--momentum", "plain GD has no momentum: use --optimizer hb, nesterov or adam")
    if args.save_state is not None and optimizer != "adam":
        raise InputError("--save-state", "is for --optimizer adam (it saves Adam's second moment)")
    if args.plot is not None:
        from ..report.figures import _pyplot

        _pyplot()  # fail before training when matplotlib is missing
        if args.plot.suffix.lower() not in (".png", ".pdf", ".svg") or not args.plot.parent.exists():
            raise InputError("--plot", f"expected a .png/.pdf/.svg path in an existing directory, got {args.plot}")
    prob = _load(args)
    momentum = args.momentum if args.momentum is not None else (0.9 if optimizer == "adam" else 0.0)
    with _Bar(args.steps, args.quiet or args.json) as bar:
        trace = train(prob, prob.w0, lr=args.lr, steps=args.steps, optimizer=optimizer, momentum=momentum,
                      every=args.every, seed=args.seed, progress=bar)
    s = summarize_eos(trace, band=args.band)
    if args.save_state is not None:
        np.savez(args.save_state, exp_avg_sq=trace.adam_v, step=len(trace.loss) - 1, beta1=trace.momentum,
                 beta2=0.999, eps=1e-8)
    if args.plot is not None:
        from ..report.figures_models import eos_run_figure

        eos_run_figure(trace, s, args.plot)
    ok = bool(s.at_edge)
    if args.json:
        print(json.dumps({"model": args.model, "params": prob.dim, "optimizer": optimizer, "lr": args.lr,
                          "momentum": trace.momentum, "steps": args.steps, "every": args.every,
                          "threshold": s.threshold, "band": s.band, "reached_step": s.reached_step,
                          "sharpening": {"start_step": s.sharpening_start, "start": s.sharpness_start,
                                         "reached": s.sharpness_reached},
                          "plateau": None if s.plateau_mean is None else {
                              "steps": list(s.plateau_steps), "mean": s.plateau_mean, "ci": list(s.plateau_ci),
                              "level": s.level, "p10_p90": list(s.plateau_range), "ratio": s.ratio},
                          "at_edge": ok, "diverged": trace.diverged, "final_loss": float(trace.loss[-1]),
                          "seconds": trace.seconds, "hvps": trace.hvps,
                          "sample_steps": trace.sample_steps.tolist(), "sharpness": trace.sharpness.tolist(),
                          "plot": None if args.plot is None else str(args.plot)}, indent=2))
        return 0 if ok else 1
    what = "lambda_1(P^-1 H)" if optimizer == "adam" else "lambda_1(H)"
    print(f"{args.model}: {prob!r}")
    print(f"  {optimizer}, lr = {args.lr:g}" + (f", beta = {trace.momentum:g}" if trace.momentum else "")
          + f", {len(trace.loss) - 1} steps in {trace.seconds:.1f} s ({trace.hvps} HVPs for the sharpness)")
    print(f"  loss {trace.loss[0]:.4g} -> {trace.loss[-1]:.4g}" + ("  (DIVERGED)" if trace.diverged else ""))
    print(f"  threshold {s.threshold:.6g}; {what} at step 0: {trace.sharpness[0]:.6g}")
    if s.reached_step is None:
        print(f"  never reached the edge: {what} stayed below {1 - s.band:.0%} of the threshold "
              f"(max {float(np.max(trace.sharpness)):.6g}); train longer or raise lr")
    else:
        if s.reached_step > s.sharpening_start:
            print(f"  progressive sharpening: {s.sharpness_start:.4g} at step {s.sharpening_start} -> "
                  f"{s.sharpness_reached:.4g} at step {s.reached_step}")
        else:
            print(f"  at the edge from the start (step {s.reached_step}): no progressive-sharpening phase")
        lo, hi = s.plateau_ci
        print(f"  plateau (steps {s.plateau_steps[0]}-{s.plateau_steps[1]}): mean {s.plateau_mean:.6g} = "
              f"{s.ratio:.4f} x threshold, {s.level:.0%} CI [{lo:.6g}, {hi:.6g}], "
              f"10-90% range [{s.plateau_range[0]:.6g}, {s.plateau_range[1]:.6g}]")
        print("  " + ("✓ at the edge of stability: the interval meets the threshold's "
                      if ok else "✗ not at the edge: the interval misses the threshold's ")
              + f"±{s.band:.0%} band")
    if args.plot is not None:
        print(f"  figure: {args.plot}")
    return 0 if ok else 1
