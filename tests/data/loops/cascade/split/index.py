"""Splits an uploaded text object into two parts under mid/ (oss2, credentials from context)."""

import json

import oss2


def handler(event, context):
    record = json.loads(event)["events"][0]
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, "oss-" + record["region"] + "-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    key = record["oss"]["object"]["key"]
    data = bucket.get_object(key).read()
    name = key.split("/", 1)[1]
    half = len(data) // 2
    bucket.put_object("mid/" + name, data[:half] + b"|" + data[half:])
    return "mid/" + name
