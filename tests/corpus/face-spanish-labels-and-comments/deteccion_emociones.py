# Detección de emociones en tiempo real con la cámara web
import cv2
import numpy as np
from tensorflow.keras.models import load_model

# Etiquetas del modelo entrenado (mismo orden que en el entrenamiento)
ETIQUETAS = ["Enojado", "Asco", "Miedo", "Feliz", "Triste", "Sorpresa", "Neutral"]

modelo = load_model("modelo.h5")
clasificador = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
camara = cv2.VideoCapture(0)

while True:
    ok, cuadro = camara.read()
    if not ok:
        break
    gris = cv2.cvtColor(cuadro, cv2.COLOR_BGR2GRAY)
    for (x, y, w, h) in clasificador.detectMultiScale(gris, 1.1, 4):
        rostro = cv2.resize(gris[y:y + h, x:x + w], (48, 48)) / 255.0
        prediccion = modelo.predict(rostro.reshape(1, 48, 48, 1))
        print(ETIQUETAS[int(np.argmax(prediccion))])
