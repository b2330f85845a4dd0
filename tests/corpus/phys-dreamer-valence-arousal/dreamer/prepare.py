import numpy as np
import scipy.io

mat = scipy.io.loadmat("DREAMER.mat", squeeze_me=True, struct_as_record=False)["DREAMER"]
TARGETS = ["valence", "arousal", "dominance"]


def scores(subject):
    return np.stack([getattr(subject, "Score" + t.capitalize()) for t in TARGETS], axis=1)
