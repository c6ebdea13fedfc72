"""Resize images uploaded under source/ and save them under processed/ in the same bucket.

Written the way the FC OSS-trigger sample does it (Configure a native OSS trigger,
"Write and test function code"): credentials from ``context.credentials``,
``oss2.StsAuth``, the internal endpoint of the event's region, and
``process_object`` with ``sys/saveas``. The output prefix is configurable so the
example can show what happens when it is pointed back at the trigger's prefix.
"""

import base64
import json
import os

import oss2


def _b64(text):
    return oss2.compat.to_string(base64.urlsafe_b64encode(oss2.compat.to_bytes(text)))


def handler(event, context):
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)

    record = json.loads(event)["events"][0]
    bucket_name = record["oss"]["bucket"]["name"]
    endpoint = "oss-" + record["region"] + "-internal.aliyuncs.com"
    bucket = oss2.Bucket(auth, endpoint, bucket_name)
    object_name = record["oss"]["object"]["key"]

    output_dir = os.environ.get("OUTPUT_DIR", "processed/")
    target = output_dir + object_name.split("/", 1)[-1]

    style = "image/resize,m_fixed,w_128,h_128"
    process = f"{style}|sys/saveas,o_{_b64(target)},b_{_b64(bucket_name)}"
    result = bucket.process_object(object_name, process)
    return {"source": object_name, "target": target, "status": result.status}
