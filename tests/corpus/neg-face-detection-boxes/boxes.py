import cv2
from mtcnn import MTCNN

detector = MTCNN()
img = cv2.cvtColor(cv2.imread("group.jpg"), cv2.COLOR_BGR2RGB)
for face in detector.detect_faces(img):
    x, y, w, h = face["box"]
    cv2.rectangle(img, (x, y), (x + w, y + h), (0, 255, 0), 2)
