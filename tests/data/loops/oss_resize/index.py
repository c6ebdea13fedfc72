"""The Python OSS image-resize sample of seeds/003 ("OSS trigger", Step 2: function code).

Downloads the uploaded image, resizes it with ``x-oss-process`` and saves the result with
``sys/saveas`` under ``processed/`` in the same bucket. Safe when the trigger watches
``source/`` (seeds/001 "触发规则"); loops when the trigger has no prefix filter.
"""

import base64
import json

import oss2


def handler(event, context):
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    oss_raw_data = json.loads(event)
    oss_info_map = oss_raw_data["events"][0]["oss"]
    bucket_name = oss_info_map["bucket"]["name"]
    endpoint = "oss-" + oss_raw_data["events"][0]["region"] + "-internal.aliyuncs.com"
    bucket = oss2.Bucket(auth, endpoint, bucket_name)
    object_name = oss_info_map["object"]["key"]

    remote_stream = bucket.get_object(object_name)
    if not remote_stream:
        print(f"{object_name} does not exist in bucket {bucket_name}")
        return
    processed_path = object_name.replace("source/", "processed/")

    style = "image/resize,m_fixed,w_128,h_128"
    process = f"{style}|sys/saveas,o_{oss2.compat.to_string(base64.urlsafe_b64encode(oss2.compat.to_bytes(processed_path)))},b_{oss2.compat.to_string(base64.urlsafe_b64encode(oss2.compat.to_bytes(bucket_name)))}"
    result = bucket.process_object(object_name, process)
    print(result)
    return processed_path
