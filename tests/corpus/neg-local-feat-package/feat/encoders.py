from __future__ import annotations

import pandas as pd


def target_encode(frame: pd.DataFrame, column: str, target: str, smoothing: float = 10.0) -> pd.Series:
    """Mean of the target per category, shrunk towards the global mean for rare categories."""
    prior = frame[target].mean()
    stats = frame.groupby(column)[target].agg(["mean", "count"])
    weight = stats["count"] / (stats["count"] + smoothing)
    encoded = weight * stats["mean"] + (1 - weight) * prior
    return frame[column].map(encoded).fillna(prior)


def frequency_encode(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].map(frame[column].value_counts(normalize=True))
