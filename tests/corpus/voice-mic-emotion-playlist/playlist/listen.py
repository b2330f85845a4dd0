import joblib
import librosa
import numpy as np
import sounddevice as sd

LABELS = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]
clf = joblib.load("ser_mlp.joblib")

audio = sd.rec(3 * 22050, samplerate=22050, channels=1)
sd.wait()
mfcc = np.mean(librosa.feature.mfcc(y=np.squeeze(audio), sr=22050, n_mfcc=40).T, axis=0)
print(LABELS[int(clf.predict([mfcc])[0])])
