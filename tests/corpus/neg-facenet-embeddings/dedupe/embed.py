import torch
from facenet_pytorch import MTCNN, InceptionResnetV1
from PIL import Image

mtcnn = MTCNN(image_size=160)
resnet = InceptionResnetV1(pretrained="vggface2").eval()


def embedding(path):
    face = mtcnn(Image.open(path))
    with torch.no_grad():
        return resnet(face.unsqueeze(0))[0]
