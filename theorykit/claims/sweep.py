"""Sweeps: a claim's checks measured over a grid or a space-filling sample of parameters.

A sweep point is the check's canonical example (its first explicit example) with
the swept parameters replaced, so every other parameter keeps the value the claim
verifies at. Each unit of work is one measurement: (claim, check, parameters).
Its ``Context.rng`` is seeded exactly as ``verify`` seeds it (run seed and a hash
of the parameters), so a sweep point measured here equals the same point measured
by ``verify``, on any worker, in any order.

Points come from a grid (the product of each parameter's values) or from a
Latin-hypercube or scrambled Sobol sample (``scipy.stats.qmc``) of the box given
by each parameter's range, crossed with any parameters given as explicit value
lists. Sampled points outside the claim's assumption region are dropped: every
assumption whose symbols are all swept parameters (matched by name) is evaluated
at the point, exactly, and the point is kept only if none is false.

Results are rows (one per point and check) with the parameters, ``measured``,
``predicted``, ``passed`` (the check's own comparison) and ``error`` (the
exception text when the measure raised, else empty).
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..errors import InputError
from .claim import Claim, Context, compare_values

__all__ = ["Axis", "parse_axis", "grid_points", "sample_points", "sweep", "SweepResult", "measure_point",
           "write_table"]


class Axis(NamedTuple):
    """One swept parameter: explicit ``values``, or a range ``lo``..``hi`` (``n`` grid points;
    ``log`` for geometric spacing / log-uniform sampling)."""

    name: str
    values: tuple | None = None
    lo: float | None = None
    hi: float | None = None
    n: int | None = None
    log: bool = False
    integer: bool = False


def _number(text: str, spec: str):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        v = float(text)
    except ValueError:
        raise InputError("--grid", f"{spec!r}: {text!r} is not a number") from None
    if not math.isfinite(v):
        raise InputError("--grid", f"{spec!r}: {text!r} is not finite")
    return v


def parse_axis(spec: str) -> Axis:
    """``name=v1,v2,...`` | ``name=lo:hi:n`` | ``name=lo:hi:n:log`` | ``name=lo:hi`` (a range to sample)."""
    name, sep, rest = spec.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or not rest.strip():
        raise InputError("--grid", f"expected NAME=v1,v2,... or NAME=lo:hi:n[:log], got {spec!r}")
    if ":" in rest:
        parts = rest.split(":")
        log = parts[-1].strip() == "log"
        if log:
            parts = parts[:-1]
        if len(parts) not in (2, 3):
            raise InputError("--grid", f"{spec!r}: a range is lo:hi or lo:hi:n (optionally :log)")
        lo, hi = (_number(p.strip(), spec) for p in parts[:2])
        if not lo < hi:
            raise InputError("--grid", f"{spec!r}: needs lo < hi")
        if log and lo <= 0:
            raise InputError("--grid", f"{spec!r}: a log range needs lo > 0")
        n = None
        if len(parts) == 3:
            n = _number(parts[2].strip(), spec)
            if not isinstance(n, int) or n < 2:
                raise InputError("--grid", f"{spec!r}: n must be an integer >= 2")
        integer = isinstance(lo, int) and isinstance(hi, int)
        return Axis(name, None, float(lo), float(hi), n, log, integer)
    values = tuple(_number(v.strip(), spec) for v in rest.split(",") if v.strip())
    if not values:
        raise InputError("--grid", f"{spec!r}: no values")
    return Axis(name, values)


def _axis_values(ax: Axis) -> tuple:
    if ax.values is not None:
        return ax.values
    if ax.n is None:
        raise InputError("--grid", f"{ax.name}: a range without a count (lo:hi) needs --sample lhs|sobol")
    v = np.geomspace(ax.lo, ax.hi, ax.n) if ax.log else np.linspace(ax.lo, ax.hi, ax.n)
    return tuple(int(round(x)) for x in v) if ax.integer else tuple(float(x) for x in v)


def grid_points(axes: Sequence[Axis]) -> list[dict]:
    import itertools

    names = [a.name for a in axes]
    return [dict(zip(names, combo)) for combo in itertools.product(*(_axis_values(a) for a in axes))]


def sample_points(axes: Sequence[Axis], *, method: str, n: int, seed: int) -> list[dict]:
    """``n`` Latin-hypercube or Sobol points over the ranges, crossed with the value lists."""
    from scipy.stats import qmc

    ranges = [a for a in axes if a.values is None]
    lists = [a for a in axes if a.values is not None]
    if not ranges:
        raise InputError("--sample", "needs at least one range NAME=lo:hi in --grid")
    if method == "lhs":
        unit = qmc.LatinHypercube(d=len(ranges), seed=seed).random(n)
    elif method == "sobol":
        unit = qmc.Sobol(d=len(ranges), scramble=True, seed=seed).random(n)
    else:
        raise InputError("--sample", f"choose lhs or sobol, got {method!r}")
    pts = []
    for u in unit:
        p = {}
        for a, x in zip(ranges, u):
            v = math.exp(math.log(a.lo) + x * (math.log(a.hi) - math.log(a.lo))) if a.log else a.lo + x * (a.hi - a.lo)
            p[a.name] = int(round(v)) if a.integer else float(v)
        pts.append(p)
    for ax in lists:
        pts = [{**p, ax.name: v} for p in pts for v in ax.values]
    return pts


def in_region(claim: Claim, point: dict) -> bool:
    """False only if an assumption whose symbols are all in ``point`` is false there (exactly)."""
    import sympy

    for rel in claim.assumptions:
        syms = getattr(rel, "free_symbols", set())
        if not syms or not all(s.name in point for s in syms):
            continue
        subs = {s: sympy.nsimplify(point[s.name], rational=True) for s in syms}
        try:
            value = rel.subs(subs)
        except (TypeError, ValueError):
            continue
        if value is sympy.false:
            return False
    return True


# --------------------------------------------------------------------------- one measurement
def measure_point(claim: Claim, check_name: str, params: dict, *, seed: int, backend: str) -> dict:
    """One unit: measure ``check_name`` at ``params``, seeded as ``verify`` seeds it."""
    from .runner import _namespace, _params_key, _params_words

    check = claim.check_named(check_name)
    row = {"claim": claim.id, "check": check_name, **params, "measured": math.nan, "predicted": math.nan,
           "passed": False, "error": ""}
    key = _params_key(params)
    ctx = Context(xp=_namespace(backend), backend=backend, seed=seed,
                  rng=np.random.default_rng([seed, *_params_words(key)]))
    try:
        m = float(check.measure(params, ctx))
    except Exception as exc:  # a measurement that raised is a row with an error, not a crashed sweep
        row["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        return row
    try:
        p = float(check.predict(params))
    except Exception as exc:
        row.update(measured=m, error=f"predict raised {type(exc).__name__}: {exc}")
        return row
    row.update(measured=m, predicted=p, passed=bool(compare_values(m, p, check.compare, check.rtol, check.atol)))
    return row


def remote_measure(claim_id: str, check_name: str, params: dict, seed: int, backend: str) -> dict:
    """The Dask unit: look the claim up by id on the worker."""
    from .registry import get_claim

    return measure_point(get_claim(claim_id), check_name, params, seed=seed, backend=backend)


_WORK: dict[str, Any] = {}


def _pool_measure(i: int):
    w = _WORK
    claim, check_name, params = w["units"][i]
    return i, measure_point(claim, check_name, params, seed=w["seed"], backend=w["backend"])


def _init_worker():
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ModuleNotFoundError:
        pass


# --------------------------------------------------------------------------- the sweep
class SweepResult(NamedTuple):
    claim_id: str
    checks: tuple[str, ...]
    swept: tuple[str, ...]
    rows: list[dict]


def _unit_key(claim: Claim, check_name: str, params: dict, seed: int, backend: str) -> str:
    from .cache import cache_key, claim_code_hash
    from .runner import _params_key

    return cache_key("measure", claim=claim.id, check=check_name, params=_params_key(params), seed=seed,
                     backend=backend, code=claim_code_hash(claim))


def sweep(claim: Claim, axes: Sequence[Axis], *, checks: Sequence[str] | None = None, sample: str | None = None,
          n: int = 64, seed: int = 0, backend: str = "numpy", jobs: int = 1, cache=None, dask=None,
          progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Measure ``checks`` (default: the claim's first check) at every point. See the module doc."""
    if not axes:
        raise InputError("--grid", "give at least one swept parameter")
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise InputError("--grid", f"a parameter is swept twice: {names}")
    checks = tuple(checks) if checks else (claim.checks[0].name,)
    for c in checks:
        try:
            chk = claim.check_named(c)
        except Exception:
            raise InputError("--check", f"{claim.id} has no check {c!r}; its checks: "
                                        f"{', '.join(x.name for x in claim.checks)}") from None
        if not chk.examples:
            raise InputError("--check", f"{claim.id}:{c} has no canonical example to start the points from")
    points = sample_points(axes, method=sample, n=n, seed=seed) if sample else grid_points(axes)
    points = [p for p in points if in_region(claim, p)]
    if not points:
        raise InputError("--grid", "no point lies in the claim's assumption region")
    units = []
    for c in checks:
        base = dict(claim.check_named(c).examples[0])
        unknown = [k for k in names if k not in base]
        if unknown:
            raise InputError("--grid", f"{claim.id}:{c} has no parameter {unknown[0]!r}; its parameters: "
                                       f"{', '.join(sorted(base))}")
        units += [(claim, c, {**base, **p}) for p in points]
    rows: list[dict | None] = [None] * len(units)
    keys = {}
    todo = []
    for i, (cl, c, params) in enumerate(units):
        if cache is not None:
            keys[i] = _unit_key(cl, c, params, seed, backend)
            hit = cache.get(keys[i])
            if hit is not None:
                rows[i] = hit
                continue
        todo.append(i)
    done_count = len(units) - len(todo)

    def done(i, row):
        nonlocal done_count
        rows[i] = row
        done_count += 1
        if cache is not None:
            cache.set(keys[i], row)
        if progress is not None:
            progress(done_count, len(units))

    if dask is not None and todo:
        from dask.distributed import as_completed

        from .parallel import close_dask, dask_client

        client, owned = dask_client(dask)
        try:
            futs = {client.submit(remote_measure, claim.id, units[i][1], units[i][2], seed, backend, pure=False): i
                    for i in todo}
            for f in as_completed(list(futs)):
                done(futs[f], f.result())
        finally:
            close_dask(client, owned)
    elif jobs > 1 and len(todo) > 1 and "fork" in mp.get_all_start_methods():
        _WORK.update(units=units, seed=seed, backend=backend)
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=mp.get_context("fork"),
                                     initializer=_init_worker) as pool:
                futs = {pool.submit(_pool_measure, i) for i in todo}
                while futs:
                    fin, futs = wait(futs, return_when=FIRST_COMPLETED)
                    for f in fin:
                        done(*f.result())
        finally:
            _WORK.clear()
    else:
        for i in todo:
            cl, c, params = units[i]
            done(i, measure_point(cl, c, params, seed=seed, backend=backend))
    return SweepResult(claim.id, checks, tuple(names), rows)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- output
def _cell(v):
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return v


def write_table(result: SweepResult, path: os.PathLike | str):
    """A tidy table, one row per (point, check): Parquet (pyarrow) for ``.parquet`` paths when
    pyarrow is installed, else CSV (a ``.parquet`` path becomes ``.csv`` then).
    Returns (format, path written)."""
    import csv
    from pathlib import Path

    path = Path(path)
    cols: list[str] = []
    for r in result.rows:
        cols += [k for k in r if k not in cols]
    rows = [{k: _cell(r.get(k)) for k in cols} for r in result.rows]
    if path.suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ModuleNotFoundError:
            pass
        else:
            pq.write_table(pa.Table.from_pylist(rows), str(path))
            return "parquet", path
        path = path.with_suffix(".csv")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return "csv", path
