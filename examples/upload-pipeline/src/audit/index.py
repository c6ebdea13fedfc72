"""A row changed in the files table: write one audit row per record (into another table)."""

import os

import cbor2
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
    records = cbor2.loads(event)["Records"]
    instance = os.environ["OTS_INSTANCE"]
    client = _client(context, instance)
    for record in records:
        pk = [(c["ColumnName"], c["Value"]) for c in record["PrimaryKey"]]
        row = Row(pk, [("change", record["Type"]), ("at", record["Info"]["Timestamp"])])
        client.put_row("audit", row, Condition(RowExistenceExpectation.IGNORE))
    return len(records)
