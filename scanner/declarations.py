"""Read deployment-context declarations and report every problem in them at its own file and line.

Sources, in order of precedence: CLI flags (`--context` ...: one declaration covering everything
scanned), a file given with `--declarations`, else the nearest `emoscan.toml` or `pyproject.toml`
with `[tool.emoscan]` found by walking up from the scanned paths. Keys are a public contract:

    [[tool.emoscan.deployment]]            # [[deployment]] at the top of emoscan.toml
    name = "support-call-analytics"
    paths = ["services/calls/**"]          # globs relative to the declaring file's folder
    context = "customer-service"
    subjects = ["customers"]
    purpose = "route frustrated callers to senior staff"
    exemption = { kind = "safety", justification = "..." }
    transparency_notice = "docs/emotion-notice.md"
    dpia = "docs/dpia.pdf"

Problems never stop the scan: a declaration with an unusable context is dropped (its paths become
undeclared), a missing notice file counts as no notice, and each problem is a DeclarationProblem that
policy turns into EMO008.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from scanner.config import CONTEXTS, EXEMPTION_KINDS, SUBJECTS, Deployment, specificity
from scanner.findings import Location
from scanner.rules import RULES
from scanner.suppressions import IgnoreEntry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KEYS = ("name", "paths", "context", "subjects", "purpose", "exemption", "transparency_notice", "dpia")
CONFIG_FILES = ("emoscan.toml", "pyproject.toml")


@dataclass(frozen=True)
class DeclarationProblem:
    location: Location
    message: str


@dataclass(frozen=True)
class Declarations:
    deployments: tuple[Deployment, ...] = ()
    problems: tuple[DeclarationProblem, ...] = ()
    source: str | None = None  # the file they came from, or "command line"
    ignores: tuple[IgnoreEntry, ...] = ()


# --- finding the file ------------------------------------------------------------------------------


def declaration_files(paths: Sequence[Path], scanned_files: Iterable[Path]) -> list[Path]:
    """Every file whose declarations apply: the nearest one above each scanned path, and each
    emoscan.toml or pyproject.toml with [tool.emoscan] inside the scanned tree (a monorepo declares
    per service; each file's globs are relative to its own folder)."""
    found: dict[Path, None] = {}
    nearest = find_declaration_file(paths)
    if nearest is not None:
        found[nearest.resolve()] = None
    for path in scanned_files:
        if path.name == "emoscan.toml" or (path.name == "pyproject.toml" and _has_tool_table(path)):
            found.setdefault(path.resolve(), None)
    return list(found)


def merge(parts: Sequence[Declarations]) -> Declarations:
    if len(parts) == 1:
        return parts[0]
    sources = [p.source for p in parts if p.source]
    return Declarations(
        tuple(d for p in parts for d in p.deployments),
        tuple(problem for p in parts for problem in p.problems),
        ", ".join(sources) or None,
        tuple(i for p in parts for i in p.ignores),
    )


def find_declaration_file(paths: Sequence[Path]) -> Path | None:
    """The nearest emoscan.toml, or pyproject.toml with [tool.emoscan], walking up from each scanned
    path (then from the current folder). emoscan.toml wins over pyproject.toml in the same folder."""
    starts = [p.resolve() for p in paths] + [Path.cwd().resolve()]
    for start in starts:
        folder = start if start.is_dir() else start.parent
        for candidate_dir in (folder, *folder.parents):
            for name in CONFIG_FILES:
                candidate = candidate_dir / name
                if candidate.is_file() and (name == "emoscan.toml" or _has_tool_table(candidate)):
                    return candidate
            if (candidate_dir / ".git").exists():
                break  # the repository root: declarations above it belong to someone else
    return None


# Declaration files larger than this are not read (a real one is a few kilobytes).
MAX_DECLARATION_BYTES = 8 * 1024 * 1024
# Blanks within one line only: `^\s*` under MULTILINE spans newlines, which made a pyproject.toml of
# blank lines cost quadratic time (4 million of them never finished).
_TOOL_TABLE = re.compile(r"^[ \t]*\[\[?[ \t]*tool\.emoscan[\].]", re.MULTILINE)


def _has_tool_table(pyproject: Path) -> bool:
    try:
        with pyproject.open("rb") as handle:
            text = handle.read(MAX_DECLARATION_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return _TOOL_TABLE.search(text) is not None


# --- loading ---------------------------------------------------------------------------------------


def load_file(path: Path, base: Path, scanned: Sequence[str] = ()) -> Declarations:
    """Declarations from one file. `base` is the folder report paths are relative to; globs are
    rebased from the file's folder onto it. Given the `scanned` paths, a glob that matches none of
    them is a problem at its line."""
    shown = _display(path, base)
    try:
        size = path.stat().st_size
        if size > MAX_DECLARATION_BYTES:
            return _only_problem(
                shown,
                1,
                f"the declaration file is {size:,} bytes, over the {MAX_DECLARATION_BYTES:,}-byte limit",
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _only_problem(shown, 1, f"cannot read the declaration file: {exc}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_error_position(exc)
        return _only_problem(
            shown, line, f"TOML syntax error: {str(exc).split(' (at ')[0]}; fix the file so it parses", column
        )
    is_pyproject = path.name == "pyproject.toml"
    table: Any = data.get("tool", {}).get("emoscan", {}) if is_pyproject else data
    header = "tool.emoscan.deployment" if is_pyproject else "deployment"
    if not isinstance(table, dict):
        return _only_problem(shown, 1, f"[{header.rsplit('.', 1)[0]}] must be a table")
    entries = table.get("deployment", [])
    spans = _table_spans(text, header)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return _only_problem(shown, spans[0][0] if spans else 1, f"use [[{header}]] tables for deployments")
    reader = _Reader(shown, text, spans, path.parent, _prefix(path.parent, base), scanned=scanned)
    deployments: list[Deployment] = []
    for index, entry in enumerate(entries):
        deployment = reader.deployment(index, entry)
        if deployment is not None:
            deployments.append(deployment)
    ignore_header = "tool.emoscan.ignore" if is_pyproject else "ignore"
    ignores = _ignore_entries(
        table.get("ignore", []), reader, _table_spans(text, ignore_header), ignore_header
    )
    return Declarations(tuple(deployments), tuple(reader.problems), shown, tuple(ignores))


def from_cli(
    context: str,
    subjects: Iterable[str],
    exemption: str | None,
    transparency_notice: str | None,
) -> Declarations:
    """One declaration covering everything scanned, for vendor deliverables that cannot be edited."""
    entry: dict[str, Any] = {"name": "command-line", "paths": ["**"], "context": context}
    subject_list = [s.strip() for item in subjects for s in item.split(",") if s.strip()]
    if subject_list:
        entry["subjects"] = subject_list
    if exemption:
        kind, _, justification = exemption.partition(":")
        entry["exemption"] = {"kind": kind.strip(), "justification": justification.strip()}
    if transparency_notice:
        entry["transparency_notice"] = transparency_notice
    reader = _Reader("command line", "", [], Path.cwd(), "", check_files=transparency_notice is not None)
    deployment = reader.deployment(0, entry)
    return Declarations((deployment,) if deployment else (), tuple(reader.problems), "command line")


def check_overlaps(declarations: Declarations, scanned: Sequence[str]) -> Declarations:
    """Paths claimed with the same specificity by declarations of different contexts: an error,
    since nobody can tell which verdict applies."""
    if not declarations.deployments or not scanned:
        return declarations
    import pathspec  # only scans with declarations pay for it

    problems = list(declarations.problems)
    compiled = [
        (d, pattern, pathspec.GitIgnoreSpec.from_lines([pattern]))
        for d in declarations.deployments
        for pattern in d.paths
    ]
    reported: set[tuple[str, str]] = set()
    for path in scanned:
        matching = [(specificity(p), d) for d, p, spec in compiled if spec.match_file(path)]
        if len(matching) < 2:
            continue
        matching.sort(key=lambda item: item[0], reverse=True)
        (rank_a, a), (rank_b, b) = matching[0], matching[1]
        if rank_a == rank_b and a.context != b.context and (a.name, b.name) not in reported:
            reported.add((a.name, b.name))
            problems.append(
                DeclarationProblem(
                    b.source or _key_location(b),
                    f"deployments '{a.name}' ({a.context}) and '{b.name}' ({b.context}) both cover '{path}' "
                    "equally; make one glob more specific or merge them",
                )
            )
    return replace(declarations, problems=tuple(problems))


# --- validation with line numbers ------------------------------------------------------------------


class _Reader:
    def __init__(
        self,
        shown: str,
        text: str,
        spans: list[tuple[int, int]],
        folder: Path,
        prefix: str,
        check_files: bool = True,
        scanned: Sequence[str] = (),
    ) -> None:
        self.scanned = scanned
        self.shown = shown
        self.lines = text.splitlines()
        self.spans = spans
        self.folder = folder
        self.prefix = prefix
        self.check_files = check_files
        self.problems: list[DeclarationProblem] = []

    def where(self, index: int, key: str | None = None) -> Location:
        if index >= len(self.spans):
            return Location(self.shown, 1)
        start, end = self.spans[index]
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for number in range(start, min(end, len(self.lines)) + 1):
                if pattern.match(self.lines[number - 1]):
                    return Location(self.shown, number)
        return Location(self.shown, start)

    def problem(self, index: int, key: str | None, message: str) -> None:
        self.problems.append(DeclarationProblem(self.where(index, key), message))

    def deployment(self, index: int, entry: dict[str, Any]) -> Deployment | None:
        label = f"deployment #{index + 1}"
        name = entry.get("name")
        if name is not None and not (isinstance(name, str) and name.strip()):
            self.problem(index, "name", f"{label}: 'name' must be a non-empty string")
            name = None
        name = name or f"deployment-{index + 1}"
        label = f"deployment '{name}'"
        for key in entry:
            if key not in KEYS:
                hint = _suggest(key, KEYS)
                self.problem(
                    index, key, f"{label}: unknown key '{key}'{hint}; allowed keys: {', '.join(KEYS)}"
                )
        context = entry.get("context")
        if context is None:
            self.problem(index, None, f"{label}: 'context' is missing; set one of: {', '.join(CONTEXTS)}")
            return None
        if context not in CONTEXTS:
            self.problem(
                index,
                "context",
                f"{label}: unknown context {context!r}{_suggest(str(context), CONTEXTS)}; use one of: {', '.join(CONTEXTS)}",
            )
            return None
        paths = self.string_list(index, entry, "paths", label) or ["**"]
        import pathspec

        for pattern in paths:
            spec = pathspec.GitIgnoreSpec.from_lines([self.rebase(pattern)])
            if self.scanned and not any(spec.match_file(p) for p in self.scanned):
                self.problem(
                    index,
                    "paths",
                    f"{label}: path glob '{pattern}' matches no scanned file; fix the glob (it is relative to "
                    f"the folder of {PurePosixPath(self.shown).name}) or remove it",
                )
        subjects = self.string_list(index, entry, "subjects", label) or []
        for subject in subjects:
            if subject not in SUBJECTS:
                self.problem(
                    index,
                    "subjects",
                    f"{label}: unknown subject {subject!r}{_suggest(subject, SUBJECTS)}; use any of: {', '.join(SUBJECTS)}",
                )
        subjects = [s for s in subjects if s in SUBJECTS]
        exemption_kind, justification = self.exemption(index, entry.get("exemption"), label)
        notice = self.optional_string(index, entry, "transparency_notice", label)
        if notice is not None and self.check_files and not (self.folder / notice).exists():
            self.problem(
                index,
                "transparency_notice",
                f"{label}: transparency notice file '{notice}' does not exist (relative to {self.folder.name or '.'}/); "
                "write the notice or fix the path",
            )
            notice = None
        return Deployment(
            name=name,
            paths=tuple(self.rebase(p) for p in paths),
            context=context,
            subjects=tuple(subjects),
            purpose=self.optional_string(index, entry, "purpose", label),
            exemption_kind=exemption_kind,
            exemption_justification=justification,
            transparency_notice=notice,
            dpia=self.optional_string(index, entry, "dpia", label),
            source=self.where(index),
        )

    def string_list(self, index: int, entry: dict[str, Any], key: str, label: str) -> list[str] | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(index, key, f"{label}: '{key}' must be a list of strings, like {key} = [\"...\"]")
            return None
        return [v.strip() for v in value]

    def optional_string(self, index: int, entry: dict[str, Any], key: str, label: str) -> str | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(index, key, f"{label}: '{key}' must be a non-empty string")
            return None
        return value.strip()

    def exemption(self, index: int, value: Any, label: str) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if not isinstance(value, dict):
            self.problem(
                index,
                "exemption",
                f'{label}: write the exemption as {{ kind = "medical", justification = "..." }}',
            )
            return None, None
        kind, justification = value.get("kind"), value.get("justification")
        if kind not in EXEMPTION_KINDS:
            self.problem(
                index,
                "exemption",
                f"{label}: exemption kind must be 'medical' or 'safety' (AI Act Art. 5(1)(f)), got {kind!r}",
            )
            return None, None
        if not isinstance(justification, str) or not justification.strip():
            self.problem(
                index,
                "exemption",
                f"{label}: a {kind} exemption needs a justification: say what therapeutic or safety purpose the "
                "system serves (general well-being or productivity does not qualify)",
            )
            return None, None
        return kind, justification.strip()

    def rebase(self, pattern: str) -> str:
        anchored = pattern.lstrip("/")
        return f"{self.prefix}/{anchored}" if self.prefix else anchored


IGNORE_KEYS = ("path", "paths", "rule", "rules", "reason", "owner", "review_by")


def _ignore_entries(
    entries: Any, reader: _Reader, spans: list[tuple[int, int]], header: str
) -> list[IgnoreEntry]:
    """`[[tool.emoscan.ignore]]` entries: path(s), rule(s), reason, optional owner and review_by date.
    Problems are EMO008 at the entry's line, like every declaration problem."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        reader.problems.append(
            DeclarationProblem(
                Location(reader.shown, spans[0][0] if spans else 1), f"use [[{header}]] tables"
            )
        )
        return []
    ignore_reader = _Reader(reader.shown, "\n".join(reader.lines), spans, reader.folder, reader.prefix)
    out: list[IgnoreEntry] = []
    for index, entry in enumerate(entries):
        label = f"ignore entry #{index + 1}"
        for key in entry:
            if key not in IGNORE_KEYS:
                ignore_reader.problem(
                    index, key, f"{label}: unknown key '{key}'; allowed keys: {', '.join(IGNORE_KEYS)}"
                )
        paths = ignore_reader.string_list(
            index, {"paths": entry.get("paths", entry.get("path"))}, "paths", label
        )
        rules = ignore_reader.string_list(
            index, {"rules": entry.get("rules", entry.get("rule"))}, "rules", label
        )
        reason = ignore_reader.optional_string(index, entry, "reason", label)
        if not paths or not rules or not reason:
            ignore_reader.problem(
                index, None, f"{label}: needs 'path', 'rule' and a 'reason'; it is ignored until it has them"
            )
            continue
        unknown = [r for r in rules if r.upper() not in RULES]
        if unknown:
            ignore_reader.problem(
                index,
                "rule" if "rule" in entry else "rules",
                f"{label}: unknown rule(s) {', '.join(unknown)}",
            )
            continue
        review_by = entry.get("review_by")
        if isinstance(review_by, str):
            try:
                review_by = datetime.date.fromisoformat(review_by)
            except ValueError:
                review_by = "invalid"
        if review_by is not None and (
            not isinstance(review_by, datetime.date) or isinstance(review_by, datetime.datetime)
        ):
            ignore_reader.problem(index, "review_by", f"{label}: 'review_by' must be a date like 2027-06-30")
            review_by = None
        out.append(
            IgnoreEntry(
                paths=tuple(ignore_reader.rebase(p) for p in paths),
                rules=tuple(r.upper() for r in rules),
                reason=reason,
                location=ignore_reader.where(index),
                owner=ignore_reader.optional_string(index, entry, "owner", label),
                review_by=review_by,
            )
        )
    reader.problems.extend(ignore_reader.problems)
    return out


# --- helpers ---------------------------------------------------------------------------------------


def _only_problem(shown: str, line: int, message: str, column: int = 1) -> Declarations:
    return Declarations((), (DeclarationProblem(Location(shown, line, column), message),), shown)


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _prefix(folder: Path, base: Path) -> str:
    try:
        relative = PurePosixPath(folder.resolve().relative_to(base.resolve()).as_posix())
    except ValueError:
        return folder.resolve().as_posix()
    return "" if str(relative) == "." else relative.as_posix()


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_.\"' -]+\s*\]\]?\s*(#.*)?$")


def _table_spans(text: str, header: str) -> list[tuple[int, int]]:
    """1-based (first, last) line of each [[header]] table, in order."""
    lines = text.splitlines()
    start_line = re.compile(rf"^\s*\[\[\s*{re.escape(header)}\s*\]\]")
    starts = [number for number, line in enumerate(lines, start=1) if start_line.match(line)]
    spans = []
    for i, start in enumerate(starts):
        end = len(lines)
        for number in range(start + 1, len(lines) + 1):
            if _TABLE_HEADER.match(lines[number - 1]):
                end = number - 1
                break
        if i + 1 < len(starts):
            end = min(end, starts[i + 1] - 1)
        spans.append((start, end))
    return spans


def _toml_error_position(exc: Exception) -> tuple[int, int]:
    match = re.search(r"at line (\d+), column (\d+)", str(exc))
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def _suggest(word: str, choices: Sequence[str]) -> str:
    import difflib  # only for a misspelt key

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _key_location(deployment: Deployment) -> Location:
    return deployment.source or Location("command line", 1)
