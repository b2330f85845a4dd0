"""safetensors: the header only. An 8-byte little-endian length, then a JSON object of tensor names to
dtype, shape and data offsets, plus an optional `__metadata__` map of strings. Tensor data is never read.

Sharded checkpoints (model-00001-of-00003.safetensors) are one model: the first shard reads every
shard's header and speaks for all of them; later shards only report their own problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from scanner.analyzers.model_common import (
    LabelSource,
    ModelFacts,
    ModelFormatError,
    NameSource,
    Place,
    build_evidence,
    classifier_head,
    error_notice,
    file_size,
    input_from_weights,
    is_generic_labels,
    labels_from_mapping,
    labels_from_text,
    load_json,
    shard_of,
    sibling_shards,
    tensor_name_sources,
    weight_fingerprint,
)
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Notice, NoticeKind
from scanner.signatures import Catalog

# The safetensors library itself refuses headers over 100 MB; a real one with 2,000 tensors is ~200 KB.
MAX_HEADER_BYTES = 100_000_000
MAX_TENSORS = 1_000_000
_LABEL_KEYS = ("id2label", "label2id", "labels", "classes", "class_names", "label_names", "names")
_CONFIG_KEYS = ("config", "model_config", "hf_config")


class HeaderTooLarge(ModelFormatError):
    """A header longer than the cap: reported as too large rather than as corrupt."""


@dataclass
class Header:
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        header = read_header(artifact)
    except HeaderTooLarge as exc:
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.TOO_LARGE, str(exc)),))
    except ModelFormatError as exc:
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, str(exc)),))
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    notices: list[Notice] = [
        error_notice(artifact, NoticeKind.PARTIAL, problem, fatal=False) for problem in header.problems
    ]
    shard = shard_of(PurePosixPath(artifact.path).name)
    if shard is not None and shard[0] != 1:
        shards = sibling_shards(artifact)
        if shards and shard_of(PurePosixPath(shards[0].path).name) == (1, shard[1]):
            return FileOutcome(notices=tuple(notices))  # the first shard reports for the whole model
    elif shard is not None:
        header = _merge_shards(artifact, header)
    facts = header_facts(header, PurePosixPath(artifact.path).name)
    return FileOutcome(
        evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE), notices=tuple(notices)
    )


def read_header(artifact: Artifact) -> Header:
    """Read and validate the header with every length checked before anything is allocated."""
    with artifact.open() as handle:
        size = file_size(handle)
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise ModelFormatError(
                f"file is {size:,} bytes, too short for the 8-byte safetensors header length"
            )
        length = int.from_bytes(prefix, "little")
        if length > size - 8:
            raise ModelFormatError(
                f"safetensors header length {length} exceeds the file size ({size:,} bytes)"
            )
        if length > MAX_HEADER_BYTES:
            raise HeaderTooLarge(
                f"safetensors header length {length:,} bytes is over the {MAX_HEADER_BYTES:,}-byte limit"
            )
        raw = handle.read(length)
    if len(raw) != length:
        raise ModelFormatError(f"safetensors header truncated: {len(raw):,} of {length:,} bytes present")
    if not raw.lstrip(b" \t\r\n").startswith(b"{"):
        raise ModelFormatError(f"safetensors header is not a JSON object (it starts with {raw[:16]!r})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFormatError(f"safetensors header is not valid UTF-8 at byte {exc.start + 8}") from exc
    value = load_json(text, "safetensors header")
    if not isinstance(value, dict):
        raise ModelFormatError("safetensors header is not a JSON object")
    return _parse_header(value, data_size=size - 8 - length)


def _parse_header(value: dict[str, Any], data_size: int) -> Header:
    header = Header()
    bad: list[str] = []
    past_end = 0
    for name, entry in value.items():
        if name == "__metadata__":
            if isinstance(entry, dict):
                header.metadata = {str(k): v for k, v in entry.items() if isinstance(v, str)}
            continue
        if len(header.shapes) >= MAX_TENSORS:
            header.problems.append(f"more than {MAX_TENSORS:,} tensors; the rest were not read")
            break
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            bad.append(name)
            continue
        header.shapes[name] = tuple(shape)
        offsets = entry.get("data_offsets")
        if (
            isinstance(offsets, list)
            and len(offsets) == 2
            and isinstance(offsets[1], int)
            and offsets[1] > data_size
        ):
            past_end += 1
    if bad:
        header.problems.append(f"{len(bad)} tensor entries have no valid shape (first: {bad[0]!r})")
    if past_end:
        header.problems.append(
            f"{past_end} tensors end past the file's data ({data_size:,} bytes): the file looks truncated"
        )
    return header


def _merge_shards(artifact: Artifact, first: Header) -> Header:
    """Tensor shapes of every shard: the first convolution and the classifier head often sit in
    different shards. Unreadable siblings are skipped; they report themselves."""
    merged = Header(shapes=dict(first.shapes), metadata=dict(first.metadata))
    for sibling in sibling_shards(artifact):
        if sibling.path == artifact.path:
            continue
        try:
            merged.shapes.update(read_header(sibling).shapes)
        except (ModelFormatError, OSError):
            continue
    return merged


def header_facts(header: Header, name: str) -> ModelFacts:
    facts = ModelFacts()
    modality, reason, gray = input_from_weights(header.shapes)
    facts.set_modality(modality, reason)
    for key, value in header.metadata.items():
        _metadata_facts(facts, key, value, name)
    head = classifier_head(header.shapes)
    place = Place(logical=f"tensors.{head[0]}" if head else "tensors")
    fingerprint = weight_fingerprint(header.shapes, f"{name} tensors", place, gray)
    if fingerprint is not None:
        facts.fingerprints.append(fingerprint)
    facts.names.extend(tensor_name_sources(header.shapes, Place(logical="tensors"), f"{name} tensor module"))
    return facts


def _metadata_facts(facts: ModelFacts, key: str, value: str, name: str) -> None:
    place = Place(logical=f"__metadata__.{key}")
    where = f"{name} __metadata__[{key!r}]"
    lowered = key.casefold()
    if lowered in _CONFIG_KEYS and value.lstrip().startswith("{") and len(value) <= 1024 * 1024:
        try:
            config = load_json(value, where)
        except ModelFormatError:
            config = None
        if isinstance(config, Mapping):
            _config_facts(facts, config, key, where)
            return
    labels = labels_from_text(value)
    if labels and not is_generic_labels(labels):
        facts.labels.append(LabelSource(labels, place, where, own_outputs=lowered in _LABEL_KEYS))
    elif len(value) <= 512:
        facts.names.append(NameSource(value, place, where))


def _config_facts(facts: ModelFacts, config: Mapping[str, Any], key: str, where: str) -> None:
    """A model config serialised into the metadata (some exporters keep transformers' config there)."""
    for label_key in ("id2label", "label2id"):
        labels = labels_from_mapping(config.get(label_key))
        if labels and not is_generic_labels(labels):
            place = Place(logical=f"__metadata__.{key}.{label_key}")
            facts.labels.append(LabelSource(labels, place, f"{where} {label_key}", own_outputs=True))
            break
    for name_key in ("_name_or_path", "model_name", "finetuning_task"):
        value = config.get(name_key)
        if isinstance(value, str) and value:
            facts.names.append(NameSource(value, Place(logical=f"__metadata__.{key}.{name_key}"), where))
