from statistics import mode

import cv2
import numpy as np
from keras.models import load_model

# parameters for loading data and images
detection_model_path = '../trained_models/detection_models/haarcascade_frontalface_default.xml'
emotion_model_path = '../trained_models/emotion_models/fer2013_mini_XCEPTION.102-0.66.hdf5'
emotion_labels = {0: 'angry', 1: 'disgust', 2: 'fear', 3: 'happy', 4: 'sad', 5: 'surprise', 6: 'neutral'}

face_detection = cv2.CascadeClassifier(detection_model_path)
emotion_classifier = load_model(emotion_model_path, compile=False)
emotion_target_size = emotion_classifier.input_shape[1:3]

video_capture = cv2.VideoCapture(0)
while True:
    bgr_image = video_capture.read()[1]
    gray_image = cv2.cvtColor(bgr_image, cv2.COLOR_BGR2GRAY)
    faces = face_detection.detectMultiScale(gray_image, 1.3, 5)
    for (x, y, w, h) in faces:
        gray_face = cv2.resize(gray_image[y:y + h, x:x + w], emotion_target_size)
        gray_face = np.expand_dims(np.expand_dims(gray_face / 255.0, 0), -1)
        emotion_text = emotion_labels[int(np.argmax(emotion_classifier.predict(gray_face)))]
        print(emotion_text)
