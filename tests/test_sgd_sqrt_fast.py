"""sgd.sqrt_schedule's run (noise drawn in blocks, window sums after the loop, np.clip as maximum/minimum) equals the
per-step loop it replaced, bit for bit."""
import math

import numpy as np
import pytest

from proofs.sgd import sqrt_schedule as sq
from theorykit.claims.claim import Context


def _plain_sq_windows(params, ctx):
    Gv = float(params["G"])
    c_ = float(params["cG"]) / Gv
    sig = float(params["noise"]) * Gv
    rng = np.random.default_rng(ctx.rng.integers(2**63))
    x, acc, out = np.ones(sq._SQ_RUNS), np.zeros(sq._SQ_RUNS), []
    for t in range(1, sq._SQ_T + 1):
        for lo, hi in ((sq._SQ_T // 32, sq._SQ_T // 16), (sq._SQ_T // 2, sq._SQ_T)):
            if lo < t <= hi:
                acc += Gv * np.abs(x)
            if t == hi:
                out.append(acc.mean() / (hi - lo))
                acc[:] = 0.0
        step = c_ / math.sqrt(t) if params.get("schedule", "sqrt") == "sqrt" else c_ / math.sqrt(sq._SQ_T / 4)
        x = np.clip(x - step * (Gv * np.sign(x) + sig * rng.standard_normal(sq._SQ_RUNS)), -1.0, 1.0)
    return math.log(out[1] / out[0]) / math.log(16)


@pytest.mark.parametrize("G, cG, noise, schedule, seed", [(1.0, 0.3, 1.0, "sqrt", 0), (2.0, 1.0, 0.5, "sqrt", 1),
                                                         (0.5, 0.5, 2.0, "constant", 2), (1.0, 1.0, 2.0, "sqrt", 3)])
def test_sq_windows_equal_the_per_step_loop(G, cG, noise, schedule, seed):
    params = {"G": G, "cG": cG, "noise": noise, "schedule": schedule}
    assert sq._sq_windows(params, Context.numpy(seed)) == _plain_sq_windows(params, Context.numpy(seed))
