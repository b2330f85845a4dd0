"""Markdown report for procurement: the overall verdict first, then the component inventory, the
details behind each row, unread files and the disclaimer. A pure function of the scan.

Text from the scan (file names, messages, catalogue names) is escaped: prose with CommonMark backslash
escapes, paths and ids in code spans, and `|` inside table cells, so a hostile file name can neither
break the table nor inject HTML into a renderer.
"""

from __future__ import annotations

import re

from scanner.findings import Notice, Result, ScanResult, Suppression
from scanner.output.procurement import (
    SEVERITY_ORDER,
    VERDICT_LABELS,
    VERDICT_MEANINGS,
    Report,
    Row,
    build_report,
)

TITLE = "Emotion-recognition report"
TABLE_HEADER = (
    "#",
    "What",
    "Where",
    "Modality",
    "Evidence",
    "Verdict",
    "Article",
    "Declared context",
    "Vendor must provide",
)

# ASCII punctuation that can start Markdown or HTML syntax inline; each gets a backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$])")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def escape(text: str) -> str:
    """Prose from the scan as literal Markdown text on one line."""
    return _SPECIAL.sub(r"\\\1", _NEWLINES.sub(" ", text))


def code(text: str) -> str:
    """A code span that shows `text` literally, whatever backticks it holds. `|` is escaped too: GitHub
    splits table cells on it even inside a code span, and the escape is removed before display."""
    text = _NEWLINES.sub(" ", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    return f"{fence}{padded}{fence}".replace("|", "\\|")


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A GitHub-flavoured Markdown table; cells must already be escaped."""
    lines = [_table_line(header), _table_line(tuple("---" for _ in header))]
    lines.extend(_table_line(row) for row in rows)
    return lines


def _table_line(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_markdown(scan: ScanResult) -> str:
    report = build_report(scan)
    sections = [
        _summary(report),
        _inventory(report),
        _details(report),
        _configuration(report.other_results),
        _notices(report.notices),
        _legend(report),
        _about(report),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _summary(report: Report) -> str:
    summary = report.summary
    lines = [
        f"# {TITLE}",
        "",
        f"**Verdict: {escape(summary.headline)}.**",
        "",
        escape(summary.explanation),
    ]
    for caveat in summary.caveats:
        lines += ["", f"> **Note:** {escape(caveat)}"]
    counts = ", ".join(
        f"{report.count(letter)} {VERDICT_LABELS[letter]}"
        for letter in SEVERITY_ORDER
        if report.count(letter)
    )
    scanned = ", ".join(code(root) for root in report.roots) or "-"
    lines += [
        "",
        *table(
            ("Item", "Value"),
            [
                ("Deployment context", escape(report.declarations)),
                ("Scanned", scanned),
                ("Files", f"{report.files_scanned} scanned, {report.files_analysed} analysed"),
                ("Components", f"{len(report.rows)}" + (f" ({counts})" if counts else "")),
                ("Files not read", str(len(report.notices))),
                (
                    "Tool",
                    f"emoscan {escape(report.tool_version)}, catalogue {escape(report.catalog_version)}",
                ),
            ],
        ),
    ]
    return "\n".join(lines)


def _inventory(report: Report) -> str:
    lines = ["## Emotion-recognition components", ""]
    if not report.rows:
        lines.append("None found.")
        return "\n".join(lines)
    lines += table(TABLE_HEADER, [_table_row(row) for row in report.rows])
    return "\n".join(lines)


def _table_row(row: Row) -> tuple[str, ...]:
    component = row.component
    return (
        str(row.number),
        escape(component.name),
        code(row.where),
        f"{escape(component.modality.value)} ({escape(component.capability.value)})",
        escape(row.evidence_summary),
        f"**{row.verdict}** {escape(row.verdict_label)}",
        escape(row.legal),
        escape(row.context),
        escape(row.vendor_must_provide),
    )


def _details(report: Report) -> str:
    if not report.rows:
        return ""
    blocks = ["## Details"]
    blocks.extend(_detail(row) for row in report.rows)
    return "\n\n".join(blocks)


def _detail(row: Row) -> str:
    component = row.component
    lines = [
        f"### {row.number}. {escape(component.name)}",
        "",
        f"- **Verdict:** {row.verdict} {escape(row.verdict_label)}, {escape(row.legal)}",
        f"- **Where:** {code(row.where)}",
        f"- **What it infers:** {escape(component.capability.value)} from {escape(component.modality.value)}"
        f" (confidence {escape(component.confidence.value)})",
        f"- **Declared context:** {escape(row.context)}",
        f"- **Vendor must provide:** {escape(row.vendor_must_provide)}",
    ]
    if component.sensitive_attributes:
        lines.append(f"- **Sensitive traits inferred:** {escape(', '.join(component.sensitive_attributes))}")
    if row.table_row:
        lines.append(f"- **Decision rule:** {escape(row.table_row)}")
    if row.results:
        lines += ["", "Findings:", ""]
        lines.extend(_finding(result) for result in row.results)
    if row.suppressions:
        lines += ["", "Suppressed findings (the vendor's statement; check the reason):", ""]
        lines.extend(_suppressed(result, why) for result, why in row.suppressions)
    lines += ["", f"Evidence ({len(component.evidence)}):", ""]
    for evidence in component.evidence:
        where = f"{evidence.location.path}:{evidence.location.line}"
        dormant = " (in code that never runs)" if evidence.dormant else ""
        lines.append(
            f"- {code(where)} {escape(evidence.kind.value)}: {escape(evidence.summary)}{dormant} "
            f"[{code(evidence.signature_id)}]"
        )
    return "\n".join(lines)


def _finding(result: Result) -> str:
    return f"- {code(result.rule_id)} {escape(result.level.value)}: {escape(result.message)}"


def _suppressed(result: Result, why: Suppression) -> str:
    where = f"{why.location.path}:{why.location.line}"
    extra = "".join(
        f", {label} {escape(str(value))}"
        for label, value in (("owner", why.owner), ("review by", why.review_by))
        if value
    )
    return (
        f"- {code(result.rule_id)} {escape(result.level.value)}: {escape(result.message)} "
        f"**Suppressed** ({escape(why.kind)} at {code(where)}{extra}): {escape(why.reason)}"
    )


def _configuration(results: tuple[Result, ...]) -> str:
    if not results:
        return ""
    lines = ["## Configuration problems", ""]
    for result in results:
        where = f"{result.location.path}:{result.location.line}"
        lines.append(f"- {code(where)} {code(result.rule_id)}: {escape(result.message)}")
    return "\n".join(lines)


def _notices(notices: tuple[Notice, ...]) -> str:
    if not notices:
        return ""
    lines = ["## Files that could not be read", ""]
    for notice in notices:
        where = f"{notice.path}:{notice.line}" if notice.line else notice.path
        effect = "not analysed" if notice.fatal else "partly analysed"
        lines.append(f"- {code(where)} ({effect}, {escape(notice.kind.value)}): {escape(notice.message)}")
    return "\n".join(lines)


def _legend(report: Report) -> str:
    letters = [letter for letter in SEVERITY_ORDER if letter != "B" or report.baselined]
    lines = ["## What the verdicts mean", ""]
    lines += table(
        ("Verdict", "Meaning"),
        [(f"**{letter}** {VERDICT_LABELS[letter]}", escape(VERDICT_MEANINGS[letter])) for letter in letters],
    )
    return "\n".join(lines)


def _about(report: Report) -> str:
    return "\n".join(
        [
            "## About this report",
            "",
            f"*{escape(report.disclaimer)}*",
            "",
            f"Produced by emoscan {escape(report.tool_version)} with signature catalogue "
            f"{escape(report.catalog_version)}. emoscan reads files without executing, importing or "
            "unpickling them.",
        ]
    )
