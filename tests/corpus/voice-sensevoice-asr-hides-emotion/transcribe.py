from funasr import AutoModel
from funasr.utils.postprocess_utils import rich_transcription_postprocess

asr = AutoModel(model="FunAudioLLM/SenseVoiceSmall", vad_model="fsmn-vad", device="cuda:0", hub="hf")


def transcript(path: str) -> str:
    res = asr.generate(input=path, language="auto", use_itn=True, batch_size_s=60)
    return rich_transcription_postprocess(res[0]["text"])
