import heartpy as hp
import numpy as np

ZONES = ["rest", "easy", "moderate", "hard"]


def readiness(ppg, fs, baseline_rmssd):
    _, m = hp.process(ppg, sample_rate=fs)
    ratio = m["rmssd"] / baseline_rmssd
    return ZONES[int(np.clip(ratio * 2, 0, 3))]
