"""EventBridge-delivered triggers: the RawData push format and the names FC gives the
event source and bus (seeds/001 15.2-15.4: ``<Type>-<function name>-<trigger name>``)."""

from __future__ import annotations

import json

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.events import eventbridge_event, mns_queue_event, rabbitmq_event, rocketmq_event
from pytest_fctrigger.events._random import FCRandom
from pytest_fctrigger.matrix import cases_for_app
from pytest_fctrigger.triggers.loader import load_app


def _mq_trigger(source_type: str, params_key: str, params: dict, schema: str = "CloudEvents", mode: str = "") -> dict:
    config: dict = {
        "eventSourceConfig": {"eventSourceType": source_type, "eventSourceParameters": {params_key: params}},
        "eventSinkConfig": {"deliveryOption": {"mode": "event-driven", "eventSchema": schema}},
    }
    if mode:
        config["runOptions"] = {"mode": mode, "batchWindow": {"CountBasedWindow": 2, "TimeBasedWindow": 5}}
    return {"triggerName": "orders-trigger", "triggerType": "eventbridge", "triggerConfig": config}


@pytest.mark.parametrize(
    "source_type, params_key, params",
    [
        ("MNS", "sourceMNSParameters", {"QueueName": "jobs"}),
        (
            "RocketMQ",
            "sourceRocketMQParameters",
            {"Topic": "orders", "InstanceId": "MQ_INST_1_abc", "GroupID": "GID_orders"},
        ),
        (
            "RabbitMQ",
            "sourceRabbitMQParameters",
            {"QueueName": "jobs", "InstanceId": "amqp-cn-1", "VirtualHostName": "eb-connect"},
        ),
    ],
)
def test_mq_source_and_bus_are_named_after_the_function_and_trigger(tmp_path, source_type, params_key, params):
    from triggers_helpers import write_fc3

    path = write_fc3(tmp_path, {"order-worker": [_mq_trigger(source_type, params_key, params)]})
    [case] = cases_for_app(load_app(path, warn=False), "order-worker")
    event = case.build(FCRandom(3)).data
    # seeds/001 15.2-15.4: event bus / event source "<Type>-<function name>-<trigger name>"
    assert event["source"] == f"{source_type}-order-worker-orders-trigger"
    assert event["aliyuneventbusname"] == f"{source_type}-order-worker-orders-trigger"


@pytest.mark.parametrize(
    "source_type, params_key, params, data_key",
    [
        ("MNS", "sourceMNSParameters", {"QueueName": "jobs"}, "messageBody"),
        (
            "RocketMQ",
            "sourceRocketMQParameters",
            {"Topic": "orders", "InstanceId": "MQ_INST_1_abc", "GroupID": "GID_orders"},
            "systemProperties",
        ),
        (
            "RabbitMQ",
            "sourceRabbitMQParameters",
            {"QueueName": "jobs", "InstanceId": "amqp-cn-1", "VirtualHostName": "eb-connect"},
            "envelope",
        ),
    ],
)
def test_rawdata_push_format_delivers_only_the_data(tmp_path, source_type, params_key, params, data_key):
    from triggers_helpers import write_fc3

    trigger = _mq_trigger(source_type, params_key, params, schema="RawData")
    [case] = cases_for_app(load_app(write_fc3(tmp_path, {"f": [trigger]}), warn=False), "f")
    event = case.build(FCRandom(3))
    delivered = json.loads(event)
    assert data_key in delivered
    assert "specversion" not in delivered and "aliyuneventbusname" not in delivered


def test_rawdata_stream_is_an_array_of_data(tmp_path):
    from triggers_helpers import write_fc3

    trigger = _mq_trigger("MNS", "sourceMNSParameters", {"QueueName": "jobs"}, "RawData", "event-streaming")
    [case] = cases_for_app(load_app(write_fc3(tmp_path, {"f": [trigger]}), warn=False), "f")
    batch = json.loads(case.build(FCRandom(3)))
    assert isinstance(batch, list) and len(batch) == 2
    assert all(set(item) == {"requestId", "messageId", "messageBody"} for item in batch)


def test_builders_take_function_name_and_push_format():
    rocket = rocketmq_event(function_name="billing", trigger_name="t1", body="hi", rng=1)
    assert rocket.data["source"] == "RocketMQ-billing-t1"
    rabbit = rabbitmq_event(function_name="billing", trigger_name="t1", push_format="RawData", rng=1)
    assert set(rabbit.data) == {"envelope", "body", "props"}
    queue = mns_queue_event(function_name="billing", body="x", push_format="RawData", rng=1)
    assert queue.data["messageBody"] == "x"
    ecs = eventbridge_event(push_format="RawData", rng=1)
    assert set(ecs.data) == {"result", "diskId"}
    # the doc sample's name stays the default
    assert mns_queue_event(rng=1).data["source"] == "MNS-Function-mnstrigger"


def test_unknown_push_format_is_an_error_naming_the_valid_ones():
    with pytest.raises(ConfigError, match="push_format.*CloudEvents, RawData"):
        rocketmq_event(push_format="Raw", rng=1)
    with pytest.raises(ConfigError, match="function_name"):
        rocketmq_event(function_name=3, rng=1)
