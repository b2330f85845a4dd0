from TTS.api import TTS

EMOTIONS = ["Neutral", "Happy", "Sad", "Angry", "Surprise"]
tts = TTS("tts_models/multilingual/multi-dataset/xtts_v2")


def narrate(text: str, emotion: str = "Happy", out: str = "line.wav") -> None:
    assert emotion in EMOTIONS
    tts.tts_to_file(text=text, speaker="Ana Florence", language="en", emotion=emotion, file_path=out)
