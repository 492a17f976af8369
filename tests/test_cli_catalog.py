"""`theorykit list / derive / verify / table` exit codes, messages and files."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from theorykit.claims import registry
from theorykit.cli import main
from theorykit.report.jsonio import load_results

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import toy_install  # noqa: E402


@pytest.fixture(autouse=True)
def toy(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path, {"toy": "theorykit_toycatalog",
                                                "toybad": "theorykit_toycatalog:bad_claims"})
    monkeypatch.setenv("THEORYKIT_CACHE_DIR", str(tmp_path / "cache"))
    registry.clear_cache()
    yield
    registry.clear_cache()


def test_list_plain_and_json(capsys):
    assert main(["list", "toy.*"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].split()[0] == "toy.gd_contraction" and "rate" in out[0]
    assert main(["list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "theorykit.catalog" and doc["version"] == 1
    data = doc["claims"]
    ids = [d["id"] for d in data]
    assert "toy.gd_threshold" in ids and "toybad.raising_derivation" in ids
    assert {"id", "kind", "title", "sources"} == set(data[0])


def test_unknown_id_lists_close_ids(capsys):
    assert main(["list", "toy.gd_treshold"]) == 2
    err = capsys.readouterr().err
    assert "unknown claim id 'toy.gd_treshold'" in err and "toy.gd_threshold" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "claim_id, code, needle",
    [("toy.gd_contraction", 0, "PROVED"), ("toybad.refuted_derivation", 1, "refuted"),
     ("toybad.unknown_derivation", 3, "unknown"), ("toybad.raising_derivation", 1, "this derivation is broken")],
)
def test_derive_exit_codes(capsys, claim_id, code, needle):
    assert main(["derive", claim_id]) == code
    captured = capsys.readouterr()
    assert needle in captured.out + captured.err and "Traceback" not in captured.err


def test_derive_latex_and_unknown_id(capsys):
    assert main(["derive", "toy.gd_threshold", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\" in out and "PROVED" not in out
    assert main(["derive", "toy.gd_thresh"]) == 2
    assert "Did you mean: toy.gd_threshold" in capsys.readouterr().err


def test_derive_bad_timeout_is_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["derive", "toy.gd_threshold", "--timeout", "-1"])
    assert info.value.code == 2 and "--timeout" in capsys.readouterr().err


def test_verify_writes_every_output(capsys, tmp_path):
    js, tex, md = tmp_path / "r.json", tmp_path / "r.tex", tmp_path / "r.md"
    code = main(["verify", "toy.*", "--seed", "2", "--max-examples", "5", "--progress", "lines",
                 "--json", str(js), "--latex", str(tex), "--markdown", str(md)])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "2/2 claims verified" in captured.out and "toy.gd_threshold" in captured.out
    # plain progress lines on a non-TTY stderr
    assert "[1/2] toy.gd_contraction: derive (ETA ?)" in captured.err
    assert "[2/2] toy.gd_threshold: done (ETA 0s)" in captured.err
    results = load_results(js)
    assert [r.claim_id for r in results] == ["toy.gd_contraction", "toy.gd_threshold"]
    assert all(r.seed == 2 and r.status == "verified" for r in results)
    # --latex writes exactly the file asked for: the table to \input, and nothing beside it
    assert tex.read_text().lstrip().startswith("%") and r"\documentclass" not in tex.read_text()
    assert not (tmp_path / "r-table.tex").exists()
    assert md.read_text().startswith("| Claim |")


def test_verify_failure_is_exit_1(capsys):
    assert main(["verify", "toybad.*", "--max-examples", "3", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "0/3 claims verified" in captured.out and "this derivation is broken" in captured.out
    assert captured.err == ""  # --quiet


@pytest.mark.parametrize("argv, needle", [
    (["--max-examples", "0"], "--max-examples"),
    (["--max-examples", "many"], "--max-examples"),
    (["--seed", "-3"], "--seed"),
])
def test_verify_bad_numbers_exit_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as info:
        main(["verify", "toy.gd_contraction", *argv])
    assert info.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--json", "--latex", "--markdown"])
def test_unwritable_output_checked_before_running(capsys, tmp_path, option):
    target = tmp_path / "missing_dir" / "out.file"
    assert main(["verify", "toy.gd_contraction", option, str(target)]) == 2
    err = capsys.readouterr().err
    assert f"{option}: directory" in err and "does not exist" in err
    assert "derive" not in err  # nothing ran


def test_output_path_that_is_a_directory(capsys, tmp_path):
    assert main(["verify", "toy.gd_contraction", "--json", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_unknown_id_and_backends_exit_2(capsys):
    assert main(["verify", "toy.gd_contraction", "toy.nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown claim id 'toy.nope'" in err and "derive" not in err
    assert main(["verify", "toy.gd_contraction", "--backend", "tensorflow"]) == 2
    assert "backend" in capsys.readouterr().err


def test_cupy_backend_without_gpu_is_clean(capsys):
    try:
        import cupy  # noqa: F401

        pytest.skip("cupy is installed")
    except ImportError:
        pass
    assert main(["verify", "toy.gd_contraction", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("theorykit verify: error:") and "Traceback" not in err


@pytest.fixture
def saved(tmp_path, capsys):
    path = tmp_path / "saved.json"
    assert main(["verify", "toy.gd_contraction", "--max-examples", "3", "--quiet", "--json", str(path)]) == 0
    capsys.readouterr()
    return path


def test_table_formats(capsys, saved, tmp_path):
    assert main(["table", str(saved), "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("| Claim |")
    assert main(["table", str(saved)]) == 0
    assert r"\begin{tabular}" in capsys.readouterr().out
    out = tmp_path / "doc.tex"
    assert main(["table", str(saved), "--format", "latex", "--standalone", "--output", str(out)]) == 0
    assert r"\begin{longtable}" in out.read_text()
    assert main(["table", str(saved), "--format", "html"]) == 0
    assert "<table>" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_table_standalone_output_compiles(saved, tmp_path):
    from theorykit.report.latex import compile_pdf

    out = tmp_path / "doc.tex"
    assert main(["table", str(saved), "--format", "latex", "--standalone", "--output", str(out)]) == 0
    assert compile_pdf(out.read_text(), tmp_path / "pdf").exists()


def test_table_bad_input(capsys, saved, tmp_path):
    assert main(["table", str(saved), "--format", "docx"]) == 2
    assert "--format: choose one of latex, markdown, html" in capsys.readouterr().err
    assert main(["table", str(saved), "--format", "markdown", "--standalone"]) == 2
    assert "--standalone" in capsys.readouterr().err
    assert main(["table", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    assert main(["table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: not valid JSON" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["list", "derive", "verify", "table"])
def test_help_has_examples(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"theorykit {command}" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_table_pdf(capsys, saved, tmp_path):
    pdf = tmp_path / "out.pdf"
    assert main(["table", str(saved), "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes()[:4] == b"%PDF" and capsys.readouterr().out == ""


def test_table_pdf_without_pdflatex(capsys, saved, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["table", str(saved), "--pdf", str(tmp_path / "out.pdf")]) == 2
    err = capsys.readouterr().err
    assert "pdflatex not found" in err and "Traceback" not in err
