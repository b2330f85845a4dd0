import math
import pickle

from pynput import mouse

with open("mouse_svm.pkl", "rb") as f:
    clf = pickle.load(f)
AFFECT = {0: "relaxed", 1: "nervous", 2: "anxious", 3: "confused"}
points = []


def on_move(x, y):
    points.append((x, y))
    if len(points) > 200:
        speeds = [math.dist(a, b) for a, b in zip(points, points[1:])]
        print(AFFECT[int(clf.predict([speeds[-199:]])[0])])
        points.clear()


mouse.Listener(on_move=on_move).start()
