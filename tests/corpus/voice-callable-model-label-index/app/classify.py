"""Command line: which emotion does this recording carry?"""

import sys

import numpy as np

from app.pipeline import AudioFeatures, VoiceModel

LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")


def main(path: str) -> None:
    model = VoiceModel("weights/voice.bin")
    features = AudioFeatures.from_file(path)
    scores = model(features)  # the model object is callable; nothing here says "predict"
    print(LABELS[int(np.argmax(scores))])


if __name__ == "__main__":
    main(sys.argv[1])
