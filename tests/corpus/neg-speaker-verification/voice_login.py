from speechbrain.inference.speaker import SpeakerRecognition

verification = SpeakerRecognition.from_hparams(source="speechbrain/spkrec-ecapa-voxceleb",
                                               savedir="pretrained_models/spkrec-ecapa-voxceleb")


def same_speaker(enrolled: str, attempt: str) -> bool:
    score, prediction = verification.verify_files(enrolled, attempt)
    return bool(prediction)
