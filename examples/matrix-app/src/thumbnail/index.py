"""Make a thumbnail of every JPEG uploaded under uploads/, written under thumbs/.

Written like the FC OSS-trigger sample: credentials from ``context.credentials``,
``oss2.StsAuth``, the internal endpoint of the event's region. (The "thumbnail" is the
first 1 KB of the image, to keep the example free of imaging libraries.)
"""

import json
import os

import oss2


def handler(event, context):
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    record = json.loads(event)["events"][0]
    bucket = oss2.Bucket(auth, "oss-" + record["region"] + "-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    source = record["oss"]["object"]["key"]
    target = os.environ.get("THUMB_PREFIX", "thumbs/") + source.split("/", 1)[-1]
    image = bucket.get_object(source).read()
    bucket.put_object(target, image[:1024], headers={"Content-Type": "image/jpeg"})
    return {"event": record["eventName"], "source": source, "thumbnail": target}
