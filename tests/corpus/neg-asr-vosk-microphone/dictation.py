import json
import queue

import sounddevice as sd
from vosk import KaldiRecognizer, Model

q = queue.Queue()
model = Model(lang="en-us")
rec = KaldiRecognizer(model, 16000)

with sd.RawInputStream(samplerate=16000, blocksize=8000, dtype="int16", channels=1,
                       callback=lambda data, frames, t, status: q.put(bytes(data))):
    while True:
        if rec.AcceptWaveform(q.get()):
            print(json.loads(rec.Result())["text"])
