"""Figures render to real image files; errors are clean."""
import importlib.util
import struct

import pytest

from theorykit.errors import InputError
from theorykit.report import figures

pytest.importorskip("matplotlib")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    return len(data), width, height


# one id per distinct figure function (several claims share a figure)
DISTINCT = sorted({fn: cid for cid, fn in sorted(figures.FIGURES.items())}.values())


@pytest.mark.parametrize("claim_id", DISTINCT)
def test_render_png(tmp_path, claim_id):
    import matplotlib.image as mpimg

    out = figures.render(claim_id, tmp_path / "fig.png", dpi=80)
    nbytes, width, height = _png_size(out)
    assert nbytes > 20_000
    img = mpimg.imread(out)
    assert img.shape[0] == height and img.shape[1] == width
    assert width >= 400 and height >= 300
    # not a blank canvas: several distinct colours drawn
    assert len({tuple(px) for px in img[::7, ::7].reshape(-1, img.shape[-1]).tolist()}) > 20


def test_every_registered_id_is_a_catalog_claim():
    from theorykit.claims.registry import get_claim

    for cid in figures.figure_ids():
        assert get_claim(cid).id == cid


def test_unknown_id_lists_figures(tmp_path):
    with pytest.raises(InputError, match="momentum.heavy_ball_stability"):
        figures.render("gd.nope", tmp_path / "x.png")


def test_bad_path(tmp_path):
    with pytest.raises(InputError):
        figures.render("momentum.heavy_ball_stability", tmp_path / "x.txt")
    with pytest.raises(InputError):
        figures.render("momentum.heavy_ball_stability", tmp_path / "missing" / "x.png")


def test_missing_matplotlib(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    with pytest.raises(figures.PlotUnavailable, match=r"pip install 'theorykit\[plot\]'"):
        figures.render("momentum.heavy_ball_stability", tmp_path / "x.png")


def test_cli(tmp_path, capsys):
    from theorykit.cli import main

    assert main(["figure", "--list"]) == 0
    assert "momentum.nesterov_stability" in capsys.readouterr().out
    assert main(["figure", "gd.nope", str(tmp_path / "x.png")]) == 2
    assert "figures exist for" in capsys.readouterr().err
    assert main(["figure", "momentum.heavy_ball_stability"]) == 2
