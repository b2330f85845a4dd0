import glob
import os

import joblib
import librosa
import numpy as np
from sklearn.svm import SVC


def features(path):
    y, sr = librosa.load(path, sr=16000)
    return np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40), axis=1)


files = sorted(glob.glob(os.path.join("data", "Actor_*", "*.wav")))
X = np.stack([features(f) for f in files])
y = [int(os.path.basename(f).split("-")[2]) for f in files]
clf = SVC(probability=True).fit(X, y)
joblib.dump(clf, "svc.joblib")
