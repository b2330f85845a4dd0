"""Hugging Face configs: id2label, names, architectures, sibling preprocessor configs, shard indexes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from model_builders import FER_LABELS, artifact, by_signature, line_of, write_catalog

from scanner.analyzers import analyzer_for, hf_config
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def write_config(folder: Path, config: object, name: str = "config.json") -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(config, indent=2)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path, text


def run(path: Path, catalog: Catalog) -> FileOutcome:
    item = artifact(path)
    assert item.kind is ArtifactKind.MODEL_CONFIG
    analyze = analyzer_for(item.kind)
    assert analyze is hf_config.analyze
    return analyze(item, catalog)


def vit_config(labels: list[str], name: str = "someone/vit-base-finetuned") -> dict[str, object]:
    return {
        "_name_or_path": name,
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): label for i, label in enumerate(labels)},
        "label2id": {label: i for i, label in enumerate(labels)},
        "image_size": 224,
        "num_channels": 3,
        "model_type": "vit",
    }


def test_fer_id2label_is_direct_face_evidence_at_the_id2label_line(tmp_path: Path, catalog: Catalog) -> None:
    path, text = write_config(tmp_path / "fer-vit", vit_config(FER_LABELS))
    outcome = run(path, catalog)
    assert outcome.notices == ()
    found = by_signature(outcome)
    assert set(found) == {"vocab.test.basic_emotions"}
    evidence = found["vocab.test.basic_emotions"]
    assert evidence.kind is EvidenceKind.MODEL_CONFIG
    assert evidence.location.path == "config.json"
    assert evidence.location.line == line_of(text, '"id2label"')
    assert evidence.location.logical == "id2label"
    assert evidence.modality is Modality.FACE
    assert evidence.capability is Capability.EMOTION
    assert evidence.strength is Strength.DIRECT
    assert evidence.labels == tuple(FER_LABELS)
    assert "config.json id2label holds 7 labels" in evidence.summary


def test_catalogued_name_or_path_points_at_its_own_line(tmp_path: Path, catalog: Catalog) -> None:
    path, text = write_config(tmp_path / "m", vit_config(FER_LABELS, name="trpakov/vit-face-expression"))
    found = by_signature(run(path, catalog))
    model = found["model.test.vit_face_expression"]
    assert model.strength is Strength.DIRECT
    assert model.location.line == line_of(text, '"_name_or_path"')
    assert model.location.logical == "_name_or_path"
    assert model.modality is Modality.FACE
    assert "vocab.test.basic_emotions" in found


def test_generic_labels_with_an_emotion_name_and_audio_architecture(tmp_path: Path, catalog: Catalog) -> None:
    config = {
        "_name_or_path": "acme/wav2vec2-base-speech-emotion-recognition",
        "architectures": ["Wav2Vec2ForSequenceClassification"],
        "id2label": {str(i): f"LABEL_{i}" for i in range(8)},
        "model_type": "wav2vec2",
    }
    path, text = write_config(tmp_path / "ser", config)
    found = by_signature(run(path, catalog))
    assert set(found) == {"fingerprint.emotion_name"}
    evidence = found["fingerprint.emotion_name"]
    assert evidence.strength is Strength.ARTIFACT
    assert evidence.modality is Modality.VOICE
    assert evidence.labels == ()
    assert evidence.location.line == line_of(text, '"_name_or_path"')


def test_modality_from_sibling_preprocessor_sampling_rate(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "speechbrain-like"
    write_config(folder, {"sampling_rate": 16000, "do_normalize": True}, "preprocessor_config.json")
    path, _ = write_config(folder, {"id2label": {"0": "neu", "1": "ang", "2": "hap", "3": "sad"}})
    evidence = by_signature(run(path, catalog))["vocab.test.iemocap_codes"]
    assert evidence.modality is Modality.VOICE
    assert evidence.strength is Strength.DIRECT
    assert evidence.labels == ("neu", "ang", "hap", "sad")


def test_preprocessor_config_alone_is_not_a_finding(tmp_path: Path, catalog: Catalog) -> None:
    path, _ = write_config(tmp_path, {"sampling_rate": 16000}, "preprocessor_config.json")
    assert run(path, catalog) == FileOutcome()


def test_text_emotion_model_is_text_modality(tmp_path: Path, catalog: Catalog) -> None:
    labels = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"]
    config = {
        "_name_or_path": "j-hartmann/emotion-english-distilroberta-base",
        "architectures": ["RobertaForSequenceClassification"],
        "id2label": dict(enumerate(labels)),
    }
    path, _ = write_config(tmp_path, config)
    found = by_signature(run(path, catalog))
    assert found["model.test.emotion_english_distilroberta"].modality is Modality.TEXT
    assert found["vocab.test.basic_emotions"].modality is Modality.TEXT


def test_top_level_id2label_wins_over_a_nested_one(tmp_path: Path, catalog: Catalog) -> None:
    config = {
        "text_config": {"id2label": {"0": "LABEL_0", "1": "LABEL_1"}},
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): label for i, label in enumerate(FER_LABELS)},
    }
    path, text = write_config(tmp_path, config)
    evidence = by_signature(run(path, catalog))["vocab.test.basic_emotions"]
    top_level = text.index('"id2label"', text.index('"architectures"'))
    assert evidence.location.line == text[:top_level].count("\n") + 1


def test_timm_config_shape_fingerprint_and_label_names(tmp_path: Path, catalog: Catalog) -> None:
    config = {
        "architecture": "resnet18",
        "num_classes": 7,
        "label_names": FER_LABELS,
        "pretrained_cfg": {"input_size": [1, 48, 48]},
    }
    path, text = write_config(tmp_path, config)
    found = by_signature(run(path, catalog))
    fingerprint = found["fingerprint.fer2013_cnn"]
    assert fingerprint.strength is Strength.ARTIFACT
    assert fingerprint.location.line == line_of(text, '"pretrained_cfg"')
    assert fingerprint.modality is Modality.FACE
    assert found["vocab.test.basic_emotions"].modality is Modality.FACE


@pytest.mark.parametrize(
    ("labels", "signature", "capability"),
    [
        (["alert", "drowsy", "yawning"], "vocab.test.drowsiness", Capability.PHYSICAL_STATE),
        (["asian", "indian", "black", "white", "middle eastern", "latino hispanic"], "vocab.test.race",
         Capability.SENSITIVE_CATEGORISATION),
    ],
)  # fmt: skip
def test_capability_follows_the_vocabulary(
    tmp_path: Path, catalog: Catalog, labels: list[str], signature: str, capability: Capability
) -> None:
    path, _ = write_config(tmp_path, vit_config(labels))
    evidence = by_signature(run(path, catalog))[signature]
    assert evidence.capability is capability


NEGATIVE_CONFIGS = {
    "imagenet-resnet": {
        "_name_or_path": "microsoft/resnet-50",
        "architectures": ["ResNetForImageClassification"],
        "id2label": {str(i): f"LABEL_{i}" for i in range(1000)},
        "num_channels": 3,
    },
    "imagenet-named": {
        "architectures": ["ViTForImageClassification"],
        "id2label": {str(i): f"class {i} tench goldfish" for i in range(1000)},
    },
    "whisper-asr": {
        "_name_or_path": "openai/whisper-small",
        "architectures": ["WhisperForConditionalGeneration"],
        "model_type": "whisper",
    },
    "wav2vec2-ctc": {
        "_name_or_path": "facebook/wav2vec2-base-960h",
        "architectures": ["Wav2Vec2ForCTC"],
        "vocab_size": 32,
    },
    "sentiment": {
        "_name_or_path": "distilbert-base-uncased-finetuned-sst-2-english",
        "architectures": ["DistilBertForSequenceClassification"],
        "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
        "finetuning_task": "sst-2",
    },
}


@pytest.mark.parametrize("name", sorted(NEGATIVE_CONFIGS))
def test_non_emotion_models_give_no_evidence(tmp_path: Path, catalog: Catalog, name: str) -> None:
    path, _ = write_config(tmp_path / name, NEGATIVE_CONFIGS[name])
    assert run(path, catalog) == FileOutcome()


def test_shard_index_alone_is_quiet_but_names_emotion_modules(tmp_path: Path, catalog: Catalog) -> None:
    index = {
        "metadata": {"total_size": 10},
        "weight_map": {"vit.embeddings.cls_token": "model-00001-of-00002.safetensors"},
    }
    path, _ = write_config(tmp_path / "a", index, "model.safetensors.index.json")
    assert run(path, catalog) == FileOutcome()
    index["weight_map"] = {"emotion_head.weight": "model-00002-of-00002.safetensors"}
    path, text = write_config(tmp_path / "b", index, "model.safetensors.index.json")
    evidence = by_signature(run(path, catalog))["fingerprint.emotion_name"]
    assert evidence.location.line == line_of(text, '"weight_map"')


def test_broken_json_of_a_model_config_is_a_parse_notice(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "config.json"
    path.write_text(
        '{\n  "architectures": ["ViTForImageClassification"],\n  "id2label": {"0": \n', encoding="utf-8"
    )
    outcome = run(path, catalog)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR
    assert notice.fatal
    assert "config.json is not valid JSON" in notice.message and "line 4" in notice.message


def test_broken_config_json_of_another_tool_is_ignored(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "config.json"
    path.write_text("{ // editor settings with comments\n  tabSize: 2\n}\n", encoding="utf-8")
    assert run(path, catalog) == FileOutcome()


def test_deeply_nested_config_is_a_notice_not_a_crash(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "config.json"
    path.write_text(
        '{"architectures": ["X"], "id2label": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8"
    )
    (notice,) = run(path, catalog).notices
    assert notice.kind is NoticeKind.PARSE_ERROR
    assert "nested too deeply" in notice.message


def test_invalid_utf8_is_a_decode_notice(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b'{"id2label": {"0": "\xff\xfe"}}')
    (notice,) = run(path, catalog).notices
    assert notice.kind is NoticeKind.DECODE_ERROR
