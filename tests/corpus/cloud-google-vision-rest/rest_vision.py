import base64
import os

import requests

ENDPOINT = "https://vision.googleapis.com/v1/images:annotate?key=" + os.environ["GCP_KEY"]


def happy(path: str) -> bool:
    body = {"requests": [{"image": {"content": base64.b64encode(open(path, "rb").read()).decode()},
                          "features": [{"type": "FACE_DETECTION", "maxResults": 5}]}]}
    ann = requests.post(ENDPOINT, json=body, timeout=30).json()["responses"][0]["faceAnnotations"][0]
    return ann["joyLikelihood"] in ("LIKELY", "VERY_LIKELY")
