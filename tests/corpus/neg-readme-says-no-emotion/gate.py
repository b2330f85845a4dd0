import face_recognition

enrolled = face_recognition.face_encodings(face_recognition.load_image_file("enrolled.jpg"))[0]


def open_door(frame) -> bool:
    return any(face_recognition.compare_faces([enrolled], e)[0] for e in face_recognition.face_encodings(frame))
