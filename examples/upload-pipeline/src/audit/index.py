"""A row changed in the files table: write one audit row per record (into another table)."""

import os

import cbor2
from tablestore import Condition, OTSClient, Row, RowExistenceExpectation


def handler(event, context):
    records = cbor2.loads(event)["Records"]
    instance = os.environ["OTS_INSTANCE"]
    creds = context.credentials
    endpoint = f"https://{instance}.{context.region}.vpc.tablestore.aliyuncs.com"
    client = OTSClient(endpoint, creds.access_key_id, creds.access_key_secret, instance, sts_token=creds.security_token)
    for record in records:
        pk = [(c["ColumnName"], c["Value"]) for c in record["PrimaryKey"]]
        row = Row(pk, [("change", record["Type"]), ("at", record["Info"]["Timestamp"])])
        client.put_row("audit", row, Condition(RowExistenceExpectation.IGNORE))
    return len(records)
