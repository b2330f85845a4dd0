from azure.cognitiveservices.vision.face import FaceClient
from azure.cognitiveservices.vision.face.models import FaceAttributeType
from msrest.authentication import CognitiveServicesCredentials

face_client = FaceClient("https://westeurope.api.cognitive.microsoft.com/", CognitiveServicesCredentials("KEY"))

with open("agent.jpg", "rb") as image:
    faces = face_client.face.detect_with_stream(
        image, return_face_attributes=[FaceAttributeType.emotion, FaceAttributeType.age]
    )
for face in faces:
    print(face.face_attributes.emotion)
