"""Tag survey answers with the emotion the respondent wrote in, for the quarterly report."""

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def train(answers: pd.DataFrame) -> None:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform(answers["text"])
    model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(features, answers["label"])
    joblib.dump((vectorizer, model), "models/emotion_classifier.joblib")


def tag(answers: pd.DataFrame) -> pd.DataFrame:
    vectorizer, model = joblib.load("models/emotion_classifier.joblib")
    predicted_emotion = model.predict(vectorizer.transform(answers["text"]))
    return answers.assign(emotion=predicted_emotion)
