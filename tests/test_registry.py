"""Claim registry: lookups, close-id suggestions, and a plugin catalog found through entry points."""
from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from theorykit.claims import registry
from theorykit.errors import TheorykitError, UnknownClaimError

sys.path.insert(0, str(Path(__file__).parent / "plugin_catalog"))
import toy_install  # noqa: E402


@pytest.fixture
def toy(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path)
    registry.clear_cache()
    yield
    registry.clear_cache()


def test_entry_point_is_discovered(toy):
    names = {ep.name: ep.value for ep in metadata.entry_points(group="theorykit.catalogs")}
    assert names.get("toy") == "theorykit_toycatalog"
    ids = [c.id for c in registry.claims()]
    assert "toy.gd_contraction" in ids and "toy.gd_threshold" in ids
    assert registry.catalogs()["toy.gd_threshold"] == "toy (theorykit_toycatalog)"
    assert len(ids) == len(set(ids))


def test_builtin_catalog_is_loaded_once_even_though_it_is_also_an_entry_point(toy):
    import proofs

    builtin = [c.id for c in proofs.CLAIMS]
    ids = [c.id for c in registry.claims()]
    assert ids[: len(builtin)] == builtin  # builtin first, no duplicates


def test_exact_family_and_glob_lookups(toy):
    assert [c.id for c in registry.claims("toy.gd_threshold")] == ["toy.gd_threshold"]
    assert [c.id for c in registry.claims("toy.*")] == ["toy.gd_contraction", "toy.gd_threshold"]
    assert [c.id for c in registry.claims("toy")] == ["toy.gd_contraction", "toy.gd_threshold"]
    assert [c.id for c in registry.claims("toy.gd_t*")] == ["toy.gd_threshold"]
    assert [c.id for c in registry.claims("*.gd_contraction")] == ["toy.gd_contraction"]
    assert registry.get_claim("toy.gd_contraction").title.startswith("GD contraction")
    assert registry.claims() is registry.claims()  # cached


def test_unknown_id_lists_close_ids(toy):
    with pytest.raises(UnknownClaimError) as info:
        registry.get_claim("toy.gd_treshold")
    assert "toy.gd_threshold" in info.value.close
    msg = str(info.value)
    assert msg.startswith("unknown claim id 'toy.gd_treshold'.") and "Did you mean" in msg
    assert isinstance(info.value, TheorykitError)


def test_family_typo_lists_the_family(toy):
    with pytest.raises(UnknownClaimError) as info:
        registry.claims("tyo.*")
    assert "toy.*" in info.value.close and "toy.gd_threshold" in info.value.close
    with pytest.raises(UnknownClaimError) as info:
        registry.get_claim("toy.nothing_like_it")
    assert set(info.value.close) >= {"toy.gd_contraction", "toy.gd_threshold"}


def test_nothing_close_gives_no_suggestions(toy):
    with pytest.raises(UnknownClaimError) as info:
        registry.get_claim("zzzzzz.qqqqqq")
    assert info.value.close == [] and "Did you mean" not in str(info.value)


def test_bad_pattern_names_the_argument(toy):
    with pytest.raises(TheorykitError, match="pattern"):
        registry.claims("  ")


def test_callable_entry_point(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path, {"toyextra": "theorykit_toycatalog:extra_claims"}, dist="toyextra")
    registry.clear_cache()
    try:
        assert [c.id for c in registry.claims("toyextra.*")] == ["toyextra.gd_contraction"]
    finally:
        registry.clear_cache()


def test_duplicate_ids_from_two_catalogs_is_a_clear_error(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path)
    toy_install.install(monkeypatch, tmp_path, {"toydup": "theorykit_toycatalog:duplicate_claims"}, dist="toydup")
    registry.clear_cache()
    try:
        with pytest.raises(registry.CatalogError) as info:
            registry.claims()
        msg = str(info.value)
        assert "duplicate claim id 'toy.gd_contraction'" in msg
        assert "toy (theorykit_toycatalog)" in msg and "toydup (theorykit_toycatalog:duplicate_claims)" in msg
    finally:
        registry.clear_cache()


def test_broken_catalog_is_named(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path, {"broken": "no_such_catalog_module_xyz"}, dist="broken")
    registry.clear_cache()
    try:
        with pytest.raises(registry.CatalogError, match="catalog broken \\(no_such_catalog_module_xyz\\)"):
            registry.claims()
    finally:
        registry.clear_cache()


def test_catalog_of_non_claims_is_rejected(monkeypatch, tmp_path):
    toy_install.install(monkeypatch, tmp_path, {"junk": "theorykit_toycatalog:run_gd"}, dist="junk")
    registry.clear_cache()
    try:
        with pytest.raises(registry.CatalogError, match="catalog junk"):
            registry.claims()
    finally:
        registry.clear_cache()
