"""An object landed under incoming/: announce its key on the MNS topic (one SDK call)."""

import json

from mns.account import Account
from mns.topic import TopicMessage


def handler(event, context):
    key = json.loads(event)["events"][0]["oss"]["object"]["key"]
    creds = context.credentials
    endpoint = f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com"
    account = Account(endpoint, creds.access_key_id, creds.access_key_secret, creds.security_token)
    account.get_topic("uploaded").publish_message(TopicMessage(key))
    return key
