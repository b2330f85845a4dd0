import string

import cv2
import joblib
import mediapipe as mp

LETTERS = list(string.ascii_uppercase)
GESTURES = ["thumbs_up", "peace", "ok", "stop"]
clf = joblib.load("asl_knn.joblib")
hands = mp.solutions.hands.Hands(max_num_hands=1)
cap = cv2.VideoCapture(0)
ok, frame = cap.read()
res = hands.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
if res.multi_hand_landmarks:
    pts = [c for lm in res.multi_hand_landmarks[0].landmark for c in (lm.x, lm.y)]
    print(LETTERS[int(clf.predict([pts])[0])])
