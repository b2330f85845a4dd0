"""The repository pass: names in the tree (datasets, class folders, model files in Git LFS), dependency
files under unusual names, links from label lists and datasets to the code that uses them, and modules
that nothing uses."""

from __future__ import annotations

import re

import pytest
from conftest import ScanTree, only, rule_hits

from scanner.config import Config
from scanner.findings import EvidenceKind, NoticeKind
from scanner.signatures import Catalog, load_catalog

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00\x00}\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
LFS = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 872856\n"


def ravdess(actor: int, emotion: int) -> str:
    return f"data/Actor_{actor:02d}/03-01-{emotion:02d}-01-01-01-{actor:02d}.wav"


def test_dataset_files_are_one_evidence_per_folder(scan_tree: ScanTree) -> None:
    files: dict[str, str | bytes] = {ravdess(1, e): WAV for e in (1, 3, 5, 7)}
    files |= {ravdess(2, e): WAV for e in (2, 4)}
    result = scan_tree(files)
    names = [e for e in result.evidence if e.kind is EvidenceKind.FILE_NAME]
    assert [(e.signature_id, e.location.path) for e in names] == [
        ("dataset.ravdess", ravdess(1, 1)),
        ("dataset.ravdess", ravdess(2, 2)),
    ]
    assert names[0].summary.startswith("4 file(s) named like RAVDESS")
    assert rule_hits(result) == []  # a dataset alone is not a system


def test_dataset_linked_to_the_code_that_globs_it(scan_tree: ScanTree) -> None:
    files: dict[str, str | bytes] = {ravdess(1, e): WAV for e in (1, 3)}
    files["train.py"] = """
    import glob

    import librosa

    for path in glob.glob("data/Actor_*/*.wav"):
        y, sr = librosa.load(path)
    """
    result = scan_tree(files)
    hit = only(result, "EMO004")
    assert (hit.location.path, hit.location.line) == ("train.py", 5)
    assert hit.component is not None and hit.component.modality.value == "voice"


def test_a_dataset_folder_is_named_by_its_own_name_not_its_parents(scan_tree: ScanTree) -> None:
    # A toolkit's recipes/IEMOCAP/ beside recipes/LibriSpeech/: code loading LibriSpeech names the
    # folder `recipes`, not IEMOCAP; code under a path through IEMOCAP does name it.
    files: dict[str, str | bytes] = {
        "recipes/IEMOCAP/README.md": "# Emotion recognition on IEMOCAP\n",
        "recipes/LibriSpeech/asr.py": """
        import librosa

        y, sr = librosa.load("recipes/LibriSpeech/sample.wav")
        """,
        "tools/emotion.py": """
        import librosa

        y, sr = librosa.load("../recipes/IEMOCAP/Session1/a.wav")
        """,
    }
    result = scan_tree(files)
    assert rule_hits(result) == [("EMO004", "tools/emotion.py", 3)]
    assert "where folder 'recipes/IEMOCAP/' is named for IEMOCAP" in only(result, "EMO004").message


def test_importing_a_toolkit_that_can_do_emotion_recognition_is_no_link(scan_tree: ScanTree) -> None:
    # A script that lists the recordings imports a speech toolkit but captures no one and runs no
    # model; a script that runs a classifier on them does.
    files: dict[str, str | bytes] = {ravdess(1, e): WAV for e in (1, 3)}
    files["tools/list_audio.py"] = """
    import glob

    from speechbrain.utils.data_utils import download_file

    FILES = sorted(glob.glob("data/Actor_*/*.wav"))
    """
    files["tools/predict.py"] = """
    import glob

    from speechbrain.inference.classifiers import EncoderClassifier

    classifier = EncoderClassifier.from_hparams(source="pretrained_models/classifier")
    for path in glob.glob("data/Actor_*/*.wav"):
        print(classifier.classify_file(path))
    """
    assert rule_hits(scan_tree(files)) == [("EMO004", "tools/predict.py", 6)]


def test_code_without_capture_or_model_takes_no_link(scan_tree: ScanTree) -> None:
    files: dict[str, str | bytes] = {ravdess(1, e): WAV for e in (1, 3)}
    files["count.py"] = 'import glob\nprint(len(glob.glob("data/Actor_*/*.wav")))\n'
    assert rule_hits(scan_tree(files)) == []


def test_class_folders_need_a_strong_label_set(scan_tree: ScanTree) -> None:
    strong = {
        f"images/train/{c}/0.png": b"\x89PNG"
        for c in ("angry", "fear", "happy", "neutral", "sad", "surprise")
    }
    weak = {f"icons/{c}/0.png": b"\x89PNG" for c in ("happy", "sad")}
    result = scan_tree({**strong, **weak})
    (folders,) = [e for e in result.evidence if e.signature_id.startswith("vocab.")]
    assert folders.location.path == "images/train/angry/0.png"
    assert "folder 'images/train/' holds one sub-folder per emotion class" in folders.summary


def test_lfs_pointer_model_is_judged_by_name_with_a_notice(scan_tree: ScanTree) -> None:
    result = scan_tree({"models/emotion_model.hdf5": LFS})
    hit = only(result, "EMO004")
    assert (hit.location.path, hit.location.line) == ("models/emotion_model.hdf5", 1)
    assert hit.component is not None and hit.component.confidence.value == "medium"
    (notice,) = result.notices
    assert (notice.kind, notice.fatal) == (NoticeKind.PARTIAL, False)
    assert "Git LFS pointer" in notice.message


def test_an_xml_named_for_emotion_is_not_a_model_without_its_bin(scan_tree: ScanTree) -> None:
    layout = '<?xml version="1.0"?><LinearLayout android:id="@+id/emotion_picker"/>\n'
    assert rule_hits(scan_tree({"app/src/main/res/layout/activity_emotion.xml": layout})) == []
    pair = {"ir/emotion_net.xml": layout, "ir/emotion_net.bin": b"\x00" * 16}
    assert rule_hits(scan_tree(pair)) == [("EMO004", "ir/emotion_net.bin", 1)]


def test_dependency_files_under_unusual_names(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "requirement.txt": "opencv-python\nfer==22.5.1\n",
            "requirements/prod.txt": "hsemotion-onnx\n",
            "docs/notes.txt": "fer is a package we looked at\n",
        }
    )
    assert rule_hits(result) == [("EMO004", "requirement.txt", 2), ("EMO004", "requirements/prod.txt", 1)]


def test_label_module_links_into_the_classifier_that_imports_it(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "app/labels.py": 'EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]\n',
            "app/live.py": """
            import cv2
            from tensorflow.keras.models import load_model

            from app.labels import EMOTIONS

            model = load_model("fer.h5")
            ok, frame = cv2.VideoCapture(0).read()
            print(EMOTIONS[model.predict(frame[None]).argmax()])
            """,
        }
    )
    assert rule_hits(result) == [("EMO004", "app/live.py", 4)]
    hit = only(result, "EMO004")
    assert hit.component is not None
    (link,) = [e for e in hit.component.evidence if e.kind is EvidenceKind.LABELS]
    assert link.summary.startswith("uses app/labels.py:1, where label list with 7 words")


def test_synthesis_code_takes_no_link(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "styles.py": 'EMOTIONS = ["angry", "happy", "sad", "surprise", "neutral"]\n',
            "tts/speak.py": """
            import librosa

            from styles import EMOTIONS

            wav, sr = librosa.load("reference.wav")
            """,
        }
    )
    assert rule_hits(result) == []


MOOD_MODULE = """
import numpy as np
from tensorflow.keras.models import load_model

MOODS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
model = load_model("mood.h5")


def mood(face):
    return MOODS[int(np.argmax(model.predict(face)))]
"""


def test_module_nothing_uses_is_dormant(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "app.py": "import helpers\nhelpers.run()\n",
            "helpers.py": "def run():\n    print('kiosk')\n",
            "old/mood_detector.py": MOOD_MODULE,
        }
    )
    hit = only(result, "EMO004")
    assert (hit.location.path, hit.location.line) == ("old/mood_detector.py", 4)
    assert hit.component is not None and hit.component.confidence.value == "low"
    assert all(e.dormant for e in hit.component.evidence)


def test_module_that_is_imported_is_not_dormant(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "app.py": "import helpers\nfrom old.mood_detector import mood\nhelpers.run()\n",
            "helpers.py": "def run():\n    print('kiosk')\n",
            "old/mood_detector.py": MOOD_MODULE,
        }
    )
    hit = only(result, "EMO004")
    assert hit.component is not None and hit.component.confidence.value == "medium"


def test_the_only_code_file_is_not_dormant(scan_tree: ScanTree) -> None:
    result = scan_tree({"mood_detector.py": MOOD_MODULE, "README.md": "demo\n", "notes.txt": "x\n"})
    hit = only(result, "EMO004")
    assert hit.component is not None and hit.component.confidence.value == "medium"


def test_vendored_environment_is_skipped_unless_asked(scan_tree: ScanTree) -> None:
    files: dict[str, str | bytes] = {
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/python3.11/site-packages/fer/classes.py": "from fer.fer import FER\nFER().detect_emotions(None)\n",
        "main.py": "print('hi')\n",
    }
    assert rule_hits(scan_tree(files)) == []
    included = scan_tree(files, Config(include_vendored=True))
    assert rule_hits(included) == [("EMO004", "venv/lib/python3.11/site-packages/fer/classes.py", 2)]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_dataset_file_pattern_ends_with_a_known_extension(catalog: Catalog) -> None:
    """The repository pass skips names whose extension no pattern ends with (see
    Catalog.dataset_file_extensions); a pattern of another shape switches that shortcut off."""
    extensions = catalog.dataset_file_extensions
    assert extensions is not None and {"wav", "csv", "jpg", "tif", "tiff"} <= extensions
    for pattern, _ in catalog.dataset_file_regexes:
        ending = pattern.pattern.rsplit("\\.", 1)[1]  # after the last escaped dot: "csv$", "(?:wav|mp4)$"
        assert ending.endswith("$"), pattern.pattern
        for option in ending.removesuffix("$").removeprefix("(?:").removesuffix(")").split("|"):
            assert re.fullmatch(r"[A-Za-z0-9]+\??", option), (pattern.pattern, option)
            assert option.rstrip("?").lower() in extensions, (pattern.pattern, option)


# --- response fields the project defines itself ---------------------------------------------------------

DIALOG_MODEL = """
from dataclasses import dataclass


@dataclass
class Dialog:
    turns: list[str]
    dominant_emotion: int
    valence: float = 0.0
"""


def test_a_field_the_project_defines_is_its_own_data(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "memory/model.py": DIALOG_MODEL,
            "memory/persona.py": """
            def summary(dialog):
                return {"mood": dialog.dominant_emotion, "valence": dialog.valence}
            """,
        }
    )
    assert rule_hits(result) == []
    (read,) = [e for e in result.evidence if e.kind is EvidenceKind.RESPONSE_FIELD]
    assert (read.location.path, read.location.line) == ("memory/persona.py", 2)
    assert read.modality.value == "unknown"
    assert read.summary.endswith(
        "(but no deepface import in this file, and the project defines that name itself)"
    )


def test_a_local_variable_named_like_the_field_does_not_count(scan_tree: ScanTree) -> None:
    # A client of DeepFace's REST API: the package is never imported, and the response field is the
    # evidence; naming a variable after it is not defining it.
    result = scan_tree(
        {
            "kiosk/client.py": """
            import requests

            def mood_of(image_b64):
                response = requests.post("http://faces:5005/analyze", json={"img": image_b64})
                dominant_emotion = response.json()["results"][0]["dominant_emotion"]
                return dominant_emotion
            """,
        }
    )
    hit = only(result, "EMO004")
    assert (hit.location.path, hit.location.line) == ("kiosk/client.py", 5)
    assert hit.component is not None and hit.component.modality.value == "face"


def test_a_field_read_beside_the_package_import_stays_direct(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "memory/model.py": DIALOG_MODEL,
            "kiosk/camera.py": """
            from deepface import DeepFace

            class Reading:
                def __init__(self, frame):
                    self.dominant_emotion = DeepFace.analyze(frame, actions=["emotion"])[0]["dominant_emotion"]
            """,
        }
    )
    reads = [e for e in result.evidence if e.kind is EvidenceKind.RESPONSE_FIELD]
    # The attribute it sets and the response key it reads, both on line 5, both DeepFace's.
    assert {(e.location.path, e.location.line, e.modality.value, e.strength.name) for e in reads} == {
        ("kiosk/camera.py", 5, "face", "DIRECT")
    }
    assert rule_hits(result) == [("EMO004", "kiosk/camera.py", 5)]


# --- the project's own module named like a catalogue package ---------------------------------------------


def test_a_local_package_named_like_a_catalogue_package_is_not_it(scan_tree: ScanTree) -> None:
    # A churn model with a feature-engineering package called `feat`: not py-feat.
    result = scan_tree(
        {
            "feat/__init__.py": '"""Feature engineering for the churn model."""\n',
            "feat/encoders.py": """
            import pandas as pd

            def target_encode(frame: pd.DataFrame, column: str, target: str) -> pd.Series:
                return frame.groupby(column)[target].transform("mean")
            """,
            "train.py": """
            import pandas as pd
            from feat.encoders import target_encode

            frame = pd.read_csv("customers.csv")
            frame["plan_rate"] = target_encode(frame, "plan", "churned")
            """,
        }
    )
    assert rule_hits(result) == []
    assert [e for e in result.evidence if e.kind is EvidenceKind.IMPORT] == []


def test_a_src_layout_package_is_local_but_its_api_calls_still_count(scan_tree: ScanTree) -> None:
    # The library's own repository: its examples import the package from src/, and what they call is
    # still emotion recognition.
    result = scan_tree(
        {
            "src/fer/__init__.py": "from fer.classes import FER\n",
            "src/fer/classes.py": "class FER:\n    def detect_emotions(self, img):\n        return []\n",
            "examples/webcam.py": """
            import cv2
            from fer import FER

            detector = FER(mtcnn=True)
            ok, frame = cv2.VideoCapture(0).read()
            print(detector.detect_emotions(frame))
            """,
        }
    )
    imports = [
        e
        for e in result.evidence
        if e.kind is EvidenceKind.IMPORT and e.location.path == "examples/webcam.py"
    ]
    assert imports == []
    assert rule_hits(result) == [("EMO004", "examples/webcam.py", 6)]


def test_a_dataset_named_by_a_loader_links_into_the_code_that_trains_on_it(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "data/loaders.py": """
            import os

            import numpy as np

            def load_ravdess(root):
                paths = sorted(os.listdir(root))
                return np.stack([np.load(os.path.join(root, p)) for p in paths])
            """,
            "train.py": """
            from sklearn.neural_network import MLPClassifier

            from data.loaders import load_ravdess

            features, labels = load_ravdess("features/")
            model = MLPClassifier(hidden_layer_sizes=(256,)).fit(features[:-100], labels[:-100])
            print((model.predict(features[-100:]) == labels[-100:]).mean())
            """,
        }
    )
    hit = only(result, "EMO004")
    assert (hit.location.path, hit.location.line) == ("train.py", 3)
    assert hit.component is not None and hit.component.modality.value == "voice"
    (link,) = [e for e in hit.component.evidence if e.kind is EvidenceKind.DATASET]
    assert link.summary.startswith("uses data/loaders.py:5, where identifier 'load_ravdess' names")
