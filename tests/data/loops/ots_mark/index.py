"""Tablestore-triggered handlers in the shape of the FC ots-trigger sample (``cbor.loads``).

``mark_processed`` updates the row that triggered it (Table A -> function B -> Table A,
the loop of seeds/001 表格存储触发器 注意事项); ``audit`` decodes with cbor2 and writes an
audit row into ``<table>_audit`` instead.
"""

import os

import cbor
import cbor2
from tablestore import Condition, OTSClient, Row, RowExistenceExpectation

INSTANCE = os.environ.get("OTS_INSTANCE", "shop")
TABLE = os.environ.get("OTS_TABLE", "orders")


def _client(context):
    creds = context.credentials
    endpoint = f"https://{INSTANCE}.{context.region}.vpc.tablestore.aliyuncs.com"
    return OTSClient(endpoint, creds.access_key_id, creds.access_key_secret, INSTANCE, sts_token=creds.security_token)


def _pk(record):
    return [(c["ColumnName"], c["Value"]) for c in record["PrimaryKey"]]


def mark_processed(event, context):
    records = cbor.loads(event)
    client = _client(context)
    for record in records["Records"]:
        if record["Type"] == "DeleteRow":
            continue
        row = Row(_pk(record), {"PUT": [("status", "processed")]})
        client.update_row(TABLE, row, Condition(RowExistenceExpectation.IGNORE))
    return len(records["Records"])


def audit(event, context):
    records = cbor2.loads(event)
    client = _client(context)
    for record in records["Records"]:
        pk = _pk(record)
        columns = [("change", record["Type"]), ("at", record["Info"]["Timestamp"])]
        client.put_row(TABLE + "_audit", Row(pk, columns), Condition(RowExistenceExpectation.IGNORE))
    return len(records["Records"])
