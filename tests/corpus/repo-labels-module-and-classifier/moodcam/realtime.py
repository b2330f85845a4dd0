import cv2
import numpy as np
from tensorflow.keras.models import load_model

from .labels import EMOTIONS

model = load_model("weights/cnn.h5")
cap = cv2.VideoCapture(0)
while True:
    ok, frame = cap.read()
    if not ok:
        break
    face = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (48, 48))[None, ..., None] / 255.0
    print(EMOTIONS[int(np.argmax(model.predict(face)))])
