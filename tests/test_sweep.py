"""theorykit sweep: grids, samples over the assumption region, equal results on -j, the table and the plot."""
from __future__ import annotations

import math

import numpy as np
import pytest

from theorykit.claims.cache import ResultCache
from theorykit.claims.registry import get_claim
from theorykit.claims.runner import _Measurer, _params_key
from theorykit.claims.sweep import Axis, in_region, parse_axis, sweep, write_table
from theorykit.cli import main
from theorykit.errors import InputError
from theorykit.numeric.backend import get_namespace

HB = "momentum.heavy_ball_stability"  # threshold of heavy ball by bisection on runs; ~0.5 s a point
pytestmark = pytest.mark.xdist_group("parallel")


def test_parse_axis():
    assert parse_axis("eta=0.1:0.4:4") == Axis("eta", None, 0.1, 0.4, 4, False, False)
    assert parse_axis("width=16,32,64").values == (16, 32, 64)
    assert parse_axis("B=1:1024:11:log").log
    assert parse_axis("d=20:200").n is None and parse_axis("d=20:200").integer
    for bad in ("eta", "eta=", "=1,2", "eta=0.4:0.1:3", "eta=a,b", "eta=0:1:1", "eta=0:1:log", "eta=1:2:3:4:5"):
        with pytest.raises(InputError):
            parse_axis(bad)


@pytest.fixture(scope="module")
def serial():
    return sweep(get_claim(HB), [parse_axis("beta=0.2,0.5,0.8")], seed=3)


def test_sweep_rows_measure_as_verify_does(serial):
    claim = get_claim(HB)
    check = claim.checks[0]
    assert [r["beta"] for r in serial.rows] == [0.2, 0.5, 0.8]
    m = _Measurer(get_namespace("numpy"), "numpy", 3)
    for r in serial.rows:
        params = {**check.examples[0], "beta": r["beta"]}
        assert r["measured"] == m.measure(check, params, _params_key(params))  # same seeding as verify
        assert r["passed"] and r["error"] == "" and r["predicted"] == pytest.approx(2 * (1 + r["beta"]))


def test_parallel_sweep_and_cache_equal_serial(serial, tmp_path):
    cache = ResultCache(tmp_path / "c")
    par = sweep(get_claim(HB), [parse_axis("beta=0.2,0.5,0.8")], seed=3, jobs=2, cache=cache)
    assert par.rows == serial.rows and cache.count("measure") == 3
    calls = []
    again = sweep(get_claim(HB), [parse_axis("beta=0.2,0.5,0.8")], seed=3, cache=cache,
                  progress=lambda d, t: calls.append(d))
    assert again.rows == serial.rows and calls == []  # every point came from the cache


def test_samples_stay_in_the_assumption_region():
    claim = get_claim(HB)
    assert not in_region(claim, {"beta": -0.1}) and in_region(claim, {"beta": 0.3})
    from theorykit.claims.sweep import sample_points

    pts = sample_points([parse_axis("beta=-0.5:0.9")], method="lhs", n=12, seed=0)
    inside = [p for p in pts if in_region(claim, p)]
    assert 0 < len(inside) < len(pts) and all(p["beta"] >= 0 for p in inside)
    sob = sample_points([parse_axis("beta=0:0.9"), parse_axis("x=1,2")], method="sobol", n=4, seed=0)
    assert len(sob) == 8 and {p["x"] for p in sob} == {1, 2}


def test_bad_sweeps_name_the_argument():
    claim = get_claim(HB)
    with pytest.raises(InputError, match="no parameter 'eta'"):
        sweep(claim, [parse_axis("eta=1,2")])
    with pytest.raises(InputError, match="no check"):
        sweep(claim, [parse_axis("beta=0.1")], checks=["nope"])
    with pytest.raises(InputError, match="assumption region"):
        sweep(claim, [parse_axis("beta=-0.5,-0.2")])
    with pytest.raises(InputError, match="--sample"):
        sweep(claim, [parse_axis("beta=0:0.5")])


def test_table_parquet_and_csv(serial, tmp_path):
    fmt, path = write_table(serial, tmp_path / "t.parquet")
    assert fmt == "parquet"
    import pyarrow.parquet as pq

    t = pq.read_table(path).to_pylist()
    assert [r["beta"] for r in t] == [0.2, 0.5, 0.8] and all(r["passed"] for r in t)
    assert t[0]["eigenvalues"] == "1.0"  # sequences are stored as text cells
    fmt, path = write_table(serial, tmp_path / "t.csv")
    assert fmt == "csv" and path.read_text().splitlines()[0].startswith("claim,check,")


def test_cli_sweep_writes_table_and_phase_diagram(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out, png = tmp_path / "s.parquet", tmp_path / "s.png"
    code = main(["sweep", HB, "--grid", "beta=0.1,0.6", "--out", str(out), "--plot", str(png), "-j", "1",
                 "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    assert code == 0
    text = capsys.readouterr().out
    assert "2 measurements over beta; 2 agree" in text
    assert out.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["sweep", HB, "--grid", "beta=1:2:q"]) == 2
