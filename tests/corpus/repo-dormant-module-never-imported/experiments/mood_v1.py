"""First attempt at reading moods from the kiosk camera; replaced by nothing."""
import numpy as np
from tensorflow.keras.models import load_model

MOODS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
model = load_model("mood_v1.h5")


def mood(gray_face):
    return MOODS[int(np.argmax(model.predict(gray_face[None, ..., None] / 255.0)))]
