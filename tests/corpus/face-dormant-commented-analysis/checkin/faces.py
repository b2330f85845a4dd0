from deepface import DeepFace


def same_person(a, b) -> bool:
    return DeepFace.verify(img1_path=a, img2_path=b)["verified"]


# Disabled after the privacy review (ticket SEC-112):
# def mood(img):
#     res = DeepFace.analyze(img, actions=["emotion"])
#     return res[0]["dominant_emotion"]
