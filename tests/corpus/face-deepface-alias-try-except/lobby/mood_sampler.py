"""Visitor mood dashboard: samples the lobby camera every few seconds."""
import time

import cv2

try:
    from deepface import DeepFace as df
except ImportError:  # pragma: no cover - optional dependency
    df = None

SAMPLE_EVERY = 5


def sample(camera_index: int = 0):
    cap = cv2.VideoCapture(camera_index)
    ok, frame = cap.read()
    cap.release()
    if not ok or df is None:
        return None
    faces = df.analyze(frame, actions=["emotion"], enforce_detection=False)
    return [f["dominant_emotion"] for f in faces]


if __name__ == "__main__":
    while True:
        print(sample())
        time.sleep(SAMPLE_EVERY)
