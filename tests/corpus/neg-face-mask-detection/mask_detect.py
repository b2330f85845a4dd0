import cv2
import numpy as np
from tensorflow.keras.models import load_model

LABELS = ["with_mask", "without_mask", "mask_weared_incorrect"]
model = load_model("mask_detector.model")
cap = cv2.VideoCapture(0)
ok, frame = cap.read()
pred = model.predict(cv2.resize(frame, (224, 224))[None] / 255.0)
print(LABELS[int(np.argmax(pred))])
