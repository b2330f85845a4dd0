"""Label files beside models: labels.txt, classes.txt, SpeechBrain label_encoder.txt, token lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_builders import FER_LABELS, artifact, by_signature, write_catalog

from scanner.analyzers import analyzer_for, labels_file
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, NoticeKind, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def run(tmp_path: Path, catalog: Catalog, name: str, content: str | bytes) -> FileOutcome:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    item = artifact(path)
    assert item.kind is ArtifactKind.LABELS
    assert analyzer_for(item.kind) is labels_file.analyze
    return labels_file.analyze(item, catalog)


def test_fer_labels_txt(tmp_path: Path, catalog: Catalog) -> None:
    (evidence,) = run(tmp_path, catalog, "labels.txt", "\n".join(FER_LABELS) + "\n").evidence
    assert evidence.signature_id == "vocab.test.basic_emotions"
    assert evidence.kind is EvidenceKind.MODEL_CONFIG
    assert evidence.location.line == 1
    assert evidence.labels == tuple(FER_LABELS)
    assert evidence.capability is Capability.EMOTION
    assert evidence.strength is Strength.ARTIFACT  # beside a model, not inside it
    assert evidence.modality is Modality.UNKNOWN


def test_indexed_and_commented_formats(tmp_path: Path, catalog: Catalog) -> None:
    text = "# class list\n\n0 Angry\n1: Disgust\n2,Fear\nHappy\t3\n"
    (evidence,) = run(tmp_path, catalog, "classes.txt", text).evidence
    assert evidence.labels == ("Angry", "Disgust", "Fear", "Happy")
    assert evidence.location.line == 3


def test_speechbrain_label_encoder(tmp_path: Path, catalog: Catalog) -> None:
    text = "'neu' => 0\n'ang' => 1\n'hap' => 2\n'sad' => 3\n================\n'starting_index' => 0\n"
    (evidence,) = run(tmp_path, catalog, "label_encoder.txt", text).evidence
    assert evidence.signature_id == "vocab.test.iemocap_codes"
    assert evidence.labels == ("neu", "ang", "hap", "sad")
    assert evidence.modality is Modality.VOICE  # the vocabulary's own modality


def test_emotion2vec_tokens(tmp_path: Path, catalog: Catalog) -> None:
    tokens = ["生气/angry", "厌恶/disgusted", "恐惧/fearful", "开心/happy", "中立/neutral", "其他/other", "难过/sad",
              "吃惊/surprised", "<unk>"]  # fmt: skip
    (evidence,) = run(tmp_path, catalog, "tokens.txt", "\n".join(tokens)).evidence
    assert "生气/angry" in evidence.labels and len(evidence.labels) == 7


def test_emotion_tags_among_a_large_vocabulary(tmp_path: Path, catalog: Catalog) -> None:
    lines = [f"▁word{i} {i}" for i in range(5000)]
    lines[4000:4000] = ["<|HAPPY|>", "<|SAD|>", "<|ANGRY|>", "<|NEUTRAL|>", "<|zh|>", "<|en|>"]
    found = by_signature(run(tmp_path, catalog, "tokens.txt", "\n".join(lines)))
    evidence = found["vocab.test.basic_emotions"]
    assert evidence.location.line == 4001
    assert evidence.labels == ("<|HAPPY|>", "<|SAD|>", "<|ANGRY|>", "<|NEUTRAL|>")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("classes.txt", "\n".join(f"n0{i:07d} class{i}" for i in range(1000))),
        ("labels.txt", "negative\npositive\n"),
        ("labels.txt", "angry\n"),
        ("tokens.txt", b"\x00\x01binary sentencepiece"),
    ],
    ids=["imagenet", "sentiment", "one-word", "binary"],
)
def test_non_emotion_label_files(tmp_path: Path, catalog: Catalog, name: str, content: str | bytes) -> None:
    assert run(tmp_path, catalog, name, content) == FileOutcome()


def test_invalid_utf8_is_a_decode_notice(tmp_path: Path, catalog: Catalog) -> None:
    (notice,) = run(tmp_path, catalog, "labels.txt", b"angry\nsad\n\xff\xfehappy\n").notices
    assert notice.kind is NoticeKind.DECODE_ERROR
    assert "line 3" in notice.message
