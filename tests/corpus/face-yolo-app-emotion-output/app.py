import cv2
from flask import Flask, Response
from ultralytics import YOLO

app = Flask(__name__)
model = YOLO("static/model.pt")


def frames():
    cap = cv2.VideoCapture(0)
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        results = model.track(frame, persist=True, conf=0.5)
        if len(results[0].boxes):
            emotion = results[0].names[int(results[0].boxes.cls[0])]
            cv2.putText(frame, emotion, (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 255, 0), 2)
        yield cv2.imencode(".jpg", frame)[1].tobytes()


@app.route("/video")
def video():
    return Response(frames(), mimetype="multipart/x-mixed-replace; boundary=frame")
