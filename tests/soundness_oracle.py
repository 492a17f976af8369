"""An independent oracle for the soundness fuzzer: random expression trees that
print themselves in ``.deriv`` syntax and evaluate themselves in mpmath at high
precision with the documented real semantics.

It shares nothing with the checker: not SymPy's folding, not the parser, not
the prover's exact arithmetic. Closed-form constants that are secretly zero
(``log(4) - 2*log(2)``, Machin-type ``atan`` sums, nested radicals) print as
written but evaluate to an exact zero here, because the oracle knows by
construction what they are. The oracle can say "contradiction" only with a
margin far above its working precision; near-ties are "inconclusive".
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
from hypothesis import strategies as st

mpmath.mp.dps = 60
_TINY = mpmath.mpf("1e-40")
MARGIN = mpmath.mpf("1e-25")


class Inconclusive(Exception):
    """Too close to a boundary (a zero denominator, a root of ~0) to say."""


class Undefined(Exception):
    """The written expression has no real value here."""


# text as the checker reads it, and the same number computed here in mpmath
SECRET_ZERO_VALUES = {
    "(log(4) - 2*log(2))": lambda: mpmath.log(4) - 2 * mpmath.log(2),
    "(atan(1/2) + atan(1/3) - pi/4)": lambda: mpmath.atan(mpmath.mpf(1) / 2) + mpmath.atan(mpmath.mpf(1) / 3) - mpmath.pi / 4,
    "(sqrt(2) + sqrt(3) - sqrt(5 + 2*sqrt(6)))": lambda: mpmath.sqrt(2) + mpmath.sqrt(3) - mpmath.sqrt(5 + 2 * mpmath.sqrt(6)),
    "(4*atan(1/5) - atan(1/239) - pi/4)": lambda: 4 * mpmath.atan(mpmath.mpf(1) / 5) - mpmath.atan(mpmath.mpf(1) / 239) - mpmath.pi / 4,
    "(exp(log(3)) - 3)": lambda: mpmath.exp(mpmath.log(3)) - 3,
}
SECRET_ZEROS = tuple(SECRET_ZERO_VALUES)


@dataclass(frozen=True)
class Node:
    op: str
    args: tuple = ()
    value: object = None  # name, Fraction, exponent, or secret-zero text

    # -- printing (file syntax) -------------------------------------------------
    def text(self) -> str:
        op, a = self.op, self.args
        if op == "sym":
            return self.value
        if op == "num":
            q = self.value
            return f"({q.numerator}/{q.denominator})" if q.denominator != 1 else f"({q.numerator})"
        if op == "zero":
            return self.value
        if op in ("+", "-", "*", "/"):
            return f"({a[0].text()} {op} {a[1].text()})"
        if op == "pow":
            e = self.value
            e_text = f"({e.numerator}/{e.denominator})" if e.denominator != 1 else f"({e.numerator})"
            return f"({a[0].text()})**{e_text}"
        if op in ("Max", "Min"):
            return f"{op}({', '.join(x.text() for x in a)})"
        return f"{op}({a[0].text()})"

    # -- the oracle ---------------------------------------------------------------
    def value_at(self, env: dict):
        op, a = self.op, self.args
        if op == "sym":
            return env[self.value]
        if op == "num":
            return mpmath.mpf(self.value.numerator) / self.value.denominator
        if op == "zero":
            return mpmath.mpf(0)
        vals = [x.value_at(env) for x in a]
        if op == "+":
            return vals[0] + vals[1]
        if op == "-":
            return vals[0] - vals[1]
        if op == "*":
            return vals[0] * vals[1]
        if op == "/":
            return _divide(vals[0], vals[1])
        if op == "pow":
            return _power(vals[0], self.value)
        if op == "sqrt":
            return mpmath.sqrt(_nonneg(vals[0]))
        if op == "log":
            return mpmath.log(_positive(vals[0]))
        if op == "exp":
            if vals[0] > 200:
                raise Inconclusive  # keep magnitudes printable and comparable
            return mpmath.exp(vals[0])
        if op == "Abs":
            return abs(vals[0])
        if op == "Max":
            return max(vals)
        if op == "Min":
            return min(vals)
        if op == "atan":
            return mpmath.atan(vals[0])
        raise ValueError(op)


def _divide(num, den):
    if den == 0:
        raise Undefined
    if abs(den) < _TINY:
        raise Inconclusive
    return num / den


def _nonneg(v):
    if v < -_TINY:
        raise Undefined
    if v < _TINY:
        if v < 0:
            raise Inconclusive
    return v


def _positive(v):
    if v <= 0 and v > -_TINY or 0 < v < _TINY:
        raise Inconclusive
    if v <= 0:
        raise Undefined
    return v


def _power(base, e: Fraction):
    if e.denominator == 1:
        n = e.numerator
        if n < 0:
            if base == 0:
                raise Undefined
            if abs(base) < _TINY:
                raise Inconclusive
        return base ** n
    # a non-integer power needs base >= 0 (> 0 for a negative exponent): the
    # documented real semantics of theorykit
    if e < 0:
        _positive(base)
    else:
        _nonneg(base)
    if base == 0:
        return mpmath.mpf(0)
    return mpmath.power(base, mpmath.mpf(e.numerator) / e.denominator)


# -- strategies ---------------------------------------------------------------------

NAMES = ("x", "y")


def _leaves():
    return st.one_of(
        st.sampled_from(NAMES).map(lambda n: Node("sym", value=n)),
        st.sampled_from([Fraction(0), Fraction(1), Fraction(2), Fraction(-1), Fraction(1, 2), Fraction(3)])
        .map(lambda q: Node("num", value=q)),
        st.sampled_from(SECRET_ZEROS).map(lambda t: Node("zero", value=t)),
    )


def _extend(children):
    unary = st.sampled_from(["sqrt", "log", "exp", "Abs", "atan"])
    binary = st.sampled_from(["+", "-", "*", "/", "Max", "Min"])
    exps = st.sampled_from([Fraction(2), Fraction(3), Fraction(-1), Fraction(-2), Fraction(1, 2),
                            Fraction(3, 2), Fraction(1, 3)])
    return st.one_of(
        st.tuples(unary, children).map(lambda t: Node(t[0], (t[1],))),
        st.tuples(binary, children, children).map(lambda t: Node(t[0], (t[1], t[2]))),
        st.tuples(exps, children).map(lambda t: Node("pow", (t[1],), t[0])),
    )


def expressions(*, max_leaves: int = 6):
    return st.recursive(_leaves(), _extend, max_leaves=max_leaves)


RELATIONS = ("=", "<=", "<", ">=", ">")
ASSUMPTIONS = ("", "x > 0", "x > 0, y > 0", "x >= 0, y > 1", "0 < x < 1")


def _assumed(text: str, env) -> bool:
    x, y = env["x"], env["y"]
    checks = {
        "": True,
        "x > 0": x > 0,
        "x > 0, y > 0": x > 0 and y > 0,
        "x >= 0, y > 1": x >= 0 and y > 1,
        "0 < x < 1": 0 < x < 1,
    }
    return bool(checks[text])


def holds(op: str, lhs, rhs):
    """True / False with a margin far above the working precision, else Inconclusive."""
    d = lhs - rhs
    scale = MARGIN * (1 + abs(lhs) + abs(rhs))
    if op == "=":
        if abs(d) > scale:
            return False
        if d == 0:
            return True
        raise Inconclusive
    if op in ("<", "<="):
        d = -d
    # now the claim is d > 0 or d >= 0
    if d > scale:
        return True
    if d < -scale:
        return False
    if d == 0:
        return op in ("<=", ">=")
    raise Inconclusive


def sample_points(seed: int, count: int = 150):
    """Simple and random rational points over (x, y), small ones first."""
    import random

    rng = random.Random(seed)
    simple = [Fraction(v) for v in (0, 1, -1, 2, -2)] + [Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3), Fraction(3)]
    points = [(a, b) for a in simple for b in simple]
    while len(points) < count:
        points.append(tuple(Fraction(rng.randint(-400, 400), rng.randint(1, 60)) for _ in NAMES))
    return points


def env_of(point) -> dict:
    return {n: mpmath.mpf(q.numerator) / q.denominator for n, q in zip(NAMES, point)}
