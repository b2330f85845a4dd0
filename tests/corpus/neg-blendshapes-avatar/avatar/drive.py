import mediapipe as mp
from mediapipe.tasks import python
from mediapipe.tasks.python import vision

options = vision.FaceLandmarkerOptions(
    base_options=python.BaseOptions(model_asset_path="face_landmarker.task"),
    output_face_blendshapes=True,
)
landmarker = vision.FaceLandmarker.create_from_options(options)
MORPH_TARGETS = ["eyeBlinkLeft", "eyeBlinkRight", "jawOpen", "mouthSmileLeft", "mouthSmileRight"]


def morphs(image):
    result = landmarker.detect(image)
    scores = {b.category_name: b.score for b in result.face_blendshapes[0]}
    return {name: scores[name] for name in MORPH_TARGETS}
