"""YAML and JSON files: label configs, settings naming models, and the look-alikes (locale files, TTS
configs, music mood tags). Rule-level assertions with exact paths and lines, plus the YAML reader."""

from __future__ import annotations

import pytest
from conftest import ScanTree, only, rule_hits

from scanner.analyzers.data_files import parse_yaml
from scanner.findings import EvidenceKind, Strength

POSITIVE = [
    (
        "yolo-data-yaml-flow-list",
        "datasets/faces/data.yaml",
        """
        train: ../train/images
        val: ../valid/images

        nc: 7
        names: ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise']
        """,
        [("EMO004", 5)],
    ),
    (
        "block-sequence-in-training-config",
        "conf/train.yaml",
        """
        data:
          corpus: IEMOCAP
          classes:
            - neu   # neutral
            - hap
            - ang
            - sad
        trainer:
          max_epochs: 20
          lr: 0.0001
        """,
        [("EMO004", 3)],
    ),
    (
        "class-labels-in-a-model-config",
        "configs/lstm.yaml",
        """
        model: lstm

        class_labels: ["angry", "fear", "happy", "neutral", "sad", "surprise"]

        epochs: 20
        batch_size: 32
        lr: 0.001
        """,
        [("EMO004", 3)],
    ),
    (
        "index-mapping-names",
        "cfg/emotions.yaml",
        """
        path: ../datasets/emotions
        train: images/train
        val: images/val
        names:
          0: Angry
          1: Fearful
          2: Happy
          3: Neutral
          4: Sad
        """,
        [("EMO004", 4)],
    ),
    (
        "keras-class-indices",
        "model/class_indices.json",
        '{"angry": 0, "disgusted": 1, "fearful": 2, "happy": 3, "neutral": 4, "sad": 5, "surprised": 6}\n',
        [("EMO004", 1)],
    ),
    (
        "settings-name-a-catalogued-model",
        "settings.json",
        '{\n  "port": 8080,\n  "vision": {"expression_model": "trpakov/vit-face-expression"}\n}\n',
        [("EMO004", 3)],
    ),
]

NEGATIVE = [
    (
        "locale-file",
        "locales/en.json",
        '{"stickers": {"labels": ["happy", "sad", "angry", "surprised", "scared", "disgusted"]}}\n',
    ),
    (
        "tts-config",
        "configs/esd.yaml",
        """
        text_cleaners: [english_cleaners]
        vocoder: hifigan
        emotions: [Neutral, Angry, Happy, Sad, Surprise]
        batch_size: 16
        epochs: 300
        """,
    ),
    (
        "music-mood-tags",
        "data.yaml",
        """
        train: songs/train
        val: songs/val
        nc: 6
        names: [happy, sad, energetic, epic, dreamy, calm]
        """,
    ),
    (
        "mask-detector-classes",
        "data.yaml",
        "train: t\nval: v\nnc: 2\nnames: ['with_mask', 'without_mask']\n",
    ),
    (
        "package-json-with-emotion-css",
        "web/package.json",
        '{"dependencies": {"@emotion/react": "^11.11.4", "@emotion/styled": "^11.11.5"}}\n',
    ),
    ("broken-json", "broken.json", '{"classes": ["angry", "happy", "sad",\n'),
]


@pytest.mark.parametrize(
    ("path", "text", "expected"), [(p, t, e) for _, p, t, e in POSITIVE], ids=[i for i, *_ in POSITIVE]
)
def test_label_configs_are_found(
    scan_tree: ScanTree, path: str, text: str, expected: list[tuple[str, int]]
) -> None:
    result = scan_tree({path: text})
    assert rule_hits(result) == sorted((rule, path, line) for rule, line in expected)
    assert not result.notices


@pytest.mark.parametrize(("path", "text"), [(p, t) for _, p, t in NEGATIVE], ids=[i for i, *_ in NEGATIVE])
def test_look_alike_configs_are_not_findings(scan_tree: ScanTree, path: str, text: str) -> None:
    result = scan_tree({path: text})
    assert rule_hits(result) == []
    assert not result.notices


def test_training_config_labels_are_the_models_own_classes(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "data.yaml": "train: a\nval: b\nnc: 7\nnames: [angry, disgust, fear, happy, sad, surprise, neutral]\n"
        }
    )
    hit = only(result, "EMO004")
    assert hit.component is not None and hit.component.confidence.value == "high"
    (labels,) = [e for e in hit.component.evidence if e.signature_id.startswith("vocab.")]
    assert labels.kind is EvidenceKind.MODEL_CONFIG and labels.strength is Strength.DIRECT


def test_plain_config_labels_are_weak_evidence(scan_tree: ScanTree) -> None:
    result = scan_tree({"settings.yaml": "ui:\n  emotions: [happy, sad, angry, calm]\n"})
    assert rule_hits(result) == []
    (labels,) = result.evidence
    assert (labels.kind, labels.strength, labels.location.line) == (EvidenceKind.LABELS, Strength.ARTIFACT, 2)


def test_large_json_is_skipped_without_a_notice(scan_tree: ScanTree) -> None:
    big = '{"classes": ["angry", "happy", "sad"], "pad": "' + "x" * (1024 * 1024) + '"}\n'
    result = scan_tree({"annotations.json": big})
    assert result.evidence == () and result.notices == ()


def test_yaml_reader_reads_flow_block_and_mapping_lists() -> None:
    parsed = parse_yaml(
        "a: [x, 'y', \"z\"]  # trailing comment\n"
        "b:\n  - one\n  - two\n"
        "c:\n  0: zero\n  1: one\n"
        "d:\n  - name: not a label\n    value: 1\n"
        "e: >\n  folded text\n"
    )
    assert parsed is not None
    lists = {entry.key: (entry.line, entry.labels) for entry in parsed.label_lists}
    assert lists == {}  # none of these keys is a label key
    values = {(v.key, v.text) for v in parsed.values}
    assert {("a", "x"), ("a", "y"), ("a", "z"), ("b", "one"), ("b", "two"), ("c", "zero")} <= values
    assert ("d", "not a label") not in values


def test_yaml_reader_flow_list_over_several_lines() -> None:
    parsed = parse_yaml("names: [\n  angry, happy,\n  sad,  # the last one\n]\nnc: 3\n")
    assert parsed is not None
    (entry,) = parsed.label_lists
    assert (entry.key, entry.line, entry.labels) == ("names", 1, ("angry", "happy", "sad"))


def test_yaml_results_take_inline_suppressions(scan_tree: ScanTree) -> None:
    text = "train: a\nval: b\n# emoscan: ignore[EMO004] research dataset config, no deployment\nnames: [angry, happy, sad, fear]\n"
    result = scan_tree({"data.yaml": text})
    assert rule_hits(result) == []
    ((suppressed, why),) = result.suppressed
    assert (suppressed.rule_id, suppressed.location.line, why.location.line) == ("EMO004", 4, 3)
