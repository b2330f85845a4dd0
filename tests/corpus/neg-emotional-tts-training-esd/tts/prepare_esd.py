import os

import librosa
import numpy as np

ESD_ROOT = "data/ESD"
EMOTION_IDS = {"Neutral": 0, "Angry": 1, "Happy": 2, "Sad": 3, "Surprise": 4}


def mel(path):
    y, sr = librosa.load(path, sr=22050)
    return librosa.feature.melspectrogram(y=y, sr=sr, n_mels=80)


def build_training_list():
    rows = []
    for speaker in sorted(os.listdir(ESD_ROOT)):
        for emotion, idx in EMOTION_IDS.items():
            folder = os.path.join(ESD_ROOT, speaker, emotion)
            for wav in sorted(os.listdir(folder)):
                np.save(wav.replace(".wav", ".npy"), mel(os.path.join(folder, wav)))
                rows.append(f"{wav}|{speaker}|{idx}")
    return rows
