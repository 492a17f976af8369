"""``theorykit check``: exit codes, JSON schema, several files, bad input."""
import importlib.util
import io
import json
import subprocess
import sys
from collections import namedtuple

import pytest

from theorykit.cli import build_parser, main
from theorykit.cli.check import run

Verdict = namedtuple("Verdict", "status method counterexample seconds")

# the scripted prover reads the verdict from the variable names: a step that
# mentions `bad` is refuted (at bad = 1, where bad <= 0 is false), one that
# mentions `hard` is unknown
PROVED = "claim: a <= a\n"
REFUTED = "claim: bad <= 0   # by: wishful thinking\n"
UNKNOWN = "start: hard\n<= hard + 1\n"
SYNTAX = "claim: a <= b\nstart: x.y\n"


def scripted(lhs, op, rhs, assumptions, *, timeout, seed):
    names = {s.name for s in lhs.free_symbols | rhs.free_symbols}
    if "bad" in names:
        return Verdict("refuted", "scripted", {"bad": "1"}, 0.0)
    if "hard" in names:
        return Verdict("unknown", "scripted", None, 0.0)
    return Verdict("proved", "scripted", None, 0.0)


def invoke(tmp_path, *contents, extra=(), names=None):
    paths = []
    for number, text in enumerate(contents):
        name = names[number] if names else f"d{number}.deriv"
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        paths.append(str(path))
    args = build_parser().parse_args(["check", *paths, *extra])
    out, err = io.StringIO(), io.StringIO()
    code = run(args, prover=scripted, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue(), paths


@pytest.mark.parametrize(
    "text, code",
    [(PROVED, 0), (REFUTED, 1), (UNKNOWN, 3), (SYNTAX, 2), (PROVED + REFUTED + UNKNOWN, 1)],
)
def test_exit_codes(tmp_path, text, code):
    assert invoke(tmp_path, text)[0] == code


def test_syntax_error_is_one_located_line(tmp_path):
    code, out, err, (path,) = invoke(tmp_path, SYNTAX)
    assert code == 2
    assert err.strip() == f"{path}:2:8: attribute access ('.') is not allowed"
    assert out == ""


def test_missing_file(tmp_path):
    code, out, err, (path,) = invoke(tmp_path, None)
    assert code == 2
    assert err.strip() == f"{path}:1:1: cannot read '{path}': no such file"


def test_readable_report(tmp_path):
    code, out, err, (path,) = invoke(tmp_path, REFUTED)
    assert code == 1
    assert out.startswith(f"{path}: REFUTED")
    assert "counterexample: bad = 1" in out
    assert "by: wishful thinking" in out
    assert err == ""


STEP_TYPES = {
    "index": int,
    "line": int,
    "lhs": str,
    "relation": str,
    "rhs": str,
    "status": str,
    "method": str,
    "seconds": float,
}


def assert_schema(document):
    assert document["schema"] == "theorykit.derivation" and document["version"] == 1
    assert set(document) - {"schema", "version", "theorykit"} == {"file", "status", "steps", "chains"}
    assert isinstance(document["file"], str)
    assert document["status"] in ("proved", "refuted", "unknown")
    for step in document["steps"]:
        assert set(step) - {"justification"} == set(STEP_TYPES) | {"counterexample"}
        for key, kind in STEP_TYPES.items():
            assert isinstance(step[key], kind), key
        assert step["relation"] in ("=", "<=", "<", ">=", ">")
        assert step["status"] in ("proved", "refuted", "unknown")
        cex = step["counterexample"]
        assert cex is None or all(isinstance(k, str) and isinstance(v, str) for k, v in cex.items())
        assert (cex is not None) == (step["status"] == "refuted")
    for chain in document["chains"]:
        assert set(chain) == {"start_line", "relation", "status"}
        assert isinstance(chain["start_line"], int)
        assert chain["relation"] in ("=", "<=", "<", ">=", ">", None)


def test_json_single_file(tmp_path):
    code, out, err, (path,) = invoke(tmp_path, PROVED + REFUTED + UNKNOWN, extra=["--json"])
    document = json.loads(out)
    assert_schema(document)
    assert document["file"] == path
    assert [s["status"] for s in document["steps"]] == ["proved", "refuted", "unknown"]
    assert document["steps"][1]["counterexample"] == {"bad": "1"}
    assert document["steps"][1]["justification"] == "wishful thinking"
    assert document["chains"] == [{"start_line": 3, "relation": "<=", "status": "unknown"}]
    assert code == 1


def test_several_files_json_array_and_worst_exit(tmp_path):
    code, out, err, paths = invoke(tmp_path, PROVED, UNKNOWN, REFUTED, extra=["--json"])
    documents = json.loads(out)
    assert [d["file"] for d in documents] == paths
    for document in documents:
        assert_schema(document)
    assert [d["status"] for d in documents] == ["proved", "unknown", "refuted"]
    assert code == 1


@pytest.mark.parametrize(
    "texts, code",
    [
        ((PROVED, PROVED), 0),
        ((PROVED, UNKNOWN), 3),
        ((UNKNOWN, REFUTED), 1),
        ((REFUTED, SYNTAX, UNKNOWN), 2),
        ((SYNTAX, PROVED), 2),
    ],
)
def test_worst_exit_code_wins(tmp_path, texts, code):
    assert invoke(tmp_path, *texts)[0] == code


def test_several_files_with_an_error_keep_going(tmp_path):
    code, out, err, paths = invoke(tmp_path, SYNTAX, PROVED, extra=["--json"])
    documents = json.loads(out)
    assert documents[0]["status"] == "error" and documents[0]["file"] == paths[0]
    assert documents[0]["error"].startswith(f"{paths[0]}:2:8:")
    assert_schema(documents[1])
    assert code == 2


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon", ""])
def test_timeout_validated_by_argparse(value, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["check", "x.deriv", "--timeout", value])
    assert info.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_timeout_is_passed_on(tmp_path):
    seen = []

    def recording(lhs, op, rhs, assumptions, *, timeout, seed):
        seen.append(timeout)
        return Verdict("proved", "recording", None, 0.0)

    (tmp_path / "a.deriv").write_text(PROVED)
    args = build_parser().parse_args(["check", str(tmp_path / "a.deriv"), "--timeout", "2.5"])
    assert run(args, prover=recording, stdout=io.StringIO()) == 0
    assert seen == [2.5]


def test_main_reports_bad_input_without_traceback(tmp_path, capsys):
    path = tmp_path / "bad.deriv"
    path.write_text("claim: 9**9**9 <= x\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:1:") and "Traceback" not in err


def test_subprocess_entry_point_no_traceback(tmp_path):
    path = tmp_path / "bad.deriv"
    path.write_text("assume: L > 0\nclaim: __import__('os') <= 1\n")
    result = subprocess.run(
        [sys.executable, "-m", "theorykit", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:2:8:")


@pytest.mark.skipif(
    importlib.util.find_spec("theorykit.symbolic.prover") is None, reason="prover not written yet"
)
def test_real_prover_end_to_end(tmp_path, capsys):
    path = tmp_path / "young.deriv"
    path.write_text(
        "assume: a > 0, b > 0\n"
        "claim: a*b <= a**2/2 + b**2/2   # by: Young\n"
        "claim: a*b <= a**2/4 + b**2/4   # by: a wrong constant\n"
    )
    code = main(["check", str(path), "--json", "--timeout", "20"])
    document = json.loads(capsys.readouterr().out)
    assert_schema(document)
    assert [s["status"] for s in document["steps"]] == ["proved", "refuted"]
    assert code == 1


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_terminal_output_is_coloured_and_otherwise_identical(tmp_path):
    (tmp_path / "r.deriv").write_text(PROVED + REFUTED)
    args = build_parser().parse_args(["check", str(tmp_path / "r.deriv")])
    plain, terminal = io.StringIO(), FakeTerminal()
    assert run(args, prover=scripted, stdout=plain) == 1
    assert run(args, prover=scripted, stdout=terminal) == 1
    coloured = terminal.getvalue()
    assert "\x1b[" in coloured and "\x1b[" not in plain.getvalue()
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain.getvalue()
