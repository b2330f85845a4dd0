"""Every rule is documented in the fixed sections, and docs/rules.md (the SARIF helpUri target) is
generated from the rule definitions and kept current here.

Regenerate after changing a rule: EMOSCAN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_rules_docs.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from scanner.rules import DISCLAIMER, DOC_SECTIONS, RULES

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def render_rules_doc() -> str:
    parts = [
        "# emoscan rules\n",
        "Generated from `scanner/rules.py` by `tests/test_rules_docs.py`; do not edit by hand.\n",
        f"*{DISCLAIMER}*\n",
        "| code | name | level |\n|---|---|---|",
        *(f"| [{r.id}](#{r.id.lower()}-{r.name}) | {r.name} | {r.level.value} |" for r in RULES.values()),
        "",
    ]
    for rule in RULES.values():
        # One heading level down, so each rule is a section of this page with a stable anchor.
        body = rule.markdown().replace(f"\n\n*{DISCLAIMER}*\n", "\n")
        parts.append(re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE))
    return "\n".join(parts)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_has_every_section_and_cites_its_ground(rule_id: str) -> None:
    rule = RULES[rule_id]
    text = rule.markdown()
    for section in DOC_SECTIONS:
        assert f"\n## {section}\n" in text
    assert re.fullmatch(r"EMO\d{3}", rule.id) and re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", rule.name)
    assert rule.short.endswith(".") and rule.references
    assert 0.0 <= rule.security_severity <= 10.0
    assert rule.precision in {"very-high", "high", "medium", "low"}
    assert "not legal advice" in text


def test_rule_names_are_unique() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_rules_doc_is_current() -> None:
    rendered = render_rules_doc()
    if os.environ.get("EMOSCAN_UPDATE_SNAPSHOTS") == "1":
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(rendered, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == rendered, "docs/rules.md is out of date; regenerate it"
    for rule in RULES.values():
        assert f"\n## {rule.id} {rule.name}\n" in rendered
