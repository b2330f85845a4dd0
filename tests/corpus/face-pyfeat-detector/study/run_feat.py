from feat import Detector

detector = Detector(face_model="retinaface", landmark_model="mobilefacenet", au_model="xgb",
                    emotion_model="resmasknet")

fex = detector.detect_image(["p01_t1.jpg", "p01_t2.jpg"])
print(fex[["happiness", "sadness", "anger"]].mean())
