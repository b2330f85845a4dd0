from PIL import Image
from transformers import pipeline

classifier = pipeline("image-classification", model="trpakov/vit-face-expression")


def top_label(path: str) -> str:
    return classifier(Image.open(path))[0]["label"]
