"""GitHub Actions workflow commands: one annotation per result, shown on the pull request's diff.

`::error file=app.py,line=5,col=12,title=EMO001 prohibited-emotion-recognition::message`. Levels map
error -> error, warning -> warning, note -> notice. A file that could not be read becomes a warning
annotation on that file. A pure function of the scan; the CLI prints it.

Escaping follows the runner's rules: in the message `%`, `\\r` and `\\n` become `%25`, `%0D` and `%0A`;
in a property value `:` and `,` also become `%3A` and `%2C`, so a file name can never end the
property list or start a new command.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from scanner.findings import Level, Location, Notice, Result, ScanResult
from scanner.output.text import summary_line
from scanner.rules import RULES

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
ARCHIVE_SEPARATOR = "!/"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    """One workflow command line: `::name key=value,...::message`."""
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {listed}::{escape_data(message)}" if listed else f"::{name}::{escape_data(message)}"


def annotation_file(path: str) -> tuple[str, str | None]:
    """The file GitHub can show, and the archive member inside it if any: an annotation cannot point
    into `vendor.zip!/pkg/config.json`, so it goes on `vendor.zip` and names the member."""
    if ARCHIVE_SEPARATOR in path:
        archive, _, member = path.partition(ARCHIVE_SEPARATOR)
        return archive, member
    return path, None


def repository_path(path: str, roots: tuple[str, ...]) -> str:
    """`path` relative to the scan root when it is an absolute path under it (GitHub resolves an
    annotation's file against the workspace, where the action scans from)."""
    if len(roots) != 1 or not path.startswith("/"):
        return path
    root, absolute = PurePosixPath(roots[0]), PurePosixPath(path)
    if absolute != root and absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    return path


def location_properties(location: Location) -> dict[str, str | int]:
    path, member = annotation_file(location.path)
    properties: dict[str, str | int] = {"file": path}
    if member is not None:
        return properties  # a line inside a member means nothing in the archive file
    properties["line"] = max(location.line, 1)
    properties["col"] = max(location.column, 1)
    if location.end_line and location.end_line >= location.line:
        properties["endLine"] = location.end_line
        if location.end_column:
            properties["endColumn"] = location.end_column
    return properties


def result_annotation(result: Result) -> str:
    rule = RULES.get(result.rule_id)
    title = f"{result.rule_id} {rule.name}" if rule else result.rule_id
    properties = location_properties(result.location)
    properties["title"] = title
    _, member = annotation_file(result.location.path)
    where = f"In {member} (line {result.location.line}): " if member else ""
    return command(COMMANDS[result.level], properties, f"{where}{result.message}")


def notice_annotation(notice: Notice) -> str:
    path, member = annotation_file(notice.path)
    properties: dict[str, str | int] = {"file": path}
    if notice.line and member is None:
        properties["line"] = notice.line
    properties["title"] = f"emoscan could not {'read' if notice.fatal else 'fully read'} this file"
    inside = f"{member}: " if member else ""
    return command("warning", properties, f"{inside}{notice.message} ({notice.kind.value})")


def render_github(scan: ScanResult) -> str:
    roots = scan.roots
    lines = [
        result_annotation(
            replace(
                result, location=replace(result.location, path=repository_path(result.location.path, roots))
            )
        )
        for result in scan.results
    ]
    lines.extend(
        notice_annotation(replace(notice, path=repository_path(notice.path, roots)))
        for notice in scan.notices
    )
    lines.append(summary_line(scan))
    return "\n".join(lines) + "\n"
