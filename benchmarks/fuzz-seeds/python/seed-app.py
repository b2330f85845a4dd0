from deepface import DeepFace
DeepFace.analyze('f.jpg', actions=['emotion'])
import cv2 as c
labels = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']
# DeepFace.analyze(frame, actions=['emotion'])
x = (not not y) if z else [i for i in range(3)]
