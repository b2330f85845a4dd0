import cv2
import torch

LABELS = ["Boredom", "Engagement", "Confusion", "Frustration"]
DATA_ROOT = "data/DAiSEE/DataSet/Train"

model = torch.jit.load("weights/engagement_resnet.pt").eval()


def watch(student_id: str) -> None:
    cap = cv2.VideoCapture(0)
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        x = torch.from_numpy(cv2.resize(frame, (224, 224))).permute(2, 0, 1)[None].float()
        scores = model(x)[0]
        print(student_id, dict(zip(LABELS, scores.tolist())))
