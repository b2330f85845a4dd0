"""Shared test helpers: write a small project into tmp_path and scan it with the real catalogue."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

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
    assert len(hits) == 1, f"expected one {rule_id}, got {[(r.rule_id, str(r.location)) for r in result.results]}"
    return hits[0]
