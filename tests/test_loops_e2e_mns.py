"""A real MNS topic handler (aliyun-mns-sdk) that republishes: safe and looping forms.

seeds/001 MNS 主题触发器 注意事项: "Topic A触发函数B，函数B又发布新的消息到Topic A，从而造成函数无限
循环调用". The handlers (tests/data/loops/mns_republish) read the JSON-format notification
(notifyContentFormat JSON) and publish the computed order with Account(...).get_topic(...)
.publish_message(TopicMessage(...)).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.model import TriggerSpec

CODE = str(Path(__file__).parent / "data" / "loops" / "mns_republish")
ORDER = json.dumps({"id": 7, "items": [{"price": 3, "qty": 2}, {"price": 5, "qty": 1}]})


@pytest.fixture
def topics(fc_cloud):
    return fc_cloud.mns.topic("orders"), fc_cloud.mns.topic("orders-results")


def orders_trigger(**config):
    return TriggerSpec.from_marker("mns_topic", name="orders", topic="orders", format="JSON", **config)


def run(fc_cloud, handler, event, *triggers, **kwargs):
    return Invoker(cloud=fc_cloud, triggers=list(triggers), **kwargs)(handler, event, code_dir=CODE)


def test_forward_to_another_topic_is_safe(fc_cloud, topics, mns_topic_event):
    event = mns_topic_event(message=ORDER, format="JSON", topic="orders")
    result = run(fc_cloud, "index.forward", event, orders_trigger())
    assert result.loop is None
    assert [w.describe() for w in result.writes] == ["PublishMessage topic 'orders-results'"]
    assert json.loads(topics[1].published[-1].body)["total"] == 11


def test_republish_to_the_triggering_topic_loops(fc_cloud, topics, mns_topic_event):
    event = mns_topic_event(message=ORDER, format="JSON", topic="orders")
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, "index.republish", event, orders_trigger())
    assert info.value.chain == (
        "mns_topic trigger 'orders' on topic 'orders' "
        '-> event MNS message \'{"id": 7, "items": [{"price": 3, "qty...\' on topic \'orders\' (JSON) '
        "-> handler index.republish "
        "-> write PublishMessage topic 'orders' "
        "-> fires mns_topic trigger 'orders' again"
    )
    message = str(info.value)
    assert "Why: topic 'orders' is the trigger's topic, which has no filterTag, so every message fires it." in message
    assert (
        "Fix: publish to another topic than 'orders', or give the trigger a filterTag and publish with a different tag."
    ) in message


def test_a_tag_outside_the_filter_is_safe(fc_cloud, topics, mns_topic_event):
    # the subscription only delivers messages tagged "incoming"; the handler tags "processed"
    event = mns_topic_event(message=ORDER, format="JSON", topic="orders", tag="incoming")
    result = run(fc_cloud, "index.retag", event, orders_trigger(filter_tag="incoming"))
    assert result.loop is None
    assert [w.describe() for w in result.writes] == ["PublishMessage topic 'orders' with tag 'processed'"]


def test_the_same_tag_as_the_filter_loops(fc_cloud, topics, mns_topic_event):
    event = mns_topic_event(message=ORDER, format="JSON", topic="orders", tag="processed")
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, "index.retag", event, orders_trigger(filter_tag="processed"))
    assert info.value.chain.endswith(
        "-> write PublishMessage topic 'orders' with tag 'processed' -> fires mns_topic trigger 'orders' again"
    )
    assert (
        "Fix: publish with a message tag other than the subscription's filterTag 'processed', "
        "or to another topic than 'orders'."
    ) in str(info.value)


def test_redelivery_rebuilds_the_json_notification(fc_cloud, topics, mns_topic_event):
    event = mns_topic_event(message=ORDER, format="JSON", topic="orders")
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, "index.republish", event, orders_trigger(), loop_depth=2)
    hops = info.value.report.hops
    assert len(hops) == 2 and info.value.report.converged is False
    first = hops[0].event
    assert first.trigger_type == "mns_topic" and first.variant == "JSON"
    assert first.data["TopicName"] == "orders"
    assert json.loads(first.data["Message"])["total"] == 11  # what the first invocation published
    assert first.data["MessageId"] == info.value.report.matches[0].write.attributes["message_id"]
    assert len(topics[0].published) == 3  # the first invocation and two re-deliveries
