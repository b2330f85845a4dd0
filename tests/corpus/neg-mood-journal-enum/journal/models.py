import enum
import sqlite3
from dataclasses import dataclass
from datetime import date


class Mood(enum.Enum):
    HAPPY = "happy"
    CALM = "calm"
    SAD = "sad"
    ANGRY = "angry"
    ANXIOUS = "anxious"


MOOD_CHOICES = ["happy", "calm", "sad", "angry", "anxious"]


@dataclass
class Entry:
    day: date
    mood: Mood
    note: str = ""


def save(db: sqlite3.Connection, entry: Entry) -> None:
    db.execute("INSERT INTO entries VALUES (?, ?, ?)", (entry.day.isoformat(), entry.mood.value, entry.note))
