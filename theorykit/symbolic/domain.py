"""Where an expression is defined, as written.

SymPy folds expressions as it builds them: ``sqrt(x)**2`` becomes ``x``,
``exp(log(x))`` becomes ``x`` and ``x**2/x**2`` becomes ``1``. Each fold is
right where the written expression is defined, but it forgets where that is.
A step is judged only where both sides are defined *as written*, so the
parser records the domain of every operation before SymPy folds it, and the
prover and the counterexample check both use that record.

A domain is a conjunction of :class:`Condition` s, each ``expr >= 0``,
``expr > 0`` or ``expr != 0``. The real semantics (documented in
docs/derivation-format.md):

* ``sqrt(u)`` and ``u**(p/q)`` with a positive non-integer exponent need ``u >= 0``;
  a negative non-integer exponent needs ``u > 0``;
* ``u**e`` with a symbolic or irrational exponent needs ``u > 0`` (a real power
  is ``exp(e*log(u))``);
* ``u**(-n)`` and ``a/u`` need ``u != 0``;
* ``log(u)`` needs ``u > 0``; ``log(u, b)`` also ``b > 0`` and ``b != 1``;
* ``tan(u)`` needs ``cos(u) != 0``.

Two uses, two directions of soundness:

* a proof may *assume* the ``>=``/``>`` conditions recorded from the written
  operations: they are necessary for definedness, so the proof covers at least
  the whole domain (``!=`` conditions are simply not assumed, which is weaker);
* a counterexample must *satisfy* every condition, checked exactly
  (:func:`holds_at`), together with the conditions read from the folded tree
  (:func:`tree_conditions`), which can only make the check stricter.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import sympy

from .exact import sign_at, sign_of_number

__all__ = [
    "Condition",
    "KINDS",
    "power_conditions",
    "tree_conditions",
    "simplify_conditions",
    "holds_at",
    "as_relation",
    "describe",
]

KINDS = (">=", ">", "!=")


class Condition(NamedTuple):
    expr: sympy.Expr  # the condition is `expr KIND 0`
    kind: str  # ">=", ">" or "!="

    def __str__(self) -> str:
        return f"{self.expr} {self.kind} 0"


def _cond(expr, kind) -> Condition:
    return Condition(sympy.sympify(expr), kind)


def power_conditions(base, exponent) -> list[Condition]:
    """Conditions for ``base**exponent`` to be a real number, as written."""
    if exponent.is_Integer:
        return [_cond(base, "!=")] if exponent.is_negative else []
    if exponent.is_Rational:
        return [_cond(base, ">=" if exponent.is_positive else ">")]
    return [_cond(base, ">")]


def _node_conditions(node) -> list[Condition]:
    if isinstance(node, sympy.Pow):
        base, exponent = node.args
        if base is sympy.E:
            return []
        return power_conditions(base, exponent)
    if isinstance(node, sympy.log):
        return [_cond(a, ">") for a in node.args[:1]]
    if isinstance(node, sympy.tan):
        return [_cond(sympy.cos(node.args[0]), "!=")]
    return []


def tree_conditions(expr) -> list[Condition]:
    """The conditions read off a (folded) SymPy tree, without recursion."""
    out: list[Condition] = []
    if not isinstance(expr, sympy.Basic):
        return out
    stack = [expr]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen or not isinstance(node, sympy.Basic):
            continue
        seen.add(node)
        out.extend(_node_conditions(node))
        stack.extend(node.args)
    return simplify_conditions(out)


def simplify_conditions(conditions: Iterable[Condition]) -> list[Condition]:
    """Drop duplicates and symbol-free conditions that certainly hold.

    A symbol-free condition that certainly fails is kept (the domain is empty);
    one whose sign cannot be certified is kept too: it is never assumed away.
    """
    out: list[Condition] = []
    keys = set()
    for c in conditions:
        expr = c.expr
        if expr.is_number and not expr.free_symbols:
            s = sign_of_number(expr)
            if s is not None and _kind_holds(c.kind, s):
                continue
        key = (expr, c.kind)
        if key in keys:
            continue
        keys.add(key)
        out.append(c)
    # u > 0 makes u >= 0 and u != 0 redundant
    strong = {c.expr for c in out if c.kind == ">"}
    return [c for c in out if c.kind == ">" or c.expr not in strong]


def _kind_holds(kind: str, sign: int) -> bool:
    if kind == ">=":
        return sign >= 0
    if kind == ">":
        return sign > 0
    return sign != 0


def holds_at(conditions: Iterable[Condition], assignment: Mapping[sympy.Symbol, sympy.Rational]) -> bool:
    """Every condition certainly holds at this exact point (uncertain counts as no)."""
    for c in conditions:
        s = sign_at(c.expr, assignment)
        if s is None or not _kind_holds(c.kind, s):
            return False
    return True


def as_relation(c: Condition):
    """``expr >= 0`` / ``expr > 0`` as an unevaluated SymPy relation; None for ``!=``."""
    if c.kind == ">=":
        return sympy.GreaterThan(c.expr, 0, evaluate=False)
    if c.kind == ">":
        return sympy.StrictGreaterThan(c.expr, 0, evaluate=False)
    return None


def describe(conditions: Iterable[Condition]) -> str:
    """'x >= 0, y != 0' for reports."""
    return ", ".join(str(c) for c in conditions)
