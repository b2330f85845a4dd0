"""Map OpenFace 2.0 AU intensities (csv output of FeatureExtraction) to Ekman emotions."""
import cv2
import pandas as pd

ACTION_UNITS = ["AU01_r", "AU02_r", "AU04_r", "AU05_r", "AU06_r", "AU09_r", "AU12_r", "AU15_r", "AU26_r"]


def emotion_of(row) -> str:
    if row["AU06_r"] > 1 and row["AU12_r"] > 1:
        return "happiness"
    if row["AU01_r"] > 1 and row["AU04_r"] > 1 and row["AU15_r"] > 1:
        return "sadness"
    if row["AU01_r"] > 1 and row["AU02_r"] > 1 and row["AU26_r"] > 1:
        return "surprise"
    if row["AU04_r"] > 1 and row["AU05_r"] > 1:
        return "anger"
    return "neutral"


def label_video(csv_path: str, video_path: str) -> pd.Series:
    frames = pd.read_csv(csv_path, skipinitialspace=True)
    cap = cv2.VideoCapture(video_path)
    cap.release()
    return frames[ACTION_UNITS].apply(emotion_of, axis=1)
