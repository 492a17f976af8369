"""Edge of stability on real data: full-batch GD on the bundled 8x8 digits (family ``eos``).

A small MLP and a small CNN (``theorykit.models.digits_problem``), each built in JAX
(``from_jax``) and, where PyTorch is installed, in PyTorch (``from_torch``) from the same
initialization. Every measurement trains the network with full-batch GD
(``theorykit.models.run_eos``) and reads the sharpness from Lanczos on the framework's exact
HVPs every 20 steps. The checks need JAX (the ``jax`` extra, installed by the ``test`` extra);
the PyTorch examples and the cross-framework check are added where PyTorch is importable.
"""
from __future__ import annotations

import functools
import importlib.util

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from .._util import S, thorough
from .tanh_mlp import COHEN_2021, EOS_QUALITATIVE

__all__ = ["CLAIMS"]

ALPAYDIN_KAYNAK = Source(key="Alpaydin & Kaynak 1998", authors="E. Alpaydin, C. Kaynak",
                         title="Optical Recognition of Handwritten Digits", year=1998,
                         venue="UCI Machine Learning Repository (CC BY 4.0)", doi="10.24432/C50P49")

eta, lam, sp = S("eta"), S("lam"), S("s")
HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None

# CI: 128 digits; a 64-32-32-10 tanh MLP and the 1->4->8 channel CNN. Thorough adds the CNN on 256
# digits at a smaller step (a longer sharpening phase: 24.8 -> 40), and both nets on all 1797 digits.
_CI = (
    {"arch": "mlp", "n": 128, "depth": 2, "width": 32, "lr": 0.065, "steps": 3000},
    {"arch": "cnn", "n": 128, "lr": 0.06, "steps": 2500},
)
_THOROUGH = ({"arch": "cnn", "n": 256, "lr": 0.05, "steps": 5000},
             # all 1797 digits, at eta = 0.1: at the CI's eta = 0.065 this MLP's sharpness peaks at
             # 0.90 x 2/eta (step ~4500) and falls while the loss decreases monotonically, i.e. GD
             # never reaches the edge there (docs/models.md, benchmarks/profile_digits_full.py)
             {"arch": "mlp", "n": 1797, "depth": 2, "width": 32, "lr": 0.1, "steps": 4000},
             # all 1797 digits at eta = 0.05, for 6000 steps: the sharpness overshoots the edge and its
             # swings around 2/eta shrink over thousands of steps. Searched (docs/models.md keeps the
             # failures): CI's eta = 0.06 at 3000 steps left the +-5% band in its last third (JAX), and
             # at 6000 steps still did in PyTorch; eta = 0.05 at 6000 steps is inside in both
             {"arch": "cnn", "n": 1797, "lr": 0.05, "steps": 6000})
_FRAMEWORKS = ("jax", "torch") if HAS_TORCH else ("jax",)


def _with(configs, frameworks=_FRAMEWORKS):
    return tuple({**c, "framework": f} for f in frameworks for c in configs)


_EXAMPLES = _with(_CI)


def _configs():
    """The configurations searched: the CI ones, plus the long CNN run under the thorough profile
    (read when the strategy is built, from the loaded Hypothesis profile: a runtime choice)."""
    return _with(_CI + (_THOROUGH if thorough() else ()))


@functools.lru_cache(maxsize=16)
def _run_key(key):
    from theorykit.models import digits_problem, run_eos

    p = dict(key)
    kw = {"depth": int(p["depth"]), "width": int(p["width"])} if p["arch"] == "mlp" else {}
    prob = digits_problem(p["arch"], p["framework"], n=int(p["n"]), **kw)
    return run_eos(prob, prob.w0, lr=float(p["lr"]), steps=int(p["steps"]), every=20)


def _run(p, framework=None):
    q = dict(p)
    if framework is not None:
        q["framework"] = framework
    return _run_key(tuple(sorted(q.items())))


def _summary(p):
    from theorykit.models import summarize_eos

    return summarize_eos(_run(p))


def _inf_if_diverged(run, value):
    return float("inf") if run.diverged else float(value)


def _late(run):
    return run.sharpness[run.sample_steps >= 2 * run.steps // 3]


def _m_plateau(p, ctx):
    r, s = _run(p), _summary(p)
    return _inf_if_diverged(r, s.plateau_mean if s.plateau_mean is not None else float("nan"))


def _m_late_max(p, ctx):
    r = _run(p)
    return _inf_if_diverged(r, _late(r).max())


def _m_late_min(p, ctx):
    r = _run(p)
    return _inf_if_diverged(r, _late(r).min())


def _m_lowest_before_edge(p, ctx):
    """the lowest sharpness before it first reached 0.95 * 2/eta (the start of progressive sharpening)."""
    s = _summary(p)
    return s.sharpness_start if s.reached_step is not None else float("nan")


def _m_loss_trend(p, ctx):
    r = _run(p)
    T = r.steps
    return _inf_if_diverged(r, r.loss[2 * T // 3:].mean() / r.loss[T // 3: 2 * T // 3].mean())


def _m_frameworks(p, ctx):
    """max relative difference of the JAX and PyTorch sharpness samples before the edge."""
    a, b = _run(p, "jax"), _run(p, "torch")
    reach = _summary({**p, "framework": "jax"}).reached_step
    mask = a.sample_steps < (reach if reach is not None else a.steps + 1)
    return float(np.max(np.abs(a.sharpness[mask] - b.sharpness[mask]) / np.abs(a.sharpness[mask])))


S_eos = S("S_eos")
DG_STATEMENT = sympy.Eq(S_eos, 2 / eta)
# measured besides S_eos: the lowest sharpness before the edge (<= 0.95 of it: progressive sharpening),
# the loss trend (last third / middle third) and the JAX-PyTorch difference
S_low, trend, fw_diff = S("S_low"), S("loss_trend"), S("framework_diff")
_BIND = {eta: "lr"}

_CHECKS = [
    NumericCheck("plateau_mean", "mean Lanczos sharpness over the plateau window (the last two thirds of the "
                 "time after it first reached 0.95 * 2/eta) vs 2/eta", _m_plateau, measures=S_eos, bind=_BIND,
                 rtol=0.05, examples=_EXAMPLES),
    NumericCheck("late_max", "max sharpness over the last third of the run vs 2/eta", _m_late_max, measures=S_eos,
                 bind=_BIND, rtol=0.05, examples=_EXAMPLES),
    NumericCheck("late_min", "min sharpness over the last third of the run vs 2/eta", _m_late_min, measures=S_eos,
                 bind=_BIND, rtol=0.05, examples=_EXAMPLES),
    NumericCheck("progressive_sharpening", "lowest sharpness before the edge <= 0.95 * 2/eta: it rose to 2/eta "
                 "during training", _m_lowest_before_edge,
                 relation=sympy.Le(S_low, sympy.Rational(19, 20) * DG_STATEMENT.rhs), bind=_BIND, rtol=0.0,
                 examples=_EXAMPLES),
    NumericCheck("loss_falls", "mean loss over the last third / over the middle third <= 1", _m_loss_trend,
                 relation=sympy.Le(trend, 1), rtol=0.0, examples=_EXAMPLES),
]
if HAS_TORCH:
    _CHECKS.append(NumericCheck(
        "jax_torch_agree", "max relative difference of the JAX and PyTorch sharpness samples before the edge "
        "(same data, same initialization, float64)", _m_frameworks, relation=sympy.Eq(fw_diff, 0), atol=1e-6,
        strategy=lambda: st.sampled_from(_with(_CI, ("jax",))), examples=_with(_CI, ("jax",))))


def _derive():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=[sympy.Gt(eta, 0), sympy.Gt(lam, 0), sympy.Lt(eta * lam, 2), sympy.Gt(sp, 0)],
                   name="eos.digits_gd")
    # Quadratic model along the top eigenvector: e+ = (1 - eta lam) e, stable iff (1 - eta lam)^2 < 1.
    d.start((1 - eta * lam) ** 2).eq(1 - eta * lam * (2 - eta * lam), by="expand").lt(1, by="0 < eta lam < 2")
    d.start((1 - eta * ((2 + sp) / eta)) ** 2).eq((1 + sp) ** 2, by="simplify").gt(1, by="lam = (2+s)/eta, s > 0")
    return d.check()


_DOC = """\
Setting: the 8x8 handwritten digits that ship with theorykit (UCI, Alpaydin & Kaynak 1998; a seeded
subset of n images, pixels scaled to [0, 1]); L(w) = (1/2n) sum_i |f(w; x_i) - onehot(y_i)|^2 for
(a) a 64 -> 32 -> 32 -> 10 tanh MLP and (b) a CNN: two 3x3 valid convolutions with tanh (1 -> 4 -> 8
channels) and a linear layer to 10 classes; W ~ N(0, 1/fan_in), biases 0, the same NumPy draw in
JAX and PyTorch. Full-batch GD w+ = w - eta grad L(w) in float64.

Claim (*tight*, empirical law of [1], here on real data and real architectures): the sharpness
S = lambda_1(grad^2 L) first rises (progressive sharpening) and then hovers at 2/eta (within +-5%),
while the loss keeps falling over long windows. 2/eta is GD's stability threshold on the local
quadratic model.

Derivation: along the top eigenvector the quadratic model gives e+ = (1 - eta lam) e, contracting
iff 0 < eta lam < 2 and growing above.

Checks (sharpness by Lanczos on exact HVPs every 20 steps, warm-started): the mean over the plateau
window, and the max and min over the last third, are within 5% of 2/eta; the lowest sharpness
before the edge was at most 0.95 * 2/eta; the mean loss of the last third is below that of the
middle third; and, where PyTorch is installed, the PyTorch run's sharpness equals the JAX run's
to 1e-6 relative until the edge (after it the dynamics are chaotic and rounding differences grow).
Configurations: CI runs the MLP at eta = 0.065 (3000 steps) and the CNN at eta = 0.06 (2500 steps) on
n = 128; the thorough profile adds the CNN on n = 256 at eta = 0.05 for 5000 steps (a longer sharpening
phase), the MLP on all 1797 digits at eta = 0.1 for 4000 steps, and the CNN on all 1797 digits at
eta = 0.05 for 6000 steps. That CNN overshoots 2/eta after reaching the edge and its swings around
2/eta shrink only over thousands of steps: "hovers at 2/eta" is a statement about the settled run,
so the run is long enough that its last third (where max and min are checked) comes after the
settling. It was searched, not picked: at the CI's eta = 0.06 the full-size CNN's last-third swings
left the band at 3000 steps, and at 6000 steps in one of the two frameworks, so the full-size CNN
is not stated at that step size; docs/models.md has the runs. The CNN's first steps catapult its
initial sharpness down before it sharpens again, which is why the lowest sharpness before the edge, not
the initial one, is checked. The law presumes that progressive sharpening reaches 2/eta: on all 1797
digits at the CI's eta = 0.065 it does not (the sharpness peaks below 2/eta and then falls while the
loss decreases at every step: GD stays below the edge), so the claim is not stated for that run. The
measured values are in `theorykit verify eos.digits_gd` (and its --json), not copied here.
Mutants: a plateau at 1/eta; a sharpness that stays below 3/4 * 2/eta; one that keeps rising past
3/2 * 2/eta (nearer variants are within 5 check tolerances); no progressive sharpening (lowest sharpness >= 0.95 * 2/eta).
"""

EOS_DIGITS = Claim(
    id="eos.digits_gd",
    title="Real data: GD on digits (MLP, CNN; JAX and PyTorch) sharpens progressively to 2/eta and hovers there",
    statement=DG_STATEMENT,
    kind=Kind.THRESHOLD,
    sources=(COHEN_2021, ALPAYDIN_KAYNAK),
    derive=_derive,
    assumptions=(sympy.Gt(eta, 0), sympy.Gt(lam, 0)),
    strategy=lambda: st.sampled_from(_configs()),
    checks=tuple(_CHECKS),
    # a plateau at 1/eta; a sharpness that stays below 3/4 * 2/eta; one that keeps rising past 3/2 * 2/eta
    # (a mutant is killed only 5 check tolerances (25%) away, so nearer variants such as 0.9 and 1.2 are
    # out of reach); no progressive sharpening (lowest sharpness >= 0.95 * 2/eta)
    mutants=(sympy.Eq(S_eos, 1 / eta), sympy.Le(S_eos, sympy.Rational(3, 4) * 2 / eta),
             sympy.Ge(S_eos, sympy.Rational(3, 2) * 2 / eta), sympy.Ge(S_low, sympy.Rational(19, 20) * 2 / eta)),
    equivalent={
        "loss_trend <= 2/3": EOS_QUALITATIVE["loss_trend <= 2/3"],
        "loss_trend <= 1/2": EOS_QUALITATIVE["loss_trend <= 1/2"],
        "S_low <= 19/(15*eta)": "0.95 x 2/eta marks 'below the edge' (the sharpening started there), not a "
        "constant of a formula: how low the sharpness was before the edge is not claimed",
        "S_low <= 19/(20*eta)": "0.95 x 2/eta marks 'below the edge', not a constant of a formula",
    },
    doc=_DOC,
)

# The claim measures real networks trained in JAX (and PyTorch when present): it belongs to the
# catalog only where one of them is installed (the 'jax' or 'torch' extra). Without them it is
# absent rather than "verified" on skipped evidence or "failed" for a missing framework.
CLAIMS = (EOS_DIGITS,) if HAS_JAX else ()
