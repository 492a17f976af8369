"""A claim is data: a statement, its derivation, the checks that measure it,
and the mutants those checks must refute.

No subclass per claim. A family module in ``proofs/`` builds ``Claim`` values
and lists them in its module-level ``CLAIMS`` tuple.

How a numeric check decides (``NumericCheck.compare``), for measured m and predicted p:
  * ``"tight"``: |m - p| <= rtol*|p| + atol
  * ``"upper"``: m <= p*(1 + rtol) + atol      (p is an upper bound on m)
  * ``"lower"``: m >= p - rtol*|p| - atol      (p is a lower bound on m)
A mutant reuses a check's ``measure`` with its own prediction, comparison or
parameter strategy; it is refuted when Hypothesis finds parameters where the
comparison fails (the shrunk parameters are the counterexample).
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import sympy
    from hypothesis.strategies import SearchStrategy

    from ..symbolic.derivation import DerivationReport

__all__ = [
    "Kind",
    "Source",
    "Context",
    "NumericCheck",
    "Mutant",
    "PepOracle",
    "Claim",
    "Params",
    "compare_values",
]

Params = Mapping[str, Any]
Comparison = Literal["tight", "upper", "lower"]


class Kind(str, enum.Enum):
    IDENTITY = "identity"
    UPPER_BOUND = "upper bound"
    TIGHT_BOUND = "tight bound"
    THRESHOLD = "threshold"
    RATE = "rate"


@dataclass(frozen=True)
class Source:
    """A citation. ``key`` is the short label used in tables, e.g. "Nesterov 2004"."""

    key: str
    authors: str
    title: str
    year: int
    venue: str = ""
    arxiv: str | None = None
    doi: str | None = None

    def cite(self) -> str:
        ident = f"arXiv:{self.arxiv}" if self.arxiv else (f"doi:{self.doi}" if self.doi else "")
        parts = [f"{self.authors} ({self.year}). {self.title}."]
        if self.venue:
            parts.append(self.venue + ".")
        if ident:
            parts.append(ident)
        return " ".join(parts)


@dataclass(frozen=True)
class Context:
    """What a ``measure`` function gets besides the parameters.

    ``xp`` is the array namespace of the chosen backend; ``rng`` is a NumPy
    Generator seeded from (run seed, example parameters), so a measurement is
    reproducible from the seed.
    """

    xp: Any
    backend: str
    seed: int
    rng: "np.random.Generator"

    @classmethod
    def numpy(cls, seed: int = 0) -> "Context":
        """A NumPy context seeded with ``seed``, for calling a check's ``measure`` directly."""
        import numpy as np

        from ..numeric.backend import get_namespace

        return cls(xp=get_namespace("numpy"), backend="numpy", seed=seed, rng=np.random.default_rng(seed))


@dataclass(frozen=True)
class NumericCheck:
    """Measures one quantity by running a method, and compares it with a prediction.

    ``measure(params, ctx)`` must run the method (bisection on runs, a rate from a
    trajectory, sampled gradients, ...) and never evaluate the formula under test.
    It returns a float; ``math.inf`` means the run diverged.
    ``predict(params)`` is the claim's formula, ideally lambdified from the statement.
    ``strategy()`` returns a Hypothesis strategy of parameter dicts; None means the claim's.
    ``examples`` are explicit parameter dicts always run first (the first is the
    canonical one whose numbers go into the tables).
    """

    name: str
    description: str
    measure: Callable[[Params, Context], float]
    predict: Callable[[Params], float]
    compare: Comparison = "tight"
    rtol: float = 1e-6
    atol: float = 0.0
    strategy: Callable[[], "SearchStrategy[dict]"] | None = None
    examples: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self):
        if self.compare not in ("tight", "upper", "lower"):
            raise ValueError(f"NumericCheck {self.name!r}: compare must be tight, upper or lower")
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"NumericCheck {self.name!r}: rtol and atol must be >= 0")


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong variant of the claim.

    ``check`` names the NumericCheck whose ``measure`` is reused. At least one of
    ``predict``, ``compare`` and ``strategy`` overrides the check's own. ``statement``
    (optional) is the mutant as a SymPy relation, which the derivation checker
    also tries to refute under the claim's assumptions.
    """

    name: str
    description: str
    check: str
    predict: Callable[[Params], float] | None = None
    compare: Comparison | None = None
    strategy: Callable[[], "SearchStrategy[dict]"] | None = None
    statement: "sympy.Basic | None" = None

    def __post_init__(self):
        if self.predict is None and self.compare is None and self.strategy is None:
            raise ValueError(f"Mutant {self.name!r} changes nothing: give predict, compare or strategy")
        if self.compare is not None and self.compare not in ("tight", "upper", "lower"):
            raise ValueError(f"Mutant {self.name!r}: compare must be tight, upper or lower")


@dataclass(frozen=True)
class PepOracle:
    """A worst-case check against PEPit (extra ``pep``).

    ``worst_case(n)`` builds and solves the PEP for ``n`` iterations and returns
    PEPit's value; ``predict(n)`` is the claim's value. Compared for n in ``ns``.
    """

    worst_case: Callable[[int], float]
    predict: Callable[[int], float]
    ns: tuple[int, ...] = tuple(range(1, 11))
    rtol: float = 1e-3
    compare: Comparison = "tight"


@dataclass(frozen=True)
class Claim:
    """One theorem. See the module docstring for how checks and mutants decide.

    ``derive()`` returns a DerivationReport from ``theorykit.symbolic`` whose steps
    are real algebra checked by the step checker, not the final formula asserted.
    ``doc`` carries the setting as math, the algorithm, *tight* or *upper*, and
    numbered references (PEPit style).
    """

    id: str
    title: str
    statement: "sympy.Basic"
    kind: Kind
    sources: tuple[Source, ...]
    derive: Callable[[], "DerivationReport"]
    checks: tuple[NumericCheck, ...]
    strategy: Callable[[], "SearchStrategy[dict]"]
    mutants: tuple[Mutant, ...]
    assumptions: tuple["sympy.Basic", ...] = ()
    doc: str = ""
    oracle: PepOracle | None = None
    figures: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # "general": derive() proves the theorem for its stated class (every function of the
    # class, every dimension); "reduced": a special case or a reduction, which doc names
    derivation_scope: Literal["general", "reduced"] = "reduced"

    def __post_init__(self):
        family, dot, name = self.id.partition(".")
        if not (dot and family and name and self.id == self.id.strip()):
            raise ValueError(f"claim id {self.id!r} must look like 'family.name'")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: duplicate check names {names}")
        mutant_names = [m.name for m in self.mutants]
        if len(set(mutant_names)) != len(mutant_names):  # results and tests are keyed by mutant name
            raise ValueError(f"claim {self.id}: duplicate mutant names {mutant_names}")
        for m in self.mutants:
            if m.check not in names:
                raise ValueError(f"claim {self.id}: mutant {m.name!r} targets unknown check {m.check!r}")
        if not isinstance(self.kind, Kind):
            object.__setattr__(self, "kind", Kind(self.kind))
        if self.derivation_scope not in ("general", "reduced"):
            raise ValueError(f"claim {self.id}: derivation_scope must be 'general' or 'reduced'")

    @property
    def family(self) -> str:
        return self.id.partition(".")[0]

    def check_named(self, name: str) -> NumericCheck:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def verify(self, *, backend: str = "numpy", seed: int = 0, max_examples: int | None = None, **kw):
        """Derive, measure and mutation-test this claim; returns a ClaimResult."""
        from .runner import verify_claim

        return verify_claim(self, backend=backend, seed=seed, max_examples=max_examples, **kw)

    def _repr_latex_(self) -> str:
        import sympy

        ident = self.id.replace("_", "\\_")  # a bare _ is a subscript error inside \text
        return f"$\\text{{{ident}}}:\\ {sympy.latex(self.statement)}$"

    def _repr_html_(self) -> str:
        from ..report.html import claim_html

        return claim_html(self)


def compare_values(measured: float, predicted: float, compare: Comparison, rtol: float, atol: float) -> bool:
    """The one place where measured and predicted are compared. NaN never passes."""
    m, p = float(measured), float(predicted)
    if math.isnan(m) or math.isnan(p):
        return False
    if compare == "tight":
        if math.isinf(p) or math.isinf(m):
            return m == p
        return abs(m - p) <= rtol * abs(p) + atol
    if compare == "upper":
        if math.isinf(p):  # keep inf arithmetic away from the slack (p=-inf, rtol=1 gave nan)
            return m <= p
        return m <= p + rtol * abs(p) + atol
    if compare == "lower":
        if math.isinf(p):  # p - rtol*|p| would be inf - inf = nan for p = +inf
            return m >= p
        return m >= p - rtol * abs(p) - atol
    raise ValueError(f"unknown comparison {compare!r}")
