"""Turn components into results with the decision table of LAW.md, using the deployment declaration
that covers each component's path.

Verdicts: P prohibited, H high-risk, G GDPR-only, I informational, R review (undeclared).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scanner.config import Deployment
from scanner.declarations import DeclarationProblem
from scanner.findings import Capability, Component, Location, Modality, Result
from scanner.rules import get_rule
from scanner.suppressions import SuppressionProblem

WORKPLACE_SUBJECTS = frozenset(
    {"employees", "candidates", "agents", "workers", "staff", "contractors", "applicants"}
)
EDUCATION_SUBJECTS = frozenset({"students", "pupils", "learners", "examinees"})

MODALITY_WORDS = {
    Modality.FACE: "faces",
    Modality.VOICE: "voice",
    Modality.PHYSIOLOGICAL: "physiological signals",
    Modality.BEHAVIOURAL: "behaviour (keystrokes, gaze, movement)",
    Modality.TEXT: "text",
    Modality.MULTIMODAL: "several biometric signals",
    Modality.UNKNOWN: "an unspecified input (treated as biometric)",
}

CAPABILITY_WORDS = {
    Capability.EMOTION: "Emotion recognition",
    Capability.INTENTION: "Intention inference",
    Capability.PHYSICAL_STATE: "Physical-state detection",
    Capability.EXPRESSION: "Expression detection",
    Capability.SENSITIVE_CATEGORISATION: "Biometric categorisation",
}


@dataclass(frozen=True)
class Cell:
    """One cell of the decision table: the verdict and the rules it fires."""

    verdict: str  # P, H, G, I, R
    rule_id: str | None
    row: str  # the table row, for `explain`
    legal: str  # the article(s) the message cites
    needs_notice: bool = False


DeploymentLookup = Callable[[str], Deployment | None]


def effective_context(deployment: Deployment) -> str:
    """Subjects override the context word: customer-service analytics on agents is workplace use."""
    subjects = set(deployment.subjects)
    if deployment.context == "workplace" or subjects & WORKPLACE_SUBJECTS:
        return "workplace"
    if deployment.context == "education" or subjects & EDUCATION_SUBJECTS:
        return "education"
    return deployment.context


def decide(component: Component, deployment: Deployment | None) -> Cell:
    capability = component.capability
    if capability is Capability.SENSITIVE_CATEGORISATION:
        return Cell("P", "EMO002", "sensitive biometric categorisation (any context)", "AI Act Art. 5(1)(g)")
    if capability is Capability.PHYSICAL_STATE:
        return Cell("I", "EMO007", "physical state only (any context)", "AI Act Recital 18; GDPR Art. 9")
    if capability is Capability.EXPRESSION:
        return Cell("I", None, "expression only, never mapped to emotions", "AI Act Recital 18")
    text = component.modality is Modality.TEXT
    if deployment is None:
        if text:
            return Cell("G", "EMO006", "undeclared, text only", "GDPR; AI Act Art. 3(39) does not apply")
        return Cell(
            "R", "EMO004", "undeclared, biometric", "AI Act Art. 5(1)(f) or Annex III 1(c), by context"
        )
    context = effective_context(deployment)
    exempt = deployment.exemption_kind in {"medical", "safety"} and bool(deployment.exemption_justification)
    if text:
        return _text_cell(context)
    if context in {"workplace", "education"}:
        if exempt:
            return Cell(
                "H",
                "EMO003",
                f"{context} with a {deployment.exemption_kind} purpose",
                "AI Act Art. 5(1)(f) exception; Annex III 1(c)",
                needs_notice=True,
            )
        if capability is Capability.INTENTION:
            return Cell(
                "H", "EMO003", f"{context}, intentions inferred", "AI Act Annex III 1(c)", needs_notice=True
            )
        return Cell("P", "EMO001", f"{context}, biometric", "AI Act Art. 5(1)(f)")
    if context in {"research", "personal"}:
        article = "Art. 2(6)/2(8)" if context == "research" else "Art. 2(10)"
        return Cell("G", "EMO009", f"{context} only, biometric", f"AI Act {article}; GDPR")
    extra = {
        "law-enforcement": "AI Act Annex III 1(c) and 6(b)",
        "migration": "AI Act Annex III 1(c) and 7(a)",
    }.get(context, "AI Act Annex III 1(c)")
    return Cell("H", "EMO003", f"{context}, biometric", extra, needs_notice=context != "law-enforcement")


def _text_cell(context: str) -> Cell:
    if context in {"research", "personal"}:
        return Cell("I", None, f"{context}, text only", "AI Act does not apply; GDPR")
    extra = {
        "workplace": "; AI Act Annex III 4 if it feeds HR decisions",
        "education": "; AI Act Annex III 3",
        "customer-service": "; chatbots owe the AI Act Art. 50(1) disclosure",
        "healthcare": "; the inferences are health data (GDPR Art. 9)",
        "consumer": "; chatbots owe the AI Act Art. 50(1) disclosure",
    }.get(context, "")
    return Cell("G", "EMO006", f"{context}, text only", f"GDPR{extra}")


def evaluate(
    components: list[Component],
    lookup: DeploymentLookup,
    problems: Sequence[DeclarationProblem] = (),
) -> list[Result]:
    results: list[Result] = [_declaration_result(problem) for problem in problems]
    for component in components:
        deployment = lookup(component.primary.location.path)
        cell = decide(component, deployment)
        if cell.rule_id is not None:
            results.append(_result(cell.rule_id, component, deployment, cell))
        if cell.needs_notice and deployment is not None and not deployment.transparency_notice:
            results.append(_result("EMO005", component, deployment, cell))
    results.sort(key=lambda r: (r.location.path, r.location.line, r.location.column, r.rule_id))
    return results


def _declaration_result(problem: DeclarationProblem) -> Result:
    return _problem_result("EMO008", problem.location, f"Invalid emoscan declaration: {problem.message}")


def problem_results(problems: Sequence[SuppressionProblem], report_unused: bool) -> list[Result]:
    """EMO010 for suppressions that cannot be honoured; EMO011 for unused ones when asked."""
    return [
        _problem_result("EMO011" if p.unused else "EMO010", p.location, f"Suppression: {p.message}")
        for p in problems
        if report_unused or not p.unused
    ]


def _problem_result(rule_id: str, location: Location, message: str) -> Result:
    rule = get_rule(rule_id)
    return Result(
        rule_id=rule.id,
        level=rule.level,
        message=message.rstrip(".") + ".",
        location=location,
        component=None,
        verdict="invalid",
    )


def _result(rule_id: str, component: Component, deployment: Deployment | None, cell: Cell) -> Result:
    rule = get_rule(rule_id)
    properties: list[tuple[str, str]] = [("table_row", cell.row), ("legal", cell.legal)]
    if deployment is not None:
        properties += [("deployment", deployment.name), ("context", deployment.context)]
    related = tuple(e.location for e in component.evidence if e.location != component.primary.location)
    return Result(
        rule_id=rule.id,
        level=rule.level,
        message=message(rule_id, component, deployment, cell),
        location=component.primary.location,
        component=component,
        verdict=cell.verdict,
        properties=tuple(properties),
        related=related,
    )


def describe(component: Component) -> str:
    what = CAPABILITY_WORDS[component.capability]
    if component.capability is Capability.SENSITIVE_CATEGORISATION:
        traits = ", ".join(component.sensitive_attributes) or "a sensitive trait"
        return f"{what} by {traits} from {MODALITY_WORDS[component.modality]} ({component.name})"
    return f"{what} from {MODALITY_WORDS[component.modality]} ({component.name})"


def _where(deployment: Deployment | None) -> str:
    if deployment is None:
        return "in code that no deployment declaration covers"
    subjects = f", subjects: {', '.join(deployment.subjects)}" if deployment.subjects else ""
    return f"in deployment '{deployment.name}' (context: {deployment.context}{subjects})"


def message(rule_id: str, component: Component, deployment: Deployment | None, cell: Cell) -> str:
    what, where = describe(component), _where(deployment)
    if rule_id == "EMO001":
        return (
            f"{what} {where} is prohibited by AI Act Art. 5(1)(f) since 2 February 2025. Remove it, or if it "
            "serves a medical or safety purpose declare that exemption with its justification."
        )
    if rule_id == "EMO002":
        return (
            f"{what} {where.replace('in code that no deployment declaration covers', 'here')} is prohibited in "
            "every context by AI Act Art. 5(1)(g). Stop inferring the trait (for DeepFace, pass explicit "
            "actions without it)."
        )
    if rule_id == "EMO003":
        return (
            f"{what} {where} is high-risk under {cell.legal}. Keep risk management, logging, human oversight "
            "and conformity documentation, inform the people concerned (Art. 50(3)) and carry out a DPIA "
            "(GDPR Art. 35)."
        )
    if rule_id == "EMO004":
        return (
            f"{what} {where}: it is prohibited in a workplace or school (AI Act Art. 5(1)(f)) and high-risk "
            "elsewhere (Annex III 1(c)). Declare the deployment context in [tool.emoscan] or pass --context."
        )
    if rule_id == "EMO005":
        return (
            f"{what} {where} needs an AI Act Art. 50(3) notice to the people exposed, and none is declared. "
            "Write one and set transparency_notice in the declaration."
        )
    if rule_id == "EMO006":
        return (
            f"{what} {where} is not emotion recognition under the AI Act (text is not biometric data), but the "
            f"GDPR applies ({cell.legal}). Check the legal basis and tell users."
        )
    if rule_id == "EMO007":
        return (
            f"{what} {where} is not emotion recognition (AI Act Recital 18); the data may be health data "
            "under GDPR Art. 9. Make sure it never infers emotions."
        )
    if rule_id == "EMO009":
        return (
            f"{what} {where} is outside the AI Act ({cell.legal}), but the GDPR applies and provider duties "
            "return once it is placed on the market or used professionally."
        )
    raise KeyError(rule_id)
