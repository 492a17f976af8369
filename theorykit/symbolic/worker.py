"""A long-lived forked worker for the prover's steps, killed and replaced when a step overruns.

``isolate.fork_call`` forks a fresh child per step. That bounds every step, but each child
starts from the parent's SymPy caches and throws away what it computed: a catalog verify
forks about 400 times, and the steps of one derivation repeat much of each other's
work (the same assumptions, the same factorizations). Measured on the catalog's
derivations, the same steps run in one process take about 25% less CPU.

``call(fn, args, timeout)`` keeps the bound and gains the cache: one child, forked once
(after the prover's warm-up) and memory-limited like ``fork_call``'s, takes the steps one
after another over a pipe. When a step overruns its budget the child is killed (the
answer is the same ``TIMEOUT`` as before) and the next step forks a new one. A child that
dies answers ``DIED``. It retires itself after ``MAX_TASKS`` steps or when it has grown by
``RETIRE_GROWTH_BYTES``, so its caches never approach the memory limit. Work that cannot be
pickled (closures) goes to ``fork_call`` unchanged.

The worker is a snapshot of this process at the moment it was forked, so it is used only inside
a ``session()`` (the command line opens one per command): library callers, and tests that patch
the prover, keep one fresh fork per step and see their current code. Only the verdicts' cost changes: each step is still decided by the same function on the
same arguments, and a proof found with warm caches is checked as exactly as one without.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import struct
import time
from typing import Any, Callable

from .isolate import DIED, TIMEOUT, fork_call, limit_memory

__all__ = ["call", "session", "shutdown", "MAX_TASKS", "RETIRE_GROWTH_BYTES"]

MAX_TASKS = 200
RETIRE_GROWTH_BYTES = 1024**3
_HEADER = struct.Struct(">Q")


class _Worker:
    __slots__ = ("pid", "owner", "to_child", "from_child")

    def __init__(self, pid: int, owner: int, to_child: int, from_child: int):
        self.pid, self.owner, self.to_child, self.from_child = pid, owner, to_child, from_child


_CURRENT: _Worker | None = None
_ENABLED = False


@contextlib.contextmanager
def session():
    """Within it, ``call`` runs steps in the long-lived worker; on leaving, the worker is stopped."""
    global _ENABLED
    outer = _ENABLED
    _ENABLED = True
    try:
        yield
    finally:
        _ENABLED = outer
        if not outer:
            shutdown()


def _rss() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _read_exact(fd: int, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _loads(data: bytes) -> Any:
    """Unpickle with SymPy's evaluation off: SymPy pickles a node as its class and arguments and
    rebuilds it by calling the class, which would evaluate an unevaluated node again (a stored
    ``x > 0`` on a positive x comes back as True)."""
    from sympy.core.parameters import evaluate

    with evaluate(False):
        return pickle.loads(data)


def _faithful_pickle(obj: Any) -> bytes | None:
    """``obj`` pickled, if unpickling gives back exactly what was sent (its pickle again), else None.
    The worker must decide the step the caller wrote, not a re-evaluated variant of it."""
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        if pickle.dumps(_loads(data), protocol=pickle.HIGHEST_PROTOCOL) != data:
            return None
    except Exception:  # noqa: BLE001 - not picklable (a closure, a local class)
        return None
    return data


def _serve(inbox: int, outbox: int) -> None:  # pragma: no cover - runs in the child
    limit_memory()
    start_rss, done = _rss(), 0
    while True:
        head = _read_exact(inbox, _HEADER.size)
        if head is None:
            return  # the parent closed the pipe (or exited)
        body = _read_exact(inbox, _HEADER.unpack(head)[0])
        if body is None:
            return
        done += 1
        retire = False
        try:
            fn, args = _loads(body)
            value = fn(*args)
            retire = done >= MAX_TASKS or _rss() - start_rss > RETIRE_GROWTH_BYTES
            reply = pickle.dumps(("ok", value, retire))
        except BaseException:  # noqa: BLE001 - the parent reports a dead worker, as fork_call does
            reply, retire = pickle.dumps((DIED, None, True)), True
        _write_all(outbox, _HEADER.pack(len(reply)) + reply)
        if retire:
            return


def _start() -> _Worker:
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            _serve(to_child_r, from_child_w)
        finally:
            os._exit(0)  # no atexit handlers, no flushing of buffers copied from the parent
    os.close(to_child_r)
    os.close(from_child_w)
    return _Worker(pid, os.getpid(), to_child_w, from_child_r)


def _stop(worker: _Worker, kill: bool) -> None:
    global _CURRENT
    for fd in (worker.to_child, worker.from_child):
        try:
            os.close(fd)
        except OSError:
            pass
    if kill:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(worker.pid, 0)
    except ChildProcessError:
        pass
    if _CURRENT is worker:
        _CURRENT = None


def shutdown() -> None:
    """Stop this process's worker, if any (it also stops by itself when this process exits)."""
    if _CURRENT is not None and _CURRENT.owner == os.getpid():
        _stop(_CURRENT, kill=True)


def _forget_after_fork() -> None:
    """In a forked child of the owner (a verify worker, a prover child): the worker is not ours.
    Close our copies of its pipes, so that it sees end-of-file when its owner exits."""
    global _CURRENT
    worker, _CURRENT = _CURRENT, None
    if worker is not None:
        for fd in (worker.to_child, worker.from_child):
            try:
                os.close(fd)
            except OSError:
                pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def call(fn: Callable[..., Any], args: tuple, timeout: float) -> tuple[str, Any]:
    """``fn(*args)`` in the long-lived worker, killed after ``timeout`` seconds: the same
    ``("ok", result)``, ``(TIMEOUT, None)`` or ``(DIED, None)`` as ``isolate.fork_call``."""
    global _CURRENT
    if not _ENABLED:
        return fork_call(fn, args, timeout)
    payload = _faithful_pickle((fn, args))
    if payload is None:  # a closure, or SymPy objects that would not come back as they are
        return fork_call(fn, args, timeout)
    deadline = time.monotonic() + timeout
    if _CURRENT is None or _CURRENT.owner != os.getpid():
        _CURRENT = _start()
    worker = _CURRENT
    try:
        _write_all(worker.to_child, _HEADER.pack(len(payload)) + payload)
    except OSError:  # it retired or died between calls: a new one takes the step
        _stop(worker, kill=True)
        _CURRENT = worker = _start()
        _write_all(worker.to_child, _HEADER.pack(len(payload)) + payload)
    reply = _receive(worker, deadline)
    if reply is None:  # past the budget, or it died mid-step
        _stop(worker, kill=True)
        return (TIMEOUT if time.monotonic() >= deadline else DIED), None
    try:
        status, value, retire = pickle.loads(reply)
    except Exception:  # noqa: BLE001 - an unreadable reply: treat as a dead worker
        _stop(worker, kill=True)
        return DIED, None
    if retire:
        _stop(worker, kill=False)
    return (status, value) if status == "ok" else (DIED, None)


def _receive(worker: _Worker, deadline: float) -> bytes | None:
    """The length-prefixed reply, or None at the deadline or at end-of-file."""
    buf = bytearray()
    need = _HEADER.size
    have_header = False
    sel = selectors.DefaultSelector()
    sel.register(worker.from_child, selectors.EVENT_READ)
    try:
        while True:
            if len(buf) >= need:
                if not have_header:
                    need = _HEADER.size + _HEADER.unpack(bytes(buf[:_HEADER.size]))[0]
                    have_header = True
                    continue
                return bytes(buf[_HEADER.size:need])
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                return None
            chunk = os.read(worker.from_child, 1 << 20)
            if not chunk:
                return None
            buf += chunk
    finally:
        sel.close()
