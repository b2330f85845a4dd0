import librosa
import numpy as np
from tensorflow import keras

model = keras.models.load_model("model.h5")
tags = ["Happy", "Excited", "Frantic", "Anxious/Sad", "Anger", "Calm", "Tired", "Sensual"]


def predict(path):
    y, sr = librosa.load(path, duration=30)
    x = np.mean(librosa.feature.melspectrogram(y=y, sr=sr), axis=1)
    return dict(zip(tags, model.predict(x[None])[0]))
