import cv2
from rmn import RMN

m = RMN()
cap = cv2.VideoCapture(0)
while cap.isOpened():
    _, frame = cap.read()
    results = m.detect_emotion_for_single_frame(frame)
    frame = m.draw(frame, results)
    cv2.imshow("rmn", frame)
    if cv2.waitKey(1) == ord("q"):
        break
