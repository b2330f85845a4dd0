import numpy as np
import sounddevice as sd
import torch
import yaml

settings = yaml.safe_load(open("settings.yaml"))
net = torch.jit.load("ser.pt")


def listen() -> str:
    sr = settings["audio"]["sample_rate"]
    audio = sd.rec(int(settings["audio"]["seconds"] * sr), samplerate=sr, channels=1)
    sd.wait()
    logits = net(torch.from_numpy(np.squeeze(audio))[None])
    return settings["emotions"][int(logits.argmax())]
