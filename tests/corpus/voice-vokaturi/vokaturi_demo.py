import sys

import scipy.io.wavfile

sys.path.append("../api")
import Vokaturi

Vokaturi.load("../lib/open/linux/OpenVokaturi-4-0-linux.so")
(sample_rate, samples) = scipy.io.wavfile.read(sys.argv[1])
buffer_length = len(samples)
c_buffer = Vokaturi.float64array(buffer_length)
c_buffer[:] = samples[:] / 32768.0
voice = Vokaturi.Voice(sample_rate, buffer_length, 0)
voice.fill_float64array(buffer_length, c_buffer)
quality = Vokaturi.Quality()
emotionProbabilities = Vokaturi.EmotionProbabilities()
voice.extract(quality, emotionProbabilities)
if quality.valid:
    print("Happy: %.3f" % emotionProbabilities.happiness)
voice.destroy()
