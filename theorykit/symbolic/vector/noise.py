"""Counterexamples with noise vectors: an exact, finite law for each noise.

A step with ``noise: e`` is decided after its expectations are reduced (syntax.expectation):
E is linear, E<e, a> = 0 for deterministic a, and E||e||^2 is the scalar ``Enorm2__e``. The
reduced step is a deterministic vector step in which ``Enorm2__e = m`` is one more scalar. A
counterexample to it at m >= 0 becomes a counterexample to the written step with this law of e,
in one extra coordinate u orthogonal to every deterministic vector:

    e = u      with probability m/(1 + m),
    e = -m u   with probability 1/(1 + m)     (e = 0 when m = 0).

Its mean is m/(1+m) - m/(1+m) = 0 and E||e||^2 = m/(1+m) + m^2/(1+m) = m, both rational, so
every E(...) of the step takes the reduced value exactly; the law is checked here exactly
before the counterexample is returned. Several noise vectors are independent, each in its own
coordinate.
"""
from __future__ import annotations

import sympy

from .syntax import moment_symbol

__all__ = ["noise_law", "with_noise"]


def noise_law(m: sympy.Rational) -> list[tuple[sympy.Rational, sympy.Rational]]:
    """(probability, coefficient of u) atoms of a mean-zero law with E||e||^2 = m (exact)."""
    m = sympy.Rational(m)
    if m < 0:
        raise ValueError("a second moment is >= 0")
    if m == 0:
        return [(sympy.Integer(1), sympy.Integer(0))]
    return [(m / (1 + m), sympy.Integer(1)), (1 / (1 + m), -m)]


def with_noise(cex: dict | None, ctx) -> dict | None:
    """``cex`` (the engine's JSON shape, moments among the scalars) with each noise's law added:
    every vector gets one zero coordinate per noise, ``noise`` lists each law's atoms, the
    moment scalars are shown as ``E(norm(e)**2)``. None when a law fails its exact check (the
    step is then not refuted)."""
    if cex is None or not getattr(ctx, "noises", None):
        return cex
    out = {key: (dict(value) if isinstance(value, dict) else value) for key, value in cex.items()}
    if not out.get("vectors") and not out.get("functions") and (ctx.vectors or ctx.points):
        # a step with no Gram terms left after E (refuted by its scalars alone): every deterministic
        # vector at 0, and f = 0 there (f = mu/2 ||x||^2 for a strongly convex class), which every
        # class admits: value 0 and gradient 0 at the origin, a global minimizer
        out["vectors"] = {name: [] for name in ctx.vectors}
        out["vectors"].update({name: [] for name in ctx.let_order if not ctx.random(ctx.lets[name])})
        out["functions"] = {}
        for p in ctx.points:
            out["functions"].setdefault(p.function, []).append(
                {"at": p.label if not p.label.startswith("@") else [], "value": "0", "grad": []})
        out["realized_by"] = "every deterministic vector is 0, where f has value 0 and gradient 0"
    scalars = dict(out.get("scalars", {}))
    vectors = {name: list(coords) for name, coords in out.get("vectors", {}).items()}
    dim = max((len(c) for c in vectors.values()), default=0)
    extra = len(ctx.noises)
    vectors = {name: coords + ["0"] * (dim - len(coords) + extra) for name, coords in vectors.items()}
    functions = {}
    for fname, rows in out.get("functions", {}).items():
        functions[fname] = [{**row, "at": row["at"] if isinstance(row["at"], str) else
                             list(row["at"]) + ["0"] * (dim - len(row["at"]) + extra),
                             "grad": list(row["grad"]) + ["0"] * (dim - len(row["grad"]) + extra)}
                            for row in rows]
    laws = {}
    for k, name in enumerate(ctx.noises):
        key = moment_symbol(name).name
        if key not in scalars:  # the step does not mention E||e||^2: any value >= 0 will do
            m = sympy.Integer(0)
        else:
            try:
                m = sympy.Rational(scalars.pop(key))
            except (TypeError, ValueError):  # a closed form (sqrt(2)): no rational law is built
                return None
        if m < 0:
            return None
        atoms = noise_law(m)
        mean = sum((p * c for p, c in atoms), sympy.Integer(0))
        second = sum((p * c**2 for p, c in atoms), sympy.Integer(0))
        if sum(p for p, _ in atoms) != 1 or mean != 0 or second != m or any(p < 0 for p, _ in atoms):
            return None  # pragma: no cover - exact by construction
        scalars[f"E(norm({name})**2)"] = str(m)
        laws[name] = [{"probability": str(p),
                       "value": ["0"] * (dim + k) + [str(c)] + ["0"] * (extra - k - 1)} for p, c in atoms]
    out["scalars"] = scalars
    out["vectors"] = {name: coords for name, coords in vectors.items()}
    out["functions"] = functions
    out["noise"] = laws
    if out.get("realized_by"):
        out["realized_by"] += (f"; each noise vector has its own last coordinate (of {dim + extra}), where every "
                               "deterministic vector is 0")
    random_lets = {name: ctx.let_text[name] for name in ctx.let_order if ctx.random(ctx.lets[name])}
    if random_lets:
        out["random_lets"] = random_lets  # their values are the definitions at each atom of the noise
    return out
