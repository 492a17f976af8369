"""Checking vector derivations step by step: proved (with a certificate),
refuted (with an exact counterexample) or unknown."""
from __future__ import annotations

import re
import time

import sympy

from ...errors import InputError
from ..derivation import _locate_assumption_error, _make_assumptions, _run_prover, compose_relations
from ..report import ChainResult, DerivationReport, StepResult
from .certificate import find_certificate
from .classes import parameter_conditions
from .document import VectorDerivation, parse_vector_derivation
from .noise import with_noise
from .problem import boundary_points, build_problem, concave_variant, sample_parameters, stretched_points
from .refute import find_counterexample
from .syntax import moment_symbol
from .render import WrittenExpr, certificate_dict
from .reductions import divide_positive_power, guarded, norm_bound_step, perspective_step, satisfies_all
from .signs import handelman_sign, positive_atoms, quick_sign

__all__ = ["check_vector_text", "check_vector_document", "decide_vector_step", "MAX_BASIS", "MAX_POINTS"]

# the SDP has one row and column per basis vector (free vectors and gradients) and one
# interpolation inequality per ordered pair of points: keep both small enough for the budget
MAX_BASIS = 16
MAX_POINTS = 10


class _Positivity:
    """Proves expr >= 0 (or > 0) under the file's assumptions with the scalar prover; cached."""

    def __init__(self, assumptions, deadline_getter):
        self.assumptions = assumptions
        self.deadline = deadline_getter
        self.cache = {}
        self.atoms = positive_atoms(assumptions)

    def __call__(self, expr, strict: bool) -> bool:
        expr = sympy.cancel(sympy.sympify(expr))
        key = (expr, strict)
        if key in self.cache:
            return self.cache[key]
        if expr.is_number:
            if expr.is_Rational:
                ok = bool(expr > 0) if strict else bool(expr >= 0)
            else:  # an exact algebraic number: its sign by exact/adaptive evaluation
                from ..exact import sign_at

                sign = sign_at(expr, {})
                ok = sign is not None and (sign > 0 if strict else sign >= 0)
            self.cache[key] = ok
            return ok
        atoms = self.atoms
        defined = {k.name for k in getattr(self.assumptions, "definitions", {}) or {}}
        if atoms and not any(s.name in defined for s in expr.free_symbols):
            quick = quick_sign(expr, atoms)  # exact: products/sums of assumed-positive factors
            if quick is None:
                quick = handelman_sign(expr, atoms)  # exact: weights from an LP, checked symbolically
            if quick == "pos" or (quick == "nonneg" and not strict):
                self.cache[key] = True
                return True
        left = self.deadline() - time.monotonic()
        if left < 0.2:
            return False
        from ..prover import prove_step

        try:
            verdict = prove_step(expr, ">" if strict else ">=", 0, self.assumptions, timeout=min(left, 4.0))
            ok = verdict.status == "proved"
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception:  # noqa: BLE001 - an unusable call proves nothing
            ok = False
        self.cache[key] = ok
        return ok


def _placeholders(expr) -> bool:
    return any(s.name.startswith(("F__", "G__")) for s in expr.free_symbols)


def decide_vector_step(doc: VectorDerivation, lhs, op, rhs, assumptions, timeout: float, prover, positivity,
                       class_problem: str | None):
    """(status, method, counterexample, certificate, seconds) for one step."""
    start = time.monotonic()
    deadline = start + timeout
    if not (_placeholders(lhs) or _placeholders(rhs)):
        status, method, cex, seconds = _run_prover(prover, lhs, op, rhs, assumptions, timeout)
        if cex is not None:
            cex = {"scalars": cex, "vectors": {}, "functions": {}}
        return status, method, cex, None, seconds
    if class_problem:
        return "unknown", class_problem, None, None, time.monotonic() - start
    if op == "=":
        difference = sympy.expand(lhs - rhs)
        if sympy.cancel(difference) == 0:
            return "proved", "identity in the Gram representation", None, {"text": "LHS - RHS = 0 identically"}, \
                time.monotonic() - start
        results = []
        for sub in ("<=", ">="):
            results.append(decide_vector_step(doc, lhs, sub, rhs, assumptions, max(deadline - time.monotonic(), 0.1) / 2,
                                              prover, positivity, None))
        if all(r[0] == "proved" for r in results):
            return "proved", "two certificates (<= and >=)", None, results[0][3], time.monotonic() - start
        for r in results:
            if r[0] == "refuted":
                return "refuted", r[1], r[2], None, time.monotonic() - start
        return "unknown", "equality not shown either way", None, None, time.monotonic() - start
    if len(doc.ctx.basis) > MAX_BASIS or len(doc.ctx.points) > MAX_POINTS:
        return ("unknown", f"too many vectors or points for the Gram reduction (limits: {MAX_BASIS} basis "
                f"vectors, {MAX_POINTS} points); split the derivation", None, None, time.monotonic() - start)
    rewrite = getattr(assumptions, "expand_definitions", None)
    if rewrite is not None and getattr(assumptions, "definitions", None):
        # the values in plain real symbols, as the rest of the file is parsed
        definitions = {k.name: v.xreplace({s: sympy.Symbol(s.name, real=True) for s in v.free_symbols})
                       for k, v in assumptions.definitions.items()}

        def rewrite(expr, _defs=definitions):  # noqa: F811 - assume: L = 1 fixes L everywhere
            subs = {s: _defs[s.name] for s in expr.free_symbols if s.name in _defs}
            return expr.xreplace(subs) if subs else expr
    else:
        rewrite = None
    problem = build_problem(doc.ctx, lhs, op, rhs, rewrite)
    squared = ""
    if problem is None and _nonnegative_side(lhs, positivity) and _nonnegative_side(rhs, positivity):
        # both sides >= 0 for every admissible value (norms times nonnegative scalars): A <= B iff A^2 <= B^2,
        # so the squared step has the same verdict and the same counterexamples
        problem = build_problem(doc.ctx, sympy.expand(lhs**2), op, sympy.expand(rhs**2), rewrite)
        squared = " (both sides >= 0, squared)"
    norm_bound = None
    if problem is None and op in ("<=", ">="):
        norm_bound = guarded(norm_bound_step, doc, lhs, op, rhs, rewrite, positivity)
        if norm_bound is not None:
            problem, assumptions, positivity = norm_bound
    perspective = None
    if problem is None and op in ("<=", ">="):
        perspective = guarded(perspective_step, doc, lhs, op, rhs, rewrite, positivity)
        if perspective is not None:
            problem, assumptions, positivity = perspective
    divided = None
    if problem is not None:
        problem, divided = divide_positive_power(problem, positivity)
    if problem is None:
        return ("unknown", "not affine in the Gram matrix and the function values "
                "(e.g. a sum of norms that are not squared, or a product of two function values)",
                None, None, time.monotonic() - start)
    names = [s.name for s in problem.parameters]
    generic = sample_parameters(names, assumptions, count=2, seed=1, generic=True)
    if not generic:
        generic = sample_parameters(names, assumptions, count=2, seed=1)
    generic += stretched_points(generic[0], names, assumptions) if generic else []
    positivity.deadline = lambda: deadline
    reason = "no parameter values satisfy assume:" if not generic else ""
    if generic:
        try:
            cert, reason = find_certificate(problem, generic, positivity, deadline - 0.3 * timeout)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a failed search is an honest unknown
            cert, reason = None, f"certificate search failed ({type(exc).__name__})"
        if cert is not None:
            data = certificate_dict(cert, "<=" if norm_bound else op, doc.ctx.basis_label)
            if perspective:
                via = "for every real tau: a**2/b >= 2*tau*a - tau**2*b (b > 0), and"
                data["via"] = via
                for key in ("identity", "text"):
                    data[key] = via + " " + data[key].replace("RHS - LHS", "(the step with a**2/b so bounded)")
                return "proved", "interpolation certificate (quadratic-over-norm terms, for every tau)", None, \
                    data, time.monotonic() - start
            if norm_bound:
                via = "for every tau > 0: c*norm(v) <= c/(2*tau)*norm(v)**2 + c*tau/2 (AM-GM), and"
                data["via"] = via
                for key in ("identity", "text"):
                    data[key] = via + " " + data[key].replace("RHS - LHS", "c/(2*tau)*norm(v)**2 + c*tau/2 - A")
                return "proved", "interpolation certificate (norm bound, for every tau > 0)", None, data, \
                    time.monotonic() - start
            if squared:
                data["squared"] = True
                data["identity"] = data["identity"].replace("RHS", "RHS²").replace("LHS", "LHS²")
                data["latex"] = data["latex"].replace(r"\mathrm{RHS}", r"\mathrm{RHS}^2").replace(
                    r"\mathrm{LHS}", r"\mathrm{LHS}^2")
                data["text"] = data["text"].replace("RHS - LHS", "RHS² - LHS²").replace("LHS - RHS", "LHS² - RHS²")
            if divided is not None:
                data["divided_by"] = str(divided)
                for key in ("identity", "text"):
                    data[key] = data[key].replace("RHS - LHS", f"(RHS - LHS)/({divided})").replace(
                        "LHS - RHS", f"(LHS - RHS)/({divided})")
            return "proved", "interpolation certificate" + squared, None, data, time.monotonic() - start
    simple = sample_parameters(names, assumptions, count=14, seed=0)
    points = simple[:2]
    if simple:
        points += boundary_points(simple[0], names, assumptions)
    points += [p for p in simple[2:] if p not in points]
    if perspective:
        # the violation of a tau-step needs tau near its optimum a/b, a ratio of the data: sweep a
        # scale of tau values (both signs unless assume: fixed one) at the first simple points
        taus = [n for n in names if n.startswith("tau__")]
        sweep = []
        for base in simple[:3]:
            for magnitude in ("1/4", "1/8", "1/2", "1/16", "3/4", "1/32", "2", "4"):
                for sign in (-1, 1):
                    value = sympy.Rational(magnitude) * sign
                    trial = satisfies_all(assumptions, {**base, **{t: value for t in taus}})
                    if trial is not None and trial not in sweep:
                        sweep.append(trial)
        points = sweep + [p for p in points if p not in sweep]
    cex = None
    variants = [v for v in (problem, concave_variant(problem)) if v is not None]  # concave members too
    for number, variant in enumerate(variants):
        if cex is not None:
            continue
        # the time left, shared between the member families still to search
        stop = time.monotonic() + (deadline - time.monotonic()) / (len(variants) - number)
        try:
            cex = find_counterexample(variant, points, assumptions, stop, lambda stop=stop: stop - time.monotonic())
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001
            cex, reason = None, f"{reason}; counterexample search failed ({type(exc).__name__})"
    if cex is not None and (norm_bound or perspective):
        for name in list(cex["scalars"]):
            if name.startswith("tau__"):  # the variational parameters are not scalars of the file
                cex["scalars"].pop(name)
    if cex is not None:
        return "refuted", "exact counterexample (worst case of the Gram SDP, rounded)" + squared, cex, None, \
            time.monotonic() - start
    return "unknown", reason or "neither a certificate nor a counterexample was found", None, None, \
        time.monotonic() - start


def _warm_up() -> None:
    """Import cvxpy and fork the prover once, before any step's budget starts (as the scalar prover does)."""
    import cvxpy  # noqa: F401 - seconds to import; not a step's cost

    from ..prover import _warm_up as warm_prover

    warm_prover()


def _decide_isolated(doc, lhs, op, rhs, assumptions, timeout, prover, positivity, class_problem):
    """decide_vector_step in a forked worker (hard stop past the budget); scalar-only steps
    go to the scalar prover, which isolates itself. With noise vectors, a counterexample
    gets each noise's exact law (noise.with_noise) and a certificate says how E was reduced."""
    from .isolate import run_isolated

    args = (doc, lhs, op, rhs, assumptions, timeout, prover, positivity, class_problem)
    if not (_placeholders(lhs) or _placeholders(rhs)):
        result = decide_vector_step(*args)
    else:
        result = run_isolated(decide_vector_step, args, timeout,
                              lambda reason, seconds: ("unknown", reason, None, None, seconds))
    if not doc.ctx.noises:
        return result
    status, method, cex, cert, seconds = result
    if status == "refuted":
        cex = with_noise(cex, doc.ctx)
        if cex is None:  # pragma: no cover - the law is exact by construction
            return "unknown", "no exact law for the noise", None, None, seconds
        method += "; noise: a two-point law with mean 0 and the second moment found"
    if status == "proved" and isinstance(cert, dict):
        cert = {**cert, "expectation": _EXPECTATION_NOTE}
        for key in ("identity", "text"):
            if key in cert:
                cert[key] = _MOMENT_NAME.sub(r"E(norm(\1)**2)", cert[key])
        if "latex" in cert:
            for name in doc.ctx.noises:
                cert["latex"] = cert["latex"].replace(sympy.latex(moment_symbol(name)),
                                                      rf"\mathbb{{E}}\|{sympy.latex(sympy.Symbol(name))}\|^2")
        if "text" in cert:
            cert["text"] = f"{cert['text']}  [{_EXPECTATION_NOTE}]"
    return status, method, cex, cert, seconds


_EXPECTATION_NOTE = ("after E: E(dot(e, a)) = 0 for deterministic a, E(norm(e)**2) is a scalar (E is linear, "
                     "E[e | the deterministic vectors] = 0)")
_MOMENT_NAME = re.compile(r"Enorm2__(\w+?)(?![\w])")


def _shown(relations, ctx):
    """The assumptions as printed: each moment symbol shown as E(norm(e)**2)."""
    if not ctx.noises:
        return relations
    names = {moment_symbol(n): sympy.Symbol(f"E(norm({n})**2)", real=True) for n in ctx.noises}
    return [r.xreplace(names) for r in relations]


def _nonnegative_side(side, positivity) -> bool:
    """True when ``side`` is a product of norms (square roots of Gram forms) and scalars proved >= 0."""
    scalar = sympy.Integer(1)
    roots = 0
    for factor in sympy.Mul.make_args(side):
        if _placeholders(factor):
            if not (isinstance(factor, sympy.Pow) and factor.exp == sympy.Rational(1, 2)):
                return False
            roots += 1
        else:
            scalar *= factor
    return positivity(scalar, strict=False) if (roots or not _placeholders(side)) else False


def _class_problem(doc, positivity) -> str | None:
    for name, cls in doc.ctx.functions.items():
        for expr, rel in parameter_conditions(cls):
            if not positivity(expr, strict=rel == ">"):
                return f"assume: does not imply {expr} {rel} 0, which the class of {name} ({cls.text}) needs"
    return None


def _strict_gaps(doc, positivity) -> list:
    """The class conditions ``expr > 0`` that ``assume:`` implies only as ``expr >= 0`` (typically
    ``mu <= L`` for smooth(L), strongly_convex(mu)). At equality the class degenerates (mu = L:
    f = L/2 ||x - c||^2 + const), which the interpolation inequalities do not describe, so such a
    file is decided on the subset where every gap is strict: a counterexample there satisfies the
    file's own assumptions (a refutation), a proof there covers only part of them (unknown, with
    the qualifier shown). Empty when some other class condition fails outright."""
    gaps = []
    for cls in doc.ctx.functions.values():
        for expr, rel in parameter_conditions(cls):
            if positivity(expr, strict=rel == ">"):
                continue
            if rel == ">" and positivity(expr, strict=False):
                gaps.append(expr)
            else:
                return []
    return gaps


def _decide_on_strict_gaps(doc, lhs, op, rhs, gap_args, timeout, prover):
    """decide a step where the class needs ``gap > 0`` and ``assume:`` gives only ``gap >= 0``;
    for smooth(L), strongly_convex(mu) the boundary mu = L is decided too (degenerate.py)."""
    gaps, assumptions, positivity, boundary = gap_args
    status, method, cex, cert, seconds = _decide_isolated(doc, lhs, op, rhs, assumptions, timeout, prover,
                                                          positivity, None)
    if status == "refuted":
        return status, f"{method}; counterexample with {', '.join(f'{g} > 0' for g in gaps)}", cex, None, seconds
    where = ", ".join(f"{g} > 0" for g in gaps)
    if status == "proved" and boundary is not None:
        from .isolate import run_isolated

        # in a forked worker within what is left of the step's budget (at least 2 s), like the step itself
        budget = max(timeout - seconds, 2.0)
        started = time.monotonic()
        at_equality = run_isolated(_prove_at_boundary, (doc, lhs, op, rhs, boundary, budget), budget,
                                   lambda reason, spent: None)
        seconds += time.monotonic() - started
        if at_equality is not None:
            cert = {**(cert or {}), "boundary": at_equality["text"]}
            if "text" in cert:
                cert["text"] = f"{cert['text']}; where L - mu > 0. {at_equality['text']}"
            return "proved", f"{method} where {where}; a sum of squares at equality", None, cert, seconds
    if status == "proved":
        return ("unknown", f"proved only where {where} (the class is degenerate at equality, which is not "
                f"decided); add it to assume: to prove the step", None, None, seconds)
    return status, method, cex, cert, seconds


def _boundary_args(doc, relations, timeout):
    """(assumptions with mu = L, their positivity) when the only gap is L - mu of one
    smooth(L), strongly_convex(mu) function with a plain symbol mu; else None."""
    if len(doc.ctx.functions) != 1:
        return None
    (cls,) = doc.ctx.functions.values()
    if cls.kind != "smooth_strongly_convex" or not isinstance(cls.mu, sympy.Symbol) or cls.M is not None:
        return None
    try:
        equal = _make_assumptions(list(relations) + [sympy.Eq(cls.mu, cls.L)], False)
    except (InputError, ValueError, TypeError):
        return None
    return equal, _Positivity(equal, lambda: time.monotonic() + timeout)


def _prove_at_boundary(doc, lhs, op, rhs, boundary, budget: float = 10.0):
    from .degenerate import prove_at_equality

    assumptions, positivity = boundary
    definitions = {k.name: v.xreplace({s: sympy.Symbol(s.name, real=True) for s in v.free_symbols})
                   for k, v in getattr(assumptions, "definitions", {}).items()}

    def rewrite(expr):
        expr = sympy.sympify(expr)
        for _ in range(4):  # definitions may refer to each other (mu = L, kappa = L/mu)
            subs = {s: definitions[s.name] for s in expr.free_symbols if s.name in definitions}
            if not subs:
                break
            expr = expr.xreplace(subs)
        return expr

    stop = time.monotonic() + budget
    positivity.deadline = lambda: stop
    try:
        found = prove_at_equality(doc.ctx, lhs, op, rhs, rewrite, positivity)
        if found is None and op != "=" and _nonnegative_side(lhs, positivity) and _nonnegative_side(rhs, positivity):
            # both sides products of norms and scalars >= 0: A <= B iff A^2 <= B^2, as in decide_vector_step
            found = prove_at_equality(doc.ctx, sympy.expand(lhs**2), op, sympy.expand(rhs**2), rewrite, positivity)
        return found
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # noqa: BLE001 - a failed boundary proof leaves the step unknown
        return None


def check_vector_document(doc: VectorDerivation, *, timeout: float = 10.0, prover=None) -> DerivationReport:
    relations = [relation for relation, _, _ in doc.assumptions]
    try:
        assumptions = _make_assumptions(relations, False)
    except InputError as exc:
        if all(line == 0 for _, line, _ in doc.assumptions):
            raise
        raise _locate_assumption_error(exc, doc, False) from None
    if prover is None:
        from ..prover import prove_step as prover
    _warm_up()
    positivity = _Positivity(assumptions, lambda: time.monotonic() + timeout)
    class_problem = _class_problem(doc, positivity)
    gap_args = None
    gaps = _strict_gaps(doc, positivity) if class_problem else []
    if gaps:
        strict = relations + [sympy.StrictGreaterThan(g, 0) for g in gaps]
        strict_assumptions = _make_assumptions(strict, False)
        boundary = _boundary_args(doc, relations, timeout) if [str(g) for g in gaps] == [
            str(c.L - c.mu) for c in doc.ctx.functions.values()] else None
        gap_args = (gaps, strict_assumptions, _Positivity(strict_assumptions, lambda: time.monotonic() + timeout),
                    boundary)
    results = []
    for index, step in enumerate(doc.steps):
        if gap_args is not None and (_placeholders(step.lhs) or _placeholders(step.rhs)):
            status, method, cex, cert, seconds = _decide_on_strict_gaps(
                doc, step.lhs, step.op, step.rhs, gap_args, timeout, prover)
        else:
            status, method, cex, cert, seconds = _decide_isolated(
                doc, step.lhs, step.op, step.rhs, assumptions, timeout, prover, positivity, class_problem)
        left_text, right_text = doc.texts[index]
        result = StepResult(index=index, line=step.line, lhs=WrittenExpr(left_text), relation=step.op,
                            rhs=WrittenExpr(right_text), status=status, method=method, counterexample=cex,
                            seconds=seconds, justification=step.justification)
        result.certificate = cert
        results.append(result)
    chains = []
    for chain in doc.chains:
        ops = [doc.steps[k].op for k in chain.steps]
        relation = compose_relations(ops)
        statuses = [results[k].status for k in chain.steps]
        if relation is None:
            chains.append(ChainResult(chain.start_line, None, "unknown", list(chain.steps), "no composed relation"))
            continue
        if all(s == "proved" for s in statuses):
            chains.append(ChainResult(chain.start_line, relation, "proved", list(chain.steps), "steps"))
            continue
        first = doc.steps[chain.steps[0]].lhs
        last = doc.steps[chain.steps[-1]].rhs
        status, method, cex, _, _ = _decide_isolated(doc, first, relation, last, assumptions, timeout, prover,
                                                     positivity, class_problem)
        if status == "refuted":
            chains.append(ChainResult(chain.start_line, relation, "refuted", list(chain.steps), method, cex))
        else:
            chains.append(ChainResult(chain.start_line, relation, "unknown", list(chain.steps), method))
    statuses = {r.status for r in results} | {c.status for c in chains}
    if "refuted" in statuses:
        overall = "refuted"
    elif "unknown" in {r.status for r in results}:
        overall = "unknown"
    else:
        overall = "proved"
    return DerivationReport(file=doc.source, status=overall, steps=results, chains=chains,
                            assumptions=_shown(relations, doc.ctx))


def check_vector_text(text: str, source: str | None = None, *, timeout: float = 10.0, prover=None) -> DerivationReport:
    """Parse and check a vector derivation given as text."""
    return check_vector_document(parse_vector_derivation(text, source), timeout=timeout, prover=prover)
