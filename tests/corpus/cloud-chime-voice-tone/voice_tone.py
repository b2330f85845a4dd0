import boto3

pipelines = boto3.client("chime-sdk-media-pipelines")


def start(pipeline_arn: str, stream_arn: str, fragment: str):
    return pipelines.start_voice_tone_analysis_task(
        Identifier=pipeline_arn,
        LanguageCode="en-US",
        KinesisVideoStreamSourceTaskConfiguration={"StreamArn": stream_arn, "ChannelId": 0, "FragmentNumber": fragment},
    )
