from transformers import pipeline

emotion = pipeline("text-classification", model="j-hartmann/emotion-english-distilroberta-base", top_k=None)


def triage(ticket_text: str) -> dict:
    scores = {s["label"]: s["score"] for s in emotion(ticket_text)[0]}
    return {"urgent": scores.get("anger", 0) > 0.6, "scores": scores}
