"""SARIF reporter: structure of the log, the SARIF 2.1.0 JSON schema, and the Microsoft SARIF multitool
with its GitHub rules.

The schema and the multitool come from the npm package @microsoft/sarif-multitool (its platform package
ships both the native `Sarif.Multitool` binary and `sarif-2.1.0.json`). The binary is found through
EMOSCAN_SARIF_MULTITOOL, else under `<repo>/node_modules` or `~/.cache/emoscan-ci/node_modules`. When it is
missing the validator tests fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scanner import api
from scanner.findings import (
    Capability,
    Component,
    Confidence,
    Evidence,
    EvidenceKind,
    Level,
    Location,
    Modality,
    Notice,
    NoticeKind,
    Result,
    ScanResult,
    Strength,
)
from scanner.output.sarif import render_sarif
from scanner.rules import RULES

REPO = Path(__file__).resolve().parents[1]

UNICODE_PATH = "src/my app/émotion 😀.py"
UNICODE_URI = "src/my%20app/%C3%A9motion%20%F0%9F%98%80.py"


# --- hand-built scans ----------------------------------------------------------------------------


def evidence(
    kind: EvidenceKind,
    signature_id: str,
    location: Location,
    summary: str,
    strength: Strength = Strength.DIRECT,
    modality: Modality = Modality.FACE,
) -> Evidence:
    return Evidence(kind, signature_id, location, summary, modality, Capability.EMOTION, strength)


def face_result(path: str = "app/interview.py") -> Result:
    """DeepFace emotion analysis in a workplace deployment, with its evidence chain."""
    imports = evidence(
        EvidenceKind.IMPORT,
        "deepface.import",
        Location(path, 1, 1, end_line=1, end_column=29),
        "imports deepface",
        Strength.ARTIFACT,
    )
    camera = evidence(
        EvidenceKind.BIOMETRIC_INPUT,
        "opencv.video-capture",
        Location(path, 8, 9, end_line=8, end_column=33),
        "camera capture with cv2.VideoCapture",
        Strength.ENABLER,
    )
    call = evidence(
        EvidenceKind.CALL,
        "deepface.analyze.emotion",
        Location(path, 12, 5, end_line=12, end_column=48),
        "DeepFace.analyze with actions=('emotion',)",
    )
    component = Component(
        path, Modality.FACE, Capability.EMOTION, Confidence.HIGH, (imports, camera, call), call, "DeepFace"
    )
    return Result(
        "EMO001",
        Level.ERROR,
        "DeepFace emotion analysis in deployment 'hr-interviews' (workplace, candidates)",
        call.location,
        component,
        "prohibited",
        properties=(("deployment", "hr-interviews"), ("context", "workplace"), ("verdict", "overridden")),
    )


def model_result() -> Result:
    """An ONNX model inside a vendor archive whose metadata lists emotion labels."""
    labels = evidence(
        EvidenceKind.LABELS,
        "vocab.fer2013",
        Location("vendor.zip!/pkg/fer.onnx", logical="metadata_props.labels"),
        "FER-2013 emotion labels in the model metadata.",
        Strength.ARTIFACT,
        Modality.UNKNOWN,
    )
    config = evidence(
        EvidenceKind.MODEL_CONFIG,
        "hf.id2label.emotion",
        Location("vendor.zip!/pkg/config.json", 7, 3, end_line=15, end_column=4),
        "id2label lists angry, happy, sad",
        Strength.ARTIFACT,
    )
    component = Component(
        "vendor.zip!/pkg",
        Modality.FACE,
        Capability.EMOTION,
        Confidence.MEDIUM,
        (labels, config),
        labels,
        "ONNX emotion classifier",
    )
    return Result(
        "EMO004",
        Level.WARNING,
        "ONNX emotion classifier in a path that no deployment declaration covers.",
        labels.location,
        component,
        "undeclared",
    )


NOTICES = (
    Notice("broken.py", NoticeKind.PARSE_ERROR, "invalid syntax at line 3", line=3),
    Notice("vendor.zip!/pkg/weights.h5", NoticeKind.PARTIAL, "HDF5 attribute table truncated", fatal=False),
)


def scan(
    results: tuple[Result, ...] = (),
    notices: tuple[Notice, ...] = (),
    roots: tuple[str, ...] = (),
    tool_version: str = "0.1.0",
) -> ScanResult:
    components = tuple(result.component for result in results if result.component is not None)
    return ScanResult(
        results=results,
        components=components,
        evidence=tuple(item for component in components for item in component.evidence),
        notices=notices,
        files_scanned=12,
        files_analysed=5,
        catalog_version="2025.06.1",
        tool_version=tool_version,
        roots=roots,
    )


def full_scan(roots: tuple[str, ...] = ("/home/ci/work/emo app",)) -> ScanResult:
    return scan((face_result(), model_result(), face_result(UNICODE_PATH)), NOTICES, roots)


def render(scan_result: ScanResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_sarif(scan_result))
    return data


def run_of(scan_result: ScanResult) -> dict[str, Any]:
    run: dict[str, Any] = render(scan_result)["runs"][0]
    return run


# A small project for the real pipeline (discovery, analyzers, correlation, policy).
PROJECT = {
    "app/interview cam é.py": (
        "from deepface import DeepFace\n"
        "import cv2\n"
        "frame = cv2.VideoCapture(0).read()[1]\n"
        "DeepFace.analyze(frame, actions=['emotion'])\n"
    ),
    "requirements.txt": "deepface==0.0.93\n",
    "chat.py": (
        "from transformers import pipeline\n"
        "classify = pipeline('text-classification', model='j-hartmann/emotion-english-distilroberta-base')\n"
    ),
    "broken.py": "def f(:\n",
}


def pipeline_scan(root: Path) -> ScanResult:
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return api.scan([root], base=root)


# Logs that the schema and the multitool must accept, by name.
SAMPLES: dict[str, ScanResult] = {
    "full": full_scan(),
    "relative-roots": full_scan(roots=("app", "vendor.zip")),
    "notices-only": scan(notices=NOTICES, roots=("/srv/check",)),
    "empty": scan(),
    "dev-version": scan((model_result(),), tool_version="0.2.0.dev3+g1a2b3c"),
    "declaration-error": scan(
        (Result("EMO008", Level.ERROR, "TOML syntax error", Location("emoscan.toml", 3, 9), None, "invalid"),)
    ),
}


# --- log, tool and rules -------------------------------------------------------------------------


def test_log_header_comes_first() -> None:
    log = render(full_scan())
    assert list(log)[:3] == ["$schema", "version", "runs"]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_driver_names_tool_versions_and_catalogue() -> None:
    driver = run_of(full_scan())["tool"]["driver"]
    assert driver["name"] == "emoscan"
    assert driver["version"] == "0.1.0"
    assert driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/emoscan/emoscan"
    assert driver["properties"] == {"catalogVersion": "2025.06.1"}


def test_semantic_version_is_left_out_when_the_version_is_not_semver() -> None:
    driver = run_of(SAMPLES["dev-version"])["tool"]["driver"]
    assert driver["version"] == "0.2.0.dev3+g1a2b3c"
    assert "semanticVersion" not in driver


def test_every_rule_is_described_in_id_order() -> None:
    rules = run_of(scan())["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(RULES)
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.short
        assert descriptor["fullDescription"]["text"].startswith(rule.what)
        assert descriptor["help"]["markdown"] == rule.markdown()
        assert descriptor["help"]["text"].startswith(f"{rule.id} {rule.name}\n")
        assert "```" not in descriptor["help"]["text"]
        assert descriptor["helpUri"].startswith("https://github.com/emoscan/emoscan/blob/main/docs/rules.md#")
        assert descriptor["defaultConfiguration"] == {"level": rule.level.value}
        properties = descriptor["properties"]
        assert float(properties["security-severity"]) == rule.security_severity
        assert properties["precision"] == rule.precision
        assert properties["tags"] == list(rule.tags)
        expected = {"error": "error", "warning": "warning", "note": "recommendation"}[rule.level.value]
        assert properties["problem.severity"] == expected


def test_help_text_keeps_code_comments_and_drops_markup() -> None:
    rules = {rule["id"]: rule for rule in run_of(scan())["tool"]["driver"]["rules"]}
    text = rules["EMO001"]["help"]["text"]
    assert "\n    # deployment: hr-interviews (workplace, candidates)\n" in text
    assert "\nWhat it finds\n" in text
    assert "## " not in text
    assert text.rstrip().endswith("confirm how the law applies.")


def test_columns_are_declared_as_code_points() -> None:
    assert run_of(scan())["columnKind"] == "unicodeCodePoints"


def test_no_fingerprints_are_written() -> None:
    text = render_sarif(full_scan())
    assert "partialFingerprints" not in text
    assert "fingerprints" not in text.lower()


def test_output_is_ascii_json_and_deterministic() -> None:
    first = render_sarif(full_scan())
    assert first.isascii()
    assert first.endswith("}\n")
    assert render_sarif(full_scan()) == first


def test_include_suppressed_changes_nothing_while_nothing_is_suppressed() -> None:
    assert render_sarif(full_scan(), include_suppressed=True) == render_sarif(full_scan())


# --- results -------------------------------------------------------------------------------------


def test_face_result_points_at_the_call() -> None:
    run = run_of(full_scan())
    result = run["results"][0]
    assert result["ruleId"] == "EMO001"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "EMO001"
    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "DeepFace emotion analysis in deployment 'hr-interviews' (workplace, candidates)."
    )
    (location,) = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "app/interview.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 5, "endLine": 12, "endColumn": 48},
    }
    assert "logicalLocations" not in location


def test_rule_index_matches_the_rules_array_for_every_result() -> None:
    run = run_of(full_scan())
    rules = run["tool"]["driver"]["rules"]
    assert [result["ruleId"] for result in run["results"]] == ["EMO001", "EMO004", "EMO001"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_warning_level_is_written_explicitly() -> None:
    result = run_of(full_scan())["results"][1]
    assert result["ruleId"] == "EMO004"
    assert result["level"] == "warning"
    # Already a sentence: no second period.
    assert (
        result["message"]["text"]
        == "ONNX emotion classifier in a path that no deployment declaration covers."
    )


def test_evidence_chain_becomes_related_locations() -> None:
    related = run_of(full_scan())["results"][0]["relatedLocations"]
    assert [item["id"] for item in related] == [1, 2, 3]
    assert [item["message"]["text"] for item in related] == [
        "imports deepface.",
        "camera capture with cv2.VideoCapture.",
        "DeepFace.analyze with actions=('emotion',).",
    ]
    assert related[1]["physicalLocation"] == {
        "artifactLocation": {"uri": "app/interview.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8, "startColumn": 9, "endLine": 8, "endColumn": 33},
    }


def test_result_properties_describe_the_component() -> None:
    properties = run_of(full_scan())["results"][0]["properties"]
    assert properties == {
        "component": "DeepFace",
        "modality": "face",
        "capability": "emotion",
        "confidence": "high",
        # The reporter's own facts win over a Result.properties pair of the same name.
        "verdict": "prohibited",
        "signatures": ["deepface.import", "opencv.video-capture", "deepface.analyze.emotion"],
        "deployment": "hr-interviews",
        "context": "workplace",
    }


def test_model_result_has_a_logical_location() -> None:
    result = run_of(full_scan())["results"][1]
    (location,) = result["locations"]
    assert location["logicalLocations"] == [
        {"name": "metadata_props.labels", "fullyQualifiedName": "metadata_props.labels", "kind": "member"}
    ]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "vendor.zip!/pkg/fer.onnx", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1},
    }
    assert result["properties"]["logicalLocation"] == "metadata_props.labels"
    labels, config = result["relatedLocations"]
    assert labels["logicalLocations"][0]["fullyQualifiedName"] == "metadata_props.labels"
    assert config["physicalLocation"]["artifactLocation"]["uri"] == "vendor.zip!/pkg/config.json"
    assert config["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 3,
        "endLine": 15,
        "endColumn": 4,
    }


def test_result_related_locations_beyond_the_evidence_are_kept() -> None:
    base = face_result()
    extra = Location("app/settings.py", 4)
    result = Result(
        base.rule_id, base.level, base.message, base.location, base.component, base.verdict, related=(extra,)
    )
    related = run_of(scan((result,)))["results"][0]["relatedLocations"]
    assert related[-1]["id"] == 4
    assert related[-1]["physicalLocation"]["artifactLocation"]["uri"] == "app/settings.py"
    assert related[-1]["message"]["text"] == "Related to this result."


def test_declaration_result_without_a_component() -> None:
    location = Location("pyproject.toml", 14, 11, end_line=14, end_column=19)
    result = Result(
        "EMO008",
        Level.ERROR,
        "unknown context 'office' in deployment 'hr'",
        location,
        None,
        "invalid",
        properties=(("deployment", "hr"),),
    )
    run = run_of(scan((result,)))
    (sarif_result,) = run["results"]
    assert run["tool"]["driver"]["rules"][sarif_result["ruleIndex"]]["id"] == "EMO008"
    assert sarif_result["level"] == "error"
    assert sarif_result["message"]["text"] == "unknown context 'office' in deployment 'hr'."
    assert sarif_result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 14,
        "startColumn": 11,
        "endLine": 14,
        "endColumn": 19,
    }
    assert "relatedLocations" not in sarif_result
    assert sarif_result["properties"] == {"verdict": "invalid", "deployment": "hr"}


def test_an_end_before_the_start_is_dropped() -> None:
    base = face_result()
    location = Location("app/interview.py", 12, 20, end_line=11, end_column=3)
    result = Result(base.rule_id, base.level, base.message, location, base.component, base.verdict)
    region = run_of(scan((result,)))["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 12, "startColumn": 20}


# --- URIs ----------------------------------------------------------------------------------------


def test_spaces_and_non_ascii_are_percent_encoded() -> None:
    result = run_of(full_scan())["results"][2]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": UNICODE_URI, "uriBaseId": "%SRCROOT%"}
    assert unquote(artifact["uri"]) == UNICODE_PATH


def test_single_absolute_root_defines_srcroot() -> None:
    run = run_of(full_scan(roots=("/home/ci/work/emo app",)))
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///home/ci/work/emo%20app/"}}


@pytest.mark.parametrize("roots", [(), ("app",), ("/srv/a", "/srv/b")])
def test_srcroot_is_left_undefined_without_a_single_absolute_root(roots: tuple[str, ...]) -> None:
    run = run_of(full_scan(roots=roots))
    assert "originalUriBaseIds" not in run
    for result in run["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:"))


def test_absolute_paths_under_the_root_become_relative() -> None:
    result = face_result("/srv/check/app/interview.py")
    artifact = run_of(scan((result,), roots=("/srv/check",)))["results"][0]["locations"][0]
    assert artifact["physicalLocation"]["artifactLocation"] == {
        "uri": "app/interview.py",
        "uriBaseId": "%SRCROOT%",
    }


def test_absolute_paths_outside_the_root_stay_absolute_file_uris() -> None:
    result = face_result("/opt/other place/x.py")
    artifact = run_of(scan((result,), roots=("/srv/check",)))["results"][0]["locations"][0]
    assert artifact["physicalLocation"]["artifactLocation"] == {"uri": "file:///opt/other%20place/x.py"}


_SEGMENT = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12).filter(
    lambda segment: segment not in {".", ".."}
)


@given(st.lists(_SEGMENT, min_size=1, max_size=4))
def test_relative_uris_round_trip_and_use_only_uri_characters(segments: list[str]) -> None:
    path = "/".join(segments)
    # "C:/..." is how a Windows absolute path looks with forward slashes, so it is not relative.
    assume(not re.match(r"^[A-Za-z]:/", path))
    result = face_result(path)
    run = run_of(scan((result,)))
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uriBaseId"] == "%SRCROOT%"
    assert unquote(artifact["uri"]) == path
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/!")
    assert set(artifact["uri"]) <= allowed


# --- invocation and notices ----------------------------------------------------------------------


def test_notices_become_tool_execution_notifications() -> None:
    (invocation,) = run_of(full_scan())["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["properties"] == {"filesScanned": 12, "filesAnalysed": 5}
    fatal, partial = invocation["toolExecutionNotifications"]
    assert fatal == {
        "message": {"text": "broken.py: invalid syntax at line 3."},
        "descriptor": {"id": "parse-error"},
        "level": "error",
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "broken.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3},
                }
            }
        ],
    }
    assert partial["level"] == "warning"
    assert partial["descriptor"] == {"id": "partial"}
    assert partial["message"]["text"] == "vendor.zip!/pkg/weights.h5: HDF5 attribute table truncated."
    assert partial["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "vendor.zip!/pkg/weights.h5", "uriBaseId": "%SRCROOT%"}
    }


def test_non_fatal_notices_keep_execution_successful() -> None:
    (invocation,) = run_of(scan(notices=NOTICES[1:]))["invocations"]
    assert invocation["executionSuccessful"] is True
    assert [item["level"] for item in invocation["toolExecutionNotifications"]] == ["warning"]


def test_empty_scan() -> None:
    run = run_of(scan())
    assert run["results"] == []
    assert run["invocations"] == [
        {"executionSuccessful": True, "properties": {"filesScanned": 12, "filesAnalysed": 5}}
    ]
    assert len(run["tool"]["driver"]["rules"]) == len(RULES)


# --- the SARIF 2.1.0 JSON schema -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator(multitool: Path) -> jsonschema.protocols.Validator:
    # The platform package ships the SARIF 2.1.0 schema next to the binary.
    schema_path = multitool.parent / "sarif-2.1.0.json"
    if not schema_path.is_file():
        pytest.fail(f"no SARIF schema at {schema_path}")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(
        schema, format_checker=validator_class.FORMAT_CHECKER
    )
    return validator


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_log_matches_the_sarif_schema(name: str, sarif_validator: jsonschema.protocols.Validator) -> None:
    log = render(SAMPLES[name])
    errors = [f"{error.json_path}: {error.message}" for error in sarif_validator.iter_errors(log)]
    assert errors == []


def test_pipeline_log_matches_the_sarif_schema(
    tmp_path: Path, sarif_validator: jsonschema.protocols.Validator
) -> None:
    scan_result = pipeline_scan(tmp_path)
    assert scan_result.results, "the pipeline found nothing in the sample project"
    run = render(scan_result)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert (tmp_path / unquote(artifact["uri"])).is_file()
    errors = [
        f"{error.json_path}: {error.message}" for error in sarif_validator.iter_errors(render(scan_result))
    ]
    assert errors == []


def test_schema_validation_catches_a_broken_log(sarif_validator: jsonschema.protocols.Validator) -> None:
    log = render(full_scan())
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not sarif_validator.is_valid(log)


# --- the Microsoft SARIF multitool ---------------------------------------------------------------

# GH1001-GH1007 are disabled by default in the multitool (5.x): `--rule-kind "Sarif;Gh"` alone runs none
# of them. This policy turns them on as errors. It also turns off SARIF2006, which sends an HTTP GET to
# every URI in the log (a note at most, and no network is wanted in tests); the multitool reports that
# as its own configuration warning WRN999, not as a result.
MULTITOOL_POLICY = """<?xml version="1.0" encoding="utf-8"?>
<Properties>
{rules}
</Properties>
""".format(
    rules="\n".join(
        f'  <Properties Key="{rule}.Options">\n'
        f'    <Property Key="RuleEnabled" Value="{state}" Type="Driver.RuleEnabledState" />\n'
        "  </Properties>"
        for rule, state in (
            ("GH1001.ProvideRequiredLocationProperties", "Error"),
            ("GH1002.InlineThreadFlowLocations", "Error"),
            ("GH1003.ProvideRequiredRegionProperties", "Error"),
            ("GH1004.ReviewArraysThatExceedConfigurableDefaults", "Error"),
            ("GH1005.LocationsMustBeRelativeUrisOrFilePaths", "Error"),
            ("GH1006.ProvideCheckoutPath", "Error"),
            ("GH1007.ProvideFullyFormattedMessageStrings", "Error"),
            ("SARIF2006.UrisShouldBeReachable", "Disabled"),
        )
    )
)

# Notes the multitool gives on purpose-built logs like ours, and why each is accepted.
ACCEPTED_NOTES = {
    "SARIF2002",  # use message ids and arguments: GitHub needs message.text (GH1007)
    "SARIF2003",  # versionControlProvenance: GitHub's upload step records the commit
    "SARIF2010",  # code snippets: the reporter never reads scanned files, and vendor code stays out
    "SARIF2011",  # context regions: as SARIF2010
    "SARIF2012",  # Pascal-case rule names: emoscan's names are kebab-case by design
}


def _validate(multitool: Path, logs: list[Path], output: Path) -> tuple[dict[str, Any], str]:
    policy = output.with_suffix(".policy.xml")
    policy.write_text(MULTITOOL_POLICY, encoding="utf-8")
    env = dict(os.environ)
    # The .NET runtime aborts without ICU; invariant globalization needs none and changes nothing here.
    env.setdefault("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
    command = [
        str(multitool),
        "validate",
        *map(str, logs),
        "--rule-kind",
        "Sarif;Gh",
        "--config",
        str(policy),
        "--level",
        "Error;Warning;Note",
        "--output",
        str(output),
        "--log",
        "ForceOverwrite",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    console = f"$ {' '.join(command)}\n{completed.stdout}\n{completed.stderr}"
    assert completed.returncode == 0, console
    assert output.is_file(), console
    log: dict[str, Any] = json.loads(output.read_text(encoding="utf-8-sig"))
    return log, console


def _findings(log: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(file URI, level, rule id) for every result of a multitool log."""
    for run in log["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        for result in run.get("results", []):
            if result.get("kind", "fail") != "fail":
                continue
            level = result.get("level")
            if level is None and "ruleIndex" in result:
                level = rules[result["ruleIndex"]].get("defaultConfiguration", {}).get("level")
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            yield uri, level or "warning", result["ruleId"]


def _tool_problems(log: dict[str, Any]) -> list[str]:
    """Errors the multitool had itself (a file it could not read or parse), not results."""
    problems = []
    for run in log["runs"]:
        for invocation in run.get("invocations", []):
            if invocation.get("executionSuccessful") is False:
                problems.append("executionSuccessful is false")
            for notification in invocation.get("toolExecutionNotifications", []):
                if notification.get("level", "warning") == "error":
                    problems.append(json.dumps(notification["message"]))
    return problems


@pytest.fixture(scope="module")
def multitool_report(
    multitool: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, list[tuple[str, str]]], str]:
    """Validate every sample log in one multitool run: findings (level, rule) by sample name."""
    folder = tmp_path_factory.mktemp("sarif")
    samples = {**SAMPLES, "pipeline": pipeline_scan(tmp_path_factory.mktemp("project"))}
    files = {}
    for name, scan_result in samples.items():
        files[name] = folder / f"{name}.sarif"
        files[name].write_text(render_sarif(scan_result), encoding="utf-8")
    log, console = _validate(multitool, list(files.values()), folder / "validation.sarif")
    assert _tool_problems(log) == [], console
    by_uri = {path.resolve().as_uri(): name for name, path in files.items()}
    findings: dict[str, list[tuple[str, str]]] = {name: [] for name in files}
    for uri, level, rule_id in _findings(log):
        findings[by_uri[uri]].append((level, rule_id))
    return findings, console


@pytest.mark.parametrize("name", [*sorted(SAMPLES), "pipeline"])
def test_multitool_finds_no_errors_or_warnings(
    name: str, multitool_report: tuple[dict[str, list[tuple[str, str]]], str]
) -> None:
    findings, console = multitool_report
    # Every log draws some notes (SARIF2003 at least): none at all would mean it was never analysed.
    assert findings[name], console
    problems = [finding for finding in findings[name] if finding[0] in ("error", "warning")]
    assert problems == [], console
    unexpected_notes = {rule for level, rule in findings[name] if level == "note"} - ACCEPTED_NOTES
    assert unexpected_notes == set(), console


def test_multitool_runs_the_github_rules(multitool: Path, tmp_path: Path) -> None:
    """A control: the same validation flags a log that GitHub would reject, so a clean run means it."""
    log = render(full_scan())
    result = log["runs"][0]["results"][0]
    del result["locations"][0]["physicalLocation"]["region"]
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"] = {
        "uri": "file:///srv/check/model.onnx"
    }
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log), encoding="utf-8")
    report, console = _validate(multitool, [broken], tmp_path / "validation.sarif")
    errors = {rule for _, level, rule in _findings(report) if level == "error"}
    assert {"GH1003", "GH1006"} <= errors, console
