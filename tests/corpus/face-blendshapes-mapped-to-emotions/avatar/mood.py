import mediapipe as mp
from mediapipe.tasks import python
from mediapipe.tasks.python import vision

options = vision.FaceLandmarkerOptions(
    base_options=python.BaseOptions(model_asset_path="face_landmarker.task"),
    output_face_blendshapes=True,
    num_faces=1,
)
detector = vision.FaceLandmarker.create_from_options(options)

# which blendshape says which feeling
BLENDSHAPE_TO_EMOTION = {
    "mouthSmileLeft": "happy",
    "mouthFrownLeft": "sad",
    "browDownLeft": "angry",
    "jawOpen": "surprised",
}


def feeling(image_path: str) -> str:
    result = detector.detect(mp.Image.create_from_file(image_path))
    scores = {b.category_name: b.score for b in result.face_blendshapes[0]}
    best = max(BLENDSHAPE_TO_EMOTION, key=lambda name: scores.get(name, 0.0))
    return BLENDSHAPE_TO_EMOTION[best]
