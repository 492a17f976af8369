"""Running many claims: serially, on local worker processes (``jobs``), or on Dask.

A unit of work is one claim verified by ``runner.verify_claim``. Each unit is a
pure function of (claim, backend, seed, max_examples): the runner seeds every
Hypothesis search from the run seed and every measurement from (seed, parameters),
so where a unit runs and in which order units finish cannot change its result.
That is what makes ``-j N`` and ``--dask`` give the serial run's results
(``tests/test_parallel.py`` compares them).

Within a claim: when fewer claims than workers are left, or a claim's last measured
time (result cache) exceeds 1/(2N) of the run's, the claim is split into parts
(``parts.run_claim_part``: the derivation and the PEP oracle; each check with the
mutants that use it) that run on different workers and are joined by
``parts.assemble_parts`` into verify_claim's result. The measurement cache is per
check, so each part sees exactly what the serial stages see (``tests/test_parallel.py``).

Local processes: on platforms with ``fork`` the workers inherit the claim objects
(claims hold lambdas, so they are not pickled); elsewhere the workers look the
claims up by id in the registry. Each worker limits its BLAS/OpenMP pools to one
thread (threadpoolctl), so N workers use N cores rather than N x cores threads.
Progress events from the workers come back over a queue and are passed to the
caller's ``progress`` callback in the parent process.

Dask: every unit is submitted by claim id to a ``dask.distributed`` cluster; the
workers need only theorykit (and the catalog's package) installed. Results stream
back as they finish and go into the result cache at once, so an interrupted run
resumes from the cache.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from ..errors import InputError, TheorykitError
from .claim import Claim
from .result import ClaimResult

__all__ = ["run_claims", "default_jobs", "claim_cache_key", "close_dask", "dask_client", "splittable"]


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def claim_cache_key(claim: Claim, *, backend: str, seed: int, max_examples: int) -> str:
    from .cache import cache_key, claim_code_hash

    return cache_key("claim", claim=claim.id, backend=backend, seed=seed, max_examples=max_examples,
                     code=claim_code_hash(claim))


# --------------------------------------------------------------------------- local worker processes
_WORK: dict[str, Any] = {}  # set in the parent before forking; read by the workers
_QUEUE = None


def _init_worker(events, limit_threads: bool) -> None:
    global _QUEUE
    _QUEUE = events
    if limit_threads:
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)
        except ModuleNotFoundError:
            pass
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _send(event) -> None:
    if _QUEUE is not None:
        _QUEUE.put(event)


def _worker_task(index: int, claim_id: str | None, group: int | None = None):
    from .parts import run_claim_part
    from .runner import verify_claim

    w = _WORK
    claim = w["claims"][index] if claim_id is None else _registry_claim(claim_id)
    if group is not None:  # one part of a claim split over the workers
        return index, run_claim_part(claim, group, backend=w["backend"], seed=w["seed"],
                                     max_examples=w["max_examples"], progress=_send, _position=(index, w["count"]))
    return index, verify_claim(claim, backend=w["backend"], seed=w["seed"], max_examples=w["max_examples"],
                               progress=_send, _position=(index, w["count"]))


def _registry_claim(claim_id: str) -> Claim:
    from .registry import get_claim

    return get_claim(claim_id)


def _spawn_task(index: int, claim_id: str, backend: str, seed: int, max_examples, count: int, group=None):
    _WORK.update(backend=backend, seed=seed, max_examples=max_examples, count=count)
    return _worker_task(index, claim_id, group)


def splittable(claim: Claim) -> bool:
    """A claim with more than one part (``parts.claim_groups``) whose mutants each name one of its checks."""
    names = {c.name for c in claim.checks}
    return len(claim.checks) > 0 and all(m.check in names for m in claim.mutants)


def _to_split(chosen, pending, jobs: int, seconds) -> set[int]:
    """Claims to spread over the workers part by part: all of them when fewer claims than workers
    are left, else those whose last measured time exceeds 1/(2 jobs) of the run's (they would
    otherwise keep one worker busy after the rest is done). Splitting costs a little: module-level
    caches that a claim's checks share are filled once per worker instead of once."""
    cand = [i for i in pending if splittable(chosen[i])]
    if len(pending) < jobs:
        return set(cand)
    known = {i: seconds(i) for i in pending}
    finite = [t for t in known.values() if t != float("inf")]
    if not finite:
        return set()
    total = sum(finite)
    return {i for i in cand if known[i] != float("inf") and known[i] > total / (2 * jobs)}


def _next_unit(units: list, chosen, finished=None, running=()):
    """Pop the next unit to run. Only as many units as workers are in flight, so a unit submitted
    when one finishes goes to the worker that just went idle: it gets the next claim of the family
    of the unit it ``finished`` -- claims of one family share per-process caches (eos.period_two
    reads eos.gd_sharpness's training runs) -- else the first claim of a family no ``running`` unit
    is in, else the first in order (``units`` is in the run's order: longest first when the cache
    knows)."""
    def family(unit):
        return chosen[unit[0]].id.split(".")[0]

    busy = {family(u) for u in running}
    preferred = () if finished is None else (lambda u: family(u) == family(finished),)
    for wanted in (*preferred, lambda u: family(u) not in busy):
        for k, u in enumerate(units):
            if wanted(u):
                return units.pop(k)
    return units.pop(0)


def _in_registry(claim: Claim) -> bool:
    try:
        return _registry_claim(claim.id) is claim
    except TheorykitError:
        return False


def _run_pool(chosen, pending, *, jobs, backend, seed, max_examples, progress, done, split=frozenset()):
    fork = "fork" in mp.get_all_start_methods()
    if not fork and not all(_in_registry(chosen[i]) for i in pending):
        raise InputError("jobs", "parallel runs of claims outside the registry need the 'fork' start method; use -j 1")
    ctx = mp.get_context("fork" if fork else "spawn")
    events = ctx.Queue()
    _WORK.clear()
    _WORK.update(claims=chosen, backend=backend, seed=seed, max_examples=max_examples, count=len(chosen))

    from .parts import assemble_parts, claim_groups
    from .runner import ProgressEvent, claim_steps

    started: dict[int, int] = {}  # split claims: stages started so far, over all their parts
    parts: dict[int, list] = {i: [] for i in split}

    def drain():
        while True:
            try:
                ev = events.get_nowait()
            except (queue_mod.Empty, OSError, EOFError):
                return
            if progress is None:
                continue
            if ev.claim_index in parts and ev.stage != "done":
                # parts of one claim run at once: count their stages here, one sequence per claim
                started[ev.claim_index] = started.get(ev.claim_index, 0) + 1
                ev = ProgressEvent(ev.claim_id, ev.stage, started[ev.claim_index] - 1, ev.steps, ev.claim_index,
                                   ev.claim_count)
            progress(ev)

    units = [(i, g) for i in pending for g in (range(claim_groups(chosen[i])) if i in split else (None,))]
    workers = min(jobs, len(units))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(events, True)) as pool:
            in_flight: dict = {}  # future -> unit

            def submit(finished=None):
                i, g = _next_unit(units, chosen, finished, in_flight.values())
                if fork:
                    f = pool.submit(_worker_task, i, None, g)
                else:
                    f = pool.submit(_spawn_task, i, chosen[i].id, backend, seed, max_examples, len(chosen), g)
                in_flight[f] = (i, g)

            while units and len(in_flight) < workers:
                submit()
            while in_flight:
                finished, _ = wait(set(in_flight), timeout=0.1, return_when=FIRST_COMPLETED)
                drain()
                for f in finished:
                    done_unit = in_flight.pop(f)
                    if units:  # the worker that just finished is the idle one: it gets this family's next claim
                        submit(done_unit)
                    index, result = f.result()
                    if index not in parts:
                        done(index, result)
                        continue
                    parts[index].append(result)
                    claim = chosen[index]
                    if len(parts[index]) == claim_groups(claim):
                        done(index, assemble_parts(claim, parts[index], backend=backend, seed=seed))
                        if progress is not None:
                            steps = claim_steps(claim)
                            progress(ProgressEvent(claim.id, "done", steps, steps, index, len(chosen)))
            time.sleep(0.05)  # let the feeder threads flush the last events
            drain()
    except BrokenProcessPool as exc:
        raise TheorykitError(f"a worker process died ({exc}); rerun with -j 1 to see which claim") from None
    finally:
        _WORK.clear()
        events.close()


# --------------------------------------------------------------------------- Dask
def _budgets() -> tuple[float, float]:
    """The prover's wall-clock budgets in force here (mutant statements, derivation steps)."""
    from ..symbolic.builder import _STEP_TIMEOUT
    from . import runner

    return runner.SYMBOLIC_TIMEOUT, _STEP_TIMEOUT.get()


def remote_verify(claim_id: str, backend: str, seed: int, max_examples, budgets=None) -> dict:
    """One Dask unit: verify a catalog claim by id on the worker, under the client's prover
    budgets; the result as a JSON-able dict."""
    from ..symbolic.builder import step_timeout
    from . import runner

    symbolic, step = budgets if budgets is not None else _budgets()
    saved = runner.SYMBOLIC_TIMEOUT
    runner.SYMBOLIC_TIMEOUT = symbolic
    try:
        with step_timeout(step):
            return runner.verify_claim(_registry_claim(claim_id), backend=backend, seed=seed,
                                       max_examples=max_examples).to_dict()
    finally:
        runner.SYMBOLIC_TIMEOUT = saved


def dask_client(address):
    """``(client, owned)``: a ``dask.distributed.Client`` for an address ('tcp://host:8786'), ``"local"``
    (a LocalCluster of one single-threaded worker process per core, started here), a cluster object,
    or a Client. ``owned``: the caller closes it with ``close_dask``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ModuleNotFoundError:
        raise InputError("--dask", "needs dask.distributed: pip install 'theorykit[dask]'") from None
    if isinstance(address, Client):
        return address, False
    if address == "local":
        cluster = LocalCluster(n_workers=default_jobs(), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client._theorykit_cluster = cluster  # closed with the client (close_dask)
        return client, True
    try:
        return Client(address, timeout="20s"), True
    except (OSError, TimeoutError) as exc:
        raise InputError("--dask", f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    except (ValueError, TypeError) as exc:  # a malformed address: dask's parser says what is missing
        raise InputError("--dask", f"{address!r} is not a scheduler address like tcp://host:8786 or 'local' "
                                   f"({exc})") from None


def close_dask(client, owned: bool) -> None:
    """Close a client from ``dask_client`` (and the LocalCluster it started) if this run owns it."""
    if owned:
        cluster = getattr(client, "_theorykit_cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(chosen, pending, *, address, backend, seed, max_examples, progress, done):
    from dask.distributed import as_completed

    from .runner import ProgressEvent, claim_steps

    for i in pending:
        if not _in_registry(chosen[i]):
            raise InputError("--dask", f"{chosen[i].id} is not in the registry; Dask workers look claims up by id")
    client, owned = dask_client(address)
    try:
        futures = {}
        for i in pending:
            fut = client.submit(remote_verify, chosen[i].id, backend, seed, max_examples, _budgets(), pure=False)
            futures[fut] = i
        for fut in as_completed(list(futures)):
            i = futures[fut]
            result = ClaimResult.from_dict(fut.result())
            done(i, result)
            if progress is not None:
                steps = claim_steps(chosen[i])
                progress(ProgressEvent(chosen[i].id, "done", steps, steps, i, len(chosen)))
    finally:
        close_dask(client, owned)


# --------------------------------------------------------------------------- entry point
def run_claims(chosen: list[Claim], *, backend: str, seed: int, max_examples: int | None,
               progress: Callable | None = None, jobs: int = 1, cache=None, dask=None) -> list[ClaimResult]:
    """Verify ``chosen`` and return the results in the same order.

    ``jobs``: worker processes (1 = in this process); ``cache``: a ``ResultCache`` or None;
    ``dask``: a scheduler address, cluster or Client (overrides ``jobs``).
    """
    from .runner import DEFAULT_MAX_EXAMPLES, ProgressEvent, _namespace, claim_steps, verify_claim

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError("jobs", f"must be a positive integer, got {jobs!r}")
    n_examples = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    results: list[ClaimResult | None] = [None] * len(chosen)
    keys: dict[int, str] = {}
    pending = []
    for i, claim in enumerate(chosen):
        if cache is not None:
            keys[i] = claim_cache_key(claim, backend=backend, seed=seed, max_examples=n_examples)
            hit = cache.get(keys[i])
            if hit is not None:
                try:
                    results[i] = ClaimResult.from_dict(hit)
                except (ValueError, TypeError, KeyError):
                    results[i] = None  # an entry from an older layout: recompute
            if results[i] is not None:
                if progress is not None:
                    steps = claim_steps(claim)
                    progress(ProgressEvent(claim.id, "done (cached)", steps, steps, i, len(chosen)))
                continue
        pending.append(i)

    if cache is not None and len(pending) > 1:
        # longest claims first (their last measured time, whatever code version): a long claim
        # started last would leave the other workers idle at the end
        from .cache import cache_key

        def last_seconds(i: int) -> float:
            hit = cache.get(cache_key("seconds", claim=chosen[i].id, backend=backend))
            return float(hit["seconds"]) if hit else float("inf")

        pending.sort(key=lambda i: -last_seconds(i))

    def done(i: int, result: ClaimResult) -> None:
        results[i] = result
        if cache is not None:
            from .cache import cache_key

            cache.set(keys[i], result.to_dict())
            cache.set(cache_key("seconds", claim=chosen[i].id, backend=backend), {"seconds": result.seconds})

    if dask is not None and pending:
        _run_dask(chosen, pending, address=dask, backend=backend, seed=seed, max_examples=max_examples,
                  progress=progress, done=done)
    elif jobs > 1 and (len(pending) > 1 or any(splittable(chosen[i]) for i in pending)):
        def seconds(i: int) -> float:
            if cache is None:
                return float("inf")
            from .cache import cache_key

            hit = cache.get(cache_key("seconds", claim=chosen[i].id, backend=backend))
            return float(hit["seconds"]) if hit else float("inf")

        _run_pool(chosen, pending, jobs=jobs, backend=backend, seed=seed, max_examples=max_examples,
                  progress=progress, done=done, split=_to_split(chosen, pending, jobs, seconds))
    elif pending:
        xp = _namespace(backend)
        for i in pending:
            done(i, verify_claim(chosen[i], backend=backend, seed=seed, max_examples=max_examples,
                                 progress=progress, _position=(i, len(chosen)), _xp=xp))
    return results  # type: ignore[return-value]
