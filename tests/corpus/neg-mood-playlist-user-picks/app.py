from flask import Flask, redirect, render_template, request

app = Flask(__name__)

mood_to_playlist = {
    "happy": "https://open.spotify.com/playlist/37i9dQZF1DXdPec7aLTmlC",
    "sad": "https://open.spotify.com/playlist/37i9dQZF1DWVrtsSlLKzro",
    "angry": "https://open.spotify.com/playlist/37i9dQZF1DX1tyCD9QhIWF",
    "relaxed": "https://open.spotify.com/playlist/37i9dQZF1DX3PIPIT6lEg5",
    "calm": "https://open.spotify.com/playlist/37i9dQZF1DX4WYpdgoIcn6",
}


@app.route("/")
def home():
    return render_template("index.html", moods=sorted(mood_to_playlist))


@app.route("/recommend", methods=["POST"])
def recommend():
    url = mood_to_playlist.get(request.form.get("mood"))
    return redirect(url) if url else ("No playlist found for that mood.", 400)
