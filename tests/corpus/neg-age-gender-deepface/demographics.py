from deepface import DeepFace

ACTIONS = ("age", "gender")


def profile(path):
    result = DeepFace.analyze(img_path=path, actions=ACTIONS, silent=True)[0]
    return result["age"], result["dominant_gender"]
