"""Run one vector step in a forked worker, killed past its budget.

The certificate and counterexample searches call SymPy and the SDP solver
in-process; a pathological input must not hang ``theorykit check``. Like the
scalar prover (``prover._run_isolated``), each step runs in a forked child
with a memory limit, and the parent kills it when the budget plus a grace
period has passed, answering "unknown".
"""
from __future__ import annotations

import os
import time

__all__ = ["run_isolated", "GRACE_SECONDS"]

# the step's own deadlines stop its searches; this is only the hard stop after them
GRACE_SECONDS = 2.0


def run_isolated(fn, args: tuple, timeout: float, on_timeout):
    """``fn(*args)`` in a forked child; ``on_timeout(reason)`` when it overruns or dies."""
    if not hasattr(os, "fork"):  # pragma: no cover - no fork: run here
        return fn(*args)
    from ..isolate import fork_call

    start = time.monotonic()
    status, result = fork_call(fn, args, timeout + GRACE_SECONDS)
    if status != "ok":
        return on_timeout(status, time.monotonic() - start)
    return result
