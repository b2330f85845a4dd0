from funasr import AutoModel

model = AutoModel(model="iic/emotion2vec_plus_large")


def tone(wav_path: str):
    rec = model.generate(wav_path, granularity="utterance", extract_embedding=False)
    return rec[0]["labels"], rec[0]["scores"]
