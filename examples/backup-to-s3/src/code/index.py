"""Back every OSS upload up to Amazon S3.

Triggered by an OSS upload under ``incoming/``: reads the object with oss2 (signed
with the function's STS credentials from ``context``), copies it to the S3 bucket
``BACKUP_BUCKET`` with boto3 (AWS credentials from the environment, as an FC function
gets them from its configuration or a secret), and records the backup as a small
marker object under ``DONE_PREFIX`` on OSS, outside the trigger's prefix.
"""

import json
import os

import boto3
import oss2


def _oss_bucket(context, name):
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    return oss2.Bucket(auth, f"https://oss-{context.region}-internal.aliyuncs.com", name)


def handler(event, context):
    record = json.loads(event)["events"][0]
    bucket_name = record["oss"]["bucket"]["name"]
    key = record["oss"]["object"]["key"]

    source = _oss_bucket(context, bucket_name)
    data = source.get_object(key).read()

    s3 = boto3.client("s3", region_name=os.environ.get("BACKUP_REGION", "us-east-1"))
    target_key = f"{bucket_name}/{key}"
    reply = s3.put_object(Bucket=os.environ["BACKUP_BUCKET"], Key=target_key, Body=data)

    marker = os.environ.get("DONE_PREFIX", "backed-up/") + key.split("/", 1)[-1] + ".json"
    receipt = {"s3": f"s3://{os.environ['BACKUP_BUCKET']}/{target_key}", "etag": reply["ETag"], "size": len(data)}
    source.put_object(marker, json.dumps(receipt).encode())
    return receipt
