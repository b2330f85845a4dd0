"""safetensors headers: metadata, tensor shapes, shards, and every way a header can lie."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from model_builders import FER_LABELS, artifact, by_signature, write_catalog
from safetensors.numpy import save_file

from scanner.analyzers import analyzer_for, safetensors_model
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def tensors(shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    return {name: np.zeros(shape, dtype=np.float32) for name, shape in shapes.items()}


FER_CNN = {
    "conv1.weight": (32, 1, 3, 3),
    "conv2.weight": (64, 32, 3, 3),
    "fc.weight": (7, 1024),
    "fc.bias": (7,),
}


def run(path: Path, catalog: Catalog) -> FileOutcome:
    item = artifact(path)
    assert item.kind is ArtifactKind.SAFETENSORS
    assert analyzer_for(item.kind) is safetensors_model.analyze
    return safetensors_model.analyze(item, catalog)


def test_grayscale_cnn_with_labels_in_metadata(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "model.safetensors"
    save_file(tensors(FER_CNN), str(path), metadata={"labels": json.dumps(FER_LABELS), "format": "pt"})
    outcome = run(path, catalog)
    assert outcome.notices == ()
    found = by_signature(outcome)
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.fer2013_cnn"}
    labels = found["vocab.test.basic_emotions"]
    assert labels.kind is EvidenceKind.MODEL_FILE
    assert (labels.location.line, labels.location.logical) == (1, "__metadata__.labels")
    assert labels.strength is Strength.DIRECT
    assert labels.modality is Modality.FACE
    assert labels.labels == tuple(FER_LABELS)
    fingerprint = found["fingerprint.fer2013_cnn"]
    assert fingerprint.location.logical == "tensors.fc.weight"
    assert fingerprint.strength is Strength.ARTIFACT
    assert fingerprint.capability is Capability.EMOTION


def test_config_json_kept_in_metadata(tmp_path: Path, catalog: Catalog) -> None:
    config = {
        "_name_or_path": "superb/wav2vec2-base-superb-er",
        "id2label": {"0": "neu", "1": "hap", "2": "ang", "3": "sad"},
    }
    shapes = {
        "wav2vec2.feature_extractor.conv_layers.0.conv.weight": (512, 1, 10),
        "classifier.weight": (4, 256),
    }
    path = tmp_path / "model.safetensors"
    save_file(tensors(shapes), str(path), metadata={"config": json.dumps(config)})
    found = by_signature(run(path, catalog))
    assert found["vocab.test.iemocap_codes"].location.logical == "__metadata__.config.id2label"
    assert found["vocab.test.iemocap_codes"].modality is Modality.VOICE
    assert found["model.test.superb_er"].strength is Strength.DIRECT


@pytest.mark.parametrize(
    "shapes",
    [
        {"embeddings.patch_embeddings.projection.weight": (768, 3, 16, 16), "classifier.weight": (1000, 768)},
        {"conv1.weight": (64, 3, 7, 7), "embedding.weight": (512, 2048)},
        {"conv1.weight": (32, 1, 3, 3), "fc.weight": (10, 1024)},
    ],
    ids=["imagenet-vit", "face-embedding", "mnist"],
)
def test_non_emotion_weights_give_nothing(
    tmp_path: Path, catalog: Catalog, shapes: dict[str, tuple[int, ...]]
) -> None:
    path = tmp_path / "model.safetensors"
    save_file(tensors(shapes), str(path))
    assert run(path, catalog) == FileOutcome()


def test_shards_count_as_one_model(tmp_path: Path, catalog: Catalog) -> None:
    first = tmp_path / "model-00001-of-00002.safetensors"
    second = tmp_path / "model-00002-of-00002.safetensors"
    save_file(tensors({"conv1.weight": (32, 1, 3, 3)}), str(first), metadata={"labels": ",".join(FER_LABELS)})
    save_file(tensors({"fc.weight": (7, 1024)}), str(second), metadata={"labels": ",".join(FER_LABELS)})
    found = by_signature(run(first, catalog))
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.fer2013_cnn"}
    assert run(second, catalog) == FileOutcome()


def test_a_renamed_file_is_recognised_by_its_bytes(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "weights.bin"
    save_file(tensors(FER_CNN), str(path))
    (evidence,) = run(path, catalog).evidence
    assert evidence.signature_id == "fingerprint.fer2013_cnn"


# --- corrupted headers --------------------------------------------------------------------------------


def raw_file(tmp_path: Path, length: int, header: bytes, pad: int = 0) -> Path:
    path = tmp_path / "broken.safetensors"
    path.write_bytes(struct.pack("<Q", length) + header + b"\0" * pad)
    return path


def notice_of(path: Path, catalog: Catalog) -> tuple[NoticeKind, str, bool]:
    outcome = safetensors_model.analyze(artifact(path, ArtifactKind.SAFETENSORS), catalog)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    return notice.kind, notice.message, notice.fatal


def test_header_length_of_2_to_the_63(tmp_path: Path, catalog: Catalog) -> None:
    path = raw_file(tmp_path, 2**63, b"{}", pad=1014)
    kind, message, fatal = notice_of(path, catalog)
    assert kind is NoticeKind.PARSE_ERROR and fatal
    assert message == "safetensors header length 9223372036854775808 exceeds the file size (1,024 bytes)"


def test_header_length_just_past_the_file(tmp_path: Path, catalog: Catalog) -> None:
    header = json.dumps({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    path = raw_file(tmp_path, len(header) + 5, header)
    assert "exceeds the file size" in notice_of(path, catalog)[1]


def test_header_over_the_cap_is_too_large(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safetensors_model, "MAX_HEADER_BYTES", 64)
    header = json.dumps(
        {f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]} for i in range(10)}
    ).encode()
    kind, message, _ = notice_of(raw_file(tmp_path, len(header), header), catalog)
    assert kind is NoticeKind.TOO_LARGE
    assert "over the 64-byte limit" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"not json at all", "is not a JSON object"),
        (b"{not json}", "is not valid JSON"),
        (b"[1, 2, 3]", "is not a JSON object"),
        (b"{" + b'"a":' * 1 + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b'{"a": "\xff"}', "not valid UTF-8"),
    ],
    ids=["text", "invalid-json", "array", "deeply-nested", "utf8"],
)
def test_malformed_headers(tmp_path: Path, catalog: Catalog, header: bytes, expected: str) -> None:
    kind, message, fatal = notice_of(raw_file(tmp_path, len(header), header), catalog)
    assert kind is NoticeKind.PARSE_ERROR and fatal
    assert expected in message


def test_file_shorter_than_the_length_prefix(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "tiny.safetensors"
    path.write_bytes(b"\x05\x00")
    assert "too short" in notice_of(path, catalog)[1]


def test_truncated_data_is_a_partial_notice(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "model.safetensors"
    save_file(tensors(FER_CNN), str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    outcome = run(path, catalog)
    assert [e.signature_id for e in outcome.evidence] == ["fingerprint.fer2013_cnn"]
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARTIAL and not notice.fatal
    assert "looks truncated" in notice.message
