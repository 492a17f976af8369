"""Parallel verify (-j), the result cache and Dask give the serial run's results."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from theorykit.claims.cache import ResultCache, claim_code_hash
from theorykit.claims.registry import get_claim
from theorykit.claims.result import strip_timings
from theorykit.claims.runner import verify
from theorykit.cli import main

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import theorykit_toycatalog as toy  # noqa: E402

# cheap catalog claims (about 2 s each at 2 examples) plus a toy claim outside the registry
CHEAP = ("convexity.first_order", "gd.descent_lemma")
pytestmark = pytest.mark.xdist_group("parallel")


def _plain(results):
    return [strip_timings(r.to_dict()) for r in results]


def _first_difference(x, y, path="results"):
    """The path and values of the first difference (for the assertion message)."""
    if type(x) is not type(y):
        return f"{path}: {x!r} != {y!r}"
    if isinstance(x, dict):
        for k in sorted(set(x) | set(y), key=str):
            d = _first_difference(x.get(k), y.get(k), f"{path}.{k}")
            if d:
                return d
    elif isinstance(x, list):
        if len(x) != len(y):
            return f"{path}: lengths {len(x)} != {len(y)}"
        for i, (u, v) in enumerate(zip(x, y)):
            d = _first_difference(u, v, f"{path}[{i}]")
            if d:
                return d
    elif x != y:
        return f"{path}: {x!r} != {y!r}"
    return ""


@pytest.fixture(scope="module", autouse=True)
def generous_prover_budgets():
    # The prover gives each step a wall-clock budget; a step that runs out of it is "unknown" in any
    # run, serial too (on a loaded machine the first call also pays SymPy's warm-up). Generous budgets
    # keep these comparisons about where the work ran, not about how busy the machine was.
    from theorykit.claims import runner
    from theorykit.symbolic.builder import step_timeout

    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "SYMBOLIC_TIMEOUT", 120.0)
    with step_timeout(120.0):
        yield
    mp.undo()


@pytest.fixture(scope="module")
def serial():
    claims = [get_claim(c) for c in CHEAP] + [toy.contraction_claim()]
    return claims, verify(claims=claims, seed=5, max_examples=2, jobs=1)


def test_parallel_results_equal_serial(serial):
    claims, expected = serial
    events = []
    got = verify(claims=claims, seed=5, max_examples=2, jobs=2, progress=events.append)
    assert [r.claim_id for r in got] == [c.id for c in claims]
    assert _plain(got) == _plain(expected), _first_difference(_plain(got), _plain(expected))
    # every claim reported its stages and its end through the one progress callback
    assert {e.claim_id for e in events if e.stage == "done"} == {c.id for c in claims}
    assert any(e.stage.startswith("check") for e in events)


def test_claim_parts_assemble_to_verify_claim(serial):
    """The parts of a claim (derivation + oracle; each check with its mutants), run in any order in
    this process, assemble to verify_claim's result."""
    from theorykit.claims.parts import assemble_parts, claim_groups, run_claim_part

    claims, expected = serial
    for claim, want in zip(claims, expected):
        parts = [run_claim_part(claim, g, seed=5, max_examples=2) for g in reversed(range(claim_groups(claim)))]
        got = assemble_parts(claim, parts, backend="numpy", seed=5)
        assert _plain([got]) == _plain([want]), _first_difference(_plain([got]), _plain([want]))


def test_one_claim_split_over_two_workers_equals_serial(serial):
    """Fewer claims than workers: the claim's checks run on both workers, with the serial result
    and one progress sequence (its stages counted once each, then "done")."""
    from theorykit.claims.parallel import splittable

    claims, expected = serial
    claim = claims[1]  # gd.descent_lemma: three checks, two mutants
    assert splittable(claim) and len(claim.checks) > 1
    events = []
    (got,) = verify(claims=[claim], seed=5, max_examples=2, jobs=2, progress=events.append)
    assert _plain([got]) == _plain([expected[1]]), _first_difference(_plain([got]), _plain([expected[1]]))
    steps = [e.step for e in events if e.stage != "done"]
    assert sorted(steps) == list(range(len(steps))) and len(steps) == 1 + len(claim.checks) + len(claim.mutants)
    assert [e.stage for e in events][-1] == "done"


def test_cache_hit_equals_fresh_run_and_code_hash_keys_it(serial, tmp_path):
    claims, expected = serial
    cache = ResultCache(tmp_path / "cache")
    first = verify(claims=claims[:1], seed=5, max_examples=2, cache=cache)
    assert cache.count("claim") == 1
    events = []
    again = verify(claims=claims[:1], seed=5, max_examples=2, cache=cache, progress=events.append)
    assert [e.stage for e in events] == ["done (cached)"]
    assert _plain(again) == _plain(first) == _plain(expected[:1])
    assert again[0].to_dict() == first[0].to_dict()  # timings too: it is the stored result
    # another seed is another key
    verify(claims=claims[:1], seed=6, max_examples=2, cache=cache)
    assert cache.count("claim") == 2
    # the code hash covers the claim's package (proofs/) and theorykit
    assert len(claim_code_hash(claims[0])) == 64 and claim_code_hash(claims[0]) != claim_code_hash(claims[2])


def test_cli_cache_clear_and_no_cache(tmp_path, capsys):
    d = tmp_path / "c"
    cache = ResultCache(d)
    cache.set("k", {"a": 1})
    cache.close()
    assert main(["cache", "info", "--cache-dir", str(d)]) == 0
    assert "1 entry" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache-dir", str(d)]) == 0
    assert "removed 1 entry" in capsys.readouterr().out
    assert main(["verify", "gd.descent_lemma", "--max-examples", "1", "-j", "1", "--quiet",
                 "--cache-dir", str(d)]) == 0
    assert ResultCache(d).count("claim") == 1
    assert main(["verify", "gd.descent_lemma", "--max-examples", "1", "-j", "1", "--quiet", "--no-cache",
                 "--cache-dir", str(tmp_path / "unused")]) == 0
    assert not (tmp_path / "unused").exists()


def test_bad_jobs_is_input_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["verify", "gd.descent_lemma", "-j", "0"])
    assert exc.value.code == 2
    assert "-j" in capsys.readouterr().err


@pytest.fixture(scope="module")
def local_cluster():
    distributed = pytest.importorskip("dask.distributed")
    # a real scheduler and two worker processes, started here (not an in-process fake)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    yield cluster
    cluster.close()


def test_dask_local_cluster_equals_serial(serial, local_cluster, tmp_path):
    claims, expected = serial
    catalog = claims[:2]  # Dask workers look claims up by id, so only registry claims go there
    cache = ResultCache(tmp_path / "dcache")
    got = verify(claims=catalog, seed=5, max_examples=2, dask=local_cluster.scheduler_address, cache=cache)
    assert _plain(got) == _plain(expected[:2])
    assert cache.count("claim") == 2  # streamed into the cache: a rerun (or a resumed one) reads them back
    with pytest.raises(Exception, match="not in the registry"):
        verify(claims=claims[2:], seed=5, max_examples=2, dask=local_cluster.scheduler_address)


def test_dask_sweep_equals_serial_and_draws_the_phase_diagram(local_cluster, tmp_path):
    pytest.importorskip("matplotlib")
    from theorykit.claims.sweep import parse_axis, sweep
    from theorykit.report.sweep_plot import plot_sweep

    claim = get_claim("momentum.heavy_ball_stability")
    axes = [parse_axis("beta=0.1,0.7")]
    serial_rows = sweep(claim, axes, seed=2).rows
    res = sweep(claim, axes, seed=2, dask=local_cluster.scheduler_address)
    assert res.rows == serial_rows  # each unit is one measurement; the same value wherever it ran
    png = plot_sweep(res, tmp_path / "hb.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_dask_local_starts_and_closes_its_own_cluster(capsys, tmp_path):
    pytest.importorskip("dask.distributed")
    import multiprocessing

    from theorykit.claims.parallel import close_dask, dask_client

    client, owned = dask_client("local")  # a LocalCluster of worker processes, started for this run
    cluster = client._theorykit_cluster
    assert owned and len(client.scheduler_info()["workers"]) >= 1
    pids = {n.process.pid for n in cluster.workers.values()}
    close_dask(client, owned)
    assert cluster.status.name == "closed"
    assert not pids & {p.pid for p in multiprocessing.active_children() if p.is_alive()}
    # a malformed address is an input error naming the option, not a traceback from dask's parser
    assert main(["verify", "gd.descent_lemma", "--dask", "tcp://nohost", "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--dask" in err and "missing port" in err and "Traceback" not in err


def test_split_policy_fewer_claims_than_workers_or_long_claims(serial):
    from theorykit.claims.parallel import _to_split

    claims, _ = serial
    unknown = lambda i: float("inf")  # noqa: E731 (no timings: a fresh cache)
    assert _to_split(claims, [0, 1, 2], 4, unknown) == {i for i in (0, 1, 2) if len(claims[i].checks) > 0}
    assert _to_split(claims, [0, 1, 2], 2, unknown) == set()
    times = {0: 1.0, 1: 10.0, 2: 1.0}  # claim 1 is most of the run: it alone is split
    assert _to_split(claims, [0, 1, 2], 2, times.get) == {1}


def test_next_unit_keeps_a_family_on_the_worker_that_ran_it():
    from types import SimpleNamespace

    from theorykit.claims.parallel import _next_unit

    chosen = [SimpleNamespace(id=i) for i in ("eos.a", "eos.b", "gd.a", "gd.b", "nqm.a")]
    units = [(0, None), (1, None), (2, None), (3, None), (4, None)]
    # at the start: the first unit, then the first of a family no worker is on
    assert _next_unit(units, chosen) == (0, None)
    assert _next_unit(units, chosen, running=[(0, None)]) == (2, None)
    # a worker that finished a gd claim gets the next gd claim, even when it is not first in order
    assert _next_unit(units, chosen, (2, None), [(0, None)]) == (3, None)
    # nothing left of the family: a family no worker is on, else the first in order
    assert _next_unit(units, chosen, (3, None), [(0, None), (4, None)]) == (1, None)
    assert _next_unit(units, chosen, (1, None)) == (4, None)
    assert units == []
