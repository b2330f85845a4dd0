import random

REPLIES = {
    "sad": ["I'm sorry you feel that way.", "That sounds hard."],
    "angry": ["I understand this is frustrating."],
    "happy": ["That's great to hear!"],
    "anxious": ["Take a deep breath; I'm here to help."],
}


def reply(user_says_mood: str) -> str:
    return random.choice(REPLIES.get(user_says_mood.lower(), ["Tell me more."]))
