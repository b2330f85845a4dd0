"""Kiosk: estimate how shoppers feel about the display they are looking at."""

import logging

import cv2
from deepface import DeepFace as df

log = logging.getLogger(__name__)


def capture_frames(device: int = 0):
    camera = cv2.VideoCapture(device)
    try:
        while True:
            ok, frame = camera.read()
            if not ok:
                break
            yield frame
    finally:
        camera.release()


def shopper_mood(frame) -> str:
    faces = df.analyze(frame, enforce_detection=False)
    if not faces:
        return "unknown"
    mood = faces[0]["dominant_emotion"]
    log.info("shopper mood: %s", mood)
    return mood
