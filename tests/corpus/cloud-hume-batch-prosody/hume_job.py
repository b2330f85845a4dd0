import os

from hume import HumeClient
from hume.expression_measurement.batch import Models
from hume.expression_measurement.batch.types import Prosody

client = HumeClient(api_key=os.environ["HUME_API_KEY"])
job_id = client.expression_measurement.batch.start_inference_job(
    urls=["https://example.com/calls/0042.wav"],
    models=Models(prosody=Prosody(granularity="utterance")),
)
print(job_id)
