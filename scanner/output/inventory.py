"""The inventory of emotion-recognition components and the explanation of one result: pure functions
of a scan, for `emoscan inventory` and `emoscan explain FILE:LINE`."""

from __future__ import annotations

from typing import Any

from scanner.findings import Component, Result, ScanResult
from scanner.output import indented_json
from scanner.output.json_report import component_json, location_json


def _results_for(scan: ScanResult, component: Component) -> list[Result]:
    return [r for r in scan.results if r.component is component]


def _declared(results: list[Result]) -> str:
    for result in results:
        props = dict(result.properties)
        if "deployment" in props:
            return f"{props['deployment']} ({props['context']})"
    return "undeclared"


def render_inventory_text(scan: ScanResult) -> str:
    if not scan.components:
        return f"No emotion-recognition components found in {scan.files_scanned} files.\n"
    lines = [f"{len(scan.components)} emotion-recognition components in {scan.files_scanned} files", ""]
    for number, component in enumerate(scan.components, start=1):
        results = _results_for(scan, component)
        verdicts = ", ".join(f"{r.rule_id} ({r.verdict})" for r in results) or "informational, no rule"
        where = component.primary.location
        lines.append(f"{number}. {component.name}")
        lines.append(f"   where:      {where.path}:{where.line}")
        lines.append(f"   capability: {component.capability.value}; modality: {component.modality.value}")
        lines.append(f"   confidence: {component.confidence.value}; declared: {_declared(results)}")
        lines.append(f"   verdict:    {verdicts}")
        lines.append("   evidence:")
        lines.extend(
            f"     - {e.location.path}:{e.location.line} [{e.signature_id}] {e.summary}"
            for e in component.evidence
        )
        lines.append("")
    return "\n".join(lines)


def render_inventory_json(scan: ScanResult) -> str:
    items: list[dict[str, Any]] = []
    for component in scan.components:
        results = _results_for(scan, component)
        item = component_json(component)
        item["declared"] = _declared(results)
        item["results"] = [
            {"rule_id": r.rule_id, "level": r.level.value, "verdict": r.verdict} for r in results
        ]
        items.append(item)
    document = {
        "tool_version": scan.tool_version,
        "catalog_version": scan.catalog_version,
        "components": items,
    }
    return indented_json.dumps(document, ensure_ascii=False) + "\n"


def explain_location(scan: ScanResult, line: int) -> str | None:
    """The chain behind the results at `line` (or behind the component with evidence there)."""
    results = [r for r in scan.results if r.location.line == line]
    components = [r.component for r in results if r.component is not None]
    if not components:
        components = [c for c in scan.components if any(e.location.line == line for e in c.evidence)]
        results = [r for c in components for r in _results_for(scan, c)]
    if not results and not components:
        return None
    lines: list[str] = []
    for result in results:
        props = dict(result.properties)
        lines += [f"{result.rule_id} {result.level.value} at {result.location}", f"  {result.message}", ""]
        if "table_row" in props:
            lines.append(
                f"  decision table: row '{props['table_row']}' -> verdict {result.verdict} ({props['legal']})"
            )
        if "deployment" in props:
            lines.append(
                f"  declaration:    '{props['deployment']}' (context {props['context']}) from {scan.declarations_source}"
            )
        else:
            lines.append("  declaration:    none covers this path")
        lines.append("")
    for component in dict.fromkeys(components):
        lines.append(f"component: {component.name}")
        lines.append(
            f"  capability {component.capability.value}, modality {component.modality.value}, "
            f"confidence {component.confidence.value}, scope {component.scope}"
        )
        lines.append("  evidence:")
        for e in component.evidence:
            lines.append(
                f"    - {e.location.path}:{e.location.line}:{e.location.column} {e.kind.value} "
                f"[{e.signature_id}, strength S{int(e.strength)}] {e.summary}"
            )
        lines.append("")
    return "\n".join(lines)


__all__ = ["explain_location", "location_json", "render_inventory_json", "render_inventory_text"]
