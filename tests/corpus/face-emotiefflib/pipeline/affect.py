from emotiefflib.facial_analysis import EmotiEffLibRecognizer, get_model_list

fer = EmotiEffLibRecognizer(engine="onnx", model_name=get_model_list()[0], device="cpu")


def run(faces):
    emotions, scores = fer.predict_emotions(faces, logits=True)
    return emotions
