"""Run a piece of SymPy work in a forked child with a wall-clock limit.

Parsing and building assumptions look cheap but are not bounded in general:
SymPy folds ``floor(E**E**E**E)`` by evaluating the tower, resolves 20 000
chained definitions by repeated substitution, and re-evaluating
``(1 - 1/n)**n`` at ``n = 335134809`` builds a rational with billions of digits.
Every phase of ``theorykit check`` therefore runs under a budget: here in a
child that is killed when the budget runs out, so that a file's wall time stays
within steps x timeout plus a small fixed overhead whatever the input.

Errors that theorykit raises on bad input (:class:`DerivationSyntaxError`,
:class:`InputError`) cross the process boundary with their fields intact.
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
import time
from typing import Any, Callable

from ..errors import DerivationSyntaxError, InputError, TheorykitError

__all__ = ["BudgetExceeded", "MEMORY_LIMIT_BYTES", "fork_call", "limit_memory", "run_bounded"]

MEMORY_LIMIT_BYTES = 2 * 1024**3


def limit_memory():
    """Cap this (forked) process's address space at what it maps now plus
    :data:`MEMORY_LIMIT_BYTES`, so runaway SymPy work fails instead of swapping."""
    try:
        import resource

        try:
            with open("/proc/self/statm") as fh:
                used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            used = 0
        limit = used + MEMORY_LIMIT_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


class BudgetExceeded(Exception):
    """The work did not finish within its budget (the child was killed)."""


def _encode_error(exc: BaseException):
    if isinstance(exc, DerivationSyntaxError):
        return ("syntax", exc.message, exc.line, exc.column, exc.source)
    if isinstance(exc, InputError):
        message = str(exc)
        prefix = f"{exc.argument}: "
        return ("input", type(exc).__name__, exc.argument, message[len(prefix):] if message.startswith(prefix) else message)
    if isinstance(exc, TheorykitError):
        return ("input", "InputError", "input", str(exc))
    if isinstance(exc, (MemoryError, RecursionError)):
        return ("limit", f"{type(exc).__name__}: the input is too large or too deeply nested")
    return ("internal", f"{type(exc).__name__}: {exc}"[:300])


def _decode_error(payload) -> BaseException:
    kind = payload[0]
    if kind == "syntax":
        _, message, line, column, source = payload
        return DerivationSyntaxError(message, line, column, source)
    if kind == "input":
        _, cls_name, argument, message = payload
        from . import assumptions

        cls = getattr(assumptions, cls_name, InputError)
        if not (isinstance(cls, type) and issubclass(cls, InputError)):
            cls = InputError
        return cls(argument, message)
    if kind == "limit":
        return InputError("source", payload[1])
    return InputError("source", f"could not process the input ({payload[1]})")


TIMEOUT = "timeout"
DIED = "worker died (memory limit?)"


def fork_call(fn: Callable[..., Any], args: tuple, timeout: float) -> tuple[str, Any]:
    """``fn(*args)`` in a forked, memory-limited child, killed after ``timeout`` seconds.

    Returns ``("ok", result)``, ``(TIMEOUT, None)`` or ``(DIED, None)`` (the child died or
    sent nothing readable). The one fork-and-wait loop of the symbolic layer: the prover's
    steps, the vector steps and :func:`run_bounded` all go through it. os.fork also works
    inside daemonic pool workers; poll/epoll has no FD_SETSIZE limit as select() has."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        try:
            limit_memory()
            data = pickle.dumps(fn(*args))
            view = memoryview(data)
            while view:
                n = os.write(write_fd, view)
                view = view[n:]
        except BaseException:  # noqa: BLE001 - the parent reports a dead worker
            pass
        finally:
            os._exit(0)  # no atexit handlers, no flushing of buffers copied from the parent
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks = []
    finished = False
    sel = selectors.DefaultSelector()
    sel.register(read_fd, selectors.EVENT_READ)
    try:
        while True:
            left = deadline - time.monotonic()
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
        return TIMEOUT, None
    try:
        return "ok", pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - an empty or cut message: the child died
        return DIED, None


def _tagged(fn, args):
    """Runs in the child: the result, or the error encoded for the parent."""
    try:
        return "ok", fn(*args)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        return "err", _encode_error(exc)


def run_bounded(fn: Callable[..., Any], args: tuple, timeout: float, *, what: str = "work") -> Any:
    """``fn(*args)`` in a forked child, killed after ``timeout`` seconds.

    Returns the (pickled) result; re-raises theorykit input errors from the child;
    raises :class:`BudgetExceeded` when the budget runs out. Without ``os.fork``
    the call runs here, unbounded.
    """
    if not hasattr(os, "fork"):
        return fn(*args)
    status, payload = fork_call(_tagged, (fn, args), timeout)
    if status == TIMEOUT:
        raise BudgetExceeded(f"{what} did not finish within {timeout:g} s")
    if status == DIED:
        raise BudgetExceeded(f"{what} stopped: the worker died (memory limit?)")
    tag, value = payload
    if tag == "err":
        raise _decode_error(value)
    return value
