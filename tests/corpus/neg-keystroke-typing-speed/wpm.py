import time

from pynput import keyboard

start, keys = None, 0


def on_press(key):
    global start, keys
    start = start or time.time()
    keys += 1
    if key == keyboard.Key.enter:
        minutes = (time.time() - start) / 60
        print(f"{keys / 5 / minutes:.0f} wpm")
        return False


with keyboard.Listener(on_press=on_press) as listener:
    listener.join()
