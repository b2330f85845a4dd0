import cv2
import numpy as np
from tensorflow.keras.models import load_model

CLASSES = ["Closed", "Open", "no_yawn", "yawn"]
STATE = ["alert", "drowsy", "yawning"]
model = load_model("models/drowsiness_cnn.h5")
cap = cv2.VideoCapture(0)
while True:
    ok, frame = cap.read()
    pred = model.predict(cv2.resize(frame, (145, 145))[None] / 255.0)
    print(CLASSES[int(np.argmax(pred))])
