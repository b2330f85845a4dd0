"""`emoscan init`: write a commented deployment declaration into pyproject.toml or emoscan.toml without
ever overwriting an existing one unless asked to."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.config import CONTEXTS, SUBJECTS


class InitError(Exception):
    pass


def template(header: str, answers: dict[str, str]) -> str:
    name = answers.get("name", "my-deployment")
    context = answers.get("context", "customer-service")
    subjects = [s.strip() for s in answers.get("subjects", "customers").split(",") if s.strip()]
    paths = [p.strip() for p in answers.get("paths", "**").split(",") if p.strip()]
    quoted = ", ".join(f'"{s}"' for s in subjects)
    globs = ", ".join(f'"{p}"' for p in paths)
    return f"""
# emoscan deployment declaration: where this code runs and on whom. emoscan turns it into the
# EU AI Act verdict for each emotion-recognition component it finds. One table per deployment;
# the most specific `paths` glob wins. Run `emoscan explain EMO008` for the rules of this file.
[[{header}]]
name = "{name}"
# Globs relative to this file's folder; files no declaration covers are reported as undeclared.
paths = [{globs}]
# One of: {", ".join(CONTEXTS)}
context = "{context}"
# Who the system is used on: {", ".join(SUBJECTS[:12])}, ...
# (customer-service analytics on agents or employees is workplace use.)
subjects = [{quoted}]
purpose = "describe what the emotion recognition is for"
# Only for a genuine medical or safety purpose (AI Act Art. 5(1)(f)); needs a justification.
# exemption = {{ kind = "safety", justification = "detects panic in pilots to trigger assistance" }}
# The Art. 50(3) notice to the people exposed, and the GDPR Art. 35 impact assessment.
# transparency_notice = "docs/emotion-recognition-notice.md"
# dpia = "docs/dpia.pdf"
"""


def write_template(target: Path | None, force: bool, answers: dict[str, str]) -> Path:
    if target is None:
        target = Path("pyproject.toml") if Path("pyproject.toml").is_file() else Path("emoscan.toml")
    is_pyproject = target.name == "pyproject.toml"
    header = "tool.emoscan.deployment" if is_pyproject else "deployment"
    existing = target.read_text(encoding="utf-8") if target.is_file() else ""
    declared = re.search(
        rf"^\s*\[\[?\s*{re.escape(header.rsplit('.', 1)[0]) if is_pyproject else 'deployment'}",
        existing,
        re.MULTILINE,
    )
    if declared and not force:
        raise InitError(f"{target} already has a declaration; edit it, or pass --force to replace it")
    if declared:
        existing = _remove_tables(existing, "tool.emoscan" if is_pyproject else "deployment")
    body = existing.rstrip("\n") + ("\n" if existing.strip() else "") + template(header, answers)
    target.write_text(body.lstrip("\n"), encoding="utf-8")
    return target


def _remove_tables(text: str, prefix: str) -> str:
    """Drop every [prefix...] / [[prefix...]] table with its body (and the comment block above it)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            skipping = header.group(1) == prefix or header.group(1).startswith(prefix + ".")
            if skipping:
                while out and out[-1].lstrip().startswith("#"):
                    out.pop()
        if not skipping:
            out.append(line)
    return "".join(out)
