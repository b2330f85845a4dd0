import cv2
import pyautogui
from gaze_tracking import GazeTracking

gaze = GazeTracking()
webcam = cv2.VideoCapture(0)
while True:
    _, frame = webcam.read()
    gaze.refresh(frame)
    if gaze.is_bottom():
        pyautogui.scroll(-3)
