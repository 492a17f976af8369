"""Newton–Schulz orthogonalization (the inner loop of Muon-style optimizers).

``muon.newton_schulz``: the cubic step X <- 3/2 X - 1/2 X X^T X acts on each
singular value as p(s) = 3s/2 - s^3/2 and converges to the polar factor for
0 < s < sqrt(3). ``muon.quintic_band``: the tuned quintic of Jordan et al.
(2024) does *not* converge; its singular values settle in a band.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy
from hypothesis import strategies as st

from theorykit.claims.claim import Claim, Kind, NumericCheck, Source

from ._util import rounded, S

__all__ = ["CLAIMS", "CUBIC_MAP", "HIGHAM", "JORDAN_MUON", "QUINTIC_BAND", "QUINTIC_MAP"]

s = S("s")
R = sympy.Rational
CUBIC_MAP = R(3, 2) * s - s**3 / 2
QA, QB, QC = R(34445, 10000), R(-47750, 10000), R(20315, 10000)  # Jordan et al. (2024)
QUINTIC_MAP = QA * s + QB * s**3 + QC * s**5

HIGHAM = Source(
    key="Higham 2008",
    authors="N. J. Higham",
    title="Functions of Matrices: Theory and Computation (Sec. 8.3, the Newton-Schulz iteration)",
    year=2008,
    venue="SIAM",
    doi="10.1137/1.9780898717778",
)
JORDAN_MUON = Source(
    key="Jordan et al. 2024",
    authors="K. Jordan, Y. Jin, V. Boza, J. You, F. Cesista, L. Newhouse, J. Bernstein",
    title="Muon: An optimizer for hidden layers in neural networks",
    year=2024,
    venue="blog post, https://kellerjordan.github.io/posts/muon/ ; code https://github.com/KellerJordan/Muon",
)
BERNSTEIN_NEWHOUSE = Source(
    key="Bernstein & Newhouse 2024",
    authors="J. Bernstein, L. Newhouse",
    title="Old Optimizer, New Norm: An Anthology",
    year=2024,
    venue="arXiv preprint",
    arxiv="2409.20325",
)


# --------------------------------------------------------------------------- shared measures
def _signed_pair_value(params, ctx, coefficients) -> float:
    """u^T X_1 v for the singular pair (u, v) of G that has singular value params["s"],
    after one matrix Newton–Schulz step: the (signed) image of s, read off the iterate."""
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.newton_schulz import (
        matrix_with_singular_values,
        newton_schulz,
    )

    m, n = params["m"], params["n"]
    k = min(m, n)
    others = ctx.rng.uniform(0.05, 1.7, size=k - 1)  # the rest of the spectrum must not matter
    mat = matrix_with_singular_values([params["s"], *others], (m, n), ctx.rng, ctx.xp)
    X1 = newton_schulz(mat.G, 1, coefficients=coefficients)
    return float(to_numpy(mat.U[:, 0] @ X1 @ mat.V[:, 0]))


def _shape():
    return {"m": st.integers(2, 12), "n": st.integers(2, 12)}


# ============================================================== muon.newton_schulz
t = S("t")
NS_ASSUME = (sympy.Gt(s, 0), sympy.Lt(s, sympy.sqrt(3)), sympy.Gt(t, 0), sympy.Le(t, 1))
# After one step every singular value in (0, sqrt 3) lies in (0, 1]; on (0, 1] the map
# increases s and 1 - p(s) <= (1 - s) (1 - s)(s + 2)/2 (a contraction, quadratic near 1).
# measured: u^T X_1 v on the singular pair with value s (s_out); ||X_40 - U V^T||_2 (polar_dist)
s_out, polar_dist = S("s_out"), S("polar_dist")
NS_STATEMENT = sympy.And(sympy.Gt(CUBIC_MAP, 0), sympy.Le(CUBIC_MAP, 1), sympy.Eq(s_out, CUBIC_MAP),
                         sympy.Eq(polar_dist, 0))


def _derive_newton_schulz():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(NS_ASSUME), name="muon.newton_schulz")
    r3 = sympy.sqrt(3)
    # (1) positivity on (0, sqrt 3): the image keeps the singular pair's sign
    d.start(CUBIC_MAP).eq(s * (r3 - s) * (r3 + s) / 2, by="factor").gt(0, by="each factor > 0 on (0, sqrt 3)")
    # (2) the image is <= 1: 1 - p(s) is a square times a positive factor
    d.start(1 - CUBIC_MAP).eq((s - 1) ** 2 * (s + 2) / 2, by="factor; double root at the fixed point 1").ge(0)
    # (3) 1 is a fixed point with p'(1) = 0 (quadratic convergence)
    d.claim(CUBIC_MAP.subs(s, 1), "=", 1, by="p(1) = 3/2 - 1/2")
    d.claim(sympy.diff(CUBIC_MAP, s).subs(s, 1), "=", 0, by="p'(s) = 3/2 (1 - s^2)")
    # (4) on (0, 1] (a second variable t with its own range) the map increases t, and
    #     1 - p(t) <= 1 - t: iterates climb towards 1 without overshooting, by (2)
    pt = CUBIC_MAP.subs(s, t)
    d.start(pt - t).eq(t * (1 - t) * (1 + t) / 2, by="factor").ge(0, by="t in (0, 1]")
    d.start(1 - pt).eq((1 - t) * ((1 - t) * (t + 2) / 2), by="factor").le(
        1 - t, by="(1 - t)(t + 2)/2 = (2 - t - t^2)/2 <= 1 on (0, 1]")
    return d.check()


@functools.lru_cache(maxsize=2048)
def _polar_distance_cached(s_max, s_min, m, n, steps, seed_words):
    from theorykit.numeric.newton_schulz import (
        matrix_with_singular_values,
        newton_schulz,
        polar_factor,
    )

    rng = np.random.default_rng(list(seed_words))
    k = min(m, n)
    sv = np.concatenate([[s_max, s_min], rng.uniform(s_min, s_max, size=k - 2)]) if k > 1 else np.array([s_max])
    mat = matrix_with_singular_values(sv, (m, n), rng)
    X = newton_schulz(mat.G, steps)
    target = polar_factor(mat.G)  # U V^T by an SVD of the input: independent of the iteration
    return float(np.linalg.norm(X - target, 2))


def _polar_distance(params, ctx) -> float:
    """||X_k - U V^T||_2 after k = params["steps"] cubic steps from G with singular values
    in [s_min, s_max] (both attained)."""
    from theorykit.numeric.backend import to_numpy
    from theorykit.numeric.newton_schulz import (
        matrix_with_singular_values,
        newton_schulz,
        polar_factor,
    )

    if ctx.backend == "numpy":
        words = tuple(int(x) for x in ctx.rng.integers(0, 2**31, size=4))
        return _polar_distance_cached(params["s_max"], params["s_min"], params["m"], params["n"], params["steps"],
                                      words)
    k = min(params["m"], params["n"])
    sv = [params["s_max"], params["s_min"], *ctx.rng.uniform(params["s_min"], params["s_max"], size=k - 2)][:k]
    mat = matrix_with_singular_values(sv, (params["m"], params["n"]), ctx.rng, ctx.xp)
    diff = to_numpy(newton_schulz(mat.G, params["steps"]) - polar_factor(mat.G))
    return float(np.linalg.norm(diff, 2))


def _ns_convergence_params(lo=0.05, hi=1.73):
    @st.composite
    def make(draw):
        smax = draw(rounded(lo, hi, 4))
        smin = draw(rounded(0.01, 1.0, 4))
        return {"s_max": smax, "s_min": min(smin, smax), "steps": 40, **draw(st.fixed_dictionaries(_shape()))}

    return make()


MUON_NEWTON_SCHULZ = Claim(
    id="muon.newton_schulz",
    title="Cubic Newton-Schulz: s -> 3s/2 - s^3/2 per singular value, converging to U V^T for 0 < s < sqrt(3)",
    statement=NS_STATEMENT,
    kind=Kind.IDENTITY,
    sources=(HIGHAM, JORDAN_MUON, BERNSTEIN_NEWHOUSE),
    derive=_derive_newton_schulz,
    assumptions=NS_ASSUME,
    strategy=lambda: st.fixed_dictionaries({"s": rounded(0.01, 2.2, 4), **_shape()}),
    checks=(
        NumericCheck(
            name="singular_value_map",
            description="u^T X_1 v for the input singular pair (u, v) with value s, after one matrix step",
            measure=lambda p, ctx: _signed_pair_value(p, ctx, (1.5, -0.5)),
            measures=s_out,
            rtol=1e-12,
            atol=1e-12,  # one step of O(1) matrix products: round-off ~1e-15
            examples=({"s": 0.5, "m": 6, "n": 4}, {"s": 1.9, "m": 5, "n": 7}),
        ),
        NumericCheck(
            name="converges_to_polar",
            description="||X_40 - U V^T||_2 with singular values of G in [s_min, s_max], s_max < sqrt(3)",
            measure=_polar_distance,
            measures=polar_dist,
            atol=1e-12,  # the SVD of G and the iteration each carry ~1e-15 error
            strategy=_ns_convergence_params,
            examples=({"s_max": 1.7, "s_min": 0.01, "m": 8, "n": 5, "steps": 40},),
        ),
    ),
    mutants=(
        sympy.Gt(s_out, 0),  # every singular value below 2.2 keeps its sign (so converges to U V^T)
        sympy.Eq(s_out, sympy.Abs(CUBIC_MAP)),  # the sign of the singular pair ignored
        sympy.Eq(s_out, s - s**3 / 2),  # the step written without the 3/2
    ),
    doc="""\
Setting: G in R^{m x n} with thin SVD G = U diag(s_1..s_k) V^T; polar factor U V^T.
Algorithm: X_0 = G, X_{t+1} = 3/2 X_t - 1/2 X_t X_t^T X_t (cubic Newton-Schulz [1, Sec. 8.3]),
the inner loop of Muon-style optimizers [2], which orthogonalize the update [3].

Claim (*tight*): X_t = U diag(p^t(s_i)) V^T with p(s) = 3s/2 - s^3/2 exactly; for 0 < s < sqrt(3),
0 < p(s) <= 1, on (0, 1] p(s) >= s and 1 - p(s) <= (1 - s)(1 - s)(s + 2)/2, and p(1) = 1, p'(1) = 0,
so every singular value converges to 1 (quadratically near 1) and X_t -> U V^T. At s = sqrt(3)
p(s) = 0 and beyond it p(s) < 0 (s = 1.9 maps to -0.58): that pair flips sign and converges to -1.

Derivation: factorizations p(s) = s(sqrt3 - s)(sqrt3 + s)/2, 1 - p(s) = (s-1)^2(s+2)/2,
p(s) - s = s(1-s)(1+s)/2, each sign read off its factors.

Checks: (a) one matrix step on G with a prescribed singular value s in (0, 2.2) and random
other singular values and vectors: u^T X_1 v measured vs p(s) (rtol 1e-12);
(b) 40 steps with s in [s_min, s_max], s_max <= 1.73: ||X_40 - U V^T||_2 <= 1e-12, with
U V^T from an SVD of G. Mutants: convergence for all s < 2 (refuted: the measured
image u^T X_1 v is negative for s > sqrt(3)), the unsigned map |p(s)|, and s - s^3/2.
""",
)

# ============================================================== muon.quintic_band
# The quintic q(s) = a s + b s^3 + c s^5 has critical points at s^2 = r_-, r_+ (roots of
# q'(s) = a + 3 b s^2 + 5 c s^4); s_m = sqrt(r_-) is a local max, s_c = sqrt(r_+) a local min.
_r_minus, _r_plus = sorted(sympy.solve(QA + 3 * QB * S("r") + 5 * QC * S("r") ** 2, S("r")), key=lambda e: float(e))
S_MAX_POINT = sympy.sqrt(_r_minus)  # ~0.5545
S_MIN_POINT = sympy.sqrt(_r_plus)  # ~1.0501
BAND_LO = QUINTIC_MAP.subs(s, S_MIN_POINT)  # ~0.6818: the smallest value q takes right of s_m
BAND_TOP = QUINTIC_MAP.subs(s, BAND_LO)  # ~1.1343: q(lo), the top of the invariant band
ENVELOPE = QUINTIC_MAP.subs(s, S_MAX_POINT)  # ~1.2024: max of q on [0, 1], reached only via s_m
QUINTIC_BAND = (float(BAND_LO), float(BAND_TOP))
BAND_LO_F, BAND_TOP_F, ENVELOPE_F = float(BAND_LO), float(BAND_TOP), float(ENVELOPE)
QB_ASSUME = (sympy.Gt(s, 0), sympy.Le(s, 1))
# measured: the singular-pair image s_out; after k steps from [lo, 1] the largest (s_top) and smallest
# (s_bottom) singular value; Muon's top output (s_muon). q_lo, q_top, q_env name the exact constants above.
s_top, s_bottom, s_muon = S("s_top"), S("s_bottom"), S("s_muon")
q_lo, q_top, q_env = S("q_lo"), S("q_top"), S("q_env")
QB_STATEMENT = sympy.And(sympy.Le(QUINTIC_MAP, ENVELOPE),  # every output from (0, 1] is <= q(s_m); q(1) = 0.701
                         sympy.Eq(s_out, QUINTIC_MAP), sympy.Le(s_top, q_top), sympy.Ge(s_bottom, q_lo),
                         sympy.Le(s_muon, q_env))
_QB_BIND = {q_lo: BAND_LO_F, q_top: BAND_TOP_F, q_env: ENVELOPE_F}


def _derive_quintic_band():
    from theorykit.symbolic.derivation import Derivation

    d = Derivation(assume=list(QB_ASSUME), name="muon.quintic_band")
    # (1) q(1) = a + b + c = 0.701: the polar factor is not a fixed point
    d.start(QUINTIC_MAP.subs(s, 1)).eq(QA + QB + QC, by="evaluate at s = 1").eq(R(701, 1000))
    # (2) q'(s) = 5c (s^2 - r_-)(s^2 - r_+): a local max at s_m, a local min at s_c
    d.start(sympy.diff(QUINTIC_MAP, s)).eq(5 * QC * (s**2 - _r_minus) * (s**2 - _r_plus),
                                           by="factor the quadratic in s^2")
    # (3) the band [lo, top] = [q(s_c), q(lo)] lies right of s_m, so on it q falls to its
    #     minimum lo at s_c and rises after: q([lo, top]) = [lo, max(q(lo), q(top))] = [lo, top]
    d.claim(S_MAX_POINT, "<", BAND_LO, by="s_m ~ 0.5545 < lo ~ 0.6818")
    d.claim(BAND_LO, "<", S_MIN_POINT, by="lo < s_c ~ 1.0501")
    d.claim(S_MIN_POINT, "<", BAND_TOP, by="s_c < top ~ 1.1343")
    d.claim(QUINTIC_MAP.subs(s, BAND_TOP), "<", BAND_TOP, by="q(top) ~ 0.756")
    d.claim(BAND_LO, "<", 1, by="1 is inside the band but not fixed")
    # (4) the envelope q(s_m) from inputs that pass s_m is above the band's top
    d.claim(BAND_TOP, "<", ENVELOPE, by="1.1343 < 1.2024")
    # (5) the statement: q(s) <= q(s_m) on (0, 1], since q(s_m) - q(s) = (s - s_m)^2 P(s) with P > 0 there
    P = sympy.quo(sympy.Poly(sympy.expand(ENVELOPE - QUINTIC_MAP), s), sympy.Poly((s - S_MAX_POINT) ** 2, s)).as_expr()
    d.start(ENVELOPE - QUINTIC_MAP).eq(sympy.expand((s - S_MAX_POINT) ** 2 * P), by="double root at the local max s_m")
    d.claim(P, ">", 0, by="the cubic cofactor is positive on (0, 1]")
    # the cofactor has nested-radical coefficients: its positivity step takes ~2-4 s, so a loaded
    # machine could hit the default 10 s per-step limit and report "unknown"
    return d.check(timeout=30.0)


@functools.lru_cache(maxsize=2048)
def _band_cached(k, m, n, seed_words):
    from theorykit.numeric.newton_schulz import (
        MUON_QUINTIC,
        matrix_with_singular_values,
        newton_schulz,
        singular_values,
    )

    rng = np.random.default_rng(list(seed_words))
    q = min(m, n)
    # inputs from the band's bottom up to 1 (Muon normalizes so that s <= 1), both ends included
    sv = np.concatenate([[BAND_LO_F, 1.0], rng.uniform(BAND_LO_F, 1.0, size=q - 2)])[:q]
    mat = matrix_with_singular_values(sv, (m, n), rng)
    out = singular_values(newton_schulz(mat.G, k, coefficients=MUON_QUINTIC))
    return float(out.min()), float(out.max())


def _band(params, ctx):
    words = tuple(int(x) for x in ctx.rng.integers(0, 2**31, size=4))
    return _band_cached(params["k"], params["m"], params["n"], words)


def _band_params():
    return st.fixed_dictionaries({"k": st.integers(1, 12), "m": st.integers(2, 24), "n": st.integers(2, 24)})


@functools.lru_cache(maxsize=8)
def _muon_top(k, trials, size, seed):
    """Muon's use: Gaussian G / ||G||_F, k quintic steps; the top singular value over trials."""
    from theorykit.numeric.newton_schulz import (
        MUON_QUINTIC,
        newton_schulz,
        singular_values,
    )

    rng = np.random.default_rng([seed, k, trials, size])
    top = 0.0
    for _ in range(trials):
        G = rng.standard_normal((size, size + 3))
        top = max(top, float(singular_values(newton_schulz(G, k, coefficients=MUON_QUINTIC, normalize=True)).max()))
    return top


def _muon_top_measure(params, ctx) -> float:
    return _muon_top(params["k"], 20, 64, ctx.seed)


MUON_QUINTIC_BAND = Claim(
    id="muon.quintic_band",
    title="Muon's quintic Newton-Schulz: invariant band [q(s_c), q(q(s_c))] ~ [0.682, 1.134], envelope q(s_m) ~ 1.202",
    statement=QB_STATEMENT,
    kind=Kind.TIGHT_BOUND,
    sources=(JORDAN_MUON, HIGHAM),
    derive=_derive_quintic_band,
    assumptions=QB_ASSUME,
    strategy=_band_params,
    checks=(
        NumericCheck(
            name="singular_value_map",
            description="u^T X_1 v for the singular pair of G with value s, after one quintic step",
            measure=lambda p, ctx: _signed_pair_value(p, ctx, (3.4445, -4.7750, 2.0315)),
            measures=s_out,
            rtol=1e-12,
            atol=1e-12,
            strategy=lambda: st.fixed_dictionaries({"s": rounded(0.01, 1.25, 4),
                                                    **_shape()}),
            examples=({"s": 1.0, "m": 6, "n": 4},),
        ),
        NumericCheck(
            name="band_upper",
            description="largest singular value after k quintic steps, inputs in [lo, 1]",
            measure=lambda p, ctx: _band(p, ctx)[1],
            measures=s_top,
            bind=_QB_BIND,
            rtol=1e-12,
            examples=({"k": 1, "m": 16, "n": 12}, {"k": 5, "m": 16, "n": 12}),
        ),
        NumericCheck(
            name="band_lower",
            description="smallest singular value after k quintic steps, inputs in [lo, 1]",
            measure=lambda p, ctx: _band(p, ctx)[0],
            measures=s_bottom,
            bind=_QB_BIND,
            rtol=1e-12,
            examples=({"k": 5, "m": 16, "n": 12},),
        ),
        NumericCheck(
            name="muon_envelope",
            description="top singular value after k steps on Gaussian G/||G||_F (64 x 67, 20 draws) is <= q(s_m)",
            measure=_muon_top_measure,
            measures=s_muon,
            bind=_QB_BIND,
            rtol=1e-12,
            strategy=lambda: st.fixed_dictionaries({"k": st.integers(4, 8)}),
            examples=({"k": 5},),
        ),
    ),
    # like the cubic it drives singular values to 1; the band's top is the envelope q(s_m); Muon's outputs
    # stay below the band's top; the quintic acts like the cubic map
    mutants=(sympy.Le(s_top, 1), sympy.Eq(s_top, q_env), sympy.Le(s_muon, q_top), sympy.Eq(s_out, CUBIC_MAP)),
    doc="""\
Setting: G in R^{m x n}, X_0 = G/||G||_F (so singular values s in (0, 1]); Muon's quintic step [1]
X <- a X + b (X X^T) X + c (X X^T)^2 X with (a, b, c) = (3.4445, -4.7750, 2.0315), which maps each
singular value by q(s) = a s + b s^3 + c s^5.

Claim (*tight*): q(1) = 0.701, so U V^T is not a fixed point and the iteration does not converge.
With s_m < s_c the critical points of q (q'(s) = 5c (s^2 - r_-)(s^2 - r_+)), the band
[lo, top] = [q(s_c), q(q(s_c))] ~ [0.6818, 1.1343] is invariant and q maps it onto itself
(both ends attained), so singular values in it stay in it. Small inputs grow by ~a per step
and may pass near s_m, whose image q(s_m) ~ 1.2024 is the envelope of all outputs from (0, 1]
(q <= q(s_m) on [0, top]). The blog describes the outputs roughly as S' ~ Uniform(0.5, 1.5) [1];
the bands here are the exact ones for these coefficients.

Derivation: q(1) = a + b + c; the factorization of q'; s_m < lo < s_c < top, q(top) < top
(so q maps [lo, top] onto [lo, top]); top < q(s_m); q(s_m) - q(s) = (s - s_m)^2 P(s) with P > 0 on
(0, 1] (the statement).

Checks: one matrix step vs q(s) on the singular pair (rtol 1e-12); after k = 1..12 steps from
singular values in [lo, 1] (both included), max <= top and min >= lo (round-off only); Muon's use
(Gaussian 64 x 67, normalized, k = 4..8 steps, 20 draws): top singular value <= q(s_m). Mutants:
convergence to 1; the band's top equal to q(s_m); Muon's outputs bounded by the band's top
(refuted: the measured top is ~1.19 > 1.134); the cubic map.
""",
)

CLAIMS = (MUON_NEWTON_SCHULZ, MUON_QUINTIC_BAND)
