import text2emotion as te
from flask import Flask, jsonify, request

app = Flask(__name__)
PLAYLISTS = {"Happy": "37i9dQZF1DXdPec7aLTmlC", "Sad": "37i9dQZF1DX7qK8ma5wgG1"}


@app.post("/playlist")
def playlist():
    scores = te.get_emotion(request.json["text"])
    mood = max(scores, key=scores.get)
    return jsonify({"mood": mood, "playlist": PLAYLISTS.get(mood)})
