import os

from deepface import DeepFace

pairs = [("lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg", "lfw/Aaron_Peirsol/Aaron_Peirsol_0002.jpg")]
print([DeepFace.verify(a, b)["verified"] for a, b in pairs])
