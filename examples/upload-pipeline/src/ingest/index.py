"""An object landed under incoming/: read it with oss2 and announce it on the MNS topic."""

import json
import os

import oss2
from mns.account import Account
from mns.topic import TopicMessage


def handler(event, context):
    record = json.loads(event)["events"][0]
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, "oss-" + record["region"] + "-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    key = record["oss"]["object"]["key"]
    size = len(bucket.get_object(key).read())
    endpoint = f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com"
    account = Account(endpoint, creds.access_key_id, creds.access_key_secret, creds.security_token)
    body = json.dumps({"bucket": record["oss"]["bucket"]["name"], "key": key, "size": size})
    account.get_topic(os.environ["TOPIC"]).publish_message(TopicMessage(body, "new-file"))
    return key
