"""Small helpers shared by catalog modules (not a family: no ``CLAIMS``).

* ``predictor``: turn a SymPy expression into ``predict(params)`` so that each
  formula is written once, in the claim's statement, and lambdified from there.
* parameter strategies (plain dicts of JSON-able values, so the runner can key
  its cache and print counterexamples).
* instance builders that give a measure full control over the example it runs
  on (known eigenbasis, prescribed distance to the minimizer).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np
import sympy

__all__ = [
    "S",
    "predictor",
    "oracle_predictor",
    "spectrum",
    "spectrum_params",
    "rotated_quadratic",
    "norm",
    "dot",
    "to_float",
    "golden_section",
    "derivation",
    "rounded",
    "thorough",
]


def S(name: str, **assumptions) -> sympy.Symbol:
    """A real symbol (the step checker matches symbols by name)."""
    return sympy.Symbol(name, real=True, **assumptions)


def predictor(expr: sympy.Expr, **bindings: str | Callable[[Mapping[str, Any]], float] | float) -> Callable:
    """``predict(params)`` evaluating ``expr`` (lambdified once).

    Each free symbol of ``expr`` is bound by name: a string is a params key, a
    callable computes the value from params (e.g. L = max eigenvalue), a number
    is a constant (e.g. R = 1 in a normalized PEP value). Unbound symbols are
    read from params under their own name.
    """
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sympy.lambdify(symbols, expr, modules="math")
    getters = []
    for s in symbols:
        b = bindings.get(s.name, s.name)
        if isinstance(b, str):
            getters.append(lambda p, k=b: float(p[k]))
        elif callable(b):
            getters.append(lambda p, f=b: float(f(p)))
        else:
            getters.append(lambda p, v=float(b): v)

    def predict(params: Mapping[str, Any]) -> float:
        return float(fn(*(g(params) for g in getters)))

    predict.expr = expr  # for tables / debugging
    return predict


def oracle_predictor(expr: sympy.Expr, n: str = "n", **bindings) -> Callable[[int], float]:
    """``predict(n)`` for a ``PepOracle``: like ``predictor`` with the symbol named
    ``n`` bound to the iteration count and the others to constants."""
    inner = predictor(expr, **{n: "n"}, **bindings)

    def predict(k: int) -> float:
        return inner({"n": int(k)})

    predict.expr = expr
    return predict


def derivation(assume=(), name=None):
    """A Derivation builder with these assumptions (imported lazily: the catalog loads without the checker)."""
    from theorykit.symbolic.derivation import Derivation

    return Derivation(assume=list(assume), name=name)


# --------------------------------------------------------------------------- strategies
def thorough() -> bool:
    """True when the loaded Hypothesis profile is "thorough". Read when a strategy is built (a runtime
    choice: ``hypothesis.settings.load_profile``), never at import time."""
    from hypothesis import settings

    return settings.get_current_profile_name() == "thorough"


def rounded(lo: float, hi: float, digits: int = 4):
    """Floats in [lo, hi] rounded to ``digits`` decimals, so counterexamples print cleanly."""
    from hypothesis import strategies as st

    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda v: round(v, digits))


def spectrum(*, dim=(1, 6), lo=0.1, hi=10.0, zeros=False, negative=False):
    """Strategy for a sorted tuple of eigenvalues.

    ``zeros`` allows exact zero eigenvalues (singular convex quadratics);
    ``negative`` forces one eigenvalue in [-hi, -lo] (a nonconvex quadratic:
    indefinite, or negative definite in dimension 1).
    Values are rounded to 6 digits so counterexamples print cleanly.
    """
    from hypothesis import strategies as st

    val = rounded(lo, hi, 6)
    if zeros:
        val = st.one_of(st.just(0.0), val)

    @st.composite
    def make(draw):
        n = draw(st.integers(*dim))
        vals = draw(st.lists(val, min_size=n, max_size=n))
        if negative:
            vals[0] = -draw(rounded(lo, hi, 6))
        if not negative and max(vals) <= 0:  # a PSD spectrum needs a positive top eigenvalue for L > 0
            vals[-1] = hi
        return tuple(sorted(vals))

    return make()


def spectrum_params(extra: Mapping[str, Any] | None = None, **kw):
    """Strategy of ``{"eigenvalues": (...), **extra}``; ``extra`` values are strategies."""
    from hypothesis import strategies as st

    fields = {"eigenvalues": spectrum(**kw)}
    fields.update(extra or {})
    return st.fixed_dictionaries(fields)


# --------------------------------------------------------------------------- instances
def rotated_quadratic(eigenvalues, rng: np.random.Generator, xp=None):
    """(problem, Q): f(x) = 1/2 x^T Q diag(eigenvalues) Q^T x with a random orthogonal Q.

    Unlike ``random_quadratic`` the rotation is returned, so a measure can start
    from a chosen eigendirection (the hard instance for a bound); the eigenvalues
    are never read back by the measure, only the problem's gradients and losses.
    """
    from theorykit.numeric.problems import Quadratic

    lam = np.asarray(eigenvalues, dtype=np.float64)
    d = lam.size
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    q = q * np.sign(np.diag(r))  # Haar-distributed rotation
    a = (q * lam) @ q.T
    a = (a + a.T) / 2
    if xp is not None:
        a = xp.asarray(a)
    return Quadratic(a), q


def to_float(x) -> float:
    from theorykit.numeric.backend import to_numpy

    return float(to_numpy(x))


def dot(u, v) -> float:
    from theorykit.numeric.backend import to_numpy

    return float(np.dot(to_numpy(u).ravel(), to_numpy(v).ravel()))


def norm(u) -> float:
    return math.sqrt(max(dot(u, u), 0.0))


def golden_section(fn: Callable[[float], float], lo: float, hi: float, *, tol: float = 1e-10, maximize=False):
    """(argmin, min) of a unimodal ``fn`` on [lo, hi] by golden-section search.

    Used to find optimal step sizes by running the method at each trial step,
    so the optimum is measured, never solved for in closed form.

    One point per call of ``fn``; ``_golden.golden_section_many`` is the same search with the
    candidates of several steps evaluated in one batched call.
    """
    from ._golden import golden_section_many

    res = golden_section_many(lambda xs: [fn(x) for x in xs], lo, hi, tol=tol, maximize=maximize, depth=1)
    return res.x, res.fx


# --------------------------------------------------------------------------- sources
from theorykit.claims.claim import Source  # noqa: E402  (kept next to the citations)

NESTEROV = Source(
    key="Nesterov 2018",
    authors="Y. Nesterov",
    title="Lectures on Convex Optimization (2nd ed.)",
    year=2018,
    venue="Springer Optimization and Its Applications 137",
    doi="10.1007/978-3-319-91578-4",
)
BOYD = Source(
    key="Boyd & Vandenberghe 2004",
    authors="S. Boyd, L. Vandenberghe",
    title="Convex Optimization",
    year=2004,
    venue="Cambridge University Press",
    doi="10.1017/CBO9780511804441",
)
POLYAK = Source(
    key="Polyak 1987",
    authors="B. T. Polyak",
    title="Introduction to Optimization",
    year=1987,
    venue="Optimization Software, New York",
)
DRORI_TEBOULLE = Source(
    key="Drori & Teboulle 2014",
    authors="Y. Drori, M. Teboulle",
    title="Performance of first-order methods for smooth convex minimization: a novel approach",
    year=2014,
    venue="Mathematical Programming 145(1-2), 451-482",
    arxiv="1206.3209",
    doi="10.1007/s10107-013-0653-0",
)
TAYLOR_HENDRICKX_GLINEUR = Source(
    key="Taylor et al. 2017",
    authors="A. B. Taylor, J. M. Hendrickx, F. Glineur",
    title="Smooth strongly convex interpolation and exact worst-case performance of first-order methods",
    year=2017,
    venue="Mathematical Programming 161(1-2), 307-345",
    arxiv="1502.05666",
    doi="10.1007/s10107-016-1009-3",
)
PEPIT = Source(
    key="Goujaud et al. 2024",
    authors="B. Goujaud, C. Moucer, F. Glineur, J. M. Hendrickx, A. B. Taylor, A. Dieuleveut",
    title="PEPit: computer-assisted worst-case analyses of first-order optimization methods in Python",
    year=2024,
    venue="Mathematical Programming Computation 16, 337-367",
    arxiv="2201.04040",
    doi="10.1007/s12532-024-00259-7",
)
BOTTOU_CURTIS_NOCEDAL = Source(
    key="Bottou et al. 2018",
    authors="L. Bottou, F. E. Curtis, J. Nocedal",
    title="Optimization methods for large-scale machine learning",
    year=2018,
    venue="SIAM Review 60(2), 223-311",
    arxiv="1606.04838",
    doi="10.1137/16M1080173",
)
BECK_TEBOULLE = Source(
    key="Beck & Teboulle 2009",
    authors="A. Beck, M. Teboulle",
    title="A fast iterative shrinkage-thresholding algorithm for linear inverse problems",
    year=2009,
    venue="SIAM Journal on Imaging Sciences 2(1), 183-202",
    doi="10.1137/080716542",
)
HORN_JOHNSON = Source(
    key="Horn & Johnson 2013",
    authors="R. A. Horn, C. R. Johnson",
    title="Matrix Analysis (2nd ed.)",
    year=2013,
    venue="Cambridge University Press",
    doi="10.1017/CBO9781139020411",
)


def seed_words(ctx) -> tuple[int, ...]:
    """Four seed words drawn from the run's rng: a hashable key for caching a measurement's runs."""
    return tuple(int(v) for v in ctx.rng.integers(0, 2**31, size=4))
