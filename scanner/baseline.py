"""Baselines: accept today's results and report only new ones from now on.

A result is keyed by a content fingerprint — rule, file and the text of its line (normalised), plus
an occurrence count for identical lines — never by line number, so moving code does not make an old
result new. Results in binary files are keyed by their evidence signatures instead of a line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from scanner.findings import Result
from scanner.output import indented_json

BASELINE_VERSION = 1

LineReader = Callable[[str], Sequence[str] | None]


class BaselineError(Exception):
    """The baseline file cannot be used."""


def _content(result: Result, read_lines: LineReader) -> str:
    lines = read_lines(result.location.path)
    if lines is not None and 0 < result.location.line <= len(lines):
        return " ".join(lines[result.location.line - 1].split())
    signatures = sorted({e.signature_id for e in result.component.evidence}) if result.component else []
    return "|".join([result.location.logical or "", *signatures])


def fingerprints(results: Iterable[Result], read_lines: LineReader) -> list[str]:
    """One fingerprint per result, in order; identical keys are told apart by occurrence."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for result in results:
        key = "\0".join((result.rule_id, result.location.path, _content(result, read_lines)))
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32])
    return out


def render_baseline(results: Sequence[Result], read_lines: LineReader, tool_version: str) -> str:
    entries = [
        {
            "fingerprint": fp,
            "rule_id": r.rule_id,
            "path": r.location.path,
            "line": r.location.line,
            "message": r.message,
        }
        for fp, r in zip(fingerprints(results, read_lines), results, strict=True)
    ]
    document = {"emoscan_baseline": BASELINE_VERSION, "tool_version": tool_version, "results": entries}
    return indented_json.dumps(document, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> frozenset[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise BaselineError(f"{path}: not an emoscan baseline (invalid JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("emoscan_baseline") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: not an emoscan baseline (version {BASELINE_VERSION}); create one with `emoscan baseline create`"
        )
    entries = document.get("results")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{path}: 'results' must be a list of entries with a 'fingerprint'")
    return frozenset(e["fingerprint"] for e in entries)


def new_results(results: Sequence[Result], known: frozenset[str], read_lines: LineReader) -> list[Result]:
    return [r for r, fp in zip(results, fingerprints(results, read_lines), strict=True) if fp not in known]
