import sys

import cv2

cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


def blur_faces(path: str, out: str) -> None:
    img = cv2.imread(path)
    for (x, y, w, h) in cascade.detectMultiScale(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), 1.1, 5):
        img[y:y + h, x:x + w] = cv2.GaussianBlur(img[y:y + h, x:x + w], (99, 99), 30)
    cv2.imwrite(out, img)


if __name__ == "__main__":
    blur_faces(sys.argv[1], sys.argv[2])
