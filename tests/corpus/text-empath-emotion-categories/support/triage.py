"""Escalate tickets whose wording reads angry or irritated."""

from __future__ import annotations

from empath import Empath

# Empath's own category names.
EMOTION_CATEGORIES = ["anger", "disappointment", "irritability", "joy", "positive_emotion", "negative_emotion"]

lexicon = Empath()


def emotion_profile(message: str) -> dict[str, float]:
    scores = lexicon.analyze(message, categories=EMOTION_CATEGORIES, normalize=True)
    return scores or {}


def should_escalate(ticket: dict) -> bool:
    profile = emotion_profile(ticket["body"])
    return profile.get("anger", 0.0) + profile.get("irritability", 0.0) > 0.02
