"""The compiled catalogue (signatures/compiled.json) that spares every run the TOML parse."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scanner import signatures


def test_the_shipped_compiled_catalogue_is_current() -> None:
    """Regenerate with `EMOSCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_catalog_json.py`."""
    root = signatures.catalog_dir()
    expected = signatures.compiled_json(root)
    target = root / signatures.COMPILED_NAME
    if os.environ.get("EMOSCAN_UPDATE_SNAPSHOTS"):
        target.write_text(expected, encoding="utf-8")
    assert target.read_text(encoding="utf-8") == expected, (
        "signatures/compiled.json is stale: run EMOSCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_catalog_json.py"
    )


def _load(root: Path) -> signatures.Catalog:
    signatures.load_catalog.cache_clear()
    try:
        return signatures.load_catalog(root)
    finally:
        signatures.load_catalog.cache_clear()


def test_a_current_compiled_catalogue_is_used_and_a_stale_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "signatures"
    shutil.copytree(signatures.catalog_dir(), root)
    from_toml = signatures._catalog(*signatures._validated_entries(root))

    def no_toml(folder: Path) -> object:
        raise AssertionError(f"{folder} parsed although compiled.json is current")

    with monkeypatch.context() as patched:
        patched.setattr(signatures, "_validated_entries", no_toml)
        assert _load(root) == from_toml

    # An edited TOML file makes compiled.json stale: the TOML wins.
    header = root / "catalog.toml"
    header.write_text(
        header.read_text(encoding="utf-8").replace(from_toml.version, "2099.1.1"), encoding="utf-8"
    )
    assert _load(root).version == "2099.1.1"

    # A damaged or missing compiled.json is no error either.
    (root / signatures.COMPILED_NAME).write_text('{"digest": 3', encoding="utf-8")
    assert _load(root).packages == from_toml.packages
    (root / signatures.COMPILED_NAME).unlink()
    assert _load(root).packages == from_toml.packages


def test_an_invalid_toml_is_reported_even_with_a_compiled_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "signatures"
    shutil.copytree(signatures.catalog_dir(), root)
    (root / "packages.toml").write_text('[[package]]\nid = "package.x"\n', encoding="utf-8")
    with pytest.raises(signatures.CatalogError, match=r"packages\.toml"):
        _load(root)
