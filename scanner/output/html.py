"""HTML report for procurement: one self-contained page (inline CSS, no scripts, no external
resources) that reads on screen and prints on A4. Same content and order as the Markdown report; a
pure function of the scan. Every piece of text from the scan goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

from scanner.findings import Notice, Result, ScanResult, Suppression
from scanner.output.procurement import (
    SEVERITY_ORDER,
    VERDICT_LABELS,
    VERDICT_MEANINGS,
    Outcome,
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

OUTCOME_CLASS = {
    Outcome.PROHIBITED: "v-P",
    Outcome.HIGH_RISK: "v-H",
    Outcome.REVIEW: "v-R",
    Outcome.INFORMATIONAL: "v-I",
    Outcome.NONE: "v-none",
}

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --panel: #f6f8fa;
  --P: #b3261e; --P-bg: #fdecea; --H: #9a4d00; --H-bg: #fff4e5; --R: #6a3fa0; --R-bg: #f3edfb;
  --G: #0b5cad; --G-bg: #e8f1fb; --I: #3d4752; --I-bg: #eef0f2; --none: #1a7f37; --none-bg: #e9f7ee; }
* { box-sizing: border-box; }
body { margin: 0; padding: 2rem 1.5rem 3rem; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 74rem; margin: 0 auto; }
h1 { font-size: 1.7rem; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.8rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
code { font: 0.86em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  background: var(--panel); padding: 0.05em 0.3em; border-radius: 4px; overflow-wrap: break-word; }
.verdict { border-left: 8px solid; border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
.verdict .label { font-size: 0.8rem; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; }
.verdict .headline { font-size: 1.45rem; font-weight: 700; margin: 0.15rem 0 0.4rem; }
.verdict p { margin: 0.3rem 0 0; }
.caveat { margin-top: 0.6rem; padding: 0.5rem 0.75rem; background: #fff; border: 1px solid var(--rule);
  border-radius: 4px; }
.v-P { border-color: var(--P); background: var(--P-bg); } .v-P .headline { color: var(--P); }
.v-H { border-color: var(--H); background: var(--H-bg); } .v-H .headline { color: var(--H); }
.v-R { border-color: var(--R); background: var(--R-bg); } .v-R .headline { color: var(--R); }
.v-I { border-color: var(--I); background: var(--I-bg); } .v-I .headline { color: var(--I); }
.v-none { border-color: var(--none); background: var(--none-bg); } .v-none .headline { color: var(--none); }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.55rem; border: 1px solid var(--rule); }
th { background: var(--panel); font-weight: 600; }
table.facts { width: auto; min-width: 30rem; }
table.facts th { width: 12rem; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; min-width: 1.6em; padding: 0.05em 0.45em; border-radius: 999px;
  font-weight: 700; text-align: center; color: #fff; }
.badge-P { background: var(--P); } .badge-H { background: var(--H); } .badge-R { background: var(--R); }
.badge-G { background: var(--G); } .badge-I { background: var(--I); }
.verdict-cell { white-space: nowrap; }
.component { border: 1px solid var(--rule); border-radius: 6px; padding: 0.9rem 1.1rem; margin: 0 0 1rem;
  break-inside: avoid; }
.component dl { display: grid; grid-template-columns: 11rem 1fr; gap: 0.25rem 0.75rem; margin: 0 0 0.6rem; }
.component dt { color: var(--muted); }
.component dd { margin: 0; }
.component ul { margin: 0.3rem 0 0.6rem; padding-left: 1.2rem; }
.component li { margin: 0.15rem 0; }
.sub { font-weight: 600; margin: 0.5rem 0 0; }
.muted { color: var(--muted); }
.suppressed { font-weight: 700; color: var(--P); }
.badge-B { background: var(--muted); }
footer { margin-top: 2.5rem; padding-top: 0.8rem; border-top: 1px solid var(--rule); color: var(--muted);
  font-size: 0.88rem; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { padding: 0; font-size: 10pt; }
  main { max-width: none; }
  h2 { break-after: avoid; }
  tr, .verdict, .component { break-inside: avoid; }
  thead { display: table-header-group; }
  .verdict, .badge, th, code { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _code(text: str) -> str:
    return f"<code>{_e(text)}</code>"


def _path(text: str) -> str:
    """A path in code type that may wrap after each `/` rather than anywhere."""
    return "<code>" + _e(text).replace("/", "/<wbr>") + "</code>"


def _badge(verdict: str, label: str | None = None) -> str:
    shown = VERDICT_LABELS[verdict] if label is None else label
    return f'<span class="badge badge-{_e(verdict)}">{_e(verdict)}</span> {_e(shown)}'


def _table(header: tuple[str, ...], rows: list[list[str]], css_class: str = "") -> str:
    """A table whose cells are already HTML."""
    head = "".join(f'<th scope="col">{_e(cell)}</th>' for cell in header)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def render_html(scan: ScanResult) -> str:
    report = build_report(scan)
    sections = [
        _summary(report),
        _inventory(report),
        _details(report),
        _configuration(report.other_results),
        _notices(report.notices),
        _legend(report),
    ]
    body = "\n".join(section for section in sections if section)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(TITLE)}: {_e(report.summary.headline)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{_e(TITLE)}</h1>\n{body}\n{_about(report)}\n</main>\n</body>\n</html>\n"
    )


def _summary(report: Report) -> str:
    summary = report.summary
    caveats = "".join(f'<p class="caveat"><strong>Note:</strong> {_e(c)}</p>' for c in summary.caveats)
    verdict = (
        f'<section class="verdict {OUTCOME_CLASS[summary.outcome]}" id="summary">'
        '<div class="label">Verdict</div>'
        f'<div class="headline">{_e(summary.headline)}</div>'
        f"<p>{_e(summary.explanation)}</p>{caveats}</section>"
    )
    counts = ", ".join(
        f"{report.count(letter)} {_e(VERDICT_LABELS[letter])}"
        for letter in SEVERITY_ORDER
        if report.count(letter)
    )
    facts = [
        ("Deployment context", _e(report.declarations)),
        ("Scanned", ", ".join(_code(root) for root in report.roots) or "-"),
        ("Files", f"{report.files_scanned} scanned, {report.files_analysed} analysed"),
        ("Components", f"{len(report.rows)}" + (f" ({counts})" if counts else "")),
        ("Files not read", str(len(report.notices))),
        ("Tool", f"emoscan {_e(report.tool_version)}, catalogue {_e(report.catalog_version)}"),
    ]
    rows = "\n".join(f'<tr><th scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in facts)
    return f'{verdict}\n<table class="facts">\n<tbody>\n{rows}\n</tbody>\n</table>'


def _inventory(report: Report) -> str:
    if not report.rows:
        return '<h2 id="components">Emotion-recognition components</h2>\n<p>None found.</p>'
    rows = [_table_row(row) for row in report.rows]
    return f'<h2 id="components">Emotion-recognition components</h2>\n{_table(TABLE_HEADER, rows)}'


def _table_row(row: Row) -> list[str]:
    component = row.component
    return [
        f'<a href="#component-{row.number}">{row.number}</a>',
        _e(component.name),
        _path(row.where),
        f'{_e(component.modality.value)}<br><span class="muted">{_e(component.capability.value)}</span>',
        _e(row.evidence_summary),
        f'<span class="verdict-cell">{_badge(row.verdict, row.verdict_label)}</span>',
        _e(row.legal),
        _e(row.context),
        _e(row.vendor_must_provide),
    ]


def _details(report: Report) -> str:
    if not report.rows:
        return ""
    return '<h2 id="details">Details</h2>\n' + "\n".join(_detail(row) for row in report.rows)


def _detail(row: Row) -> str:
    component = row.component
    facts = [
        ("Verdict", f"{_badge(row.verdict, row.verdict_label)}, {_e(row.legal)}"),
        ("Where", _path(row.where)),
        (
            "What it infers",
            f"{_e(component.capability.value)} from {_e(component.modality.value)} "
            f"(confidence {_e(component.confidence.value)})",
        ),
        ("Declared context", _e(row.context)),
        ("Vendor must provide", _e(row.vendor_must_provide)),
    ]
    if component.sensitive_attributes:
        facts.append(("Sensitive traits", _e(", ".join(component.sensitive_attributes))))
    if row.table_row:
        facts.append(("Decision rule", _e(row.table_row)))
    listing = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [
        f'<section class="component" id="component-{row.number}">',
        f"<h3>{row.number}. {_e(component.name)}</h3>",
        f"<dl>{listing}</dl>",
    ]
    if row.results:
        parts.append('<p class="sub">Findings</p><ul>')
        parts.extend(_finding(result) for result in row.results)
        parts.append("</ul>")
    if row.suppressions:
        parts.append('<p class="sub">Suppressed findings (the vendor\'s statement; check the reason)</p><ul>')
        parts.extend(_suppressed(result, why) for result, why in row.suppressions)
        parts.append("</ul>")
    parts.append(f'<p class="sub">Evidence ({len(component.evidence)})</p><ul>')
    for evidence in component.evidence:
        where = f"{evidence.location.path}:{evidence.location.line}"
        dormant = " (in code that never runs)" if evidence.dormant else ""
        parts.append(
            f"<li>{_path(where)} {_e(evidence.kind.value)}: {_e(evidence.summary)}{dormant} "
            f'<span class="muted">[{_e(evidence.signature_id)}]</span></li>'
        )
    parts.append("</ul></section>")
    return "\n".join(parts)


def _finding(result: Result) -> str:
    return f"<li>{_code(result.rule_id)} {_e(result.level.value)}: {_e(result.message)}</li>"


def _suppressed(result: Result, why: Suppression) -> str:
    where = f"{why.location.path}:{why.location.line}"
    extra = "".join(
        f", {label} {_e(value)}"
        for label, value in (("owner", why.owner), ("review by", why.review_by))
        if value
    )
    return (
        f"<li>{_code(result.rule_id)} {_e(result.level.value)}: {_e(result.message)} "
        f'<span class="suppressed">Suppressed</span> ({_e(why.kind)} at {_path(where)}{extra}): '
        f"{_e(why.reason)}</li>"
    )


def _configuration(results: tuple[Result, ...]) -> str:
    if not results:
        return ""
    items = "\n".join(
        f"<li>{_code(f'{r.location.path}:{r.location.line}')} {_code(r.rule_id)}: {_e(r.message)}</li>"
        for r in results
    )
    return f'<h2 id="configuration">Configuration problems</h2>\n<ul>\n{items}\n</ul>'


def _notices(notices: tuple[Notice, ...]) -> str:
    if not notices:
        return ""
    items = []
    for notice in notices:
        where = f"{notice.path}:{notice.line}" if notice.line else notice.path
        effect = "not analysed" if notice.fatal else "partly analysed"
        items.append(f"<li>{_code(where)} ({effect}, {_e(notice.kind.value)}): {_e(notice.message)}</li>")
    return '<h2 id="notices">Files that could not be read</h2>\n<ul>\n' + "\n".join(items) + "\n</ul>"


def _legend(report: Report) -> str:
    letters = [letter for letter in SEVERITY_ORDER if letter != "B" or report.baselined]
    rows = [[_badge(letter), _e(VERDICT_MEANINGS[letter])] for letter in letters]
    return f'<h2 id="legend">What the verdicts mean</h2>\n{_table(("Verdict", "Meaning"), rows)}'


def _about(report: Report) -> str:
    return (
        '<footer id="about">'
        f"<p><strong>{_e(report.disclaimer)}</strong></p>"
        f"<p>Produced by emoscan {_e(report.tool_version)} with signature catalogue "
        f"{_e(report.catalog_version)}. emoscan reads files without executing, importing or unpickling "
        "them.</p></footer>"
    )
