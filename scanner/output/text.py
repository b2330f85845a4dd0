"""Human-readable report: results grouped by file, each with its evidence, then notices and a summary.
A pure function of the scan; colour only when the caller asks (the CLI asks on a TTY)."""

from __future__ import annotations

from collections import defaultdict

from scanner.findings import Level, ScanResult

_COLOURS = {Level.ERROR: "\033[31m", Level.WARNING: "\033[33m", Level.NOTE: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render_text(scan: ScanResult, colour: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    by_file = defaultdict(list)
    for result in scan.results:
        by_file[result.location.path].append(result)
    for path in sorted(by_file):
        lines.append(paint(path, _BOLD))
        for result in by_file[path]:
            loc = result.location
            level = paint(result.level.value, _COLOURS[result.level])
            lines.append(f"  {loc.line}:{loc.column}  {level}  {result.rule_id}  {result.message}")
            component = result.component
            if component is None:
                continue
            lines.append(
                paint(
                    f"      {component.capability.value} · {component.modality.value} · "
                    f"confidence {component.confidence.value} · verdict {result.verdict}",
                    _DIM,
                )
            )
            for evidence in component.evidence:
                where = evidence.location
                shown = f"{where.line}" if where.path == loc.path else f"{where.path}:{where.line}"
                lines.append(paint(f"      - {shown}: {evidence.summary}", _DIM))
        lines.append("")
    if scan.notices:
        lines.append(paint("Notices", _BOLD))
        for notice in scan.notices:
            line = f":{notice.line}" if notice.line else ""
            severity = "error" if notice.fatal else "warning"
            lines.append(f"  {notice.path}{line}: {severity}: {notice.message}")
        lines.append("")
    lines.append(summary_line(scan))
    return "\n".join(lines) + "\n"


def summary_line(scan: ScanResult) -> str:
    counts = {level: sum(1 for r in scan.results if r.level is level) for level in Level}
    found = ", ".join(f"{counts[level]} {level.value}{'s' if counts[level] != 1 else ''}" for level in Level)
    hidden = ""
    if scan.suppressed:
        hidden += f", {len(scan.suppressed)} suppressed"
    if scan.baselined:
        hidden += f", {scan.baselined} in the baseline"
    return (
        f"emoscan {scan.tool_version} (catalogue {scan.catalog_version}): {len(scan.results)} results ({found}) "
        f"in {scan.files_scanned} files, {len(scan.notices)} notices{hidden}."
    )
