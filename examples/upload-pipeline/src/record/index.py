"""A file was announced: record it in the Tablestore table (idempotent: put_row by key)."""

import json
import os

from tablestore import Condition, OTSClient, Row, RowExistenceExpectation

_CLIENTS = {}  # one client per instance and credentials: a warm FC instance reuses it


def _client(context, instance):
    creds = context.credentials
    key = (instance, creds.access_key_id, creds.security_token)
    if key not in _CLIENTS:
        endpoint = f"https://{instance}.{context.region}.vpc.tablestore.aliyuncs.com"
        _CLIENTS[key] = OTSClient(
            endpoint, creds.access_key_id, creds.access_key_secret, instance, sts_token=creds.security_token
        )
    return _CLIENTS[key]


def handler(event, context):
    notification = json.loads(event)
    file = json.loads(notification["Message"])
    instance = os.environ["OTS_INSTANCE"]
    client = _client(context, instance)
    row = Row([("key", file["key"])], [("size", file["size"]), ("bucket", file["bucket"])])
    client.put_row(os.environ["OTS_TABLE"], row, Condition(RowExistenceExpectation.IGNORE))
    return file["key"]
