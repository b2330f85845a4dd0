"""Classify the emotion expressed in chat messages (text only)."""

from transformers import pipeline

_classifier = pipeline(
    "text-classification",
    model="j-hartmann/emotion-english-distilroberta-base",
    top_k=None,
)


def message_emotions(message: str) -> dict[str, float]:
    scores = _classifier(message)[0]
    return {item["label"]: item["score"] for item in scores}
