import os
import pickle

import neurokit2 as nk

LABELS = {1: "baseline", 2: "stress", 3: "amusement", 4: "meditation"}


def load_subject(root: str, subject: str) -> dict:
    with open(os.path.join(root, subject, subject + ".pkl"), "rb") as fh:
        return pickle.load(fh, encoding="latin1")


def eda_features(data: dict):
    eda = data["signal"]["wrist"]["EDA"].flatten()
    signals, info = nk.eda_process(eda, sampling_rate=4)
    return signals
