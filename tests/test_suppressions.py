"""Suppressions (inline and `[[tool.emoscan.ignore]]`) and baselines keyed by content fingerprints."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ScanTree, only, rule_hits, write_tree

from scanner.cli import main
from scanner.config import Config

FACE = "from fer import FER\n\n\ndef mood(frame):\n    return FER().detect_emotions(frame){comment}\n"


def test_inline_suppression_on_the_line_hides_the_result_and_keeps_it_for_auditors(
    scan_tree: ScanTree,
) -> None:
    code = FACE.format(
        comment="  # emoscan: ignore[EMO004] offline study on consenting volunteers, see docs/irb.md"
    )
    result = scan_tree({"study.py": code})
    assert rule_hits(result) == []
    ((hidden, suppression),) = result.suppressed
    assert (hidden.rule_id, hidden.location.line) == ("EMO004", 5)
    assert suppression.kind == "inline" and suppression.location.line == 5
    assert suppression.reason == "offline study on consenting volunteers, see docs/irb.md"


def test_inline_suppression_on_the_line_above(scan_tree: ScanTree) -> None:
    code = (
        "from fer import FER\n\n\ndef mood(frame):\n"
        "    # emoscan: ignore[EMO004, EMO001] face ER reviewed by legal, ticket LEG-12\n"
        "    return FER().detect_emotions(frame)\n"
    )
    result = scan_tree({"study.py": code})
    assert rule_hits(result) == [] and len(result.suppressed) == 1


@pytest.mark.parametrize(
    ("comment", "fragment"),
    [
        ("  # emoscan: ignore[EMO004]", "gives no reason"),
        ("  # emoscan: ignore[EMO042] because", "unknown rule(s) EMO042"),
        ("  # emoscan: ignore reviewed", "names no rule"),
    ],
)
def test_invalid_suppressions_are_reported_and_hide_nothing(
    scan_tree: ScanTree, comment: str, fragment: str
) -> None:
    result = scan_tree({"study.py": FACE.format(comment=comment)})
    assert rule_hits(result) == [("EMO004", "study.py", 5), ("EMO010", "study.py", 5)]
    problem = only(result, "EMO010")
    assert fragment in problem.message and problem.level.value == "warning"


def test_unused_suppressions_only_with_the_flag(scan_tree: ScanTree, tmp_path: Path) -> None:
    files = {"a.py": "x = 1  # emoscan: ignore[EMO004] legacy kiosk code\n", "b.py": FACE.format(comment="")}
    assert rule_hits(scan_tree(files)) == [("EMO004", "b.py", 5)]
    result = scan_tree(files, Config(report_unused_suppressions=True))
    # a.py has no result, so it is not read again: unused suppressions are found where results are.
    assert rule_hits(result) == [("EMO004", "b.py", 5)]
    result = scan_tree(
        {"b.py": FACE.format(comment="") + "# emoscan: ignore[EMO002] no race inference here\n"},
        Config(report_unused_suppressions=True),
    )
    assert rule_hits(result) == [("EMO004", "b.py", 5), ("EMO011", "b.py", 6)]


def test_config_ignore_entry_suppresses_files_that_cannot_carry_comments(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "emoscan.toml": (
                '[[ignore]]\npath = "vendor/requirements.txt"\nrule = "EMO004"\n'
                'reason = "vendor SDK pinned for the archive only"\nowner = "ml-platform"\nreview_by = 2999-01-01\n'
            ),
            "vendor/requirements.txt": "fer==22.5.1\n",
        }
    )
    assert rule_hits(result) == []
    ((hidden, suppression),) = result.suppressed
    assert hidden.location.path == "vendor/requirements.txt"
    assert (suppression.kind, suppression.owner, suppression.review_by) == (
        "config",
        "ml-platform",
        datetime.date(2999, 1, 1),
    )


def test_expired_review_date_makes_the_suppression_lapse(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "emoscan.toml": (
                '[[ignore]]\npath = "requirements.txt"\nrule = "EMO004"\nreason = "temporary"\nreview_by = "2020-01-31"\n'
            ),
            "requirements.txt": "fer\n",
        }
    )
    assert rule_hits(result) == [("EMO004", "requirements.txt", 1), ("EMO010", "emoscan.toml", 1)]
    assert "review date 2020-01-31 has passed" in only(result, "EMO010").message


def test_malformed_ignore_entry_is_a_declaration_error(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {"emoscan.toml": '[[ignore]]\npath = "req.txt"\nrule = "EMO004"\n', "req.txt": "fer\n"}
    )
    assert ("EMO008", "emoscan.toml", 1) in rule_hits(result)
    assert "needs 'path', 'rule' and a 'reason'" in only(result, "EMO008").message


def test_sarif_leaves_suppressed_results_out_unless_asked(tmp_path: Path) -> None:
    write_tree(tmp_path, {"study.py": FACE.format(comment="  # emoscan: ignore[EMO004] lab only")})
    runner = CliRunner()
    default = json.loads(runner.invoke(main, ["scan", str(tmp_path), "--format", "sarif"]).stdout)
    assert default["runs"][0]["results"] == []
    included = json.loads(
        runner.invoke(main, ["scan", str(tmp_path), "--format", "sarif", "--sarif-include-suppressed"]).stdout
    )
    (result,) = included["runs"][0]["results"]
    assert result["ruleId"] == "EMO004"
    assert result["suppressions"][0]["kind"] == "inSource"
    assert result["suppressions"][0]["justification"] == "lab only"
    report = json.loads(runner.invoke(main, ["scan", str(tmp_path), "--format", "json"]).stdout)
    assert report["summary"]["suppressed"] == 1
    assert report["suppressed"][0]["suppression"]["reason"] == "lab only"


def test_baseline_reports_only_new_results_and_survives_moved_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"kiosk.py": FACE.format(comment="")})
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    created = runner.invoke(main, ["baseline", "create", ".", "--output", "baseline.json"])
    assert created.exit_code == 0 and "wrote 1 results" in created.stdout
    assert runner.invoke(main, ["scan", ".", "--baseline", "baseline.json"]).exit_code == 0
    # Unrelated lines added above: the old result moves from line 5 to line 9 but is not new.
    (tmp_path / "kiosk.py").write_text("import os\nimport sys\n\n\n" + FACE.format(comment=""))
    moved = runner.invoke(main, ["scan", ".", "--baseline", "baseline.json", "--format", "json"])
    assert moved.exit_code == 0
    assert json.loads(moved.stdout)["summary"]["baselined"] == 1
    (tmp_path / "new.py").write_text(
        "from deepface import DeepFace\nDeepFace.analyze('x.jpg', actions=['emotion'])\n"
    )
    fresh = runner.invoke(main, ["scan", ".", "--baseline", "baseline.json", "--format", "json"])
    assert fresh.exit_code == 1
    assert [(r["rule_id"], r["location"]["path"]) for r in json.loads(fresh.stdout)["results"]] == [
        ("EMO004", "new.py")
    ]


def test_unusable_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kiosk.py": FACE.format(comment=""), "baseline.json": "{not json"})
    out = CliRunner().invoke(main, ["scan", str(tmp_path), "--baseline", str(tmp_path / "baseline.json")])
    assert out.exit_code == 2 and "not an emoscan baseline" in out.stderr
