import pandas as pd
import neurokit2 as nk
from sklearn.ensemble import RandomForestClassifier

SUBJECTS = ["S2", "S3"]


def windows(subject):
    d = pd.read_pickle(f"WESAD/{subject}/{subject}.pkl")
    eda = d["signal"]["wrist"]["EDA"].ravel()
    processed, _ = nk.eda_process(eda, sampling_rate=4)
    return processed, d["label"]


clf = RandomForestClassifier(n_estimators=200)
