"""Joins the parts written by `split` and stores the result under $MERGED_PREFIX."""

import json
import os

import oss2


def handler(event, context):
    record = json.loads(event)["events"][0]
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, "oss-" + record["region"] + "-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    key = record["oss"]["object"]["key"]
    merged = bucket.get_object(key).read().replace(b"|", b"")
    target = os.environ["MERGED_PREFIX"] + key.split("/", 1)[1] + ".merged"
    bucket.put_object(target, merged)
    return target
