"""The global --timeout: files not analysed in time get a notice each, the scan still reports, and a
busy process pool is stopped rather than waited for."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner
from conftest import ScanTree, write_tree

from scanner import parallel
from scanner.cli import main
from scanner.config import Config
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import FileOutcome, NoticeKind
from scanner.signatures import Catalog, load_catalog

FACE = "from fer import FER\nFER().detect_emotions(frame)\n"


def test_files_not_reached_get_a_timeout_notice(scan_tree: ScanTree) -> None:
    result = scan_tree({"a.py": FACE, "b.py": FACE, "c.py": FACE}, Config(timeout=1e-9))
    assert result.results == ()
    timed_out = {n.path for n in result.notices if n.kind is NoticeKind.TIMEOUT and n.fatal}
    assert timed_out == {"a.py", "b.py", "c.py"}
    assert any(
        n.kind is NoticeKind.TIMEOUT and not n.fatal and "repository-wide" in n.message
        for n in result.notices
    )
    assert not result.execution_successful


def test_a_generous_timeout_changes_nothing(scan_tree: ScanTree) -> None:
    result = scan_tree({"a.py": FACE}, Config(timeout=600))
    assert [(r.rule_id, r.location.line) for r in result.results] == [("EMO004", 2)]
    assert result.execution_successful


def test_cli_timeout_fails_strict_and_says_why(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": FACE})
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "--timeout", "0.000001", "--strict", "--no-cache"])
    assert out.exit_code == 1
    assert "not analysed: the scan's --timeout was reached" in out.stdout
    assert CliRunner().invoke(main, ["scan", str(tmp_path), "--timeout", "0"]).exit_code == 2


def slow_analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    time.sleep(30)
    return FileOutcome()


def test_a_busy_pool_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    files = []
    for name in ("a.py", "b.py", "c.py", "d.py"):
        path = tmp_path / name
        path.write_text(FACE)
        files.append((len(files), Artifact(name, path, ArtifactKind.PYTHON, path.stat().st_size)))
    started = time.monotonic()
    done = parallel._run_pool(files, load_catalog(), slow_analyze, 2, deadline=started + 0.5)
    assert done == {}
    assert time.monotonic() - started < 10  # not the 30 s a file takes, nor 60 s for the queue
