"""GGUF metadata: names, tags, chat templates, classifier labels, special tokens; absurd counts."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from model_builders import FER_LABELS, artifact, by_signature, g_str, gguf_file, write_catalog

from scanner.analyzers import analyzer_for, gguf_model
from scanner.discovery import ArtifactKind
from scanner.findings import EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def run(tmp_path: Path, catalog: Catalog, data: bytes, name: str = "model.gguf") -> FileOutcome:
    path = tmp_path / name
    path.write_bytes(data)
    item = artifact(path)
    assert item.kind is ArtifactKind.GGUF
    assert analyzer_for(item.kind) is gguf_model.analyze
    return gguf_model.analyze(item, catalog)


def llama(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "general.architecture": "llama",
        "general.name": "Llama 3 8B Instruct",
        "llama.context_length": 8192,
        "tokenizer.ggml.tokens": ["<|begin_of_text|>", "<|reserved_special_token_0|>", "hello", "world"],
        "tokenizer.chat_template": "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}",
    }
    values.update(extra)
    return values


def test_plain_llm_gives_nothing(tmp_path: Path, catalog: Catalog) -> None:
    assert run(tmp_path, catalog, gguf_file(llama())) == FileOutcome()


def test_chat_template_that_detects_emotions(tmp_path: Path, catalog: Catalog) -> None:
    template = "<|system|>You are an assistant that detects the emotions of the customer in each message.{{ messages }}"
    (evidence,) = run(tmp_path, catalog, gguf_file(llama(**{"tokenizer.chat_template": template}))).evidence
    assert evidence.signature_id == "fingerprint.emotion_name"
    assert evidence.kind is EvidenceKind.MODEL_FILE
    assert evidence.location.logical == "tokenizer.chat_template"
    assert evidence.modality is Modality.TEXT
    assert evidence.strength is Strength.ARTIFACT


def test_name_tags_and_base_model(tmp_path: Path, catalog: Catalog) -> None:
    values = llama(
        **{
            "general.name": "Emotion Detector 1B",
            "general.tags": ["text-classification", "fer2013"],
            "general.base_model.0.repo_url": "https://huggingface.co/j-hartmann/emotion-english-distilroberta-base",
        }
    )
    found = by_signature(run(tmp_path, catalog, gguf_file(values)))
    assert found["fingerprint.emotion_name"].location.logical == "general.name"
    assert found["dataset.test.fer2013"].location.logical == "general.tags"
    model = found["model.test.emotion_english_distilroberta"]
    assert model.location.logical == "general.base_model.0.repo_url"
    assert model.strength is Strength.DIRECT


def test_classifier_output_labels_are_direct(tmp_path: Path, catalog: Catalog) -> None:
    values = {"general.architecture": "bert", "bert.classifier.output_labels": FER_LABELS}
    (evidence,) = run(tmp_path, catalog, gguf_file(values)).evidence
    assert evidence.signature_id == "vocab.test.basic_emotions"
    assert evidence.location.logical == "bert.classifier.output_labels"
    assert evidence.strength is Strength.DIRECT
    assert evidence.labels == tuple(FER_LABELS)


def test_emotion_tags_among_special_tokens(tmp_path: Path, catalog: Catalog) -> None:
    tokens = [f"tok{i}" for i in range(2000)] + [
        "<|HAPPY|>",
        "<|SAD|>",
        "<|ANGRY|>",
        "<|NEUTRAL|>",
        "<|EMO_UNKNOWN|>",
    ]
    values = {"general.architecture": "sensevoice", "tokenizer.ggml.tokens": tokens}
    (evidence,) = run(tmp_path, catalog, gguf_file(values)).evidence
    assert evidence.signature_id == "vocab.test.basic_emotions"
    assert evidence.location.logical == "tokenizer.ggml.tokens"


def test_version_1_layout(tmp_path: Path, catalog: Catalog) -> None:
    key, value = b"general.name", b"speech-emotion-recognition"
    body = struct.pack("<I", len(key)) + key + struct.pack("<II", 8, len(value)) + value
    data = b"GGUF" + struct.pack("<III", 1, 0, 1) + body
    (evidence,) = run(tmp_path, catalog, data).evidence
    assert evidence.signature_id == "fingerprint.emotion_name"


def header(keys: int, tensors: int = 0, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, keys)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (header(2**63) + g_str("general.name"), "more than the"),
        (header(1, tensors=2**62) + g_str("a") + struct.pack("<I", 4) + b"\0" * 4, "more than the"),
        (header(1) + struct.pack("<Q", 2**60) + b"key" + b"\0" * 20, "claims"),
        (header(1) + g_str("general.name") + struct.pack("<IQ", 8, 2**50) + b"x" * 16, "claims"),
        (header(1) + g_str("general.tags") + struct.pack("<IIQ", 9, 8, 2**40) + b"x" * 16, "claims"),
        (header(1) + g_str("general.tags") + struct.pack("<IIQ", 9, 4, 2**40) + b"x" * 16, "claims"),
        (header(1) + g_str("general.name") + struct.pack("<I", 99) + b"\0" * 16, "unknown value type 99"),
        (header(1, version=99), "unsupported GGUF version 99"),
        (header(2) + g_str("general.name") + struct.pack("<I", 8) + g_str("ok") + g_str("general.tags")[:11], "claims"),
    ],
    ids=["key-count", "tensor-count", "key-length", "string-length", "string-array", "int-array", "type", "version", "truncated"],
)  # fmt: skip
def test_absurd_headers_are_notices(tmp_path: Path, catalog: Catalog, data: bytes, expected: str) -> None:
    outcome = run(tmp_path, catalog, data)
    assert outcome.evidence == ()
    (notice,) = outcome.notices
    assert notice.kind is NoticeKind.PARSE_ERROR and notice.fatal
    assert expected in notice.message
