"""A claim is data: a statement, its derivation, the checks that measure it,
and the mutants those checks must refute.

No subclass per claim. A family module in ``proofs/`` builds ``Claim`` values
and lists them in its module-level ``CLAIMS`` tuple.

How a numeric check decides (``NumericCheck.compare``), for measured m and predicted p:
  * ``"tight"``: |m - p| <= rtol*|p| + atol
  * ``"upper"``: m <= p*(1 + rtol) + atol      (p is an upper bound on m)
  * ``"lower"``: m >= p - rtol*|p| - atol      (p is a lower bound on m)
A mutant reuses a check's ``measure`` with its own prediction, comparison or
parameter strategy. It is refuted (killed) only where the check itself passes and
the measurement disagrees with the mutant by a margin the check's own noise cannot
explain (``mutant_killed``: at least ``KILL_FACTOR`` times the check's tolerance,
and outside the Monte Carlo confidence interval when the measure reports one). A
mutant whose prediction is NaN, inf or raises is never killed.

Statement-driven checks (the preferred form): a check names the statement symbol it
measures (``measures=``, the left side of the statement or of one conjunct of an
``And``) and binds the statement's other symbols to its parameters (``bind=``). Its
``predict`` is then lambdified from that conjunct's right side and its comparison
follows the relation (``=`` tight, ``<=`` upper, ``>=`` lower); nothing is typed twice.
A mutant is then just an alternative relation (``sympy.Eq(eta_c, 1/L)``) in the
claim's ``mutants``; it replaces the conjunct with the same left side.
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
    "mutant_killed",
    "kill_margin",
    "KILL_FACTOR",
    "conjuncts",
    "relation_compare",
    "register_display",
    "display_html",
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
    ``strategy()`` returns a Hypothesis strategy of parameter dicts; None means the claim's.
    ``examples`` are explicit parameter dicts always run first (the first is the
    canonical one whose numbers go into the tables).

    Statement-driven form: ``measures`` is the statement symbol this check measures
    (the left side of the statement or of one of its conjuncts; ``relation`` gives a
    normalized form of the statement instead, when the check measures that), and
    ``bind`` maps the relation's other symbols (by name) to a params key, a callable
    of params, or a number; unbound symbols are read from params under their own
    name. The claim then fills in ``predict`` (lambdified from the relation's right
    side) and ``compare`` (from the relation: = tight, <= upper, >= lower).
    Old form: ``predict(params)`` given directly.
    """

    name: str
    description: str
    measure: Callable[[Params, Context], float]
    predict: Callable[[Params], float] | None = None
    compare: Comparison | None = None
    rtol: float = 1e-6
    atol: float = 0.0
    strategy: Callable[[], "SearchStrategy[dict]"] | None = None
    examples: tuple[Mapping[str, Any], ...] = ()
    measures: "sympy.Symbol | None" = None
    bind: Mapping[Any, Any] = field(default_factory=dict)
    relation: "sympy.Basic | None" = None
    # drawn examples per search for an expensive measure (a network trained per draw): the
    # strategy still spans the whole region, CI draws this many from it; the thorough
    # profile draws the runner's full budget
    max_draws: int | None = None
    # False for a check whose relation is a coarser view (e.g. the order of magnitude) of a conjunct
    # that another check of the claim measures: near misses are generated from that check's relation
    # only, and still run through this one
    near_misses: bool = True

    def __post_init__(self):
        if self.max_draws is not None and not (isinstance(self.max_draws, int) and self.max_draws >= 1):
            raise ValueError(f"NumericCheck {self.name!r}: max_draws must be a positive integer or None")
        if self.measures is None and self.relation is None:
            if self.predict is None:
                raise ValueError(f"NumericCheck {self.name!r}: give predict, or measures= (statement-driven)")
            if self.compare is None:
                object.__setattr__(self, "compare", "tight")
        if self.compare is not None and self.compare not in ("tight", "upper", "lower"):
            raise ValueError(f"NumericCheck {self.name!r}: compare must be tight, upper or lower")
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"NumericCheck {self.name!r}: rtol and atol must be >= 0")

    def draws(self, max_examples: int) -> int:
        """Examples to draw from the strategy: ``max_examples``, capped by ``max_draws`` except
        under the thorough Hypothesis profile (read at run time, never at import)."""
        if self.max_draws is None:
            return max_examples
        from hypothesis import settings

        if settings.get_current_profile_name() == "thorough":
            return max_examples
        return min(max_examples, self.max_draws)

    @property
    def statement_driven(self) -> bool:
        return self.measures is not None or self.relation is not None

    def predictor_for(self, relation) -> Callable[[Params], float]:
        """``predict(params)`` for ``relation`` (the check's own or a mutant's), with this check's bindings."""
        return relation_predictor(relation, self.bind)


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong variant of the claim.

    ``check`` names the NumericCheck whose ``measure`` is reused. At least one of
    ``predict``, ``compare`` and ``strategy`` overrides the check's own. ``statement``
    (optional) is the mutant as a SymPy relation, which the derivation checker
    also tries to refute under the claim's assumptions.

    A relation given in a claim's ``mutants`` becomes a Mutant with ``relation`` set
    (the alternative conjunct), ``predict``/``compare`` computed from it, and no
    ``statement``: its lhs is a measured quantity, not a universally quantified
    variable, so only a measurement can refute it.
    """

    name: str
    description: str
    check: str
    predict: Callable[[Params], float] | None = None
    compare: Comparison | None = None
    strategy: Callable[[], "SearchStrategy[dict]"] | None = None
    statement: "sympy.Basic | None" = None
    relation: "sympy.Basic | None" = None

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
    # near-miss mutants (keyed by their relation text, as ``relation_text`` prints it)
    # that cannot be told apart on the checked domain, each with the documented reason
    equivalent: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        family, dot, name = self.id.partition(".")
        if not (dot and family and name and self.id == self.id.strip()):
            raise ValueError(f"claim id {self.id!r} must look like 'family.name'")
        object.__setattr__(self, "checks", tuple(_resolve_check(self, c) for c in self.checks))
        object.__setattr__(self, "mutants", tuple(
            m if isinstance(m, Mutant) else relation_mutant(self, m) for m in self.mutants))
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: duplicate check names {names}")
        mutant_names = [m.name for m in self.mutants]
        if len(set(mutant_names)) != len(mutant_names):  # results and tests are keyed by mutant name
            raise ValueError(f"claim {self.id}: duplicate mutant names {mutant_names}")
        if any(not c.near_misses for c in self.checks) and not any(
                c.near_misses and c.statement_driven for c in self.checks):
            raise ValueError(f"claim {self.id}: near_misses=False needs another statement-driven check that "
                             "generates the near misses")
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

    def checks_measuring(self, lhs) -> tuple[NumericCheck, ...]:
        """The statement-driven checks whose relation has left side ``lhs`` (matched by name)."""
        name = getattr(lhs, "name", str(lhs))
        return tuple(c for c in self.checks if c.statement_driven
                     and getattr(check_relation(self, c).lhs, "name", None) == name)

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
        return display_html("claim", self)


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


# --------------------------------------------------------------------------- mutant kills
#: A mutant is killed only when the measurement lies at least this many check
#: tolerances on the wrong side of its prediction.
KILL_FACTOR = 5.0
# float64 round-off floor for checks with rtol = atol = 0: a last-bit difference is no kill
_ROUNDOFF = 1e-9


def kill_margin(measured: float, predicted: float, compare: Comparison, rtol: float, atol: float) -> float | None:
    """How many check tolerances ``measured`` lies on the wrong side of ``predicted``
    (<= 0: no disagreement); None when undecidable (prediction NaN/inf, measurement NaN)."""
    m, p = float(measured), float(predicted)
    if not math.isfinite(p) or math.isnan(m):
        return None
    if compare == "tight":
        excess = abs(m - p)
    elif compare == "upper":
        excess = m - p
    elif compare == "lower":
        excess = p - m
    else:
        raise ValueError(f"unknown comparison {compare!r}")
    scale = max(abs(p), abs(m) if math.isfinite(m) else 0.0)
    tol = max(rtol * abs(p) + atol, _ROUNDOFF * scale)
    if excess <= 0:
        return 0.0
    return math.inf if tol == 0 else excess / tol


def mutant_killed(measured: float, predicted: float, compare: Comparison, rtol: float, atol: float,
                  interval: Mapping[str, Any] | None = None, factor: float = KILL_FACTOR) -> bool:
    """True when a measurement refutes a mutant's prediction by more than the check's noise.

    At least ``factor`` tolerances of disagreement, and for Monte Carlo measurements
    (``interval`` with ``lo``/``hi``) the prediction must also lie outside the confidence
    interval on the wrong side. A NaN/inf prediction is never a kill."""
    margin = kill_margin(measured, predicted, compare, rtol, atol)
    if margin is None or margin < factor:
        return False
    if interval:
        lo, hi, p = float(interval["lo"]), float(interval["hi"]), float(predicted)
        if compare == "tight" and lo <= p <= hi:
            return False
        if compare == "upper" and lo <= p:
            return False
        if compare == "lower" and hi >= p:
            return False
    return True


# --------------------------------------------------------------------------- statements
_COMPARE_OF = {"Equality": "tight", "LessThan": "upper", "StrictLessThan": "upper",
               "GreaterThan": "lower", "StrictGreaterThan": "lower"}
_OP_OF = {"Equality": "=", "LessThan": "<=", "StrictLessThan": "<", "GreaterThan": ">=", "StrictGreaterThan": ">"}


def conjuncts(statement) -> tuple:
    """The relations of a statement: the args of an ``And``, else the statement itself."""
    import sympy

    if isinstance(statement, sympy.And):
        return tuple(statement.args)
    return (statement,)


def relation_compare(relation) -> Comparison:
    """= -> tight, <= / < -> upper (the right side bounds the measured left side), >= / > -> lower."""
    kind = type(relation).__name__
    if kind not in _COMPARE_OF:
        raise ValueError(f"not a relation (=, <=, <, >=, >): {relation}")
    return _COMPARE_OF[kind]


def relation_text(relation) -> str:
    """``lhs op rhs`` as plain text (the name of a relation mutant, the key of ``Claim.equivalent``)."""
    return f"{relation.lhs} {_OP_OF[type(relation).__name__]} {relation.rhs}"


def _getter(binding):
    if isinstance(binding, str):
        return lambda p: float(p[binding])
    if callable(binding):
        return lambda p: float(binding(p))
    value = float(binding)
    return lambda p: value


def relation_predictor(relation, bind: Mapping[Any, Any]) -> Callable[[Params], float]:
    """``predict(params)``: the relation's right side, lambdified once, with each free symbol
    bound by name through ``bind`` (a params key, a callable of params or a number) or read
    from params under its own name. A complex or non-real value raises ValueError."""
    import sympy

    rhs = relation.rhs
    names = {getattr(k, "name", k): v for k, v in bind.items()}
    symbols = sorted(rhs.free_symbols, key=lambda x: x.name)
    getters = [_getter(names.get(x.name, x.name)) for x in symbols]
    # lambdified on first use: loading the catalog builds ~460 predictors (0.3 s of its serial
    # start), and each claim's are used only by the worker that verifies it
    fn: list = []

    def predict(params: Params) -> float:
        if not fn:
            fn.append(sympy.lambdify(symbols, rhs, modules="math"))
        value = fn[0](*(g(params) for g in getters))
        if isinstance(value, complex):
            raise ValueError(f"{rhs} is not real at these parameters")
        return float(value)

    predict.expr = rhs  # for tables and the mutation report
    return predict


def check_relation(claim: "Claim", check: NumericCheck):
    """The relation a statement-driven check measures: its own ``relation``, or the conjunct
    of the claim's statement whose left side is ``check.measures``."""
    if check.relation is not None:
        return check.relation
    name = getattr(check.measures, "name", str(check.measures))
    for rel in conjuncts(claim.statement):
        if getattr(getattr(rel, "lhs", None), "name", None) == name:
            return rel
    raise ValueError(f"claim {claim.id}: check {check.name!r} measures {name}, "
                     f"which is not the left side of any conjunct of {claim.statement}")


def _resolve_check(claim: "Claim", check: NumericCheck) -> NumericCheck:
    from dataclasses import replace

    if not check.statement_driven or check.predict is not None:
        return check
    rel = check_relation(claim, check)
    compare = relation_compare(rel)
    if check.compare is not None and check.compare != compare:
        raise ValueError(f"claim {claim.id}: check {check.name!r} says compare={check.compare!r} "
                         f"but its relation {relation_text(rel)} means {compare!r}")
    if rel.lhs in rel.rhs.free_symbols:
        raise ValueError(f"claim {claim.id}: the measured {rel.lhs} appears on the right side of {rel}")
    return replace(check, predict=check.predictor_for(rel), compare=compare)


def replace_conjunct(statement, relation):
    """The statement with the conjunct whose left side is ``relation.lhs`` replaced by ``relation``."""
    import sympy

    parts = conjuncts(statement)
    name = getattr(relation.lhs, "name", None)
    out = [relation if getattr(getattr(r, "lhs", None), "name", None) == name else r for r in parts]
    return sympy.And(*out, evaluate=False) if len(out) > 1 else out[0]


def relation_mutant(claim: "Claim", relation, *, name: str | None = None, description: str | None = None,
                    check: str | None = None) -> Mutant:
    """A Mutant from an alternative relation: reuses the first check (or ``check``) that measures
    its left side, with prediction and comparison computed from the relation."""
    import sympy

    if not isinstance(relation, sympy.Rel):
        raise ValueError(f"claim {claim.id}: a mutant must be a Mutant or a SymPy relation, got {relation!r}")
    candidates = claim.checks_measuring(relation.lhs)
    if check is not None:
        candidates = tuple(c for c in candidates if c.name == check)
    if not candidates:
        raise ValueError(f"claim {claim.id}: no check measures {relation.lhs} (the left side of mutant {relation})")
    target = candidates[0]
    text = relation_text(relation)
    return Mutant(name=name or text, description=description or f"alternative statement {text}",
                  check=target.name, predict=target.predictor_for(relation),
                  compare=relation_compare(relation), relation=relation)


# --------------------------------------------------------------------------- notebook display
# The claims layer does not import the report layer: report.html registers its renderers here
# (as SymPy's printers are looked up by the objects they print), and ``import theorykit``
# loads it when a claim or result is first asked for.
_DISPLAY: dict[str, Callable[[Any], str]] = {}


def register_display(kind: str, render: Callable[[Any], str]) -> None:
    """Register the HTML renderer for ``kind`` ("claim", "result")."""
    _DISPLAY[kind] = render


def display_html(kind: str, obj: Any) -> str:
    """HTML of ``obj`` from the registered renderer; escaped plain text when none is registered."""
    render = _DISPLAY.get(kind)
    if render is not None:
        return render(obj)
    from html import escape

    return f"<pre>{escape(str(getattr(obj, 'id', obj)))}</pre>"
