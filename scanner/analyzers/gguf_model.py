"""GGUF models (llama.cpp): the metadata key/value section only. general.name, basename, description,
tags, base models and datasets, the architecture, a classifier's output labels, the chat template (a
prompt that makes the model detect emotions) and emotion tags among special tokens. Tensor data is never
read.

Layout: b"GGUF", uint32 version, tensor count and key/value count (uint64; uint32 in version 1), then
key/value pairs: a string key, a uint32 value type, the value. Strings are a uint64 length (uint32 in
version 1) and UTF-8 bytes. Every count and length is checked against what the file can hold before
anything is read.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from scanner.analyzers.model_common import (
    ByteSource,
    LabelSource,
    ModelFacts,
    ModelFormatError,
    NameSource,
    Place,
    build_evidence,
    error_notice,
    file_size,
    is_generic_labels,
    modality_from_architecture,
)
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind
from scanner.signatures import Catalog

MAX_KEYS = 100_000
MAX_KEY_BYTES = 64 * 1024
MAX_VALUE_BYTES = 1024 * 1024  # chat templates are a few KB; a description may be longer
MAX_KEPT_ITEMS = 64
# String array items walked in total: the largest tokenizer vocabularies hold ~260,000 tokens; a file
# claiming more is refused rather than walked for minutes.
MAX_ARRAY_ITEMS = 4_000_000
_SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
_SPECIAL_TOKEN = re.compile(r"^<\|?[^<>|\s]{1,40}\|?>$")
_NAME_KEYS = re.compile(
    r"^general\.(name|basename|finetune|description|tags|source\.url|source\.huggingface\.repository"
    r"|base_model\.\d+\.(name|organization|repo_url)|datasets?\.\d+\.(name|repo_url)|datasets|languages)$"
)
_PROSE_KEYS = frozenset({"general.description", "tokenizer.chat_template"})
_LLM_ARCHITECTURES = re.compile(r"^(llama|mistral|mixtral|qwen\d*\w*|gemma\d*|phi\d*|falcon|gpt\w*|starcoder\d*|mpt|bloom|command-r|cohere\w*|deepseek\w*|olmo\w*|granite\w*|stablelm|internlm\d*|baichuan|bert|nomic-bert|jina-bert\w*|roberta|t5\w*)$")  # fmt: skip


@dataclass
class GgufMetadata:
    version: int = 0
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    special_tokens: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, source: ByteSource, version: int) -> None:
        self.source = source
        self.wide = version >= 2  # version 1 used 32-bit counts and lengths
        self.pos = 0
        self.items = 0

    def take(self, fmt: str, what: str) -> int:
        size = struct.calcsize(fmt)
        value: int = struct.unpack(fmt, self.source.read(self.pos, size, what))[0]
        self.pos += size
        return value

    def count(self, what: str) -> int:
        return self.take("<Q" if self.wide else "<I", what)

    def string(self, what: str, limit: int) -> str | None:
        """A string, or None when it is longer than `limit` (then skipped, never read)."""
        length = self.count(f"{what} length")
        if length > self.source.size - self.pos:
            raise ModelFormatError(
                f"GGUF {what} at byte {self.pos:,} claims {length:,} bytes; only {self.source.size - self.pos:,} remain"
            )
        start = self.pos
        self.pos += length
        if length > limit:
            return None
        return self.source.read(start, length, what).decode("utf-8", "replace")


def read_metadata(source: ByteSource) -> GgufMetadata:
    head = source.peek(0, 24)
    if head[:4] != b"GGUF":
        raise ModelFormatError(f"not a GGUF file: it starts with {head[:4]!r}")
    if len(head) < 8:
        raise ModelFormatError("GGUF header truncated")
    version = struct.unpack("<I", head[4:8])[0]
    if not 1 <= version <= 3:
        raise ModelFormatError(f"unsupported GGUF version {version}")
    reader = _Reader(source, version)
    reader.pos = 8
    tensors = reader.count("tensor count")
    keys = reader.count("metadata count")
    # Each key/value needs at least a length, a type and one byte: bound the counts by the file size.
    room = (source.size - reader.pos) // 13
    if keys > min(MAX_KEYS, room) or tensors > source.size:
        raise ModelFormatError(
            f"GGUF header declares {keys:,} metadata entries and {tensors:,} tensors, more than the "
            f"{source.size:,}-byte file can hold"
        )
    metadata = GgufMetadata(version=version)
    for _ in range(keys):
        key = reader.string("metadata key", MAX_KEY_BYTES)
        if key is None:
            raise ModelFormatError(f"GGUF metadata key over {MAX_KEY_BYTES:,} bytes at byte {reader.pos:,}")
        _value(reader, key, metadata)
    return metadata


def _value(reader: _Reader, key: str, metadata: GgufMetadata) -> None:
    kind = reader.take("<I", f"type of {key}")
    if kind in _SCALARS:
        reader.pos += _SCALARS[kind]
        return
    if kind == _STRING:
        text = reader.string(key, MAX_VALUE_BYTES)
        if text is not None:
            metadata.values[key] = text
        return
    if kind != _ARRAY:
        raise ModelFormatError(f"GGUF key {key!r} has unknown value type {kind}")
    item_kind = reader.take("<I", f"array type of {key}")
    length = reader.count(f"array length of {key}")
    if item_kind in _SCALARS:
        size = _SCALARS[item_kind] * length
        if size > reader.source.size - reader.pos:
            raise ModelFormatError(f"GGUF array {key!r} claims {length:,} items, more than the file holds")
        reader.pos += size
        return
    if item_kind != _STRING:
        raise ModelFormatError(f"GGUF array {key!r} has unsupported item type {item_kind}")
    if length > (reader.source.size - reader.pos) // (8 if reader.wide else 4):
        raise ModelFormatError(f"GGUF array {key!r} claims {length:,} strings, more than the file holds")
    reader.items += length
    if reader.items > MAX_ARRAY_ITEMS:
        raise ModelFormatError(f"GGUF metadata holds more than {MAX_ARRAY_ITEMS:,} array strings")
    tokens = key == "tokenizer.ggml.tokens"
    kept: list[str] = []
    for _ in range(length):
        item = reader.string(f"item of {key}", 1024)
        if item is None:
            continue
        if tokens:
            if _SPECIAL_TOKEN.match(item) and len(metadata.special_tokens) < 512:
                metadata.special_tokens.append(item)
        elif len(kept) < MAX_KEPT_ITEMS * 4:
            kept.append(item)
    if not tokens:
        metadata.lists[key] = kept


# --- analysis ---------------------------------------------------------------------------------------


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        with artifact.open() as handle:
            metadata = read_metadata(ByteSource(handle, file_size(handle)))
    except ModelFormatError as exc:
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, str(exc)),))
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    facts = metadata_facts(metadata, PurePosixPath(artifact.path).name)
    return FileOutcome(evidence=build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE))


def metadata_facts(metadata: GgufMetadata, name: str) -> ModelFacts:
    facts = ModelFacts()
    architecture = metadata.values.get("general.architecture", "")
    if architecture:
        modality = modality_from_architecture(architecture)
        if modality is Modality.UNKNOWN and _LLM_ARCHITECTURES.match(architecture):
            modality = Modality.TEXT
        facts.set_modality(modality, f"general.architecture {architecture}")
    for key, value in metadata.values.items():
        if key in _PROSE_KEYS:
            facts.names.append(NameSource(value, Place(logical=key), f"{name} {key}", prose=True))
        elif _NAME_KEYS.match(key):
            facts.names.append(NameSource(value, Place(logical=key), f"{name} {key}"))
    for key, items in metadata.lists.items():
        if key.endswith(".classifier.output_labels") and not is_generic_labels(items):
            facts.labels.append(
                LabelSource(tuple(items), Place(logical=key), f"{name} {key}", own_outputs=True)
            )
        elif _NAME_KEYS.match(key):
            for item in items[:MAX_KEPT_ITEMS]:
                facts.names.append(NameSource(item, Place(logical=key), f"{name} {key}"))
    # Emotion tags among special tokens (<|HAPPY|>, <|EMO_UNKNOWN|>); numbered reserved tokens are noise.
    tokens = tuple(t for t in metadata.special_tokens if not re.search(r"\d|reserved", t))[:64]
    if len(tokens) >= 2:
        place = Place(logical="tokenizer.ggml.tokens")
        facts.labels.append(LabelSource(tokens, place, f"{name} special tokens", own_outputs=True))
    return facts
