from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Episode:
    """One remembered exchange. The affect values come from the agent's own appraisal step."""

    text: str
    created: datetime = field(default_factory=datetime.now)
    valence: float = 0.0  # -1 .. 1
    arousal: float = 0.0  # 0 .. 1
    dominant_emotion: str = "neutral"
    recalls: int = 0

    def touch(self) -> None:
        self.recalls += 1
