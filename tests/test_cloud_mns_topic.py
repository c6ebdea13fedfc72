"""Simulated MNS topics as ``aliyun-mns-sdk`` sees them, and the events their writes make.

Event shapes: seeds/002 "MNS topic trigger" (STREAM raw body, STREAM with attributes
``{"body", "attrs"}``, JSON with TopicOwner/Message/Subscriber/PublishTime/...).
"""

import hashlib
import json
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("mns")
from cloud_mns_helpers import account, active_cloud, endpoint
from mns import mns_http
from mns.message_property import MessagePropertyValue
from mns.mns_exception import MNSServerException
from mns.subscription import SubscriptionMeta
from mns.topic import TopicMessage, TopicMeta

from pytest_fctrigger.cloud import Cloud
from pytest_fctrigger.errors import ConfigError, NotSimulatedError
from pytest_fctrigger.events._random import FCRandom


@pytest.fixture
def cloud():
    with active_cloud(47, region="cn-shanghai") as c:
        yield c


@pytest.fixture
def topic(cloud):
    cloud.mns.topic("orders")
    return account(cloud, internal=True).get_topic("orders")


def _server_error(call) -> MNSServerException:
    with pytest.raises(MNSServerException) as info:
        call()
    return info.value


def test_publish_to_a_missing_topic_is_topic_not_exist(cloud):
    err = _server_error(lambda: account(cloud).get_topic("ghost").publish_message(TopicMessage("x")))
    assert (err.type, err.message) == ("TopicNotExist", "The topic name you provided is not exist.")
    assert len(err.req_id) == 24
    assert list(cloud.journal) == []


def test_publish_replies_with_id_and_md5_and_journals_the_stream_event(cloud, topic):
    sent = topic.publish_message(TopicMessage("hello topic", "paid"))
    assert sent.message_body_md5 == hashlib.md5(b"hello topic").hexdigest().upper()

    (write,) = cloud.journal
    assert (write.service, write.api, write.resource, write.region) == (
        "mns",
        "PublishMessage",
        {"topic": "orders"},
        "cn-shanghai",
    )
    assert write.attributes == {"message": "hello topic", "tag": "paid", "attrs": {}, "message_id": sent.message_id}
    # seeds/002: STREAM without attributes is the raw body, not JSON
    assert bytes(write.event) == b"hello topic"
    assert write.event.trigger_type == "mns_topic" and write.event.variant == "STREAM"
    (published,) = cloud.mns.topic("orders").published
    assert (published.body, published.tag, published.message_id) == ("hello topic", "paid", sent.message_id)


def test_user_properties_become_the_stream_event_attrs(cloud, topic):
    msg = TopicMessage("with attrs")
    msg.add_user_property("Extend", MessagePropertyValue.create_string('{"key":"value"}'))
    topic.publish_message(msg)
    (write,) = cloud.journal
    assert write.attributes["attrs"] == {"Extend": '{"key":"value"}'}
    # seeds/002 STREAM with attributes: {"body": ..., "attrs": {"Extend": "{\"key\":\"value\"}"}}
    assert json.loads(bytes(write.event)) == {"body": "with attrs", "attrs": {"Extend": '{"key":"value"}'}}


def test_subscriptions_get_matching_messages_in_their_format(cloud, topic):
    handle = cloud.mns.topic("orders")
    every = handle.subscribe("fc-stream")
    paid_json = handle.subscribe("fc-json", format="JSON", filter_tag="paid")
    topic.publish_message(TopicMessage("first", "new"))
    sent = topic.publish_message(TopicMessage("second", "paid"))

    assert [bytes(e) for e in every.deliveries] == [b"first", b"second"]
    (event,) = paid_json.deliveries
    data = event.data
    assert (data["Message"], data["MessageId"], data["TopicName"], data["SubscriptionName"]) == (
        "second",
        sent.message_id,
        "orders",
        "fc-json",
    )
    assert data["TopicOwner"] == data["Subscriber"] == cloud.rng.account_id
    assert data["MessageMD5"] == hashlib.md5(b"second").hexdigest().upper()
    assert data["PublishTime"] == cloud.mns.topic("orders").published[1].publish_time


@pytest.mark.parametrize("fmt", ["SIMPLIFIED", "XML", "JSON"])
def test_a_queue_endpoint_receives_the_notification_in_its_content_format(cloud, topic, fmt):
    cloud.mns.queue("fanout")
    uid = cloud.rng.account_id
    topic.get_subscription("to-queue").subscribe(
        SubscriptionMeta(f"acs:mns:cn-shanghai:{uid}:queues/fanout", notify_content_format=fmt)
    )
    sent = topic.publish_message(TopicMessage("fan <out>", "t1"))
    queue = account(cloud).get_queue("fanout")
    queue.set_encoding(False)
    body = queue.receive_message().message_body
    if fmt == "SIMPLIFIED":
        assert body == "fan <out>"
    elif fmt == "XML":
        root = ET.fromstring(body)
        fields = {child.tag.split("}")[1]: child.text for child in root}
        assert root.tag == "{http://mns.aliyuncs.com/doc/v1/}Notification"
        assert (fields["Message"], fields["MessageId"], fields["MessageTag"], fields["SubscriptionName"]) == (
            "fan <out>",
            sent.message_id,
            "t1",
            "to-queue",
        )
    else:
        assert json.loads(body)["Message"] == "fan <out>"


def test_topic_lifecycle_through_the_sdk(cloud):
    acct = account(cloud)
    t = acct.get_topic("made-by-sdk")
    url = t.create(TopicMeta(maximum_message_size=2048))
    assert url == f"http://{cloud.rng.account_id}.mns.cn-shanghai.aliyuncs.com/topics/made-by-sdk"
    assert _server_error(lambda: t.create(TopicMeta(maximum_message_size=4096))).type == "TopicAlreadyExist"
    t.publish_message(TopicMessage("m"))
    meta = t.get_attributes()
    assert (meta.topic_name, meta.maximum_message_size, meta.message_count) == ("made-by-sdk", 2048, 1)
    t.set_attributes(TopicMeta(maximum_message_size=1024))
    assert t.get_attributes().maximum_message_size == 1024
    err = _server_error(lambda: t.publish_message(TopicMessage("x" * 1025)))
    assert err.type == "InvalidArgument"
    cloud.mns.topic("another")
    assert acct.list_topic(prefix="made")[0] == [url]
    t.delete()
    assert sorted(cloud.mns.topics) == ["another"]


def test_subscription_lifecycle_through_the_sdk(cloud, topic):
    sub = topic.get_subscription("s1")
    sub.subscribe(SubscriptionMeta("http://example.invalid/push", notify_content_format="JSON", filter_tag="a"))
    meta = sub.get_attributes()
    assert (meta.endpoint, meta.filter_tag, meta.notify_content_format, meta.notify_strategy) == (
        "http://example.invalid/push",
        "a",
        "JSON",
        "BACKOFF_RETRY",
    )
    sub.set_attributes(SubscriptionMeta(notify_strategy="EXPONENTIAL_DECAY_RETRY"))
    assert sub.get_attributes().notify_strategy == "EXPONENTIAL_DECAY_RETRY"
    urls, _ = topic.list_subscription()
    assert urls == [f"http://{cloud.rng.account_id}.mns.cn-shanghai.aliyuncs.com/topics/orders/subscriptions/s1"]
    sub.unsubscribe()
    assert _server_error(sub.get_attributes).type == "SubscriptionNotExist"


def test_wrong_secret_with_a_fake_key_is_signature_does_not_match(cloud, topic):
    bad = account(cloud, secret="not-the-secret").get_topic("orders")
    err = _server_error(lambda: bad.publish_message(TopicMessage("x")))
    assert err.type == "SignatureDoesNotMatch"
    assert cloud.mns.topic("orders").published == []


def test_keys_that_are_not_the_plugins_are_served_unchecked(cloud, topic):
    from mns.account import Account

    Account(endpoint(cloud), "ak", "sk").get_topic("orders").publish_message(TopicMessage("plain keys"))
    assert cloud.mns.topic("orders").published[0].body == "plain keys"


def test_an_operation_that_is_not_simulated_fails_naming_it(cloud):
    with pytest.raises(NotSimulatedError, match=r"MNS operation 'GET /' is not simulated"):
        account(cloud).get_attributes()


def test_old_sdk_style_send_request_gets_bytes_back(monkeypatch):
    """aliyun-mns 1.1.5's send_request keeps the body as bytes (no .decode): the fake
    detects that from the method it replaces and answers in kind."""

    def old_send_request(self, req_inter):  # stands in for 1.1.5's method: no decode call
        return self.conn.getresponse().read()

    monkeypatch.setattr(mns_http.MNSHttp, "send_request", old_send_request)
    cloud = Cloud(FCRandom(5))
    with cloud.activate():
        cloud.mns.topic("t")
        http = mns_http.MNSHttp(f"{cloud.rng.account_id}.mns.cn-hangzhou.aliyuncs.com")
        req = mns_http.RequestInternal("GET", "/topics/t", {"authorization": "MNS ak:sig"})
        resp = http.send_request(req)
        assert isinstance(resp.data, bytes) and b"<TopicName>t</TopicName>" in resp.data
        cloud.mns.topic("t").publish("x")
        assert cloud.journal.since(0)[0].sdk == "fc_cloud"
    assert mns_http.MNSHttp.send_request is old_send_request


def test_publish_helper_returns_the_event_for_a_topic_triggered_handler(cloud):
    message = cloud.mns.topic("news").publish("breaking", tag="urgent", attributes={"lang": "en"})
    assert message.event.data == {"body": "breaking", "attrs": {"lang": "en"}}
    (write,) = cloud.journal
    assert (write.sdk, write.attributes["tag"], write.event) == ("fc_cloud", "urgent", message.event)


def test_helper_rejects_bad_input(cloud):
    with pytest.raises(ConfigError, match="invalid MNS topic name"):
        cloud.mns.topic("has space")
    with pytest.raises(ConfigError, match="unknown subscription format 'YAML'"):
        cloud.mns.topic("ok").subscribe(format="YAML")
    with pytest.raises(ConfigError, match=r"topic\('ok'\)\.publish\(\): body must be a str, got int"):
        cloud.mns.topic("ok").publish(42)
    with pytest.raises(ConfigError, match="attributes must be a dict of user properties, got list"):
        cloud.mns.topic("ok").publish("x", attributes=["lang"])
    assert cloud.mns.topic("ok").published == [] and list(cloud.journal) == []


def republish_handler(event, context):
    """An FC topic-triggered handler written like the samples: credentials from the context."""
    from mns.account import Account
    from mns.topic import TopicMessage

    creds = context.credentials
    acct = Account(
        f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com",
        creds.access_key_id,
        creds.access_key_secret,
        creds.security_token,
    )
    body = event.decode("utf-8")
    acct.get_topic("processed").publish_message(TopicMessage(body.upper(), "done"))
    return "ok"


def test_a_republishing_handler_runs_against_the_fake(cloud):
    from pytest_fctrigger.invoke import Invoker

    cloud.mns.topic("processed")
    incoming = cloud.mns.topic("orders").publish("order 42")
    mark = cloud.journal.mark()
    result = Invoker(rng=cloud.rng, cloud=cloud)(republish_handler, incoming.event)
    assert result.payload == b"ok"
    (write,) = cloud.journal.since(mark)
    assert (write.resource, write.attributes["message"], write.attributes["tag"]) == (
        {"topic": "processed"},
        "ORDER 42",
        "done",
    )
    assert [w.resource for w in result.writes] == [{"topic": "processed"}]


def _loops(trigger_config, writes):
    from pytest_fctrigger.loops import LoopDetector
    from pytest_fctrigger.triggers.model import TriggerSpec

    return LoopDetector([TriggerSpec.from_marker("mns_topic", **trigger_config)]).check(writes)


def test_republishing_to_the_trigger_topic_is_reported_as_a_loop(cloud):
    """The looping form of the republish sample: the handler's write, as journaled by
    the fake, matches the function's own topic trigger."""
    from pytest_fctrigger.invoke import Invoker
    from pytest_fctrigger.loops import SelfTriggerLoop

    cloud.mns.topic("processed")
    event = cloud.mns.topic("orders").publish("order 7").event
    result = Invoker(rng=cloud.rng, cloud=cloud)(republish_handler, event)
    with pytest.raises(SelfTriggerLoop) as info:
        _loops({"topic": "processed"}, result.writes)
    assert "PublishMessage topic 'processed' with tag 'done'" in info.value.chain
    assert _loops({"topic": "processed", "filter_tag": "new"}, result.writes) is None  # tag filtered out
    assert _loops({"topic": "orders"}, result.writes) is None  # writes elsewhere are safe


def test_a_nested_cloud_still_answers_in_the_installed_sdks_type(cloud):
    with active_cloud(3) as inner:
        inner.mns.topic("t")
        http = mns_http.MNSHttp(f"{inner.rng.account_id}.mns.cn-hangzhou.aliyuncs.com")
        resp = http.send_request(mns_http.RequestInternal("GET", "/topics/t", {"authorization": "MNS ak:sig"}))
        assert isinstance(resp.data, str) and "<TopicName>t</TopicName>" in resp.data
    assert cloud.mns.topics == {}  # the outer cloud's state is its own
