"""Tag each support call with the caller's emotional state, to route upset callers to senior staff."""

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


def caller_emotion(wav: Path) -> str:
    out_prob, score, index, text_lab = classifier.classify_file(str(wav))
    return text_lab[0]
