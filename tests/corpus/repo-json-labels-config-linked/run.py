import json

import cv2
import onnxruntime as ort

with open("config/classes.json") as f:
    cfg = json.load(f)
session = ort.InferenceSession("model.onnx")
cap = cv2.VideoCapture(0)
ok, frame = cap.read()
gray = cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (cfg["input_size"],) * 2)
out = session.run(None, {"input": gray[None, None].astype("float32") / 255})[0]
print(cfg["classes"][int(out.argmax())])
