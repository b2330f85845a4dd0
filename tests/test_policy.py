"""One test per cell of LAW.md's decision table and per edge rule: rule id, level and message parts."""

from __future__ import annotations

import pytest

from scanner.config import Deployment
from scanner.findings import (
    Capability,
    Component,
    Confidence,
    Evidence,
    EvidenceKind,
    Location,
    Modality,
    Strength,
)
from scanner.policy import evaluate


def component(
    modality: Modality = Modality.FACE,
    capability: Capability = Capability.EMOTION,
    attributes: tuple[str, ...] = (),
) -> Component:
    evidence = Evidence(
        kind=EvidenceKind.CALL,
        signature_id="call.test",
        location=Location("svc/app.py", 7, 5),
        summary="Test.infer: test emotion model",
        modality=modality,
        capability=capability,
        strength=Strength.DIRECT,
    )
    return Component(
        scope="svc/app.py",
        modality=modality,
        capability=capability,
        confidence=Confidence.HIGH,
        evidence=(evidence,),
        primary=evidence,
        name="test emotion model",
        sensitive_attributes=attributes,
    )


def deployment(
    context: str, *subjects: str, notice: str | None = None, exemption: tuple[str, str] | None = None
) -> Deployment:
    return Deployment(
        name="prod",
        paths=("**",),
        context=context,
        subjects=subjects,
        exemption_kind=exemption[0] if exemption else None,
        exemption_justification=exemption[1] if exemption else None,
        transparency_notice=notice,
    )


def judge(comp: Component, dep: Deployment | None) -> dict[str, tuple[str, str, str]]:
    """rule id -> (level, verdict, message)"""
    results = evaluate([comp], lambda _path: dep)
    assert all(r.location == Location("svc/app.py", 7, 5) for r in results)
    return {r.rule_id: (r.level.value, r.verdict, r.message) for r in results}


BIOMETRIC = [Modality.FACE, Modality.VOICE, Modality.PHYSIOLOGICAL, Modality.BEHAVIOURAL, Modality.MULTIMODAL]


@pytest.mark.parametrize("modality", BIOMETRIC)
def test_workplace_biometric_is_prohibited(modality: Modality) -> None:
    out = judge(component(modality), deployment("workplace", "employees"))
    assert set(out) == {"EMO001"}
    level, verdict, message = out["EMO001"]
    assert (level, verdict) == ("error", "P")
    assert "in deployment 'prod' (context: workplace, subjects: employees)" in message
    assert "prohibited by AI Act Art. 5(1)(f) since 2 February 2025" in message
    assert "declare that exemption with its justification" in message


def test_workplace_text_is_gdpr_only_with_annex_iii_4() -> None:
    out = judge(component(Modality.TEXT), deployment("workplace", "employees"))
    assert set(out) == {"EMO006"}
    assert out["EMO006"][:2] == ("note", "G")
    assert "Annex III 4 if it feeds HR decisions" in out["EMO006"][2]


@pytest.mark.parametrize("context", ["workplace", "education"])
def test_medical_or_safety_exemption_turns_prohibited_into_high_risk(context: str) -> None:
    dep = deployment(context, exemption=("medical", "detects pain in non-verbal patients for clinicians"))
    out = judge(component(), dep)
    assert set(out) == {"EMO003", "EMO005"}
    assert out["EMO003"][:2] == ("warning", "H")
    assert "Art. 5(1)(f) exception" in out["EMO003"][2]
    assert "Art. 50(3)" in out["EMO005"][2]


def test_exemption_without_justification_does_not_lift_the_ban() -> None:
    dep = Deployment(name="prod", paths=("**",), context="workplace", exemption_kind="safety")
    assert set(judge(component(), dep)) == {"EMO001"}


def test_education_biometric_is_prohibited_and_text_is_gdpr_with_annex_iii_3() -> None:
    assert judge(component(), deployment("education", "students"))["EMO001"][:2] == ("error", "P")
    text = judge(component(Modality.TEXT), deployment("education", "students"))
    assert set(text) == {"EMO006"} and "Annex III 3" in text["EMO006"][2]


def test_proctoring_subjects_make_it_education_whatever_the_context_word() -> None:
    out = judge(component(), deployment("consumer", "examinees"))
    assert set(out) == {"EMO001"} and "context: consumer, subjects: examinees" in out["EMO001"][2]


def test_recruitment_candidates_are_workplace() -> None:
    assert set(judge(component(Modality.VOICE), deployment("consumer", "candidates"))) == {"EMO001"}


def test_customer_service_on_customers_is_high_risk_and_needs_a_notice() -> None:
    out = judge(component(Modality.VOICE), deployment("customer-service", "customers"))
    assert set(out) == {"EMO003", "EMO005"}
    assert "high-risk under AI Act Annex III 1(c)" in out["EMO003"][2]
    assert set(
        judge(component(Modality.VOICE), deployment("customer-service", "customers", notice="n.md"))
    ) == {"EMO003"}


def test_customer_service_on_agents_is_workplace_and_prohibited() -> None:
    out = judge(component(Modality.VOICE), deployment("customer-service", "customers", "agents"))
    assert set(out) == {"EMO001"}


def test_customer_service_text_owes_the_chatbot_disclosure() -> None:
    out = judge(component(Modality.TEXT), deployment("customer-service", "customers"))
    assert set(out) == {"EMO006"} and "Art. 50(1)" in out["EMO006"][2]


@pytest.mark.parametrize(
    ("context", "article"),
    [
        ("healthcare", "Annex III 1(c)"),
        ("safety", "Annex III 1(c)"),
        ("consumer", "Annex III 1(c)"),
        ("migration", "7(a)"),
    ],
)
def test_lawful_contexts_are_high_risk_with_notice(context: str, article: str) -> None:
    out = judge(component(), deployment(context))
    assert set(out) == {"EMO003", "EMO005"}
    assert article in out["EMO003"][2]


def test_law_enforcement_is_high_risk_without_the_notice_duty() -> None:
    out = judge(component(), deployment("law-enforcement", "suspects"))
    assert set(out) == {"EMO003"} and "6(b)" in out["EMO003"][2]


@pytest.mark.parametrize("context", ["healthcare", "safety", "law-enforcement", "migration", "consumer"])
def test_text_in_other_contexts_is_gdpr_only(context: str) -> None:
    assert set(judge(component(Modality.TEXT), deployment(context))) == {"EMO006"}


@pytest.mark.parametrize(("context", "article"), [("research", "Art. 2(6)/2(8)"), ("personal", "Art. 2(10)")])
def test_research_and_personal_biometric_are_gdpr_only(context: str, article: str) -> None:
    out = judge(component(), deployment(context))
    assert set(out) == {"EMO009"}
    assert out["EMO009"][:2] == ("note", "G") and article in out["EMO009"][2]
    assert "provider duties return" in out["EMO009"][2]


@pytest.mark.parametrize("context", ["research", "personal"])
def test_research_and_personal_text_are_informational(context: str) -> None:
    assert judge(component(Modality.TEXT), deployment(context)) == {}


def test_undeclared_biometric_needs_review_and_text_is_gdpr() -> None:
    out = judge(component(), None)
    assert set(out) == {"EMO004"} and out["EMO004"][:2] == ("warning", "R")
    assert "no deployment declaration covers" in out["EMO004"][2]
    assert set(judge(component(Modality.TEXT), None)) == {"EMO006"}


@pytest.mark.parametrize("dep", [None, deployment("workplace", "drivers"), deployment("safety", "drivers")])
def test_physical_state_only_is_informational_in_every_context(dep: Deployment | None) -> None:
    out = judge(component(capability=Capability.PHYSICAL_STATE), dep)
    assert set(out) == {"EMO007"} and out["EMO007"][:2] == ("note", "I")
    assert "Recital 18" in out["EMO007"][2]


def test_expression_only_is_informational_without_a_result() -> None:
    assert judge(component(capability=Capability.EXPRESSION), deployment("workplace", "employees")) == {}


@pytest.mark.parametrize("dep", [None, deployment("research"), deployment("customer-service", "customers")])
def test_sensitive_categorisation_is_prohibited_everywhere(dep: Deployment | None) -> None:
    out = judge(component(capability=Capability.SENSITIVE_CATEGORISATION, attributes=("race",)), dep)
    assert set(out) == {"EMO002"}
    assert out["EMO002"][:2] == ("error", "P")
    assert "Biometric categorisation by race from faces" in out["EMO002"][2]
    assert "Art. 5(1)(g)" in out["EMO002"][2]


def test_intentions_in_the_workplace_are_high_risk_not_prohibited() -> None:
    out = judge(component(capability=Capability.INTENTION), deployment("workplace", "employees"))
    assert set(out) == {"EMO003", "EMO005"}
