"""Every Tablestore write produces the stream record FC would deliver, as CBOR.

Payload shape: seeds/002 "Tablestore trigger" (Version Sync-v1; Records with Type,
Info.Timestamp, PrimaryKey, Columns of Put / DeleteOneVersion / DeleteAllVersions);
Info.Timestamp in microseconds, column Timestamp in milliseconds (reference
fc-runtime-and-config.md section 6). Events are decoded with both ``cbor2`` and the
``cbor`` package the FC images ship.
"""

import cbor
import cbor2
import pytest

ots = pytest.importorskip("tablestore")
from cloud_tablestore_helpers import INSTANCE, active_cloud, client, create_table  # noqa: E402
from tablestore import (  # noqa: E402
    BatchWriteRowRequest,
    Condition,
    DeleteRowItem,
    OTSServiceError,
    PutRowItem,
    Row,
    TableInBatchWriteRowItem,
    UpdateRowItem,
)

PK = [("gid", 7), ("uid", "u-7")]
PK_RECORD = [{"ColumnName": "gid", "Value": 7}, {"ColumnName": "uid", "Value": "u-7"}]


@pytest.fixture
def cloud():
    with active_cloud(83) as c:
        yield c


@pytest.fixture
def db(cloud):
    c = client(cloud)
    create_table(c, "orders", max_versions=5)
    return c


def _decoded(write):
    """The event decoded by both CBOR libraries (they must agree)."""
    by_cbor2, by_cbor = cbor2.loads(bytes(write.event)), cbor.loads(bytes(write.event))
    assert by_cbor2 == by_cbor == write.event.data
    return by_cbor2


def test_put_row_is_one_putrow_record_with_put_columns(cloud, db):
    db.put_row(
        "orders",
        Row(
            PK,
            [
                ("status", "new"),
                ("amount", 9.5),
                ("raw", bytearray(b"\x00\xff")),
                ("flag", False),
                ("at", 1234, 1700000000000),
            ],
        ),
    )
    (write,) = cloud.journal
    assert (write.service, write.api, write.event_name, write.sdk) == ("tablestore", "PutRow", "PutRow", "tablestore")
    assert write.resource == {"instance": INSTANCE, "table": "orders", "primary_key": PK}
    ts = db.get_row("orders", PK)[1].attribute_columns[-1][2]  # "status": the server's timestamp
    assert _decoded(write) == {
        "Version": "Sync-v1",
        "Records": [
            {
                "Type": "PutRow",
                "Info": {"Timestamp": ts * 1000},
                "PrimaryKey": PK_RECORD,
                "Columns": [
                    {"Type": "Put", "ColumnName": "status", "Value": "new", "Timestamp": ts},
                    {"Type": "Put", "ColumnName": "amount", "Value": 9.5, "Timestamp": ts},
                    {"Type": "Put", "ColumnName": "raw", "Value": b"\x00\xff", "Timestamp": ts},
                    {"Type": "Put", "ColumnName": "flag", "Value": False, "Timestamp": ts},
                    {"Type": "Put", "ColumnName": "at", "Value": 1234, "Timestamp": 1700000000000},
                ],
            }
        ],
    }
    assert type(cbor.loads(bytes(write.event))["Records"][0]["Columns"][2]["Value"]) is bytes


def test_update_row_maps_each_column_operation(cloud, db):
    db.put_row("orders", Row(PK, [("v", 1, 100), ("n", 40), ("gone", "x")]))
    db.update_row(
        "orders",
        Row(
            PK, {"put": [("v", 2, 200)], "delete": [("v", None, 100)], "delete_all": ["gone"], "increment": [("n", 2)]}
        ),
        None,
    )
    write = list(cloud.journal)[-1]
    record = _decoded(write)["Records"][0]
    ts = record["Info"]["Timestamp"] // 1000
    assert (write.api, record["Type"], record["PrimaryKey"]) == ("UpdateRow", "UpdateRow", PK_RECORD)
    assert record["Columns"] == [
        {"Type": "Put", "ColumnName": "v", "Value": 2, "Timestamp": 200},
        {"Type": "DeleteOneVersion", "ColumnName": "v", "Timestamp": 100},
        {"Type": "DeleteAllVersions", "ColumnName": "gone"},
        # an atomic increment reaches the stream as the resulting value
        {"Type": "Put", "ColumnName": "n", "Value": 42, "Timestamp": ts},
    ]


def test_delete_row_record_has_no_columns(cloud, db):
    db.put_row("orders", Row(PK, [("a", 1)]))
    db.delete_row("orders", Row(PK), None)
    record = _decoded(list(cloud.journal)[-1])["Records"][0]
    assert (record["Type"], record["PrimaryKey"], record["Columns"]) == ("DeleteRow", PK_RECORD, [])


def test_batch_write_records_one_write_per_applied_row(cloud, db):
    request = BatchWriteRowRequest()
    request.add(
        TableInBatchWriteRowItem(
            "orders",
            [
                PutRowItem(Row([("gid", 1), ("uid", "a")], [("x", 1)]), Condition("IGNORE")),
                UpdateRowItem(Row([("gid", 2), ("uid", "b")], {"put": [("x", 2)]}), Condition("EXPECT_EXIST")),
                DeleteRowItem(Row([("gid", 3), ("uid", "c")]), Condition("IGNORE")),
            ],
        )
    )
    db.batch_write_row(request)
    writes = list(cloud.journal)
    assert [(w.api, w.event_name, w.resource["primary_key"]) for w in writes] == [
        ("BatchWriteRow", "PutRow", [("gid", 1), ("uid", "a")]),
        ("BatchWriteRow", "DeleteRow", [("gid", 3), ("uid", "c")]),
    ]
    assert [len(_decoded(w)["Records"]) for w in writes] == [1, 1]


def test_writes_that_fail_produce_no_event(cloud, db):
    with pytest.raises(OTSServiceError):
        db.update_row("orders", Row(PK, {"put": [("a", 1)]}), Condition("EXPECT_EXIST"))
    with pytest.raises(OTSServiceError):
        db.put_row("missing-table", Row(PK, [("a", 1)]))
    assert list(cloud.journal) == []


def test_record_timestamps_increase_with_every_write(cloud, db):
    for i in range(3):
        db.put_row("orders", Row(PK, [("i", i)]))
    stamps = [_decoded(w)["Records"][0]["Info"]["Timestamp"] for w in cloud.journal]
    assert stamps == sorted(set(stamps))


INSTANCE_NAME = INSTANCE


def audit_handler(event, context):
    """A Tablestore-triggered handler written like the official sample
    (awesome-fc ots-trigger-python: ``records = cbor.loads(event)``) that writes an
    audit row with the function's own credentials."""
    import cbor
    from tablestore import OTSClient, Row

    records = cbor.loads(event)
    creds = context.credentials
    client = OTSClient(
        f"https://{INSTANCE_NAME}.{context.region}.ots.aliyuncs.com",
        creds.access_key_id,
        creds.access_key_secret,
        INSTANCE_NAME,
        sts_token=creds.security_token,
    )
    for record in records["Records"]:
        pk = [(c["ColumnName"], c["Value"]) for c in record["PrimaryKey"]]
        puts = [c for c in record["Columns"] if c["Type"] == "Put"]
        client.put_row("audit", Row([("source", repr(pk))], [("op", record["Type"]), ("columns", len(puts))]))
    return len(records["Records"])


def test_a_cbor_decoding_handler_writes_back_through_the_fake(cloud):
    from pytest_fctrigger.invoke import Invoker

    orders = cloud.tablestore.table(INSTANCE, "orders", primary_key=[("gid", "INTEGER"), ("uid", "STRING")])
    audit = cloud.tablestore.table(INSTANCE, "audit", primary_key=[("source", "STRING")])
    event = orders.put(PK, {"status": "paid", "blob": bytearray(b"\x01")})
    result = Invoker(rng=cloud.rng, cloud=cloud)(audit_handler, event)
    assert result.payload == b"1"
    (row,) = audit.rows
    assert row.columns == {"columns": 2, "op": "PutRow"}
    assert [(w.api, w.resource["table"]) for w in result.writes] == [("PutRow", "audit")]


def test_writing_back_to_the_trigger_table_is_reported_as_a_loop(cloud):
    """The looping form of the CBOR sample: its journaled write matches the function's
    own Tablestore trigger; the safe form (another table) matches nothing."""
    from pytest_fctrigger.invoke import Invoker
    from pytest_fctrigger.loops import LoopDetector, SelfTriggerLoop
    from pytest_fctrigger.triggers.model import TriggerSpec

    cloud.tablestore.table(INSTANCE, "audit", primary_key=[("source", "STRING")])
    orders = cloud.tablestore.table(INSTANCE, "orders", primary_key=[("gid", "INTEGER"), ("uid", "STRING")])
    result = Invoker(rng=cloud.rng, cloud=cloud)(audit_handler, orders.put(PK, {"status": "paid"}))

    def check(table):
        trigger = TriggerSpec.from_marker("tablestore", instance=INSTANCE, table=table)
        return LoopDetector([trigger]).check(result.writes)

    with pytest.raises(SelfTriggerLoop) as info:
        check("audit")
    assert f"table {INSTANCE}/audit" in info.value.chain
    assert check("orders") is None
