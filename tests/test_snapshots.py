"""Snapshot tests of rendered output for the bundled example, and the example SARIF log in `sarif/`,
which these tests keep current and validate with the SARIF multitool.

After an intended change, regenerate with: EMOSCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from test_sarif import _findings, _validate

from scanner.api import scan
from scanner.findings import ScanResult
from scanner.output.json_report import render_json
from scanner.output.sarif import render_sarif
from scanner.output.text import render_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_LOG = REPO / "sarif" / "example.sarif"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("EMOSCAN_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module")
def example_scan() -> ScanResult:
    result = scan([REPO / "examples" / "shop-assistant"], base=REPO)
    # A fixed checkout path, so the snapshot does not depend on where the repository is cloned.
    return dataclasses.replace(result, roots=("/checkout",))


def check_snapshot(path: Path, rendered: str) -> None:
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} did not exist and was written; review and commit it")
    assert rendered == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(REPO)} is out of date; rerun with EMOSCAN_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_text_report_snapshot(example_scan: ScanResult) -> None:
    check_snapshot(SNAPSHOTS / "shop-assistant.txt", render_text(example_scan))


def test_json_report_snapshot(example_scan: ScanResult) -> None:
    rendered = render_json(example_scan)
    assert json.loads(rendered)["summary"]["results"] == len(example_scan.results)
    check_snapshot(SNAPSHOTS / "shop-assistant.json", rendered)


def test_example_sarif_log_is_current(example_scan: ScanResult) -> None:
    check_snapshot(EXAMPLE_LOG, render_sarif(example_scan))


def test_example_sarif_log_passes_the_multitool(multitool: Path, tmp_path: Path) -> None:
    report, console = _validate(multitool, [EXAMPLE_LOG], tmp_path / "validation.sarif")
    problems = [(level, rule) for _, level, rule in _findings(report) if level in ("error", "warning")]
    assert problems == [], console
