import heartpy as hp
import joblib

STATES = ["relaxed", "stressed", "tense"]
model = joblib.load("stress_rf.joblib")


def classify(ppg, fs=100.0) -> str:
    wd, m = hp.process(ppg, sample_rate=fs)
    x = [[m["bpm"], m["rmssd"], m["sdnn"], m["lf/hf"]]]
    return STATES[int(model.predict(x)[0])]
