"""Chaos in one-dimensional maps: period three implies chaos (Li-Yorke), measured on the logistic map
x -> r x (1 - x) inside its period-3 window."""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, Mutant, NumericCheck

from ._sources import BLOCK_ET_AL, LI_YORKE, ULAM_VON_NEUMANN
from ._util import S, derivation, rounded

__all__ = ["CLAIMS"]

per, missing, h_top, lam = S("period"), S("missing"), S("h"), S("lam")
PHI = (1 + sympy.sqrt(5)) / 2
STATEMENT = sympy.And(sympy.Eq(per, 3), sympy.Eq(missing, 0), sympy.Eq(h_top, sympy.log(PHI)))
K_MAX = 16  # periods 1..16 are counted; the entropy is read off N_16 / N_14
WINDOW = (3.8285, 3.841)  # inside the period-3 window: from 1 + sqrt(8) = 3.82843 to the first doubling (3.8415)


def _derive():
    d = derivation((lam > 0,), "chaos.period_three")
    # a 3-cycle a < b < c with f(a) = b, f(b) = c, f(c) = a gives intervals I1 = [a, b], I2 = [b, c] with
    # f(I1) covering I2 and f(I2) covering I1 and I2: the transition matrix A = [[0, 1], [1, 1]]; every closed
    # path of length k in its graph is a fixed point of f^k, so #Fix(f^k) >= tr(A^k) = phi^k + (-1/phi)^k,
    # paths of every length k exist (the loop I2 -> I2 and the 2-cycle I1 -> I2 -> I1): every period occurs
    A = sympy.Matrix([[0, 1], [1, 1]])
    d.start(A.charpoly(lam).as_expr()).eq(lam**2 - lam - 1, by="characteristic polynomial of the covering matrix")
    d.start(PHI**2 - PHI - 1).eq(0, by="phi = (1 + sqrt 5)/2 is its root of largest modulus")
    # trace recurrence: tr(A^(k+2)) = tr(A^(k+1)) + tr(A^k) (Cayley-Hamilton), so tr(A^k) grows like phi^k
    d.start((A**5).trace()).eq((A**4).trace() + (A**3).trace(), by="Cayley-Hamilton: A^2 = A + I")
    return d.check()


_CHUNK = 16384  # grid points per pass: the temporaries stay in the L2 cache (whole 1e6-point arrays run 2-3x slower)


@functools.lru_cache(maxsize=64)
def _fixed_point_counts(r: float) -> tuple[int, ...]:
    """N_k = number of solutions of f^k(x) = x on [0, 1] for k = 1..K_MAX: sign changes of f^k(x) - x on
    a grid of 1e6 + 1 points (f^16 has ~2200 monotone laps here, each far wider than the grid step), counted
    chunk by chunk; consecutive chunks share one point, so every sign change lies inside one chunk."""
    x = np.linspace(0.0, 1.0, 1_000_001)
    out = [0] * K_MAX
    for lo in range(0, x.size - 1, _CHUNK):
        xs = x[lo:lo + _CHUNK + 1]
        last = lo + _CHUNK >= x.size - 1  # the shared point is counted as a zero by the chunk it starts
        y = xs.copy()
        for k in range(K_MAX):
            y = r * y * (1.0 - y)
            g = y - xs
            s = np.signbit(g)
            out[k] += int(np.count_nonzero(s[1:] != s[:-1])) + int(np.count_nonzero((g if last else g[:-1]) == 0.0))
    return tuple(out)


def _least_period_counts(r: float) -> list[int]:
    """P_k = number of points of least period k, by Moebius inversion of N_k = sum_{d | k} P_d."""
    n = _fixed_point_counts(r)
    p: list[int] = []
    for k in range(1, K_MAX + 1):
        p.append(n[k - 1] - sum(p[dd - 1] for dd in range(1, k) if k % dd == 0))
    return p


def _attractor_period(params, ctx) -> float:
    """Least p <= 64 with |x_{n+p} - x_n| < 1e-8 after 2e5 iterations from x0 = 1/2 (the critical point, which
    an attracting cycle must attract)."""
    r, x = float(params["r"]), 0.5
    for _ in range(200_000):
        x = r * x * (1.0 - x)
    orbit = [x]
    for _ in range(64):
        orbit.append(r * orbit[-1] * (1.0 - orbit[-1]))
    for p in range(1, 65):
        if abs(orbit[p] - orbit[0]) < 1e-8:
            return float(p)
    return math.inf


def _missing_periods(params, ctx) -> float:
    """How many k <= 16 have no point of least period k."""
    return float(sum(1 for c in _least_period_counts(float(params["r"])) if c <= 0))


def _entropy(params, ctx) -> float:
    """Topological entropy estimate (1/2) log(N_16 / N_14) (the growth rate of periodic points)."""
    n = _fixed_point_counts(float(params["r"]))
    return math.log(n[K_MAX - 1] / n[K_MAX - 3]) / 2


def _params():
    return st.fixed_dictionaries({"r": rounded(*WINDOW, 5)})


def _no_period_three():
    return st.fixed_dictionaries({"r": rounded(3.45, 3.54, 5)})  # attracting 4-cycle: only periods 1, 2, 4


EX = ({"r": 3.83},)
PERIOD_THREE = Claim(
    id="chaos.period_three",
    title="Period three implies chaos: the logistic map at r = 3.83 has an attracting 3-cycle, points of every "
          "period and entropy log((1 + sqrt 5)/2)",
    statement=STATEMENT,
    kind=Kind.IDENTITY,
    sources=(LI_YORKE, BLOCK_ET_AL),
    derive=_derive,
    strategy=_params,
    checks=(
        NumericCheck("attractor_period", "least period of the orbit of x0 = 1/2 after 2e5 iterations",
                     _attractor_period, measures=per, rtol=0.0, examples=EX),
        NumericCheck("every_period", "number of k <= 16 without a point of least period k (sign changes of "
                     "f^k(x) - x on a 1e6-point grid, Moebius inversion)", _missing_periods, measures=missing,
                     rtol=0.0, examples=EX),
        NumericCheck("entropy", "(1/2) log(N_16 / N_14), N_k = #solutions of f^k(x) = x", _entropy,
                     measures=h_top, rtol=2e-3, examples=EX),
    ),
    mutants=(
        # a method mutant: the statement's own missing = 0 outside the window (period three dropped)
        Mutant("no_period_three", "outside the period-3 window (r in [3.45, 3.54], an attracting 4-cycle) every "
               "period still occurs", "every_period", strategy=_no_period_three),
        sympy.Eq(h_top, sympy.log(2)),  # full chaos (r = 4) already at period three
    ),
    doc="""\
Setting: the logistic map f(x) = r x (1 - x) on [0, 1] with r in the period-3 window [3.8285, 3.841]
(it opens at r = 1 + sqrt 8 = 3.82843 by a saddle-node of f^3 and its 3-cycle doubles at r = 3.8415).

Claim: f has an attracting 3-cycle, and period three implies chaos [1]: points of every least period
k exist (Sharkovskii's ordering starts at 3), and the topological entropy is at least log phi,
phi = (1 + sqrt 5)/2 [2]; in the window it equals log phi (the lower bound is attained).

Derivation: a 3-cycle a < b < c gives two intervals I1 = [a, b], I2 = [b, c] with f(I1) covering I2 and
f(I2) covering I1 and I2; closed paths of length k in this covering graph give fixed points of f^k,
at least tr(A^k) of them for A = [[0, 1], [1, 1]], whose characteristic polynomial is lam^2 - lam - 1
(largest root phi).

Checks: the orbit of the critical point 1/2 settles on a cycle of least period 3 (r searched over the
window); counting the solutions N_k of f^k(x) = x (sign changes on a 1e6-point grid) and inverting
N_k = sum_(d | k) P_d, no least period k <= 16 is missing (P_k >= 1); the entropy (1/2) log(N_16 / N_14)
matches log phi within 2e-3 (the finite-k correction is ~(1/phi^2)^14). Mutants: for r in [3.45, 3.54]
(an attracting 4-cycle, no period 3) every period occurs (refuted: P_3 = 0); entropy log 2 (that of r = 4).
""",
)

# ============================================================== chaos.lyapunov
lyap, lyap_w, th = S("lyap"), S("lyap_window"), S("theta")
LYAP_STATEMENT = sympy.And(sympy.Eq(lyap, sympy.log(2)), sympy.Lt(lyap_w, 0))


def _derive_lyapunov():
    d = derivation((th > 0, th < 1), "chaos.lyapunov")
    # x = sin^2(pi theta/2) conjugates f(x) = 4 x (1 - x) to the tent map theta -> 1 - |1 - 2 theta| (slope +-2,
    # Lebesgue measure invariant), so almost every orbit separates like 2^t: exponent log 2
    s_ = sympy.sin(sympy.pi * th / 2) ** 2
    d.start(4 * s_ * (1 - s_)).eq(sympy.sin(sympy.pi * th) ** 2, by="4 sin^2 cos^2 = sin^2 of the double angle")
    # ... which is x at the tent map's image: T(theta) = 2 theta for theta <= 1/2, 2 - 2 theta above
    d.start(sympy.sin(sympy.pi * (2 * th) / 2) ** 2).eq(sympy.sin(sympy.pi * th) ** 2, by="theta <= 1/2")
    d.start(sympy.sin(sympy.pi * (2 - 2 * th) / 2) ** 2).eq(sympy.sin(sympy.pi * th) ** 2,
                                                            by="theta > 1/2: sin(pi - a)")
    d.start(sympy.log(sympy.Abs(sympy.diff(2 * th, th)))).eq(sympy.log(2), by="the tent map's slope")
    return d.check()


_ROWS, _GROUP = 200, 8  # steps per block of the orbit exponent; factors |f'| multiplied before one log


def _orbit_exponent(r: float, seed: int) -> float:
    """Mean over 2000 orbits (x0 uniform in (0.01, 0.99), 100 steps of burn-in) of (1/2000) sum_t log|f'(x_t)|.
    The loop only iterates the map, into a block of rows; the block's |f'(x_t)| are multiplied in groups of 8 and
    each product's log is added in step order (the log dominated the per-step loop: 8x fewer of them; |f'| <= r <= 4
    keeps a product <= 4^8, and a product below 1e-280 -- an orbit through x ~ 1/2 -- falls back to the sum of its
    logs, so no underflow)."""
    x = np.random.default_rng(seed).uniform(0.01, 0.99, 2000)
    for _ in range(100):
        x = r * x * (1.0 - x)
    acc = np.zeros_like(x)
    rows, slopes, tmp = np.empty((_ROWS + 1, x.size)), np.empty((_ROWS, x.size)), np.empty(x.size)
    for start in range(0, 2000, _ROWS):
        rows[0] = x
        for i in range(1, _ROWS + 1):  # x <- r x (1 - x), written into the next row
            np.multiply(np.multiply(r, rows[i - 1], out=rows[i]), np.subtract(1.0, rows[i - 1], out=tmp), out=rows[i])
        # |f'(x_t)| = |r (1 - 2 x_t)| in place: fresh block-sized temporaries cost 4x the arithmetic (page faults)
        np.abs(np.multiply(r, np.subtract(1.0, np.multiply(rows[:_ROWS], 2.0, out=slopes), out=slopes), out=slopes),
               out=slopes)
        groups = slopes.reshape(_ROWS // _GROUP, _GROUP, x.size)
        prods = np.multiply.reduce(groups, axis=1)
        logs = np.log(prods)
        tiny = prods < 1e-280
        if tiny.any():
            logs = np.where(tiny, np.add.reduce(np.log(groups), axis=1), logs)
        acc = np.add.reduce(np.concatenate([acc[None, :], logs]), axis=0)
        x = rows[_ROWS].copy()
    return float(np.mean(acc / 2000))


def _lyap_full(params, ctx) -> float:
    return _orbit_exponent(4.0, int(params["seed"]))


def _lyap_window(params, ctx) -> float:
    return _orbit_exponent(float(params["r"]), int(params["seed"]))


LYAPUNOV = Claim(
    id="chaos.lyapunov",
    title="Sensitive dependence: the logistic map at r = 4 has Lyapunov exponent log 2, while in the period-3 "
          "window orbits settle on the attracting 3-cycle (exponent < 0)",
    statement=LYAP_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(ULAM_VON_NEUMANN, LI_YORKE),
    derive=_derive_lyapunov,
    strategy=lambda: st.fixed_dictionaries({"r": rounded(*WINDOW, 5), "seed": st.integers(0, 2**16)}),
    checks=(
        NumericCheck("exponent_r4", "mean of log|f'(x_t)| over 2000 orbits x 2000 steps at r = 4", _lyap_full,
                     measures=lyap, rtol=1e-3, examples=({"r": 3.83, "seed": 0},)),
        NumericCheck("exponent_window", "the same in the period-3 window", _lyap_window, measures=lyap_w,
                     rtol=0.0, examples=({"r": 3.83, "seed": 0},)),
    ),
    mutants=(sympy.Eq(lyap, 0),  # an orbit that looks random is only marginally stable
             sympy.Lt(lyap, 0)),  # period three implies a stable cycle, not chaos
    doc="""\
Setting: the logistic map f(x) = r x (1 - x); the Lyapunov exponent lim (1/T) sum_t log|f'(x_t)| of an
orbit measures how fast nearby orbits separate.

Claim (*tight*): at r = 4 almost every orbit has exponent log 2 [1] (sensitive dependence on initial
conditions: errors double every step on average, the chaos of [2] at its fullest), while for r in
the period-3 window almost every orbit is attracted to the stable 3-cycle and its exponent is
negative -- the chaos that period three forces there lives on a set of measure zero.

Derivation: x = sin^2(pi theta/2) conjugates f to the tent map (slope +-2), whose exponent is log 2.

Checks: 2000 orbits from x0 uniform in (0.01, 0.99), 100 burn-in steps, then 2000 steps: the mean
exponent at r = 4 vs log 2 (rtol 1e-3; standard error ~1.5e-5) and < 0 for r searched in the
window. Mutants: exponent 0 at r = 4; negative at r = 4.
""",
)

CLAIMS = (PERIOD_THREE, LYAPUNOV)
