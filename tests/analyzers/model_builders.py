"""Builders shared by the model analyzer tests: a small catalogue written to a temporary folder (so the
tests do not depend on the live catalogue), artifacts found the way discovery finds them, and writers for
real small files in formats that have no writer package installed here (TFLite flatbuffers, GGUF,
PyTorch-style pickles).

pytest puts this folder on sys.path (rootdir-relative "prepend" import mode, no __init__.py), so test
modules import it as `model_builders`.
"""

from __future__ import annotations

import struct
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.discovery import Artifact, ArtifactKind, DiscoveryOptions, discover
from scanner.findings import Evidence, FileOutcome
from scanner.signatures import Catalog, load_catalog

FER_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
FERPLUS_LABELS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]

_CATALOG_FILES = {
    "catalog.toml": 'version = "test.1"\n',
    "vocabularies.toml": """
        [[vocabulary]]
        id = "vocab.test.basic_emotions"
        capability = "emotion"
        language = "en"
        words = ["angry", "anger", "disgust", "disgusted", "fear", "fearful", "happy", "happiness", "joy",
                 "sad", "sadness", "surprise", "surprised", "neutral", "contempt", "calm"]
        min_match = 3
        summary = "basic emotion labels (FER2013, FER+, RAVDESS)"

        [[vocabulary]]
        id = "vocab.test.iemocap_codes"
        capability = "emotion"
        modality = "voice"
        language = "en"
        words = ["neu", "hap", "ang", "sad", "exc", "fru"]
        min_match = 3
        summary = "IEMOCAP emotion codes"

        [[vocabulary]]
        id = "vocab.test.dimensional"
        capability = "emotion"
        language = "en"
        words = ["arousal", "valence", "dominance"]
        min_match = 2
        summary = "dimensional affect outputs"

        [[vocabulary]]
        id = "vocab.test.drowsiness"
        capability = "physical-state"
        language = "en"
        words = ["drowsy", "alert", "yawning", "sleepy", "eyes_closed"]
        min_match = 2
        summary = "driver drowsiness states"

        [[vocabulary]]
        id = "vocab.test.race"
        capability = "sensitive-categorisation"
        language = "en"
        words = ["asian", "indian", "black", "white", "middle eastern", "latino hispanic"]
        min_match = 3
        summary = "race categories"
    """,
    "models.toml": """
        [[model]]
        id = "model.test.vit_face_expression"
        hub_ids = ["trpakov/vit-face-expression"]
        modality = "face"
        capability = "emotion"
        summary = "ViT facial expression classifier"

        [[model]]
        id = "model.test.emotion_english_distilroberta"
        hub_ids = ["j-hartmann/emotion-english-distilroberta-base"]
        modality = "text"
        capability = "emotion"
        summary = "English text emotion classifier"

        [[model]]
        id = "model.test.superb_er"
        hub_ids = ["superb/wav2vec2-base-superb-er"]
        modality = "voice"
        capability = "emotion"
        summary = "wav2vec2 speech emotion recognition"
    """,
    "datasets.toml": """
        [[dataset]]
        id = "dataset.test.fer2013"
        names = ["fer2013", "msambare/fer2013"]
        modality = "face"
        capability = "emotion"
        summary = "FER2013 facial expressions"

        [[dataset]]
        id = "dataset.test.ravdess"
        names = ["ravdess"]
        modality = "voice"
        capability = "emotion"
        summary = "RAVDESS emotional speech"
    """,
    "model_files.toml": r"""
        [[model_file]]
        id = "model_file.test.ferplus_onnx"
        pattern = 'emotion[-_]ferplus[-_]\d+\.onnx$'
        modality = "face"
        capability = "emotion"
        summary = "ONNX Model Zoo FER+ emotion model"

        [[model_file]]
        id = "model_file.test.mini_xception"
        pattern = '_mini_XCEPTION\.[\d.-]+\.hdf5$'
        modality = "face"
        capability = "emotion"
        summary = "mini-Xception FER2013 Keras model"
    """,
}


def write_catalog(directory: Path) -> Catalog:
    for name, text in _CATALOG_FILES.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return load_catalog(directory)


def artifact(path: Path, kind: ArtifactKind | None = None) -> Artifact:
    """The artifact discovery makes for `path` (kind by name and magic bytes), or one of `kind`."""
    if kind is not None:
        return Artifact(path.name, path, kind, path.stat().st_size)
    found = discover([path], DiscoveryOptions(), base=path.parent)
    assert len(found.artifacts) == 1, found
    return found.artifacts[0]


def by_signature(outcome: FileOutcome) -> dict[str, Evidence]:
    ids = [e.signature_id for e in outcome.evidence]
    assert len(ids) == len(set(ids)), f"duplicate signatures: {ids}"
    return {e.signature_id: e for e in outcome.evidence}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# --- pickles written opcode by opcode (what torch.save produces, without torch) ----------------------


def p_str(value: str) -> bytes:
    data = value.encode("utf-8")
    return b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE


def p_int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)  # BININT


def p_tuple(items: Sequence[bytes]) -> bytes:
    return b"(" + b"".join(items) + b"t"  # MARK ... TUPLE


def p_global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"  # GLOBAL (text form)


def p_ordered_dict(pairs: Sequence[tuple[str, bytes]]) -> bytes:
    body = b"".join(p_str(key) + value for key, value in pairs)
    return p_global("collections", "OrderedDict") + b")R" + (b"(" + body + b"u" if pairs else b"")


def p_tensor(index: int, shape: Sequence[int]) -> bytes:
    """torch._utils._rebuild_tensor_v2(persistent storage id, offset, size, stride, False, OrderedDict())."""
    storage = p_tuple(
        [p_str("storage"), p_global("torch", "FloatStorage"), p_str(str(index)), p_str("cpu"), p_int(1)]
    )
    stride = [1] * len(shape)
    return (
        p_global("torch._utils", "_rebuild_tensor_v2")
        + b"("
        + storage
        + b"Q"  # BINPERSID
        + p_int(0)
        + p_tuple([p_int(d) for d in shape])
        + p_tuple([p_int(s) for s in stride])
        + b"\x89"  # NEWFALSE
        + p_ordered_dict([])
        + b"tR"
    )


def state_dict_pickle(shapes: Mapping[str, Sequence[int]], extra: dict[str, bytes] | None = None) -> bytes:
    """A protocol-2 pickle of a state dict (or of {"state_dict": ..., **extra} when `extra` is given)."""
    state = p_ordered_dict([(name, p_tensor(i, shape)) for i, (name, shape) in enumerate(shapes.items())])
    if extra is None:
        return b"\x80\x02" + state + b"."
    body = p_str("state_dict") + state + b"".join(p_str(k) + v for k, v in extra.items())
    return b"\x80\x02}(" + body + b"u."


def p_list(items: Sequence[str]) -> bytes:
    return b"](" + b"".join(p_str(i) for i in items) + b"e"  # EMPTY_LIST MARK ... APPENDS


# --- flatbuffers (TFLite) -----------------------------------------------------------------------------


@dataclass
class FbTable:
    """Fields by index: ("u32"|"i8"|"u8", int), ("str", str), ("ints", [int]), ("bytes", b""),
    ("table", FbTable), ("tables", [FbTable]) or None."""

    fields: list[tuple[str, Any] | None] = field(default_factory=list)


class FlatBufferWriter:
    """Writes parents before children so every reference is a forward unsigned offset, as flatbuffers
    require; vtables sit just before their table (positive soffset)."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def _align(self, n: int = 4) -> None:
        while len(self.buf) % n:
            self.buf.append(0)

    def finish(self, root: FbTable, identifier: bytes) -> bytes:
        self.buf += b"\0\0\0\0" + identifier
        at = self.table(root)
        struct.pack_into("<I", self.buf, 0, at)
        return bytes(self.buf)

    def table(self, table: FbTable) -> int:
        self._align()
        inline: list[tuple[int, str, Any]] = []  # (offset in table, kind, value)
        offset = 4
        layout: list[int] = []
        for item in table.fields:
            if item is None:
                layout.append(0)
                continue
            kind = item[0]
            size = 1 if kind in ("i8", "u8") else 4
            while offset % size:
                offset += 1
            layout.append(offset)
            inline.append((offset, kind, item[1]))
            offset += size
        table_size = (offset + 3) // 4 * 4
        vtable = struct.pack(f"<HH{len(layout)}H", 4 + 2 * len(layout), table_size, *layout)
        vt_pos = len(self.buf)
        self.buf += vtable
        self._align()
        pos = len(self.buf)
        self.buf += bytes(table_size)
        struct.pack_into("<i", self.buf, pos, pos - vt_pos)
        pending: list[tuple[int, str, Any]] = []
        for field_offset, kind, value in inline:
            at = pos + field_offset
            if kind == "u32":
                struct.pack_into("<I", self.buf, at, value)
            elif kind == "i8":
                struct.pack_into("<b", self.buf, at, value)
            elif kind == "u8":
                struct.pack_into("<B", self.buf, at, value)
            else:
                pending.append((at, kind, value))
        for at, kind, value in pending:
            target = self._child(kind, value)
            struct.pack_into("<I", self.buf, at, target - at)
        return pos

    def _child(self, kind: str, value: Any) -> int:
        self._align()
        pos = len(self.buf)
        if kind == "str":
            data = value.encode("utf-8")
            self.buf += struct.pack("<I", len(data)) + data + b"\0"
        elif kind == "bytes":
            self.buf += struct.pack("<I", len(value)) + value
        elif kind == "ints":
            self.buf += struct.pack(f"<I{len(value)}i", len(value), *value)
        elif kind == "table":
            return self.table(value)
        elif kind == "tables":
            self.buf += struct.pack("<I", len(value)) + bytes(4 * len(value))
            for index, item in enumerate(value):
                slot = pos + 4 + 4 * index
                target = self.table(item)
                struct.pack_into("<I", self.buf, slot, target - slot)
        else:
            raise ValueError(kind)
        return pos


def tflite_model(
    input_shape: Sequence[int],
    output_shape: Sequence[int],
    description: str = "",
    metadata: FbTable | None = None,
    input_type: int = 0,
) -> bytes:
    """A TFLite flatbuffer with one subgraph (input and output tensors) and, optionally, a TFLite
    Support metadata flatbuffer ("M001") stored in buffer 1 under the name TFLITE_METADATA."""
    tensors = [
        FbTable([("ints", list(input_shape)), ("i8", input_type), ("u32", 0), ("str", "input_image")]),
        FbTable([("ints", list(output_shape)), ("i8", 0), ("u32", 0), ("str", "Identity")]),
    ]
    subgraph = FbTable([("tables", tensors), ("ints", [0]), ("ints", [1]), None, ("str", "main")])
    buffers = [FbTable([])]
    model_fields: list[tuple[str, Any] | None] = [
        ("u32", 3),
        None,
        ("tables", [subgraph]),
        ("str", description) if description else None,
        ("tables", buffers),
        None,
        None,
    ]
    if metadata is not None:
        nested = FlatBufferWriter().finish(metadata, b"M001")
        buffers.append(FbTable([("bytes", nested)]))
        model_fields[6] = ("tables", [FbTable([("str", "TFLITE_METADATA"), ("u32", 1)])])
    return FlatBufferWriter().finish(FbTable(model_fields), b"TFL3")


def tflite_metadata(name: str, description: str, label_file: str | None) -> FbTable:
    """ModelMetadata with one output tensor whose associated file holds the labels (TENSOR_AXIS_LABELS)."""
    files = [FbTable([("str", label_file), ("str", "labels"), ("i8", 2)])] if label_file else []
    output = FbTable([("str", "probability"), ("str", "probabilities of each class"), None, None, None, None,
                      ("tables", files) if files else None])  # fmt: skip
    subgraph = FbTable([("str", "main"), ("str", ""), None, ("tables", [output])])
    return FbTable([("str", name), ("str", description), ("str", "v1"), ("tables", [subgraph])])


# --- GGUF ---------------------------------------------------------------------------------------------


def g_str(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def gguf_file(values: dict[str, Any], version: int = 3, tensors: int = 0) -> bytes:
    """A GGUF header with string, uint32 and string-array metadata (no tensors follow)."""
    body = b""
    for key, value in values.items():
        body += g_str(key)
        if isinstance(value, str):
            body += struct.pack("<I", 8) + g_str(value)
        elif isinstance(value, int):
            body += struct.pack("<II", 4, value)
        else:
            body += struct.pack("<IIQ", 9, 8, len(value)) + b"".join(g_str(v) for v in value)
    return b"GGUF" + struct.pack("<IQQ", version, tensors, len(values)) + body
