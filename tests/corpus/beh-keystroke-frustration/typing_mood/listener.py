import time

import joblib
from pynput import keyboard

CLASSES = ["calm", "frustrated", "stressed", "bored"]
model = joblib.load("keystroke_gbm.joblib")
down, dwell, flight, last_up = {}, [], [], None


def on_press(key):
    down[key] = time.perf_counter()


def on_release(key):
    global last_up
    now = time.perf_counter()
    dwell.append(now - down.pop(key, now))
    if last_up is not None:
        flight.append(now - last_up)
    last_up = now
    if len(dwell) >= 50:
        print(CLASSES[int(model.predict([dwell[-50:] + flight[-49:]])[0])])


with keyboard.Listener(on_press=on_press, on_release=on_release) as listener:
    listener.join()
