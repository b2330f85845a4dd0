import cv2

from utils import draw_box

cap = cv2.VideoCapture(0)
while True:
    ok, frame = cap.read()
    if not ok:
        break
    cv2.imshow("kiosk", draw_box(frame))
