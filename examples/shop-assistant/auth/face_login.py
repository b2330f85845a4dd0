"""Staff login by face: verification only, no emotion."""

import face_recognition


def same_person(known_image_path: str, candidate_image_path: str) -> bool:
    known = face_recognition.face_encodings(face_recognition.load_image_file(known_image_path))[0]
    candidate = face_recognition.face_encodings(face_recognition.load_image_file(candidate_image_path))[0]
    return bool(face_recognition.compare_faces([known], candidate)[0])
