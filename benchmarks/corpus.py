"""Generate an emotion-heavy source tree for the benchmark: realistic emotion-recognition modules
(DeepFace, FER, py-feat, HSEmotion, transformers, SpeechBrain, cloud APIs, label lists next to a
Keras model, a camera or a microphone), padded with the ordinary helper code such modules carry,
plus a share of plain modules that hold no catalogue token.

Deterministic for a seed, so two benchmark runs scan the same bytes. Run directly to write a tree:

    python benchmarks/corpus.py /tmp/emotion-tree --files 2000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import textwrap
from pathlib import Path

# --- emotion-recognition modules: {names} are filled per file --------------------------------------

TEMPLATES: dict[str, str] = {
    "deepface_camera": '''
        """Estimate how {subject} feel from the {device} feed."""

        import logging

        import cv2
        from deepface import DeepFace as {alias}

        log = logging.getLogger(__name__)


        def capture_frames(device: int = 0):
            camera = cv2.VideoCapture(device)
            try:
                while True:
                    ok, frame = camera.read()
                    if not ok:
                        break
                    yield frame
            finally:
                camera.release()


        def {func}(frame) -> str:
            faces = {alias}.analyze(frame, actions=["emotion"], enforce_detection=False)
            if not faces:
                return "unknown"
            mood = faces[0]["dominant_emotion"]
            log.info("{subject} mood: %s", mood)
            return mood
        ''',
    "deepface_module_alias": '''
        """Batch job: tag stored {subject} snapshots with facial attributes."""

        import deepface as dfc
        from pathlib import Path

        ACTIONS = ("age", "emotion")


        def {func}(folder: Path) -> dict[str, str]:
            tags = {{}}
            for image in sorted(folder.glob("*.jpg")):
                result = dfc.DeepFace.analyze(str(image), actions=ACTIONS)
                tags[image.name] = result[0]["dominant_emotion"]
            return tags
        ''',
    "fer_video": '''
        """Score {subject} reactions in recorded {device} sessions."""

        from fer import FER, Video


        class {cls}:
            def __init__(self) -> None:
                self.detector = FER(mtcnn=True)

            def frame_scores(self, frame):
                return self.detector.detect_emotions(frame)

            def top(self, frame):
                return self.detector.top_emotion(frame)


        def {func}(path: str):
            video = Video(path)
            return video.analyze({cls}().detector, display=False)
        ''',
    "feat_detector": '''
        """Facial action and emotion features for the {subject} study."""

        from feat import Detector

        detector = Detector(face_model="retinaface", emotion_model="resmasknet")


        def {func}(image_paths: list[str]):
            fex = detector.detect_image(image_paths)
            return fex.emotions
        ''',
    "hsemotion": '''
        """Lightweight emotion scoring on {device} crops for {subject}."""

        import numpy as np
        from hsemotion.facial_emotions import HSEmotionRecognizer

        recognizer = HSEmotionRecognizer(model_name="enet_b0_8_best_afew", device="cpu")


        def {func}(face: np.ndarray) -> str:
            emotion, scores = recognizer.predict_emotions(face, logits=False)
            return emotion
        ''',
    "transformers_text": '''
        """Classify the emotion expressed in {subject} messages (text only)."""

        from transformers import pipeline

        _classifier = pipeline(
            "text-classification",
            model="j-hartmann/emotion-english-distilroberta-base",
            top_k=None,
        )


        def {func}(message: str) -> dict[str, float]:
            scores = _classifier(message)[0]
            return {{item["label"]: item["score"] for item in scores}}
        ''',
    "transformers_audio": '''
        """Voice emotion of {subject} on support calls."""

        from transformers import pipeline

        classifier = pipeline("audio-classification", model="superb/hubert-large-superb-er")


        def {func}(wav_path: str) -> str:
            return classifier(wav_path)[0]["label"]
        ''',
    "speechbrain_voice": '''
        """Tag each call with the {subject}'s emotional state."""

        from pathlib import Path

        import sounddevice as sd
        from speechbrain.inference.interfaces import foreign_class

        SAMPLE_RATE = 16_000

        classifier = foreign_class(
            source="speechbrain/emotion-recognition-wav2vec2-IEMOCAP",
            pymodule_file="custom_interface.py",
            classname="CustomEncoderWav2vec2Classifier",
        )


        def record(seconds: float):
            audio = sd.rec(int(seconds * SAMPLE_RATE), samplerate=SAMPLE_RATE, channels=1)
            sd.wait()
            return audio


        def {func}(wav: Path) -> str:
            out_prob, score, index, text_lab = classifier.classify_file(str(wav))
            return text_lab[0]
        ''',
    "keras_labels": '''
        """Mini-Xception FER2013 classifier on {device} frames of {subject}."""

        import cv2
        import numpy as np
        from tensorflow.keras.models import load_model

        EMOTIONS = ["angry", "disgust", "scared", "happy", "sad", "surprised", "neutral"]
        model = load_model("models/_mini_xception.102-0.66.hdf5", compile=False)
        faces = cv2.CascadeClassifier("haarcascade_frontalface_default.xml")


        def {func}(frame) -> str:
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            for x, y, w, h in faces.detectMultiScale(gray, 1.1, 5):
                roi = cv2.resize(gray[y : y + h, x : x + w], (64, 64)).astype("float") / 255.0
                preds = model.predict(roi[np.newaxis, :, :, np.newaxis])[0]
                return EMOTIONS[int(preds.argmax())]
            return "none"
        ''',
    "rekognition": '''
        """Use Amazon Rekognition to read {subject} faces at the {device}."""

        import boto3

        client = boto3.client("rekognition", region_name="eu-west-1")


        def {func}(image_bytes: bytes) -> list[str]:
            response = client.detect_faces(Image={{"Bytes": image_bytes}}, Attributes=["ALL"])
            moods = []
            for face in response["FaceDetails"]:
                top = max(face["Emotions"], key=lambda e: e["Confidence"])
                moods.append(top["Type"])
            return moods
        ''',
    "google_vision": '''
        """Google Cloud Vision face likelihoods for {subject} photos."""

        from google.cloud import vision


        def {func}(content: bytes) -> dict[str, str]:
            client = vision.ImageAnnotatorClient()
            response = client.face_detection(image=vision.Image(content=content))
            face = response.face_annotations[0]
            return {{
                "joy": face.joy_likelihood.name,
                "anger": face.anger_likelihood.name,
                "sorrow": face.sorrow_likelihood.name,
            }}
        ''',
    "ravdess_features": '''
        """Train a speech-emotion classifier on RAVDESS for the {subject} hotline."""

        import glob

        import librosa
        import numpy as np
        from sklearn.neural_network import MLPClassifier

        EMOTION_CODES = {{"01": "neutral", "02": "calm", "03": "happy", "04": "sad", "05": "angry", "06": "fearful"}}


        def features(path: str) -> np.ndarray:
            signal, rate = librosa.load(path, sr=None)
            return np.mean(librosa.feature.mfcc(y=signal, sr=rate, n_mfcc=40).T, axis=0)


        def {func}(root: str = "data/RAVDESS"):
            x, y = [], []
            for path in glob.glob(f"{{root}}/Actor_*/*.wav"):
                x.append(features(path))
                y.append(EMOTION_CODES[path.split("-")[2]])
            return MLPClassifier(hidden_layer_sizes=(300,), max_iter=500).fit(x, y)
        ''',
    "text2emotion": '''
        """Lexicon emotions of {subject} survey answers."""

        import text2emotion as te
        from nrclex import NRCLex


        def {func}(answer: str) -> dict[str, float]:
            scores = te.get_emotion(answer)
            scores.update(NRCLex(answer).affect_frequencies)
            return scores
        ''',
}

# --- ordinary code: helpers that pad modules to realistic sizes, and modules with no token -----------

HELPERS = [
    '''
    def {name}(values: list[float], window: int = 5) -> list[float]:
        """Moving average used to smooth per-frame scores."""
        out: list[float] = []
        total = 0.0
        for index, value in enumerate(values):
            total += value
            if index >= window:
                total -= values[index - window]
            out.append(total / min(index + 1, window))
        return out
    ''',
    '''
    class {cls}Config:
        """Settings read from the environment."""

        def __init__(self, env: dict[str, str]) -> None:
            self.threshold = float(env.get("THRESHOLD", "0.5"))
            self.batch_size = int(env.get("BATCH_SIZE", "16"))
            self.output_dir = env.get("OUTPUT_DIR", "out")

        def as_dict(self) -> dict[str, object]:
            return {{"threshold": self.threshold, "batch_size": self.batch_size, "output_dir": self.output_dir}}
    ''',
    '''
    def {name}(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
        """Group rows by one column, keeping their order."""
        groups: dict[str, list[dict[str, str]]] = {{}}
        for row in rows:
            groups.setdefault(row.get(key, ""), []).append(row)
        return groups
    ''',
    '''
    def {name}(path: str, retries: int = 3) -> bytes:
        """Read a file, retrying on transient errors from network storage."""
        import time

        for attempt in range(retries):
            try:
                with open(path, "rb") as handle:
                    return handle.read()
            except OSError:
                if attempt == retries - 1:
                    raise
                time.sleep(0.1 * 2**attempt)
        return b""
    ''',
    '''
    def {name}(seconds: float) -> str:
        """Human-readable duration for the report."""
        minutes, rest = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{{hours}}h{{minutes:02d}}m"
        return f"{{minutes}}m{{rest:02d}}s"
    ''',
]

PLAIN = '''
    """{title} utilities."""

    from __future__ import annotations

    import json
    import logging
    from dataclasses import dataclass, field

    log = logging.getLogger(__name__)


    @dataclass
    class {cls}:
        name: str
        tags: list[str] = field(default_factory=list)

        def to_json(self) -> str:
            return json.dumps({{"name": self.name, "tags": self.tags}})
    '''

SUBJECTS = ["shoppers", "drivers", "students", "callers", "patients", "players", "users", "visitors"]
DEVICES = ["kiosk camera", "webcam", "dashboard camera", "microphone", "classroom camera", "headset"]
WORDS = ["frame", "score", "batch", "signal", "record", "sample", "window", "report", "session", "clip"]


def _ident(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts)) + f"_{rng.randrange(1000)}"


def module(rng: random.Random, template: str, helpers: int) -> str:
    """One module: a template with names filled in, then `helpers` helper functions."""
    names = {
        "alias": rng.choice(["DeepFace", "df", "face_ai"]),
        "func": _ident(rng),
        "cls": "".join(w.capitalize() for w in _ident(rng).split("_")[:2]) + str(rng.randrange(100)),
        "subject": rng.choice(SUBJECTS),
        "device": rng.choice(DEVICES),
        "title": rng.choice(WORDS).capitalize(),
    }
    body = textwrap.dedent(template).format(**names).lstrip()
    for _ in range(helpers):
        helper = textwrap.dedent(rng.choice(HELPERS)).format(name=_ident(rng, 3), cls=names["cls"])
        body += "\n\n" + helper.strip() + "\n"
    return body


def notebook(source: str) -> str:
    """The module as a one-cell Jupyter notebook, the way notebooks store code (JSON strings)."""
    lines = source.splitlines(keepends=True)
    document = {
        "cells": [
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": lines}
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def generate(dest: Path, files: int = 2000, seed: int = 6, plain_share: float = 0.15) -> list[Path]:
    """Write `files` files under `dest` (emptied first): emotion modules and notebooks with 0-12
    helpers each, and a `plain_share` of token-free modules. Returns the paths written."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    written: list[Path] = []
    names = sorted(TEMPLATES)
    for index in range(files):
        package = dest / f"service_{index % 40:02d}" / f"part_{index % 7}"
        package.mkdir(parents=True, exist_ok=True)
        if rng.random() < plain_share:
            path = package / f"util_{index}.py"
            path.write_text(module(rng, PLAIN, rng.randrange(2, 14)), encoding="utf-8")
        else:
            source = module(rng, TEMPLATES[names[index % len(names)]], rng.randrange(0, 12))
            if index % 25 == 0:
                path = package / f"explore_{index}.ipynb"
                path.write_text(notebook(source), encoding="utf-8")
            else:
                path = package / f"emotion_{index}.py"
                path.write_text(source, encoding="utf-8")
        written.append(path)
    return written


def add_tree(dest: Path, source: Path, copies: int = 1) -> int:
    """Copy a tree (the accuracy corpus in tests/corpus) `copies` times under `dest`; returns the
    number of files copied."""
    count = 0
    for copy in range(copies):
        target = dest / f"{source.name}-{copy}"
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        count += sum(1 for p in target.rglob("*") if p.is_file())
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dest", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    paths = generate(args.dest, args.files, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, under {args.dest}")


if __name__ == "__main__":
    main()
