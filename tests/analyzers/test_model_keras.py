"""Keras models: .keras archives and HDF5 files (h5py optional), read as configs and shapes only."""

from __future__ import annotations

import builtins
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from model_builders import FER_LABELS, artifact, by_signature, write_catalog

from scanner.analyzers import analyzer_for, keras_model
from scanner.analyzers.model_common import INSTALL_HINT
from scanner.discovery import ArtifactKind
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def sequential(
    input_shape: list[int | None], units: int, extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    layers = [
        {"class_name": "InputLayer", "config": {"batch_shape": input_shape, "name": "input_layer"}},
        {"class_name": "Conv2D", "config": {"filters": 64, "kernel_size": [5, 5], "name": "conv2d"}},
        {"class_name": "Flatten", "config": {"name": "flatten"}},
        *(extra or []),
        {"class_name": "Dense", "config": {"units": units, "activation": "softmax", "name": "dense_out"}},
    ]
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


def keras_archive(path: Path, config: object, assets: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", config if isinstance(config, str) else json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
        for name, text in (assets or {}).items():
            archive.writestr(name, text)
    return path


def run(path: Path, catalog: Catalog, kind: ArtifactKind) -> FileOutcome:
    item = artifact(path)
    assert item.kind is kind
    assert analyzer_for(item.kind) is keras_model.analyze
    return keras_model.analyze(item, catalog)


def test_keras_archive_fer_shape_and_asset_labels(tmp_path: Path, catalog: Catalog) -> None:
    path = keras_archive(
        tmp_path / "model.keras",
        sequential([None, 48, 48, 1], 7),
        {"assets/labels.txt": "\n".join(FER_LABELS)},
    )
    outcome = run(path, catalog, ArtifactKind.KERAS)
    assert outcome.notices == ()
    found = by_signature(outcome)
    assert set(found) == {"fingerprint.fer2013_cnn", "vocab.test.basic_emotions"}
    fingerprint = found["fingerprint.fer2013_cnn"]
    assert fingerprint.kind is EvidenceKind.MODEL_FILE
    assert fingerprint.location.logical == "config.json layers"
    assert fingerprint.modality is Modality.FACE
    labels = found["vocab.test.basic_emotions"]
    assert labels.location.logical == "assets/labels.txt"
    assert labels.strength is Strength.ARTIFACT


def test_inverted_string_lookup_and_emotion_layer_name(tmp_path: Path, catalog: Catalog) -> None:
    lookup = {
        "class_name": "StringLookup",
        "config": {"name": "emotion_lookup", "vocabulary": FER_LABELS, "invert": True},
    }
    path = keras_archive(tmp_path / "model.keras", sequential([None, 224, 224, 3], 7, [lookup]))
    found = by_signature(run(path, catalog, ArtifactKind.KERAS))
    assert found["vocab.test.basic_emotions"].strength is Strength.DIRECT
    assert found["fingerprint.emotion_name"].location.logical == "config.json layer emotion_lookup"


def test_imagenet_keras_model_gives_nothing(tmp_path: Path, catalog: Catalog) -> None:
    path = keras_archive(tmp_path / "model.keras", sequential([None, 224, 224, 3], 1000))
    assert run(path, catalog, ArtifactKind.KERAS) == FileOutcome()


@pytest.mark.parametrize(
    ("config", "expected"),
    [("{not json", "is not valid JSON"), ("[" * 100_000 + "]" * 100_000, "nested too deeply")],
    ids=["invalid", "deep"],
)
def test_broken_keras_config(tmp_path: Path, catalog: Catalog, config: str, expected: str) -> None:
    (notice,) = run(keras_archive(tmp_path / "model.keras", config), catalog, ArtifactKind.KERAS).notices
    assert notice.kind is NoticeKind.PARSE_ERROR and expected in notice.message


def test_keras_archive_without_config(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", "{}")
    (notice,) = run(path, catalog, ArtifactKind.KERAS).notices
    assert notice.message == "Keras archive without config.json"


def test_neither_zip_nor_hdf5(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "model.keras"
    path.write_bytes(b"just text")
    (notice,) = run(path, catalog, ArtifactKind.KERAS).notices
    assert notice.kind is NoticeKind.PARSE_ERROR and "neither" in notice.message


# --- HDF5 ---------------------------------------------------------------------------------------------


@pytest.fixture
def h5py() -> Any:
    return pytest.importorskip("h5py")


def test_h5_model_config_attribute(tmp_path: Path, catalog: Catalog, h5py: Any) -> None:
    path = tmp_path / "emotion_model.hdf5"
    with h5py.File(path, "w") as h5:
        h5.attrs["model_config"] = json.dumps(sequential([None, 64, 64, 1], 7))
        h5.attrs["keras_version"] = "2.2.4"
        h5.create_dataset("model_weights/big", data=np.zeros((256, 256), dtype=np.float32))
    (evidence,) = run(path, catalog, ArtifactKind.HDF5).evidence
    assert evidence.signature_id == "fingerprint.fer2013_cnn"
    assert evidence.location.logical == "model_config layers"
    assert "64x64 grayscale" in evidence.summary


def test_h5_weights_only_file(tmp_path: Path, catalog: Catalog, h5py: Any) -> None:
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as h5:
        group = h5.create_group("model_weights")
        group.attrs["layer_names"] = [b"conv2d", b"dense"]
        for layer, weight, shape in (("conv2d", "kernel:0", (3, 3, 1, 32)), ("dense", "kernel:0", (1024, 8))):
            group.create_group(layer).attrs["weight_names"] = [weight.encode()]
            group[layer].create_dataset(weight, shape=shape, dtype="f4")
    (evidence,) = run(path, catalog, ArtifactKind.HDF5).evidence
    assert evidence.signature_id == "fingerprint.ferplus_cnn"


def test_hdf5_data_file_is_not_a_model(tmp_path: Path, catalog: Catalog, h5py: Any) -> None:
    path = tmp_path / "measurements.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("values", data=np.arange(10))
    assert run(path, catalog, ArtifactKind.HDF5) == FileOutcome()


def test_corrupt_hdf5_is_a_notice(tmp_path: Path, catalog: Catalog, h5py: Any) -> None:
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\xff" * 200)
    (notice,) = run(path, catalog, ArtifactKind.HDF5).notices
    assert notice.kind is NoticeKind.PARSE_ERROR and "not a readable HDF5 file" in notice.message


def test_missing_h5py_is_a_skip_notice_with_install_hint(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fer2013_mini_XCEPTION.102-0.66.hdf5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)  # only the magic is read before the import
    real_import = builtins.__import__

    def no_h5py(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    outcome = run(path, catalog, ArtifactKind.HDF5)
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.MISSING_DEPENDENCY and not notice.fatal
    assert path.name in notice.message and INSTALL_HINT in notice.message
    (evidence,) = outcome.evidence  # the file name still says what it is
    assert evidence.signature_id == "model_file.test.mini_xception"
    assert evidence.kind is EvidenceKind.MODEL_FILE
