import os

import torch
from PIL import Image
from torchvision import transforms

test_root = './test'
transform = transforms.Compose([transforms.Grayscale(), transforms.ToTensor()])
checkpoint = torch.load('checkpoint25.pt')
model = checkpoint['model'].eval()
label2class = checkpoint['label2class']
for name in sorted(os.listdir(test_root)):
    x = transform(Image.open(os.path.join(test_root, name)))[None]
    print(name, label2class[int(model(x).argmax())])
