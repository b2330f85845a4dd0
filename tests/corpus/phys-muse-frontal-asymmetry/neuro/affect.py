import numpy as np
from pylsl import StreamInlet, resolve_byprop

streams = resolve_byprop("type", "EEG", timeout=5)
inlet = StreamInlet(streams[0])


def band(x, lo, hi, fs=256):
    f = np.fft.rfftfreq(len(x), 1 / fs)
    p = np.abs(np.fft.rfft(x)) ** 2
    return p[(f >= lo) & (f < hi)].mean()


def estimate():
    chunk, _ = inlet.pull_chunk(timeout=2.0, max_samples=512)
    x = np.asarray(chunk)
    af7, af8 = x[:, 1], x[:, 2]
    alpha = np.log(band(af8, 8, 13)) - np.log(band(af7, 8, 13))
    beta = band(af7, 13, 30) + band(af8, 13, 30)
    return {"valence": float(alpha), "arousal": float(beta / band(af7, 8, 13))}
