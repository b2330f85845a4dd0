import os

import cv2
import numpy as np

MODELS = os.path.join(os.path.dirname(__file__), "models")
net = cv2.dnn.readNetFromONNX(os.path.join(MODELS, "emotion-ferplus-8.onnx"))
EMOTIONS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]


def classify(gray_face: np.ndarray) -> str:
    blob = cv2.dnn.blobFromImage(cv2.resize(gray_face, (64, 64)), 1.0, (64, 64))
    net.setInput(blob)
    return EMOTIONS[int(np.argmax(net.forward()))]
