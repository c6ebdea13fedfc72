"""The Tablestore page's example (docs/cloud/tablestore.md) run as a user's test file,
through the ``fc_cloud`` and ``fc_invoke`` fixtures."""

import pytest

pytest.importorskip("tablestore")

EXAMPLE = '''
import cbor
from tablestore import OTSClient, Row


def handler(event, context):
    records = cbor.loads(event)
    creds = context.credentials
    client = OTSClient(f"https://my-inst.{context.region}.ots.aliyuncs.com", creds.access_key_id,
                       creds.access_key_secret, "my-inst", sts_token=creds.security_token)
    for record in records["Records"]:
        pk = [(c["ColumnName"], c["Value"]) for c in record["PrimaryKey"]]
        client.put_row("audit", Row([("source", repr(pk))], [("op", record["Type"])]))


def test_handler_writes_an_audit_row(fc_cloud, fc_invoke):
    orders = fc_cloud.tablestore.table("my-inst", "orders", primary_key=[("id", "INTEGER")])
    audit = fc_cloud.tablestore.table("my-inst", "audit", primary_key=[("source", "STRING")])
    event = orders.put([("id", 1)], {"status": "paid"})
    fc_invoke(handler, event)
    assert audit.rows[0].columns == {"op": "PutRow"}


def test_tables_do_not_leak_between_tests(fc_cloud):
    assert fc_cloud.tablestore.tables == {}
'''


def test_documented_example_passes(pytester):
    pytester.makepyfile(test_example=EXAMPLE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)

