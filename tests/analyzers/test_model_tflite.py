"""TFLite flatbuffers: tensors, TFLite Support metadata and packed label files; bad offsets."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from model_builders import FER_LABELS, artifact, by_signature, tflite_metadata, tflite_model, write_catalog

from scanner.analyzers import analyzer_for
from scanner.analyzers import tflite_model as analyzer
from scanner.analyzers.model_common import ByteSource
from scanner.discovery import ArtifactKind
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def with_packed_files(model: bytes, files: dict[str, str]) -> bytes:
    """The metadata writer appends associated files to the flatbuffer as a zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return model + buffer.getvalue()


def run(path: Path, catalog: Catalog) -> FileOutcome:
    item = artifact(path)
    assert item.kind is ArtifactKind.TFLITE
    assert analyzer_for(item.kind) is analyzer.analyze
    return analyzer.analyze(item, catalog)


def test_builder_round_trip(tmp_path: Path) -> None:
    data = tflite_model([1, 48, 48, 1], [1, 7], "desc", tflite_metadata("fer", "d", "labels.txt"))
    path = tmp_path / "m.tflite"
    path.write_bytes(data)
    with path.open("rb") as handle:
        model = analyzer.read_model(ByteSource(handle, len(data)))
    assert [(t.name, t.shape) for t in model.inputs] == [("input_image", [1, 48, 48, 1])]
    assert [(t.name, t.shape) for t in model.outputs] == [("Identity", [1, 7])]
    assert model.label_files == ["labels.txt"]
    assert model.metadata_error is None


def test_fer_shape_without_labels_is_a_fingerprint(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "production_model.tflite"
    path.write_bytes(tflite_model([1, 48, 48, 1], [1, 7]))
    (evidence,) = run(path, catalog).evidence
    assert evidence.signature_id == "fingerprint.fer2013_cnn"
    assert evidence.kind is EvidenceKind.MODEL_FILE
    assert evidence.location.logical == "subgraphs[0].inputs[0]"
    assert evidence.modality is Modality.FACE and evidence.strength is Strength.ARTIFACT


def test_metadata_and_packed_label_file(tmp_path: Path, catalog: Catalog) -> None:
    metadata = tflite_metadata("Classifier", "Detects the emotion of a face in a camera frame.", "labels.txt")
    data = with_packed_files(
        tflite_model([1, 224, 224, 3], [1, 7], metadata=metadata), {"labels.txt": "\n".join(FER_LABELS)}
    )
    path = tmp_path / "model.tflite"
    path.write_bytes(data)
    outcome = run(path, catalog)
    assert outcome.notices == ()
    found = by_signature(outcome)
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.emotion_name"}
    labels = found["vocab.test.basic_emotions"]
    assert labels.location.logical == "associated_files.labels.txt"
    assert labels.strength is Strength.DIRECT
    assert labels.modality is Modality.FACE
    assert found["fingerprint.emotion_name"].location.logical == "metadata"


def test_mobilenet_imagenet_gives_nothing(tmp_path: Path, catalog: Catalog) -> None:
    data = with_packed_files(
        tflite_model(
            [1, 224, 224, 3],
            [1, 1001],
            "MobileNet V2",
            tflite_metadata("MobileNet", "ImageNet", "labels.txt"),
        ),
        {"labels.txt": "\n".join(f"class{i}" for i in range(1001))},
    )
    path = tmp_path / "mobilenet.tflite"
    path.write_bytes(data)
    assert run(path, catalog) == FileOutcome()


def notice_for(tmp_path: Path, catalog: Catalog, data: bytes) -> str:
    path = tmp_path / "bad.tflite"
    path.write_bytes(data)
    outcome = analyzer.analyze(artifact(path, ArtifactKind.TFLITE), catalog)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR and notice.fatal
    return notice.message


def test_root_offset_outside_the_file(tmp_path: Path, catalog: Catalog) -> None:
    data = bytearray(tflite_model([1, 48, 48, 1], [1, 7]))
    struct.pack_into("<I", data, 0, 0xFFFFFF00)
    assert "points outside the buffer" in notice_for(tmp_path, catalog, bytes(data))


def test_vector_length_beyond_the_file(tmp_path: Path, catalog: Catalog) -> None:
    data = bytearray(tflite_model([1, 48, 48, 1], [1, 7]))
    shape_at = data.index(struct.pack("<I4i", 4, 1, 48, 48, 1))
    struct.pack_into("<I", data, shape_at, 0x7FFFFFFF)
    message = notice_for(tmp_path, catalog, bytes(data))
    assert "claims" in message or "outside" in message


def test_wrong_identifier(tmp_path: Path, catalog: Catalog) -> None:
    data = bytearray(tflite_model([1, 48, 48, 1], [1, 7]))
    data[4:8] = b"XXXX"
    assert "identifier" in notice_for(tmp_path, catalog, bytes(data))


def test_bad_metadata_is_partial(tmp_path: Path, catalog: Catalog) -> None:
    data = bytearray(tflite_model([1, 48, 48, 1], [1, 7], metadata=tflite_metadata("n", "d", None)))
    identifier = data.index(b"M001")
    data[identifier : identifier + 4] = b"M999"
    path = tmp_path / "model.tflite"
    path.write_bytes(bytes(data))
    outcome = run(path, catalog)
    assert [e.signature_id for e in outcome.evidence] == ["fingerprint.fer2013_cnn"]
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARTIAL and not notice.fatal


def test_random_corruption_never_raises(tmp_path: Path, catalog: Catalog) -> None:
    data = tflite_model([1, 48, 48, 1], [1, 7], "d", tflite_metadata("n", "emotion", "labels.txt"))
    rng = np.random.default_rng(3)
    path = tmp_path / "fuzz.tflite"
    item = None
    for round_ in range(300):
        mutated = bytearray(data)
        for index in rng.integers(0, len(data), 1 + round_ % 4):
            mutated[int(index)] = int(rng.integers(0, 256))
        path.write_bytes(bytes(mutated[: len(mutated) - round_ % 7]))
        item = artifact(path, ArtifactKind.TFLITE)
        assert isinstance(analyzer.analyze(item, catalog), FileOutcome)
