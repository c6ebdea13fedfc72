"""Tests of the access-log ETL function under pytest-fctrigger.

The function runs unmodified: its own ``aliyun-log-python-sdk`` calls reach the
simulated logstores of ``fc_cloud.sls``, and ``fc_cloud.sls.job`` plays the SLS ETL
job that FC runs for the ``log`` trigger declared in ``s.yaml``.
"""

import dataclasses
import json

import pytest


@pytest.fixture
def function(fc_app):
    return fc_app.function("access-etl")


@pytest.fixture
def trigger(function):
    return function.trigger("access-log-etl")


@pytest.fixture
def source(fc_cloud, trigger):
    return fc_cloud.sls.logstore(trigger.project, trigger.logstore, shards=2)


@pytest.fixture
def target(fc_cloud, trigger):
    return fc_cloud.sls.logstore(trigger.project, trigger.config["functionParameter"]["targetLogstore"], shards=1)


def _errors(logs):
    return sorted((log["request_uri"], log["status"]) for log in logs if int(log["status"]) >= 400)


def test_error_requests_are_copied_exactly_once(fc_cloud, function, trigger, source, target):
    job = fc_cloud.sls.job(function, trigger)
    for _ in range(5):  # traffic keeps arriving between trigger runs
        source.append_fake(0, 120, kind="access", group_size=40)
        source.append_fake(1, 60, kind="access")
        calls = job.tick()
        assert sorted(c.shard_id for c in calls) == [0, 1]
        assert all(c.ok for c in calls), [c.error for c in calls]
    assert job.failed_ranges == []
    written = target.logs()
    assert _errors(written) == _errors(source.logs())
    assert len(written) > 0
    # every written log names the deterministic ETL task that produced it
    assert {log["etl_task_id"] for log in written} <= {c.task_id for c in job.invocations}


def test_the_function_reports_what_it_did(fc_cloud, function, trigger, source, target):
    source.append(0, [{"status": "200", "request_uri": "/ok"}, {"status": "503", "request_uri": "/down"}])
    (call,) = fc_cloud.sls.job(function, trigger).tick()
    assert json.loads(call.result.payload) == {"pulled": 2, "written": 1}
    assert "pulled 2 logs, wrote 1" in call.result.logs
    (write,) = call.result.writes
    assert write.resource == {"project": trigger.project, "logstore": "access-errors"}


def test_empty_trigger_when_storage_upgrades_is_ignored(fc_cloud, function, trigger, source, target):
    job = fc_cloud.sls.job(function, trigger)
    calls = job.tick(storage_upgrade=True)  # no data at all: one empty range per shard
    assert [c.shard_id for c in calls] == [0, 1]
    assert [json.loads(c.result.payload) for c in calls] == [{"pulled": 0, "written": 0}] * 2
    assert target.logs() == []


def test_a_missing_target_fails_every_retry_then_the_range_is_reported(fc_cloud, function, trigger, source):
    # the target logstore does not exist: put_logs raises the SDK's LogException
    source.append(1, [{"status": "500", "request_uri": "/boom"}])
    job = fc_cloud.sls.job(function, trigger)
    calls = job.tick()
    assert [c.attempt for c in calls] == [1, 2, 3, 4]  # 1 + maxRetryTime (3) from s.yaml
    assert calls[-1].error["errorType"] == "LogException"
    assert "LogStoreNotExist" in calls[-1].error["errorMessage"]
    (failed,) = job.failed_ranges
    assert (failed.shard_id, failed.attempts) == (1, 4)
    # once the target exists, the next range is delivered and nothing else is lost
    fc_cloud.sls.logstore(trigger.project, "access-errors", shards=1)
    source.append(1, [{"status": "404", "request_uri": "/missing"}])
    (ok,) = job.tick()
    assert ok.ok and ok.begin_cursor == failed.end_cursor


def test_targeting_the_source_logstore_is_caught_as_a_self_trigger_loop(fc_cloud, function, trigger, source):
    from pytest_fctrigger import SelfTriggerLoop

    # a deployment mistake: functionParameter.targetLogstore = the trigger's own source
    looping = dataclasses.replace(
        trigger, config={**trigger.config, "functionParameter": {"targetLogstore": trigger.logstore}}
    )
    source.append(0, [{"status": "500", "request_uri": "/boom"}])
    with pytest.raises(SelfTriggerLoop, match="access-log"):
        fc_cloud.sls.job(function, looping).tick()
