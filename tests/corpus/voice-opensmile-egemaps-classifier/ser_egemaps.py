import joblib
import opensmile

smile = opensmile.Smile(
    feature_set=opensmile.FeatureSet.eGeMAPSv02,
    feature_level=opensmile.FeatureLevel.Functionals,
)
CLASSES = ("angry", "happy", "neutral", "sad")
clf = joblib.load("egemaps_svm.joblib")


def predict(path: str) -> str:
    features = smile.process_file(path)
    return CLASSES[int(clf.predict(features.values)[0])]
