"""Transcribe recorded calls for the archive (speech-to-text only)."""

import whisper

model = whisper.load_model("base")


def transcribe(path: str) -> str:
    return model.transcribe(path)["text"]
