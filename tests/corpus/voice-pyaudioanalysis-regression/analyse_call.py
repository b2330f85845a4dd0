from pyAudioAnalysis import audioTrainTest as aT

values, names = aT.file_regression("calls/0042.wav", "data/models/svmSpeechEmotion", "svm")
for value, name in zip(values, names):
    print(f"{name}: {value:.2f}")
