import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
tokenizer = AutoTokenizer.from_pretrained("./checkpoint")
model = AutoModelForSequenceClassification.from_pretrained("./checkpoint")


def classify(text: str) -> str:
    with torch.no_grad():
        logits = model(**tokenizer(text, return_tensors="pt")).logits
    return LABELS[int(logits.argmax())]
