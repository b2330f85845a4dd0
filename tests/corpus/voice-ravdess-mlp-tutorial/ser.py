import glob
import os

import librosa
import numpy as np
import soundfile
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

# Emotions in the RAVDESS dataset
emotions = {
    '01': 'neutral',
    '02': 'calm',
    '03': 'happy',
    '04': 'sad',
    '05': 'angry',
    '06': 'fearful',
    '07': 'disgust',
    '08': 'surprised',
}
observed_emotions = ['calm', 'happy', 'fearful', 'disgust']


def extract_feature(file_name):
    with soundfile.SoundFile(file_name) as sound_file:
        X = sound_file.read(dtype="float32")
        sample_rate = sound_file.samplerate
        return np.mean(librosa.feature.mfcc(y=X, sr=sample_rate, n_mfcc=40).T, axis=0)


def load_data(test_size=0.2):
    x, y = [], []
    for file in glob.glob("ravdess-data/Actor_*/*.wav"):
        emotion = emotions[os.path.basename(file).split("-")[2]]
        if emotion not in observed_emotions:
            continue
        x.append(extract_feature(file))
        y.append(emotion)
    return train_test_split(np.array(x), y, test_size=test_size, random_state=9)


x_train, x_test, y_train, y_test = load_data()
model = MLPClassifier(alpha=0.01, batch_size=256, hidden_layer_sizes=(300,), max_iter=500)
model.fit(x_train, y_train)
print(model.score(x_test, y_test))
