"""Issue #11: every error of ``theorykit check`` is ``file:line:col: message`` with exit 2,
and ``--json`` prints a document whose error carries the line and column."""
from __future__ import annotations

import io
import json
import types

import pytest

from theorykit.cli import check as cli_check
from theorykit.errors import InputError
from theorykit.symbolic import derivation


def _run(paths, *, json_out=False, timeout=2.0):
    args = types.SimpleNamespace(files=[str(p) for p in paths], timeout=timeout, json=json_out, annotate=None)
    out, err = io.StringIO(), io.StringIO()
    code = cli_check.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_unreadable_file_is_located_at_1_1(tmp_path):
    missing = tmp_path / "missing.deriv"
    code, _, err = _run([missing])
    assert code == 2
    assert err.strip().startswith(f"{missing}:1:1: cannot read"), err
    code, out, _ = _run([missing], json_out=True)
    doc = json.loads(out)
    assert code == 2 and doc["status"] == "error"
    assert (doc["line"], doc["column"]) == (1, 1)
    assert doc["error"].startswith(f"{missing}:1:1:")


def test_reading_budget_names_the_line_being_read(tmp_path, monkeypatch):
    monkeypatch.setattr(derivation, "PREPARE_SECONDS", 1.5)
    path = tmp_path / "tower.deriv"
    # signing the assumption's constant makes SymPy evaluate sin(E**E**E**E) for minutes (a step with
    # floor(E**E**E**E) no longer stalls the reading: it is left to the step's own budget)
    path.write_text("assume: x > 0\nclaim: x + 1 > x\n# a constant SymPy folds for minutes\nassume: y > sin(E**E**E**E)\n")
    code, _, err = _run([path])
    assert code == 2
    assert err.strip().startswith(f"{path}:4:1: reading the derivation did not finish"), err
    code, out, _ = _run([path], json_out=True)
    doc = json.loads(out)
    assert code == 2 and doc["line"] == 4 and doc["column"] == 1
    assert "did not finish" in doc["error"] and doc["error"].startswith(f"{path}:4:1:")


def test_located_input_error_keeps_its_place():
    exc = derivation.LocatedInputError("source", "something", 7, 3)
    assert isinstance(exc, InputError)
    assert cli_check._error_location(exc) == (7, 3, "something")
    assert cli_check._error_location(InputError("source", "whole file")) == (1, 1, "whole file")


@pytest.mark.parametrize("text, line", [("claim: x +* 2 > 0\n", 1), ("assume: x > 0\n\nclaim: (x > 1\n", 3)])
def test_syntax_errors_stay_located(tmp_path, text, line):
    path = tmp_path / "bad.deriv"
    path.write_text(text)
    code, _, err = _run([path])
    assert code == 2 and err.startswith(f"{path}:{line}:"), err
