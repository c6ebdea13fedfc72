"""The seeds/003 image-resize sample written against the V2 SDK (alibabacloud-oss-v2).

Credentials come from ``context.credentials`` through ``StaticCredentialsProvider``; the
thumbnail is written with ``put_object`` under ``THUMBNAIL_PREFIX`` (default ``processed/``).
A key already under that prefix is skipped: with a trigger on the whole bucket the thumbnail
fires the function once more, which then stops (the chain converges after one hop).
"""

import json
import os

import alibabacloud_oss_v2 as oss


def handler(event, context):
    record = json.loads(event)["events"][0]
    bucket_name = record["oss"]["bucket"]["name"]
    key = record["oss"]["object"]["key"]
    prefix = os.environ.get("THUMBNAIL_PREFIX", "processed/")
    if key.startswith(prefix):
        return None
    creds = context.credentials

    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(
        creds.access_key_id, creds.access_key_secret, creds.security_token
    )
    cfg.region = record["region"]
    cfg.endpoint = "oss-" + record["region"] + "-internal.aliyuncs.com"
    client = oss.Client(cfg)

    original = client.get_object(oss.GetObjectRequest(bucket=bucket_name, key=key))
    data = original.body.read()
    target = prefix + key.split("/", 1)[-1]
    client.put_object(
        oss.PutObjectRequest(bucket=bucket_name, key=target, body=data[:128], metadata={"source-key": key})
    )
    return target
