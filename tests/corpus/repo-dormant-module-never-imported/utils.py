import cv2


def draw_box(frame):
    return cv2.rectangle(frame, (10, 10), (100, 100), (0, 255, 0), 2)
