import pandas as pd
from nrclex import NRCLex

reviews = pd.read_csv("reviews.csv")
reviews["affect"] = [NRCLex(text).affect_frequencies for text in reviews["body"]]
