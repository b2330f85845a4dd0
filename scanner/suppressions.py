"""Suppressions: inline comments (`# emoscan: ignore[EMO004] reason`) on a result's line or the line
above, and `[[tool.emoscan.ignore]]` entries for files that cannot carry comments (model files,
configs, archives).

A suppression needs a reason and must name known rules; otherwise it is itself reported (EMO010), and
the result it meant to hide stays visible. Suppressed results are kept, with their reasons, for
auditors: JSON and the reports list them; SARIF leaves them out unless asked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from scanner.findings import Location, Result, Suppression
from scanner.rules import RULES

# `# emoscan: ignore[EMO001, EMO004] reason`, also `// emoscan: ...` in JSON-with-comments files.
DIRECTIVE = re.compile(
    r"(?:#|//)\s*emoscan:\s*ignore(?:\[(?P<rules>[^\]]*)\])?(?P<reason>[^\n]*)", re.IGNORECASE
)


@dataclass(frozen=True)
class IgnoreEntry:
    """A `[[tool.emoscan.ignore]]` entry, already validated (see declarations.py)."""

    paths: tuple[str, ...]
    rules: tuple[str, ...]
    reason: str
    location: Location
    owner: str | None = None
    review_by: datetime.date | None = None

    def covers(self, path: str) -> bool:
        import pathspec  # only scans with [[ignore]] entries pay for it

        spec = pathspec.GitIgnoreSpec.from_lines(self.paths)
        return spec.match_file(path) or spec.match_file(path.split("!/", 1)[0])


@dataclass(frozen=True)
class SuppressionProblem:
    location: Location
    message: str
    unused: bool = False


@dataclass(frozen=True)
class Outcome:
    kept: tuple[Result, ...]
    suppressed: tuple[tuple[Result, Suppression], ...]
    problems: tuple[SuppressionProblem, ...]


LineReader = Callable[[str], Sequence[str] | None]


def parse_directives(path: str, lines: Sequence[str]) -> tuple[list[Suppression], list[SuppressionProblem]]:
    valid: list[Suppression] = []
    problems: list[SuppressionProblem] = []
    for number, line in enumerate(lines, start=1):
        if "emoscan" not in line:
            continue
        match = DIRECTIVE.search(line)
        if match is None:
            continue
        where = Location(path, number, match.start() + 1)
        rules = tuple(r.strip().upper() for r in (match.group("rules") or "").split(",") if r.strip())
        reason = match.group("reason").strip(" -:—")
        if not rules:
            problems.append(
                SuppressionProblem(
                    where, "suppression names no rule; write `# emoscan: ignore[EMO004] reason`"
                )
            )
            continue
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            problems.append(
                SuppressionProblem(
                    where,
                    f"suppression names unknown rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}",
                )
            )
            continue
        if not reason:
            problems.append(
                SuppressionProblem(
                    where, f"suppression of {', '.join(rules)} gives no reason; add why after the bracket"
                )
            )
            continue
        valid.append(Suppression("inline", rules, reason, where))
    return valid, problems


def apply(
    results: Iterable[Result],
    read_lines: LineReader,
    entries: Sequence[IgnoreEntry] = (),
    today: datetime.date | None = None,
) -> Outcome:
    """Split results into kept and suppressed. `read_lines(path)` gives a scanned text file's lines
    (None for binary files), so only files with results are read again."""
    today = today or datetime.date.today()
    results = list(results)
    inline: dict[str, list[Suppression]] = {}
    problems: list[SuppressionProblem] = []
    for path in sorted({r.location.path for r in results}):
        lines = read_lines(path)
        if lines is None:
            continue
        found, bad = parse_directives(path, lines)
        inline[path] = found
        problems.extend(bad)
    active_entries: list[IgnoreEntry] = []
    for entry in entries:
        if entry.review_by is not None and entry.review_by < today:
            problems.append(
                SuppressionProblem(
                    entry.location,
                    f"suppression of {', '.join(entry.rules)} for {', '.join(entry.paths)} lapsed: its review date "
                    f"{entry.review_by.isoformat()} has passed; review it and set a new review_by date",
                )
            )
            continue
        active_entries.append(entry)
    used: set[Location] = set()
    kept: list[Result] = []
    suppressed: list[tuple[Result, Suppression]] = []
    for result in results:
        match = _inline_for(result, inline.get(result.location.path, [])) or _entry_for(
            result, active_entries
        )
        if match is None:
            kept.append(result)
        else:
            used.add(match.location)
            suppressed.append((result, match))
    unused = [
        SuppressionProblem(
            s.location, f"suppression of {', '.join(s.rules)} matches no result; remove it", True
        )
        for found in inline.values()
        for s in found
        if s.location not in used
    ] + [
        SuppressionProblem(
            e.location, f"ignore entry for {', '.join(e.paths)} matches no result; remove it", True
        )
        for e in active_entries
        if e.location not in used
    ]
    return Outcome(tuple(kept), tuple(suppressed), tuple(problems + unused))


def _inline_for(result: Result, found: Sequence[Suppression]) -> Suppression | None:
    line = result.location.line
    for suppression in found:
        if suppression.location.line in (line, line - 1) and result.rule_id in suppression.rules:
            return suppression
    return None


def _entry_for(result: Result, entries: Sequence[IgnoreEntry]) -> Suppression | None:
    for entry in entries:
        if result.rule_id in entry.rules and entry.covers(result.location.path):
            return Suppression(
                "config", entry.rules, entry.reason, entry.location, entry.owner, entry.review_by
            )
    return None
