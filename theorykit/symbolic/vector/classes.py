"""Function classes and their interpolation inequalities.

For each supported class, a finite set of (x_i, g_i, f_i) triples is the data
of some function of the class (f(x_i) = f_i, g_i a (sub)gradient at x_i) **if
and only if** the pairwise inequalities below hold; the "if" direction is what
makes a refutation sound, the "only if" what makes a proof sound.

* convex, strongly_convex(mu), smooth(L)+convex, smooth(L)+strongly_convex(mu)
  (0 <= mu < L): Taylor, Hendrickx, Glineur, "Smooth strongly convex
  interpolation and exact worst-case performance of first-order methods",
  Math. Program. 161 (2017), arXiv:1502.05666, Theorems 4 and 5 / Corollary 2:

      f_i >= f_j + <g_j, x_i - x_j> + 1/(2L)||g_i - g_j||^2
                 + mu/(2(1 - mu/L)) ||x_i - x_j - (g_i - g_j)/L||^2.

  Multiplied by 2L(L - mu) > 0 it is polynomial in (L, mu); that form is also a
  valid necessary condition at mu = L, so proofs stay sound for all mu <= L.
* smooth(L) (not necessarily convex): Taylor, Hendrickx, Glineur, "Exact
  worst-case performance of first-order methods for composite convex
  optimization", SIAM J. Optim. 27 (2017), arXiv:1512.07516, Theorem 3.10:

      f_i >= f_j + 1/2<g_i + g_j, x_i - x_j> + 1/(4L)||g_i - g_j||^2 - L/4||x_i - x_j||^2

  (multiplied by 4L).
* lipschitz(M)+convex: the convex inequalities and ||g_i||^2 <= M^2
  (arXiv:1512.07516, Theorem 3.5).
* lipschitz(M) with smooth(L), convex: the smooth-convex inequalities and
  ||g_i||^2 <= M^2. Necessary, obviously; sufficient by the construction of
  arXiv:1502.05666 (Thm 4) with the convex envelope of the dual data taken on
  conv{g_i} only: f* = phi + ||.||^2/(2L) with phi convex and dom phi = conv{g_i}
  is (1/L)-strongly convex, so f = f** is convex, L-smooth, interpolates the
  data, and every gradient of f lies in dom f* = conv{g_i}, a set inside the
  ball of radius M.

Classes without a known interpolation theorem (sound by construction):

* lipschitz(M) alone (M-Lipschitz, not necessarily convex or smooth; grad is
  a Clarke subgradient, so ||g_i|| <= M): proofs use only the necessary
  inequalities ||g_i||^2 <= M^2 and, for a global minimizer xs, f_i >= f_s.
  Refutations are searched among convex M-Lipschitz functions (exact, above),
  which are members of the class.
* lipschitz(M) with smooth(L) (not convex): proofs use the smooth inequalities
  plus ||g_i||^2 <= M^2 (necessary); refutations are searched among convex
  L-smooth M-Lipschitz functions (exact, above), members of the class.
* lipschitz(M) with strongly_convex(mu): no function on all of R^d is both
  when mu > 0 (strong monotonicity gives mu||x - y|| <= 2M for all x, y), so
  the class is read as textbooks use it: f is mu-strongly convex (and L-smooth
  if declared) and its subgradients at the points the step mentions have norm
  <= M ("bounded subgradients along the iterates", e.g. on a bounded domain).
  Under that reading the (smooth-)strongly convex interpolation inequalities
  plus ||g_i||^2 <= M^2 at those points are necessary and sufficient.

Minimizers. ``minimizer: xs of f`` means xs is a *global* minimizer of f.
For the convex classes the point xs gets the (sub)gradient 0; by convexity a
point with 0 in its subdifferential is a global minimizer, so the class's
interpolation conditions with g_s = 0 are necessary and sufficient.

For smooth(L) alone a zero gradient is not enough (a stationary point need not
be a global minimizer). Proofs use the point xs with g_s = 0 in the smooth
interpolation conditions together with the extra necessary inequalities

      f_i - f_s >= 1/(2L) ||g_i||^2          for every point x_i,

which hold for every L-smooth f with global minimizer xs: by the descent
lemma f(x_i - g_i/L) <= f_i - ||g_i||^2/(2L), and f_s <= f(x_i - g_i/L).
Refutations for smooth(L) with a minimizer are only searched among convex
L-smooth functions (the smooth-convex interpolation conditions, checked
exactly): such a function is L-smooth and, being convex with a zero gradient
at xs, has its global minimum at xs. So every refutation is an actual member
of the class whose global minimizer is xs; when only a nonconvex function
could refute a step, the answer is "unknown", never a wrong refutation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from ...errors import DerivationSyntaxError
from ..parse import parse_expression
from .syntax import Point, Vector, gram_symbol, inner

__all__ = ["FunctionClass", "parse_classes", "Inequality", "interpolation_inequalities", "CLASS_NAMES"]

CLASS_NAMES = ("convex", "smooth", "strongly_convex", "lipschitz")
_ITEM = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$", re.DOTALL)


@dataclass(frozen=True)
class FunctionClass:
    """A supported function class: ``kind`` and its parameters (SymPy, or None)."""

    # convex | strongly_convex | smooth_convex | smooth_strongly_convex | smooth | lipschitz_convex | lipschitz;
    # M (a Lipschitz bound on the (sub)gradients) may come with any kind
    kind: str
    L: sympy.Expr | None = None
    mu: sympy.Expr | None = None
    M: sympy.Expr | None = None
    text: str = ""

    @property
    def convex(self) -> bool:
        return self.kind not in ("smooth", "lipschitz")

    @property
    def refutes_with_convex_members(self) -> bool:
        """Refutations come from convex members only (no interpolation theorem for the class itself)."""
        return self.kind == "lipschitz" or (self.kind == "smooth" and self.M is not None)

    def describe(self) -> str:
        return self.text


def parse_classes(text: str, *, line: int, column: int, source: str | None) -> FunctionClass:
    """Read ``smooth(L), convex`` and friends into one :class:`FunctionClass`."""
    found: dict = {}
    offset = 0
    for piece in _split_top(text):
        where = column + offset + (len(piece) - len(piece.lstrip()))
        offset += len(piece) + 1
        match = _ITEM.match(piece)
        if not match or not piece.strip():
            raise DerivationSyntaxError(
                "expected a class such as convex, smooth(L), strongly_convex(mu), lipschitz(M)",
                line, where, source)
        name, arg = match.group(1), match.group(2)
        if name not in CLASS_NAMES:
            raise DerivationSyntaxError(
                f"unknown function class '{name}' (known: convex, smooth(L), strongly_convex(mu), lipschitz(M))",
                line, where, source)
        if name in found:
            raise DerivationSyntaxError(f"class '{name}' given twice", line, where, source)
        if name == "convex":
            if arg is not None:
                raise DerivationSyntaxError("'convex' takes no parameter", line, where, source)
            found[name] = None
            continue
        if arg is None or not arg.strip():
            raise DerivationSyntaxError(f"'{name}' needs a parameter, e.g. {name}(L)", line, where, source)
        arg_col = where + piece.strip().index("(") + 1
        value = parse_expression(arg, line=line, column=arg_col, source=source)
        found[name] = value
    if not found:
        raise DerivationSyntaxError("expected at least one class after ':'", line, column, source)
    names = set(found)
    L, mu, M = found.get("smooth"), found.get("strongly_convex"), found.get("lipschitz")
    pretty = ", ".join(text.split(",")).strip()
    pretty = re.sub(r"\s+", " ", pretty)
    if names == {"lipschitz", "convex"}:
        return FunctionClass("lipschitz_convex", M=M, text=pretty)
    if names == {"lipschitz"}:
        return FunctionClass("lipschitz", M=M, text=pretty)
    if "smooth" in names and "strongly_convex" in names:
        return FunctionClass("smooth_strongly_convex", L=L, mu=mu, M=M, text=pretty)
    if "smooth" in names and "convex" in names:
        return FunctionClass("smooth_convex", L=L, M=M, text=pretty)
    if "smooth" in names:
        return FunctionClass("smooth", L=L, M=M, text=pretty)
    if "strongly_convex" in names:
        return FunctionClass("strongly_convex", mu=mu, M=M, text=pretty)
    return FunctionClass("convex", text=pretty)


def _split_top(text: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def parameter_conditions(cls: FunctionClass) -> list[tuple[sympy.Expr, str]]:
    """Conditions on the parameters (expr > 0 or >= 0) the class needs to be meaningful."""
    out = []
    if cls.L is not None:
        out.append((cls.L, ">"))
    if cls.mu is not None:
        out.append((cls.mu, ">="))
        if cls.L is not None:
            out.append((cls.L - cls.mu, ">"))
    if cls.M is not None:
        out.append((cls.M, ">="))
    return out


@dataclass(frozen=True)
class Inequality:
    """``expr >= 0``, linear in the function values and Gram entries."""

    expr: sympy.Expr
    label: str  # how a person names it
    kind: str  # 'pair', 'lipschitz', 'minimum'
    i: int  # point indices (into the list given), -1 when unused
    j: int
    scale: sympy.Expr = sympy.Integer(1)  # expr = scale * (the inequality as the papers write it)


def _grad(point: Point) -> Vector:
    return Vector(()) if point.grad is None else Vector(((point.grad, sympy.Integer(1)),))


def pair_inequality(cls: FunctionClass, pi: Point, pj: Point, *, convex_variant: bool = False,
                    negate: bool = False) -> sympy.Expr:
    """The class's (scaled) interpolation inequality from j to i, as ``expr >= 0``.

    ``negate=True``: the inequality of -f (values and gradients negated, locations not).
    """
    dx = pi.location - pj.location
    gi, gj = _grad(pi), _grad(pj)
    df = pi.value - pj.value
    if negate:
        gi, gj, df = gi.scale(-1), gj.scale(-1), -df
    dg = gi - gj
    kind = _pair_kind(cls, convex_variant)
    if kind in ("convex", "lipschitz_convex"):
        return df - inner(gj, dx)
    if kind == "strongly_convex":
        return df - inner(gj, dx) - cls.mu / 2 * inner(dx, dx)
    if kind == "smooth":
        L = cls.L
        return 4 * L * (df - inner(gi + gj, dx) / 2) - inner(dg, dg) + L**2 * inner(dx, dx)
    L = cls.L
    mu = cls.mu if kind == "smooth_strongly_convex" else sympy.Integer(0)
    w = dx.scale(L) - dg
    return 2 * L * (L - mu) * (df - inner(gj, dx)) - (L - mu) * inner(dg, dg) - mu * inner(w, w)


def pair_scale(cls: FunctionClass, *, convex_variant: bool = False) -> sympy.Expr:
    """The positive factor by which :func:`pair_inequality` scales the papers' form."""
    kind = _pair_kind(cls, convex_variant)
    if kind == "smooth":
        return 4 * cls.L
    if kind == "smooth_convex":
        return 2 * cls.L**2
    if kind == "smooth_strongly_convex":
        return 2 * cls.L * (cls.L - cls.mu)
    return sympy.Integer(1)


def _pair_kind(cls: FunctionClass, convex_variant: bool) -> str:
    if convex_variant and cls.kind == "smooth":
        return "smooth_convex"
    if convex_variant and cls.kind == "lipschitz":
        return "convex"
    return cls.kind


def interpolation_inequalities(cls: FunctionClass, points: list, minimizer_points: list, *,
                               convex_variant: bool = False, negate: bool = False) -> list[Inequality]:
    """Every interpolation inequality of ``cls`` at ``points`` (of one function).

    ``convex_variant=True`` (for smooth(L) and lipschitz(M) without convex)
    gives the inequalities of the convex members used to search refutations
    (see the module docstring); it changes nothing for convex classes.
    """
    out: list[Inequality] = []
    kind = _pair_kind(cls, convex_variant)
    name = {"convex": "convexity", "strongly_convex": "strong convexity",
            "smooth": "smoothness", "smooth_convex": "smooth-convex",
            "smooth_strongly_convex": "smooth-strongly-convex",
            "lipschitz_convex": "convexity", "lipschitz": None}[kind]
    for i, pi in enumerate(points):
        for j, pj in enumerate(points):
            if i == j or name is None:  # lipschitz(M) alone: no pairwise inequality is affine
                continue
            expr = sympy.expand(pair_inequality(cls, pi, pj, convex_variant=convex_variant, negate=negate))
            arrow = f"{pj.label}->{pi.label}"
            out.append(Inequality(expr, f"{name} inequality {arrow}" + (" (of -f)" if negate else ""), "pair", i, j,
                                  pair_scale(cls, convex_variant=convex_variant)))
    if cls.M is not None:
        for i, pi in enumerate(points):
            g = _grad(pi)
            out.append(Inequality(sympy.expand(cls.M**2 - inner(g, g)), f"Lipschitz bound at {pi.label}",
                                  "lipschitz", i, -1))
    if kind == "smooth":
        for s in minimizer_points:
            for i, pi in enumerate(points):
                if pi is points[s] or pi.grad is None:
                    continue
                g = _grad(pi)
                expr = sympy.expand(2 * cls.L * (pi.value - points[s].value) - inner(g, g))
                out.append(Inequality(expr, f"global-minimum inequality at {pi.label}", "minimum", i, s,
                                      2 * cls.L))
    if kind == "lipschitz":
        for s in minimizer_points:
            for i, pi in enumerate(points):
                if pi is points[s]:
                    continue
                out.append(Inequality(sympy.expand(pi.value - points[s].value),
                                      f"global minimum: f({pi.label}) >= f({points[s].label})", "minimum", i, s))
    return out


__all__ += ["parameter_conditions", "pair_inequality"]
