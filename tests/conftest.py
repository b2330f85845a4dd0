"""Shared test helpers: write a small project into tmp_path and scan it with the real catalogue."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import libcst
import pytest

from scanner import analyzers
from scanner.api import scan
from scanner.config import Config
from scanner.findings import Result, ScanResult

ScanTree = Callable[..., ScanResult]


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CLI runs use the content-hash cache; keep it out of the user's cache directory."""
    os.environ.setdefault("EMOSCAN_CACHE_DIR", str(tmp_path_factory.mktemp("emoscan-cache")))


# libcst's own node validation hook, as installed.
_LIBCST_POST_INIT = libcst.CSTNode.__dict__["__post_init__"]


@pytest.fixture(autouse=True)
def _libcst_as_installed() -> Iterator[None]:
    """CLI tests run emoscan in this process, which then counts as emoscan's own and turns libcst's
    node validation off (cst_walk.skip_validation): every test starts and ends with libcst as installed."""
    analyzers._owned = False
    libcst.CSTNode.__post_init__ = _LIBCST_POST_INIT  # type: ignore[method-assign]
    yield
    analyzers._owned = False
    libcst.CSTNode.__post_init__ = _LIBCST_POST_INIT  # type: ignore[method-assign]


@pytest.fixture
def scan_tree(tmp_path: Path) -> ScanTree:
    """scan_tree({"app.py": "..."}, config=Config()) -> ScanResult, with paths relative to tmp_path."""

    def run(files: dict[str, str | bytes], config: Config | None = None) -> ScanResult:
        write_tree(tmp_path, files)
        return scan([tmp_path], config or Config(), base=tmp_path)

    return run


def rule_hits(result: ScanResult) -> list[tuple[str, str, int]]:
    """(rule id, path, line) of every result, sorted: what most assertions compare."""
    return sorted((r.rule_id, r.location.path, r.location.line) for r in result.results)


def only(result: ScanResult, rule_id: str) -> Result:
    hits = [r for r in result.results if r.rule_id == rule_id]
    assert len(hits) == 1, (
        f"expected one {rule_id}, got {[(r.rule_id, str(r.location)) for r in result.results]}"
    )
    return hits[0]


# --- the Microsoft SARIF multitool (npm @microsoft/sarif-multitool), installed by .ci/run ---------

REPO = Path(__file__).resolve().parent.parent
MULTITOOL_ENV = "EMOSCAN_SARIF_MULTITOOL"
PLATFORM_PACKAGES = ("sarif-multitool-linux", "sarif-multitool-darwin")
INSTALL_HINT = (
    "install it with `npm install --prefix ~/.cache/emoscan-ci @microsoft/sarif-multitool@5.7.0` "
    f"or point {MULTITOOL_ENV} at the Sarif.Multitool binary"
)


def _find_multitool() -> Path | None:
    configured = os.environ.get(MULTITOOL_ENV)
    if configured:
        return Path(configured)
    for base in (REPO, Path.home() / ".cache" / "emoscan-ci"):
        for package in PLATFORM_PACKAGES:
            candidate = base / "node_modules" / "@microsoft" / package / "Sarif.Multitool"
            if candidate.is_file():
                return candidate
    return None


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; {INSTALL_HINT}")
    pytest.skip(f"{reason}; {INSTALL_HINT}")


@pytest.fixture(scope="module")
def multitool() -> Path:
    path = _find_multitool()
    if path is None:
        _unavailable("the SARIF multitool is not installed")
    if not path.is_file():
        pytest.fail(f"{MULTITOOL_ENV}={path} is not a file")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is not executable (npm may have skipped its postinstall chmod): chmod u+x it")
    return path
