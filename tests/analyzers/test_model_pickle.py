"""PyTorch zip checkpoints and legacy pickles, read with pickletools opcodes only: never unpickled."""

from __future__ import annotations

import io
import json
import os
import pickle
import pickletools
import struct
import zipfile
from pathlib import Path

import pytest
from conftest import ScanTree
from model_builders import (
    FER_LABELS,
    artifact,
    by_signature,
    p_list,
    p_str,
    state_dict_pickle,
    write_catalog,
)

from scanner.analyzers import analyzer_for, pickle_model
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog

FER_CNN = {
    "features.0.weight": (32, 1, 3, 3),
    "features.3.weight": (64, 32, 3, 3),
    "classifier.weight": (7, 1024),
}
RESNET = {"conv1.weight": (64, 3, 7, 7), "fc.weight": (1000, 512), "fc.bias": (1000,)}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def torch_zip(path: Path, data_pkl: bytes | None, root: str = "archive") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if data_pkl is not None:
            archive.writestr(f"{root}/data.pkl", data_pkl)
        archive.writestr(f"{root}/version", "3\n")
        archive.writestr(f"{root}/data/0", b"\0" * 64)
    return path


def legacy(path: Path, obj_pickle: bytes) -> Path:
    """torch.save's legacy layout: magic, protocol, sys info, the object, storage keys, raw data."""
    parts = [
        pickle.dumps(pickle_model.LEGACY_MAGIC, protocol=2),
        pickle.dumps(1001, protocol=2),
        pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2),
        obj_pickle,
        pickle.dumps(["0"], protocol=2),
        os.urandom(256),
    ]
    path.write_bytes(b"".join(parts))
    return path


def run(path: Path, catalog: Catalog, kind: ArtifactKind, discovered: bool = True) -> FileOutcome:
    """Analyze `path` as discovery classifies it, or (for zips discovery would open as archives
    rather than models) as an artifact of `kind`, which is the analyzer's contract for that kind."""
    item = artifact(path) if discovered else artifact(path, kind)
    assert item.kind is kind
    assert analyzer_for(item.kind) is pickle_model.analyze
    return pickle_model.analyze(item, catalog)


def test_hand_written_pickles_are_well_formed() -> None:
    # pickletools.dis checks the stack discipline without constructing anything.
    data = state_dict_pickle(FER_CNN, {"classes": p_list(FER_LABELS)})
    pickletools.dis(data, out=io.StringIO())


def test_pytorch_zip_state_dict_with_classes(tmp_path: Path, catalog: Catalog) -> None:
    data = state_dict_pickle(FER_CNN, {"classes": p_list(FER_LABELS), "arch": p_str("EmotionCNN")})
    outcome = run(torch_zip(tmp_path / "model.pt", data), catalog, ArtifactKind.PYTORCH_ZIP)
    assert outcome.notices == ()
    found = by_signature(outcome)
    assert set(found) == {"vocab.test.basic_emotions", "fingerprint.fer2013_cnn", "fingerprint.emotion_name"}
    labels = found["vocab.test.basic_emotions"]
    assert labels.kind is EvidenceKind.MODEL_FILE
    assert (labels.location.line, labels.location.logical) == (1, "archive/data.pkl")
    assert labels.strength is Strength.DIRECT  # kept under "classes": the checkpoint's own outputs
    assert labels.modality is Modality.FACE
    assert labels.labels == tuple(FER_LABELS)
    assert "classifier.weight" in found["fingerprint.fer2013_cnn"].summary
    assert "'arch'" in found["fingerprint.emotion_name"].summary


def test_a_checkpoint_named_pth_tar_is_a_pytorch_zip(tmp_path: Path, scan_tree: ScanTree) -> None:
    # torch.save writes a zip whatever the name; `checkpoint.pth.tar` is research code's habit. It was
    # read as a tar archive, failed, and made the whole scan unsuccessful.
    data = state_dict_pickle(FER_CNN, {"classes": p_list(FER_LABELS)})
    torch_zip(tmp_path / "checkpoint.pth.tar", data)
    result = scan_tree({})
    assert result.notices == ()
    (item,) = [e for e in result.evidence if e.location.path == "checkpoint.pth.tar" and e.labels]
    assert (item.location.logical, item.labels) == ("archive/data.pkl", tuple(FER_LABELS))


def test_legacy_pickle_with_an_id2label_map(tmp_path: Path, catalog: Catalog) -> None:
    checkpoint = {"epoch": 3, "id2label": dict(enumerate(["drowsy", "alert", "yawning"]))}
    outcome = run(
        legacy(tmp_path / "model.pth", pickle.dumps(checkpoint, protocol=2)), catalog, ArtifactKind.PICKLE
    )
    assert outcome.notices == ()
    (evidence,) = outcome.evidence
    assert evidence.signature_id == "vocab.test.drowsiness"
    assert evidence.capability is Capability.PHYSICAL_STATE
    assert evidence.location.logical == "pickle"


def test_legacy_state_dict_shapes(tmp_path: Path, catalog: Catalog) -> None:
    outcome = run(legacy(tmp_path / "model.bin", state_dict_pickle(FER_CNN)), catalog, ArtifactKind.PICKLE)
    assert [e.signature_id for e in outcome.evidence] == ["fingerprint.fer2013_cnn"]


def test_imagenet_and_asr_checkpoints_give_nothing(tmp_path: Path, catalog: Catalog) -> None:
    resnet = torch_zip(tmp_path / "resnet.pt", state_dict_pickle(RESNET))
    assert run(resnet, catalog, ArtifactKind.PYTORCH_ZIP) == FileOutcome()
    asr = {"_name_or_path": "openai/whisper-small", "labels": ["<|en|>", "<|transcribe|>"]}
    path = tmp_path / "asr.pkl"
    path.write_bytes(pickle.dumps(asr, protocol=4))
    assert run(path, catalog, ArtifactKind.PICKLE) == FileOutcome()


class _Payload:
    """Pickles to os.system(<write a file>): executed only if something ever unpickled it."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (self.command,))


def test_a_malicious_pickle_is_never_executed(tmp_path: Path, catalog: Catalog) -> None:
    canary = tmp_path / "canary"
    payload = pickle.dumps({"model": _Payload(f"touch {canary}"), "classes": FER_LABELS}, protocol=4)
    path = tmp_path / "evil.pkl"
    path.write_bytes(payload)
    outcome = run(path, catalog, ArtifactKind.PICKLE)
    zipped = run(torch_zip(tmp_path / "evil.pt", payload), catalog, ArtifactKind.PYTORCH_ZIP)
    assert not canary.exists()
    assert [e.signature_id for e in outcome.evidence] == ["vocab.test.basic_emotions"]
    assert [e.signature_id for e in zipped.evidence] == ["vocab.test.basic_emotions"]
    with path.open("rb") as handle:
        scan = pickle_model.scan_pickles(handle, 1 << 20, several=False)
    assert {"posix.system", "nt.system", "os.system"} & set(scan.globals)
    assert not canary.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00garbage!", "malformed pickle"),
        (pickle.dumps(FER_LABELS, protocol=4)[:-9], "malformed pickle"),
        (b"\x80\x04\x8e" + struct.pack("<Q", 2**40) + b"xx", "read limit"),
        (b"\x80\x02e.", "malformed pickle"),  # APPENDS without a list or mark
    ],
    ids=["garbage", "truncated", "huge-bytes", "stack-underflow"],
)
def test_malformed_pickles_are_notices(tmp_path: Path, catalog: Catalog, data: bytes, expected: str) -> None:
    path = tmp_path / "broken.pkl"
    path.write_bytes(data)
    outcome = run(path, catalog, ArtifactKind.PICKLE)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR and notice.fatal
    assert expected in notice.message


def test_stream_broken_after_useful_content_is_partial(tmp_path: Path, catalog: Catalog) -> None:
    # joblib writes raw array bytes inside the pickle stream; the walk stops there and keeps what it saw.
    data = b"\x80\x02}(" + p_str("classes") + p_list(FER_LABELS) + b"\xfe\xfe\xfe"
    path = tmp_path / "model.joblib"
    path.write_bytes(data)
    outcome = run(path, catalog, ArtifactKind.PICKLE)
    assert [e.signature_id for e in outcome.evidence] == ["vocab.test.basic_emotions"]
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARTIAL and not notice.fatal


def test_pytorch_zip_without_data_pkl(tmp_path: Path, catalog: Catalog) -> None:
    outcome = run(torch_zip(tmp_path / "model.pt", None), catalog, ArtifactKind.PYTORCH_ZIP, discovered=False)
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR
    assert "without data.pkl" in notice.message


def test_other_zips_are_not_ours(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "bundle.bin"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("docs/readme.txt", "angry sad happy")
    assert run(path, catalog, ArtifactKind.PYTORCH_ZIP, discovered=False) == FileOutcome()


def test_renamed_keras_archive_goes_to_the_keras_reader(tmp_path: Path, catalog: Catalog) -> None:
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 64, 64, 1], "name": "input"}},
                {"class_name": "Conv2D", "config": {"filters": 32, "name": "conv"}},
                {"class_name": "Dense", "config": {"units": 7, "activation": "softmax", "name": "dense"}},
            ],
        },
    }
    path = tmp_path / "model.bin"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    (evidence,) = run(path, catalog, ArtifactKind.PYTORCH_ZIP).evidence
    assert evidence.signature_id == "fingerprint.fer2013_cnn"
    assert evidence.location.logical == "config.json layers"


def test_not_a_zip_at_all(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "model.pt"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 20)
    (notice,) = run(path, catalog, ArtifactKind.PYTORCH_ZIP, discovered=False).notices
    assert notice.kind is NoticeKind.PARSE_ERROR
    assert "not a readable zip archive" in notice.message


def test_sharded_checkpoint_counts_as_one_model(tmp_path: Path, catalog: Catalog) -> None:
    first = torch_zip(
        tmp_path / "pytorch_model-00001-of-00002.bin", state_dict_pickle({"conv1.weight": (32, 1, 3, 3)})
    )
    second = torch_zip(
        tmp_path / "pytorch_model-00002-of-00002.bin", state_dict_pickle({"classifier.weight": (7, 64)})
    )
    found = by_signature(run(first, catalog, ArtifactKind.PYTORCH_ZIP))
    assert set(found) == {"fingerprint.fer2013_cnn"}
    assert "classifier.weight" in found["fingerprint.fer2013_cnn"].summary
    assert run(second, catalog, ArtifactKind.PYTORCH_ZIP) == FileOutcome()
