"""Run one vector step in a forked worker, killed past its budget.

The certificate and counterexample searches call SymPy and the SDP solver
in-process; a pathological input must not hang ``theorykit check``. Like the
scalar prover (``prover._run_isolated``), each step runs in a forked child
with a memory limit, and the parent kills it when the budget plus a grace
period has passed, answering "unknown".
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
import time

__all__ = ["run_isolated", "GRACE_SECONDS"]

# the step's own deadlines stop its searches; this is only the hard stop after them
GRACE_SECONDS = 2.0


def _child(fd, fn, args):  # pragma: no cover - runs in the child
    try:
        from ..prover import _limit_memory

        _limit_memory()
        data = pickle.dumps(fn(*args))
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001 - the parent reports a dead worker
        pass
    finally:
        os._exit(0)


def run_isolated(fn, args: tuple, timeout: float, on_timeout):
    """``fn(*args)`` in a forked child; ``on_timeout(reason)`` when it overruns or dies."""
    if not hasattr(os, "fork"):  # pragma: no cover - no fork: run here
        return fn(*args)
    start = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        os.close(read_fd)
        _child(write_fd, fn, args)
    os.close(write_fd)
    chunks, finished = [], False
    sel = selectors.DefaultSelector()
    sel.register(read_fd, selectors.EVENT_READ)
    try:
        while True:
            left = start + timeout + GRACE_SECONDS - time.monotonic()
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        sel.close()
        os.close(read_fd)
        if not finished:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    if not finished:
        return on_timeout("timeout", time.monotonic() - start)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - an empty or cut message: the child died
        return on_timeout("worker died (memory limit?)", time.monotonic() - start)
