# 实时识别客户通话中的情绪（坐席侧不分析）
import numpy as np
import sounddevice as sd

# 模型输出的类别顺序
类别 = ['生气/angry', '厌恶/disgusted', '恐惧/fearful', '开心/happy', '中立/neutral', '其他/other', '难过/sad', '吃惊/surprised', '<unk>']


def 录音(秒数=3, 采样率=16000):
    数据 = sd.rec(int(秒数 * 采样率), samplerate=采样率, channels=1)
    sd.wait()
    return np.squeeze(数据)
