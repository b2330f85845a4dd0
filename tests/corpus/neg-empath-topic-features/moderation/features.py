import numpy as np
from empath import Empath
from sklearn.linear_model import LogisticRegression

lexicon = Empath()
TOPICS = ["violence", "weapon", "crime", "kill", "fight"]


def topic_scores(comment: str) -> list[float]:
    scores = lexicon.analyze(comment, categories=TOPICS, normalize=True) or {}
    return [scores.get(topic, 0.0) for topic in TOPICS]


def all_categories(comment: str) -> list[float]:
    # Every Empath category as one feature vector for the toxicity classifier.
    scores = lexicon.analyze(comment, normalize=True) or {}
    return [scores[key] for key in sorted(scores)]


def train(comments: list[str], toxic: list[int]) -> LogisticRegression:
    features = np.array([topic_scores(c) + all_categories(c) for c in comments])
    return LogisticRegression(max_iter=1000).fit(features, toxic)
