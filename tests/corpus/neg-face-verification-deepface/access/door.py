from deepface import DeepFace

DB = "employees/"


def allowed(snapshot: str) -> bool:
    matches = DeepFace.find(img_path=snapshot, db_path=DB, model_name="ArcFace", enforce_detection=False)
    return any(len(m) for m in matches)


def same(a: str, b: str) -> bool:
    return DeepFace.verify(img1_path=a, img2_path=b, model_name="Facenet512")["verified"]
