"""Hugging Face model configs: `config.json` (id2label/label2id, architectures, _name_or_path, timm's
label_names and pretrained_cfg), `preprocessor_config.json`/`feature_extractor_config.json` (read as the
sibling that tells a config's modality) and shard indexes (`*.index.json`).

Only the JSON text is read; weights beside it are other artifacts.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from scanner.analyzers.model_common import (
    Fingerprint,
    LabelSource,
    ModelFacts,
    ModelFormatError,
    NameSource,
    build_evidence,
    error_notice,
    fer_fingerprint,
    is_generic_labels,
    key_place,
    labels_from_mapping,
    load_json,
    modality_from_architecture,
    sibling,
    strings_in,
    tensor_name_sources,
    top_level_key_offsets,
)
from scanner.analyzers.text import TextError, decode, read_bytes
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind
from scanner.signatures import Catalog

# Keys that make a config.json a model config; a broken config.json without them (an editor or app
# config) is not ours to complain about.
_MARKERS = ('"architectures"', '"id2label"', '"label2id"', '"model_type"', '"_name_or_path"', '"num_labels"')
_LABEL_KEYS = ("id2label", "label2id", "label_names", "labels", "classes", "class_names")
_NAME_KEYS = ("_name_or_path", "name_or_path", "model_name", "model_id", "base_model", "finetuning_task")
_PREPROCESSOR_NAMES = ("preprocessor_config.json", "feature_extractor_config.json")
_MAX_SIBLING_BYTES = 1024 * 1024


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    name = PurePosixPath(artifact.path).name.lower()
    try:
        text = decode(read_bytes(artifact), artifact.path)
    except TextError as exc:
        return FileOutcome(notices=(exc.notice,))
    try:
        value = load_json(text, name)
    except ModelFormatError as exc:
        if name == "config.json" and not any(marker in text for marker in _MARKERS):
            return FileOutcome()
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, str(exc)),))
    if not isinstance(value, dict):
        return FileOutcome()
    if name.endswith(".index.json"):
        facts = _index_facts(text, value, name)
    elif name in _PREPROCESSOR_NAMES:
        # A preprocessor config says what goes in (16 kHz audio, 224px images), never what comes out:
        # alone it is not emotion recognition. config.json reads it as a sibling for the modality.
        return FileOutcome()
    else:
        facts = _config_facts(artifact, text, value, name)
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_CONFIG))


def _config_facts(artifact: Artifact, text: str, config: dict[str, Any], name: str) -> ModelFacts:
    offsets = top_level_key_offsets(text)
    facts = ModelFacts(check_file_name=False)
    architectures = [a for a in _as_list(config.get("architectures")) if isinstance(a, str)]
    hf_like = bool(architectures) or any(k in config for k in ("model_type", "id2label", "_name_or_path"))
    for arch in architectures:
        facts.set_modality(modality_from_architecture(arch), f"architecture {arch}")
    for key in ("model_type", "architecture"):
        if isinstance(config.get(key), str):
            facts.set_modality(modality_from_architecture(config[key]), f"{key} {config[key]}")
    if facts.modality is Modality.UNKNOWN:
        modality, reason = _sibling_modality(artifact)
        facts.set_modality(modality, reason)

    for key in _LABEL_KEYS:
        labels = labels_from_mapping(config.get(key))
        if labels and not is_generic_labels(labels):
            own = key in ("id2label", "label2id") or hf_like
            facts.labels.append(LabelSource(labels, key_place(text, offsets, key), f"{name} {key}", own))
    for key in _NAME_KEYS:
        value = config.get(key)
        if isinstance(value, str) and value:
            facts.names.append(NameSource(value, key_place(text, offsets, key), f"{name} {key}"))
    for arch in architectures:
        facts.names.append(
            NameSource(arch, key_place(text, offsets, "architectures"), f"{name} architectures")
        )
    fingerprint = _shape_fingerprint(text, offsets, config, name)
    if fingerprint is not None:
        facts.fingerprints.append(fingerprint)
    return facts


def _shape_fingerprint(
    text: str, offsets: dict[str, int], config: dict[str, Any], name: str
) -> Fingerprint | None:
    """The FER shape in config form: transformers' num_channels/image_size or timm's
    pretrained_cfg.input_size, with the number of classes."""
    channels: Any = config.get("num_channels")
    size: Any = config.get("image_size")
    where = "num_channels"
    pretrained = config.get("pretrained_cfg")
    if isinstance(pretrained, dict):
        input_size = pretrained.get("input_size")
        if (
            isinstance(input_size, list)
            and len(input_size) == 3
            and all(isinstance(v, int) for v in input_size)
        ):
            channels, size, where = input_size[0], input_size[1], "pretrained_cfg"
            if input_size[1] != input_size[2]:
                return None
    id2label = config.get("id2label")
    classes: Any = config.get("num_labels") or config.get("num_classes")
    if isinstance(id2label, dict) and id2label:
        classes = len(id2label)
    if not (_is_int(channels) and _is_int(size) and _is_int(classes)):
        return None
    return fer_fingerprint(
        int(channels), int(size), int(size), int(classes), key_place(text, offsets, where), f"{name} {where}"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sibling_modality(artifact: Artifact) -> tuple[Modality, str]:
    """Modality from the preprocessor config beside config.json: a sampling rate means audio, an image
    processor or image size means images. Read bounded; any problem just leaves the modality unknown."""
    for name in _PREPROCESSOR_NAMES:
        other = sibling(artifact, name)
        if other is None or other.size > _MAX_SIBLING_BYTES:
            continue
        try:
            value = json.loads(other.read(_MAX_SIBLING_BYTES))
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(value, dict):
            continue
        kind = str(value.get("feature_extractor_type") or value.get("image_processor_type") or "")
        rate = value.get("sampling_rate")
        if isinstance(rate, int) and not isinstance(rate, bool) and rate > 0:
            return Modality.VOICE, f"{name} sampling_rate {rate}"
        if modality_from_architecture(kind) is Modality.VOICE or "audio" in kind.lower():
            return Modality.VOICE, f"{name} {kind}"
        if "image_processor_type" in value or any(k in value for k in ("crop_size", "image_mean", "size")):
            return Modality.FACE, f"{name} image processor"
    return Modality.UNKNOWN, ""


def _index_facts(text: str, index: dict[str, Any], name: str) -> ModelFacts:
    """A shard index lists tensor names and shard files; it counts as the same model as its shards, so it
    contributes only what the shards cannot: names in its metadata and emotion-named modules."""
    offsets = top_level_key_offsets(text)
    facts = ModelFacts(check_file_name=False)
    metadata = index.get("metadata")
    if isinstance(metadata, dict):
        place = key_place(text, offsets, "metadata")
        for value in strings_in(metadata, limit=200):
            facts.names.append(NameSource(value, place, f"{name} metadata"))
    weight_map = index.get("weight_map")
    if isinstance(weight_map, dict):
        place = key_place(text, offsets, "weight_map")
        facts.names.extend(
            tensor_name_sources(list(weight_map)[:100_000], place, f"{name} weight_map module")
        )
    return facts


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
