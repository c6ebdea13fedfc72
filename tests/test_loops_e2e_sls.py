"""An SLS ETL handler that puts its output into its own source logstore (aliyun-log-python-sdk).

The log trigger reads ``sourceConfig.logstore``; a function writing back into it makes the
data of its next run (reference fc-runtime-and-config.md section 8 applies the OSS rule to
every source). The handler pulls the shard range of the event and put_logs the enriched logs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.model import TriggerSpec

CODE = str(Path(__file__).parent / "data" / "loops" / "sls_enrich")


@pytest.fixture
def event(fc_cloud, sls_event):
    def build(target_logstore):
        store = fc_cloud.sls.logstore("etl", "raw", shards=1)
        fc_cloud.sls.logstore("etl", "raw-enriched", shards=1)
        begin, end = store.append(0, [{"user": "u1", "path": "/a"}, {"user": "u2", "path": "/b"}])
        return sls_event(
            project="etl",
            logstore="raw",
            shard_id=0,
            begin_cursor=begin,
            end_cursor=end,
            endpoint=fc_cloud.sls.endpoint(),
            parameter={"target_logstore": target_logstore},
        )

    return build


def trigger():
    return TriggerSpec.from_marker(
        "log", name="etl", project="etl", logstore="raw", logConfig={"project": "etl", "logstore": "fc-logs"}
    )


def test_enriched_logs_into_another_logstore_are_safe(fc_cloud, event):
    result = Invoker(cloud=fc_cloud, triggers=[trigger()])("index.handler", event("raw-enriched"), code_dir=CODE)
    assert result.loop is None
    assert [w.describe() for w in result.writes] == ["PutLogs logstore etl/raw-enriched"]


def test_put_logs_into_the_source_logstore_loops(fc_cloud, event):
    with pytest.raises(SelfTriggerLoop) as info:
        Invoker(cloud=fc_cloud, triggers=[trigger()])("index.handler", event("raw"), code_dir=CODE)
    assert info.value.chain == (
        "log trigger 'etl' on logstore etl/raw "
        "-> event SLS shard 0 of logstore etl/raw "
        "-> handler index.handler "
        "-> write PutLogs logstore etl/raw "
        "-> fires log trigger 'etl' again"
    )
    assert "Fix: put the logs into another logstore than the trigger's source etl/raw." in str(info.value)
