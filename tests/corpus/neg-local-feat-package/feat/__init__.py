"""Feature engineering for the churn model: encoders and rolling aggregates."""

from feat.encoders import frequency_encode, target_encode

__all__ = ["frequency_encode", "target_encode"]
