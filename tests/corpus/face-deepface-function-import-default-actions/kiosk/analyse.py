from deepface.DeepFace import analyze as analyse_face


def describe(path):
    # default actions: age, gender, race and emotion
    return analyse_face(img_path=path, detector_backend="retinaface")
