import librosa
import whisper

model = whisper.load_model("small")
audio, _ = librosa.load("call.wav", sr=16000)
print(model.transcribe(audio, language="en")["text"])
