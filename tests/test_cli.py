"""End-to-end CLI tests: the commands, formats and exit codes of the documented contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import __version__
from scanner.cli import main
from scanner.rules import DOC_SECTIONS, RULES

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "shop-assistant"


def run(*args: str, cwd: Path = REPO) -> tuple[int, str, str]:
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        outcome = runner.invoke(main, list(args), catch_exceptions=False)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_scan_example_reports_face_voice_and_text_emotion_recognition() -> None:
    code, out, _ = run("scan", "examples/shop-assistant", "--format", "json")
    assert code == 1
    report = json.loads(out)
    hits = {(r["rule_id"], r["location"]["path"], r["location"]["line"]) for r in report["results"]}
    base = "examples/shop-assistant"
    # The example declares its deployments in its pyproject.toml: a consumer kiosk (high-risk, notice
    # given), call analytics on customers and agents (prohibited), a text chat classifier (GDPR only).
    assert hits == {
        ("EMO003", f"{base}/services/kiosk/mood_camera.py", 24),
        ("EMO002", f"{base}/services/kiosk/mood_camera.py", 24),
        ("EMO001", f"{base}/services/calls/voice_emotion.py", 11),
        ("EMO006", f"{base}/services/chat/sentiment.py", 7),
        ("EMO003", f"{base}/notebooks/exploration.ipynb", 47),
    }
    modalities = {
        r["location"]["path"].rsplit("/", 1)[-1]: r["component"]["modality"] for r in report["results"]
    }
    assert modalities["mood_camera.py"] == "face"
    assert modalities["voice_emotion.py"] == "voice"
    assert modalities["sentiment.py"] == "text"
    # The look-alikes in the example produce nothing.
    flagged = {path for _, path, _ in hits}
    assert not any(p.startswith((f"{base}/auth/", f"{base}/tools/")) for p in flagged)
    assert report["summary"]["execution_successful"] is True
    assert report["tool"] == {
        "name": "emoscan",
        "version": __version__,
        "catalog_version": report["tool"]["catalog_version"],
    }


def test_text_output_groups_by_file_with_rule_level_and_evidence() -> None:
    code, out, _ = run("scan", "examples/shop-assistant/services/kiosk")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "examples/shop-assistant/services/kiosk/mood_camera.py"
    assert any(line.startswith("  24:13  warning  EMO003  Emotion recognition from faces") for line in lines)
    assert any("- 12: cv2.VideoCapture" in line for line in lines)
    assert "\033[" not in out  # no colour when not a TTY
    assert lines[-1].startswith("emoscan ") and "2 results (1 error, 1 warning, 0 notes)" in lines[-1]


def test_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "app.py").write_text("print('hello')\n")
    assert run("scan", str(clean))[0] == 0
    assert run("scan", "examples/shop-assistant", "--exit-zero")[0] == 0
    assert run("scan", "examples/shop-assistant/services/chat")[0] == 0  # a note is below "warning"
    assert run("scan", "examples/shop-assistant/services/chat", "--fail-level", "note")[0] == 1
    code, _, err = run("scan", str(tmp_path / "missing"))
    assert code == 2 and "no such file or folder" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("scan", str(empty))
    assert code == 3 and "nothing to scan" in err


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "emoscan.json"
    code, out, _ = run("scan", "examples/shop-assistant", "--format", "json", "--output", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["summary"]["results"] >= 4


def test_rules_lists_every_rule() -> None:
    code, out, _ = run("rules")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(RULES)
    assert "EMO001  prohibited-emotion-recognition" in out


def test_explain_shows_the_fixed_documentation_sections() -> None:
    code, out, _ = run("explain", "emo004")
    assert code == 0
    assert out.startswith("# EMO004 undeclared-emotion-recognition")
    for section in DOC_SECTIONS:
        assert f"## {section}" in out
    assert "not legal advice" in out
    code, _, err = run("explain", "EMO999")
    assert code == 2 and "unknown rule 'EMO999'" in err


def test_signatures_prints_version_and_counts() -> None:
    code, out, _ = run("signatures")
    assert code == 0
    assert out.startswith("catalogue version ")
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[1:]}
    assert counts["packages"] > 0 and counts["models"] > 0


def test_python_m_scanner_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == f"emoscan {__version__}"


def test_the_command_line_parses_without_libcst_validation(tmp_path: Path) -> None:
    import libcst

    from scanner import analyzers

    (tmp_path / "mood.py").write_text("from fer import FER\nFER().detect_emotions(frame)\n", encoding="utf-8")
    hook = libcst.CSTNode.__dict__["__post_init__"]
    code, out, _ = run("scan", str(tmp_path), "--no-cache", "--format", "json")
    assert code == 1 and json.loads(out)["results"]
    assert analyzers.owned_process()
    assert libcst.CSTNode.__dict__["__post_init__"] is not hook  # tests/conftest.py puts it back
