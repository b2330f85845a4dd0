import wave

import webrtcvad

vad = webrtcvad.Vad(2)
with wave.open("meeting.wav", "rb") as wf:
    frames = wf.readframes(wf.getnframes())
frame_bytes = int(16000 * 0.03) * 2
speech = [vad.is_speech(frames[i:i + frame_bytes], 16000) for i in range(0, len(frames) - frame_bytes, frame_bytes)]
print(sum(speech) / len(speech))
