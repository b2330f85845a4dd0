"""Rule definitions: stable codes, names, default levels and documentation.

Codes never change meaning once released. Each rule's documentation has the fixed sections used by
`emoscan explain`, the SARIF help text and the README rule table.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.findings import Level

DOC_SECTIONS = ("What it finds", "Why it matters", "Example", "How to resolve", "References")

DISCLAIMER = "emoscan gives technical findings, not legal advice; have a lawyer confirm how the law applies."


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # kebab-case, names the pattern
    level: Level
    short: str  # one sentence, ends with a period
    what: str
    why: str
    example: str
    resolve: str
    references: tuple[str, ...]
    tags: tuple[str, ...]
    # GitHub code scanning: 0.0-10.0; >= 9 critical, >= 7 high, >= 4 medium, else low.
    security_severity: float
    precision: str  # very-high, high, medium, low

    def markdown(self) -> str:
        sections = (
            self.what,
            self.why,
            self.example,
            self.resolve,
            "\n".join(f"- {r}" for r in self.references),
        )
        body = "\n\n".join(
            f"## {title}\n\n{text}" for title, text in zip(DOC_SECTIONS, sections, strict=True)
        )
        return f"# {self.id} {self.name}\n\n{self.short}\n\n{body}\n\n*{DISCLAIMER}*\n"


RULES: dict[str, Rule] = {}


def _rule(rule: Rule) -> Rule:
    RULES[rule.id] = rule
    return rule


_rule(
    Rule(
        id="EMO001",
        name="prohibited-emotion-recognition",
        level=Level.ERROR,
        short="Emotion recognition from biometric data in a workplace or education context is prohibited.",
        what="Biometric emotion recognition (face, voice, physiological or behavioural signals) in code whose "
        "declared deployment is a workplace (employees, candidates, agents) or an education institution "
        "(pupils, students, exams), without a medical or safety purpose.",
        why="AI Act Art. 5(1)(f) has prohibited placing on the market, putting into service and using such "
        "systems since 2 February 2025. Fines reach EUR 35 million or 7 % of worldwide turnover "
        "(Art. 99(3)). Consent does not lift the ban.",
        example="```python\nfrom deepface import DeepFace\n# deployment: hr-interviews (workplace, candidates)\n"
        "DeepFace.analyze(frame, actions=['emotion'])\n```",
        resolve="Remove the emotion inference. If the system genuinely serves a medical or safety purpose, "
        "declare that exemption with its justification in the deployment declaration.",
        references=(
            "Regulation (EU) 2024/1689 (AI Act), Art. 5(1)(f) and Recital 44",
            "Commission Guidelines on prohibited AI practices, C(2025) 884",
        ),
        tags=("security", "compliance", "ai-act", "emotion-recognition", "prohibited"),
        security_severity=9.5,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO002",
        name="sensitive-biometric-categorisation",
        level=Level.ERROR,
        short="Inferring race, religion, political opinion, sexual orientation or trade-union membership "
        "from biometric data is prohibited.",
        what="Biometric categorisation that deduces an Art. 5(1)(g) trait, such as DeepFace's `race` "
        "action, which runs by default in a bare `DeepFace.analyze(img)` call.",
        why="AI Act Art. 5(1)(g) prohibits it in every context. GDPR Art. 9 makes such data a special "
        "category.",
        example="```python\nDeepFace.analyze(img)  # default actions include 'race'\n```",
        resolve="Pass explicit `actions` without the sensitive attribute, or remove the categorisation.",
        references=("Regulation (EU) 2024/1689 (AI Act), Art. 5(1)(g)", "GDPR Art. 9"),
        tags=("security", "compliance", "ai-act", "biometric-categorisation", "prohibited"),
        security_severity=9.0,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO003",
        name="high-risk-emotion-recognition",
        level=Level.WARNING,
        short="Emotion recognition from biometric data in a declared context where it is lawful is high-risk.",
        what="Biometric emotion recognition whose declared deployment is customer service (on customers), "
        "healthcare, safety, law enforcement, migration or a consumer product.",
        why="AI Act Annex III point 1(c) makes it high-risk: risk management, data governance, "
        "documentation, logging, human oversight and conformity assessment (Arts. 9-15, 43); deployers owe "
        "Art. 26 duties and, for some, a fundamental-rights impact assessment (Art. 27). Annex III "
        "obligations apply from 2 December 2027.",
        example="```python\n# deployment: support-calls (customer-service, customers)\n"
        "classifier = foreign_class(source='speechbrain/emotion-recognition-wav2vec2-IEMOCAP', ...)\n```",
        resolve="Keep the high-risk documentation, human oversight and logging in place, inform the people "
        "concerned (Art. 50(3)) and carry out a DPIA (GDPR Art. 35).",
        references=("Regulation (EU) 2024/1689 (AI Act), Annex III 1(c), Arts. 9-15, 26, 27, 43",),
        tags=("security", "compliance", "ai-act", "emotion-recognition", "high-risk"),
        security_severity=6.5,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO004",
        name="undeclared-emotion-recognition",
        level=Level.WARNING,
        short="Emotion recognition from biometric data in code that no deployment declaration covers.",
        what="Biometric emotion recognition in a path that no `[[tool.emoscan.deployment]]` declaration "
        "covers, so its legal status cannot be decided.",
        why="The same code is prohibited in a workplace or school (Art. 5(1)(f)) and high-risk elsewhere "
        "(Annex III 1(c)); without a declared context nobody can tell which applies.",
        example="```python\nfrom fer import FER\nFER(mtcnn=True).detect_emotions(frame)\n```",
        resolve="Declare the deployment context for this path in pyproject.toml (`[[tool.emoscan.deployment]]`) "
        "or emoscan.toml, or pass `--context` on the command line.",
        references=("Regulation (EU) 2024/1689 (AI Act), Art. 3(39), Art. 5(1)(f), Annex III 1(c)",),
        tags=("security", "compliance", "ai-act", "emotion-recognition"),
        security_severity=5.0,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO005",
        name="missing-transparency-notice",
        level=Level.WARNING,
        short="Emotion recognition is deployed without a declared Art. 50(3) transparency notice.",
        what="A deployment whose verdict requires informing the people exposed to emotion recognition, with "
        "no `transparency_notice` declared.",
        why="AI Act Art. 50(3) (from 2 August 2026) requires deployers to inform natural persons of the "
        "system's operation at the latest at first exposure (Art. 50(5)); GDPR Arts. 13-14 require it too.",
        example='```toml\n[[tool.emoscan.deployment]]\ncontext = "customer-service"\n'
        "# transparency_notice missing\n```",
        resolve='Write the notice and reference it with `transparency_notice = "docs/emotion-notice.md"`.',
        references=("Regulation (EU) 2024/1689 (AI Act), Art. 50(3) and 50(5)", "GDPR Arts. 13-14"),
        tags=("security", "compliance", "ai-act", "transparency"),
        security_severity=4.0,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO006",
        name="text-emotion-inference",
        level=Level.NOTE,
        short="Emotion is inferred from text only: not emotion recognition under the AI Act; the GDPR applies.",
        what="Emotion classification of written words (text classifiers, emotion lexicons).",
        why="Text content is not biometric data, so Art. 3(39) does not apply; the GDPR still does, and "
        "chatbots owe the Art. 50(1) disclosure.",
        example="```python\npipeline('text-classification', model='j-hartmann/emotion-english-distilroberta-base')\n```",
        resolve="Check the GDPR basis and transparency; if the text is a transcript enriched with voice "
        "prosody, it is voice emotion recognition instead.",
        references=("Regulation (EU) 2024/1689 (AI Act), Art. 3(39), Art. 50(1)", "GDPR Arts. 5, 6, 13-14"),
        tags=("security", "compliance", "gdpr", "text"),
        security_severity=2.0,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO007",
        name="physical-state-detection",
        level=Level.NOTE,
        short="Fatigue, drowsiness or pain detection only: not emotion recognition (Recital 18).",
        what="Inference of physical states such as fatigue, drowsiness or pain, never of emotions.",
        why="AI Act Recital 18 excludes physical states from emotion recognition; GDPR Art. 9 may apply "
        "to the health data involved.",
        example="```python\nif eye_aspect_ratio < 0.25: alert('drowsy')\n```",
        resolve="Nothing under the AI Act; check the GDPR basis for health data.",
        references=("Regulation (EU) 2024/1689 (AI Act), Recital 18", "GDPR Art. 9"),
        tags=("security", "compliance", "gdpr", "physical-state"),
        security_severity=1.0,
        precision="medium",
    )
)

_rule(
    Rule(
        id="EMO008",
        name="invalid-declaration",
        level=Level.ERROR,
        short="A deployment declaration cannot be read or is contradictory.",
        what="A malformed declaration: unknown context or subject word, an exemption without a "
        "justification, a path glob that matches nothing, a missing notice file, a TOML syntax error.",
        why="A wrong declaration gives wrong verdicts: a prohibited use could pass as high-risk.",
        example='```toml\n[[tool.emoscan.deployment]]\ncontext = "office"  # not a known context\n```',
        resolve="Fix the declaration as the message says; `emoscan init` writes a commented template.",
        references=("emoscan documentation: deployment declarations",),
        tags=(
            "security",
            "configuration",
        ),
        security_severity=5.0,
        precision="very-high",
    )
)

_rule(
    Rule(
        id="EMO009",
        name="emotion-recognition-outside-ai-act",
        level=Level.NOTE,
        short="Biometric emotion recognition declared for research only or purely personal use.",
        what="Biometric emotion recognition in a deployment declared as `research` (AI Act Art. 2(6) and "
        "2(8)) or `personal` (Art. 2(10)).",
        why="The AI Act does not apply to AI developed and used solely for scientific research, to "
        "research before placing on the market, or to purely personal use by individuals; the GDPR still "
        "does, and provider duties return once the system is placed on the market.",
        example='```toml\n[[tool.emoscan.deployment]]\ncontext = "research"\npaths = ["experiments/**"]\n```',
        resolve="Keep the research or personal scope true; re-declare the context before real-world use.",
        references=("Regulation (EU) 2024/1689 (AI Act), Art. 2(6), 2(8), 2(10)", "GDPR Arts. 5, 6, 9, 35"),
        tags=("security", "compliance", "gdpr", "research"),
        security_severity=2.0,
        precision="high",
    )
)

_rule(
    Rule(
        id="EMO010",
        name="invalid-suppression",
        level=Level.WARNING,
        short="A suppression that gives no reason, names no or an unknown rule, or whose review date has passed.",
        what="An inline `# emoscan: ignore[...]` comment without a reason or with an unknown rule code, or a "
        "`[[tool.emoscan.ignore]]` entry whose `review_by` date has passed.",
        why="A suppression hides a legal finding from reviewers and auditors; without a reason nobody can "
        "check it, and an expired one has not been reviewed when it said it would be. Such a suppression "
        "does not hide anything.",
        example="```python\nFER().detect_emotions(frame)  # emoscan: ignore[EMO004]\n```",
        resolve="Name the rule and say why, e.g. `# emoscan: ignore[EMO004] offline research only, see "
        "docs/ethics.md`; renew or remove expired `review_by` entries.",
        references=("emoscan documentation: suppressions",),
        tags=("configuration",),
        security_severity=3.0,
        precision="very-high",
    )
)

_rule(
    Rule(
        id="EMO011",
        name="unused-suppression",
        level=Level.NOTE,
        short="A suppression that matches no result (reported with --report-unused-suppressions).",
        what="An inline suppression or `[[tool.emoscan.ignore]]` entry that hides nothing.",
        why="Stale suppressions mislead readers and may silently hide a future finding.",
        example="```python\nx = 1  # emoscan: ignore[EMO004] legacy\n```",
        resolve="Remove the suppression.",
        references=("emoscan documentation: suppressions",),
        tags=("configuration",),
        security_severity=1.0,
        precision="very-high",
    )
)


def get_rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id.upper()]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known rules: {', '.join(RULES)}") from None
