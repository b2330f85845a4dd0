import cv2
import dlib
from imutils import face_utils
from scipy.spatial import distance

EAR_THRESHOLD = 0.25
CONSEC_FRAMES = 20


def eye_aspect_ratio(eye):
    a = distance.euclidean(eye[1], eye[5])
    b = distance.euclidean(eye[2], eye[4])
    c = distance.euclidean(eye[0], eye[3])
    return (a + b) / (2.0 * c)


detector = dlib.get_frontal_face_detector()
predictor = dlib.shape_predictor("models/shape_predictor_68_face_landmarks.dat")
(lStart, lEnd) = face_utils.FACIAL_LANDMARKS_IDXS["left_eye"]
cap = cv2.VideoCapture(0)
counter = 0
while True:
    _, frame = cap.read()
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    for rect in detector(gray, 0):
        shape = face_utils.shape_to_np(predictor(gray, rect))
        ear = eye_aspect_ratio(shape[lStart:lEnd])
        counter = counter + 1 if ear < EAR_THRESHOLD else 0
        if counter >= CONSEC_FRAMES:
            cv2.putText(frame, "DROWSINESS ALERT!", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 255), 2)
