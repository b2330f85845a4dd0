"""Accuracy of emoscan on the team's labelled corpus (tests/corpus).

Runs every case, compares the results with the case's expected (rule, path, line) and prints precision
and recall overall, per evidence kind, per modality, per category and per confidence level; writes the
same tables to benchmarks/results-accuracy.md.

    python benchmarks/accuracy.py [--output benchmarks/results-accuracy.md] [--show-failures]

A result counts as a true positive when a case expects exactly that rule at that path and line; any other
finding is a false positive (on a negative case, every finding is one); an expected result that is missing
is a false negative. Cases tagged with several evidence kinds count towards each.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from corpus_cases import (  # noqa: E402
    Outcome,
    Tally,
    by_confidence,
    grouped,
    load_cases,
    overall,
    run_case,
)

from scanner import __version__  # noqa: E402
from scanner.signatures import load_catalog  # noqa: E402

TARGET = 0.95


def table(title: str, rows: dict[str, Tally], cases: dict[str, int] | None = None) -> list[str]:
    lines = [f"### {title}", ""]
    header = "| | cases | TP | FP | FN | precision | recall |" if cases else "| | TP | FP | precision |"
    lines.append(header)
    lines.append("|---|---:|---:|---:|---:|---:|---:|" if cases else "|---|---:|---:|---:|")
    for name, t in rows.items():
        if cases is not None:
            lines.append(
                f"| {name} | {cases.get(name, 0)} | {t.tp} | {t.fp} | {t.fn} | {t.precision:.3f} | {t.recall:.3f} |"
            )
        else:
            lines.append(f"| {name} | {t.tp} | {t.fp} | {t.precision:.3f} |")
    lines.append("")
    return lines


def case_counts(outcomes: Sequence[Outcome], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        case = outcome.case
        names = {"category": (case.category,), "modality": (case.modality,), "evidence": case.evidence}[key]
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def report(outcomes: Sequence[Outcome], seconds: float, command: str) -> list[str]:
    positives = sum(o.case.positive for o in outcomes)
    total = overall(outcomes)
    confidence = by_confidence(outcomes)
    ordered_confidence = {k: confidence[k] for k in ("high", "medium", "low", "none") if k in confidence}
    failed = [o for o in outcomes if not o.passed]
    high = confidence.get("high", Tally())
    lines = [
        "# Accuracy on the labelled corpus",
        "",
        f"Command: `{command}`",
        "",
        f"emoscan {__version__}, catalogue {load_catalog().version}, Python {platform.python_version()}; "
        f"{len(outcomes)} cases ({positives} positive, {len(outcomes) - positives} negative) in "
        f"{seconds:.1f} s.",
        "",
        f"- Overall: precision **{total.precision:.3f}**, recall **{total.recall:.3f}** "
        f"(TP {total.tp}, FP {total.fp}, FN {total.fn}); target {TARGET} for both.",
        f"- High-confidence results: precision **{high.precision:.3f}** ({high.tp} right, {high.fp} wrong); "
        "target: right at least 19 times in 20.",
        f"- Cases passing exactly (rule, path, line, stated confidence): {len(outcomes) - len(failed)} of "
        f"{len(outcomes)}.",
        "",
    ]
    lines += table("Per evidence kind", grouped(outcomes, "evidence"), case_counts(outcomes, "evidence"))
    lines += table("Per modality", grouped(outcomes, "modality"), case_counts(outcomes, "modality"))
    lines += table("Per category", grouped(outcomes, "category"), case_counts(outcomes, "category"))
    lines += table("Per confidence level (precision of the results at that level)", ordered_confidence)
    if failed:
        lines += ["### Cases that do not pass", ""]
        for o in failed:
            gap = f" Known gap: {o.case.known_gap}" if o.case.known_gap else ""
            lines.append(f"- `{o.case.id}`: expected {sorted(o.wanted)}, got {sorted(o.found)}.{gap}")
        lines.append("")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results-accuracy.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    cases = load_cases()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="emoscan-corpus-") as tmp:
        outcomes = [run_case(case, Path(tmp)) for case in cases]
    seconds = time.perf_counter() - start
    command = "python benchmarks/accuracy.py"
    text = "\n".join(report(outcomes, seconds, command)) + "\n"
    print(text)
    if not args.no_write:
        args.output.write_text(text, encoding="utf-8")
    total = overall(outcomes)
    high = by_confidence(outcomes).get("high", Tally())
    ok = total.precision >= TARGET and total.recall >= TARGET and high.precision >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
