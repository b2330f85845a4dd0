import glob
import os

files = glob.glob("UTKFace/*.jpg")
ages = [int(os.path.basename(f).split("_")[0]) for f in files]
