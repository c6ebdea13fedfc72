"""Tablestore trigger events are CBOR that both ``cbor2`` and the ``cbor`` package the FC
Python images ship decode to the same records (seeds/002 "Tablestore trigger";
reference section 6: the official sample does ``cbor.loads(event)``)."""

from __future__ import annotations

import base64
import json

import cbor
import cbor2
import pytest

from pytest_fctrigger.errors import ConfigError, UnknownFieldError
from pytest_fctrigger.events import TABLESTORE_ROW_TYPES, FCRandom, tablestore_event, tablestore_record

ALL_VALUE_TYPES = [
    ("i", 1506416585881590900),  # Integer (int64, the sample's value)
    ("neg", -(2**63)),
    ("s", "hello_table_store"),  # String
    ("u", "中文"),
    ("b", b"\x00\x01\xfe\xff"),  # Blob
    ("t", True),  # Boolean
    ("f", False),
    ("d", 3.141592653589793),  # Double
]


def both_decoders(event):
    a = cbor2.loads(bytes(event))
    b = cbor.loads(bytes(event))
    assert a == b == event.data
    return a


@pytest.mark.parametrize("row_type", TABLESTORE_ROW_TYPES)
def test_default_events_decode_identically_with_cbor2_and_cbor(row_type):
    event = tablestore_event(row_type=row_type, rng=FCRandom(4))
    decoded = both_decoders(event)
    assert decoded["Version"] == "Sync-v1"
    (record,) = decoded["Records"]
    assert record["Type"] == row_type and event.variant == row_type
    assert list(record) == ["Type", "Info", "PrimaryKey", "Columns"]
    assert type(record["Info"]["Timestamp"]) is int
    if row_type == "DeleteRow":
        assert record["Columns"] == []
    else:
        assert record["Columns"]


def test_every_value_type_and_column_operation_round_trips():
    rec = tablestore_record(
        type="UpdateRow",
        primary_key=[("pk_int", 7), ("pk_str", "a"), ("pk_blob", bytearray(b"\x10\x20"))],
        columns=[(name, value) for name, value in ALL_VALUE_TYPES]
        + [
            {"Type": "DeleteOneVersion", "ColumnName": "old", "Timestamp": 1506416585741},
            {"Type": "DeleteAllVersions", "ColumnName": "gone"},
        ],
        timestamp=1506416585740836,
        rng=1,
    )
    event = tablestore_event(records=[rec], rng=1)
    decoded = both_decoders(event)
    (record,) = decoded["Records"]
    assert record["Info"] == {"Timestamp": 1506416585740836}  # microseconds
    pk = {c["ColumnName"]: c["Value"] for c in record["PrimaryKey"]}
    assert pk == {"pk_int": 7, "pk_str": "a", "pk_blob": b"\x10\x20"}
    assert type(pk["pk_blob"]) is bytes  # bytearray became bytes
    puts = {c["ColumnName"]: c for c in record["Columns"] if c["Type"] == "Put"}
    for name, value in ALL_VALUE_TYPES:
        assert puts[name]["Value"] == value and type(puts[name]["Value"]) is type(value)
        assert puts[name]["Timestamp"] == 1506416585740  # ms of the row's time
    deletes = [c for c in record["Columns"] if c["Type"] != "Put"]
    assert deletes == [
        {"Type": "DeleteOneVersion", "ColumnName": "old", "Timestamp": 1506416585741},
        {"Type": "DeleteAllVersions", "ColumnName": "gone"},
    ]


def test_encoding_is_cbor2_default_mode_and_byte_identical_to_cbor():
    event = tablestore_event(records=[tablestore_record(columns=ALL_VALUE_TYPES, rng=2)], rng=2)
    assert bytes(event) == cbor2.dumps(event.data) == cbor.dumps(event.data)
    assert bytes(event)[:1] == b"\xa2"  # a 2-entry map: Version, Records (insertion order kept)


def test_primary_key_and_columns_accept_dicts_and_mappings():
    a = tablestore_record(
        primary_key=[{"ColumnName": "id", "Value": 1}],
        columns=[{"Type": "Put", "ColumnName": "x", "Value": "y", "Timestamp": 5}],
        rng=1,
    )
    b = tablestore_record(primary_key={"id": 1}, columns={"x": "y"}, timestamp=a["Info"]["Timestamp"], rng=1)
    assert a["PrimaryKey"] == b["PrimaryKey"]
    assert a["Columns"][0]["Timestamp"] == 5 and b["Columns"][0]["Timestamp"] == a["Info"]["Timestamp"] // 1000


def test_several_records_and_mixed_variant():
    records = [tablestore_record(type=t, rng=FCRandom(i)) for i, t in enumerate(TABLESTORE_ROW_TYPES)]
    event = tablestore_event(records=records, rng=1)
    assert [r["Type"] for r in both_decoders(event)["Records"]] == list(TABLESTORE_ROW_TYPES)
    assert event.variant == "mixed"


def test_json_encoding_is_the_console_form_with_base64_blobs():
    rec = tablestore_record(primary_key=[("k", b"\xff")], columns=[("c", b"ab")], rng=1)
    event = tablestore_event(records=[rec], encoding="json", rng=1)
    data = json.loads(bytes(event))
    assert data["Records"][0]["PrimaryKey"][0]["Value"] == base64.b64encode(b"\xff").decode()
    assert data["Records"][0]["Columns"][0]["Value"] == "YWI="
    with pytest.raises(ConfigError, match="'cbor' or 'json'"):
        tablestore_event(encoding="xml", rng=1)


def test_overrides_apply_before_encoding():
    event = tablestore_event(rng=1, overrides={"Records.0.PrimaryKey.0.Value": "u1"})
    assert both_decoders(event)["Records"][0]["PrimaryKey"][0]["Value"] == "u1"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"primary_key": [("k", True)]}, "not Boolean"),
        ({"primary_key": [("k", 1.5)]}, "not a Tablestore value"),
        ({"primary_key": [("k", 2**63)]}, "out of range"),
        ({"primary_key": []}, "at least one primary-key column"),
        ({"primary_key": [("", 1)]}, "non-empty string"),
        ({"columns": [("c", [1, 2])]}, "not a Tablestore value"),
        ({"columns": [{"Type": "Put", "ColumnName": "c"}]}, "needs a Value"),
        ({"columns": [{"Type": "DeleteOneVersion", "ColumnName": "c", "Value": 1}]}, "carries no Value"),
        ({"columns": [{"Type": "DeleteAllVersions", "ColumnName": "c", "Timestamp": 1}]}, "carries no Timestamp"),
        ({"columns": [{"Type": "Drop", "ColumnName": "c"}]}, "not one of Put"),
        ({"columns": [{"ColumnName": "c", "Value": 1, "Ts": 1}]}, "unknown key"),
        ({"type": "DeleteRow", "columns": [("c", 1)]}, "has no columns"),
        ({"type": "InsertRow"}, "not one of PutRow"),
    ],
)
def test_invalid_records_are_rejected_with_the_reason(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        tablestore_record(rng=1, **kwargs)


def test_invalid_event_arguments():
    with pytest.raises(ConfigError, match="exactly Type, Info, PrimaryKey and Columns"):
        tablestore_event(records=[{"Type": "PutRow"}], rng=1)
    with pytest.raises(ConfigError, match="list of records"):
        tablestore_event(records={"Type": "PutRow"}, rng=1)
    with pytest.raises(UnknownFieldError, match="row_typ"):
        tablestore_event(row_typ="PutRow", rng=1)
