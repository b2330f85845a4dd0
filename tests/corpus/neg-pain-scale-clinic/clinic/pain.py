import cv2
import torch

PAIN_LEVELS = ["no pain", "pain", "severe pain"]
net = torch.jit.load("pspi_regressor.pt")
cap = cv2.VideoCapture(0)
ok, frame = cap.read()
score = float(net(torch.from_numpy(cv2.resize(frame, (112, 112))).permute(2, 0, 1)[None].float()))
