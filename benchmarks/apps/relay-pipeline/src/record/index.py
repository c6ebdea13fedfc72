"""A key was announced: put one row for it (one SDK call)."""

import json

from tablestore import Condition, OTSClient, Row, RowExistenceExpectation

_CLIENTS = {}  # one client per credentials: a warm FC instance reuses it


def handler(event, context):
    key = json.loads(event)["Message"]
    creds = context.credentials
    client = _CLIENTS.get(creds.security_token)
    if client is None:
        client = _CLIENTS[creds.security_token] = OTSClient(
            f"https://uploads.{context.region}.vpc.tablestore.aliyuncs.com",
            creds.access_key_id,
            creds.access_key_secret,
            "uploads",
            sts_token=creds.security_token,
        )
    client.put_row("files", Row([("key", key)], [("seen", True)]), Condition(RowExistenceExpectation.IGNORE))
    return key
