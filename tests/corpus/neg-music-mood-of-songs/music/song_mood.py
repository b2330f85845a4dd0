import librosa
import numpy as np
from sklearn.ensemble import RandomForestClassifier

SONG_MOODS = ["happy", "sad", "calm", "energetic"]


def track_features(path):
    y, sr = librosa.load(path, duration=30)
    tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
    chroma = librosa.feature.chroma_stft(y=y, sr=sr).mean(axis=1)
    return np.concatenate([[tempo], chroma])


def train(tracks, moods):
    clf = RandomForestClassifier().fit([track_features(t) for t in tracks], moods)
    return clf


def playlist_mood(clf, track):
    return SONG_MOODS[int(clf.predict([track_features(track)])[0])]
