import cv2
from flask import Flask, request

app = Flask(__name__)


@app.post("/entry")
def entry():
    emotion = request.form.get("emotion", "neutral")
    photo = request.files["photo"].read()
    thumbnail = cv2.resize(cv2.imdecode(photo, cv2.IMREAD_COLOR), (128, 128))
    cv2.imwrite(f"thumbs/{request.form['id']}.jpg", thumbnail)
    return {"saved": True, "emotion": emotion}
