"""Procurement reports (Markdown and HTML) and GitHub workflow annotations, built from real scans of
small projects; the HTML report is also rendered in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.api import create_baseline
from scanner.cli import main
from scanner.config import Config
from scanner.findings import Level, Location, Result, ScanResult
from scanner.output.github import escape_data, escape_property, render_github, result_annotation
from scanner.output.html import render_html
from scanner.output.markdown import render_markdown
from scanner.output.procurement import Outcome, Report, build_report

# The `scan_tree` fixture of tests/conftest.py (typed here rather than imported: another conftest.py
# under tests/ can shadow the name `conftest`).
ScanTree = Callable[..., ScanResult]

FACE = "from fer import FER\n\n\ndef mood(frame):\n    return FER().detect_emotions(frame)\n"
TEXT = (
    "from transformers import pipeline\n\n"
    'classify = pipeline("text-classification", model="j-hartmann/emotion-english-distilroberta-base")\n'
)
# Truncated JSON holding a catalogue token, so the prefilter picks it and the parse fails.
BROKEN_NOTEBOOK = b'{"cells": [{"cell_type": "code", "source": ["from fer import FER\\n"'
NOTHING = "def greet(name):\n    return f'happy to see you, {name}'\n"
WORKPLACE = Config(context="workplace", subjects=("employees",))
STORE = Config(context="customer-service", subjects=("customers",))
HIGH_RISK_DUTIES = "Art. 50(3) notice, DPIA (GDPR Art. 35), conformity documentation (Arts. 9-15, 43), instructions for use (Art. 13)"


def report_of(scan_tree: ScanTree, files: dict[str, str | bytes], config: Config | None = None) -> Report:
    return build_report(scan_tree(files, config))


# --- the summary verdict --------------------------------------------------------------------------


def test_prohibited_use_gives_a_prohibited_verdict(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"app.py": FACE}, WORKPLACE)
    assert report.summary.outcome is Outcome.PROHIBITED
    assert report.summary.headline == "Prohibited emotion recognition found"
    assert report.summary.explanation.startswith(
        "1 component is a prohibited AI practice (AI Act Art. 5(1)(f)). Do not accept the deliverable"
    )
    assert report.declarations == "Given on the command line: workplace (deployment 'command-line')."


def test_high_risk_use_gives_a_high_risk_verdict(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"app.py": FACE}, STORE)
    assert report.summary.outcome is Outcome.HIGH_RISK
    assert report.summary.headline == "High-risk emotion recognition found"
    assert "1 component is high-risk (AI Act Annex III 1(c))" in report.summary.explanation


def test_undeclared_use_asks_for_review(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"app.py": FACE})
    assert report.summary.outcome is Outcome.REVIEW
    assert report.summary.headline == "Review needed: deployment context not declared"
    assert "--context and --subjects" in report.summary.explanation
    assert report.declarations.startswith("None: no deployment context was declared")


def test_high_risk_next_to_undeclared_says_both(scan_tree: ScanTree) -> None:
    declaration = '[[deployment]]\npaths = ["kiosk/**"]\ncontext = "consumer"\nsubjects = ["customers"]\n'
    report = report_of(
        scan_tree, {"emoscan.toml": declaration, "kiosk/camera.py": FACE, "lab/try.py": FACE}, Config()
    )
    assert report.summary.outcome is Outcome.HIGH_RISK
    assert report.summary.explanation.endswith(
        "Also found: 1 whose deployment context is not declared (review needed)."
    )
    assert [row.verdict for row in report.rows] == ["H", "R"]
    assert report.declarations == "Read from emoscan.toml: consumer (deployment 'deployment-1')."


def test_text_only_is_informational(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"chat.py": TEXT})
    assert report.summary.outcome is Outcome.INFORMATIONAL
    assert report.summary.headline == "Informational only: no prohibited or high-risk emotion recognition"
    (row,) = report.rows
    assert (row.verdict, row.vendor_must_provide) == ("G", "GDPR legal basis and transparency")


def test_component_without_a_rule_is_informational(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"chat.py": TEXT}, Config(context="research"))
    assert report.summary.outcome is Outcome.INFORMATIONAL
    (row,) = report.rows
    assert (row.verdict, row.results, row.vendor_must_provide) == ("I", (), "Nothing under the AI Act")


def test_nothing_found(scan_tree: ScanTree) -> None:
    report = report_of(scan_tree, {"app.py": NOTHING})
    assert report.summary.outcome is Outcome.NONE
    assert report.summary.headline == "No emotion recognition found"
    assert report.summary.explanation == "No emotion-recognition component was found in the 1 file scanned."
    markdown = render_markdown(scan_tree({}))
    assert "**Verdict: No emotion recognition found.**" in markdown
    assert "## Emotion-recognition components\n\nNone found." in markdown


def test_suppressed_prohibited_use_keeps_its_verdict_and_says_so(scan_tree: ScanTree) -> None:
    code = FACE.replace("(frame)\n", "(frame)  # emoscan: ignore[EMO001] vendor says it is never enabled\n")
    result = scan_tree({"app.py": code}, WORKPLACE)
    report = build_report(result)
    assert report.summary.outcome is Outcome.PROHIBITED
    (row,) = report.rows
    assert row.suppressed and row.verdict == "P" and row.verdict_label == "Prohibited (suppressed)"
    assert any("suppressed" in caveat for caveat in report.summary.caveats)
    assert "**Suppressed** (inline at `app.py:5`): vendor says it is never enabled" in render_markdown(result)
    assert "vendor says it is never enabled" in render_html(result)


def test_component_hidden_by_a_baseline_is_never_called_informational(
    scan_tree: ScanTree, tmp_path: Path
) -> None:
    scan_tree({"app.py": FACE}, WORKPLACE)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(create_baseline([tmp_path], WORKPLACE, base=tmp_path), encoding="utf-8")
    report = build_report(scan_tree({}, replace(WORKPLACE, baseline=baseline)))
    (row,) = report.rows
    assert (row.verdict, row.verdict_label) == ("B", "In the baseline")
    assert report.summary.outcome is Outcome.REVIEW
    assert any("--baseline" in caveat for caveat in report.summary.caveats)


def test_unreadable_files_and_declaration_errors_are_caveats(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "broken.ipynb": BROKEN_NOTEBOOK,
            "emoscan.toml": '[[deployment]]\ncontext = "office"\n',
            "app.py": FACE,
        }
    )
    report = build_report(result)
    assert any("could not be analysed" in caveat for caveat in report.summary.caveats)
    assert any("declarations have errors" in caveat for caveat in report.summary.caveats)
    markdown = render_markdown(result)
    assert "## Files that could not be read" in markdown
    assert "`broken.ipynb`" in markdown
    assert "## Configuration problems" in markdown
    page = render_html(result)
    assert ">Files that could not be read</h2>" in page
    assert ">Configuration problems</h2>" in page


# --- the component table --------------------------------------------------------------------------


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the first table under `heading`, split on unescaped pipes."""
    section = markdown.split(f"## {heading}\n", 1)[1]
    lines: list[str] = []
    for line in section.splitlines()[1:]:
        if not line.startswith("|"):
            if lines:
                break
            continue
        lines.append(line)
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def test_component_table_rows(scan_tree: ScanTree) -> None:
    markdown = render_markdown(scan_tree({"app.py": FACE, "chat.py": TEXT}, WORKPLACE))
    header, separator, *rows = table_rows(markdown, "Emotion-recognition components")
    assert header == [
        "#",
        "What",
        "Where",
        "Modality",
        "Evidence",
        "Verdict",
        "Article",
        "Declared context",
        "Vendor must provide",
    ]
    assert set(separator) == {"---"}
    assert rows == [
        [
            "1",
            "FER detector emotion inference",
            "`app.py:5`",
            "face (emotion)",
            "2 (call, import)",
            "**P** Prohibited",
            "AI Act Art. 5(1)(f)",
            "workplace (deployment 'command-line')",
            "Removal, or a documented medical/safety exemption",
        ],
        [
            "2",
            "DistilRoBERTa English text emotion classifier (Ekman 6 + neutral)",
            "`chat.py:3`",
            "text (emotion)",
            "2 (import, model-id)",
            "**G** GDPR only",
            "GDPR; AI Act Annex III 4 if it feeds HR decisions",
            "workplace (deployment 'command-line')",
            "GDPR legal basis and transparency",
        ],
    ]


def test_high_risk_and_review_rows_say_what_the_vendor_must_provide(scan_tree: ScanTree) -> None:
    (high,) = report_of(scan_tree, {"app.py": FACE}, STORE).rows
    assert high.vendor_must_provide == HIGH_RISK_DUTIES
    assert high.context == "customer-service (deployment 'command-line')"
    (review,) = build_report(scan_tree({}, Config())).rows
    assert (review.verdict, review.vendor_must_provide, review.context) == (
        "R",
        "The intended deployment context",
        "not declared",
    )


def test_markdown_tables_are_well_formed(scan_tree: ScanTree) -> None:
    markdown = render_markdown(
        scan_tree({"pipe|name.py": FACE, "chat.py": TEXT, "broken.ipynb": BROKEN_NOTEBOOK})
    )
    blocks: list[list[str]] = [[]]
    for line in markdown.splitlines():
        if line.startswith("|"):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    tables = [block for block in blocks if block]
    assert len(tables) == 3  # facts, components, legend
    for table in tables:
        widths = {len(re.split(r"(?<!\\)\|", line)) for line in table}
        assert len(widths) == 1, table
        assert re.fullmatch(r"\|( --- \|)+", table[1]), table[1]
        assert all(line.endswith(" |") for line in table)
    assert "`pipe\\|name.py:5`" in markdown


# --- escaping -------------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>.py"  # a folder "<script>alert(1)<" holding "script>.py"


def test_html_escapes_a_script_in_a_file_name(scan_tree: ScanTree) -> None:
    page = render_html(scan_tree({HOSTILE: FACE}))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/<wbr>script&gt;.py:5" in page


def test_markdown_escapes_a_script_in_a_file_name(scan_tree: ScanTree) -> None:
    markdown = render_markdown(scan_tree({HOSTILE: FACE}))
    assert "`<script>alert(1)</script>.py:5`" in markdown  # inside a code span: shown, not run
    outside_code = re.sub(r"(`+).*?\1", "", markdown)
    assert not re.search(r"(?<!\\)<", outside_code)


def test_html_is_self_contained(scan_tree: ScanTree) -> None:
    page = render_html(scan_tree({"app.py": FACE, "chat.py": TEXT}, STORE))
    assert page.startswith("<!DOCTYPE html>")
    assert "http" not in page
    assert not re.search(r"""(src|href)\s*=\s*(?!["']?#)""", page)  # only in-page anchors
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in page
    assert "@media print" in page


# --- the CLI --------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["markdown", "html", "github"])
def test_cli_formats(tmp_path: Path, output_format: str) -> None:
    (tmp_path / "app.py").write_text(FACE, encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(
        main,
        [
            "scan",
            str(tmp_path),
            "--context",
            "workplace",
            "--subjects",
            "employees",
            "--format",
            output_format,
        ],
    )
    assert done.exit_code == 1, done.output
    expected = {
        "markdown": "# Emotion-recognition report",
        "html": "<!DOCTYPE html>",
        "github": "::error file=",
    }
    assert done.output.startswith(expected[output_format])


# --- GitHub annotations ---------------------------------------------------------------------------


def test_annotation_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotations_for_each_result_and_notice(scan_tree: ScanTree) -> None:
    result = scan_tree({"weird,name:1.py": FACE, "chat.py": TEXT, "broken.ipynb": BROKEN_NOTEBOOK}, WORKPLACE)
    lines = render_github(result).splitlines()
    assert lines[-1].startswith("emoscan ")
    commands = lines[:-1]
    assert (
        "::error file=weird%2Cname%3A1.py,line=5,col=12,endLine=5,endColumn=40,"
        "title=EMO001 prohibited-emotion-recognition::Emotion recognition from faces" in "\n".join(commands)
    )
    assert any(c.startswith("::notice file=chat.py,line=3,") for c in commands)
    assert any(c.startswith("::warning file=broken.ipynb,") and "could not read" in c for c in commands)
    assert len(commands) == len(result.results) + len(result.notices)


def test_annotation_for_an_archive_member_points_at_the_archive() -> None:
    result = Result(
        rule_id="EMO004",
        level=Level.WARNING,
        message="line one\nline two",
        location=Location("vendor.zip!/pkg/config.json", line=7),
        component=None,
        verdict="R",
    )
    assert result_annotation(result) == (
        "::warning file=vendor.zip,title=EMO004 undeclared-emotion-recognition::"
        "In pkg/config.json (line 7): line one%0Aline two"
    )


def test_absolute_paths_are_made_relative_to_the_scan_root() -> None:
    result = Result("EMO004", Level.WARNING, "m", Location("/work/repo/src/app.py", 3, 1), None, "R")
    scan = ScanResult((result,), (), (), (), 1, 1, "c", "t", roots=("/work/repo",))
    assert render_github(scan).startswith("::warning file=src/app.py,line=3,col=1,")


# --- headless Chromium ----------------------------------------------------------------------------

CHROMIUM_INSTALL = "apt-get install -y chromium"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = f"headless Chromium is not installed ({CHROMIUM_INSTALL})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run_chromium(browser: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_html_report_renders_in_headless_chromium(scan_tree: ScanTree, tmp_path: Path) -> None:
    browser = chromium()
    result = scan_tree({HOSTILE: FACE, "chat.py": TEXT, "services/calls.py": FACE}, STORE)
    page = tmp_path / "report.html"
    page.write_text(render_html(result), encoding="utf-8")
    url = page.as_uri()

    dom = run_chromium(browser, tmp_path / "profile-dom", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr
    assert 'id="summary"' in dom.stdout
    assert "High-risk emotion recognition found" in dom.stdout
    assert "<script" not in dom.stdout  # the hostile file name stayed text

    screenshot = tmp_path / "report.png"
    shot = run_chromium(
        browser,
        tmp_path / "profile-shot",
        "--enable-logging=stderr",
        "--v=0",
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        url,
    )
    assert shot.returncode == 0, shot.stderr
    assert png_size(screenshot) == (1280, 2000)
    assert screenshot.stat().st_size > 20_000  # a blank page compresses to a few kilobytes
    console = [line for line in shot.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
