import mne
from mne.decoding import CSP
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline

CLASSES = ["left_hand", "right_hand", "feet", "tongue"]
raw = mne.io.read_raw_edf("A01T.edf", preload=True)
events, _ = mne.events_from_annotations(raw)
epochs = mne.Epochs(raw, events, tmin=0.5, tmax=2.5, baseline=None)
clf = make_pipeline(CSP(n_components=4), LinearDiscriminantAnalysis())
clf.fit(epochs.get_data(), epochs.events[:, -1])
