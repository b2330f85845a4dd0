"""Rule-level tests for Python sources: each case is real-looking code and the exact (rule, line) set it
must produce with the shipped catalogue. Invalid cases (look-alikes) must produce nothing."""

from __future__ import annotations

import warnings

import pytest
from conftest import ScanTree, only, rule_hits

from scanner.findings import EvidenceKind

# (id, code, expected [(rule, line)])
POSITIVE = [
    (
        "deepface-alias-emotion-action",
        """
        import deepface as d

        def mood(img):
            return d.DeepFace.analyze(img, actions=("emotion",))
        """,
        [("EMO004", 4)],
    ),
    (
        "deepface-default-actions-include-race",
        """
        from deepface import DeepFace

        result = DeepFace.analyze(img_path="visitor.jpg")
        """,
        [("EMO002", 3), ("EMO004", 3)],
    ),
    (
        "deepface-actions-as-string",
        """
        from deepface import DeepFace
        DeepFace.analyze("x.jpg", actions="emotion", enforce_detection=False)
        """,
        [("EMO004", 2)],
    ),
    (
        "deepface-actions-from-module-constant",
        """
        from deepface import DeepFace
        ACTIONS = ["age", "emotion"]
        out = DeepFace.analyze("x.jpg", actions=ACTIONS)
        """,
        [("EMO004", 3)],
    ),
    (
        "fer-instance-on-self-in-another-method",
        """
        from fer import FER

        class Monitor:
            def __init__(self):
                self.detector = FER(mtcnn=True)

            def step(self, frame):
                return self.detector.detect_emotions(frame)
        """,
        [("EMO004", 8)],
    ),
    (
        "fer-import-in-try-except",
        """
        try:
            from fer import FER
        except ImportError:  # optional dependency
            FER = None

        def top(frame):
            return FER().top_emotion(frame)
        """,
        [("EMO004", 7)],
    ),
    (
        "import-inside-function",
        """
        def analyse(frame):
            from deepface import DeepFace
            return DeepFace.analyze(frame, actions=["emotion"])
        """,
        [("EMO004", 3)],
    ),
    (
        "rekognition-all-attributes",
        """
        import boto3

        rekognition = boto3.client("rekognition", region_name="eu-west-1")

        def faces(image_bytes):
            response = rekognition.detect_faces(Image={"Bytes": image_bytes}, Attributes=["ALL"])
            return response["FaceDetails"]
        """,
        [("EMO004", 6)],
    ),
    (
        "label-list-next-to-camera-and-model",
        """
        import cv2
        from keras.models import load_model

        CLASSES = ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral']
        model = load_model("model.h5")
        cap = cv2.VideoCapture(0)
        while True:
            ok, frame = cap.read()
            preds = model.predict(frame[None])
            print(CLASSES[preds.argmax()])
        """,
        [("EMO004", 4)],
    ),
    (
        "text-emotion-model-id-in-constant",
        """
        from transformers import pipeline

        EMOTION_MODEL = "j-hartmann/emotion-english-distilroberta-base"
        classifier = pipeline("text-classification", model=EMOTION_MODEL, top_k=None)
        """,
        [("EMO006", 3)],
    ),
]

NEGATIVE = [
    (
        "deepface-age-only",
        """
        from deepface import DeepFace
        ages = DeepFace.analyze("x.jpg", actions=["age", "gender"])
        """,
    ),
    (
        "deepface-verification",
        """
        from deepface import DeepFace
        same = DeepFace.verify(img1_path="a.jpg", img2_path="b.jpg")["verified"]
        """,
    ),
    (
        "rekognition-default-attributes",
        """
        import boto3
        client = boto3.client("rekognition")
        boxes = client.detect_faces(Image={"S3Object": {"Bucket": "b", "Name": "k"}}, Attributes=["DEFAULT"])
        """,
    ),
    (
        "happy-in-ui-strings",
        """
        MESSAGES = {"welcome": "We are happy to see you", "bye": "Have a happy day"}
        def greet():
            return "Happy shopping!"
        """,
    ),
    (
        "mood-picker-without-a-model",
        """
        MOODS = ["happy", "sad", "angry", "calm"]

        def playlist_for(mood: str) -> str:
            if mood not in MOODS:
                raise ValueError(mood)
            return f"playlists/{mood}.m3u"
        """,
    ),
    (
        "tts-emotion-control",
        """
        from TTS.api import TTS

        EMOTIONS = ["Neutral", "Happy", "Sad", "Angry", "Surprise"]
        tts = TTS("tts_models/multilingual/multi-dataset/xtts_v2")

        def speak(text, emotion="Happy"):
            tts.tts_to_file(text=text, emotion=emotion, file_path="out.wav")
        """,
    ),
    (
        "face-recognition-login",
        """
        import face_recognition
        known = face_recognition.face_encodings(face_recognition.load_image_file("a.jpg"))
        """,
    ),
    (
        "speech-to-text",
        """
        import whisper
        text = whisper.load_model("base").transcribe("call.wav")["text"]
        """,
    ),
]


@pytest.mark.parametrize(
    ("code", "expected"), [(c, e) for _, c, e in POSITIVE], ids=[i for i, _, _ in POSITIVE]
)
def test_emotion_recognition_is_found(
    scan_tree: ScanTree, code: str, expected: list[tuple[str, int]]
) -> None:
    result = scan_tree({"app.py": code})
    assert rule_hits(result) == sorted((rule, "app.py", line) for rule, line in expected)
    assert not result.notices


@pytest.mark.parametrize("code", [c for _, c in NEGATIVE], ids=[i for i, _ in NEGATIVE])
def test_look_alikes_are_not_findings(scan_tree: ScanTree, code: str) -> None:
    result = scan_tree({"app.py": code})
    assert rule_hits(result) == []
    assert not result.notices


def test_message_names_capability_modality_article_and_fix(scan_tree: ScanTree) -> None:
    result = scan_tree({"kiosk.py": "from fer import FER\nFER().detect_emotions(frame)\n"})
    hit = only(result, "EMO004")
    assert hit.message.startswith("Emotion recognition from faces (FER")
    assert "Art. 5(1)(f)" in hit.message and "Annex III 1(c)" in hit.message
    assert "Declare the deployment context" in hit.message
    assert (hit.location.line, hit.location.column) == (2, 1)
    assert hit.component.confidence.value == "high"


def test_evidence_has_exact_lines_and_columns(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "svc.py": """
            import deepface as dfc
            def f(img):
                res = dfc.DeepFace.analyze(img, actions=["emotion"])
                return res[0]["dominant_emotion"]
            """
        }
    )
    hit = only(result, "EMO004")
    where = {(e.signature_id, e.location.line, e.location.column) for e in hit.component.evidence}
    assert ("call.deepface.analyze", 3, 11) in where
    assert ("field.deepface.dominant_emotion", 4, 19) in where
    assert ("pkg.deepface", 1, 8) in where


def test_python2_file_is_analysed_lexically_with_a_notice(scan_tree: ScanTree) -> None:
    code = 'from fer import FER\ndetector = FER()\nprint "starting"\nprint detector.detect_emotions(img)\n'
    result = scan_tree({"legacy.py": code})
    assert rule_hits(result) == [("EMO004", "legacy.py", 4)]
    (notice,) = result.notices
    assert notice.path == "legacy.py" and not notice.fatal
    assert "syntax error at line 3" in notice.message and "lexically" in notice.message


def test_invalid_utf8_and_binary_files_give_notices_and_the_scan_goes_on(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "bad_utf8.py": b"from fer import FER\nname = '\xff\xfe caf\xe9'\n",
            "binary.py": b"\x7fELF\x02\x01\x01\x00\x00\x00fer\x00\x00",
            "broken.py": "from fer import FER\ndef (:\n",
            "good.py": "from fer import FER\nFER().detect_emotions(x)\n",
        }
    )
    assert ("EMO004", "good.py", 2) in rule_hits(result)
    by_path = {n.path: n for n in result.notices}
    assert "not valid UTF-8 at byte 28 (line 2)" in by_path["bad_utf8.py"].message
    assert "binary content" in by_path["binary.py"].message
    assert by_path["bad_utf8.py"].fatal and by_path["binary.py"].fatal
    assert "syntax error at line 2" in by_path["broken.py"].message
    assert not result.execution_successful


def test_deeply_nested_code_does_not_crash_the_parser(scan_tree: ScanTree) -> None:
    nested = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    result = scan_tree({"gen.py": "from fer import FER\n" + nested + "FER().detect_emotions(f)\n"})
    assert rule_hits(result) == [("EMO004", "gen.py", 3)]
    assert "nested 5000 deep" in result.notices[0].message


def test_files_without_catalogue_tokens_are_not_parsed(scan_tree: ScanTree) -> None:
    result = scan_tree({"plain.py": "def add(a, b):\n    return a + b\n"})
    assert result.evidence == () and result.files_analysed == 1


# --- real-code styles: hidden datasets, rules written as returns, contexts, dormant code -------------

HIDDEN = [
    (
        "dataset-in-fstring-path",
        """
        import pickle

        import mne

        def subject(n):
            with open(f"data_preprocessed_python/s{n:02d}.dat", "rb") as f:
                return pickle.load(f, encoding="latin1")
        """,
        [("EMO004", 6)],
    ),
    (
        "dataset-as-a-folder-of-a-path",
        """
        import librosa

        Crema = "/kaggle/input/cremad/AudioWAV/"
        y, sr = librosa.load(Crema + "1001_DFA_ANG_XX.wav")
        """,
        [("EMO004", 3)],
    ),
    (
        "dataset-in-an-identifier",
        """
        import librosa
        import pandas as pd

        ravdess_df = pd.read_csv("index.csv")
        features = [librosa.feature.mfcc(y=librosa.load(p)[0]) for p in ravdess_df.path]
        """,
        [("EMO004", 4)],
    ),
    (
        "rules-returning-emotions",
        """
        import cv2

        def emotion_of(au):
            if au["AU06"] and au["AU12"]:
                return "happiness"
            if au["AU01"] and au["AU04"] and au["AU15"]:
                return "sadness"
            return "surprise" if au["AU26"] else "anger"

        cap = cv2.VideoCapture(0)
        """,
        [("EMO004", 3)],
    ),
    (
        "mixed-vocabularies-with-keystrokes",
        """
        import joblib
        from pynput import keyboard

        CLASSES = ["calm", "frustrated", "stressed", "bored"]
        model = joblib.load("typing.joblib")
        listener = keyboard.Listener(on_press=lambda key: None)
        """,
        [("EMO004", 4)],
    ),
    (
        "emotion-named-model-output",
        """
        import cv2
        from ultralytics import YOLO

        model = YOLO("best.pt")
        ok, frame = cv2.VideoCapture(0).read()
        results = model(frame)
        emotion = results[0].names[int(results[0].boxes.cls[0])]
        """,
        [("EMO004", 7)],
    ),
    (
        "numbered-labels-beside-a-dataset-folder",
        r"""
        DATA_PATH = 'E:\EMOTION\RAVDESS_labeled'
        CLASS_LABELS = ("1Neutral", "2Calm", "3Happy", "4Sad", "5Angry", "6Fearful", "7Disgust", "8Surprised")
        """,
        [("EMO004", 2)],
    ),
    (
        "emotion-unpacked-from-a-model-call",
        """
        import cv2
        from recognizer import Recognizer

        fer = Recognizer("weights.onnx")
        ok, frame = cv2.VideoCapture(0).read()
        emotion, scores = fer.predict(frame)
        """,
        [("EMO004", 6)],
    ),
    (
        "labels-beside-scipy-wav-and-speechpy-features",
        """
        from typing import Tuple

        import scipy.io.wavfile as wav
        from speechpy.feature import mfcc

        class_labels: Tuple = ("Neutral", "Angry", "Happy", "Sad")

        def get_feature_vector_from_mfcc(file_path: str, mfcc_len: int = 39):
            fs, signal = wav.read(file_path)
            return mfcc(signal, fs, num_cepstral=mfcc_len)
        """,
        [("EMO004", 6)],
    ),
    (
        "predict-one-on-an-emodb-recording",
        """
        from speechemotionrecognition.dnn import CNN

        model = CNN(input_shape=(198, 39), num_classes=4)
        model.restore_model("best_model_CNN.h5")
        filename = "../dataset/Sad/09b03Ta.wav"
        print("prediction", model.predict_one(filename))
        """,
        [("EMO004", 5)],
    ),
    (
        "emotions-field-with-rekognition-imported",
        """
        import boto3

        def top(face):
            return max(face["Emotions"], key=lambda e: e["Confidence"])["Type"]
        """,
        [("EMO004", 4)],
    ),
]

LOOK_ALIKES = [
    (
        "emotions-column-in-pandas",
        """
        import pandas as pd

        df = pd.read_csv("survey.csv")
        print(df["Emotions"].value_counts())
        """,
    ),
    (
        "tts-emotion-styles-with-librosa",
        """
        import librosa
        from TTS.api import TTS

        EMOTIONS = ["Neutral", "Happy", "Sad", "Angry", "Surprise"]
        reference, sr = librosa.load("speaker.wav")
        TTS("xtts").tts_to_file(text="hi", emotion=EMOTIONS[1], file_path="out.wav")
        """,
    ),
    (
        "music-mood-tags",
        """
        import librosa
        from tensorflow import keras

        model = keras.models.load_model("mood.h5")
        tags = ["Happy", "Excited", "Frantic", "Anxious/Sad", "Anger", "Calm", "Tired", "Sensual"]
        y, sr = librosa.load("track.wav")
        """,
    ),
    (
        "emotion-from-a-form-field",
        """
        import cv2
        from flask import request

        def save():
            emotion = request.form.get("emotion", "neutral")
            cv2.imwrite("thumb.jpg", cv2.imread("upload.jpg"))
            return emotion
        """,
    ),
]


@pytest.mark.parametrize(("code", "expected"), [(c, e) for _, c, e in HIDDEN], ids=[i for i, _, _ in HIDDEN])
def test_emotion_recognition_hidden_in_real_code_styles(
    scan_tree: ScanTree, code: str, expected: list[tuple[str, int]]
) -> None:
    result = scan_tree({"app.py": code})
    assert rule_hits(result) == sorted((rule, "app.py", line) for rule, line in expected)
    assert not result.notices


@pytest.mark.parametrize("code", [c for _, c in LOOK_ALIKES], ids=[i for i, _ in LOOK_ALIKES])
def test_real_code_look_alikes_are_not_findings(scan_tree: ScanTree, code: str) -> None:
    result = scan_tree({"app.py": code})
    assert rule_hits(result) == []


def test_commented_out_calls_are_dormant_and_low(scan_tree: ScanTree) -> None:
    code = """
    from deepface import DeepFace

    def same(a, b):
        return DeepFace.verify(a, b)["verified"]

    # Disabled after review:
    # def mood(img):
    #     return DeepFace.analyze(img, actions=["emotion"])[0]["dominant_emotion"]
    """
    result = scan_tree({"faces.py": code})
    hit = only(result, "EMO004")
    assert hit.location.line == 8
    assert hit.component is not None and hit.component.confidence.value == "low"
    assert all(e.dormant for e in hit.component.evidence if e.kind is EvidenceKind.CALL)


def test_prose_comments_are_not_code(scan_tree: ScanTree) -> None:
    code = """
    from deepface import DeepFace

    # We never call DeepFace.analyze (it would also read emotions); verify only.
    def same(a, b):
        return DeepFace.verify(a, b)["verified"]
    """
    assert rule_hits(scan_tree({"faces.py": code})) == []


def test_latin1_source_with_a_coding_cookie_is_analysed(scan_tree: ScanTree) -> None:
    code = "# -*- coding: latin-1 -*-\n# Gesichtsausdr\xfccke auswerten\nfrom fer import FER\nFER().detect_emotions(bild)\n"
    result = scan_tree({"auswertung.py": code.encode("latin-1")})
    assert rule_hits(result) == [("EMO004", "auswertung.py", 4)]
    assert not result.notices


def test_setup_py_install_requires_is_a_dependency(scan_tree: ScanTree) -> None:
    code = 'from setuptools import setup\n\nsetup(\n    name="lab",\n    install_requires=["numpy", "hsemotion>=0.3"],\n)\n'
    result = scan_tree({"setup.py": code})
    assert rule_hits(result) == [("EMO004", "setup.py", 5)]
    (dependency,) = result.evidence
    assert dependency.kind is EvidenceKind.DEPENDENCY and dependency.signature_id == "pkg.hsemotion"


def test_a_package_importing_itself_is_not_use(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {"feat/plotting.py": "from feat.utils import io\nfrom feat.pretrained import AU_LANDMARK_MAP\n"}
    )
    assert rule_hits(result) == []


# --- text inputs decide the modality, a camera still wins ---------------------------------------------------

TEXT_CLASSIFIER = """
import joblib
from tensorflow.keras.preprocessing.text import Tokenizer

tokenizer = Tokenizer(num_words=20000)
model = joblib.load("emotion_model.joblib")

def read(messages):
    predicted_emotion = model.predict(tokenizer.texts_to_matrix(messages))
    return predicted_emotion
"""


def test_a_tokenizer_makes_an_emotion_classifier_a_text_one(scan_tree: ScanTree) -> None:
    result = scan_tree({"chat/mood.py": TEXT_CLASSIFIER})
    hit = only(result, "EMO006")
    assert hit.component is not None and hit.component.modality.value == "text"
    (tokenizer,) = [e for e in hit.component.evidence if e.signature_id == "input.text.keras_tokenizer"]
    assert (tokenizer.kind, tokenizer.location.line) == (EvidenceKind.BIOMETRIC_INPUT, 4)


def test_a_camera_beside_a_tokenizer_keeps_the_classifier_biometric(scan_tree: ScanTree) -> None:
    code = TEXT_CLASSIFIER + "\nimport cv2\n\nok, frame = cv2.VideoCapture(0).read()\n"
    result = scan_tree({"kiosk/mood.py": code})
    hit = only(result, "EMO004")
    assert hit.component is not None and hit.component.modality.value == "face"
    assert [r.rule_id for r in result.results] == ["EMO004"]


# --- a label list read through a model's prediction ------------------------------------------------------


def test_a_label_list_indexed_by_a_prediction_is_a_model_output(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "read.py": """
            import numpy as np

            def label(model, features):
                return ["neutral", "happy", "sad", "angry", "fearful"][int(np.argmax(model(features)))]
            """
        }
    )
    (use,) = [e for e in result.evidence if e.summary == "reads a model's prediction through a label list"]
    assert (use.location.line, use.strength.name) == (4, "CONTEXT")
    assert rule_hits(result) == [("EMO004", "read.py", 4)]


def test_an_emotion_named_model_is_told_as_the_model_not_its_output(scan_tree: ScanTree) -> None:
    result = scan_tree(
        {
            "app.py": """
            import cv2
            import onnxruntime as ort

            emotion_model = ort.InferenceSession("model.onnx")
            ok, frame = cv2.VideoCapture(0).read()
            emotion = emotion_model.run(None, {"input": frame})[0]
            """
        }
    )
    named = sorted(
        (e.location.line, e.summary) for e in result.evidence if e.signature_id == "generic.emotion_output"
    )
    assert named == [
        (4, "sets up a model named 'emotion_model' (an emotion classifier)"),
        (6, "computes a value named 'emotion' (the output of an emotion classifier)"),
    ]
    assert rule_hits(result) == [("EMO004", "app.py", 4)]


def test_the_scanned_codes_compiler_warnings_are_not_printed_or_raised(scan_tree: ScanTree) -> None:
    # Windows paths in plain strings are invalid escape sequences: Python warns (SyntaxWarning from
    # 3.12, shown by default) when emoscan's parsers evaluate them; the warning is the scanned code's.
    code = r"""
    import librosa

    DATA = "E:\EMOTION\RAVDESS_labeled"
    # DATA = "D:\old\RAVDESS_speech"
    ok = x is "yes"
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        result = scan_tree({"paths.py": code})
    assert caught == []
    assert [(e.location.line, e.summary) for e in result.evidence if e.kind is EvidenceKind.DATASET] == [
        (
            3,
            "dataset 'E:\\\\EMOTION\\\\RAVDESS_labeled': RAVDESS acted emotional speech and song (8 emotions)",
        )
    ]


def test_a_dataset_word_in_prose_with_a_slash_is_not_a_path(scan_tree: ScanTree) -> None:
    code = """
    import librosa

    def prepare(data_folder):
        \"\"\"Creates the manifest files for IEMOCAP and/or other corpora.\"\"\"
        return librosa.load(data_folder + "/Session1/a.wav")

    SPLITS = "data/iemocap_splits/"
    """
    result = scan_tree({"prepare.py": code})
    assert [(e.location.line, e.signature_id) for e in result.evidence if e.kind is EvidenceKind.DATASET] == [
        (7, "dataset.iemocap")
    ]


def test_the_usual_face_list_is_not_read_as_a_voice_model(scan_tree: ScanTree) -> None:
    # emotion2vec's English classes are also the usual FER list: the list alone tells no modality.
    result = scan_tree(
        {
            "classify.py": """
            import numpy as np
            from tensorflow.keras.models import load_model

            EMOTIONS = ["Angry", "Disgusted", "Fearful", "Happy", "Sad", "Surprised", "Neutral"]
            model = load_model("model.h5")

            def label(batch):
                return EMOTIONS[int(np.argmax(model.predict(batch)))]
            """
        }
    )
    hit = only(result, "EMO004")
    assert (hit.location.line, hit.component is not None and hit.component.modality.value) == (4, "unknown")
    assert "from voice" not in hit.message


def test_numbered_labels_match_without_their_numbers(scan_tree: ScanTree) -> None:
    # Class folders and hand-sorted label tuples carry a class number; an unrelated list does not match.
    result = scan_tree(
        {
            "train.py": """
            \"\"\"Speech emotion classifier: an SVM over acoustic features.\"\"\"
            import joblib
            import librosa

            CLASSES = ["01_neutral", "02_calm", "03_happy", "04_sad", "05_angry"]
            STEPS = ["1st", "2nd", "3rd", "4th"]
            model = joblib.load("svm.joblib")
            y, sr = librosa.load("clip.wav")
            """
        }
    )
    (labels,) = [e for e in result.evidence if e.kind is EvidenceKind.LABELS]
    assert (labels.location.line, labels.labels) == (
        5,
        ("01_neutral", "02_calm", "03_happy", "04_sad", "05_angry"),
    )
    assert rule_hits(result) == [("EMO004", "train.py", 5)]


def test_a_label_list_indexed_by_a_choice_is_not(scan_tree: ScanTree) -> None:
    # A mood picker: the user's choice, not a model's output, indexes the list.
    result = scan_tree(
        {
            "picker.py": """
            MOODS = ["happy", "sad", "angry", "fearful", "calm"]

            def mood_of(choice: int) -> str:
                return MOODS[choice]
            """
        }
    )
    assert [e for e in result.evidence if e.summary.startswith("reads a model's prediction")] == []
    assert rule_hits(result) == []
