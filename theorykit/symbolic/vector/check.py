"""Checking vector derivations step by step: proved (with a certificate),
refuted (with an exact counterexample) or unknown."""
from __future__ import annotations

import time

import sympy

from ...errors import InputError
from ..derivation import _locate_assumption_error, _make_assumptions, _run_prover, compose_relations
from ..report import ChainResult, DerivationReport, StepResult
from .certificate import find_certificate
from .classes import parameter_conditions
from .document import VectorDerivation, parse_vector_derivation
from .problem import boundary_points, build_problem, concave_variant, sample_parameters, stretched_points
from .refute import find_counterexample
from .render import WrittenExpr, certificate_dict
from .signs import positive_atoms, quick_sign

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
        norm_bound = _guarded(_norm_bound, doc, lhs, op, rhs, rewrite, positivity)
        if norm_bound is not None:
            problem, assumptions, positivity = norm_bound
    perspective = None
    if problem is None and op in ("<=", ">="):
        perspective = _guarded(_perspective, doc, lhs, op, rhs, rewrite, positivity)
        if perspective is not None:
            problem, assumptions, positivity = perspective
    divided = None
    if problem is not None:
        problem, divided = _divide_positive_power(problem, positivity)
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
                    trial = _satisfies_all(assumptions, {**base, **{t: value for t in taus}})
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


TAU = sympy.Symbol("tau__", real=True)  # no name of a file can contain a double underscore


def _norm_bound(doc, lhs, op, rhs, rewrite, positivity):
    """A <= c*norm(v) (A affine in the Gram matrix and the values, c >= 0 a scalar) as an affine step.

    By AM-GM, c||v|| <= c/(2 tau) ||v||^2 + c tau/2 for tau > 0 with equality at tau = ||v||, so
    A <= c||v|| for all data iff A <= c/(2 tau) ||v||^2 + c tau/2 for all data and all tau > 0
    (when ||v|| = 0, tau -> 0 gives A <= 0). tau becomes a parameter with tau > 0; a counterexample
    to the tau-step counts only when the written step fails on it exactly (A > 0, A^2 > c^2 ||v||^2).
    Returns (problem, assumptions with tau > 0, positivity for them) or None."""
    small, big = (lhs, rhs) if op == "<=" else (rhs, lhs)
    roots = [f for f in sympy.Mul.make_args(big) if _placeholders(f)]
    if len(roots) != 1 or not (isinstance(roots[0], sympy.Pow) and roots[0].exp == sympy.Rational(1, 2)):
        return None
    square = roots[0].base
    c = sympy.Mul(*[f for f in sympy.Mul.make_args(big) if not _placeholders(f)])
    if not positivity(c, strict=False):
        return None
    from ..derivation import _make_assumptions

    try:
        assumptions = _make_assumptions([r for r, _, _ in doc.assumptions] + [TAU > 0], False)
    except Exception:  # noqa: BLE001 - then no such reduction
        return None
    problem = build_problem(doc.ctx, small, "<=", c / (2 * TAU) * square + c * TAU / 2, rewrite)
    if problem is None:
        return None
    a_form = build_problem(doc.ctx, small, "<=", sympy.Integer(0), rewrite)
    q_form = build_problem(doc.ctx, sympy.Integer(0), "<=", square, rewrite)
    if a_form is None or q_form is None:
        return None
    a_expr = -(sum((k * v for v, k in a_form.target.coeffs.items()), sympy.Integer(0)) + a_form.target.const)
    q_expr = sum((k * v for v, k in q_form.target.coeffs.items()), sympy.Integer(0)) + q_form.target.const
    c_expr = rewrite(c) if rewrite else c

    def violated(subs, scal, a_expr=a_expr, q_expr=q_expr, c_expr=c_expr):
        a = a_expr.xreplace(subs).xreplace(scal)
        q = q_expr.xreplace(subs).xreplace(scal)
        cc = c_expr.xreplace(scal)
        if not (a.is_Rational and q.is_Rational and cc.is_Rational):
            return False
        return bool(a > 0 and a * a > cc * cc * q)

    from dataclasses import replace

    new_positivity = _Positivity(assumptions, positivity.deadline)
    return replace(problem, violated=violated), assumptions, new_positivity


def _satisfies_all(assumptions, values):
    done = assumptions.complete(values) if hasattr(assumptions, "complete") else values
    if done is None or (hasattr(assumptions, "satisfied_exactly") and not assumptions.satisfied_exactly(done)):
        return None
    return done


def _guarded(reduction, *args):
    """A reduction that fails (an unexpected expression shape) is only not applied."""
    try:
        return reduction(*args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:  # noqa: BLE001 - the step stays out of scope: an honest unknown
        return None


def _perspective(doc, lhs, op, rhs, rewrite, positivity):
    """A step whose non-affine part is a sum of -k a^2/b (k >= 0 a scalar, a affine, b = ||v||^2 a Gram
    form proved PSD), e.g. f(x1) - f* <= d - d^2/(2 L ||x0 - x*||^2) with d = f(x0) - f*.

    For b > 0, a^2/b = max over real tau of 2 tau a - tau^2 b, so T = A - sum k a^2/b >= 0 iff
    A - sum k (2 tau_j a - tau_j^2 b) >= 0 for every real tau_j: an affine step with new parameters.
    The step is meaningful only where every b > 0; a counterexample to the tau-step counts only when
    the written step fails on it exactly (with b != 0). Returns (problem, assumptions, positivity) or None."""
    from dataclasses import replace

    from .certificate import _psd_squares
    from .problem import linear_form

    rewrite_fn = rewrite or (lambda e: e)
    target = rewrite_fn(rhs - lhs) if op == "<=" else rewrite_fn(lhs - rhs)
    groups: dict = {}
    rest = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(target)):
        num, den = sympy.fraction(sympy.together(term))
        if _placeholders(den):
            scalar = sympy.Mul(*[f for f in sympy.Mul.make_args(sympy.factor(den)) if not _placeholders(f)])
            key = sympy.expand(den / scalar)
            groups[key] = groups.get(key, sympy.Integer(0)) + num / scalar
        else:
            rest += term
    if not groups or len(groups) > 3:
        return None
    new_target = rest
    taus = []
    originals = []
    relations = [r for r, _, _ in doc.assumptions]
    for b, num in groups.items():
        # b: a Gram form without function values (the scalar factors of the denominator are in num)
        s_factor = sympy.Integer(1)
        if any(sym.name.startswith("F__") for sym in b.free_symbols):
            return None
        numer, denom = sympy.fraction(sympy.together(sympy.expand(num)))
        if _placeholders(denom):
            return None
        coeff, factors = sympy.factor_list(sympy.expand(numer))
        placeholder_factors = [(f, m) for f, m in factors if _placeholders(f)]
        if len(placeholder_factors) != 1 or placeholder_factors[0][1] != 2:
            return None
        a = placeholder_factors[0][0]
        scalar = coeff * sympy.Mul(*[f**m for f, m in factors if not _placeholders(f)]) / denom
        k = sympy.cancel(-scalar / s_factor)  # the group is -k a^2/b
        if not positivity(k, strict=False):
            return None
        if not _is_psd_gram(doc, b, positivity, _psd_squares):
            return None
        tau = sympy.Symbol(f"tau__{len(taus)}", real=True)
        taus.append(tau)
        # the maximum over tau sits at tau = a/b: when a >= 0 (or <= 0) for every member, tau >= 0
        # (or <= 0) suffices, which certificates need (a multiplier 2 k tau must be >= 0)
        sign = _sign_of_affine(doc, a, positivity)
        if sign is not None:
            relations.append(tau >= 0 if sign > 0 else tau <= 0)
        new_target -= k * (2 * tau * a - tau**2 * b)
        originals.append(b)
    problem = build_problem(doc.ctx, sympy.Integer(0), "<=", new_target)
    if problem is None:
        return None
    from ..derivation import _make_assumptions

    try:
        assumptions = _make_assumptions(relations, False)
    except Exception:  # noqa: BLE001 - then no such reduction
        return None
    positivity = _Positivity(assumptions, positivity.deadline)

    def violated(subs, scal, target=target, dens=originals):
        if any(d.xreplace(subs).xreplace(scal) == 0 for d in dens):
            return False
        value = sympy.cancel(target.xreplace(subs).xreplace(scal))
        return bool(value.is_Rational and value < 0)

    return replace(problem, violated=violated), assumptions, positivity


def _sign_of_affine(doc, a, positivity):
    """+1 when a >= 0 for every member (a certificate), -1 when a <= 0, else None."""
    from .certificate import find_certificate
    from .problem import sample_parameters

    for sign in (1, -1):
        problem = build_problem(doc.ctx, sympy.Integer(0), "<=", sign * a)
        if problem is None:
            return None
        names = [s.name for s in problem.parameters]
        points = sample_parameters(names, positivity.assumptions, count=2, seed=1, generic=True) or \
            sample_parameters(names, positivity.assumptions, count=2, seed=1)
        if not points:
            return None
        try:
            cert, _ = find_certificate(problem, points, positivity, time.monotonic() + 2.0)
        except Exception:  # noqa: BLE001 - no sign known
            cert = None
        if cert is not None:
            return sign
    return None


def _is_psd_gram(doc, b, positivity, psd_squares) -> bool:
    """b (affine in the Gram entries only) is v^T S v with S proved positive semidefinite."""
    from .syntax import gram_symbol

    basis = list(doc.ctx.basis)
    S = sympy.zeros(len(basis), len(basis))
    form = sympy.expand(b)
    used = set()
    for i, u in enumerate(basis):
        for j in range(i, len(basis)):
            g = gram_symbol(u, basis[j])
            c = form.coeff(g)
            if c != 0:
                used.add(g)
                if i == j:
                    S[i, i] = c
                else:
                    S[i, j] = S[j, i] = c / 2
    remainder = sympy.expand(form - sum((form.coeff(g) * g for g in used), sympy.Integer(0)))
    if remainder != 0:
        return False
    return psd_squares(S, basis, positivity) is not None


def _divide_positive_power(problem, positivity):
    """Divide the step by a power b**e with a symbolic exponent common to all its coefficients
    (a Lyapunov weight such as (L/(L - mu))**k), once b > 0 is proved: the sign of the step is
    unchanged, and the certificate no longer carries the power. Returns (problem, b**e or None)."""
    from dataclasses import replace

    from .problem import LinearForm

    target = problem.target
    coeffs = [c for c in list(target.coeffs.values()) + [target.const] if c != 0]
    if not coeffs:
        return problem, None
    candidates = []
    for factor in sympy.preorder_traversal(coeffs[0]):
        if isinstance(factor, sympy.Pow) and not factor.exp.is_number:
            exp = factor.exp
            symbolic = sympy.Add(*[t for t in sympy.Add.make_args(sympy.expand(exp)) if not t.is_number])
            if factor.base ** symbolic not in candidates:
                candidates.append(factor.base ** symbolic)
    for power in candidates:
        divided = [_over(c, power) for c in coeffs]
        if any(d.has(power.base) and any(isinstance(a, sympy.Pow) and a.base == power.base and not a.exp.is_number
                                         for a in sympy.preorder_traversal(d)) for d in divided):
            continue
        if not positivity(power.base, strict=True):
            continue
        new = LinearForm({v: _over(c, power) for v, c in target.coeffs.items()}, _over(target.const, power))
        return replace(problem, target=new), power
    return problem, None


def _over(coefficient, power):
    return sympy.cancel(sympy.powsimp(sympy.expand(coefficient / power)))


def _warm_up() -> None:
    """Import cvxpy and fork the prover once, before any step's budget starts (as the scalar prover does)."""
    import cvxpy  # noqa: F401 - seconds to import; not a step's cost

    from ..prover import _warm_up as warm_prover

    warm_prover()


def _decide_isolated(doc, lhs, op, rhs, assumptions, timeout, prover, positivity, class_problem):
    """decide_vector_step in a forked worker (hard stop past the budget); scalar-only steps
    go to the scalar prover, which isolates itself."""
    from .isolate import run_isolated

    args = (doc, lhs, op, rhs, assumptions, timeout, prover, positivity, class_problem)
    if not (_placeholders(lhs) or _placeholders(rhs)):
        return decide_vector_step(*args)
    return run_isolated(decide_vector_step, args, timeout,
                        lambda reason, seconds: ("unknown", reason, None, None, seconds))


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
    results = []
    for index, step in enumerate(doc.steps):
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
    return DerivationReport(file=doc.source, status=overall, steps=results, chains=chains, assumptions=relations)


def check_vector_text(text: str, source: str | None = None, *, timeout: float = 10.0, prover=None) -> DerivationReport:
    """Parse and check a vector derivation given as text."""
    return check_vector_document(parse_vector_derivation(text, source), timeout=timeout, prover=prover)
