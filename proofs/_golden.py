"""Golden-section search with the candidates evaluated in batches.

The search is the plain sequential golden section (``golden_section`` in ``_util`` is this
with one point per call); only the evaluations are batched. From the current bracket the
next point is known, the one after it depends on one comparison, and so on: the points of
the next ``depth`` steps form a tree of 2^depth - 1 candidates, computed exactly as the
sequential search would compute them, and ``fn_many`` evaluates them in one call. The
search then walks the tree with the real comparisons, so the result, and every point it
uses, is that of the sequential search, bit for bit, as long as ``fn_many`` returns for each
point what one call of the function would. Candidates off the path are discarded unused.
Where a branch of the tree ends the search, the final midpoint is evaluated in the same call.
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple, Sequence

_G = (math.sqrt(5) - 1) / 2


class GoldenResult(NamedTuple):
    x: float  # the bracket's midpoint at the end
    fx: float  # fn(x)
    path: list  # (point, value) of every evaluation the sequential search makes, in order


def _step(a, b, c, d, left):
    """One golden-section step: the new bracket (a, b, c, d), the point it evaluates next, and
    ``left`` (f(c) < f(d): [a, d] kept, the new point is c)."""
    if left:
        b, d = d, c
        c = b - _G * (b - a)
        return a, b, c, d, c, left
    a, c = c, d
    d = a + _G * (b - a)
    return a, b, c, d, d, left


def golden_section_many(fn_many: Callable[[Sequence[float]], Sequence], lo: float, hi: float, *,
                        tol: float = 1e-10, maximize: bool = False, depth: int = 4) -> GoldenResult:
    """(argmin, min, path) of a unimodal function on [lo, hi] by golden-section search, whose
    values at a list of points ``fn_many`` returns as a list. A value may be an exception
    instance: it is raised when the search uses that point (never for a point it does not).
    ``depth`` steps are decided per call of ``fn_many`` (2^depth - 1 points)."""
    sign = -1.0 if maximize else 1.0
    path: list = []

    def value(x, v):
        if isinstance(v, BaseException):
            raise v
        path.append((x, v))
        return sign * v

    def done(a, b):
        return not (b - a) > tol * max(abs(a), abs(b), 1e-300)

    a, b = lo, hi
    c, d = b - _G * (b - a), a + _G * (b - a)
    vc, vd = fn_many([c, d])
    fc, fd = value(c, vc), value(d, vd)
    final = None  # the value at the last bracket's midpoint, when a batch held it
    while not done(a, b):
        # candidates of the next `depth` steps, breadth first: the first step's point is known
        # (fc, fd are); each later one has two, for the two outcomes of the comparison before it
        tree = {(): _step(a, b, c, d, fc < fd)}
        frontier = [()]
        for _ in range(depth - 1):
            nxt = []
            for key in frontier:
                st = tree[key]
                if done(st[0], st[1]):
                    continue
                for left in (True, False):
                    tree[key + (left,)] = _step(*st[:4], left)
                    nxt.append(key + (left,))
            frontier = nxt
        # where a branch ends the search, its last point (a + b)/2 goes in the same call
        keys = list(tree)
        ends = [k for k in keys if done(tree[k][0], tree[k][1])]
        got = fn_many([tree[k][4] for k in keys] + [(tree[k][0] + tree[k][1]) / 2 for k in ends])
        vals, end_vals = dict(zip(keys, got)), dict(zip(ends, got[len(keys):]))
        key = ()
        while key in tree and not done(a, b):
            a, b, c, d, new, left = tree[key]
            f_new = value(new, vals[key])
            fc, fd = (f_new, fc) if left else (fd, f_new)
            final = end_vals.get(key, final)
            key = key + (fc < fd,)
    x = (a + b) / 2
    (vx,) = fn_many([x]) if final is None else (final,)
    if isinstance(vx, BaseException):
        raise vx
    path.append((x, vx))
    return GoldenResult(x, vx, path)
