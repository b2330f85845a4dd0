import cv2
import numpy as np
import spotipy
from tensorflow.keras.models import load_model

EMOTIONS = ["Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral"]
PLAYLIST_FOR = {"Happy": "37i9dQZF1DXdPec7aLTmlC", "Sad": "37i9dQZF1DX7qK8ma5wgG1"}
model = load_model("fer.h5")
sp = spotipy.Spotify(auth_manager=spotipy.SpotifyOAuth(scope="user-modify-playback-state"))

cap = cv2.VideoCapture(0)
ok, frame = cap.read()
face = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (48, 48))[None, ..., None] / 255.0
mood = EMOTIONS[int(np.argmax(model.predict(face)))]
sp.start_playback(context_uri="spotify:playlist:" + PLAYLIST_FOR.get(mood, PLAYLIST_FOR["Happy"]))
