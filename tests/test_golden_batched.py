"""proofs._golden.golden_section_many evaluates the next steps' candidates in one batched call;
its result and the points it uses must be those of the plain sequential golden section."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs._golden import golden_section_many
from proofs._util import golden_section


def sequential_golden(fn, lo, hi, tol, maximize=False):
    """Golden-section search written plainly, one evaluation at a time; returns (x, fx, calls)."""
    calls = []

    def f(x):
        v = fn(x)
        calls.append((x, v))
        return v

    sign = -1.0 if maximize else 1.0
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = sign * f(c), sign * f(d)
    while (b - a) > tol * max(abs(a), abs(b), 1e-300):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = sign * f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = sign * f(d)
    x = (a + b) / 2
    return x, f(x), calls


def _function(kind, p, q):
    if kind == 0:
        return lambda x: (x - p) ** 2
    if kind == 1:
        return lambda x: abs(x - p) + q * x  # a kink, maybe monotone
    if kind == 2:
        return lambda x: math.sin(7 * x + p) + q * x  # not unimodal: the walk must still match
    return lambda x: float(np.round((x - p) ** 2, 3))  # plateaus: ties in the comparison


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 3), st.floats(-2, 3), st.floats(-1, 1), st.floats(-1, 1), st.floats(0.01, 5),
       st.sampled_from([1e-3, 1e-6, 1e-9, 1e-12]), st.integers(1, 6), st.booleans())
def test_batched_golden_equals_sequential(kind, p, q, lo, width, tol, depth, maximize):
    fn = _function(kind, p, q)
    x, fx, calls = sequential_golden(fn, lo, lo + width, tol, maximize)
    batches = []

    def fn_many(xs):
        batches.append(len(xs))
        return [fn(v) for v in xs]

    res = golden_section_many(fn_many, lo, lo + width, tol=tol, maximize=maximize, depth=depth)
    assert (res.x, res.fx) == (x, fx)
    assert res.path == calls
    assert golden_section(fn, lo, lo + width, tol=tol, maximize=maximize) == (x, fx)
    if depth > 1 and len(calls) > 8:
        assert len(batches) < len(calls) - 2  # fewer calls than evaluations: it batched


def test_exception_raised_only_for_a_point_the_search_uses():
    used = sequential_golden(lambda x: (x - 0.3) ** 2, 0.0, 1.0, 1e-6)[2]
    on_path = {x for x, _ in used}

    def fn_many(xs):
        # every candidate the sequential search never evaluates fails
        return [(x - 0.3) ** 2 if x in on_path else ValueError(x) for x in xs]

    res = golden_section_many(fn_many, 0.0, 1.0, tol=1e-6, depth=4)
    assert res.path == used

    def fails_on_path(xs):
        return [ValueError("used") if x == used[5][0] else (x - 0.3) ** 2 for x in xs]

    with pytest.raises(ValueError, match="used"):
        golden_section_many(fails_on_path, 0.0, 1.0, tol=1e-6, depth=4)
