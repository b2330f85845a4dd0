from __future__ import annotations

import joblib
import numpy as np


class AudioFeatures:
    @staticmethod
    def from_file(path: str) -> np.ndarray:
        return np.load(path)


class VoiceModel:
    def __init__(self, weights: str) -> None:
        self.weights = joblib.load(weights)

    def __call__(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights
