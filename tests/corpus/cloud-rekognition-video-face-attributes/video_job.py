import boto3

rek = boto3.client("rekognition")
job = rek.start_face_detection(
    Video={"S3Object": {"Bucket": "store-cctv", "Name": "till-3/2025-03-01.mp4"}},
    FaceAttributes="ALL",
)
print(job["JobId"])
