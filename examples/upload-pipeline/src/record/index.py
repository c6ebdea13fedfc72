"""A file was announced: record it in the Tablestore table (idempotent: put_row by key)."""

import json
import os

from tablestore import Condition, OTSClient, Row, RowExistenceExpectation


def handler(event, context):
    notification = json.loads(event)
    file = json.loads(notification["Message"])
    instance = os.environ["OTS_INSTANCE"]
    creds = context.credentials
    endpoint = f"https://{instance}.{context.region}.vpc.tablestore.aliyuncs.com"
    client = OTSClient(endpoint, creds.access_key_id, creds.access_key_secret, instance, sts_token=creds.security_token)
    row = Row([("key", file["key"])], [("size", file["size"]), ("bucket", file["bucket"])])
    client.put_row(os.environ["OTS_TABLE"], row, Condition(RowExistenceExpectation.IGNORE))
    return file["key"]
