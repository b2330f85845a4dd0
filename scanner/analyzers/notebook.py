"""Jupyter notebooks: code cells analysed like Python sources, locations mapped back to the line of the
.ipynb file, so SARIF points at the JSON line that holds the code.

Cells share one import table (an import in cell 1 resolves a call in cell 5). Shell and magic lines
(`!pip install fer`, `%pip install deepface`) are blanked for the parser; a pip install of a catalogue
package is dependency evidence at its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from scanner import prefilter
from scanner.analyzers.dependencies import dependency_evidence
from scanner.analyzers.python_source import Collector
from scanner.analyzers.text import TextError, decode, read_bytes
from scanner.discovery import Artifact
from scanner.findings import FileOutcome, Location, Notice, NoticeKind
from scanner.signatures import Catalog, normalise_dist

# Cell magics whose body is not Python.
_FOREIGN_CELL_MAGICS = frozenset(
    {
        "bash",
        "sh",
        "script",
        "html",
        "javascript",
        "js",
        "latex",
        "markdown",
        "perl",
        "ruby",
        "svg",
        "writefile",
    }
)
_SOURCE_KEY = re.compile(r'"(?:source|input)"\s*:')
_PIP_INSTALL = re.compile(
    r"^\s*[!%]\s*(?:python\d?\s+-m\s+)?(?:pip3?|conda|mamba|uv\s+pip)\s+install\s+(.*)$"
)


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]  # source lines, newline-terminated except perhaps the last
    file_lines: tuple[int, ...]  # the notebook file line of each source line


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        data = read_bytes(artifact, limit=64 * 1024 * 1024)
        if not prefilter.matches(catalog, data) and b"install" not in data:
            return FileOutcome()
        text = decode(data, artifact.path)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    return analyze_text(artifact, catalog, text)


def analyze_text(artifact: Artifact, catalog: Catalog, text: str) -> FileOutcome:
    """Analyse a notebook's decoded text (the repository pass calls this for a notebook the
    prefilter settled that turns out to use an emotion artifact defined elsewhere)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(
            artifact, NoticeKind.PARSE_ERROR, f"invalid notebook JSON at line {exc.lineno}: {exc.msg}"
        )
    except RecursionError:
        return _fail(artifact, NoticeKind.PARSE_ERROR, "notebook JSON nested too deeply to read")
    try:
        cells = code_cells(document, text)
    except ValueError as exc:
        return _fail(artifact, NoticeKind.PARSE_ERROR, str(exc))
    collector = Collector(catalog, artifact.path)
    for cell in cells:
        _feed_cell(collector, cell, catalog)
    return collector.outcome()


def _fail(artifact: Artifact, kind: NoticeKind, message: str) -> FileOutcome:
    return FileOutcome(notices=(Notice(artifact.path, kind, message),))


def code_cells(document: object, text: str) -> list[Cell]:
    """Code cells of an nbformat 3 or 4 document, each line tied to its notebook file line."""
    if not isinstance(document, dict):
        raise ValueError("not a notebook: the top level is not a JSON object")
    if isinstance(document.get("cells"), list):
        all_cells, key = document["cells"], "source"
    elif isinstance(document.get("worksheets"), list):  # nbformat 3
        all_cells = []
        for index, worksheet in enumerate(document["worksheets"]):
            listed = worksheet.get("cells", []) if isinstance(worksheet, dict) else None
            if not isinstance(listed, list):
                raise ValueError(f"not a notebook: worksheet {index} has no 'cells' list")
            all_cells.extend(listed)
        key = "input"
    else:
        raise ValueError("not a notebook: no 'cells' list (nbformat 4) or 'worksheets' (nbformat 3)")
    raw_lines = text.splitlines()
    key_lines = [text.count("\n", 0, m.start()) + 1 for m in _SOURCE_KEY.finditer(text)]
    aligned = len(key_lines) == sum(
        1 for c in all_cells if isinstance(c, dict) and ("source" in c or "input" in c)
    )
    cells: list[Cell] = []
    ordinal = -1
    for cell in all_cells:
        if not isinstance(cell, dict) or ("source" not in cell and "input" not in cell):
            continue
        ordinal += 1
        if cell.get("cell_type") != "code":
            continue
        source = cell.get(key, cell.get("source", ""))
        key_line = key_lines[ordinal] if aligned else 1
        cells.append(_cell(source, key_line, raw_lines))
    return cells


def _cell(source: object, key_line: int, raw_lines: Sequence[str]) -> Cell:
    if isinstance(source, list):
        parts = [s for s in source if isinstance(s, str)]
        # nbformat writes one list item per file line right after the key; verify before trusting.
        mapped = [key_line + 1 + i for i in range(len(parts))]
        if not all(_line_holds(raw_lines, n, part) for n, part in zip(mapped, parts, strict=True)):
            mapped = [key_line] * len(parts)
        lines: list[str] = []
        numbers: list[int] = []
        for part, number in zip(parts, mapped, strict=True):
            for sub in part.splitlines(keepends=True) or [part]:
                lines.append(sub)
                numbers.append(number)
        return Cell(tuple(lines), tuple(numbers))
    if isinstance(source, str):
        lines = source.splitlines(keepends=True)
        return Cell(tuple(lines), tuple([key_line] * len(lines)))
    return Cell((), ())


def _line_holds(raw_lines: Sequence[str], number: int, part: str) -> bool:
    if number - 1 >= len(raw_lines):
        return False
    candidate = raw_lines[number - 1].strip().rstrip(",")
    try:
        return bool(json.loads(candidate) == part)
    except (json.JSONDecodeError, RecursionError):
        return False


def _feed_cell(collector: Collector, cell: Cell, catalog: Catalog) -> None:
    if not cell.lines:
        return
    first = cell.lines[0].strip()
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic in _FOREIGN_CELL_MAGICS:
            return
    python_lines: list[str] = []
    for line, number in zip(cell.lines, cell.file_lines, strict=True):
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            _pip_evidence(collector, stripped, Location(collector.path, number, 1), catalog)
            # A statement that does nothing keeps the line count, and a block whose only line is a
            # magic (`if COLAB:` / `    %pip install x`) still parses.
            python_lines.append(line[: len(line) - len(stripped)] + "pass\n")
        else:
            python_lines.append(line if line.endswith("\n") else line + "\n")
    numbers = cell.file_lines

    def line_map(line: int) -> int:
        return numbers[min(max(line, 1), len(numbers)) - 1]

    collector.feed("".join(python_lines), line_map)


def _pip_evidence(collector: Collector, line: str, where: Location, catalog: Catalog) -> None:
    match = _PIP_INSTALL.match(line)
    if match is None:
        return
    for token in match.group(1).split():
        if token.startswith("-"):
            continue
        name = re.split(r"[\[<>=!~;@ ]", token.strip("'\""), maxsplit=1)[0]
        package = catalog.package_by_name.get(normalise_dist(name))
        if package is None:
            continue
        collector.add(dependency_evidence(package, where, f"notebook installs {name!r} ({package.summary})"))
