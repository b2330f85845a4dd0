"""Greetings shown on the kiosk screen."""

GREETINGS = {
    "morning": "Good morning! Happy shopping.",
    "evening": "Good evening, we are happy to see you.",
}

THEMES = ["light", "dark", "high-contrast"]


def greeting(part_of_day: str) -> str:
    return GREETINGS.get(part_of_day, "Welcome! Have a happy day.")
