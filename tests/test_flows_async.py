"""FC's asynchronous delivery in flows: retries, event age, destinations, duplicates.

Sources: FC "Configure a retry mechanism" (async handler errors retried 3 times by default,
``maxAsyncRetryAttempts``), ROS ALIYUN::FC3::AsyncInvokeConfig (``maxAsyncEventAgeInSeconds``
1..604800), FC "Destinations for asynchronous invocations" (onSuccess/onFailure payload),
seeds/001 2. 触发器简介 (OSS and MNS topic triggers are asynchronous).
"""

from __future__ import annotations

import json

import pytest
from flows_helpers import mns, oss, oss_bucket, queue_arn, write_app

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.flows import make_flow


def _flaky_app(tmp_path, fail_times, async_config=None, **extra):
    props = {"handler": "flaky", "env": {"FAIL_TIMES": fail_times}, "triggers": [mns("in", "jobs")]}
    if async_config is not None:
        props["asyncInvokeConfig"] = async_config
    return write_app(tmp_path, worker=props, **extra)


def test_retries_then_success_three_attempts(tmp_path, fc_cloud):
    # fails twice, succeeds on the third attempt: FC retries a handler error (Configure a retry mechanism)
    flow = make_flow(_flaky_app(tmp_path, 2), fc_cloud)
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    attempts = run.of("worker")
    assert [i.attempt for i in attempts] == [1, 2, 3]
    assert [i.ok for i in attempts] == [False, False, True]
    assert [i.result.context.retry_count for i in attempts] == [0, 1, 2]
    # retry delays on the virtual clock: 0.5 s, then 1 s
    assert [i.time - attempts[0].time for i in attempts] == [0.0, 0.5, 1.5]
    assert run.dead_letters == [] and len(run.failed) == 2


def test_default_is_three_retries_then_dead_letter(tmp_path, fc_cloud):
    # "retries up to 3 times by default": 4 attempts, then the event is given up
    flow = make_flow(_flaky_app(tmp_path, 99), fc_cloud)
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    assert len(run.of("worker")) == 4
    (dead,) = run.dead_letters
    assert dead.function == "worker" and dead.attempts == 4 and "maxAsyncRetryAttempts 3" in dead.reason
    assert dead.sent_to is None


def test_retries_exhausted_send_the_on_failure_payload_to_the_queue(tmp_path, fc_cloud):
    config = {"maxAsyncRetryAttempts": 1, "destinationConfig": {"onFailure": {"destination": queue_arn("failed")}}}
    flow = make_flow(_flaky_app(tmp_path, 99, config), fc_cloud)
    fc_cloud.mns.queue("failed")
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    assert len(run.of("worker")) == 2
    (record,) = run.destinations
    assert record.condition == "onFailure" and record.kind == "mns_queue"
    # the payload of "Destinations for asynchronous invocations"
    payload = json.loads(fc_cloud.mns.queue("failed").messages[0].body)
    assert set(payload) == {"timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"}
    ctx = payload["requestContext"]
    assert ctx["approximateInvokeCount"] == 2
    assert ctx["condition"] == "Flaky"
    assert ctx["functionArn"].endswith(":functions/worker") and ctx["functionArn"].startswith("acs:fc:cn-hangzhou:")
    assert ctx["requestId"] == run.of("worker")[-1].result.request_id
    assert payload["requestPayload"] == "work"  # the event as delivered (STREAM: the message body)
    assert json.loads(payload["responsePayload"])["errorType"] == "Flaky"
    assert payload["responseContext"] == {"statusCode": 200, "functionError": "UnhandledInvocationError"}
    assert run.dead_letters[0].sent_to == queue_arn("failed")


def test_on_success_to_a_function_destination_runs_it_with_the_payload(tmp_path, fc_cloud):
    config = {"destinationConfig": {"onSuccess": {"destination": "acs:fc:cn-hangzhou:0123456789012345:functions/sink"}}}
    path = _flaky_app(tmp_path, 0, config, sink={"handler": "echo"})
    flow = make_flow(path, fc_cloud)
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    worker, sink = run.invocations
    assert sink.function == "sink" and sink.caused_by is worker and sink.via == "destination"
    body = sink.result.json()
    assert body["requestContext"]["condition"] == "" and body["responsePayload"] == "done"


def test_duplicates_one_delivers_each_async_event_twice(tmp_path, fc_cloud):
    # at-least-once: FC "guarantees at least one successful execution" (seeds/001 异步调用)
    flow = make_flow(_flaky_app(tmp_path, 0), fc_cloud, duplicates=1)
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    first, second = run.of("worker")
    assert first.event == second.event and (first.duplicate, second.duplicate) == (0, 1)


def test_sync_invoke_is_never_retried(tmp_path, fc_cloud):
    flow = make_flow(_flaky_app(tmp_path, 1), fc_cloud)
    run = flow.invoke("worker", b"{}", invocation_type="Sync")
    assert len(run) == 1 and not run.invocations[0].ok and run.invocations[0].invocation_type == "Sync"
    assert flow.run().invocations == []


def test_async_invoke_is_queued_and_retried(tmp_path, fc_cloud):
    flow = make_flow(_flaky_app(tmp_path, 1), fc_cloud)
    assert flow.invoke("worker", b"{}").invocations == []
    assert [i.ok for i in flow.run()] == [False, True]


def test_event_older_than_max_age_is_dropped_to_on_failure(tmp_path, fc_cloud):
    config = {
        "maxAsyncEventAgeInSeconds": 1,
        "destinationConfig": {"onFailure": {"destination": queue_arn("late")}},
    }
    flow = make_flow(_flaky_app(tmp_path, 99, config), fc_cloud)
    fc_cloud.mns.queue("late")
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    # attempts at 0, 0.5, 1.5 s: the third is due after the event's 1 s age
    assert len(run.of("worker")) == 2
    assert "maxAsyncEventAgeInSeconds 1" in run.dead_letters[0].reason
    assert len(fc_cloud.mns.queue("late").messages) == 1


def test_throttled_async_invocation_is_retried_with_backoff_not_counted(tmp_path, fc_cloud):
    flow = make_flow(_flaky_app(tmp_path, 0), fc_cloud)
    flow.reject("worker", status=429, times=2)
    fc_cloud.mns.topic("jobs").publish("work")
    (inv,) = flow.run()
    assert inv.ok and inv.attempt == 1 and inv.time - flow.clock.now == 0.0


def test_oss_upload_through_the_sdk_reaches_the_function(tmp_path, fc_cloud):
    flow = make_flow(write_app(tmp_path, worker={"handler": "echo", "triggers": [oss("up", "media", "in/")]}), fc_cloud)
    fc_cloud.oss.bucket("media", region="cn-hangzhou")
    oss_bucket("media").put_object("in/a.txt", b"a")
    oss_bucket("media").put_object("out/b.txt", b"b")  # outside the prefix: fires nothing
    (inv,) = flow.run()
    assert inv.invocation_type == "Async" and inv.result.json()["events"][0]["oss"]["object"]["key"] == "in/a.txt"


@pytest.mark.parametrize(
    "config, message",
    [
        ({"maxAsyncRetryAttempts": -1}, "maxAsyncRetryAttempts must be an integer >= 0"),
        ({"maxAsyncEventAgeInSeconds": 0}, "maxAsyncEventAgeInSeconds must be an integer in 1..604800"),
        ({"destinationConfig": {"onFailure": {"destination": "acs:oss:cn-hangzhou:1:bucket"}}}, "not a destination FC"),
        ({"maxRetries": 1}, "unknown key"),
    ],
)
def test_bad_async_config_is_one_clear_error(tmp_path, fc_cloud, config, message):
    with pytest.raises(ConfigError, match=message):
        make_flow(_flaky_app(tmp_path, 0, config), fc_cloud)


def test_bad_arguments_are_errors(tmp_path, fc_cloud):
    path = _flaky_app(tmp_path, 0)
    with pytest.raises(ConfigError, match="duplicates"):
        make_flow(path, fc_cloud, duplicates=-1)
    flow = make_flow(path, fc_cloud)
    with pytest.raises(ConfigError, match="no function 'nope'"):
        flow.invoke("nope", b"{}")
    with pytest.raises(ConfigError, match="'Async' or 'Sync'"):
        flow.invoke("worker", b"{}", invocation_type="Event")
    with pytest.raises(ConfigError, match="seconds"):
        flow.advance(seconds=-1)


def test_on_success_to_an_mns_topic_fires_the_topic_s_function(tmp_path, fc_cloud):
    config = {"destinationConfig": {"onSuccess": {"destination": "acs:mns:cn-hangzhou:1:/topics/done/messages"}}}
    path = _flaky_app(tmp_path, 0, config, notify={"handler": "echo", "triggers": [mns("done", "done")]})
    flow = make_flow(path, fc_cloud)
    fc_cloud.mns.topic("done")
    fc_cloud.mns.topic("jobs").publish("work")
    worker, notify = flow.run()
    assert notify.function == "notify" and notify.caused_by is worker
    assert json.loads(bytes(notify.event))["requestContext"]["condition"] == ""


def test_on_failure_to_eventbridge_reaches_a_rule_on_the_bus(tmp_path, fc_cloud):
    from flows_helpers import eventbridge

    config = {
        "maxAsyncRetryAttempts": 0,
        "destinationConfig": {"onFailure": {"destination": "acs:eventbridge:cn-hangzhou:1:eventbus/default"}},
    }
    rule = eventbridge("failures", source={"eventSourceType": "Default"}, pattern={"source": ["acs.fc"]})
    path = _flaky_app(tmp_path, 99, config, alerts={"handler": "echo", "triggers": [rule]})
    flow = make_flow(path, fc_cloud)
    fc_cloud.mns.topic("jobs").publish("work")
    run = flow.run()
    worker, alert = run.invocations
    assert not worker.ok and alert.function == "alerts" and alert.caused_by is worker
    body = alert.result.json()
    assert body["source"] == "acs.fc" and body["data"]["requestContext"]["condition"] == "Flaky"
    assert run.destinations[0].kind == "eventbridge"
