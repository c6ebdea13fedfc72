"""Handlers for the flow tests. Each reads what to do from its environment (set in s.yaml)
and from ``context.retry_count`` (FC counts the retries of an async event there)."""

import json
import os

import oss2
from mns.account import Account
from mns.topic import TopicMessage
from tablestore import Condition, OTSClient, Row, RowExistenceExpectation


class Flaky(Exception):
    pass


def flaky(event, context):
    """Fails while the retry count is below FAIL_TIMES, then returns "done"."""
    if context.retry_count < int(os.environ.get("FAIL_TIMES", "0")):
        raise Flaky(f"attempt {context.retry_count + 1} fails")
    return "done"


def echo(event, context):
    return json.loads(event) if event[:1] in (b"{", b"[") else event.decode()


def publish(event, context):
    creds = context.credentials
    endpoint = f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com"
    account = Account(endpoint, creds.access_key_id, creds.access_key_secret, creds.security_token)
    account.get_topic(os.environ["TOPIC"]).publish_message(TopicMessage(json.dumps({"n": 1})))
    return "published"


def copy_object(event, context):
    """Copies the object that fired it to TARGET_PREFIX + its name (same bucket)."""
    record = json.loads(event)["events"][0]
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, "oss-" + record["region"] + "-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    key = record["oss"]["object"]["key"]
    bucket.put_object(os.environ["TARGET_PREFIX"] + key.rsplit("/", 1)[-1], b"copy")
    return key


def stream(event, context):
    """Tablestore: fails for rows whose id is FAIL_ID while the retry count is below FAIL_TIMES."""
    import cbor2

    records = cbor2.loads(event)["Records"]
    for record in records:
        pk = {c["ColumnName"]: c["Value"] for c in record["PrimaryKey"]}
        if pk.get("id") == os.environ.get("FAIL_ID") and context.retry_count < int(os.environ.get("FAIL_TIMES", "0")):
            raise Flaky(f"row {pk} fails")
    return [{c["ColumnName"]: c["Value"] for c in r["PrimaryKey"]} for r in records]


def put_row(event, context):
    instance = os.environ["OTS_INSTANCE"]
    creds = context.credentials
    endpoint = f"https://{instance}.{context.region}.vpc.tablestore.aliyuncs.com"
    client = OTSClient(endpoint, creds.access_key_id, creds.access_key_secret, instance, sts_token=creds.security_token)
    client.put_row(
        os.environ["OTS_TABLE"],
        Row([("part", "p"), ("id", "1")], [("v", 1)]),
        Condition(RowExistenceExpectation.IGNORE),
    )
    return "row"
