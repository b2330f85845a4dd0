"""TensorFlow Lite models: the flatbuffer's description, first subgraph's input and output tensors, the
TFLite Support metadata (model name, description, tensor descriptions, associated files) and the label
files packed into the model as a zip appended to the flatbuffer.

Flatbuffers are read with bounds-checked offsets through a block cache: tensor buffers (the weights)
are never read. Field numbers are those of tensorflow/lite/schema/schema.fbs (Model: version 0,
operator_codes 1, subgraphs 2, description 3, buffers 4, metadata_buffer 5, metadata 6; SubGraph:
tensors 0, inputs 1, outputs 2, operators 3, name 4; Tensor: shape 0, type 1, buffer 2, name 3; Buffer:
data 0, offset 1, size 2; Metadata: name 0, buffer 1) and of metadata_schema.fbs, file identifier "M001"
(ModelMetadata: name 0, description 1, version 2, subgraph_metadata 3, author 4, license 5,
associated_files 6; SubGraphMetadata: name 0, description 1, input_tensor_metadata 2,
output_tensor_metadata 3, associated_files 4; TensorMetadata: name 0, description 1, associated_files 6;
AssociatedFile: name 0, description 1, type 2).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from scanner.analyzers.labels_file import parse_label_lines
from scanner.analyzers.model_common import (
    ByteSource,
    LabelSource,
    ModelFacts,
    ModelFormatError,
    NameSource,
    Place,
    build_evidence,
    error_notice,
    fer_fingerprint,
    file_size,
    image_layout,
    is_generic_labels,
    modality_from_input,
)
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Notice, NoticeKind
from scanner.signatures import Catalog

MAX_VECTOR = 1_000_000
MAX_STRING = 64 * 1024
MAX_LABEL_FILE = 256 * 1024
_INTEGER_TYPES = frozenset({2, 3, 4, 6, 7, 9, 12, 15, 16})  # int32, uint8, int64, bool, int16, int8, ...
_LABEL_FILE_TYPES = frozenset({2, 3})  # TENSOR_AXIS_LABELS, TENSOR_VALUE_LABELS


class Table:
    """A flatbuffer table at `pos`: fields are looked up through its vtable, all offsets bounds-checked
    against [start, end) of the buffer it lives in."""

    def __init__(self, buf: FlatBuffer, pos: int) -> None:
        self.buf = buf
        self.pos = pos
        self.vtable = pos - buf.i32(pos)
        self.vt_size = buf.u16(self.vtable)
        if self.vt_size < 4 or self.vt_size % 2:
            raise ModelFormatError(
                f"flatbuffer table at byte {pos:,} has a malformed vtable size {self.vt_size}"
            )
        buf.check(self.vtable, self.vt_size, "vtable")

    def _offset(self, index: int) -> int:
        slot = 4 + 2 * index
        return 0 if slot >= self.vt_size else self.buf.u16(self.vtable + slot)

    def scalar(self, index: int, fmt: str, default: int = 0) -> int:
        offset = self._offset(index)
        if not offset:
            return default
        size = struct.calcsize(fmt)
        value: int = struct.unpack(fmt, self.buf.read(self.pos + offset, size))[0]
        return value

    def ref(self, index: int) -> int | None:
        offset = self._offset(index)
        if not offset:
            return None
        at = self.pos + offset
        return at + self.buf.u32(at)

    def string(self, index: int, limit: int = MAX_STRING) -> str:
        at = self.ref(index)
        if at is None:
            return ""
        length = self.buf.u32(at)
        self.buf.check(at + 4, length, "string")
        return self.buf.read(at + 4, min(length, limit)).decode("utf-8", "replace")

    def vector(self, index: int, element: int) -> tuple[int, int]:
        """(position of the first element, length) of a vector field; (0, 0) when absent."""
        at = self.ref(index)
        if at is None:
            return 0, 0
        length = self.buf.u32(at)
        if length > MAX_VECTOR:
            raise ModelFormatError(f"flatbuffer vector at byte {at:,} claims {length:,} elements")
        self.buf.check(at + 4, length * element, "vector")
        return at + 4, length

    def ints(self, index: int, limit: int = 16) -> list[int]:
        start, length = self.vector(index, 4)
        count = min(length, limit)
        return list(struct.unpack(f"<{count}i", self.buf.read(start, 4 * count))) if count else []

    def tables(self, index: int, limit: int = MAX_VECTOR) -> list[Table]:
        start, length = self.vector(index, 4)
        found: list[Table] = []
        for item in range(min(length, limit)):
            at = start + 4 * item
            found.append(Table(self.buf, at + self.buf.u32(at)))
        return found


class FlatBuffer:
    def __init__(self, source: ByteSource, start: int, end: int) -> None:
        self.source = source
        self.start = start
        self.end = end

    def check(self, pos: int, length: int, what: str) -> None:
        if pos < self.start or length < 0 or pos + length > self.end:
            raise ModelFormatError(
                f"flatbuffer {what} at byte {pos:,} ({length:,} bytes) points outside the buffer "
                f"(bytes {self.start:,} to {self.end:,})"
            )

    def read(self, pos: int, length: int) -> bytes:
        self.check(pos, length, "field")
        return self.source.read(pos, length)

    def u16(self, pos: int) -> int:
        value: int = struct.unpack("<H", self.read(pos, 2))[0]
        return value

    def u32(self, pos: int) -> int:
        value: int = struct.unpack("<I", self.read(pos, 4))[0]
        return value

    def i32(self, pos: int) -> int:
        value: int = struct.unpack("<i", self.read(pos, 4))[0]
        return value

    def root(self, identifier: bytes) -> Table:
        found = self.read(self.start + 4, 4)
        if found != identifier:
            raise ModelFormatError(f"flatbuffer identifier is {found!r}, expected {identifier!r}")
        return Table(self, self.start + self.u32(self.start))


@dataclass
class TensorInfo:
    name: str
    shape: list[int]
    type: int


@dataclass
class TfliteModel:
    description: str = ""
    subgraph_name: str = ""
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    texts: list[tuple[str, str, bool]] = field(default_factory=list)  # (text, where, prose)
    label_files: list[str] = field(default_factory=list)
    metadata_error: str | None = None


def read_model(source: ByteSource) -> TfliteModel:
    buf = FlatBuffer(source, 0, source.size)
    root = buf.root(b"TFL3")
    model = TfliteModel(description=root.string(3))
    subgraphs = root.tables(2, limit=1)
    if subgraphs:
        graph = subgraphs[0]
        model.subgraph_name = graph.string(4)
        tensors_start, tensor_count = graph.vector(0, 4)
        for field_index, target in ((1, model.inputs), (2, model.outputs)):
            for tensor_index in graph.ints(field_index, limit=64):
                if not 0 <= tensor_index < tensor_count:
                    raise ModelFormatError(f"subgraph refers to tensor {tensor_index} of {tensor_count}")
                at = tensors_start + 4 * tensor_index
                tensor = Table(buf, at + buf.u32(at))
                target.append(TensorInfo(tensor.string(3, 1024), tensor.ints(0), tensor.scalar(1, "<b")))
    try:
        _metadata(buf, root, model)
    except ModelFormatError as exc:
        model.metadata_error = str(exc)
    return model


def _metadata(buf: FlatBuffer, root: Table, model: TfliteModel) -> None:
    """The TFLITE_METADATA buffer is itself a flatbuffer ("M001") nested in the model's buffers."""
    for entry in root.tables(6, limit=64):
        if entry.string(0, 256) != "TFLITE_METADATA":
            continue
        buffers = root.tables(4, limit=entry.scalar(1, "<I") + 1)
        index = entry.scalar(1, "<I")
        if index >= len(buffers):
            raise ModelFormatError(f"TFLITE_METADATA names buffer {index}, but the model has fewer")
        start, length = buffers[index].vector(0, 1)
        if not length:
            return
        nested = FlatBuffer(buf.source, start, start + length)
        meta = nested.root(b"M001")
        model.texts.append((meta.string(0), "metadata name", False))
        model.texts.append((meta.string(1), "metadata description", True))
        _associated(meta.tables(6, limit=64), model)
        for graph in meta.tables(3, limit=4):
            model.texts.append((graph.string(1), "subgraph metadata description", True))
            _associated(graph.tables(4, limit=64), model)
            for tensor in graph.tables(3, limit=64):
                model.texts.append((tensor.string(0, 1024), "output tensor metadata name", False))
                model.texts.append((tensor.string(1), "output tensor metadata description", True))
                _associated(tensor.tables(6, limit=64), model)
        return


def _associated(files: list[Table], model: TfliteModel) -> None:
    for item in files:
        name = item.string(0, 1024)
        if name and item.scalar(2, "<b") in _LABEL_FILE_TYPES and name not in model.label_files:
            model.label_files.append(name)


# --- analysis ---------------------------------------------------------------------------------------


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    notices: list[Notice] = []
    try:
        with artifact.open() as handle:
            source = ByteSource(handle, file_size(handle))
            try:
                model = read_model(source)
            except ModelFormatError as exc:
                message = f"TFLite model could not be read: {exc}"
                return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
            packed = _packed_labels(handle, model)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    if model.metadata_error is not None:
        message = f"TFLite metadata could not be read: {model.metadata_error}"
        notices.append(error_notice(artifact, NoticeKind.PARTIAL, message, fatal=False))
    facts = model_facts(model, packed, PurePosixPath(artifact.path).name)
    evidence = build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE)
    return FileOutcome(evidence=evidence, notices=tuple(notices))


def _packed_labels(handle: BinaryIO, model: TfliteModel) -> dict[str, str]:
    """Label files packed into the model: the metadata writer appends them as a zip archive. Files the
    metadata names as labels are read, else any small .txt in the archive."""
    found: dict[str, str] = {}
    try:
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()[:1000]
            wanted = [i for i in infos if i.filename in model.label_files] or [
                i for i in infos if i.filename.endswith(".txt")
            ]
            for info in wanted[:16]:
                if info.file_size <= MAX_LABEL_FILE:
                    with archive.open(info) as stream:
                        found[info.filename] = stream.read(MAX_LABEL_FILE).decode("utf-8", "replace")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error):
        pass  # no packed files (most models), or an unreadable archive: the flatbuffer still counts
    return found


def model_facts(model: TfliteModel, packed: dict[str, str], name: str) -> ModelFacts:
    facts = ModelFacts()
    if model.inputs:
        first = model.inputs[0]
        modality = modality_from_input(first.name, first.shape, first.type in _INTEGER_TYPES)
        facts.set_modality(modality, f"input {first.name} {first.shape}")
        layout = image_layout(first.shape)
        classes = _classes(model)
        if layout is not None:
            place = Place(logical="subgraphs[0].inputs[0]")
            fingerprint = fer_fingerprint(layout[0], layout[1], layout[2], classes, place, f"{name} subgraph")
            if fingerprint is not None:
                facts.fingerprints.append(fingerprint)
    for file_name, text in packed.items():
        labels = tuple(label for label, _ in parse_label_lines(text))
        if 2 <= len(labels) <= 64 and not is_generic_labels(labels):
            place = Place(logical=f"associated_files.{file_name}")
            facts.labels.append(LabelSource(labels, place, f"{name} packed label file {file_name}", True))
    if model.description:
        facts.names.append(
            NameSource(model.description, Place(logical="description"), f"{name} description", True)
        )
    if model.subgraph_name:
        facts.names.append(
            NameSource(model.subgraph_name, Place(logical="subgraphs[0].name"), f"{name} subgraph")
        )
    for kind, tensors in (("inputs", model.inputs), ("outputs", model.outputs)):
        for index, tensor in enumerate(tensors):
            logical = f"subgraphs[0].{kind}[{index}]"
            facts.names.append(NameSource(tensor.name, Place(logical=logical), f"{name} {logical} name"))
    for text, where, prose in model.texts:
        if text:
            facts.names.append(NameSource(text, Place(logical="metadata"), f"{name} {where}", prose))
    return facts


def _classes(model: TfliteModel) -> int | None:
    for output in model.outputs:
        if 1 <= len(output.shape) <= 2:
            return output.shape[-1]
    return None
