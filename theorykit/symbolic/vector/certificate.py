"""Certificates: target = sum_k lambda_k * I_k + (PSD quadratic form in the basis) + c.

Finding and proving are separate. A small semidefinite program, solved
numerically with cvxpy and Clarabel at a few rational parameter values, only
*suggests* which interpolation inequalities carry weight. The multipliers are
then solved *symbolically* (SymPy linear algebra over the rational functions
in the parameters), the remainder matrix and constant are computed exactly,
and the certificate is accepted only when

* target - sum lambda_k I_k - x^T S x - c is identically zero (exact SymPy),
* every lambda_k >= 0, c >= 0 (c > 0 for a strict step) and every pivot of an
  LDL^T factorization of S (or its principal minors) are proved by the scalar
  prover under ``assume:``, and every denominator is proved nonzero.

A numerical solution never proves anything by itself.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy

from .problem import StepProblem

__all__ = ["Certificate", "find_certificate", "numeric_value"]


@dataclass
class Certificate:
    multipliers: list  # (Inequality, lambda expr)
    squares: list  # (weight expr, {basis name: coefficient})  -> weight * ||sum coeff * basis||^2
    constant: sympy.Expr
    method: str = "interpolation certificate"
    notes: list = field(default_factory=list)


class _Budget:
    def __init__(self, deadline: float):
        self.deadline = deadline

    def left(self) -> float:
        return self.deadline - time.monotonic()


def numeric_value(expr, point: dict) -> float:
    subs = {s: point[s.name] for s in expr.free_symbols if s.name in point}
    value = expr.xreplace(subs)
    return float(value)


def _numeric_forms(problem: StepProblem, point: dict):
    variables = problem.variables
    index = {v: k for k, v in enumerate(variables)}

    def vec(form):
        out = np.zeros(len(variables))
        for v, c in form.coeffs.items():
            out[index[v]] = numeric_value(c, point)
        return out, numeric_value(form.const, point)

    target = vec(problem.target)
    ineqs = [vec(f) for f in problem.forms]
    return target, ineqs


def solve_dual(problem: StepProblem, point: dict):
    """Numeric multipliers and remainder at one parameter point, or None when infeasible."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an inaccurate hint is only a hint
        return _solve_dual(problem, point)


def _solve_dual(problem: StepProblem, point: dict):
    import cvxpy as cp

    (t_lin, t0), ineqs = _numeric_forms(problem, point)
    n = len(problem.basis)
    m = len(problem.values)
    K = len(ineqs)
    lam = cp.Variable(K, nonneg=True) if K else None
    S = cp.Variable((n, n), PSD=True) if n else None
    cons = []
    A = np.array([q[0] for q in ineqs]).reshape(K, -1) if K else np.zeros((0, len(t_lin)))
    b0 = np.array([q[1] for q in ineqs]) if K else np.zeros(0)
    rest = t_lin - (A.T @ lam if K else 0)
    for k in range(m):
        cons.append(rest[k] == 0)
    for (i, j), _ in problem.gram.items():
        k = m + list(problem.gram).index((i, j))
        if n:
            cons.append(rest[k] == (S[i, i] if i == j else 2 * S[i, j]))
    const = t0 - (b0 @ lam if K else 0)
    cons.append(const >= (1e-7 if problem.strict else 0))
    objective = (cp.sum(lam) if K else 0) + (cp.trace(S) * 1e-3 if n else 0)
    prob = cp.Problem(cp.Minimize(objective), cons)
    try:
        prob.solve(solver=cp.CLARABEL)
    except Exception:  # noqa: BLE001 - a solver failure only means "no hint here"
        return None
    if prob.status not in ("optimal", "optimal_inaccurate"):
        return None
    lam_value = np.array(lam.value) if K else np.zeros(0)
    S_value = np.array(S.value) if n else np.zeros((0, 0))
    return lam_value, S_value


def _linear_solve(equations, unknowns):
    if not unknowns:
        return {} if all(sympy.cancel(e) == 0 for e in equations) else None
    try:
        solution = sympy.linsolve([sympy.expand(e) for e in equations], unknowns)
    except Exception:  # noqa: BLE001
        return None
    if not solution:
        return None
    (values,) = list(solution)
    return dict(zip(unknowns, values))


def _remainder(problem: StepProblem, lambdas: dict):
    """Exact remainder target - sum lambda_k I_k, split into F part, S matrix, constant."""
    rest_coeffs = dict(problem.target.coeffs)
    const = problem.target.const
    for k, lam in lambdas.items():
        form = problem.forms[k]
        for v, c in form.coeffs.items():
            rest_coeffs[v] = rest_coeffs.get(v, 0) - lam * c
        const = const - lam * form.const
    n = len(problem.basis)
    S = sympy.zeros(n, n)
    for (i, j), g in problem.gram.items():
        c = sympy.cancel(rest_coeffs.get(g, 0))
        if i == j:
            S[i, i] = c
        else:
            S[i, j] = S[j, i] = sympy.cancel(c / 2)
    f_rest = {v: sympy.cancel(rest_coeffs.get(v, 0)) for v in problem.values}
    return f_rest, S, sympy.cancel(const)


def find_certificate(problem: StepProblem, points: list, prove_nonneg, deadline: float):
    """A proved :class:`Certificate`, or (None, reason)."""
    budget = _Budget(deadline)
    point = points[0] if points else None
    hint = solve_dual(problem, point) if point is not None and budget.left() >= 0.5 else None
    if hint is None:
        for other in points[1:]:
            if budget.left() < 0.5:
                break
            hint = solve_dual(problem, other)
            if hint is not None:
                point = other
                break
    if hint is None:
        return None, "no certificate found numerically"
    lam, S_num = hint
    support = _support(lam)
    attempts = [support]
    # a smaller support is tried first when the solver left tiny weights around
    if len(support) > 1:
        attempts.insert(0, [k for k in support if lam[k] > 1e-3 * max(1.0, float(np.max(np.abs(lam))))])
    zero_rows = [i for i in range(S_num.shape[0]) if S_num[i, i] < 1e-6 * max(1.0, float(np.max(np.abs(S_num))) if S_num.size else 1.0)]
    reason = "the certificate's structure could not be solved symbolically"
    tried = []
    for supp in attempts:
        if supp in tried:
            continue
        tried.append(supp)
        for use_rows in (True, False):
            if budget.left() < 0.3:
                return None, "time budget spent"
            cert, why = _symbolic(problem, supp, zero_rows if use_rows else [], lam, point, prove_nonneg, budget)
            if cert is not None:
                return cert, ""
            reason = why or reason
    # the support at one parameter point may rely on a relation that holds there only (L*eta <= 2, say):
    # the hint at a second point, and the union of both supports, often give the certificate for all of them
    union, weights = set(support), np.maximum(lam, 0)
    for other in points:
        if other is point or budget.left() < 1.0:
            continue
        hint2 = solve_dual(problem, other)
        if hint2 is None:
            continue
        lam2, _ = hint2
        union |= set(_support(lam2))
        weights = weights + np.maximum(lam2, 0)
        for supp in (_support(lam2), sorted(union)):
            if supp in tried or budget.left() < 0.3:
                continue
            tried.append(supp)
            cert, why = _symbolic(problem, supp, [], weights, other, prove_nonneg, budget)
            if cert is not None:
                return cert, ""
            reason = why or reason
    return None, reason


def _support(lam) -> list:
    scale = max(1.0, float(np.max(np.abs(lam))) if lam.size else 1.0)
    return [k for k in range(len(lam)) if lam[k] > 1e-6 * scale]


def _symbolic(problem, support, zero_rows, lam_num, point, prove_nonneg, budget):
    unknowns = [sympy.Symbol(f"lambda__{k}") for k in support]
    lambdas = dict(zip(support, unknowns))
    f_rest, S, const = _remainder(problem, lambdas)
    equations = list(f_rest.values())
    for i in zero_rows:
        equations += [S[i, j] for j in range(S.shape[0])]
    solution = _linear_solve(equations, unknowns)
    if solution is None:
        return None, "the suggested multipliers do not solve the matching equations"
    free = set()
    for value in solution.values():
        free |= value.free_symbols & set(unknowns)
    if not free:
        return _prove_solution(problem, support, unknowns, solution, prove_nonneg, budget)
    # the remaining freedom. Rational choices first, each screened numerically at the hint's point
    # (a screen only: whatever passes is proved exactly): the vertex where the free multipliers
    # vanish (the numeric optimum, which minimizes their sum, often sits there); the constant
    # remainder vanishing (textbook certificates spend the whole constant on the inequalities,
    # e.g. eta^2 L/2 on a Lipschitz bound); then the rank condition the numeric optimum satisfies;
    # then the numeric values when they are simple rationals
    reason = "the multipliers are not determined by the matching equations"
    candidates = [{u: sympy.Integer(0) for u in free}]
    values = {k: solution[u] for k, u in zip(support, unknowns)}
    const = _remainder(problem, values)[2]
    for u in sorted(free, key=str):
        others = {w: sympy.Integer(0) for w in free if w != u}
        numer = sympy.numer(sympy.together(const.xreplace(others)))
        if u in numer.free_symbols and sympy.degree(numer, u) == 1:
            root = _linear_root(numer, u)
            candidates.append({**others, u: root})
    # or one entry of the remainder matrix vanishes (a rational certificate with a simpler square)
    _, S_free, _ = _remainder(problem, values)
    if len(free) == 1:
        (u,) = free
        for i in range(S_free.shape[0]):
            for j in range(i, S_free.shape[0]):
                numer = sympy.numer(sympy.together(S_free[i, j]))
                if u in numer.free_symbols and sympy.degree(numer, u) == 1:
                    root = _linear_root(numer, u)
                    if {u: root} not in candidates:
                        candidates.append({u: root})
    tried = []
    for pin in candidates:
        if budget.left() < 0.3:
            return None, "time budget spent"
        pinned = {u: sympy.cancel(v.xreplace(pin)) for u, v in solution.items()}
        pinned.update(pin)
        if pinned in tried or not _plausible(problem, support, unknowns, pinned, point):
            continue
        tried.append(pinned)
        cert, why = _prove_solution(problem, support, unknowns, pinned, prove_nonneg, budget)
        if cert is not None:
            return cert, ""
        reason = why or reason
    pinned = _pin_by_rank(problem, support, unknowns, solution, lam_num, point, budget)
    if pinned is not None and pinned not in tried:
        tried.append(pinned)
        cert, why = _prove_solution(problem, support, unknowns, pinned, prove_nonneg, budget)
        if cert is not None:
            return cert, ""
        reason = why or reason
    pins = {}
    for u in free:
        k = support[unknowns.index(u)]
        approx = sympy.nsimplify(float(lam_num[k]), rational=True, tolerance=1e-7)
        if approx.q > 1000:
            return None, reason
        pins[u] = approx
    pinned = {u: sympy.cancel(v.xreplace(pins)) for u, v in solution.items()}
    pinned.update(pins)
    if pinned not in tried and budget.left() >= 0.3:
        cert, why = _prove_solution(problem, support, unknowns, pinned, prove_nonneg, budget)
        if cert is not None:
            return cert, ""
        reason = why or reason
    return None, reason


def _linear_root(numer, u):
    """The root of ``numer``, a polynomial of degree 1 in ``u`` (sympy.solve costs an import of seconds)."""
    a, b = sympy.Poly(numer, u).all_coeffs()
    return sympy.cancel(-b / a)


def _plausible(problem, support, unknowns, solution, point) -> bool:
    """A numeric screen at ``point``: multipliers, constant and remainder matrix look >= 0 (never a proof)."""
    try:
        values = {k: sympy.cancel(solution[u]) for k, u in zip(support, unknowns)}
        lam = [numeric_value(v, point) for v in values.values()]
        _, S, const = _remainder(problem, values)
        c = numeric_value(const, point)
        M = np.array([[numeric_value(S[i, j], point) for j in range(S.shape[1])] for i in range(S.shape[0])],
                     dtype=float)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return True  # cannot screen: let the exact proof decide
    scale = max([1.0] + [abs(x) for x in lam] + ([float(np.max(np.abs(M)))] if M.size else []))
    if any(x < -1e-9 * scale for x in lam) or c < -1e-9 * scale:
        return False
    return not M.size or float(np.min(np.linalg.eigvalsh((M + M.T) / 2))) >= -1e-8 * scale


def _prove_solution(problem, support, unknowns, solution, prove_nonneg, budget):
    values = {k: sympy.cancel(solution[u]) for k, u in zip(support, unknowns)}
    f_rest, S, const = _remainder(problem, values)
    if any(v != 0 for v in f_rest.values()):
        return None, "function values do not cancel"
    return _prove(problem, values, S, const, prove_nonneg, budget)


def _numeric(expr, point, extra):
    subs = {sym: point[sym.name] for sym in expr.free_symbols if sym.name in point}
    subs.update({k: v for k, v in extra.items() if k in expr.free_symbols})
    return complex(sympy.N(expr.xreplace(subs))).real


def _pin_by_rank(problem, support, unknowns, solution, lam_num, point, budget):
    """Fix free multipliers where the remainder matrix loses rank, as the numeric solution does.

    The numeric optimum sits where some Schur complement of S vanishes; that
    condition, solved symbolically for the free multiplier and matched to the
    numeric value, gives a closed form. Whatever comes out is proved later like
    any other candidate, so a wrong guess costs only time.
    """
    solution = dict(solution)
    for _ in range(len(unknowns)):
        free = sorted(set().union(*[v.free_symbols for v in solution.values()]) & set(unknowns), key=str)
        if not free:
            return solution
        if budget.left() < 0.5:
            return None
        numeric = {u: float(lam_num[support[unknowns.index(u)]]) for u in unknowns}
        values = {k: solution[u] for k, u in zip(support, unknowns)}
        _, S, const = _remainder(problem, values)
        S = sympy.Matrix(S)
        n = S.shape[0]
        active = list(range(n))
        scale = max([abs(_numeric(S[i, i], point, numeric)) for i in range(n)] + [1.0])
        while active:
            diag = [(abs(_numeric(S[i, i], point, numeric)), i) for i in active]
            best, i = max(diag)
            if best <= 1e-6 * scale:
                break
            d = S[i, i]
            rest = [j for j in active if j != i]
            for a in rest:
                for b in rest:
                    S[a, b] = sympy.cancel(S[a, b] - S[a, i] * S[i, b] / d)
            active = rest
        equations = [S[a, b] for a in active for b in active if a <= b] + [const]
        chosen = None
        for u in free:
            for eq in equations:
                num = sympy.numer(sympy.together(eq))
                if u not in num.free_symbols:
                    continue
                try:
                    roots = sympy.solve(num, u)
                except Exception:  # noqa: BLE001
                    continue
                for root in roots:
                    try:
                        close = abs(_numeric(root, point, numeric) - numeric[u]) <= 1e-4 * (1 + abs(numeric[u]))
                    except (TypeError, ValueError):
                        close = False
                    if close and not root.has(sympy.I):
                        chosen = (u, sympy.cancel(root))
                        break
                if chosen:
                    break
            if chosen:
                break
        if chosen is None:
            return None
        u, root = chosen
        solution = {k: sympy.cancel(v.xreplace({u: root})) for k, v in solution.items()}
        solution[u] = root
    return solution


def _prove(problem, values, S, const, prove_nonneg, budget):
    # every multiplier >= 0
    for k, lam in values.items():
        if lam == 0:
            continue
        if not prove_nonneg(lam, strict=False):
            return None, f"could not prove the multiplier of [{problem.inequalities[k].label}] >= 0"
    if not prove_nonneg(const, strict=problem.strict):
        return None, "could not prove the constant remainder " + (">" if problem.strict else ">=") + " 0"
    squares = _psd_squares(S, problem.basis, prove_nonneg)
    if squares is None:
        return None, "could not prove the quadratic remainder positive semidefinite"
    # denominators: the identity is one of rational functions, valid where they are nonzero
    exprs = list(values.values()) + [const] + [w for w, _ in squares] + [
        c for _, comb in squares for c in comb.values()]
    for factor in _denominator_factors(exprs):
        if not (prove_nonneg(factor, strict=True) or prove_nonneg(-factor, strict=True)):
            return None, f"could not prove the denominator {factor} nonzero"
    cert = Certificate([(problem.inequalities[k], v) for k, v in values.items() if v != 0], squares, const)
    if not _identity_holds(problem, cert):  # exact re-check of the whole identity
        return None, "the certificate identity failed the exact check"
    return cert, ""


def _denominator_factors(exprs):
    out = []
    for e in exprs:
        den = sympy.denom(sympy.together(e))
        if den.is_number:
            continue
        _, factors = sympy.factor_list(den)
        for f, _ in factors:
            if not f.is_number and f not in out:
                out.append(f)
    return out


def _psd_squares(S, basis, prove_nonneg):
    """S = sum_k w_k v_k v_k^T with every w_k proved >= 0, or None."""
    S = sympy.Matrix(S).applyfunc(sympy.cancel)
    active = [i for i in range(S.shape[0]) if any(S[i, j] != 0 for j in range(S.shape[0]))]
    squares = []
    while active:
        pivot = None
        for i in active:
            d = S[i, i]
            if d != 0 and prove_nonneg(d, strict=True):
                pivot = i
                break
        if pivot is None:
            # a pivot d >= 0 that may vanish, whose row is d times a vector w defined everywhere
            # (every denominator of w proved nonzero): S = d w w^T + S' is an exact identity, and
            # where d = 0 the row is 0 as well (e.g. t/(2L(t+1)) * ||g_b - g_0||^2 at t = 0)
            pivot = _vanishing_pivot(S, active, prove_nonneg)
        if pivot is None:
            # a factor common to the whole block, such as eta*(2/L - eta) >= 0 (zero at an edge):
            # S = c*S' with c >= 0 proved and S' decomposed on its own
            common = _common_factor([S[a, b] for a in active for b in active])
            if common is not None and not prove_nonneg(common, strict=False):
                common = -common if prove_nonneg(-common, strict=False) else None
            if common is not None:
                inner = sympy.zeros(S.shape[0], S.shape[0])
                for a in active:
                    for b in active:
                        inner[a, b] = sympy.cancel(S[a, b] / common)
                rest = _psd_squares(inner, basis, prove_nonneg)
                if rest is None:
                    return None
                return squares + [(sympy.cancel(common * w), comb) for w, comb in rest]
            # a row whose only entry is its diagonal is a 1x1 block: >= 0 suffices
            for i in active:
                if all(S[i, j] == 0 for j in active if j != i) and prove_nonneg(S[i, i], strict=False):
                    squares.append((S[i, i], {basis[i]: sympy.Integer(1)}))
                    active.remove(i)
                    break
            else:
                return None
            continue
        d = S[pivot, pivot]
        column = {basis[j]: sympy.cancel(S[pivot, j] / d) for j in active if S[pivot, j] != 0}
        squares.append((d, column))
        rest = [j for j in active if j != pivot]
        for a in rest:
            for b in rest:
                S[a, b] = sympy.cancel(S[a, b] - S[a, pivot] * S[pivot, b] / d)
        for j in range(S.shape[0]):
            S[pivot, j] = S[j, pivot] = 0
        active = [i for i in rest if any(S[i, j] != 0 for j in rest)]
    return squares


def _vanishing_pivot(S, active, prove_nonneg):
    """A row i whose diagonal d is proved >= 0 and whose entries are d times a vector with no new
    denominator (every factor of a ratio's denominator already divides the entry's own), so
    S = d w w^T + S' is exact. The caller proves every denominator of the result nonzero."""
    for i in active:
        d = S[i, i]
        if d == 0 or d.is_number:
            continue
        ok = True
        for j in active:
            if j == i or S[i, j] == 0:
                continue
            ratio = sympy.cancel(S[i, j] / d)
            own = {f for f, _ in sympy.factor_list(sympy.denom(sympy.together(S[i, j])))[1]}
            new = {f for f, _ in sympy.factor_list(sympy.denom(sympy.together(ratio)))[1]}
            if not new <= own:
                ok = False
                break
        if ok and prove_nonneg(d, strict=False):
            return i
    return None


def _common_factor(entries):
    """A non-constant factor common to every nonzero entry, or None."""
    nonzero = [sympy.factor(e) for e in entries if e != 0]
    if not nonzero:
        return None
    numerators = [sympy.numer(sympy.together(e)) for e in nonzero]
    common = numerators[0]
    for n in numerators[1:]:
        common = sympy.gcd(common, n)
    common = sympy.factor(common)
    if common.is_number:
        return None
    return common


def _identity_holds(problem: StepProblem, cert: Certificate) -> bool:
    from .syntax import Vector, inner

    target = sum((c * v for v, c in problem.target.coeffs.items()), sympy.Integer(0)) + problem.target.const
    combo = sum((lam * q.expr for q, lam in cert.multipliers), sympy.Integer(0))
    quad = sympy.Integer(0)
    for w, comb in cert.squares:
        vec = Vector.of(comb)
        quad += w * inner(vec, vec)
    difference = sympy.expand(target - combo - quad - cert.constant)
    # the difference is affine in the placeholders: each coefficient (a rational function of the
    # parameters) must vanish identically; checked one at a time, which is much cheaper than
    # bringing the whole expression over one denominator
    placeholders = sorted((s for s in difference.free_symbols if s.name.startswith(("F__", "G__"))), key=str)
    try:
        poly = sympy.Poly(difference, *placeholders) if placeholders else None
    except sympy.PolynomialError:
        poly = None
    if poly is None:
        together = sympy.together(difference)
        return sympy.expand(sympy.numer(together)) == 0
    if poly.total_degree() > 1:
        return False
    return all(sympy.expand(sympy.numer(sympy.together(c))) == 0 for c in poly.coeffs())
