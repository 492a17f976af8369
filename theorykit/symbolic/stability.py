"""Stability of linear recurrences, derived with SymPy.

Two pieces used by the momentum family (``proofs/momentum/``):

* ``jury_conditions(p, z)``: the Schur–Cohn / Jury conditions, as SymPy relations
  in the coefficients, for every root of the real polynomial ``p`` to lie strictly
  inside the unit disk [1, 2]. Degree 2 gives the familiar triangle
  ``|a0| < a2, p(1) > 0, p(-1) > 0``.
* Per-eigendirection reduction of first-order methods on ``f(x) = ½ xᵀAx``:
  ``iteration_matrix`` builds the full state matrix of ``(x_{k+1}, x_k)`` from a
  step rule, ``eigendirection_blocks`` conjugates it by the eigenvectors of A and
  reads off the 2×2 block of each eigenvalue (checking that the couplings vanish),
  and ``companion_matrix`` gives that block for a symbolic eigenvalue λ.

References
  [1] E. I. Jury (1964). Theory and Application of the z-Transform Method. Wiley.
  [2] I. Schur (1917). Über Potenzreihen, die im Innern des Einheitskreises
      beschränkt sind. J. reine angew. Math. 147. doi:10.1515/crll.1917.147.205
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import sympy

from ..errors import InputError

__all__ = [
    "jury_conditions",
    "schur_stable",
    "stability_interval",
    "boundary_curves",
    "STEP_RULES",
    "iteration_matrix",
    "eigendirection_blocks",
    "companion_matrix",
    "characteristic_polynomial",
]


# ---------------------------------------------------------------------------
# Jury / Schur–Cohn
# ---------------------------------------------------------------------------

def _as_poly(p: Any, z: sympy.Symbol) -> sympy.Poly:
    if not isinstance(z, sympy.Symbol):
        raise InputError("z", f"must be a SymPy Symbol, got {type(z).__name__}")
    try:
        poly = p if isinstance(p, sympy.Poly) else sympy.Poly(sympy.expand(p), z)
    except sympy.PolynomialError as exc:
        raise InputError("p", f"not a polynomial in {z}: {exc}") from None
    if poly.gens != (z,):
        poly = sympy.Poly(poly.as_expr(), z)
    if poly.degree() < 1:
        raise InputError("p", f"needs degree >= 1 in {z}, got {poly.as_expr()}")
    return poly


def _keep(rel: Any, out: list) -> None:
    # SymPy evaluates relations between numbers; a True condition adds nothing,
    # a False one must stay (it means "never stable").
    if rel is sympy.true:
        return
    out.append(rel)


def jury_conditions(p: Any, z: sympy.Symbol) -> list[sympy.Basic]:
    """Conditions for all roots of the real polynomial ``p`` (in ``z``) to satisfy |root| < 1.

    Jury's table [1]: with p(z) = a_n z^n + ... + a_0 and a_n > 0 the roots are
    strictly inside the unit disk iff
        p(1) > 0,  (-1)^n p(-1) > 0,  |a_0| < a_n,
        |b_0| > |b_{n-1}|,  |c_0| > |c_{n-2}|, ...   (n - 2 table rows)
    where b_k = a_0 a_k - a_n a_{n-k} and each later row is built the same way from
    the previous one (the Schur–Cohn transform [2]). When the sign of a_n is not
    known, ``p`` is multiplied by a_n first (same roots, leading coefficient a_n²).
    Returns SymPy relations (a list; all must hold). Degree 1 gives |a_0| < a_1.
    """
    poly = _as_poly(p, z)
    lead = poly.LC()
    if lead.is_positive is not True:
        if lead.is_negative is True:
            poly = -poly
        else:
            poly = sympy.Poly(sympy.expand(lead * poly.as_expr()), z)
    n = poly.degree()
    # a[k] is the coefficient of z**k
    a = [sympy.expand(c) for c in reversed(poly.all_coeffs())]
    out: list = []
    if n == 1:
        _keep(sympy.Abs(a[0]) < a[1], out)
        return out
    _keep(sympy.expand(poly.eval(1)) > 0, out)
    _keep(sympy.expand((-1) ** n * poly.eval(-1)) > 0, out)
    _keep(sympy.Abs(a[0]) < a[n], out)
    row = a
    while len(row) > 3:
        m = len(row) - 1
        row = [sympy.expand(row[0] * row[k] - row[m] * row[m - k]) for k in range(m)]
        _keep(sympy.Abs(row[0]) > sympy.Abs(row[-1]), out)
    return out


def _exact_number(val: Any, name: str) -> sympy.Expr:
    """An exact SymPy number (a float becomes its exact binary value); never parses text."""
    from fractions import Fraction

    if isinstance(val, bool) or isinstance(val, str):
        raise InputError(name, f"expected a number, got {val!r}")
    if isinstance(val, sympy.Basic):
        if not val.is_number:
            raise InputError(name, f"expected a number, got {val}")
        return val
    if isinstance(val, Fraction):
        return sympy.Rational(val.numerator, val.denominator)
    if isinstance(val, (int, float)):
        return sympy.Rational(val)
    raise InputError(name, f"expected a number, got {type(val).__name__}")


def schur_stable(conditions: Sequence[sympy.Basic], values: Mapping[Any, Any]) -> bool:
    """Evaluate conditions exactly at ``values`` (symbols or names -> numbers; floats
    are converted to exact rationals so no rounding enters the decision)."""
    subs = {}
    for key, val in values.items():
        sym = key if isinstance(key, sympy.Symbol) else None
        if sym is None:
            for c in conditions:
                for s in c.free_symbols:
                    if s.name == key:
                        sym = s
                        break
                if sym is not None:
                    break
        if sym is None:
            continue
        subs[sym] = _exact_number(val, str(key))
    ok = True
    for c in conditions:
        v = c.xreplace(subs)  # exact numbers in, exact verdict out (xreplace: no pattern matching, fast)
        if v not in (sympy.true, sympy.false):
            raise InputError("values", f"condition {c} still has free symbols {sorted(map(str, v.free_symbols))}")
        ok = ok and bool(v)
    return ok


def _abs_free(rel: sympy.Basic) -> list[sympy.Basic] | None:
    """Equivalent Abs-free relations for the shapes Jury's table produces
    (|u| < r with r free of Abs, and |u| > |v|), or None for other shapes."""
    if not isinstance(rel, sympy.core.relational.Relational) or not rel.has(sympy.Abs):
        return [rel]
    lhs, rhs, op = rel.lhs, rel.rhs, rel.rel_op
    if isinstance(lhs, sympy.Abs) and isinstance(rhs, sympy.Abs):  # both sides >= 0: compare squares
        return [sympy.core.relational.Relational(lhs.args[0] ** 2, rhs.args[0] ** 2, op)]
    if isinstance(lhs, sympy.Abs) and not rhs.has(sympy.Abs) and op in ("<", "<="):
        u = lhs.args[0]
        return [sympy.core.relational.Relational(u, rhs, op), sympy.core.relational.Relational(-u, rhs, op)]
    return None


def _solve_univariate(rel: sympy.Basic, var: sympy.Symbol) -> sympy.Set:
    diff = sympy.together(rel.lhs - rel.rhs)
    num, den = sympy.fraction(diff)
    if den.free_symbols.isdisjoint({var}) and den.is_positive and num.is_polynomial(var):
        # fast path: a polynomial inequality (what Jury conditions give after substitution)
        parts = sympy.solve_poly_inequality(sympy.Poly(num, var), rel.rel_op)
        return sympy.Union(*parts) if parts else sympy.S.EmptySet
    return sympy.solveset(rel, var, domain=sympy.S.Reals)


def stability_interval(conditions: Sequence[sympy.Basic], var: sympy.Symbol,
                       values: Mapping[sympy.Symbol, Any] | None = None) -> sympy.Set:
    """The set of ``var`` (a real symbol) where every condition holds, after substituting
    ``values`` for the other symbols. Used to draw the symbolic stability boundary."""
    values = dict(values or {})
    region: sympy.Set = sympy.S.Reals
    real = sympy.Symbol(var.name, real=True)
    for c in conditions:
        rel = c.subs(values).subs(var, real)
        if rel in (sympy.true, sympy.false):
            region = region if rel else sympy.S.EmptySet
            continue
        pieces = _abs_free(rel)
        if pieces is None:
            region = region.intersect(sympy.solveset(rel, real, domain=sympy.S.Reals))
            continue
        for piece in pieces:
            if piece in (sympy.true, sympy.false):
                region = region if piece else sympy.S.EmptySet
            else:
                region = region.intersect(_solve_univariate(piece, real))
    return region


def boundary_curves(conditions: Sequence[sympy.Basic], var: sympy.Symbol) -> list[sympy.Expr]:
    """Each condition's boundary solved for ``var``: the curves var = g(other symbols)
    where a condition turns from true to false (Abs conditions give both signs)."""
    out: list = []
    for c in conditions:
        if not isinstance(c, sympy.core.relational.Relational):
            continue
        expr = c.lhs - c.rhs
        pieces = [expr]
        if expr.has(sympy.Abs):
            pieces = [expr.replace(sympy.Abs, lambda u: u), expr.replace(sympy.Abs, lambda u: -u)]
        for piece in pieces:
            if var in piece.free_symbols:
                for sol in sympy.solve(sympy.Eq(piece, 0), var):
                    if sol not in out:
                        out.append(sol)
    return out


# ---------------------------------------------------------------------------
# Per-eigendirection reduction
# ---------------------------------------------------------------------------

def _gd(x, x_prev, grad, eta, beta):
    return x - eta * grad(x)


def _heavy_ball(x, x_prev, grad, eta, beta):
    # Polyak (1964): x+ = x - eta grad f(x) + beta (x - x_prev)
    return x - eta * grad(x) + beta * (x - x_prev)


def _nesterov(x, x_prev, grad, eta, beta):
    # Nesterov (1983), constant momentum: y = x + beta (x - x_prev); x+ = y - eta grad f(y)
    y = x + beta * (x - x_prev)
    return y - eta * grad(y)


# One step of each method, written once for SymPy scalars, SymPy matrices and arrays:
# step(x, x_prev, grad, eta, beta) -> x_next, where grad is a callable.
STEP_RULES: dict[str, Callable] = {"gd": _gd, "heavy_ball": _heavy_ball, "nesterov": _nesterov}


def _rule(method: str) -> Callable:
    try:
        return STEP_RULES[method]
    except KeyError:
        raise InputError("method", f"unknown method {method!r}; expected one of {sorted(STEP_RULES)}") from None


def iteration_matrix(method: str, A: sympy.Matrix, eta: Any, beta: Any) -> sympy.Matrix:
    """The 2d×2d matrix M with (x_{k+1}, x_k) = M (x_k, x_{k-1}) for ``method`` on
    f = ½ xᵀAx (gradient Ax), obtained as the Jacobian of the step rule."""
    A = sympy.Matrix(A)
    d = A.shape[0]
    if A.shape != (d, d):
        raise InputError("A", f"must be square, got shape {A.shape}")
    xs = sympy.Matrix(sympy.symbols(f"_x0:{d}"))
    ps = sympy.Matrix(sympy.symbols(f"_p0:{d}"))
    nxt = _rule(method)(xs, ps, lambda u: A * u, eta, beta)
    top = nxt.jacobian(list(xs) + list(ps))
    bottom = sympy.Matrix.hstack(sympy.eye(d), sympy.zeros(d, d))
    return sympy.Matrix.vstack(top, bottom).applyfunc(sympy.expand)


def eigendirection_blocks(method: str, eigenvalues: Sequence[Any], Q: sympy.Matrix,
                          eta: Any, beta: Any) -> list[sympy.Matrix]:
    """Substitute A = Q diag(λ) Qᵀ (Q orthogonal), conjugate the state matrix by
    diag(Qᵀ, Qᵀ) and return the 2×2 block acting on (eigencomponent_k, previous_k)
    for each eigenvalue. Raises if the blocks are coupled, i.e. if the method does
    not reduce to independent scalar recurrences (it does whenever the step is
    built from polynomials in the gradient map)."""
    Q = sympy.Matrix(Q)
    d = len(eigenvalues)
    A = Q * sympy.diag(*eigenvalues) * Q.T
    M = iteration_matrix(method, A, eta, beta)
    T = sympy.diag(Q, Q)
    D = (T.T * M * T).applyfunc(lambda e: sympy.simplify(sympy.trigsimp(sympy.expand(e))))
    blocks = []
    for k in range(d):
        idx = [k, d + k]
        for i in idx:
            for j in range(2 * d):
                if j not in idx and D[i, j] != 0:
                    raise InputError("method", f"eigendirection {k} is coupled to state {j}: entry {D[i, j]}")
        blocks.append(sympy.Matrix([[D[i, j] for j in idx] for i in idx]))
    return blocks


def companion_matrix(method: str, eta: Any, beta: Any, lam: Any) -> sympy.Matrix:
    """2×2 matrix of (e_{k+1}, e_k) = B (e_k, e_{k-1}) for the component e along an
    eigenvector with eigenvalue λ: there ∇f(x) = Ax has component λ·e, so the
    step rule acts on scalars with grad(u) = λu. Heavy ball: [[1+β−ηλ, −β], [1, 0]]."""
    e, e_prev = sympy.symbols("_e _e_prev")
    nxt = sympy.expand(_rule(method)(e, e_prev, lambda u: lam * u, eta, beta))
    return sympy.Matrix([[sympy.diff(nxt, e), sympy.diff(nxt, e_prev)], [1, 0]]).applyfunc(sympy.expand)


def characteristic_polynomial(B: sympy.Matrix, z: sympy.Symbol) -> sympy.Expr:
    """det(z I − B), expanded."""
    B = sympy.Matrix(B)
    return sympy.expand((z * sympy.eye(B.shape[0]) - B).det())
