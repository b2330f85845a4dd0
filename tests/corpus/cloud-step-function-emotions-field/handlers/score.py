import boto3

table = boto3.resource("dynamodb").Table("visits")


def handler(event, _context):
    for face in event["FaceDetails"]:
        emotions = {e["Type"]: e["Confidence"] for e in face["Emotions"]}
        table.put_item(Item={"visit": event["visit"], "emotions": emotions})
