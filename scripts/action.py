"""The GitHub Action's scan step (action.yml runs this file; tests/test_action.py runs it too).

It runs emoscan once for a SARIF log, once more for workflow annotations when asked, counts the SARIF
results by level and writes the step outputs. It uses only the standard library and runs emoscan as a
command, so it works with whatever emoscan the action installed.

Environment (action.yml maps each input to one of these through `env:`; all are optional):
  EMOSCAN_PATHS        what to scan: paths separated by spaces or newlines, shell-style quotes allowed
                       for a path with spaces (default ".")
  EMOSCAN_CONTEXT      deployment context for everything scanned (--context)
  EMOSCAN_SUBJECTS     who it is used on, comma-separated (--subjects)
  EMOSCAN_FAIL_LEVEL   error | warning | note | none (default warning): the step fails when a result at or
                       above this level is found; "none" never fails on results
  EMOSCAN_SARIF_FILE   where to write the SARIF log (default emoscan.sarif)
  EMOSCAN_ANNOTATIONS  "true" to print GitHub workflow annotations (emoscan --format github)
  EMOSCAN_COMMAND      how to run emoscan (default: this Python with `-m scanner`)
  GITHUB_OUTPUT        the step-output file the runner reads
  GITHUB_STEP_SUMMARY  the job-summary file; a short table of counts is appended when it is set

Outputs: sarif-file (empty when no log was written), errors, warnings, notes, total, exit-code.
Exit code: emoscan's own (0 nothing at or above the failing level, 1 results at or above it, 2 usage
or declaration error, 3 nothing could be scanned); 2 as well when an input is invalid.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FAIL_LEVELS = ("error", "warning", "note", "none")
LEVELS = ("error", "warning", "note")
EXIT_USAGE = 2
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off", ""})


class InputError(Exception):
    """An action input that cannot be used."""


@dataclass(frozen=True)
class Inputs:
    paths: tuple[str, ...]
    context: str | None
    subjects: str | None
    fail_level: str
    sarif_file: Path
    annotations: bool
    command: tuple[str, ...]


def flag(name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InputError(f"{name} must be true or false, got {value!r}")


def read_inputs(env: Mapping[str, str]) -> Inputs:
    try:
        paths = tuple(shlex.split(env.get("EMOSCAN_PATHS", ""))) or (".",)
    except ValueError as exc:
        raise InputError(f"paths: {exc}") from exc
    fail_level = env.get("EMOSCAN_FAIL_LEVEL", "").strip().lower() or "warning"
    if fail_level not in FAIL_LEVELS:
        raise InputError(f"fail-level must be one of {', '.join(FAIL_LEVELS)}, got {fail_level!r}")
    sarif_file = env.get("EMOSCAN_SARIF_FILE", "").strip() or "emoscan.sarif"
    command_text = env.get("EMOSCAN_COMMAND", "").strip()
    command = tuple(shlex.split(command_text)) if command_text else (sys.executable, "-m", "scanner")
    return Inputs(
        paths=paths,
        context=env.get("EMOSCAN_CONTEXT", "").strip() or None,
        subjects=env.get("EMOSCAN_SUBJECTS", "").strip() or None,
        fail_level=fail_level,
        sarif_file=Path(sarif_file),
        annotations=flag("annotations", env.get("EMOSCAN_ANNOTATIONS", "false")),
        command=command,
    )


def scan_arguments(inputs: Inputs, output_format: str) -> list[str]:
    """The emoscan command line for one output format."""
    arguments = [*inputs.command, "scan", "--format", output_format]
    if output_format == "sarif":
        arguments += ["--output", str(inputs.sarif_file)]
    if inputs.fail_level == "none":
        arguments.append("--exit-zero")
    else:
        arguments += ["--fail-level", inputs.fail_level]
    if inputs.context:
        arguments += ["--context", inputs.context]
    if inputs.subjects:
        arguments += ["--subjects", inputs.subjects]
    # "--" so that a path starting with "-" is never read as an option.
    return [*arguments, "--", *inputs.paths]


def count_levels(sarif: Mapping[str, object]) -> dict[str, int]:
    """Results per level across all runs; a result without a level takes its rule's default, which
    emoscan always writes explicitly, so a missing level counts as a warning (SARIF's default)."""
    counts = dict.fromkeys(LEVELS, 0)
    runs = sarif.get("runs")
    for run in runs if isinstance(runs, list) else []:
        results = run.get("results") if isinstance(run, dict) else None
        for result in results if isinstance(results, list) else []:
            level = result.get("level", "warning") if isinstance(result, dict) else "warning"
            if level in counts:
                counts[level] += 1
    return counts


def output_lines(outputs: Mapping[str, str]) -> str:
    """Step outputs in the runner's multi-line syntax, with a random delimiter that no value holds."""
    text = []
    for name, value in outputs.items():
        delimiter = f"EMOSCAN_{secrets.token_hex(8)}"
        text.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(text)


def summary_markdown(counts: Mapping[str, int], sarif_file: str, exit_code: int) -> str:
    total = sum(counts.values())
    rows = "".join(f"| {level} | {counts[level]} |\n" for level in LEVELS)
    where = f"SARIF log: `{sarif_file}`." if sarif_file else "No SARIF log was written."
    return (
        f"### emoscan: {total} result{'s' if total != 1 else ''}\n\n"
        f"| level | results |\n| --- | --- |\n{rows}\n{where} emoscan exit code: {exit_code}.\n\n"
        "*emoscan gives technical findings, not legal advice.*\n"
    )


def append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def run(arguments: Sequence[str]) -> int:
    print(f"$ {shlex.join(arguments)}", flush=True)
    return subprocess.run(arguments, check=False).returncode


def main(env: Mapping[str, str]) -> int:
    try:
        inputs = read_inputs(env)
    except InputError as exc:
        print(f"::error title=emoscan action::{exc}", flush=True)
        append(env.get("GITHUB_OUTPUT"), output_lines({"exit-code": str(EXIT_USAGE)}))
        return EXIT_USAGE
    inputs.sarif_file.parent.mkdir(parents=True, exist_ok=True)
    # A stale log from an earlier run must not be uploaded or counted as this run's.
    inputs.sarif_file.unlink(missing_ok=True)
    exit_code = run(scan_arguments(inputs, "sarif"))
    if inputs.annotations:
        # Only the SARIF run decides the exit code; this one prints annotations to the log.
        run(scan_arguments(inputs, "github"))
    counts = dict.fromkeys(LEVELS, 0)
    sarif_file = ""
    if inputs.sarif_file.is_file():
        sarif_file = str(inputs.sarif_file)
        counts = count_levels(json.loads(inputs.sarif_file.read_text(encoding="utf-8")))
    outputs = {
        "sarif-file": sarif_file,
        "errors": str(counts["error"]),
        "warnings": str(counts["warning"]),
        "notes": str(counts["note"]),
        "total": str(sum(counts.values())),
        "exit-code": str(exit_code),
    }
    append(env.get("GITHUB_OUTPUT"), output_lines(outputs))
    append(env.get("GITHUB_STEP_SUMMARY"), summary_markdown(counts, sarif_file, exit_code))
    print(
        f"emoscan: {outputs['total']} results ({outputs['errors']} errors, {outputs['warnings']} warnings, "
        f"{outputs['notes']} notes); exit code {exit_code}",
        flush=True,
    )
    return exit_code


if __name__ == "__main__":
    sys.exit(main(os.environ))
