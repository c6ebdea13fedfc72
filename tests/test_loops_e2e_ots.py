"""A real Tablestore-triggered handler (cbor/cbor2 + OTSClient with sts_token): safe and looping.

seeds/001 表格存储触发器 注意事项: "表格存储Table A触发函数B，函数B又更新Table A的数据，从而造成函数无限
循环调用" and "若函数执行出现异常，函数将无限重试直到Tablestore中的日志数据过期".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.model import TriggerSpec

CODE = str(Path(__file__).parent / "data" / "loops" / "ots_mark")


@pytest.fixture
def event(fc_cloud, tablestore_event, tablestore_record):
    fc_cloud.tablestore.table("shop", "orders")
    fc_cloud.tablestore.table("shop", "orders_audit")
    record = tablestore_record(type="PutRow", primary_key=[("id", 42)], columns=[("status", "new")])
    return tablestore_event(records=[record])


def orders_trigger():
    return TriggerSpec.from_marker("tablestore", name="orders-stream", instance="shop", table="orders")


def run(fc_cloud, handler, event, **kwargs):
    return Invoker(cloud=fc_cloud, triggers=[orders_trigger()], **kwargs)(handler, event, code_dir=CODE)


def test_audit_into_another_table_is_safe(fc_cloud, event):
    result = run(fc_cloud, "index.audit", event)
    assert result.loop is None
    assert [w.describe() for w in result.writes] == ["PutRow table shop/orders_audit"]


def test_updating_the_triggering_table_loops(fc_cloud, event):
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, "index.mark_processed", event)
    assert info.value.chain == (
        "tablestore trigger 'orders-stream' on table shop/orders "
        "-> event Tablestore stream record(s) PutRow "
        "-> handler index.mark_processed "
        "-> write UpdateRow table shop/orders "
        "-> fires tablestore trigger 'orders-stream' again"
    )
    message = str(info.value)
    assert (
        "Why: table shop/orders is the trigger's table: every PutRow/UpdateRow/DeleteRow enters its stream."
    ) in message
    assert (
        "Fix: write the result to another table than shop/orders; FC retries a failing "
        "Tablestore-triggered function until the stream data expires"
    ) in message


def test_depth_redelivers_the_update_record_in_cbor(fc_cloud, event):
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, "index.mark_processed", event, loop_depth=1)
    hop = info.value.report.hops[0]
    assert hop.event.trigger_type == "tablestore"
    record = hop.event.data["Records"][0]
    assert record["Type"] == "UpdateRow"
    assert record["PrimaryKey"] == [{"ColumnName": "id", "Value": 42}]
    assert [c["ColumnName"] for c in record["Columns"]] == ["status"]
    assert "-> event Tablestore stream record(s) UpdateRow -> handler index.mark_processed" in info.value.chain
