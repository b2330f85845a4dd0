import json

import boto3

ATTRIBUTES = ["ALL"]
rekognition = boto3.client("rekognition")


def lambda_handler(event, context):
    record = event["Records"][0]["s3"]
    response = rekognition.detect_faces(
        Image={"S3Object": {"Bucket": record["bucket"]["name"], "Name": record["object"]["key"]}},
        Attributes=ATTRIBUTES,
    )
    return {"statusCode": 200, "body": json.dumps(response["FaceDetails"])}
