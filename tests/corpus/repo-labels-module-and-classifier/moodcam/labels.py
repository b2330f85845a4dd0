"""Class order used when the network was trained."""
EMOTIONS = ["angry", "disgust", "scared", "happy", "sad", "surprised", "neutral"]
