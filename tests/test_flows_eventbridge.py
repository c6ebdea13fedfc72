"""EventBridge triggers and the Kafka FC Sink Connector in flows.

Sources: EventBridge user guide "Event patterns" (operators exact, prefix, suffix, contains,
anything-but incl. lists and prefix, numeric, cidr (IPv4 only), exists, empty and null);
EventBridge retry strategies (BACKOFF_RETRY / EXPONENTIAL_DECAY_RETRY, as MNS NotifyStrategy)
and dead-letter queue; reference fc-runtime-and-config (eventSchema RawData delivers only
``data``; event-streaming delivers a JSON array batched by batchWindow); seeds/000 (the
trigger chooses sync or async invocation); seeds/001 14 创建FC Sink Connector (batch size
20, 128 KB async / 6 MB sync request limit, overflowFlag, retries: 429 and 5XX yes, other 4XX no).
"""

from __future__ import annotations

import json

import pytest
from flows_helpers import eventbridge, queue_arn, write_app

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.flows import make_flow
from pytest_fctrigger.flows.patterns import PatternError, matches, parse_pattern

EVENT = {
    "source": "acs.ecs",
    "type": "ecs:Instance:StateChange",
    "subject": "acs:ecs:cn-hangzhou:1:instance/i-1",
    "data": {"state": "Stopped", "count": 3, "ip": "10.0.0.7", "tags": ["a", "b"], "empty": "", "none": None},
}


@pytest.mark.parametrize(
    "pattern, accepted",
    [
        ({"source": ["acs.ecs"]}, True),
        ({"source": ["acs.oss"]}, False),
        ({"source": ["ACS.ECS"]}, False),  # case-sensitive
        ({"source": ["acs.oss", "acs.ecs"]}, True),  # OR within a key's array
        ({"source": ["acs.ecs"], "type": ["other"]}, False),  # AND across keys
        ({"source": [{"prefix": "acs."}]}, True),
        ({"source": [{"prefix": "ecs"}]}, False),
        ({"subject": [{"suffix": "i-1"}]}, True),
        ({"subject": [{"suffix": "i-2"}]}, False),
        ({"type": [{"contains": "StateChange"}]}, True),
        ({"type": [{"contains": "Disk"}]}, False),
        ({"data": {"state": [{"anything-but": "Running"}]}}, True),
        ({"data": {"state": [{"anything-but": "Stopped"}]}}, False),
        ({"data": {"state": [{"anything-but": ["Running", "Stopped"]}]}}, False),
        ({"data": {"count": [{"anything-but": 4}]}}, True),
        ({"data": {"count": [{"anything-but": 3}]}}, False),
        ({"data": {"state": [{"anything-but": {"prefix": "Run"}}]}}, True),
        ({"data": {"state": [{"anything-but": {"prefix": "Stop"}}]}}, False),
        ({"data": {"count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
        ({"data": {"count": [{"numeric": [">", 3]}]}}, False),
        ({"data": {"count": [{"numeric": ["=", 3]}]}}, True),
        ({"data": {"state": [{"numeric": [">", 0]}]}}, False),  # not a number
        ({"data": {"ip": [{"cidr": "10.0.0.0/24"}]}}, True),
        ({"data": {"ip": [{"cidr": "10.0.1.0/24"}]}}, False),
        ({"data": {"state": [{"exists": True}]}}, True),
        ({"data": {"missing": [{"exists": True}]}}, False),
        ({"data": {"missing": [{"exists": False}]}}, True),
        ({"data": {"state": [{"exists": False}]}}, False),
        ({"data": {"empty": [""]}}, True),
        ({"data": {"state": [""]}}, False),
        ({"data": {"none": [None]}}, True),
        ({"data": {"state": [None]}}, False),
        ({"data": {"tags": ["b"]}}, True),  # an array matches when any element does
        ({"data": {"tags": ["c"]}}, False),
        ({"data": {"count": ["3"]}}, False),  # "3" is not 3: exact JSON values
    ],
)
def test_pattern_operators_accept_and_reject(pattern, accepted):
    assert matches(parse_pattern(json.dumps(pattern)), EVENT) is accepted


@pytest.mark.parametrize(
    "pattern, message",
    [
        ({"source": [{"wildcard": "acs.*"}]}, "unknown operator 'wildcard'"),
        ({"source": [{"equals-ignore-case": "ACS"}]}, "unknown operator"),
        ({"source": "acs.ecs"}, "must be an array"),
        ({"ip": [{"cidr": "fe80::/10"}]}, "IPv4 only"),
        ({"n": [{"numeric": [">", "1"]}]}, "numeric pair"),
        ({"n": [{"exists": "yes"}]}, "exists takes true or false"),
    ],
)
def test_patterns_eventbridge_does_not_document_are_errors(pattern, message):
    with pytest.raises(PatternError, match=message):
        parse_pattern(pattern)


DEFAULT = {"eventSourceType": "Default"}


def _eb_app(tmp_path, handler="echo", env=None, **trigger):
    props = {"handler": handler, "triggers": [eventbridge("eb", source=DEFAULT, **trigger)]}
    if env:
        props["env"] = env
    return write_app(tmp_path, sink=props)


def test_event_pattern_filters_what_reaches_the_function(tmp_path, fc_cloud):
    pattern = {"source": ["acs.ecs"], "data": {"state": [{"anything-but": "Running"}]}}
    flow = make_flow(_eb_app(tmp_path, pattern=pattern), fc_cloud)
    flow.put_event(source="acs.ecs", type="ecs:Instance:StateChange", data={"state": "Stopped"})
    flow.put_event(source="acs.ecs", type="ecs:Instance:StateChange", data={"state": "Running"})
    flow.put_event(source="acs.oss", type="oss:ObjectCreated:PutObject", data={"state": "Stopped"})
    (inv,) = flow.run()
    assert inv.result.json()["data"] == {"state": "Stopped"} and inv.result.json()["specversion"] == "1.0"
    assert inv.invocation_type == "Sync"  # asyncInvocationType false (the console default, seeds/000)


def test_raw_data_delivers_only_data(tmp_path, fc_cloud):
    sink = {"deliveryOption": {"mode": "event-driven", "eventSchema": "RawData"}}
    flow = make_flow(_eb_app(tmp_path, eventSinkConfig=sink), fc_cloud)
    flow.put_event(source="acs.ecs", type="t", data={"state": "Stopped"})
    (inv,) = flow.run()
    assert inv.result.json() == {"state": "Stopped"}


def test_count_window_batches_events_into_arrays(tmp_path, fc_cloud):
    run_options = {"mode": "event-streaming", "batchWindow": {"CountBasedWindow": 3, "TimeBasedWindow": 10}}
    flow = make_flow(_eb_app(tmp_path, runOptions=run_options), fc_cloud)
    start = flow.clock.now
    for n in range(7):
        flow.put_event(source="acs.ecs", type="t", data={"n": n})
    run = flow.run()
    sizes = [len(i.result.json()) for i in run]
    assert sizes == [3, 3, 1]
    assert [i.time - start for i in run] == [0, 0, 10]  # the last one waits for the time window
    assert [e["data"]["n"] for e in run.invocations[0].result.json()] == [0, 1, 2]


def test_time_window_closes_on_the_virtual_clock(tmp_path, fc_cloud):
    run_options = {"mode": "event-streaming", "batchWindow": {"CountBasedWindow": 100, "TimeBasedWindow": 5}}
    sink = {"deliveryOption": {"mode": "event-streaming", "eventSchema": "RawData"}}
    flow = make_flow(_eb_app(tmp_path, runOptions=run_options, eventSinkConfig=sink), fc_cloud)
    flow.put_event(source="acs.ecs", type="t", data={"n": 1})
    assert flow.advance(seconds=4).invocations == []
    flow.put_event(source="acs.ecs", type="t", data={"n": 2})
    (inv,) = flow.advance(seconds=1)
    assert inv.result.json() == [{"n": 1}, {"n": 2}]


def test_retry_strategy_then_dead_letter_queue(tmp_path, fc_cloud):
    run_options = {
        "retryStrategy": {"PushRetryStrategy": "EXPONENTIAL_DECAY_RETRY", "MaximumRetryAttempts": 2},
        "deadLetterQueue": {"Arn": queue_arn("eb-dlq")},
    }
    flow = make_flow(_eb_app(tmp_path, "flaky", {"FAIL_TIMES": 99}, runOptions=run_options), fc_cloud)
    fc_cloud.mns.queue("eb-dlq")
    start = flow.clock.now
    flow.put_event(source="acs.ecs", type="t", data={"n": 1})
    run = flow.run()
    assert [i.time - start for i in run] == [0, 1, 3]  # 1 s, then 2 s (EXPONENTIAL_DECAY_RETRY)
    (dead,) = run.dead_letters
    assert dead.sent_to == queue_arn("eb-dlq")
    assert json.loads(fc_cloud.mns.queue("eb-dlq").messages[0].body)["data"] == {"n": 1}


def test_async_eventbridge_trigger_uses_fc_async_retries(tmp_path, fc_cloud):
    flow = make_flow(_eb_app(tmp_path, "flaky", {"FAIL_TIMES": 1}, asyncInvocationType=True), fc_cloud)
    flow.put_event(source="acs.ecs", type="t", data={})
    assert [(i.invocation_type, i.ok) for i in flow.run()] == [("Async", False), ("Async", True)]


def test_mns_queue_source_delivers_queue_messages(tmp_path, fc_cloud):
    source = {"eventSourceType": "MNS", "eventSourceParameters": {"sourceMNSParameters": {"QueueName": "orders"}}}
    path = write_app(tmp_path, sink={"handler": "echo", "triggers": [eventbridge("q", source=source)]})
    flow = make_flow(path, fc_cloud)
    fc_cloud.mns.queue("orders").send("order-1", encode_base64=False)
    fc_cloud.mns.queue("other").send("x", encode_base64=False)
    (inv,) = flow.run()
    assert inv.result.json()["data"]["messageBody"] == "order-1"


def test_bad_pattern_in_s_yaml_fails_at_flow_creation(tmp_path, fc_cloud):
    with pytest.raises(ConfigError, match="unknown operator 'wildcard'"):
        make_flow(_eb_app(tmp_path, pattern={"source": [{"wildcard": "a*"}]}), fc_cloud)


# --------------------------------------------------------------------------- Kafka connector
def _kafka_flow(tmp_path, fc_cloud, handler="echo", env=None, **options):
    props = {"handler": handler}
    if env:
        props["env"] = env
    flow = make_flow(write_app(tmp_path, consumer=props), fc_cloud)
    return flow, flow.kafka_connector("consumer", topic="Test", **options)


def test_kafka_batch_splits_at_20(tmp_path, fc_cloud):
    flow, connector = _kafka_flow(tmp_path, fc_cloud)
    for n in range(45):
        connector.send(f"value{n}", key=f"key{n}")
    run = flow.run()
    batches = [i.result.json() for i in run]
    assert [len(b) for b in batches] == [20, 20, 5]
    assert batches[0][0] == {
        "key": "key0",
        "offset": 0,
        "overflowFlag": False,
        "partition": 0,
        "timestamp": batches[0][0]["timestamp"],
        "topic": "Test",
        "value": "value0",
        "valueSize": 6,
    }
    assert [r["offset"] for b in batches for r in b] == list(range(45))


def test_kafka_request_size_limit_and_overflow(tmp_path, fc_cloud):
    flow, connector = _kafka_flow(tmp_path, fc_cloud)
    for _ in range(17):
        connector.send("x" * 7 * 1024)  # 17 x 7 KB = 119 KB: under the 128 KB async limit
    connector.send("y" * 200 * 1024)  # over the limit: alone, without its content
    connector.send(None, key="k")  # a null value is left out
    batches = [i.result.json() for i in flow.run()]
    assert [len(b) for b in batches] == [17, 1, 1]
    assert batches[1][0]["overflowFlag"] is True and "value" not in batches[1][0]
    assert batches[1][0]["valueSize"] == 200 * 1024
    assert "value" not in batches[2][0] and batches[2][0]["key"] == "k"


def test_kafka_retries_429_and_5xx_but_not_other_4xx(tmp_path, fc_cloud):
    flow, connector = _kafka_flow(tmp_path, fc_cloud, send_mode="sync")
    flow.reject("consumer", status=429)
    flow.reject("consumer", status=503)
    connector.send("a")
    (inv,) = flow.run()
    assert inv.ok and inv.invocation_type == "Sync"
    flow.reject("consumer", status=400)
    connector.send("b")
    run = flow.run()
    assert run.invocations == [] and "4XX other than 429 is not retried" in run.dead_letters[0].reason


def test_kafka_gives_up_after_its_retries(tmp_path, fc_cloud):
    flow, connector = _kafka_flow(tmp_path, fc_cloud, send_mode="sync", retries=1)
    flow.reject("consumer", status=500, times=2)
    connector.send("a")
    run = flow.run()
    assert run.invocations == [] and "retries exhausted" in run.dead_letters[0].reason


def test_kafka_sync_handler_error_is_not_retried(tmp_path, fc_cloud):
    flow, connector = _kafka_flow(tmp_path, fc_cloud, "flaky", {"FAIL_TIMES": 1}, send_mode="sync")
    connector.send("a")
    assert [i.ok for i in flow.run()] == [False]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"send_mode": "fast"}, "send_mode must be 'async'"),
        ({"retries": 4}, r"retries must be an integer in 1\.\.3"),
    ],
)
def test_kafka_connector_options_are_checked(tmp_path, fc_cloud, options, message):
    with pytest.raises(ConfigError, match=message):
        _kafka_flow(tmp_path, fc_cloud, **options)


def test_bad_run_options_fail_at_flow_creation(tmp_path, fc_cloud):
    run_options = {"retryStrategy": {"PushRetryStrategy": "FOREVER"}}
    with pytest.raises(ConfigError, match="PushRetryStrategy must be one of BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY"):
        make_flow(_eb_app(tmp_path, runOptions=run_options), fc_cloud)
