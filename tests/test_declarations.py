"""Deployment declarations: reading them from pyproject.toml, emoscan.toml, --declarations and CLI
flags; every malformed case is EMO008 at its own file and line; a bad declaration never hides the
rest of the scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ScanTree, only, rule_hits, write_tree

from scanner.cli import main
from scanner.config import Config

FACE = "from fer import FER\n\n\ndef mood(frame):\n    return FER().detect_emotions(frame)\n"


def pyproject(body: str) -> str:
    return '[project]\nname = "kiosk"\nversion = "1.0"\n\n' + body


def test_pyproject_declaration_gives_the_verdict_with_its_name(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "pyproject.toml": pyproject(
                '[[tool.emoscan.deployment]]\nname = "hr-interviews"\npaths = ["hr/**"]\n'
                'context = "workplace"\nsubjects = ["candidates"]\n'
            ),
            "hr/interview.py": FACE,
        }
    )
    hit = only(result, "EMO001")
    assert (hit.location.path, hit.location.line) == ("hr/interview.py", 5)
    assert "in deployment 'hr-interviews' (context: workplace, subjects: candidates)" in hit.message
    assert result.declarations_source == "pyproject.toml"


def test_most_specific_glob_wins(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "emoscan.toml": (
                '[[deployment]]\nname = "shop"\npaths = ["**"]\ncontext = "consumer"\n'
                'transparency_notice = "notice.md"\n\n'
                '[[deployment]]\nname = "agent-coaching"\npaths = ["services/calls/**"]\n'
                'context = "customer-service"\nsubjects = ["agents"]\n'
            ),
            "notice.md": "We analyse facial expressions at the kiosk.\n",
            "services/calls/coach.py": FACE,
            "kiosk/app.py": FACE,
        }
    )
    assert rule_hits(result) == [("EMO001", "services/calls/coach.py", 5), ("EMO003", "kiosk/app.py", 5)]


def test_globs_are_relative_to_the_declaring_file(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "project/emoscan.toml": '[[deployment]]\nname = "care"\npaths = ["ward/**"]\ncontext = "healthcare"\n',
            "project/ward/pain.py": FACE,
        }
    )
    assert rule_hits(result) == [("EMO003", "project/ward/pain.py", 5), ("EMO005", "project/ward/pain.py", 5)]


# (id, declaration body (emoscan.toml), expected line of EMO008, message fragment)
MALFORMED = [
    ("unknown-context", '[[deployment]]\nname = "x"\ncontext = "office"\n', 3, "unknown context 'office'"),
    (
        "unknown-subject",
        '[[deployment]]\nname = "x"\ncontext = "consumer"\nsubjects = ["shoppers"]\n',
        4,
        "unknown subject 'shoppers'",
    ),
    (
        "exemption-without-justification",
        '[[deployment]]\nname = "x"\ncontext = "workplace"\nexemption = { kind = "safety" }\n',
        4,
        "a safety exemption needs a justification",
    ),
    (
        "exemption-of-the-wrong-kind",
        '[[deployment]]\nname = "x"\ncontext = "workplace"\nexemption = { kind = "wellbeing", justification = "calm staff" }\n',
        4,
        "exemption kind must be 'medical' or 'safety'",
    ),
    (
        "glob-matching-nothing",
        '[[deployment]]\nname = "x"\ncontext = "consumer"\npaths = ["servicez/**"]\n',
        4,
        "path glob 'servicez/**' matches no scanned file",
    ),
    (
        "missing-notice-file",
        '[[deployment]]\nname = "x"\ncontext = "consumer"\ntransparency_notice = "docs/nope.md"\n',
        4,
        "transparency notice file 'docs/nope.md' does not exist",
    ),
    ("toml-syntax-error", '[[deployment]]\nname = "x"\ncontext = consumer\n', 3, "TOML syntax error"),
    (
        "unknown-key",
        '[[deployment]]\nname = "x"\ncontext = "consumer"\ncontexts = ["a"]\n',
        4,
        "unknown key 'contexts'",
    ),
    ("missing-context", '[[deployment]]\nname = "x"\n', 1, "'context' is missing"),
    (
        "paths-wrong-type",
        '[[deployment]]\nname = "x"\ncontext = "consumer"\npaths = 3\n',
        4,
        "'paths' must be a list",
    ),
]


@pytest.mark.parametrize(
    ("body", "line", "fragment"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_declarations_are_emo008_at_their_line(
    scan_tree: ScanTree, body: str, line: int, fragment: str
) -> None:
    result = scan_tree({"emoscan.toml": body, "app/kiosk.py": FACE})
    problem = only(result, "EMO008")
    assert (problem.location.path, problem.location.line) == ("emoscan.toml", line)
    assert fragment in problem.message
    assert problem.level.value == "error" and problem.component is None
    # The rest of the scan is still there: the face ER is reported under whatever could be read.
    assert any(r.location.path == "app/kiosk.py" for r in result.results)


def test_unknown_context_suggests_the_closest_word(scan_tree: ScanTree) -> None:
    result = scan_tree({"emoscan.toml": '[[deployment]]\ncontext = "work-place"\n', "a.py": FACE})
    assert "did you mean 'workplace'?" in only(result, "EMO008").message


def test_missing_notice_also_means_emo005(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "emoscan.toml": '[[deployment]]\ncontext = "consumer"\ntransparency_notice = "gone.md"\n',
            "a.py": FACE,
        }
    )
    assert {r.rule_id for r in result.results} == {"EMO003", "EMO005", "EMO008"}


def test_overlapping_declarations_of_equal_specificity_are_an_error(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "emoscan.toml": (
                '[[deployment]]\nname = "a"\npaths = ["svc/**"]\ncontext = "consumer"\n\n'
                '[[deployment]]\nname = "b"\npaths = ["svc/**"]\ncontext = "workplace"\n'
            ),
            "svc/app.py": FACE,
        }
    )
    problem = only(result, "EMO008")
    assert problem.location.line == 6
    assert "'a' (consumer) and 'b' (workplace) both cover 'svc/app.py' equally" in problem.message


def test_cli_flags_override_the_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"emoscan.toml": '[[deployment]]\ncontext = "consumer"\n', "calls/agent_tone.py": FACE},
    )
    out = CliRunner().invoke(
        main,
        [
            "scan",
            str(tmp_path),
            "--context",
            "customer-service",
            "--subjects",
            "customers,agents",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 1
    assert '"rule_id": "EMO001"' in out.stdout and '"context": "customer-service"' in out.stdout


def test_declarations_option_reads_that_file(scan_tree: ScanTree, tmp_path: Path) -> None:
    write_tree(tmp_path, {"vendor.toml": '[[deployment]]\ncontext = "education"\nsubjects = ["students"]\n'})
    result = scan_tree({"proctor/watch.py": FACE}, Config(declarations_file=tmp_path / "vendor.toml"))
    assert rule_hits(result) == [("EMO001", "proctor/watch.py", 5)]


def test_cli_exit_code_is_2_on_a_declaration_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"emoscan.toml": '[[deployment]]\ncontext = "office"\n', "a.py": FACE})
    out = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert out.exit_code == 2
    assert "EMO008" in out.stdout and "declarations have errors" in out.stderr


def test_cli_rejects_an_unknown_context_word() -> None:
    out = CliRunner().invoke(main, ["scan", ".", "--context", "office"])
    assert out.exit_code == 2 and "use one of: workplace" in out.stderr


def test_init_writes_a_template_that_scans_cleanly_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    (tmp_path / "app.py").write_text(FACE)
    runner = CliRunner()
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0 and "pyproject.toml" in first.stdout
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "x"') and "[[tool.emoscan.deployment]]" in text
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 2 and "already has a declaration" in again.stderr
    assert (tmp_path / "pyproject.toml").read_text() == text
    forced = runner.invoke(main, ["init", "--force"])
    assert forced.exit_code == 0
    assert (tmp_path / "pyproject.toml").read_text().count("[[tool.emoscan.deployment]]") == 1
    scanned = runner.invoke(main, ["scan", ".", "--format", "json"])
    assert '"EMO008"' not in scanned.stdout and '"EMO003"' in scanned.stdout


def test_init_creates_emoscan_toml_when_there_is_no_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["init"])
    assert out.exit_code == 0
    assert (tmp_path / "emoscan.toml").read_text().count("[[deployment]]") == 1


def test_inventory_and_explain_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        tmp_path,
        {
            "emoscan.toml": '[[deployment]]\nname = "kiosk"\ncontext = "consumer"\n',
            "kiosk.py": FACE,
            "chat.py": 'from transformers import pipeline\nclf = pipeline("text-classification", model="j-hartmann/emotion-english-distilroberta-base")\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    inventory = runner.invoke(main, ["inventory", "."])
    assert inventory.exit_code == 0
    assert "2 emotion-recognition components" in inventory.stdout
    assert "declared: kiosk (consumer)" in inventory.stdout
    assert "capability: emotion; modality: text" in inventory.stdout
    explained = runner.invoke(main, ["explain", "kiosk.py:5"])
    assert explained.exit_code == 0
    assert "EMO003 warning at kiosk.py:5:12" in explained.stdout
    assert "decision table: row 'consumer, biometric' -> verdict H" in explained.stdout
    assert "declaration:    'kiosk' (context consumer) from emoscan.toml" in explained.stdout
    assert "[call.fer.detect_emotions, strength S1]" in explained.stdout
    missing = runner.invoke(main, ["explain", "kiosk.py:2"])
    assert missing.exit_code == 1 and "no emoscan result" in missing.stderr


def test_scanning_single_files_does_not_report_globs_that_match_other_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "emoscan.toml": (
                '[[deployment]]\nname = "hr"\npaths = ["hr/**"]\ncontext = "workplace"\n\n'
                '[[deployment]]\nname = "shop"\npaths = ["shop/**"]\ncontext = "consumer"\n'
                'transparency_notice = "notice.md"\n'
            ),
            "notice.md": "notice\n",
            "hr/screen.py": FACE,
            "shop/kiosk.py": FACE,
        },
    )
    # As pre-commit does: only the changed file is passed.
    out = CliRunner().invoke(main, ["scan", str(tmp_path / "shop" / "kiosk.py"), "--format", "json"])
    assert out.exit_code == 1
    assert '"EMO008"' not in out.stdout and '"EMO003"' in out.stdout
