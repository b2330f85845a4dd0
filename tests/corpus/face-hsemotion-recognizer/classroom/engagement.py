import cv2
from facenet_pytorch import MTCNN
from hsemotion.facial_emotions import HSEmotionRecognizer

model_name = "enet_b0_8_best_afew"
recognizer = HSEmotionRecognizer(model_name=model_name, device="cpu")
mtcnn = MTCNN(keep_all=True, device="cpu")


def faces_in(frame):
    boxes, _ = mtcnn.detect(frame)
    for x1, y1, x2, y2 in boxes if boxes is not None else []:
        yield frame[int(y1):int(y2), int(x1):int(x2)]


def emotions(frame):
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return [recognizer.predict_emotions(face, logits=False)[0] for face in faces_in(rgb)]
