"""The facts of a procurement report, shared by the Markdown and HTML reporters.

A procurement officer vetting a vendor deliverable reads, in this order: one overall verdict, the
deployment context it was judged for, a table of every emotion-recognition component (what, where,
modality, evidence, verdict, article, what the vendor must provide), the details behind each row, the
files that could not be read, and the disclaimer. `build_report` turns a ScanResult into those facts;
the reporters only lay them out. Everything here is a pure function of the scan.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from scanner.findings import Component, Notice, Result, ScanResult, Suppression
from scanner.rules import DISCLAIMER

# Verdict letters from scanner.policy, most severe first; "B" marks a component whose results a
# baseline hid, so that it is never mistaken for an informational one.
SEVERITY_ORDER = ("P", "H", "R", "G", "I", "B")

VERDICT_LABELS = {
    "P": "Prohibited",
    "H": "High-risk",
    "R": "Review needed",
    "G": "GDPR only",
    "I": "Informational",
    "B": "In the baseline",
}

VERDICT_MEANINGS = {
    "P": "A prohibited AI practice under AI Act Art. 5: it may not be placed on the market, put into "
    "service or used in this context.",
    "H": "A high-risk AI system under AI Act Annex III 1(c): allowed with risk management, documentation, "
    "human oversight, a transparency notice and a DPIA.",
    "R": "Biometric emotion recognition whose deployment context was not declared: prohibited in a "
    "workplace or school, high-risk elsewhere. Declare the context to get a verdict.",
    "G": "Not emotion recognition under the AI Act (or outside its scope), but personal data: the GDPR "
    "applies.",
    "I": "Informational: not emotion recognition under the AI Act (for example fatigue or expression "
    "detection, or text in research use).",
    "B": "Its results were accepted in the baseline file given to this scan and are not shown; scan "
    "without a baseline for a verdict.",
}

VENDOR_MUST_PROVIDE = {
    "P": "Removal, or a documented medical/safety exemption",
    "H": "Art. 50(3) notice, DPIA (GDPR Art. 35), conformity documentation (Arts. 9-15, 43), "
    "instructions for use (Art. 13)",
    "R": "The intended deployment context",
    "G": "GDPR legal basis and transparency",
    "I": "Nothing under the AI Act",
    "B": "A scan without a baseline",
}

# Biometric categorisation by a sensitive trait (Art. 5(1)(g)) has no medical or safety exception.
NO_EXEMPTION_RULES = frozenset({"EMO002"})
VENDOR_MUST_REMOVE = "Removal (no exemption applies)"


class Outcome(str, enum.Enum):
    """The overall verdict of a report."""

    PROHIBITED = "prohibited"
    HIGH_RISK = "high-risk"
    REVIEW = "review-needed"
    INFORMATIONAL = "informational"
    NONE = "none-found"


@dataclass(frozen=True)
class Summary:
    outcome: Outcome
    headline: str  # e.g. "Prohibited emotion recognition found"
    explanation: str  # one or two sentences saying what follows for the buyer
    caveats: tuple[str, ...]  # what limits the verdict (unread files, declaration errors)


@dataclass(frozen=True)
class Row:
    """One emotion-recognition component, as a line of the inventory table."""

    number: int
    component: Component
    results: tuple[Result, ...]
    verdict: str  # P, H, R, G, I, or B (hidden by a baseline)
    legal: str
    context: str  # the declared context it was judged under, or "not declared"
    vendor_must_provide: str
    # Results the code suppresses (with the suppression); the verdict comes from them only when no
    # result is left unsuppressed, and then `suppressed` is True.
    suppressions: tuple[tuple[Result, Suppression], ...] = ()
    suppressed: bool = False

    @property
    def where(self) -> str:
        location = self.component.primary.location
        return f"{location.path}:{location.line}"

    @property
    def evidence_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({e.kind.value for e in self.component.evidence}))

    @property
    def evidence_summary(self) -> str:
        count = len(self.component.evidence)
        return f"{count} ({', '.join(self.evidence_kinds)})"

    @property
    def verdict_label(self) -> str:
        label = VERDICT_LABELS[self.verdict]
        return f"{label} (suppressed)" if self.suppressed else label

    @property
    def table_row(self) -> str | None:
        """The decision-table row that gave the verdict, when a rule fired."""
        for result in (*self.results, *(r for r, _ in self.suppressions)):
            row = dict(result.properties).get("table_row")
            if row:
                return row
        return None


@dataclass(frozen=True)
class Report:
    summary: Summary
    declarations: str  # where the deployment context came from, in words
    rows: tuple[Row, ...]
    other_results: tuple[Result, ...]  # results about configuration, not a component (EMO008)
    notices: tuple[Notice, ...]
    files_scanned: int
    files_analysed: int
    roots: tuple[str, ...]
    tool_version: str
    catalog_version: str
    suppressed: int = 0
    baselined: int = 0
    disclaimer: str = DISCLAIMER

    def count(self, verdict: str) -> int:
        return sum(1 for row in self.rows if row.verdict == verdict)


def build_report(scan: ScanResult) -> Report:
    judged = [_row(number, component, scan) for number, component in enumerate(scan.components, 1)]
    # Most severe first; components keep the scan's order within a verdict.
    judged.sort(key=lambda r: (_rank(r.verdict), r.number))
    rows = tuple(replace(row, number=number) for number, row in enumerate(judged, 1))
    other = tuple(r for r in scan.results if r.component is None)
    return Report(
        summary=summarise(rows, other, scan),
        declarations=describe_declarations(scan.declarations_source, rows),
        rows=rows,
        other_results=other,
        notices=scan.notices,
        files_scanned=scan.files_scanned,
        files_analysed=scan.files_analysed,
        roots=scan.roots,
        tool_version=scan.tool_version,
        catalog_version=scan.catalog_version,
        suppressed=len(scan.suppressed),
        baselined=scan.baselined,
    )


def _rank(verdict: str) -> int:
    return SEVERITY_ORDER.index(verdict) if verdict in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _row(number: int, component: Component, scan: ScanResult) -> Row:
    results = tuple(r for r in scan.results if r.component == component)
    suppressions = tuple((r, why) for r, why in scan.suppressed if r.component == component)
    judged = results or tuple(r for r, _ in suppressions)
    deciding = min(judged, key=lambda r: _rank(r.verdict), default=None)
    if deciding is not None and deciding.verdict in VERDICT_LABELS:
        verdict = deciding.verdict
    else:
        # No rule fired: informational by the decision table (expression only, text in research or
        # personal use), unless a baseline hid this component's results.
        verdict = "B" if scan.baselined else "I"
    legal = dict(deciding.properties).get("legal", "") if deciding is not None else ""
    return Row(
        number=number,
        component=component,
        results=results,
        verdict=verdict,
        legal=legal or "-",
        context=declared_context(judged),
        vendor_must_provide=vendor_must_provide(verdict, judged),
        suppressions=suppressions,
        suppressed=not results and bool(suppressions),
    )


def declared_context(results: tuple[Result, ...]) -> str:
    """The context a component was judged under, from its results' properties; "-" when no rule fired
    (the scan then records no deployment for it)."""
    for result in results:
        properties = dict(result.properties)
        if "context" in properties:
            name = properties.get("deployment")
            return f"{properties['context']} (deployment '{name}')" if name else properties["context"]
    return "not declared" if results else "-"


def vendor_must_provide(verdict: str, results: tuple[Result, ...]) -> str:
    if verdict == "P" and any(r.rule_id in NO_EXEMPTION_RULES and r.verdict == "P" for r in results):
        return VENDOR_MUST_REMOVE
    return VENDOR_MUST_PROVIDE[verdict]


def describe_declarations(source: str | None, rows: tuple[Row, ...] = ()) -> str:
    """Where the deployment context came from, and the contexts the components were judged under."""
    if source is None:
        return "None: no deployment context was declared, so biometric emotion recognition needs review."
    used = list(dict.fromkeys(row.context for row in rows if row.context not in {"-", "not declared"}))
    where = "Given on the command line" if source == "command line" else f"Read from {source}"
    return f"{where}: {'; '.join(used)}." if used else f"{where}."


def summarise(rows: tuple[Row, ...], other: tuple[Result, ...], scan: ScanResult) -> Summary:
    verdicts = [row.verdict for row in rows]
    counts = {letter: verdicts.count(letter) for letter in SEVERITY_ORDER}
    caveats = _caveats(other, scan)
    if counts["P"]:
        return Summary(
            Outcome.PROHIBITED,
            "Prohibited emotion recognition found",
            f"{_components(counts['P'])} "
            f"{'is a prohibited AI practice' if counts['P'] == 1 else 'are prohibited AI practices'} "
            f"({_articles(rows, 'P')}). Do not accept the deliverable unless the vendor removes "
            f"{_them(counts['P'])} or documents a medical or safety exemption where the law allows one."
            + _suppressed_note(rows, "P")
            + _also(counts),
            caveats,
        )
    if counts["H"]:
        return Summary(
            Outcome.HIGH_RISK,
            "High-risk emotion recognition found",
            f"{_components(counts['H'])} {_are(counts['H'])} high-risk ({_articles(rows, 'H')}). Accept "
            "the deliverable only with the documents listed for each component below."
            + _suppressed_note(rows, "H")
            + _also(counts),
            caveats,
        )
    if counts["R"]:
        return Summary(
            Outcome.REVIEW,
            "Review needed: deployment context not declared",
            f"{_components(counts['R'])} {_are(counts['R'])} biometric emotion recognition, which is "
            "prohibited in a workplace or school and high-risk elsewhere. Re-run emoscan with the intended "
            "context (--context and --subjects) to get a verdict.",
            caveats,
        )
    if counts["B"]:
        return Summary(
            Outcome.REVIEW,
            "Review needed: results hidden by a baseline",
            f"{_components(counts['B'])} {_are(counts['B'])} emotion recognition whose results a baseline "
            "file accepted earlier; scan without --baseline to see their verdicts.",
            caveats,
        )
    if counts["G"] or counts["I"]:
        total = counts["G"] + counts["I"]
        return Summary(
            Outcome.INFORMATIONAL,
            "Informational only: no prohibited or high-risk emotion recognition",
            f"{_components(total)} {_are(total)} not emotion recognition under the AI Act or outside its "
            "scope; the GDPR may still apply, as listed below.",
            caveats,
        )
    return Summary(
        Outcome.NONE,
        "No emotion recognition found",
        f"No emotion-recognition component was found in the {scan.files_scanned} "
        f"file{'s' if scan.files_scanned != 1 else ''} scanned.",
        caveats,
    )


def _suppressed_note(rows: tuple[Row, ...], verdict: str) -> str:
    hidden = sum(1 for row in rows if row.verdict == verdict and row.suppressed)
    if not hidden:
        return ""
    return f" {hidden} of these {'is' if hidden == 1 else 'are'} suppressed in the code: check the reasons."


def _articles(rows: tuple[Row, ...], verdict: str) -> str:
    return "; ".join(dict.fromkeys(row.legal for row in rows if row.verdict == verdict))


def _components(count: int) -> str:
    return f"{count} component" if count == 1 else f"{count} components"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def _also(counts: dict[str, int]) -> str:
    parts = []
    if counts["H"] and counts["P"]:
        parts.append(f"{counts['H']} high-risk")
    if counts["R"]:
        parts.append(f"{counts['R']} whose deployment context is not declared (review needed)")
    if not parts:
        return ""
    return f" Also found: {' and '.join(parts)}."


def _caveats(other: tuple[Result, ...], scan: ScanResult) -> tuple[str, ...]:
    caveats: list[str] = []
    if any(r.rule_id == "EMO008" for r in other):
        caveats.append(
            "The deployment declarations have errors (listed under Configuration problems); "
            "verdicts that depend on them may be wrong."
        )
    if scan.suppressed:
        caveats.append(
            f"{len(scan.suppressed)} finding{'s are' if len(scan.suppressed) != 1 else ' is'} suppressed in "
            "the code or configuration. A suppression is the vendor's own statement: the components "
            "marked suppressed keep their verdict here; check each reason under Details."
        )
    if scan.baselined:
        caveats.append(
            f"{scan.baselined} result{'s were' if scan.baselined != 1 else ' was'} hidden by a baseline "
            "file; produce a procurement report without --baseline."
        )
    unread = sorted({n.path for n in scan.notices if n.fatal})
    if unread:
        caveats.append(
            f"{len(unread)} file{'s' if len(unread) != 1 else ''} could not be analysed (listed under "
            "Files that could not be read); this verdict does not cover them."
        )
    return tuple(caveats)
