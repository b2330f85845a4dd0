import csv
import datetime

import cv2
import face_recognition

known = {name: face_recognition.face_encodings(face_recognition.load_image_file(f"known/{name}.jpg"))[0]
         for name in ("alice", "bob")}
cap = cv2.VideoCapture(0)
ok, frame = cap.read()
rgb = frame[:, :, ::-1]
for encoding in face_recognition.face_encodings(rgb, face_recognition.face_locations(rgb)):
    hits = face_recognition.compare_faces(list(known.values()), encoding)
    for name, hit in zip(known, hits):
        if hit:
            with open("attendance.csv", "a", newline="") as f:
                csv.writer(f).writerow([name, datetime.datetime.now().isoformat()])
