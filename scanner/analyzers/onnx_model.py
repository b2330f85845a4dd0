"""ONNX models, read by walking the protobuf wire format.

`onnx.load` reads the whole file into memory (537 MB of embedded initializers is 0.5 s and all of it
resident). This walker seeks from field to field and skips every tensor's raw data by its length, so a
model's graph structure, names, metadata and class labels cost the same whatever the weights weigh, and
external data files are never opened. It needs no third-party package.

Field numbers are those of onnx/onnx-ml.proto (checked against onnx 1.23): ModelProto ir_version=1,
producer_name=2, producer_version=3, domain=4, model_version=5, doc_string=6, graph=7, opset_import=8,
metadata_props=14; GraphProto node=1, name=2, initializer=5, doc_string=10, input=11, output=12;
NodeProto name=3, op_type=4, attribute=5, domain=7; AttributeProto name=1, s=4, t=5, strings=9;
ValueInfoProto name=1, type=2; TypeProto tensor_type=1, sequence_type=4, map_type=5; Tensor elem_type=1,
shape=2; TensorShapeProto dim=1; Dimension dim_value=1, dim_param=2; TensorProto dims=1, data_type=2,
string_data=6, name=8, raw_data=9, external_data=13, data_location=14; StringStringEntryProto key=1,
value=2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
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
    fer_fingerprint,
    file_size,
    image_layout,
    is_generic_labels,
    labels_from_text,
    modality_from_input,
    tensor_name_sources,
)
from scanner.discovery import Artifact
from scanner.findings import EvidenceKind, FileOutcome, Notice, NoticeKind
from scanner.signatures import Catalog

# Bounds: fields visited (time), strings kept (memory). A 2,000-node transformer is ~50,000 fields.
MAX_FIELDS = 5_000_000
MAX_STRING = 1024 * 1024  # metadata values (label JSON) and doc strings
MAX_NAME = 1024
MAX_KEPT = 10_000  # inputs, outputs, string-attribute nodes, initializer names kept
MAX_STRINGS_PER_TENSOR = 256
_TYPE_DEPTH = 4

_MODEL_FIELDS = {
    1: "ir_version",
    2: "producer_name",
    6: "doc_string",
    7: "graph",
    8: "opset_import",
    14: "metadata_props",
}
_INTEGER_TYPES = frozenset({2, 3, 4, 5, 6, 7, 9, 12, 13})  # uint8 ... uint64, bool
_STRING_TYPE = 8
# Attributes of ai.onnx.ml operators that hold a classifier's class labels.
_LABEL_ATTRIBUTES = frozenset({"classlabels_strings", "keys_strings", "values_strings", "cats_strings"})
_LABEL_KEYS = frozenset({"labels", "classes", "class_names", "label_names", "names", "id2label", "label2id"})


class Truncated(ModelFormatError):
    """A length-delimited field runs past its container (the file, when truncated)."""

    def __init__(self, message: str, number: int, start: int) -> None:
        super().__init__(message)
        self.number = number
        self.start = start


@dataclass
class ValueInfo:
    name: str
    elem_type: int = 0
    dims: list[int | str | None] = field(default_factory=list)
    kind: str = "tensor"


@dataclass
class StringAttribute:
    node_index: int
    op_type: str
    name: str
    strings: list[str]


@dataclass
class OnnxModel:
    ir_version: int | None = None
    producer_name: str = ""
    domain: str = ""
    doc_string: str = ""
    has_graph: bool = False
    graph_name: str = ""
    graph_doc: str = ""
    inputs: list[ValueInfo] = field(default_factory=list)
    outputs: list[ValueInfo] = field(default_factory=list)
    node_count: int = 0
    string_attributes: list[StringAttribute] = field(default_factory=list)
    initializer_count: int = 0
    initializer_names: list[str] = field(default_factory=list)
    string_initializers: list[tuple[str, list[str]]] = field(default_factory=list)
    external_files: set[str] = field(default_factory=set)
    metadata: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


class Walker:
    """Iterates protobuf fields inside [start, end) of a ByteSource, never reading skipped payloads."""

    def __init__(self, source: ByteSource) -> None:
        self.source = source
        self.fields = 0

    def varint(self, pos: int, end: int) -> tuple[int, int]:
        return self.source.varint(pos, end)

    def iter(self, start: int, end: int, what: str) -> Iterator[tuple[int, int, int, int]]:
        """(field number, wire type, value or payload offset, payload length) for each field."""
        pos = start
        while pos < end:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise ModelFormatError(f"more than {MAX_FIELDS:,} protobuf fields; the rest was not read")
            key, pos = self.source.varint(pos, end)
            number, wire = key >> 3, key & 7
            if number == 0:
                raise ModelFormatError(f"invalid protobuf field number 0 at byte {pos:,} in {what}")
            if wire == 0:
                value, pos = self.source.varint(pos, end)
                yield number, 0, value, 0
            elif wire == 2:
                length, pos = self.source.varint(pos, end)
                if pos + length > end:
                    raise Truncated(
                        f"{what} field {number} at byte {pos:,} declares {length:,} bytes but only "
                        f"{end - pos:,} remain",
                        number,
                        pos,
                    )
                yield number, 2, pos, length
                pos += length
            elif wire in (1, 5):
                size = 8 if wire == 1 else 4
                if pos + size > end:
                    raise ModelFormatError(f"truncated fixed-size protobuf field at byte {pos:,} in {what}")
                yield number, wire, pos, size
                pos += size
            else:
                raise ModelFormatError(f"invalid protobuf wire type {wire} at byte {pos:,} in {what}")

    def text(self, offset: int, length: int, limit: int = MAX_NAME) -> str:
        return self.source.read(offset, min(length, limit), "string").decode("utf-8", "replace")

    def ints(self, wire: int, value: int, length: int) -> list[int]:
        """A repeated int64 field, unpacked (one varint) or packed (a run of varints)."""
        if wire == 0:
            return [_signed(value)]
        found: list[int] = []
        pos, end = value, value + length
        while pos < end and len(found) < 64:
            item, pos = self.varint(pos, end)
            found.append(_signed(item))
        return found


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# --- parsing ----------------------------------------------------------------------------------------


def read_model(source: ByteSource) -> OnnxModel:
    """Every fact the analyzer needs, or as many as could be read before the first error."""
    model = OnnxModel()
    walker = Walker(source)
    try:
        _model(walker, model, source.size)
    except Truncated as exc:
        model.error = str(exc)
        if exc.number == 7 and not model.has_graph:
            # A truncated file still holds the start of its graph: read what is there.
            model.has_graph = True
            with contextlib.suppress(ModelFormatError):
                _graph(walker, model, exc.start, source.size)
    except ModelFormatError as exc:
        model.error = str(exc)
    return model


def _model(walker: Walker, model: OnnxModel, end: int) -> None:
    for number, wire, value, length in walker.iter(0, end, "ModelProto"):
        if number == 1 and wire == 0:
            model.ir_version = value
        elif wire != 2:
            continue
        elif number == 2:
            model.producer_name = walker.text(value, length)
        elif number == 4:
            model.domain = walker.text(value, length)
        elif number == 6:
            model.doc_string = walker.text(value, length, MAX_STRING)
        elif number == 7:
            model.has_graph = True
            _graph(walker, model, value, value + length)
        elif number == 14 and len(model.metadata) < MAX_KEPT:
            model.metadata.append(_entry(walker, value, value + length))


def _graph(walker: Walker, model: OnnxModel, start: int, end: int) -> None:
    for number, wire, value, length in walker.iter(start, end, "GraphProto"):
        if wire != 2:
            continue
        if number == 1:
            _node(walker, model, value, value + length)
            model.node_count += 1
        elif number == 2:
            model.graph_name = walker.text(value, length)
        elif number == 5:
            _initializer(walker, model, value, value + length)
        elif number == 10:
            model.graph_doc = walker.text(value, length, MAX_STRING)
        elif number in (11, 12):
            target = model.inputs if number == 11 else model.outputs
            if len(target) < MAX_KEPT:
                target.append(_value_info(walker, value, value + length))


def _node(walker: Walker, model: OnnxModel, start: int, end: int) -> None:
    op_type = ""
    attributes: list[tuple[str, list[str]]] = []
    for number, wire, value, length in walker.iter(start, end, "NodeProto"):
        if wire != 2:
            continue
        if number == 4:
            op_type = walker.text(value, length)
        elif number == 5:
            name, strings = _attribute(walker, value, value + length)
            if len(strings) >= 2:
                attributes.append((name, strings))
    for name, strings in attributes:
        if len(model.string_attributes) < MAX_KEPT:
            model.string_attributes.append(StringAttribute(model.node_count, op_type, name, strings))


def _attribute(walker: Walker, start: int, end: int) -> tuple[str, list[str]]:
    """Name and string values of an attribute: `strings` lists, or a string tensor in `t` (LabelEncoder
    opset 4 keeps keys and values as tensors). Graph-valued attributes (If, Loop) are skipped."""
    name = ""
    strings: list[str] = []
    for number, wire, value, length in walker.iter(start, end, "AttributeProto"):
        if wire != 2:
            continue
        if number == 1:
            name = walker.text(value, length)
        elif number == 9 and len(strings) < MAX_STRINGS_PER_TENSOR:
            strings.append(walker.text(value, length))
        elif number == 5:
            strings.extend(_tensor(walker, value, value + length).strings)
    return name, strings


@dataclass
class _Tensor:
    name: str = ""
    data_type: int = 0
    dims: list[int] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    external: str | None = None


def _tensor(walker: Walker, start: int, end: int) -> _Tensor:
    """A TensorProto's name, dims and small string data; raw_data (field 9) is skipped by length."""
    tensor = _Tensor()
    for number, wire, value, length in walker.iter(start, end, "TensorProto"):
        if number == 1:
            tensor.dims.extend(walker.ints(wire, value, length))
        elif number == 2 and wire == 0:
            tensor.data_type = value
        elif number == 6 and wire == 2 and len(tensor.strings) < MAX_STRINGS_PER_TENSOR:
            tensor.strings.append(walker.text(value, min(length, 256)))
        elif number == 8 and wire == 2:
            tensor.name = walker.text(value, length)
        elif number == 13 and wire == 2:
            key, location = _entry(walker, value, value + length)
            if key == "location":
                tensor.external = location
    return tensor


def _initializer(walker: Walker, model: OnnxModel, start: int, end: int) -> None:
    tensor = _tensor(walker, start, end)
    model.initializer_count += 1
    if len(model.initializer_names) < MAX_KEPT * 10:
        model.initializer_names.append(tensor.name)
    if tensor.external is not None and len(model.external_files) < MAX_KEPT:
        model.external_files.add(tensor.external)
    if (
        tensor.data_type == _STRING_TYPE
        and len(tensor.strings) >= 2
        and len(model.string_initializers) < MAX_KEPT
    ):
        model.string_initializers.append((tensor.name, tensor.strings))


def _entry(walker: Walker, start: int, end: int) -> tuple[str, str]:
    key = value_text = ""
    for number, wire, value, length in walker.iter(start, end, "StringStringEntryProto"):
        if wire == 2 and number == 1:
            key = walker.text(value, length)
        elif wire == 2 and number == 2:
            value_text = walker.text(value, length, MAX_STRING)
    return key, value_text


def _value_info(walker: Walker, start: int, end: int) -> ValueInfo:
    info = ValueInfo(name="")
    for number, wire, value, length in walker.iter(start, end, "ValueInfoProto"):
        if wire == 2 and number == 1:
            info.name = walker.text(value, length)
        elif wire == 2 and number == 2:
            _type(walker, info, value, value + length, 0)
    return info


def _type(walker: Walker, info: ValueInfo, start: int, end: int, depth: int) -> None:
    """TypeProto: a tensor's element type and shape; sequences and maps (ZipMap's output) by kind."""
    if depth > _TYPE_DEPTH:
        return
    for number, wire, value, length in walker.iter(start, end, "TypeProto"):
        if wire != 2:
            continue
        if number == 1 and depth == 0:
            _tensor_type(walker, info, value, value + length)
        elif number == 4:
            info.kind = "sequence"
        elif number == 5:
            info.kind = "map" if info.kind == "tensor" else info.kind


def _tensor_type(walker: Walker, info: ValueInfo, start: int, end: int) -> None:
    for number, wire, value, length in walker.iter(start, end, "TypeProto.Tensor"):
        if number == 1 and wire == 0:
            info.elem_type = value
        elif number == 2 and wire == 2:
            for dim_number, dim_wire, dim_value, dim_length in walker.iter(
                value, value + length, "TensorShapeProto"
            ):
                if dim_number == 1 and dim_wire == 2 and len(info.dims) < 16:
                    info.dims.append(_dimension(walker, dim_value, dim_value + dim_length))


def _dimension(walker: Walker, start: int, end: int) -> int | str | None:
    for number, wire, value, length in walker.iter(start, end, "Dimension"):
        if number == 1 and wire == 0:
            return _signed(value)
        if number == 2 and wire == 2:
            return walker.text(value, length, 64)
    return None


# --- analysis ---------------------------------------------------------------------------------------


def analyze(artifact: Artifact, catalog: Catalog) -> FileOutcome:
    try:
        with artifact.open() as handle:
            source = ByteSource(handle, file_size(handle))
            if source.size == 0:
                return FileOutcome(
                    notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, "empty ONNX file"),)
                )
            model = read_model(source)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.READ_ERROR, message),))
    if not model.has_graph or model.ir_version is None:
        reason = model.error or "the protobuf has no ir_version or graph field"
        return FileOutcome(
            notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, f"not an ONNX model: {reason}"),)
        )
    if model.error is not None and not (model.inputs or model.outputs or model.node_count or model.metadata):
        message = f"ONNX model could not be read: {model.error}"
        return FileOutcome(notices=(error_notice(artifact, NoticeKind.PARSE_ERROR, message),))
    facts = model_facts(model, PurePosixPath(artifact.path).name)
    notices: list[Notice] = []
    if model.error is not None:
        message = f"ONNX model read in part: {model.error}"
        notices.append(error_notice(artifact, NoticeKind.PARTIAL, message, fatal=False))
    escaping = sorted(location for location in model.external_files if leaves_folder(location))
    if escaping:
        shown = ", ".join(repr(location[:200]) for location in escaping[:3])
        more = f" and {len(escaping) - 3:,} more" if len(escaping) > 3 else ""
        message = (
            f"external data location {shown}{more} points outside the model's folder (an absolute path or "
            "'..'); nothing was opened, as external data is never read"
        )
        notices.append(error_notice(artifact, NoticeKind.PARTIAL, message, fatal=False))
    evidence = build_evidence(artifact, catalog, facts, EvidenceKind.MODEL_FILE)
    return FileOutcome(evidence=evidence, notices=tuple(notices))


def leaves_folder(location: str) -> bool:
    """Whether an external-data location escapes the model's folder, as onnx's own loader would
    refuse: absolute (POSIX, a drive, a UNC path) or climbing with '..'. Only the text is examined."""
    text = location.replace("\\", "/")
    if text.startswith("/") or (len(text) >= 2 and text[1] == ":") or "\x00" in text:
        return True
    depth = 0
    for part in text.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def model_facts(model: OnnxModel, name: str) -> ModelFacts:
    facts = ModelFacts()
    initializers = set(model.initializer_names)
    inputs = [(i, v) for i, v in enumerate(model.inputs) if v.name not in initializers]
    for index, value in inputs:
        facts.set_modality(
            modality_from_input(value.name, value.dims, value.elem_type in _INTEGER_TYPES),
            f"graph.input[{index}] {value.name} {_shape(value.dims)}",
        )
    _fingerprint(facts, model, inputs, name)
    _label_sources(facts, model, name)
    _name_sources(facts, model, name)
    return facts


def _fingerprint(facts: ModelFacts, model: OnnxModel, inputs: list[tuple[int, ValueInfo]], name: str) -> None:
    if not inputs or not model.outputs:
        return
    index, first = inputs[0]
    layout = image_layout(first.dims)
    if layout is None:
        return
    classes = _classes(model)
    fingerprint = fer_fingerprint(
        layout[0], layout[1], layout[2], classes, Place(logical=f"graph.input[{index}]"), f"{name} graph"
    )
    if fingerprint is not None:
        facts.fingerprints.append(fingerprint)


def _classes(model: OnnxModel) -> int | None:
    """Number of classes: the last dimension of the first 1-D or 2-D tensor output, else the count of
    ZipMap or classifier labels."""
    for output in model.outputs:
        if output.kind == "tensor" and 1 <= len(output.dims) <= 2 and isinstance(output.dims[-1], int):
            return output.dims[-1]
    for attribute in model.string_attributes:
        if attribute.name == "classlabels_strings":
            return len(attribute.strings)
    return None


def _label_sources(facts: ModelFacts, model: OnnxModel, name: str) -> None:
    for key, value in model.metadata:
        labels = labels_from_text(value)
        place = Place(logical=f"metadata_props.{key}")
        if labels and not is_generic_labels(labels):
            own = key.casefold() in _LABEL_KEYS
            facts.labels.append(LabelSource(labels, place, f"{name} metadata_props[{key!r}]", own))
        elif len(value) <= MAX_NAME:
            facts.names.append(NameSource(value, place, f"{name} metadata_props[{key!r}]"))
    for attribute in model.string_attributes:
        place = Place(logical=f"graph.node[{attribute.node_index}].{attribute.name}")
        own = attribute.name in _LABEL_ATTRIBUTES
        where = f"{name} {attribute.op_type} {attribute.name}"
        facts.labels.append(LabelSource(tuple(attribute.strings), place, where, own))
    for tensor_name, strings in model.string_initializers:
        place = Place(logical=f"graph.initializer[{tensor_name}]")
        facts.labels.append(
            LabelSource(tuple(strings), place, f"{name} string initializer {tensor_name!r}", True)
        )
    if len(model.outputs) >= 2:
        names = tuple(o.name for o in model.outputs)
        facts.labels.append(LabelSource(names, Place(logical="graph.output"), f"{name} graph outputs", True))


def _name_sources(facts: ModelFacts, model: OnnxModel, name: str) -> None:
    for text, logical in (
        (model.graph_name, "graph.name"),
        (model.domain, "domain"),
        (model.producer_name, "producer_name"),
    ):
        if text:
            facts.names.append(NameSource(text, Place(logical=logical), f"{name} {logical}"))
    for text, logical in ((model.doc_string, "doc_string"), (model.graph_doc, "graph.doc_string")):
        if text:
            facts.names.append(NameSource(text, Place(logical=logical), f"{name} {logical}", prose=True))
    for kind, values in (("input", model.inputs), ("output", model.outputs)):
        for index, value in enumerate(values[:64]):
            logical = f"graph.{kind}[{index}]"
            facts.names.append(NameSource(value.name, Place(logical=logical), f"{name} {logical} name"))
    facts.names.extend(
        tensor_name_sources(
            model.initializer_names, Place(logical="graph.initializer"), f"{name} initializer"
        )
    )


def _shape(dims: list[int | str | None]) -> str:
    return "x".join("?" if d is None else str(d) for d in dims)
