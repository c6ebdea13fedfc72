"""Simulated MNS queues as ``aliyun-mns-sdk`` sees them (reference/sdk-wire.md section 5).

Every test drives the real SDK (``mns.account.Account`` -> ``Queue``) through the
patched ``MNSHttp.send_request``; assertions are on what the SDK returns or raises.
"""

import base64
import hashlib

import pytest

pytest.importorskip("mns")
from cloud_mns_helpers import account, active_cloud
from mns.mns_exception import MNSServerException
from mns.mns_request import SendMessageRequest, SendMessageResponse
from mns.queue import Message, QueueMeta

from pytest_fctrigger.errors import ConfigError, UnknownFieldError


@pytest.fixture
def cloud():
    with active_cloud(31) as c:
        yield c


@pytest.fixture
def queue(cloud):
    cloud.mns.queue("jobs")
    return account(cloud).get_queue("jobs")


def _server_error(call) -> MNSServerException:
    with pytest.raises(MNSServerException) as info:
        call()
    return info.value


def test_send_then_receive_round_trips_the_body_with_the_md5_the_service_reports(cloud, queue):
    sent = queue.send_message(Message("hello queue 中文"))
    wire_body = base64.b64encode("hello queue 中文".encode()).decode()  # SDK default: base64
    assert sent.message_body_md5 == hashlib.md5(wire_body.encode()).hexdigest().upper()
    assert len(sent.message_id) == 32 and sent.message_id == sent.message_id.upper()

    got = queue.receive_message()
    assert got.message_body == "hello queue 中文".encode()
    assert (got.message_id, got.dequeue_count, got.priority) == (sent.message_id, 1, 8)
    assert got.enqueue_time == cloud.mns.now_ms and got.next_visible_time == cloud.mns.now_ms + 30_000
    assert cloud.mns.queue("jobs").messages[0].decode_base64() == "hello queue 中文".encode()


def test_send_reply_is_201_with_request_id_header(cloud, queue):
    client = queue.mns_client
    req, resp = SendMessageRequest("jobs", "raw", base64encode=False), SendMessageResponse()
    client.send_message(req, resp)
    assert resp.status == 201
    assert len(resp.header["x-mns-request-id"]) == 24
    assert resp.message_body_md5 == hashlib.md5(b"raw").hexdigest().upper()


def test_batch_send_and_batch_receive_honour_priority_then_order(queue):
    queue.set_encoding(False)
    sent = queue.batch_send_message(
        [Message("low", priority=16), Message("a"), Message("top", priority=1), Message("b")]
    )
    assert len({m.message_id for m in sent}) == 4
    got = queue.batch_receive_message(3)
    assert [m.message_body for m in got] == ["top", "a", "b"]
    assert [m.message_body for m in queue.batch_receive_message(16)] == ["low"]


def test_received_message_is_invisible_until_its_visibility_timeout_passes(cloud, queue):
    queue.send_message(Message("once"))
    first = queue.receive_message()
    assert _server_error(queue.receive_message).type == "MessageNotExist"
    cloud.mns.advance(30)
    again = queue.receive_message()
    assert again.message_id == first.message_id and again.dequeue_count == 2
    assert again.receipt_handle != first.receipt_handle
    # the first handle expired when the message turned active again ("message not exist")
    assert _server_error(lambda: queue.delete_message(first.receipt_handle)).type == "MessageNotExist"
    queue.delete_message(again.receipt_handle)
    assert cloud.mns.queue("jobs").messages == []


def test_long_polling_waits_on_the_virtual_clock_for_a_delayed_message(cloud, queue):
    queue.send_message(Message("later", delay_seconds=10))
    start = cloud.mns.now_ms
    assert _server_error(queue.receive_message).type == "MessageNotExist"  # delayed, no wait
    got = queue.receive_message(wait_seconds=15)
    assert got.message_body == b"later"
    assert cloud.mns.now_ms - start == 10_000  # waited exactly until it became visible


def test_long_polling_an_empty_queue_lets_the_whole_wait_pass(cloud, queue):
    start = cloud.mns.now_ms
    err = _server_error(lambda: queue.receive_message(wait_seconds=7))
    assert (err.type, err.message) == ("MessageNotExist", "Message not exist.")
    assert cloud.mns.now_ms - start == 7_000


def test_batch_delete_reports_the_bad_handle_and_deletes_the_good_one(cloud, queue):
    queue.batch_send_message([Message("x"), Message("y")])
    x, y = queue.batch_receive_message(2)
    queue.delete_message(y.receipt_handle)
    err = _server_error(lambda: queue.batch_delete_message([x.receipt_handle, y.receipt_handle]))
    assert err.type == "MessageNotExist"
    assert [e["ReceiptHandle"] for e in err.sub_errors] == [y.receipt_handle]
    assert cloud.mns.queue("jobs").messages == []


def test_malformed_receipt_handle_is_a_receipt_handle_error(queue):
    err = _server_error(lambda: queue.delete_message("not-a-handle"))
    assert (err.type, err.message) == ("ReceiptHandleError", "The receipt handle you provide is not valid.")


def test_peek_does_not_consume(cloud, queue):
    queue.batch_send_message([Message("p1"), Message("p2")])
    assert queue.peek_message().message_body == b"p1"
    assert [m.message_body for m in queue.batch_peek_message(5)] == [b"p1", b"p2"]
    assert [m.dequeue_count for m in cloud.mns.queue("jobs").messages] == [0, 0]
    assert queue.receive_message().message_body == b"p1"


def test_change_visibility_issues_a_new_handle_and_moves_next_visible_time(cloud, queue):
    queue.send_message(Message("slow"))
    got = queue.receive_message()
    changed = queue.change_message_visibility(got.receipt_handle, 120)
    assert changed.next_visible_time == str(cloud.mns.now_ms + 120_000)
    assert _server_error(lambda: queue.delete_message(got.receipt_handle)).type == "MessageNotExist"
    queue.delete_message(changed.receipt_handle)


def test_user_properties_travel_with_queue_messages(queue):
    from mns.message_property import MessagePropertyValue

    msg = Message("with props")
    msg.add_user_property("source", MessagePropertyValue.create_string("unit-test"))
    msg.add_user_property("count", MessagePropertyValue.create_number(3))
    queue.send_message(msg)
    got = queue.receive_message()
    props = got.get_user_properties()
    assert props["source"].get_raw_value() == "unit-test"
    assert props["count"].get_data_type() == "NUMBER"


def test_missing_queue_is_queue_not_exist(cloud):
    err = _server_error(lambda: account(cloud).get_queue("nope").send_message(Message("x")))
    assert (err.type, err.message) == ("QueueNotExist", "The queue name you provided is not exist.")


@pytest.mark.filterwarnings("ignore:Call to deprecated function:DeprecationWarning")  # SDK's own
def test_queue_lifecycle_through_the_sdk(cloud):
    acct = account(cloud)
    q = acct.get_queue("made-by-sdk")
    url = q.create(QueueMeta(vis_timeout=60, delay_sec=5))
    assert url == f"http://{cloud.rng.account_id}.mns.cn-hangzhou.aliyuncs.com/queues/made-by-sdk"
    q.create(QueueMeta(vis_timeout=60))  # identical attributes: accepted again
    assert _server_error(lambda: q.create(QueueMeta(vis_timeout=90))).type == "QueueAlreadyExist"
    q.send_message(Message("d"))
    meta = q.get_attributes()
    assert (meta.visibility_timeout, meta.delay_seconds, meta.delay_messages, meta.active_messages) == (60, 5, 1, 0)
    q.set_attributes(QueueMeta(polling_wait_sec=3))
    assert q.get_attributes().polling_wait_seconds == 3
    cloud.mns.queue("other")
    assert acct.list_queue(prefix="made")[0] == [url]
    page, marker = acct.list_queue(ret_number=1)
    assert len(page) == 1 and marker == "other"
    q.delete()
    assert "made-by-sdk" not in cloud.mns.queues


def test_out_of_range_attribute_is_invalid_argument(cloud):
    q = account(cloud).get_queue("strict")
    err = _server_error(lambda: q.create(QueueMeta(vis_timeout=50000)))
    assert err.type == "InvalidArgument" and "VisibilityTimeout" in err.message


def test_each_send_is_journaled_with_the_queue_trigger_event(cloud, queue):
    queue.set_encoding(False)
    queue.send_message(Message("one"))
    queue.batch_send_message([Message("two"), Message("three")])
    writes = list(cloud.journal)
    assert [(w.service, w.api, w.resource) for w in writes] == [
        ("mns", "SendMessage", {"queue": "jobs"}),
        ("mns", "BatchSendMessage", {"queue": "jobs"}),
        ("mns", "BatchSendMessage", {"queue": "jobs"}),
    ]
    event = writes[0].event.data
    # seeds/002 "MNS queue trigger": an EventBridge CloudEvent per message
    assert event["type"] == "mns:Queue:SendMessage"
    assert event["subject"] == f"acs:mns:cn-hangzhou:{cloud.rng.account_id}:queues/jobs"
    assert event["data"]["messageBody"] == "one"
    assert event["data"]["messageId"] == writes[0].attributes["message_id"]
    assert writes[0].sdk == "aliyun-mns-sdk"


def test_seeded_message_reaches_a_handler_receiving_with_sdk_defaults(cloud, queue):
    cloud.mns.queue("jobs").send("from the test")
    assert queue.receive_message().message_body == b"from the test"


def test_helper_rejects_bad_names_and_unknown_attributes(cloud):
    with pytest.raises(ConfigError, match="invalid MNS queue name '1bad'"):
        cloud.mns.queue("1bad")
    with pytest.raises(UnknownFieldError, match="visibility"):
        cloud.mns.queue("ok", visibilty_timeout=3)
    with pytest.raises(ConfigError, match="InvalidArgument"):
        cloud.mns.queue("ok", visibility_timeout=0)
    with pytest.raises(ConfigError, match=r"queue\('ok'\)\.send\(\): body must be a str, got bytes"):
        cloud.mns.queue("ok").send(b"raw")


def test_state_is_per_cloud(cloud):
    cloud.mns.queue("jobs").send("only here")
    with active_cloud(31) as other:
        assert other.mns.queues == {}
        with pytest.raises(MNSServerException):
            account(other).get_queue("jobs").receive_message()
