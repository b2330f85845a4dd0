import numpy as np
import tobii_research as tr
import torch

STATES = ["engaged", "bored", "confused", "frustrated"]
net = torch.load("gaze_lstm.pt", weights_only=False)
samples = []


def on_gaze(data):
    samples.append(data["left_gaze_point_on_display_area"] + data["right_gaze_point_on_display_area"])


tracker = tr.find_all_eyetrackers()[0]
tracker.subscribe_to(tr.EYETRACKER_GAZE_DATA, on_gaze, as_dictionary=True)


def current_state() -> str:
    x = torch.tensor(np.asarray(samples[-300:]), dtype=torch.float32)[None]
    return STATES[int(net(x).argmax())]
