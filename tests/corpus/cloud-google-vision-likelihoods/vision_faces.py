import io

from google.cloud import vision

client = vision.ImageAnnotatorClient()
likelihood_name = ("UNKNOWN", "VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY")

with io.open("customer.jpg", "rb") as image_file:
    content = image_file.read()
response = client.face_detection(image=vision.Image(content=content))
for face in response.face_annotations:
    print("joy:", likelihood_name[face.joy_likelihood])
    print("sorrow:", likelihood_name[face.sorrow_likelihood])
