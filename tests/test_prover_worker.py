"""The long-lived prover worker (theorykit.symbolic.worker): same verdicts as one fork per step,
the same budget, recovery after a hung or dead step, and no use outside a session."""
from __future__ import annotations

import os
import time

import pytest
import sympy

from theorykit.symbolic import worker
from theorykit.symbolic.isolate import DIED, TIMEOUT
from theorykit.symbolic.prover import prove_step

x = sympy.Symbol("x", real=True)
y = sympy.Symbol("y", real=True)
p = sympy.Symbol("p", positive=True)

STEPS = [
    (x + 1 / x, ">=", 2, [x > 0]),
    (x + 1 / x, ">=", sympy.Rational(21, 10), [x > 0]),
    ((x + y) ** 2, "<=", 2 * x**2 + 2 * y**2, []),
    ((x + y) ** 2, "<=", x**2 + y**2, []),
    (x * (1 - x), "<=", sympy.Rational(1, 4), [x > 0, x < 1]),
    (sympy.sqrt(p) ** 2, "=", p, []),
    (p, ">", 0, [sympy.Gt(p, 0, evaluate=False)]),  # an unevaluated relation that SymPy would fold to True
]


def _pid(_):
    return os.getpid()


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _raise(_):
    raise ValueError("boom")


def _verdicts(steps):
    return [(v.status, v.counterexample) for v in (prove_step(*s[:3], s[3], timeout=10) for s in steps)]


def test_session_gives_the_verdicts_of_one_fork_per_step():
    forked = _verdicts(STEPS)
    with worker.session():
        pooled = _verdicts(STEPS)
    assert pooled == forked
    assert {s for s, _ in forked} >= {"proved", "refuted"}


def test_one_worker_serves_a_session_and_stops_with_it():
    with worker.session():
        first = worker.call(_pid, (0,), 5)
        second = worker.call(_pid, (0,), 5)
        assert first[0] == second[0] == "ok" and first[1] == second[1] != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(first[1], 0)


def test_outside_a_session_every_call_forks():
    a, b = worker.call(_pid, (0,), 5), worker.call(_pid, (0,), 5)
    assert a[0] == b[0] == "ok" and a[1] != b[1]


def test_a_hung_step_is_killed_within_its_budget_and_the_next_step_runs():
    with worker.session():
        before = worker.call(_pid, (0,), 5)[1]
        t0 = time.monotonic()
        assert worker.call(_sleep, (60,), 0.5) == (TIMEOUT, None)
        assert time.monotonic() - t0 < 1.5
        status, after = worker.call(_pid, (0,), 5)
        assert status == "ok" and after != before


def test_a_step_that_raises_is_a_dead_worker_and_the_next_step_runs():
    with worker.session():
        assert worker.call(_raise, (0,), 5) == (DIED, None)
        assert worker.call(_sleep, (0,), 5) == ("ok", "woke")


def test_work_that_cannot_be_pickled_falls_back_to_a_fork():
    with worker.session():
        pooled = worker.call(_pid, (0,), 5)[1]
        status, pid = worker.call(lambda _: os.getpid(), (0,), 5)
        assert status == "ok" and pid != pooled


def test_a_forked_child_does_not_use_its_parents_worker():
    with worker.session():
        parent_worker = worker.call(_pid, (0,), 5)[1]
        r, w = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child
            os.close(r)
            try:
                pid = worker.call(_pid, (0,), 5)[1]
                os.write(w, str(pid).encode())
            finally:
                os._exit(0)
        os.close(w)
        got = int(os.read(r, 64) or b"0")
        os.close(r)
        os.waitpid(child, 0)
        assert got not in (0, parent_worker)
