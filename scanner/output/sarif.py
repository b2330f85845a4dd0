"""SARIF 2.1.0 reporter, built on the sarif-om object model.

The log is meant for GitHub code scanning and passes the Microsoft SARIF multitool's `Sarif` and `Gh`
validation rules (GH1001-GH1007 included, which the multitool runs only when a policy file enables
them; tests/test_sarif.py has one):

- every rule in `scanner.rules.RULES` is listed (in id order) with its help text, help markdown,
  `security-severity`, `precision`, `problem.severity` and tags; results point at it by `ruleId` and
  `ruleIndex`;
- locations are relative URI references with `uriBaseId` `%SRCROOT%`, percent-encoded per RFC 3986;
  archive members keep their `!/` separator (`vendor.zip!/pkg/config.json`). When `ScanResult.roots` is a
  single absolute path, it is taken to be the directory that relative paths are relative to: it becomes
  `%SRCROOT%` in `originalUriBaseIds`, and absolute paths under it are made relative. Otherwise
  `%SRCROOT%` is left for the consumer to define (GitHub takes it as the repository root);
- the evidence chain of a result's component becomes its `relatedLocations`; a place inside a binary
  artifact (`Location.logical`) becomes a logical location;
- per-file problems become `toolExecutionNotifications`, and `executionSuccessful` is the scan's real
  status;
- no `partialFingerprints`: GitHub's upload step computes them from the file contents, and a value
  computed any other way is reported as inconsistent.

Columns are 1-based Unicode code points, as in `scanner.findings.Location` (`columnKind`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from scanner.findings import Evidence, Level, Location, Notice, Result, ScanResult, Suppression
from scanner.output import indented_json
from scanner.rules import RULES, Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "emoscan"
TOOL_FULL_NAME = "emoscan emotion-recognition scanner"
INFORMATION_URI = "https://github.com/emoscan/emoscan"
RULES_DOC_URI = "https://github.com/emoscan/emoscan/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"

# GitHub code scanning reads `problem.severity` for results that are not security alerts.
_PROBLEM_SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}

# Semantic Versioning 2.0.0, as given in its specification.
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

# Characters left as they are in a relative reference: the path separator, and "!" which separates an
# archive from its member. Everything else outside RFC 3986's unreserved set is percent-encoded, which
# also keeps a ":" in the first segment from reading as a URI scheme.
_RELATIVE_SAFE = "/!"
# In an absolute file URI the path may keep ":" (a Windows drive letter).
_ABSOLUTE_SAFE = "/!:"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")

# Fields written even when they hold sarif-om's default value. An absent `level` does not mean the
# schema default "warning": for a result it means "the rule's default level" (SARIF 3.27.10).
_ALWAYS_WRITTEN = frozenset({"level"})


def render_sarif(scan: ScanResult, *, include_suppressed: bool = False) -> str:
    """Render `scan` as a SARIF 2.1.0 log (JSON text ending with a newline). Pure: no I/O.

    Suppressed results (a finding the user silenced with a reason) are left out by default: GitHub
    does not honour SARIF suppressions and would open alerts for them. With `include_suppressed=True`
    they are written with a SARIF `suppressions` entry (kind inSource or external, with the reason).
    """
    rules = [RULES[rule_id] for rule_id in sorted(RULES)]
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    root = _single_absolute_root(scan.roots)
    run = om.Run(
        tool=om.Tool(driver=_driver(scan, rules)),
        results=[_result(result, rule_index, root) for result in scan.results]
        + [
            _suppressed_result(result, suppression, rule_index, root)
            for result, suppression in (scan.suppressed if include_suppressed else ())
        ],
        invocations=[_invocation(scan, root)],
        column_kind="unicodeCodePoints",
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_base_uri(root))} if root else None,
    )
    log = om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SCHEMA_URI)
    document = _attrs_to_json(log)
    # `$schema` and `version` first, as a reader expects them.
    ordered = {"$schema": document.pop("$schema"), "version": document.pop("version"), **document}
    # ASCII-only JSON (non-ASCII text as \u escapes): the same log whatever encoding the caller writes.
    return indented_json.dumps(ordered, ensure_ascii=True) + "\n"


# --- tool and rules ------------------------------------------------------------------------------


def _driver(scan: ScanResult, rules: list[Rule]) -> Any:
    return om.ToolComponent(
        name=TOOL_NAME,
        full_name=TOOL_FULL_NAME,
        version=scan.tool_version,
        # SARIF requires SemVer here; a version that is not (a PEP 440 dev build) is left to `version`.
        semantic_version=scan.tool_version if _SEMVER.match(scan.tool_version) else None,
        information_uri=INFORMATION_URI,
        rules=[_rule_descriptor(rule) for rule in rules],
        properties={"catalogVersion": scan.catalog_version},
    )


def _rule_descriptor(rule: Rule) -> Any:
    markdown = rule.markdown()
    return om.ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=om.MultiformatMessageString(text=_sentence(rule.short)),
        full_description=om.MultiformatMessageString(text=f"{_sentence(rule.what)} {_sentence(rule.why)}"),
        help=om.MultiformatMessageString(text=_plain_text(markdown), markdown=markdown),
        help_uri=rule_help_uri(rule),
        default_configuration=om.ReportingConfiguration(level=rule.level.value),
        properties={
            "tags": list(rule.tags),
            "precision": rule.precision,
            "security-severity": f"{rule.security_severity:.1f}",
            "problem.severity": _PROBLEM_SEVERITY[rule.level],
        },
    )


def rule_help_uri(rule: Rule) -> str:
    """Where a rule's documentation lives: the anchor GitHub gives its `# EMO001 name` heading."""
    return f"{RULES_DOC_URI}#{rule.id.lower()}-{rule.name}"


def _plain_text(markdown: str) -> str:
    """The help markdown as plain text: heading marks, code fences and emphasis removed, code indented."""
    lines: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            lines.append(f"    {line}" if line else "")
        elif line.startswith("#"):
            lines.append(line.lstrip("#").strip())
        elif len(line) > 2 and line.startswith("*") and line.endswith("*") and not line.startswith("* "):
            lines.append(line.strip("*"))
        else:
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


# --- results -------------------------------------------------------------------------------------


def _result(result: Result, rule_index: dict[str, int], root: PurePosixPath | None) -> Any:
    chain = result.component.evidence if result.component is not None else ()
    related = [
        _location(evidence.location, root, message=evidence.summary, location_id=number)
        for number, evidence in enumerate(chain, start=1)
    ]
    seen = {evidence.location for evidence in chain}
    for location in result.related:
        if location not in seen:
            seen.add(location)
            related.append(
                _location(location, root, message="Related to this result", location_id=len(related) + 1)
            )
    return om.Result(
        rule_id=result.rule_id,
        rule_index=rule_index.get(result.rule_id),
        level=result.level.value,
        message=om.Message(text=_sentence(result.message)),
        locations=[_location(result.location, root)],
        related_locations=related or None,
        properties=_result_properties(result),
    )


def _suppressed_result(
    result: Result, suppression: Suppression, rule_index: dict[str, int], root: PurePosixPath | None
) -> Any:
    written = _result(result, rule_index, root)
    properties: dict[str, object] = {}
    if suppression.owner:
        properties["owner"] = suppression.owner
    if suppression.review_by:
        properties["reviewBy"] = suppression.review_by.isoformat()
    written.suppressions = [
        om.Suppression(
            kind="inSource" if suppression.kind == "inline" else "external",
            justification=suppression.reason,
            location=_location(suppression.location, root),
            properties=properties or None,
        )
    ]
    return written


def _result_properties(result: Result) -> dict[str, object]:
    component = result.component
    properties: dict[str, object] = {"verdict": result.verdict}
    if component is not None:
        properties.update(
            component=component.name,
            modality=component.modality.value,
            capability=component.capability.value,
            confidence=component.confidence.value,
            signatures=_signature_ids(component.evidence),
        )
        if component.sensitive_attributes:
            properties["sensitiveAttributes"] = list(component.sensitive_attributes)
    if result.location.logical:
        properties["logicalLocation"] = result.location.logical
    for key, value in result.properties:
        # The facts above are the reporter's; a pair with the same name does not replace them.
        properties.setdefault(key, value)
    return properties


def _signature_ids(evidence: tuple[Evidence, ...]) -> list[str]:
    return list(dict.fromkeys(item.signature_id for item in evidence))


# --- invocation and notices ----------------------------------------------------------------------


def _invocation(scan: ScanResult, root: PurePosixPath | None) -> Any:
    return om.Invocation(
        execution_successful=scan.execution_successful,
        tool_execution_notifications=[_notification(notice, root) for notice in scan.notices] or None,
        properties={"filesScanned": scan.files_scanned, "filesAnalysed": scan.files_analysed},
    )


def _notification(notice: Notice, root: PurePosixPath | None) -> Any:
    region = om.Region(start_line=notice.line) if notice.line and notice.line > 0 else None
    return om.Notification(
        level="error" if notice.fatal else "warning",
        message=om.Message(text=_sentence(f"{notice.path}: {notice.message}")),
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=_artifact_location(notice.path, root), region=region
                )
            )
        ],
        descriptor=om.ReportingDescriptorReference(id=notice.kind.value),
    )


# --- locations and URIs --------------------------------------------------------------------------


def _location(
    location: Location,
    root: PurePosixPath | None,
    *,
    message: str | None = None,
    location_id: int | None = None,
) -> Any:
    logical = (
        [om.LogicalLocation(name=location.logical, fully_qualified_name=location.logical, kind="member")]
        if location.logical
        else None
    )
    return om.Location(
        id=location_id,
        physical_location=om.PhysicalLocation(
            artifact_location=_artifact_location(location.path, root), region=_region(location)
        ),
        logical_locations=logical,
        message=om.Message(text=_sentence(message)) if message else None,
    )


def _region(location: Location) -> Any:
    start_line = max(location.line, 1)
    start_column = max(location.column, 1)
    end_line = location.end_line if location.end_line and location.end_line >= start_line else None
    end_column = location.end_column
    # Drop an end that would precede the start rather than write an inconsistent region.
    if end_column is not None and (end_line or start_line) == start_line and end_column < start_column:
        end_column = None
    return om.Region(
        start_line=start_line, start_column=start_column, end_line=end_line, end_column=end_column
    )


def _artifact_location(path: str, root: PurePosixPath | None) -> Any:
    absolute = _as_absolute(path)
    if absolute is None:
        return om.ArtifactLocation(uri=_relative_uri(PurePosixPath(path)), uri_base_id=SRCROOT)
    if root is not None and absolute.is_relative_to(root) and absolute != root:
        return om.ArtifactLocation(uri=_relative_uri(absolute.relative_to(root)), uri_base_id=SRCROOT)
    # Outside the scan root: an absolute file URI, which carries no uriBaseId.
    return om.ArtifactLocation(uri=_file_uri(absolute))


def _relative_uri(path: PurePosixPath) -> str:
    return quote(path.as_posix(), safe=_RELATIVE_SAFE)


def _file_uri(path: PurePosixPath) -> str:
    text = quote(path.as_posix(), safe=_ABSOLUTE_SAFE)
    if text.startswith("//"):  # a UNC path: //server/share/...
        return f"file:{text}"
    if text.startswith("/"):
        return f"file://{text}"
    return f"file:///{text}"  # a Windows drive path: C:/...


def _base_uri(root: PurePosixPath) -> str:
    uri = _file_uri(root)
    return uri if uri.endswith("/") else f"{uri}/"


def _as_absolute(path: str) -> PurePosixPath | None:
    """`path` (POSIX separators) as an absolute path, or None when it is relative. A Windows path shown
    with forward slashes (`C:/work/x.py`, as `Path.as_posix()` gives it) counts as absolute."""
    if path.startswith("/") or _WINDOWS_DRIVE.match(path):
        return PurePosixPath(path)
    return None


def _single_absolute_root(roots: tuple[str, ...]) -> PurePosixPath | None:
    """The directory relative paths are relative to, when the scan had exactly one absolute root."""
    if len(roots) != 1:
        return None
    root = roots[0]
    windows = PureWindowsPath(root)
    if windows.drive and windows.is_absolute():
        return PurePosixPath(windows.as_posix())
    return _as_absolute(root)


# --- text and serialisation ----------------------------------------------------------------------


def _sentence(text: str) -> str:
    """Plain-text SARIF messages are complete sentences ending with a period (SARIF2001)."""
    text = text.strip()
    return text if text.endswith(".") else f"{text}."


def _attrs_to_json(instance: Any) -> dict[str, Any]:
    """A sarif-om object as JSON-ready data: each attrs field under its `schema_property_name`,
    leaving out fields that are None or still hold the schema's default value."""
    out: dict[str, Any] = {}
    for field in attr.fields(type(instance)):
        value = getattr(instance, field.name)
        if value is None or (field.name not in _ALWAYS_WRITTEN and _is_default(field, value)):
            continue
        out[field.metadata["schema_property_name"]] = _to_json(value)
    return out


def _to_json(value: Any) -> Any:
    if attr.has(type(value)):
        return _attrs_to_json(value)
    if isinstance(value, dict):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def _is_default(field: attr.Attribute[Any], value: object) -> bool:
    default: object = field.default
    if default is attr.NOTHING:
        return False
    factory = getattr(default, "factory", None)
    if callable(factory):
        default = factory()
    # Compare types too, so that an explicit 1 is never taken for a default True.
    return type(value) is type(default) and value == default
