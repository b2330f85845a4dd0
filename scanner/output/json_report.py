"""JSON report: every result, component, piece of evidence and notice.

Shape (schema_version 1; keys are added, never renamed):
{
  "schema_version": 1,
  "tool": {"name": "emoscan", "version": str, "catalog_version": str},
  "summary": {"results": int, "error": int, "warning": int, "note": int,
              "components": int, "files_scanned": int, "files_analysed": int, "notices": int,
              "execution_successful": bool},
  "results": [{"rule_id", "rule_name", "level", "message", "verdict", "location",
               "component" (null for EMO008), "properties"}],
  "components": [{"scope", "name", "modality", "capability", "confidence", "primary",
                  "sensitive_attributes", "evidence": [evidence...]}],
  "notices": [{"path", "kind", "message", "fatal", "line"}],
  "suppressed": [{"result": result, "suppression": {"kind", "rules", "reason", "location", "owner",
                  "review_by"}}]
}
summary also counts "suppressed" and "baselined" results.
A location is {"path", "line", "column", "end_line", "end_column", "logical"}; evidence is
{"kind", "signature_id", "summary", "modality", "capability", "strength", "package", "labels",
"dormant", "location"}.
"""

from __future__ import annotations

from typing import Any

from scanner.findings import Component, Evidence, Level, Location, Notice, Result, ScanResult, Suppression
from scanner.output import indented_json
from scanner.rules import get_rule

SCHEMA_VERSION = 1


def location_json(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
        "logical": location.logical,
    }


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        "kind": evidence.kind.value,
        "signature_id": evidence.signature_id,
        "summary": evidence.summary,
        "modality": evidence.modality.value,
        "capability": evidence.capability.value,
        "strength": int(evidence.strength),
        "package": evidence.package,
        "labels": list(evidence.labels),
        "dormant": evidence.dormant,
        "location": location_json(evidence.location),
    }


def component_json(component: Component) -> dict[str, Any]:
    return {
        "scope": component.scope,
        "name": component.name,
        "modality": component.modality.value,
        "capability": component.capability.value,
        "confidence": component.confidence.value,
        "primary": location_json(component.primary.location),
        "sensitive_attributes": list(component.sensitive_attributes),
        "evidence": [evidence_json(e) for e in component.evidence],
    }


def result_json(result: Result) -> dict[str, Any]:
    component = result.component
    return {
        "rule_id": result.rule_id,
        "rule_name": get_rule(result.rule_id).name,
        "level": result.level.value,
        "message": result.message,
        "verdict": result.verdict,
        "location": location_json(result.location),
        "component": None
        if component is None
        else {
            "scope": component.scope,
            "name": component.name,
            "modality": component.modality.value,
            "capability": component.capability.value,
            "confidence": component.confidence.value,
        },
        "properties": dict(result.properties),
    }


def notice_json(notice: Notice) -> dict[str, Any]:
    return {
        "path": notice.path,
        "kind": notice.kind.value,
        "message": notice.message,
        "fatal": notice.fatal,
        "line": notice.line,
    }


def suppressed_json(result: Result, suppression: Suppression) -> dict[str, Any]:
    return {
        "result": result_json(result),
        "suppression": {
            "kind": suppression.kind,
            "rules": list(suppression.rules),
            "reason": suppression.reason,
            "location": location_json(suppression.location),
            "owner": suppression.owner,
            "review_by": suppression.review_by.isoformat() if suppression.review_by else None,
        },
    }


def render_json(scan: ScanResult) -> str:
    summary: dict[str, Any] = {"results": len(scan.results)}
    summary.update({level.value: sum(1 for r in scan.results if r.level is level) for level in Level})
    summary.update(
        {
            "components": len(scan.components),
            "files_scanned": scan.files_scanned,
            "files_analysed": scan.files_analysed,
            "notices": len(scan.notices),
            "execution_successful": scan.execution_successful,
            "suppressed": len(scan.suppressed),
            "baselined": scan.baselined,
        }
    )
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "emoscan", "version": scan.tool_version, "catalog_version": scan.catalog_version},
        "summary": summary,
        "results": [result_json(r) for r in scan.results],
        "components": [component_json(c) for c in scan.components],
        "notices": [notice_json(n) for n in scan.notices],
        "suppressed": [suppressed_json(r, s) for r, s in scan.suppressed],
    }
    return indented_json.dumps(document, ensure_ascii=False) + "\n"
