"""The built wheel carries the signature catalogue: installed into a fresh virtual environment (not
the checkout, not editable), `emoscan signatures` finds it inside the package."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(REPO)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("emoscan-*.whl")
    return built


def test_wheel_contains_the_catalogue(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "scanner/signatures_data/catalog.toml" in names
    assert "scanner/signatures_data/calls.toml" in names
    assert not any(name.startswith(("tests/", "examples/", "sarif/")) for name in names)


def test_wheel_in_a_fresh_venv_finds_the_catalogue(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=900)
    # Run from an unrelated folder so nothing can come from the checkout.
    out = subprocess.run(
        [str(env_dir / "bin" / "emoscan"), "signatures"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("catalogue version ")
    assert str(env_dir) in out.stdout  # the catalogue path printed is inside the installed package
    scan = subprocess.run(
        [
            str(env_dir / "bin" / "emoscan"),
            "scan",
            str(REPO / "examples" / "shop-assistant" / "services" / "kiosk"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert scan.returncode == 1 and "EMO003" in scan.stdout
