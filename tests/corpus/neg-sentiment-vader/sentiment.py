import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

analyzer = SentimentIntensityAnalyzer()
tweets = pd.read_csv("tweets.csv")
tweets["compound"] = [analyzer.polarity_scores(t)["compound"] for t in tweets["text"]]
tweets["label"] = pd.cut(tweets["compound"], [-1, -0.05, 0.05, 1], labels=["negative", "neutral", "positive"])
