"""The GitHub Action: action.yml's metadata, and its scan script run end to end as the runner would
run it (inputs in the environment, a GITHUB_OUTPUT file to append to)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from scanner.api import scan
from scanner.config import Config
from scanner.findings import Level

REPO = Path(__file__).resolve().parent.parent
ACTION = REPO / "action.yml"
SCRIPT = REPO / "scripts" / "action.py"
WORKFLOW = REPO / "examples" / "workflows" / "emoscan.yml"
EXAMPLE = "examples/shop-assistant"
FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
SCRIPT_ENV = {
    "EMOSCAN_PATHS",
    "EMOSCAN_CONTEXT",
    "EMOSCAN_SUBJECTS",
    "EMOSCAN_FAIL_LEVEL",
    "EMOSCAN_SARIF_FILE",
    "EMOSCAN_ANNOTATIONS",
}


def load_action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps() -> list[dict[str, Any]]:
    found = load_action()["runs"]["steps"]
    assert isinstance(found, list)
    return found


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in steps() if s.get("id") == step_id)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("emoscan_action_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


# --- metadata --------------------------------------------------------------------------------------


def test_action_is_valid_against_github_schema() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_example_workflow_is_valid_against_github_schema() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_is_composite_and_declares_its_inputs_and_outputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "context",
        "subjects",
        "fail-level",
        "sarif-file",
        "upload",
        "annotations",
        "category",
    }
    assert set(action["outputs"]) == {"sarif-file", "errors", "warnings", "notes", "total", "exit-code"}
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"


def test_every_input_is_used() -> None:
    text = ACTION.read_text(encoding="utf-8")
    for name in load_action()["inputs"]:
        assert re.search(rf"\binputs\.{re.escape(name)}\b", text), f"input {name!r} is never used"


def test_no_expression_inside_run() -> None:
    """Template injection: inputs and github context reach the shell only through `env:`."""
    for item in steps():
        if "run" in item:
            assert "${{" not in item["run"], item["run"]
            assert item.get("shell") == "bash"


def test_actions_used_are_pinned_by_full_commit_sha() -> None:
    used = [s["uses"] for s in steps() if "uses" in s]
    assert used, "expected the upload step"
    for reference in used:
        assert FULL_SHA.match(reference), reference
    upload = next(s for s in steps() if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["category"] == "${{ inputs.category }}"
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert "inputs.upload == 'true'" in upload["if"]
    assert "!cancelled()" in upload["if"]


def test_example_workflow_pins_third_party_actions_and_grants_least_permissions() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["emoscan"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    for item in job["steps"]:
        reference = item.get("uses", "")
        if reference.startswith("actions/"):
            assert FULL_SHA.match(reference), reference
        assert "${{" not in item.get("run", "")


def test_scan_step_passes_every_setting_through_env_to_the_script() -> None:
    scan_step = step("scan")
    env = scan_step["env"]
    assert set(env) >= SCRIPT_ENV
    assert env["EMOSCAN_PATHS"] == "${{ inputs.paths }}"
    assert "scripts/action.py" in scan_step["run"]
    for name in SCRIPT_ENV:
        assert name in SCRIPT.read_text(encoding="utf-8")


def test_install_step_installs_from_the_action_checkout() -> None:
    run = step("install")["run"]
    assert '"$GITHUB_ACTION_PATH[models]"' in run
    assert "pip install" in run


# --- the script, end to end -----------------------------------------------------------------------


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT in both the `name=value` and the `name<<DELIMITER` forms."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


def run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    github_output = tmp_path / "github_output"
    github_output.write_text("previous=kept\n", encoding="utf-8")  # the runner's file may hold others
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(github_output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "EMOSCAN_SARIF_FILE": str(tmp_path / "out" / "emoscan.sarif"),
        **inputs,
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done, parse_outputs(github_output.read_text(encoding="utf-8"))


def expected_counts(config: Config) -> dict[str, str]:
    result = scan([REPO / EXAMPLE], config, base=REPO)
    counts = {level: sum(1 for r in result.results if r.level is level) for level in Level}
    return {
        "errors": str(counts[Level.ERROR]),
        "warnings": str(counts[Level.WARNING]),
        "notes": str(counts[Level.NOTE]),
        "total": str(len(result.results)),
    }


def test_scan_writes_sarif_and_outputs_and_fails_on_warnings(tmp_path: Path) -> None:
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=EXAMPLE)
    assert done.returncode == 1, done.stdout + done.stderr
    sarif_file = tmp_path / "out" / "emoscan.sarif"
    assert outputs["previous"] == "kept"
    assert outputs["sarif-file"] == str(sarif_file)
    assert outputs["exit-code"] == "1"
    log = json.loads(sarif_file.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert {k: outputs[k] for k in ("errors", "warnings", "notes", "total")} == expected_counts(Config())
    assert outputs["total"] == str(len(results))
    assert int(outputs["errors"]) >= 1
    summary = (tmp_path / "step_summary.md").read_text(encoding="utf-8")
    assert f"emoscan: {outputs['total']} results" in summary
    assert "::error" not in done.stdout  # annotations are off by default


def test_fail_level_none_never_fails_on_results(tmp_path: Path) -> None:
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=EXAMPLE, EMOSCAN_FAIL_LEVEL="none")
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs["exit-code"] == "0"
    assert int(outputs["total"]) > 0


def test_context_and_subjects_reach_emoscan(tmp_path: Path) -> None:
    done, outputs = run_action(
        tmp_path,
        EMOSCAN_PATHS=EXAMPLE,
        EMOSCAN_CONTEXT="workplace",
        EMOSCAN_SUBJECTS="employees",
        EMOSCAN_FAIL_LEVEL="error",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    expected = expected_counts(Config(context="workplace", subjects=("employees",)))
    assert {k: outputs[k] for k in expected} == expected
    assert "EMO001" in (tmp_path / "out" / "emoscan.sarif").read_text(encoding="utf-8")


def test_annotations_print_workflow_commands(tmp_path: Path) -> None:
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=EXAMPLE, EMOSCAN_ANNOTATIONS="true")
    assert done.returncode == 1, done.stdout + done.stderr
    commands = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == int(outputs["total"])
    assert all(re.match(r"^::(error|warning|notice) file=examples/shop-assistant/", c) for c in commands)


def test_invalid_input_is_a_usage_error_without_sarif(tmp_path: Path) -> None:
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=EXAMPLE, EMOSCAN_FAIL_LEVEL="critical")
    assert done.returncode == 2
    assert "::error title=emoscan action::fail-level" in done.stdout
    assert outputs["exit-code"] == "2"
    assert not (tmp_path / "out" / "emoscan.sarif").exists()


def test_unknown_context_is_a_usage_error_and_nothing_is_uploaded(tmp_path: Path) -> None:
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=EXAMPLE, EMOSCAN_CONTEXT="office")
    assert done.returncode == 2
    assert outputs["sarif-file"] == ""  # the upload step's condition skips it
    assert outputs["total"] == "0"


def test_nothing_to_scan_exits_3_with_an_empty_log(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done, outputs = run_action(tmp_path, EMOSCAN_PATHS=str(empty))
    assert done.returncode == 3, done.stdout + done.stderr
    assert outputs["total"] == "0"
    assert outputs["sarif-file"]


# --- the script's pieces ---------------------------------------------------------------------------


def test_paths_allow_quotes_and_newlines() -> None:
    script = load_script()
    inputs = script.read_inputs({"EMOSCAN_PATHS": 'src\n"my models" app.py'})
    assert inputs.paths == ("src", "my models", "app.py")
    assert script.read_inputs({}).paths == (".",)


def test_arguments_end_options_before_paths() -> None:
    script = load_script()
    inputs = script.read_inputs({"EMOSCAN_PATHS": "-weird", "EMOSCAN_COMMAND": "emoscan"})
    arguments = script.scan_arguments(inputs, "sarif")
    assert arguments[:4] == ["emoscan", "scan", "--format", "sarif"]
    assert arguments[-2:] == ["--", "-weird"]


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_boolean_inputs_are_checked(value: str) -> None:
    script = load_script()
    with pytest.raises(script.InputError):
        script.read_inputs({"EMOSCAN_ANNOTATIONS": value})


def test_outputs_use_a_delimiter_no_value_can_hold() -> None:
    script = load_script()
    text = script.output_lines({"sarif-file": "a\nb", "total": "3"})
    assert parse_outputs(text) == {"sarif-file": "a\nb", "total": "3"}
