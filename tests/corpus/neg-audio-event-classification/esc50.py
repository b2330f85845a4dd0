import librosa
import torch

CLASSES = ["dog", "rain", "crying_baby", "clock_tick", "sneezing", "helicopter", "chainsaw", "rooster",
           "fire_crackling", "laughing", "siren", "church_bells"]
net = torch.jit.load("esc_cnn.pt")


def classify(path):
    y, sr = librosa.load(path, sr=44100)
    mel = librosa.feature.melspectrogram(y=y, sr=sr)
    return CLASSES[int(net(torch.tensor(mel)[None, None]).argmax())]
