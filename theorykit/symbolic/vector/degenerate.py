"""Steps of ``smooth(L), strongly_convex(mu)`` at the degenerate boundary mu = L.

A function that is L-smooth and L-strongly convex is f(x) = L/2 ||x - c||^2 + k (f - L/2||x||^2
is convex and 0-smooth, so affine), with c and k free: grad f(x) = L (x - c), and c is the
minimizer. The interpolation inequalities of the class lose the function values at mu = L
(their 1/(L - mu) weight), so check.py decides such files where L - mu > 0; this module decides
the boundary itself, exactly: after substituting these values and gradients at every point the
file mentions, the step is affine in the Gram matrix of (the free vectors, c) and in k, and it
holds for every dimension, every c and every k iff k cancels, the constant is >= 0 (> 0 when
strict) and the quadratic form is positive semidefinite, each proved by the scalar prover under
``assume:`` with mu = L (LDL^T pivots, as for any certificate). Only proofs come from here; a
step false only at mu = L stays unknown.
"""
from __future__ import annotations

import sympy

from .certificate import _denominator_factors, _psd_squares
from .problem import linear_form
from .syntax import Vector, gram_symbol, inner

__all__ = ["prove_at_equality"]

_CENTER = "c__"  # the center of the quadratic; no name of the file can contain '__'


def prove_at_equality(ctx, lhs, op: str, rhs, rewrite, prove_nonneg):
    """A certificate dict (text) when the step holds for every f = L/2||x - c||^2 + k, else None."""
    if len(ctx.functions) != 1:
        return None
    (cls,) = ctx.functions.values()
    if cls.kind != "smooth_strongly_convex" or cls.M is not None:
        return None
    L = rewrite(cls.L)
    zero_grad = [p for p in ctx.points if p.grad is None]
    if len(zero_grad) > 1:
        return None  # two zero-gradient points: both are c, a relation between the free vectors
    resolved = {}  # basis name -> Vector over the free vectors (and c)

    def resolve(v: Vector) -> Vector:
        out = Vector(())
        for name, coeff in v.terms:
            if name in ctx.vectors:
                out = out + Vector(((name, sympy.Integer(1)),)).scale(rewrite(coeff))
            elif name in resolved:
                out = out + resolved[name].scale(rewrite(coeff))
            else:
                raise KeyError(name)
        return out

    try:
        center = resolve(zero_grad[0].location) if zero_grad else Vector(((_CENTER, sympy.Integer(1)),))
        values = {}
        k = sympy.Symbol("k__", real=True)
        for p in ctx.points:  # creation order: a location uses only earlier gradients
            loc = resolve(p.location)
            if p.grad is not None:
                resolved[p.grad] = (loc - center).scale(L)
            values[p.value] = L / 2 * inner(loc - center, loc - center) + k
    except KeyError:
        return None
    basis = list(ctx.vectors) + ([] if zero_grad else [_CENTER])
    full = {name: Vector(((name, sympy.Integer(1)),)) for name in ctx.vectors}
    full.update(resolved)
    subs = dict(values)
    names = list(ctx.basis)
    for i, a in enumerate(names):
        for b in names[i:]:
            subs[gram_symbol(a, b)] = inner(full[a], full[b])
    target = (rewrite(rhs) - rewrite(lhs)) if op in ("<=", "<") else (rewrite(lhs) - rewrite(rhs))
    target = sympy.expand(target.xreplace(subs))
    if any(target.has(bad) for bad in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)):
        return None  # undefined at mu = L as written (a 1/(L - mu) weight): not decided here
    gram = {(i, j): gram_symbol(basis[i], basis[j]) for i in range(len(basis)) for j in range(i, len(basis))}
    form = linear_form(target, list(gram.values()) + [k])
    if form is None or sympy.cancel(form.coeffs.get(k, 0)) != 0:
        return None
    if op == "=":  # an equality must be an identity of the quadratics (both directions otherwise)
        if sympy.cancel(form.const) != 0 or any(sympy.cancel(c) != 0 for c in form.coeffs.values()):
            return None
        return {"text": "at mu = L (f = L/2·‖x - c‖² + k): LHS - RHS = 0 identically"}
    n = len(basis)
    S = sympy.zeros(n, n)
    for (i, j), g in gram.items():
        c = form.coeffs.get(g, sympy.Integer(0))
        if i == j:
            S[i, i] = c
        else:
            S[i, j] = S[j, i] = c / 2
    if not prove_nonneg(form.const, strict=op in ("<", ">")):
        return None
    squares = _psd_squares(S, basis, prove_nonneg) if n else []
    if squares is None:
        return None
    # the identity is one of rational functions in the scalars: every denominator must be nonzero
    exprs = [form.const] + [w for w, _ in squares] + [v for _, comb in squares for v in comb.values()]
    for factor in _denominator_factors(exprs):
        if not (prove_nonneg(factor, strict=True) or prove_nonneg(-factor, strict=True)):
            return None
    label = {_CENTER: "c"}
    terms = []
    for w, comb in squares:
        inside = " + ".join(f"({sympy.cancel(v)})*{label.get(b, b)}" for b, v in comb.items())
        terms.append(f"{sympy.cancel(w)}·‖{inside}‖²")
    if form.const != 0:
        terms.append(str(sympy.cancel(form.const)))
    return {"text": "at mu = L (f = L/2·‖x - c‖² + k): " + ("RHS - LHS" if op in ("<=", "<") else "LHS - RHS")
            + " = " + (" + ".join(terms) or "0")}
