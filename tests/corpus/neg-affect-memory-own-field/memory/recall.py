from __future__ import annotations

import math

from memory.episode import Episode


def congruence(episode: Episode, mood: str, mood_valence: float) -> float:
    """Mood-congruent recall: episodes that felt like the current mood come back first."""
    same = 1.0 if episode.dominant_emotion == mood else 0.0
    return 0.6 * same + 0.4 * (1.0 - abs(episode.valence - mood_valence) / 2.0)


def rank(episodes: list[Episode], mood: str, mood_valence: float, limit: int = 5) -> list[Episode]:
    scored = sorted(
        episodes,
        key=lambda e: congruence(e, mood, mood_valence) * math.log(2 + e.recalls),
        reverse=True,
    )
    for episode in scored[:limit]:
        episode.touch()
    return scored[:limit]
