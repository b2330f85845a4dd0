import torch
import torchaudio

LABELS = ["neu", "hap", "ang", "sad"]
net = torch.jit.load("checkpoints/ser_best.pt")


def infer(path: str) -> str:
    wav, sr = torchaudio.load(path)
    wav = torchaudio.functional.resample(wav, sr, 16000)
    with torch.no_grad():
        logits = net(wav)
    return LABELS[int(logits.argmax())]
