import pickle

import mne
import numpy as np
from sklearn.svm import SVC

X, y = [], []
for n in range(1, 33):
    with open(f"data_preprocessed_python/s{n:02d}.dat", "rb") as f:
        subject = pickle.load(f, encoding="latin1")
    eeg = subject["data"][:, :32, 384:]
    psd = mne.time_frequency.psd_array_welch(eeg, sfreq=128, fmin=4, fmax=45)[0]
    X.append(psd.reshape(40, -1))
    y.append(subject["labels"][:, 0] > 5)  # high / low valence
clf = SVC().fit(np.concatenate(X), np.concatenate(y))
