import pygame


class Character:
    PORTRAITS = {
        "happy": "eileen_happy.png",
        "sad": "eileen_sad.png",
        "angry": "eileen_angry.png",
        "surprised": "eileen_surprised.png",
    }

    def __init__(self, name: str):
        self.name = name
        self.emotion = "happy"
        self.images = {k: pygame.image.load(f"assets/{v}") for k, v in self.PORTRAITS.items()}

    def show(self, screen, emotion: str):
        self.emotion = emotion
        screen.blit(self.images[emotion], (40, 120))
