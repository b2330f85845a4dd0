"""Model cards: README.md front matter and intended-use text; every other README returns nothing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from model_builders import artifact, by_signature, write_catalog

from scanner.analyzers import analyzer_for, model_card
from scanner.discovery import ArtifactKind
from scanner.findings import Capability, EvidenceKind, FileOutcome, Modality, Strength
from scanner.signatures import Catalog


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return write_catalog(tmp_path_factory.mktemp("catalog"))


def run(tmp_path: Path, catalog: Catalog, text: str) -> FileOutcome:
    path = tmp_path / "README.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    item = artifact(path)
    assert item.kind is ArtifactKind.MODEL_CARD
    assert analyzer_for(item.kind) is model_card.analyze
    return model_card.analyze(item, catalog)


SER_CARD = """
---
license: apache-2.0
pipeline_tag: audio-classification
base_model: superb/wav2vec2-base-superb-er
datasets:
  - ravdess
tags:
- audio
- speech-emotion-recognition
---

# Speech emotion model

## Intended uses & limitations

Use it to detect emotions in recorded customer calls.

## Training
"""


def test_card_signals_each_point_at_their_line(tmp_path: Path, catalog: Catalog) -> None:
    found = by_signature(run(tmp_path, catalog, SER_CARD))
    assert set(found) == {"model.test.superb_er", "dataset.test.ravdess", "fingerprint.emotion_name"}
    model = found["model.test.superb_er"]
    assert (model.location.line, model.location.logical) == (4, "base_model")
    assert model.strength is Strength.DIRECT
    assert model.kind is EvidenceKind.MODEL_CONFIG
    dataset = found["dataset.test.ravdess"]
    assert (dataset.location.line, dataset.strength, dataset.modality) == (
        6,
        Strength.ARTIFACT,
        Modality.VOICE,
    )
    tag = found["fingerprint.emotion_name"]
    assert (tag.location.line, tag.location.logical) == (9, "tags")
    assert tag.modality is Modality.VOICE  # from pipeline_tag
    assert tag.capability is Capability.EMOTION and tag.strength is Strength.ARTIFACT


def test_intended_use_text_counts_only_as_prose_about_recognising_emotions(
    tmp_path: Path, catalog: Catalog
) -> None:
    card = """
    ---
    license: mit
    library_name: transformers
    pipeline_tag: image-classification
    ---

    # Vision model

    ## Intended use

    The model recognises the emotions of people in webcam frames.
    """
    (evidence,) = run(tmp_path, catalog, card).evidence
    assert evidence.signature_id == "fingerprint.emotion_name"
    assert (evidence.location.line, evidence.location.logical) == (11, "intended use")
    assert evidence.modality is Modality.FACE


def test_flow_lists_and_model_index_name(tmp_path: Path, catalog: Catalog) -> None:
    card = """
    ---
    tags: [vision, fer2013]
    library_name: timm
    model-index:
    - name: resnet-fer
      results: []
    ---
    """
    found = by_signature(run(tmp_path, catalog, card))
    assert found["dataset.test.fer2013"].location.line == 2
    assert found["fingerprint.emotion_name"].location.logical == "model-index.name"


@pytest.mark.parametrize(
    "text",
    [
        "# Just a project\n\nNo front matter here.\n",
        "---\ntitle: A blog post\nlayout: post\ntags: [emotion, ai]\n---\n# Post\n",
        "---\nlicense: mit\ntask_categories: [image-classification]\ntags: [emotion]\ndatasets: [fer2013]\n---\n",
        "---\nlicense: mit\npipeline_tag: text-classification\ntags: [sentiment-analysis]\n---\n# Sentiment\n",
        "---\npipeline_tag: audio-classification\ntags: [emotion]\n",  # never closed
        "",
    ],
    ids=["no-front-matter", "blog-post", "dataset-card", "sentiment-model", "unclosed", "empty"],
)
def test_other_readmes_give_nothing(tmp_path: Path, catalog: Catalog, text: str) -> None:
    assert run(tmp_path, catalog, text) == FileOutcome()


def test_plain_readme_is_rejected_after_reading_eight_bytes(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "README.md"
    path.write_text("# A very long README\n" + "text\n" * 200_000, encoding="utf-8")
    item = artifact(path)
    reads: list[int] = []
    original = item.open

    class Spy:
        def __init__(self) -> None:
            self.handle = original()

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            return self.handle.read(size)

    object.__setattr__(item, "open", Spy)
    assert model_card.analyze(item, catalog) == FileOutcome()
    assert reads == [8]
