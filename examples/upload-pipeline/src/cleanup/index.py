"""Nightly: delete what ingest has already announced (everything under the payload's prefix)."""

import json

import oss2


def handler(event, context):
    payload = json.loads(json.loads(event)["payload"])
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, f"oss-{context.region}-internal.aliyuncs.com", payload["bucket"])
    keys = [obj.key for obj in oss2.ObjectIterator(bucket, prefix=payload["prefix"])]
    for key in keys:
        bucket.delete_object(key)
    return len(keys)
