import boto3

client = boto3.client("rekognition", region_name="eu-west-1")


def faces(image_bytes, attributes):
    return client.detect_faces(Image={"Bytes": image_bytes}, Attributes=attributes)["FaceDetails"]


def dominant(face):
    top = max(face["Emotions"], key=lambda e: e["Confidence"])
    return top["Type"]
