from ibm_cloud_sdk_core.authenticators import IAMAuthenticator
from ibm_watson import NaturalLanguageUnderstandingV1
from ibm_watson.natural_language_understanding_v1 import EmotionOptions, Features

nlu = NaturalLanguageUnderstandingV1(version="2022-04-07", authenticator=IAMAuthenticator("KEY"))


def emotions(text: str) -> dict:
    result = nlu.analyze(text=text, features=Features(emotion=EmotionOptions())).get_result()
    return result["emotion"]["document"]["emotion"]
