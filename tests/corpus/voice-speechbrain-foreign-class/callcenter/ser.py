from speechbrain.inference.interfaces import foreign_class

classifier = foreign_class(
    source="speechbrain/emotion-recognition-wav2vec2-IEMOCAP",
    pymodule_file="custom_interface.py",
    classname="CustomEncoderWav2vec2Classifier",
)


def label(path: str) -> str:
    out_prob, score, index, text_lab = classifier.classify_file(path)
    return text_lab[0]
