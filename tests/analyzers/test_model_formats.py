"""Across model formats: the registry, renamed files recognised by their bytes, hostile bytes never
raising, and a Hugging Face checkout scanned end to end as one component."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from model_builders import FER_LABELS, gguf_file, state_dict_pickle, tflite_model, write_catalog
from safetensors.numpy import save_file

from scanner.analyzers import analyzer_for
from scanner.api import scan
from scanner.config import Config
from scanner.discovery import Artifact, ArtifactKind, DiscoveryOptions, discover
from scanner.findings import Capability, FileOutcome, Modality
from scanner.signatures import Catalog

MODEL_KINDS = {
    ArtifactKind.MODEL_CONFIG: "hf_config",
    ArtifactKind.MODEL_CARD: "model_card",
    ArtifactKind.LABELS: "labels_file",
    ArtifactKind.ONNX: "onnx_model",
    ArtifactKind.SAFETENSORS: "safetensors_model",
    ArtifactKind.PYTORCH_ZIP: "pickle_model",
    ArtifactKind.PICKLE: "pickle_model",
    ArtifactKind.KERAS: "keras_model",
    ArtifactKind.HDF5: "keras_model",
    ArtifactKind.TFLITE: "tflite_model",
    ArtifactKind.GGUF: "gguf_model",
}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS, key=str))
def test_every_model_kind_has_its_analyzer(kind: ArtifactKind) -> None:
    analyze = analyzer_for(kind)
    assert analyze is not None
    assert analyze.__module__ == f"scanner.analyzers.{MODEL_KINDS[kind]}"


def test_renamed_model_files_are_recognised_by_magic_bytes(tmp_path: Path, catalog: Catalog) -> None:
    save_file({"conv1.weight": np.zeros((8, 1, 3, 3), np.float32), "fc.weight": np.zeros((7, 8), np.float32)},
              str(tmp_path / "a.bin"))  # fmt: skip
    with zipfile.ZipFile(tmp_path / "b.bin", "w") as archive:
        archive.writestr(
            "archive/data.pkl", state_dict_pickle({"conv1.weight": (8, 1, 3, 3), "fc.weight": (7, 8)})
        )
        archive.writestr("archive/version", "3\n")
    (tmp_path / "c.bin").write_bytes(pickle.dumps({"classes": FER_LABELS}, protocol=2))
    (tmp_path / "d.bin").write_bytes(gguf_file({"general.name": "speech-emotion-recognition"}))
    (tmp_path / "e.bin").write_bytes(tflite_model([1, 48, 48, 1], [1, 7]))
    found = discover([tmp_path], DiscoveryOptions(), base=tmp_path)
    kinds = {a.path: a.kind for a in found.artifacts}
    assert kinds == {
        "a.bin": ArtifactKind.SAFETENSORS,
        "b.bin": ArtifactKind.PYTORCH_ZIP,
        "c.bin": ArtifactKind.PICKLE,
        "d.bin": ArtifactKind.GGUF,
        "e.bin": ArtifactKind.TFLITE,
    }
    for item in found.artifacts:
        analyze = analyzer_for(item.kind)
        assert analyze is not None
        outcome = analyze(item, catalog)
        assert outcome.notices == (), item.path
        assert {e.capability for e in outcome.evidence} == {Capability.EMOTION}, item.path


MAGIC = {
    ArtifactKind.ONNX: b"\x08\x07",
    ArtifactKind.SAFETENSORS: b"\x40\x00\x00\x00\x00\x00\x00\x00{",
    ArtifactKind.PYTORCH_ZIP: b"PK\x03\x04",
    ArtifactKind.PICKLE: b"\x80\x04",
    ArtifactKind.KERAS: b"PK\x03\x04",
    ArtifactKind.HDF5: b"\x89HDF\r\n\x1a\n",
    ArtifactKind.TFLITE: b"\x10\x00\x00\x00TFL3",
    ArtifactKind.GGUF: b"GGUF\x03\x00\x00\x00",
    ArtifactKind.MODEL_CONFIG: b'{"id2label": ',
    ArtifactKind.MODEL_CARD: b"---\npipeline_tag: ",
    ArtifactKind.LABELS: b"angry\n",
}


@pytest.mark.parametrize("kind", sorted(MAGIC, key=str))
def test_hostile_bytes_never_raise(tmp_path: Path, catalog: Catalog, kind: ArtifactKind) -> None:
    rng = np.random.default_rng(11)
    analyze = analyzer_for(kind)
    assert analyze is not None
    names = {
        ArtifactKind.MODEL_CONFIG: "config.json",
        ArtifactKind.MODEL_CARD: "README.md",
        ArtifactKind.LABELS: "labels.txt",
    }
    path = tmp_path / names.get(kind, f"model.{kind.value}")
    for size in (0, 1, 7, 8, 9, 16, 64, 512, 4096):
        for _ in range(12):
            data = MAGIC[kind] + rng.integers(0, 256, size, dtype=np.uint8).tobytes()
            path.write_bytes(data)
            outcome = analyze(Artifact(path.name, path, kind, len(data)), catalog)
            assert isinstance(outcome, FileOutcome)


def test_hugging_face_checkout_is_one_component_located_at_id2label(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "models" / "fer-vit"
    folder.mkdir(parents=True)
    config = {
        "_name_or_path": "acme/vit-fer",
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): label for i, label in enumerate(FER_LABELS)},
    }
    text = json.dumps(config, indent=2)
    (folder / "config.json").write_text(text, encoding="utf-8")
    save_file({"classifier.weight": np.zeros((7, 16), np.float32)}, str(folder / "model.safetensors"))
    (folder / "README.md").write_text(
        "---\npipeline_tag: image-classification\ntags: [fer2013]\n---\n", encoding="utf-8"
    )
    result = scan([tmp_path], Config(find_declarations=False), catalog=catalog, base=tmp_path)
    (component,) = result.components
    assert component.scope == "models/fer-vit/"
    assert component.modality is Modality.FACE
    assert component.capability is Capability.EMOTION
    primary = component.primary.location
    assert (primary.path, primary.line) == (
        "models/fer-vit/config.json",
        text[: text.index('"id2label"')].count("\n") + 1,
    )
    assert {e.signature_id for e in component.evidence} >= {
        "vocab.test.basic_emotions",
        "dataset.test.fer2013",
    }
    assert not [n for n in result.notices if n.fatal]
