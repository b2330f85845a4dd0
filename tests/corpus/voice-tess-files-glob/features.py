import glob

import librosa
import numpy as np

rows = []
for path in glob.glob("audio/TESS/*/*.wav"):
    y, sr = librosa.load(path, sr=16000)
    rows.append(np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40), axis=1))
np.save("tess_mfcc.npy", np.stack(rows))
