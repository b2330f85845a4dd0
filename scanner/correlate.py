"""Combine evidence into components: one emotion-recognition capability per scope, with modality,
capability, confidence and the evidence chain.

A label list alone is weak; the same labels next to a camera, a model being run, a dataset or an
emotion model file name are strong. Enablers (camera, microphone, heart-rate capture) never make a
component alone; they decide the modality.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from scanner.findings import Capability, Component, Confidence, Evidence, EvidenceKind, Modality, Strength

# Which evidence kinds are "code" (a file is its own scope) and which describe a model folder.
MODEL_KINDS = frozenset({EvidenceKind.MODEL_CONFIG, EvidenceKind.MODEL_FILE})

# Location.logical of evidence read from a file's own name (a model file, a dataset file in the tree):
# like model evidence, it belongs to the folder the file is in.
FILE_NAME_LOGICAL = "file name"

# Capabilities that can be a component, in the order they absorb each other: emotion evidence in a
# scope turns expression and physical-state evidence there into part of an emotion component
# (an expression mapped to emotion labels is emotion recognition).
_EMOTION_GROUP = (Capability.EMOTION, Capability.INTENTION, Capability.EXPRESSION, Capability.PHYSICAL_STATE)

_KIND_RANK = {
    EvidenceKind.CALL: 0,
    EvidenceKind.MODEL_ID: 1,
    EvidenceKind.RESPONSE_FIELD: 2,
    EvidenceKind.MODEL_CONFIG: 3,
    EvidenceKind.MODEL_FILE: 4,
    EvidenceKind.IMPORT: 5,
    EvidenceKind.LABELS: 6,
    EvidenceKind.DATASET: 7,
    EvidenceKind.FILE_NAME: 8,
    EvidenceKind.DEPENDENCY: 9,
    EvidenceKind.BIOMETRIC_INPUT: 10,
}


# Direct evidence of these kinds is specific enough for high confidence on its own.
STRONG_DIRECT_KINDS = frozenset(
    {
        EvidenceKind.CALL,
        EvidenceKind.MODEL_ID,
        EvidenceKind.RESPONSE_FIELD,
        EvidenceKind.MODEL_CONFIG,
        EvidenceKind.MODEL_FILE,
    }
)


def _family(evidence: Evidence) -> str:
    """What makes two pieces of evidence independent. Code evidence differs by kind (a label list
    and a dataset name); one model's evidence all has the same kind, so there the signature family
    counts (its labels, its shape fingerprint, its catalogue model id, its dataset)."""
    if evidence.kind in MODEL_KINDS:
        return "model:" + evidence.signature_id.split(".", 1)[0]
    return evidence.kind.value


def scope_of(evidence: Evidence) -> str:
    """Code evidence is scoped to its file; model evidence to the model's folder, so a Hugging Face
    checkout (config.json, weights, model card) is one component. Names of files in the tree (dataset
    recordings, model files) are scoped to their folder too."""
    if evidence.kind in MODEL_KINDS or (
        evidence.kind is EvidenceKind.FILE_NAME and evidence.location.logical == FILE_NAME_LOGICAL
    ):
        parent = PurePosixPath(evidence.location.path).parent
        return parent.as_posix() + "/" if str(parent) != "." else "./"
    return evidence.location.path


def correlate(evidence: Iterable[Evidence]) -> list[Component]:
    by_scope: dict[str, list[Evidence]] = defaultdict(list)
    seen: set[tuple[str, str, int, int, str | None]] = set()
    for item in evidence:
        # The same observation reported twice (a model analyzer and the repository pass both reading
        # a file's name) is one piece of evidence.
        where = item.location
        key = (item.signature_id, where.path, where.line, where.column, where.logical)
        if key in seen:
            continue
        seen.add(key)
        by_scope[scope_of(item)].append(item)
    components: list[Component] = []
    for scope in sorted(by_scope):
        components.extend(_components_in_scope(scope, by_scope[scope]))
    return _fold_dependencies(components)


def _is_signal(e: Evidence) -> bool:
    return e.capability is not Capability.BIOMETRIC_INPUT and e.strength <= Strength.ARTIFACT


def _components_in_scope(scope: str, items: Sequence[Evidence]) -> list[Component]:
    signals = [e for e in items if _is_signal(e)]
    support = [e for e in items if not _is_signal(e)]
    out: list[Component] = []
    sensitive = [e for e in signals if e.capability is Capability.SENSITIVE_CATEGORISATION]
    emotion = [e for e in signals if e.capability in (Capability.EMOTION, Capability.INTENTION)]
    groups: list[tuple[Capability, list[Evidence]]] = []
    if emotion:
        absorbed = [e for e in signals if e.capability in _EMOTION_GROUP]
        capability = (
            Capability.EMOTION
            if any(e.capability is Capability.EMOTION for e in emotion)
            else Capability.INTENTION
        )
        groups.append((capability, absorbed))
    else:
        for capability in (Capability.PHYSICAL_STATE, Capability.EXPRESSION):
            members = [e for e in signals if e.capability is capability]
            if members:
                groups.append((capability, members))
    if sensitive:
        groups.append((Capability.SENSITIVE_CATEGORISATION, sensitive))
    for capability, members in groups:
        component = _build(scope, capability, members, support)
        if component is not None:
            out.append(component)
    return out


def _build(
    scope: str, capability: Capability, members: list[Evidence], support: list[Evidence]
) -> Component | None:
    direct = [e for e in members if e.strength is Strength.DIRECT]
    # Supporting evidence that makes an artifact (labels, dataset, file name) credible: a biometric
    # input, a model being run, or an emotion-capable library in use.
    corroboration = [
        e for e in support if e.capability is Capability.BIOMETRIC_INPUT or e.kind is EvidenceKind.IMPORT
    ]
    families = {_family(e) for e in members}
    from_model = any(e.kind in MODEL_KINDS for e in members)
    if not direct:
        # A model file's own fingerprint (a 48x48 grayscale 7-class head, emotion labels in its
        # metadata) stands alone at medium confidence; code artifacts need corroboration.
        if len(families) < 2 and not corroboration and not from_model:
            return None
        independent = len(families) + len({e.signature_id for e in corroboration})
        confidence = Confidence.HIGH if independent >= 3 else Confidence.MEDIUM
    else:
        strong_direct = any(e.kind in STRONG_DIRECT_KINDS for e in direct)
        confidence = Confidence.HIGH if strong_direct or len(families) >= 2 else Confidence.MEDIUM
    if all(e.dormant for e in members):
        confidence = Confidence.LOW
    evidence = tuple(sorted({*members, *corroboration}, key=_evidence_order))
    # The primary evidence says what the component is: an emotion component points at emotion
    # evidence, not at the expression evidence it absorbed.
    primary = min(members, key=lambda e: (e.capability is not capability, *_primary_order(e)))
    attributes = tuple(
        sorted(
            {
                label
                for e in members
                if e.capability is Capability.SENSITIVE_CATEGORISATION
                for label in e.labels
            }
        )
    )
    return Component(
        scope=scope,
        modality=_modality(members, corroboration),
        capability=capability,
        confidence=confidence,
        evidence=evidence,
        primary=primary,
        name=_name(primary),
        sensitive_attributes=attributes,
    )


def _modality(members: Sequence[Evidence], support: Sequence[Evidence]) -> Modality:
    """Direct evidence decides; else the biometric inputs in scope; else the artifacts' own hint."""
    for pool in (
        [e for e in members if e.strength is Strength.DIRECT],
        [e for e in support if e.capability is Capability.BIOMETRIC_INPUT],
        list(members),
    ):
        found = {e.modality for e in pool} - {Modality.UNKNOWN}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            biometric = found - {Modality.TEXT}
            if len(biometric) == 1:
                return biometric.pop()
            return Modality.MULTIMODAL if found else Modality.UNKNOWN
    return Modality.UNKNOWN


def _name(primary: Evidence) -> str:
    summary = primary.summary
    return (
        summary.split(": ", 1)[1] if ": " in summary and primary.kind is not EvidenceKind.LABELS else summary
    )


def _evidence_order(e: Evidence) -> tuple[int, int, str]:
    return (e.location.line, e.location.column, e.signature_id)


def _primary_order(e: Evidence) -> tuple[int, bool, int, int, int]:
    # Heuristic evidence (a variable named "emotion", a plain-word response field read without its
    # API's package) is a poor pointer when a catalogue fact is there.
    generic = e.signature_id.startswith("generic.") or (
        e.kind is EvidenceKind.RESPONSE_FIELD and e.strength is not Strength.DIRECT
    )
    return (int(e.strength), generic, _KIND_RANK.get(e.kind, 99), e.location.line, e.location.column)


def _fold_dependencies(components: list[Component]) -> list[Component]:
    """A dependency declaration of a package that code in the same scan uses is not a second
    finding: the code component is. Dependency-only components stay (a declared but unseen use)."""
    used = {
        e.package
        for c in components
        for e in c.evidence
        if e.package and e.kind is not EvidenceKind.DEPENDENCY
    }
    kept: list[Component] = []
    for component in components:
        if all(e.kind is EvidenceKind.DEPENDENCY for e in component.evidence if _is_signal(e)) and all(
            e.package in used
            for e in component.evidence
            if e.kind is EvidenceKind.DEPENDENCY and _is_signal(e)
        ):
            continue
        kept.append(component)
    return kept
