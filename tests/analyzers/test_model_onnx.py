"""ONNX models built with onnx.helper and read by the wire-format walker, never by onnx.load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from model_builders import FER_LABELS, FERPLUS_LABELS, artifact, by_signature, write_catalog
from onnx import TensorProto, helper, numpy_helper

from scanner.analyzers import analyzer_for, onnx_model
from scanner.analyzers.model_common import ByteSource
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def classifier(
    input_shape: list[int | str],
    classes: int,
    *,
    input_name: str = "input",
    graph_name: str = "main_graph",
    metadata: dict[str, str] | None = None,
    doc: str = "",
    initializers: list[TensorProto] | None = None,
    extra_nodes: list[onnx.NodeProto] | None = None,
    outputs: list[onnx.ValueInfoProto] | None = None,
    elem_type: int = TensorProto.FLOAT,
) -> onnx.ModelProto:
    """Flatten -> Gemm classifier with the given input shape and number of classes. The weight is
    kept tiny: the analyzer reads declared shapes, not whether the graph would type-check."""
    weight = numpy_helper.from_array(np.zeros((classes, 4), dtype=np.float32), "fc.weight")
    nodes = [
        helper.make_node("Flatten", [input_name], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc.weight"], ["logits"], transB=1),
        *(extra_nodes or []),
    ]
    graph = helper.make_graph(
        nodes,
        graph_name,
        [helper.make_tensor_value_info(input_name, elem_type, input_shape)],
        outputs or [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", classes])],
        [weight, *(initializers or [])],
        doc_string=doc,
    )
    model = helper.make_model(graph, producer_name="pytorch", opset_imports=[helper.make_opsetid("", 17)])
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def run(path: Path, catalog: Catalog) -> FileOutcome:
    item = artifact(path)
    assert item.kind is ArtifactKind.ONNX
    assert analyzer_for(item.kind) is onnx_model.analyze
    return onnx_model.analyze(item, catalog)


def test_48x48_grayscale_7_class_without_labels_is_a_face_fingerprint(
    tmp_path: Path, catalog: Catalog
) -> None:
    outcome = run(save(classifier([1, 1, 48, 48], 7), tmp_path / "model.onnx"), catalog)
    assert outcome.notices == ()
    (evidence,) = outcome.evidence
    assert evidence.signature_id == "fingerprint.fer2013_cnn"
    assert evidence.kind is EvidenceKind.MODEL_FILE
    assert evidence.strength is Strength.ARTIFACT
    assert evidence.modality is Modality.FACE
    assert evidence.capability is Capability.EMOTION
    assert (evidence.location.line, evidence.location.column) == (1, 1)
    assert evidence.location.logical == "graph.input[0]"


def test_fer_labels_in_metadata_props_are_direct(tmp_path: Path, catalog: Catalog) -> None:
    model = classifier([1, 48, 48, 1], 7, metadata={"labels": json.dumps(FER_LABELS), "author": "acme"})
    found = by_signature(run(save(model, tmp_path / "model.onnx"), catalog))
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.fer2013_cnn"}
    labels = found["vocab.test.basic_emotions"]
    assert labels.strength is Strength.DIRECT
    assert labels.location.logical == "metadata_props.labels"
    assert labels.labels == tuple(FER_LABELS)
    assert labels.modality is Modality.FACE


def test_ferplus_shape_and_file_name(tmp_path: Path, catalog: Catalog) -> None:
    model = classifier([1, 1, 64, 64], 8, input_name="Input3")
    found = by_signature(run(save(model, tmp_path / "emotion-ferplus-8.onnx"), catalog))
    assert set(found) == {"fingerprint.ferplus_cnn", "model_file.test.ferplus_onnx"}
    assert found["model_file.test.ferplus_onnx"].kind is EvidenceKind.MODEL_FILE
    assert found["model_file.test.ferplus_onnx"].location.logical == "file name"
    assert found["model_file.test.ferplus_onnx"].modality is Modality.FACE


def test_zipmap_class_labels_on_an_audio_model(tmp_path: Path, catalog: Catalog) -> None:
    zipmap = helper.make_node(
        "ZipMap", ["probs"], ["label_scores"], domain="ai.onnx.ml", classlabels_strings=FERPLUS_LABELS
    )
    softmax = helper.make_node("Softmax", ["logits"], ["probs"])
    output = helper.make_value_info(
        "label_scores",
        helper.make_sequence_type_proto(
            helper.make_map_type_proto(
                TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, [])
            )
        ),
    )
    model = classifier(
        [1, 16000], 8, input_name="input_values", extra_nodes=[softmax, zipmap], outputs=[output]
    )
    found = by_signature(run(save(model, tmp_path / "ser.onnx"), catalog))
    evidence = found["vocab.test.basic_emotions"]
    assert evidence.location.logical == "graph.node[3].classlabels_strings"
    assert evidence.strength is Strength.DIRECT
    assert evidence.modality is Modality.VOICE
    assert "ZipMap classlabels_strings" in evidence.summary


def test_string_initializer_and_regression_output_names(tmp_path: Path, catalog: Catalog) -> None:
    table = numpy_helper.from_array(np.array(FER_LABELS, dtype=object), "label_table")
    outputs = [
        helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 1])
        for name in ("arousal", "dominance", "valence")
    ]
    model = classifier([1, 3, 224, 224], 3, initializers=[table], outputs=outputs)
    found = by_signature(run(save(model, tmp_path / "model.onnx"), catalog))
    assert found["vocab.test.basic_emotions"].location.logical == "graph.initializer[label_table]"
    dimensional = found["vocab.test.dimensional"]
    assert dimensional.location.logical == "graph.output"
    assert dimensional.labels == ("arousal", "dominance", "valence")
    assert dimensional.modality is Modality.FACE


def test_doc_string_prose_and_hub_id_in_metadata(tmp_path: Path, catalog: Catalog) -> None:
    model = classifier(
        [1, 3, 224, 224],
        7,
        doc="Exported to ONNX. The network detects the emotions of faces in a video stream.",
        metadata={"source": "https://huggingface.co/trpakov/vit-face-expression/resolve/main/model.onnx"},
    )
    found = by_signature(run(save(model, tmp_path / "model.onnx"), catalog))
    assert found["model.test.vit_face_expression"].location.logical == "metadata_props.source"
    assert found["model.test.vit_face_expression"].strength is Strength.DIRECT
    assert found["fingerprint.emotion_name"].location.logical == "graph.doc_string"


@pytest.mark.parametrize(
    ("input_shape", "classes", "name"),
    [([1, 3, 224, 224], 1000, "resnet50.onnx"), ([1, 3, 112, 112], 512, "arcface.onnx"), (["N", 80, 30], 32, "whisper.onnx")],
    ids=["imagenet", "face-embedding", "asr"],
)  # fmt: skip
def test_non_emotion_models_give_nothing(
    tmp_path: Path, catalog: Catalog, input_shape: list[int | str], classes: int, name: str
) -> None:
    model = classifier(
        input_shape, classes, input_name="input_features" if name == "whisper.onnx" else "input"
    )
    assert run(save(model, tmp_path / name), catalog) == FileOutcome()


def test_external_data_is_never_opened(tmp_path: Path, catalog: Catalog) -> None:
    model = classifier([1, 1, 48, 48], 7, metadata={"classes": ",".join(FER_LABELS)})
    path = tmp_path / "ext" / "model.onnx"
    path.parent.mkdir()
    onnx.save(
        model,
        str(path),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    (path.parent / "weights.bin").unlink()  # would fail any reader that opens it
    found = by_signature(run(path, catalog))
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.fer2013_cnn"}
    with path.open("rb") as handle:
        read = onnx_model.read_model(ByteSource(handle, path.stat().st_size))
    assert read.external_files == {"weights.bin"}


def test_big_embedded_initializers_are_skipped_not_read(tmp_path: Path) -> None:
    big = numpy_helper.from_array(np.zeros((8, 1024, 1024), dtype=np.float32), "big")  # 32 MiB
    path = save(classifier([1, 1, 48, 48], 7, initializers=[big]), tmp_path / "model.onnx")
    with path.open("rb") as handle:
        source = ByteSource(handle, path.stat().st_size)
        read = onnx_model.read_model(source)
    assert read.error is None
    assert [(i.name, i.dims) for i in read.inputs] == [("input", [1, 1, 48, 48])]
    assert source.bytes_read < 1024 * 1024, source.bytes_read


def test_walker_agrees_with_onnx_on_structure(tmp_path: Path) -> None:
    model = classifier([1, 1, 64, "W"], 8, metadata={"k": "v"}, doc="doc")
    path = save(model, tmp_path / "model.onnx")
    with path.open("rb") as handle:
        read = onnx_model.read_model(ByteSource(handle, path.stat().st_size))
    loaded = onnx.load(str(path), load_external_data=False)
    assert read.ir_version == loaded.ir_version
    assert read.producer_name == loaded.producer_name
    assert (read.doc_string, read.graph_doc) == (loaded.doc_string, loaded.graph.doc_string)
    assert read.metadata == [(p.key, p.value) for p in loaded.metadata_props]
    expected_inputs = [
        (
            v.name,
            [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim],
        )
        for v in loaded.graph.input
    ]
    assert [(v.name, v.dims) for v in read.inputs] == expected_inputs
    assert read.node_count == len(loaded.graph.node)
    assert read.initializer_names == [t.name for t in loaded.graph.initializer]


# --- corrupted files ----------------------------------------------------------------------------------


def fer_bytes(tmp_path: Path) -> bytes:
    model = classifier([1, 1, 48, 48], 7, metadata={"labels": json.dumps(FER_LABELS)})
    return save(model, tmp_path / "source.onnx").read_bytes()


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "broken.onnx"
    path.write_bytes(data)
    return path


def test_truncated_model_is_a_notice(tmp_path: Path, catalog: Catalog) -> None:
    data = fer_bytes(tmp_path)
    outcome = run(write(tmp_path, data[: len(data) // 2]), catalog)
    (notice,) = outcome.notices
    assert notice.kind in (NoticeKind.PARTIAL, NoticeKind.PARSE_ERROR)
    assert "declares" in notice.message and "remain" in notice.message


def test_model_cut_after_the_header_is_fatal(tmp_path: Path, catalog: Catalog) -> None:
    outcome = run(write(tmp_path, fer_bytes(tmp_path)[:12]), catalog)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.fatal and notice.kind is NoticeKind.PARSE_ERROR


@pytest.mark.parametrize(
    "data",
    [b"this is a text file, not a protobuf\n", b"\xff" * 64, b"\x08\x07" + b"\x3a\xff\xff\xff\xff\x0f", b"\x08\x07\x12\x40ab"],
    ids=["text", "ff", "bogus-graph-length", "truncated-string"],
)  # fmt: skip
def test_not_onnx_is_a_parse_notice(tmp_path: Path, catalog: Catalog, data: bytes) -> None:
    outcome = run(write(tmp_path, data), catalog)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR and notice.fatal
    assert "ONNX" in notice.message


def test_empty_file_is_a_notice(tmp_path: Path, catalog: Catalog) -> None:
    path = write(tmp_path, b"")
    (notice,) = onnx_model.analyze(artifact(path, ArtifactKind.ONNX), catalog).notices
    assert notice.message == "empty ONNX file"


def test_every_truncation_and_bit_flip_is_handled(tmp_path: Path, catalog: Catalog) -> None:
    data = fer_bytes(tmp_path)
    for cut in range(0, len(data), max(1, len(data) // 97)):
        outcome = onnx_model.analyze(artifact(write(tmp_path, data[:cut]), ArtifactKind.ONNX), catalog)
        # A cut inside a field is a notice; a cut exactly between fields is a smaller valid protobuf.
        assert outcome.notices or outcome.evidence, cut
    rng = np.random.default_rng(7)
    for _ in range(150):
        flipped = bytearray(data)
        for index in rng.integers(0, len(data), 3):
            flipped[int(index)] ^= int(rng.integers(1, 256))
        outcome = onnx_model.analyze(artifact(write(tmp_path, bytes(flipped)), ArtifactKind.ONNX), catalog)
        assert isinstance(outcome, FileOutcome)  # a flip may also yield another valid model
