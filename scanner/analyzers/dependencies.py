"""Dependency declarations: which catalogue packages a project declares or pins, and where.

Formats: pip requirements files (requirements*.txt, *.in, egg-info requires.txt), pyproject.toml
(PEP 621, PEP 735 dependency groups, Poetry, PDM, uv), setup.cfg, Pipfile, conda environment files, and
the lock files poetry.lock, uv.lock, pdm.lock, pylock.toml and Pipfile.lock.

Structured formats are parsed with a real parser (tomllib, json) to decide *which* names are
dependencies; a small position-aware scanner of the same text then finds *where* each one is written,
so a name that also appears in a comment or in an unrelated table is never reported at the wrong line.
Nothing is imported, installed or resolved.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from scanner.analyzers import text
from scanner.discovery import Artifact, ArtifactKind
from scanner.findings import Evidence, EvidenceKind, FileOutcome, Location, Notice, NoticeKind, Strength
from scanner.signatures import Catalog, Package, normalise_dist

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Declared:
    """A distribution name as written in the file, and where (1-based; 0 when it could not be found)."""

    name: str
    line: int
    column: int

    @property
    def located(self) -> bool:
        return self.line > 0


class Unreadable(Exception):
    """The file cannot be analysed at all; becomes a fatal notice."""

    def __init__(self, kind: NoticeKind, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


Parser = Callable[[str], list[Declared]]


# --- entry point ----------------------------------------------------------------------------------


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        content = _read_text(artifact)
    except text.TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    parser = _parser_for(artifact)
    if parser is None:
        return FileOutcome(
            notices=(
                Notice(artifact.path, NoticeKind.UNSUPPORTED, "not a dependency file format emoscan reads"),
            )
        )
    try:
        declared = parser(content)
    except Unreadable as exc:
        return FileOutcome(notices=(Notice(artifact.path, exc.kind, exc.message, line=exc.line),))
    except Exception as exc:  # the analyzer contract: never raise for bad input, report it instead
        name = PurePosixPath(artifact.path).name
        message = f"internal error while reading the dependencies of {name}: {type(exc).__name__}: {exc}"
        return FileOutcome(notices=(Notice(artifact.path, NoticeKind.PARSE_ERROR, message),))
    return _outcome(artifact, catalog, declared)


def _read_text(artifact: Artifact) -> str:
    content = text.decode(text.read_bytes(artifact), artifact.path, strict=False)
    nul = content.find("\x00")
    if nul >= 0:
        line = content.count("\n", 0, nul) + 1
        raise text.TextError(
            Notice(
                artifact.path,
                NoticeKind.DECODE_ERROR,
                f"binary content (NUL character on line {line}) in a file named like a dependency list; "
                "not analysed (UTF-16 or UTF-32 text needs a byte-order mark)",
                line=line,
            )
        )
    return content


def _parser_for(artifact: Artifact) -> Parser | None:
    if artifact.kind is ArtifactKind.LOCKFILE:
        name = PurePosixPath(artifact.path).name.lower()
        return parse_pipfile_lock if name == "pipfile.lock" else parse_toml_lock
    return PARSERS.get(artifact.kind)


def _outcome(artifact: Artifact, catalog: Catalog, declared: list[Declared]) -> FileOutcome:
    file_name = PurePosixPath(artifact.path).name
    verb = "pins" if artifact.kind is ArtifactKind.LOCKFILE else "declares"
    evidence: list[Evidence] = []
    notices: list[Notice] = []
    seen: set[str] = set()
    for item in sorted(declared, key=lambda d: (not d.located, d.line, d.column)):
        package = catalog.package_by_name.get(normalise_dist(item.name))
        if package is None or package.id in seen:
            continue
        seen.add(package.id)
        if not item.located:
            notices.append(
                Notice(
                    artifact.path,
                    NoticeKind.PARTIAL,
                    f"could not find where '{item.name}' is written; reported at line 1",
                    fatal=False,
                )
            )
        evidence.append(
            dependency_evidence(
                package,
                Location(artifact.path, max(item.line, 1), max(item.column, 1)),
                f"{file_name} {verb} '{item.name}' ({package.summary})",
            )
        )
    return FileOutcome(evidence=tuple(evidence), notices=tuple(notices))


# --- positions ------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Turns a character offset into a 1-based line and column (columns count code points)."""

    def __init__(self, content: str) -> None:
        self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(content))]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def declared(self, name: str, offset: int) -> Declared:
        return Declared(name, *self.position(offset))


def _physical_lines(content: str) -> Iterator[tuple[int, str]]:
    """(offset of the line start, line without its terminator)."""
    start = 0
    for match in _LINE_BREAK.finditer(content):
        yield start, content[start : match.start()]
        start = match.end()
    if start < len(content):
        yield start, content[start:]


# --- one requirement ------------------------------------------------------------------------------

_DIST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
# What may follow a PEP 508 name: extras, a version, a marker, a URL, or nothing.
_AFTER_NAME = frozenset(" \t[(<>=!~;@,")
_URL_OR_PATH = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|file:|[./\\~]|[A-Za-z]:[\\/]")
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$", re.IGNORECASE)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_EDITABLE = re.compile(r"(?:-e|--editable)(?:[ \t]*=[ \t]*|[ \t]+|(?=[^ \t-]))")
_COMMENT = re.compile(r"(?:^|[ \t])#")


def strip_comment(line: str) -> str:
    """Drop a `#` comment that starts the line or follows whitespace (so `#egg=` survives)."""
    match = _COMMENT.search(line)
    return line if match is None else line[: match.start()]


def dependency_evidence(package: Package, where: Location, summary: str) -> Evidence:
    """A declared or installed catalogue package: direct evidence when the package exists to infer
    emotions, an enabler otherwise. Shared by dependency files, notebooks' pip lines and setup.py."""
    return Evidence(
        kind=EvidenceKind.DEPENDENCY,
        signature_id=package.id,
        location=where,
        summary=summary,
        modality=package.modality,
        capability=package.capability,
        strength=Strength.DIRECT if package.dedicated else Strength.ENABLER,
        package=package.name,
    )


def requirement_name(spec: str) -> tuple[str, int] | None:
    """The distribution a pip requirement line (comment removed) or PEP 508 string names, with its
    offset in `spec`; None for options, local paths without a name, and text that is no requirement."""
    start = len(spec) - len(spec.lstrip())
    if start == len(spec):
        return None
    if spec.startswith("-", start):
        return _editable_name(spec, start)
    if _URL_OR_PATH.match(spec, start) or _is_archive_name(_first_token(spec, start)):
        return _name_from_location(spec, start)
    match = _DIST_NAME.match(spec, start)
    if match is None:
        return None
    after = spec[match.end() : match.end() + 1]
    if after and after not in _AFTER_NAME:
        return None
    return match.group(), match.start()


def _first_token(spec: str, start: int) -> str:
    end = start
    while end < len(spec) and spec[end] not in " \t;":
        end += 1
    return spec[start:end]


def _is_archive_name(token: str) -> bool:
    """`fer-22.5-py3-none-any.whl` is a file to install, though it also reads as a PEP 508 name;
    `fer@https://.../fer.zip` is a name."""
    return "@" not in token and _ARCHIVE.search(token) is not None


def _editable_name(spec: str, start: int) -> tuple[str, int] | None:
    """`-e git+https://...#egg=name`; every other option (-r, -c, --index-url, ...) names nothing."""
    match = _EDITABLE.match(spec, start)
    if match is None:
        return None
    return _name_from_location(spec, match.end())


def _name_from_location(spec: str, start: int) -> tuple[str, int] | None:
    """A URL or path names a distribution by its `#egg=` fragment or by an archive file name."""
    token = _first_token(spec, start)
    egg = _EGG.search(token)
    if egg is not None:
        return egg.group(1), start + egg.start(1)
    path = token.split("#", 1)[0].split("?", 1)[0]
    if not _ARCHIVE.search(path):
        return None
    base = re.split(r"[/\\]", path)[-1]
    offset = start + len(path) - len(base)
    if base.lower().endswith(".whl"):
        return base.split("-", 1)[0], offset
    sdist = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*?)-\d", base)
    return None if sdist is None else (sdist.group(1), offset)


# --- requirements files ---------------------------------------------------------------------------


def parse_requirements(content: str) -> list[Declared]:
    lines = LineIndex(content)
    found: list[Declared] = []
    for logical in _logical_lines(content):
        spec = strip_comment(logical.text)
        if spec.lstrip().startswith("["):  # a section header of egg-info requires.txt
            continue
        named = requirement_name(spec)
        if named is not None:
            found.append(lines.declared(named[0], logical.offset(named[1])))
    return found


@dataclass
class _Logical:
    """Physical lines joined at trailing backslashes, remembering where each piece came from."""

    text: str = ""
    text_starts: list[int] = field(default_factory=list)  # where each piece starts in `text`
    file_starts: list[int] = field(default_factory=list)  # and in the file

    def add(self, piece: str, file_offset: int) -> None:
        self.text_starts.append(len(self.text))
        self.file_starts.append(file_offset)
        self.text += piece

    def offset(self, index: int) -> int:
        """The file offset of character `index` of the joined text."""
        piece = bisect.bisect_right(self.text_starts, index) - 1
        return self.file_starts[piece] + index - self.text_starts[piece]


def _logical_lines(content: str) -> Iterator[_Logical]:
    current = _Logical()
    for start, line in _physical_lines(content):
        continues = line.endswith("\\") and not line.lstrip().startswith("#")
        current.add(line[:-1] if continues else line, start)
        if not continues:
            yield current
            current = _Logical()
    if current.text_starts:
        yield current


# --- setup.cfg ------------------------------------------------------------------------------------

_CFG_SECTION = re.compile(r"\[([^\]]+)\]")
_CFG_OPTION = re.compile(r"([^=:\s][^=:]*?)[ \t]*[=:][ \t]*")


def parse_setup_cfg(content: str) -> list[Declared]:
    """`[options] install_requires` and every key of `[options.extras_require]`, as setuptools reads
    them: one requirement per line of a multi-line value, `;`-separated on a single line."""
    lines = LineIndex(content)
    found: list[Declared] = []
    for segments in _cfg_requirement_values(content):
        pieces = segments if len(segments) > 1 else _split_semicolons(*segments[0])
        for piece, offset in pieces:
            named = requirement_name(strip_comment(piece))
            if named is not None:
                found.append(lines.declared(named[0], offset + named[1]))
    return found


def _cfg_requirement_values(content: str) -> Iterator[list[tuple[str, int]]]:
    """For each requirement-list option, the rest of its key line and its continuation lines, with
    their file offsets. Full-line comments and blank lines are skipped, as configparser does."""
    section = ""
    value: list[tuple[str, int]] | None = None  # None: not inside a requirement-list option
    in_option = False
    for start, line in _physical_lines(content):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if in_option and line[0] in " \t":
            if value is not None:
                value.append((line, start))
            continue
        if value:
            yield value
        value, in_option = None, False
        header = _CFG_SECTION.fullmatch(stripped)
        option = _CFG_OPTION.match(line)
        if header is not None:
            section = header.group(1).strip()
        elif option is not None:
            in_option = True
            if _is_requirement_option(section, option.group(1)):
                # The key line always counts as a segment, so a value with continuation lines has
                # several and is read one requirement per line, as setuptools does.
                value = [(line[option.end() :], start + option.end())]
    if value:
        yield value


def _is_requirement_option(section: str, option: str) -> bool:
    key = option.strip().lower().replace("-", "_")
    return (section == "options" and key == "install_requires") or section == "options.extras_require"


def _split_semicolons(piece: str, offset: int) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    for part in piece.split(";"):
        parts.append((part, offset))
        offset += len(part) + 1
    return parts


# --- conda environment files ----------------------------------------------------------------------

_YAML_ITEM = re.compile(r"([ \t]*)-(?:[ \t]+|$)")
_YAML_DEPENDENCIES = re.compile(r"dependencies[ \t]*:[ \t]*(?:#.*)?$")
_YAML_PIP = re.compile(r"pip[ \t]*:")
_CONDA_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_AFTER_CONDA_NAME = frozenset(" \t=<>!~[,")


def parse_conda_env(content: str) -> list[Declared]:
    """The `dependencies:` list of an environment file: conda match specs, and the requirements of a
    nested `- pip:` list. A line reader, not a YAML parser: block sequences only."""
    lines = LineIndex(content)
    found: list[Declared] = []
    for item, offset, is_pip in _conda_items(content):
        named = requirement_name(item) if is_pip else _conda_spec_name(item)
        if named is not None:
            found.append(lines.declared(named[0], offset + named[1]))
    return found


def _conda_items(content: str) -> Iterator[tuple[str, int, bool]]:
    """(item text, its file offset, whether it sits in the nested pip list)."""
    in_block = in_pip = False
    item_indent: int | None = None  # indentation of the items of `dependencies:`
    for start, line in _physical_lines(content):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() and not stripped.startswith("-"):  # a top-level key
            in_block = _YAML_DEPENDENCIES.match(line) is not None
            item_indent, in_pip = None, False
            continue
        item = _YAML_ITEM.match(line)
        if not in_block or item is None:
            continue
        indent = len(item.group(1))
        value, value_start = _yaml_scalar(line, item.end())
        if item_indent is None or indent <= item_indent:
            item_indent = indent
            in_pip = _YAML_PIP.fullmatch(value) is not None
            if not in_pip:
                yield value, start + value_start, False
        elif in_pip:
            yield value, start + value_start, True


def _yaml_scalar(line: str, start: int) -> tuple[str, int]:
    """A plain or quoted scalar starting at `start`, without quotes or trailing comment."""
    if line[start : start + 1] in ("'", '"'):
        quote = line[start]
        end = line.find(quote, start + 1)
        return line[start + 1 : end if end > 0 else len(line)], start + 1
    comment = re.search(r"[ \t]#", line[start:])
    end = len(line) if comment is None else start + comment.start()
    return line[start:end].rstrip(), start


def _conda_spec_name(spec: str) -> tuple[str, int] | None:
    """`channel::name=1.0=build`, `name>=1.0`, `name 1.0`, `name[version='>=1']`."""
    start = spec.rfind("::") + 2 if "::" in spec else 0
    match = _CONDA_NAME.match(spec, start)
    if match is None:
        return None
    after = spec[match.end() : match.end() + 1]
    if after and after not in _AFTER_CONDA_NAME:
        return None
    return match.group(), match.start()


# --- TOML: structure from tomllib, positions from a scanner ---------------------------------------


def load_toml(content: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise Unreadable(
            NoticeKind.PARSE_ERROR, f"invalid TOML: {exc}", int(where.group(1)) if where else None
        ) from exc
    except RecursionError as exc:
        raise Unreadable(NoticeKind.PARSE_ERROR, "invalid TOML: values nested too deeply") from exc
    return data


def _table(data: Any, *keys: str) -> dict[str, Any]:
    """The table at `keys`, or an empty one when it is missing or of another type."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class TomlWanted:
    """Where tomllib says dependencies are: PEP 508 strings in arrays, and package-name keys."""

    strings: tuple[tuple[KeyPath, str], ...] = ()  # (path of the array, requirement string)
    keys: tuple[tuple[KeyPath, str], ...] = ()  # (path of the table, key)


def _locate_toml(content: str, wanted: TomlWanted) -> list[Declared]:
    if not wanted.strings and not wanted.keys:
        return []
    lines = LineIndex(content)
    paths = {path for path, _ in wanted.strings} | {path for path, _ in wanted.keys}
    try:
        located: Located | None = TomlLocator(content, paths).run()
    except LocateError:
        located = None
    found: list[Declared] = []
    for path, value in wanted.strings:
        named = requirement_name(value)
        if named is None:
            continue
        span = None if located is None else located.strings.get((path, value))
        if span is None:
            found.append(Declared(named[0], 0, 0))
        else:
            found.append(lines.declared(named[0], _name_offset(content, span, *named)))
    for path, key in wanted.keys:
        offset = None if located is None else located.keys.get((path, key))
        found.append(Declared(key, 0, 0) if offset is None else lines.declared(key, offset))
    return found


def _name_offset(content: str, span: tuple[int, int], name: str, offset: int) -> int:
    """Where `name`, found at `offset` of a decoded string, is in the source between the quotes. They
    differ only when escapes or a trimmed leading newline come first."""
    start, end = span
    source = content[start:end]
    if not source.startswith(name, offset):
        offset = source.find(name)
    return start + max(offset, 0)


# Arrays of PEP 508 strings in pyproject.toml: single arrays, and tables whose every value is one.
_PYPROJECT_ARRAYS: tuple[KeyPath, ...] = (("project", "dependencies"), ("tool", "uv", "dev-dependencies"))
_PYPROJECT_ARRAY_TABLES: tuple[KeyPath, ...] = (
    ("project", "optional-dependencies"),  # PEP 621 extras
    ("dependency-groups",),  # PEP 735
    ("tool", "pdm", "dev-dependencies"),
)


def parse_pyproject(content: str) -> list[Declared]:
    data = load_toml(content)
    arrays = [*_PYPROJECT_ARRAYS, *((*t, name) for t in _PYPROJECT_ARRAY_TABLES for name in _table(data, *t))]
    strings = [(path, s) for path in arrays for s in _strings(_table(data, *path[:-1]).get(path[-1]))]
    poetry = ("tool", "poetry")
    tables: list[KeyPath] = [(*poetry, "dependencies"), (*poetry, "dev-dependencies")]
    tables += [(*poetry, "group", group, "dependencies") for group in _table(data, *poetry, "group")]
    keys = [(path, key) for path in tables for key in _table(data, *path)]
    return _locate_toml(content, TomlWanted(tuple(strings), tuple(keys)))


# Pipfile top-level tables that are not package categories (any other table is one, as in pipenv).
_PIPFILE_NOT_PACKAGES = frozenset({"source", "requires", "scripts", "pipenv"})


def parse_pipfile(content: str) -> list[Declared]:
    data = load_toml(content)
    categories = [c for c, v in data.items() if isinstance(v, dict) and c not in _PIPFILE_NOT_PACKAGES]
    keys = tuple(((category,), key) for category in categories for key in data[category])
    return _locate_toml(content, TomlWanted(keys=keys))


def parse_toml_lock(content: str) -> list[Declared]:
    """poetry.lock, uv.lock and pdm.lock (`[[package]]`), pylock.toml (`[[packages]]`)."""
    data = load_toml(content)
    strings: list[tuple[KeyPath, str]] = []
    for table in ("package", "packages"):
        entries = data.get(table)
        if isinstance(entries, list):
            names = (e.get("name") for e in entries if isinstance(e, dict))
            strings.extend(((table, "name"), n) for n in names if isinstance(n, str))
    return _locate_toml(content, TomlWanted(strings=tuple(strings)))


class LocateError(Exception):
    """The position scanner met text it does not understand (it only reads valid TOML/JSON)."""


def _prefixes(paths: set[KeyPath]) -> frozenset[KeyPath]:
    return frozenset(path[:length] for path in paths for length in range(len(path) + 1))


class _Cursor:
    """A position in a text that tomllib or json has already accepted, moved by regular expressions.
    Values on no way to the `paths` asked about are skipped bracket to bracket, not token by token,
    which keeps multi-megabyte lock files fast."""

    flat: re.Pattern[str]  # everything but brackets, with strings (and comments) consumed whole

    def __init__(self, content: str, paths: set[KeyPath]) -> None:
        self.text = content
        self.pos = 0
        self.inside = _prefixes(paths)

    def _skip(self, pattern: re.Pattern[str]) -> None:
        match = pattern.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str]:
        match = pattern.match(self.text, self.pos)
        if match is None or match.end() == self.pos:
            raise LocateError(f"unexpected text at offset {self.pos}")
        self.pos = match.end()
        return match

    def _expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise LocateError(f"expected {token!r} at offset {self.pos}")
        self.pos += len(token)

    def _pass_brackets(self) -> None:
        """Moves past one bracketed value (array, table or object)."""
        depth = 0
        while True:
            self._skip(self.flat)
            char = self.text[self.pos : self.pos + 1]
            if not char:
                raise LocateError("unbalanced brackets")
            depth += 1 if char in "[{" else -1
            self.pos += 1
            if depth == 0:
                return


@dataclass
class Located:
    # (array or value path, decoded string) -> (start, end) offsets of the text between the quotes
    strings: dict[tuple[KeyPath, str], tuple[int, int]]
    # (table path, decoded key) -> offset of the key's first character
    keys: dict[tuple[KeyPath, str], int]


# String and blank patterns are "unrolled loops" (`"[^"\\]*(?:\\.[^"\\]*)*"`), never a starred
# alternation (`"(?:[^"\\]|\\.)*"`): Python's engine keeps a backtracking record for each repetition of
# an alternation, so a 4 MB string cost half a gigabyte.
_TOML_BLANK = re.compile(r"[ \t\r\n]*(?:#[^\n]*[ \t\r\n]*)*")
_TOML_SPACE = re.compile(r"[ \t]*")
_TOML_KEY = re.compile(r"[A-Za-z0-9_-]+|\"[^\"\\\r\n]*(?:\\.[^\"\\\r\n]*)*\"|'[^'\r\n]*'")
_TOML_STRING_PATTERN = (
    r'"""[^"\\]*(?:(?:\\[\s\S]|"{1,2}(?!"))[^"\\]*)*"{3,5}'
    r"|'''[^']*(?:'{1,2}(?!')[^']*)*'{3,5}"
    r'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"'
    r"|'[^'\r\n]*'"
)
_TOML_STRING = re.compile(_TOML_STRING_PATTERN)
_TOML_SCALAR = re.compile(r"[^,\]}#\r\n]+")
_TOML_FLAT = re.compile(rf"(?:[^\[\]{{}}\"'#]+|{_TOML_STRING_PATTERN}|#[^\n]*)*")


class TomlLocator(_Cursor):
    """Records where keys and string values start, under their full key path (array elements share
    the array's path)."""

    flat = _TOML_FLAT

    def __init__(self, content: str, paths: set[KeyPath]) -> None:
        super().__init__(content, paths)
        self.found = Located({}, {})

    def run(self) -> Located:
        table: KeyPath = ()
        while True:
            self._skip(_TOML_BLANK)
            if self.pos >= len(self.text):
                return self.found
            if self.text.startswith("[[", self.pos):
                table = self._header("[[", "]]")
            elif self.text.startswith("[", self.pos):
                table = self._header("[", "]")
            else:
                self._key_value(table)

    def _header(self, opening: str, closing: str) -> KeyPath:
        self.pos += len(opening)
        path = self._key(())
        self._expect(closing)
        return path

    def _key_value(self, table: KeyPath) -> None:
        path = self._key(table)
        self._expect("=")
        self._skip(_TOML_SPACE)
        self._value(path)

    def _key(self, parent: KeyPath) -> KeyPath:
        """A dotted key; leaves the position after the spaces that follow it."""
        path = parent
        while True:
            self._skip(_TOML_SPACE)
            match = self._match(_TOML_KEY)
            quoted = match.group()[0] in "\"'"
            key = _toml_decode(match.group()) if quoted else match.group()
            self.found.keys.setdefault((path, key), match.start() + (1 if quoted else 0))
            path = (*path, key)
            self._skip(_TOML_SPACE)
            if not self.text.startswith(".", self.pos):
                return path
            self.pos += 1

    def _value(self, path: KeyPath) -> None:
        char = self.text[self.pos : self.pos + 1]
        if char in ("[", "{"):
            if path in self.inside:
                self._container(path, "]" if char == "[" else "}")
            else:
                self._pass_brackets()
        elif char in ('"', "'"):
            match = self._match(_TOML_STRING)
            if path in self.inside:
                self._record_string(path, match)
        else:
            self._match(_TOML_SCALAR)

    def _record_string(self, path: KeyPath, match: re.Match[str]) -> None:
        raw = match.group()
        quotes = 3 if raw.startswith(('"""', "'''")) else 1
        span = (match.start() + quotes, match.end() - quotes)
        self.found.strings.setdefault((path, _toml_decode(raw)), span)

    def _container(self, path: KeyPath, closing: str) -> None:
        self.pos += 1
        while True:
            self._skip(_TOML_BLANK)
            if self.text.startswith(closing, self.pos):
                self.pos += 1
                return
            if closing == "]":
                self._value(path)
            else:
                self._key_value(path)
            self._skip(_TOML_BLANK)
            if self.text.startswith(",", self.pos):
                self.pos += 1


def _toml_decode(raw: str) -> str:
    """The value of one TOML string literal; tomllib decodes anything with escapes or line breaks."""
    if len(raw) >= 2 and raw[0] == raw[-1] and not raw.startswith(('"""', "'''")):
        inner = raw[1:-1]
        if raw[0] == "'" or "\\" not in inner:
            return inner
    value = tomllib.loads(f"v = {raw}")["v"]
    if not isinstance(value, str):
        raise LocateError(f"not a string: {raw[:40]!r}")
    return value


# --- Pipfile.lock (JSON) --------------------------------------------------------------------------


def parse_pipfile_lock(content: str) -> list[Declared]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise Unreadable(NoticeKind.PARSE_ERROR, f"invalid JSON: {exc}", exc.lineno) from exc
    except RecursionError as exc:
        raise Unreadable(NoticeKind.PARSE_ERROR, "invalid JSON: values nested too deeply") from exc
    if not isinstance(data, dict):
        raise Unreadable(NoticeKind.PARSE_ERROR, "Pipfile.lock is not a JSON object")
    categories = {c: v for c, v in data.items() if c != "_meta" and isinstance(v, dict)}
    if not categories:
        return []
    lines = LineIndex(content)
    try:
        keys: dict[tuple[KeyPath, str], int] | None = JsonLocator(content, {(c,) for c in categories}).run()
    except LocateError:
        keys = None
    found: list[Declared] = []
    for category, packages in categories.items():
        for name in packages:
            offset = None if keys is None else keys.get(((category,), name))
            found.append(Declared(name, 0, 0) if offset is None else lines.declared(name, offset))
    return found


_JSON_SPACE = re.compile(r"[ \t\r\n]*")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_SCALAR = re.compile(r"[^,\]}\s]+")
_JSON_FLAT = re.compile(r'(?:[^\[\]{}"]+|"[^"\\]*(?:\\.[^"\\]*)*")*')


class JsonLocator(_Cursor):
    """Records where the keys of the objects at `paths` start."""

    flat = _JSON_FLAT

    def __init__(self, content: str, paths: set[KeyPath]) -> None:
        super().__init__(content, paths)
        self.keys: dict[tuple[KeyPath, str], int] = {}

    def run(self) -> dict[tuple[KeyPath, str], int]:
        self._value(())
        return self.keys

    def _value(self, path: KeyPath) -> None:
        self._skip(_JSON_SPACE)
        char = self.text[self.pos : self.pos + 1]
        if char in ("[", "{") and path not in self.inside:
            self._pass_brackets()
        elif char == "{":
            self._members(path)
        elif char == "[":
            self._elements(path)
        else:
            self._match(_JSON_STRING if char == '"' else _JSON_SCALAR)

    def _members(self, path: KeyPath) -> None:
        self.pos += 1
        while self._more("}"):
            match = self._match(_JSON_STRING)
            key = _json_decode(match.group())
            self.keys.setdefault((path, key), match.start() + 1)
            self._skip(_JSON_SPACE)
            self._expect(":")
            self._value((*path, key))

    def _elements(self, path: KeyPath) -> None:
        self.pos += 1
        while self._more("]"):
            self._value(path)

    def _more(self, closing: str) -> bool:
        """Skips a separating comma; False (and consumes it) at the closing bracket."""
        self._skip(_JSON_SPACE)
        if self.text.startswith(",", self.pos):
            self.pos += 1
            self._skip(_JSON_SPACE)
        if self.text.startswith(closing, self.pos):
            self.pos += 1
            return False
        if self.pos >= len(self.text):
            raise LocateError("unexpected end of JSON")
        return True


def _json_decode(raw: str) -> str:
    if "\\" not in raw:
        return raw[1:-1]
    value = json.loads(raw)
    if not isinstance(value, str):
        raise LocateError(f"not a string: {raw[:40]!r}")
    return value


PARSERS: dict[ArtifactKind, Parser] = {
    ArtifactKind.REQUIREMENTS: parse_requirements,
    ArtifactKind.PYPROJECT: parse_pyproject,
    ArtifactKind.SETUP_CFG: parse_setup_cfg,
    ArtifactKind.PIPFILE: parse_pipfile,
    ArtifactKind.CONDA_ENV: parse_conda_env,
}
