"""Behaviour of every event builder: variants, field types, consistency, overrides, errors.

Formats come from the seeds: seeds/002 (English event-format page), seeds/001 (Chinese
manual), seeds/003 (OSS ``objectMeta``), seeds/000 (ECS via EventBridge).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import inspect
import ipaddress
import json
import re
import subprocess
import sys

import pytest

from pytest_fctrigger import events
from pytest_fctrigger.errors import ConfigError, UnknownFieldError
from pytest_fctrigger.events import (
    CATALOG,
    CDN_EVENT_NAMES,
    OSS_EVENT_NAMES,
    FCEvent,
    FCRandom,
    cdn_event,
    datahub_event,
    decode_sls_cursor,
    encode_sls_cursor,
    eventbridge_event,
    expand_oss_event_names,
    get_source,
    kafka_event,
    mns_queue_event,
    mns_topic_event,
    oss_event,
    rabbitmq_event,
    rocketmq_event,
    sls_event,
    timer_event,
)
from pytest_fctrigger.events._fields import dumps

HEX40 = re.compile(r"^[0-9a-f]{40}$")
UHEX24 = re.compile(r"^[0-9A-F]{24}$")
UHEX32 = re.compile(r"^[0-9A-F]{32}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ACCOUNT = re.compile(r"^[1-9][0-9]{15}$")
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def rng(seed=7, region="cn-shanghai", account_id=None):
    return FCRandom(seed, region=region, account_id=account_id)


# --------------------------------------------------------------------------- catalog
def test_catalog_has_every_contract_trigger_type():
    assert list(CATALOG) == [
        "timer",
        "oss",
        "log",
        "cdn_events",
        "tablestore",
        "mns_topic",
        "mns_queue",
        "rocketmq",
        "rabbitmq",
        "kafka",
        "datahub",
        "eventbridge",
        "apigw",
        "http",
    ]
    assert CATALOG["oss"].variants == OSS_EVENT_NAMES and len(OSS_EVENT_NAMES) == 12
    assert CATALOG["cdn_events"].variants == CDN_EVENT_NAMES and len(CDN_EVENT_NAMES) == 8
    assert CATALOG["mns_topic"].variants == ("STREAM", "STREAM+attrs", "JSON", "JSON+attrs")


CASES = [(t, v) for t, s in CATALOG.items() for v in s.variants]


@pytest.mark.parametrize("trigger_type,variant", CASES, ids=[f"{t}[{v}]" for t, v in CASES])
def test_every_catalog_variant_builds_a_bytes_event_of_that_variant(trigger_type, variant):
    event = CATALOG[trigger_type].build(rng(), variant)
    assert isinstance(event, FCEvent) and isinstance(event, bytes) and len(event) > 0
    assert event.trigger_type == trigger_type
    assert event.variant == variant
    if trigger_type == "tablestore":
        import cbor2

        assert cbor2.loads(bytes(event)) == event.data
    elif variant == "STREAM":
        assert bytes(event) == event.data.encode("utf-8")
    else:
        # payload is exactly the compact UTF-8 JSON of .data
        assert json.loads(bytes(event)) == event.data
        assert bytes(event) == dumps(event.data).encode("utf-8")


@pytest.mark.parametrize(
    "alias,canonical",
    [
        ("sls", "log"),
        ("cdn", "cdn_events"),
        ("ots", "tablestore"),
        ("api_gateway", "apigw"),
        ("apigateway", "apigw"),
        ("OSS", "oss"),
    ],
)
def test_get_source_accepts_aliases(alias, canonical):
    assert get_source(alias).trigger_type == canonical


def test_unknown_trigger_type_and_variant_list_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown trigger type 'nope'.*oss.*mns_topic"):
        get_source("nope")
    with pytest.raises(ConfigError, match=r"unknown variant 'PutObject'.*ObjectCreated:PutObject"):
        get_source("oss").build(1, "PutObject")


def test_catalog_fields_win_over_the_variant():
    event = get_source("oss").build(rng(), "ObjectCreated:PutObject", bucket="bkt", key="k.txt")
    record = event.data["events"][0]
    assert record["oss"]["bucket"]["name"] == "bkt" and record["oss"]["object"]["key"] == "k.txt"


# --------------------------------------------------------------------------- keywords and overrides
BUILDERS = [name for name in events.__all__ if name.endswith(("_event", "_record")) and name != "wsgi_environ"]


@pytest.mark.parametrize("name", BUILDERS)
def test_unknown_keyword_is_an_error_listing_the_valid_names(name):
    builder = getattr(events, name)
    with pytest.raises(UnknownFieldError) as info:
        builder(no_such_field=1, rng=1)
    message = str(info.value)
    assert "'no_such_field'" in message
    for param in inspect.signature(builder).parameters.values():
        if param.kind is param.KEYWORD_ONLY:
            assert param.name in message


@pytest.mark.parametrize("name", [n for n in BUILDERS if n != "tablestore_record"])
def test_unknown_override_path_lists_the_valid_paths(name):
    builder = getattr(events, name)
    kwargs = {"format": "JSON"} if name == "mns_topic_event" else {}
    with pytest.raises(UnknownFieldError) as info:
        builder(rng=1, overrides={"no.such.path": 1}, **kwargs)
    assert "'no.such.path'" in str(info.value)
    event = builder(rng=1, **kwargs)
    first_key = next(iter(event.data[0] if isinstance(event.data, list) else event.data))
    assert first_key in str(info.value)


def test_overrides_set_nested_values_and_list_items_and_keep_payload_in_sync():
    event = oss_event(
        rng=rng(),
        overrides={
            "events.0.oss.object.key": "a/b.png",
            "events.0.oss.object.size": 5,
            "events.0.requestParameters": {"sourceIPAddress": "1.2.3.4"},
        },
    )
    record = event.data["events"][0]
    assert record["oss"]["object"]["key"] == "a/b.png"
    assert record["oss"]["object"]["size"] == 5
    assert record["requestParameters"] == {"sourceIPAddress": "1.2.3.4"}
    assert json.loads(bytes(event)) == event.data


def test_override_keys_may_contain_dots():
    event = oss_event(
        rng=1,
        object_meta={"mimeType": "text/plain", "userMeta": {"x-oss-meta-v1.2": "a"}},
        overrides={"events.0.oss.object.objectMeta.userMeta.x-oss-meta-v1.2": "b"},
    )
    assert event.data["events"][0]["oss"]["object"]["objectMeta"]["userMeta"] == {"x-oss-meta-v1.2": "b"}


def test_overrides_into_a_stream_batch_by_index():
    event = mns_queue_event(rng=1, batch=3, overrides={"2.data.messageBody": "third"})
    assert [e["data"]["messageBody"] for e in event.data][2] == "third"
    with pytest.raises(UnknownFieldError):
        mns_queue_event(rng=1, batch=3, overrides={"3.data.messageBody": "x"})


def test_overrides_must_be_a_mapping():
    with pytest.raises(ConfigError, match="overrides must be a dict"):
        timer_event(rng=1, overrides=[("payload", "x")])


def test_rng_accepts_seed_int_and_none_and_rejects_other_types():
    assert oss_event(rng=5) == oss_event(rng=FCRandom(5))
    assert oss_event() == oss_event(rng=0)
    with pytest.raises(TypeError):
        oss_event(rng="5")


# --------------------------------------------------------------------------- OSS
@pytest.mark.parametrize("name", OSS_EVENT_NAMES)
def test_oss_event_every_name_with_and_without_prefix(name):
    a = oss_event(event_name=name, rng=3)
    b = oss_event(event_name="oss:" + name, rng=3)
    assert a == b
    assert a.variant == name
    record = a.data["events"][0]
    assert record["eventName"] == name  # never "oss:"-prefixed in the payload
    obj = record["oss"]["object"]
    assert isinstance(obj["size"], int) and isinstance(obj["deltaSize"], int)
    if name == "ObjectCreated:InitiateMultipartUpload":
        assert obj["size"] == obj["deltaSize"] == 0
    elif name.startswith("ObjectCreated:"):
        assert obj["deltaSize"] == obj["size"] > 0  # a new object: deltaSize is its size
    else:
        assert obj["deltaSize"] == -obj["size"]


def test_oss_event_fields_are_consistent_and_shaped_like_the_doc():
    r = rng(region="ap-southeast-1", account_id="1234567890123456")
    record = oss_event(bucket="photos", rng=r).data["events"][0]
    assert record["region"] == "ap-southeast-1"
    assert record["oss"]["bucket"]["arn"] == "acs:oss:ap-southeast-1:1234567890123456:photos"
    assert record["oss"]["bucket"]["ownerIdentity"] == "1234567890123456"
    assert record["userIdentity"]["principalId"] == "1234567890123456"
    assert record["eventSource"] == "acs:oss" and record["eventVersion"] == "1.0"
    assert record["oss"]["ossSchemaVersion"] == "1.0"
    assert HEX40.match(record["oss"]["ruleId"])
    assert UHEX24.match(record["responseElements"]["requestId"])
    assert UHEX32.match(record["oss"]["object"]["eTag"])
    assert ISO_MS_Z.match(record["eventTime"])
    assert "objectMeta" not in record["oss"]["object"]
    first_octet = int(record["requestParameters"]["sourceIPAddress"].split(".")[0])
    assert first_octet not in (10, 127, 172, 192)


def test_source_ips_are_public_addresses():
    r = rng(seed=11)
    addresses = [r.public_ipv4() for _ in range(5000)]
    addresses += [oss_event(rng=r).data["events"][0]["requestParameters"]["sourceIPAddress"] for _ in range(500)]
    assert all(ipaddress.ip_address(a).is_global for a in addresses)
    assert len({a.split(".")[0] for a in addresses}) > 100  # spread over the address space


def test_oss_event_region_and_account_overrides_flow_into_the_arn():
    record = oss_event(bucket="bkt", region="cn-beijing", account_id="1111222233334444", rng=1).data["events"][0]
    assert record["oss"]["bucket"]["arn"] == "acs:oss:cn-beijing:1111222233334444:bkt"
    assert record["region"] == "cn-beijing"


def test_oss_event_multipart_etag_counts_parts():
    obj = oss_event(event_name="ObjectCreated:CompleteMultipartUpload", size=12 * 1024 * 1024, rng=1).data["events"][0][
        "oss"
    ]["object"]
    digest, parts = obj["eTag"].split("-")
    assert UHEX32.match(digest) and parts == "3"


def test_oss_event_sizes_and_etag_can_be_given():
    obj = oss_event(size=100, delta_size=-20, etag="ABC", rng=1).data["events"][0]["oss"]["object"]
    assert (obj["size"], obj["deltaSize"], obj["eTag"]) == (100, -20, "ABC")


def test_oss_event_object_meta_forms():
    meta = {"mimeType": "application/zip", "userMeta": {"x-oss-meta-last-modified": "20250213"}}
    obj = oss_event(object_meta=meta, rng=1).data["events"][0]["oss"]["object"]
    assert obj["objectMeta"] == meta
    assert list(obj) == ["deltaSize", "eTag", "key", "objectMeta", "size"]  # seeds/003 order
    derived = oss_event(key="source/a.png", object_meta=True, rng=1).data["events"][0]["oss"]["object"]
    assert derived["objectMeta"]["mimeType"] == "image/png"
    assert all(k.startswith("x-oss-meta-") for k in derived["objectMeta"]["userMeta"])
    with pytest.raises(ConfigError, match="must start with 'x-oss-meta-'"):
        oss_event(object_meta={"userMeta": {"last-modified": "1"}}, rng=1)


def test_oss_event_time_accepts_datetime_and_verbatim_string():
    when = dt.datetime(2022, 8, 13, 6, 45, 43, tzinfo=dt.timezone.utc)
    assert oss_event(event_time=when, rng=1).data["events"][0]["eventTime"] == "2022-08-13T06:45:43.000Z"
    local = dt.datetime(2022, 8, 13, 14, 45, 43, 123000, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert oss_event(event_time=local, rng=1).data["events"][0]["eventTime"] == "2022-08-13T06:45:43.123Z"
    assert (
        oss_event(event_time="2022-08-13T06:45:43.000Z", rng=1).data["events"][0]["eventTime"]
        == "2022-08-13T06:45:43.000Z"
    )
    with pytest.raises(ConfigError, match="ISO-8601"):
        oss_event(event_time="yesterday", rng=1)


def test_oss_wildcard_picks_a_created_event_and_expansion():
    name = oss_event(event_name="oss:ObjectCreated:*", rng=9).variant
    assert name.startswith("ObjectCreated:")
    assert expand_oss_event_names(["oss:ObjectCreated:*"]) == list(OSS_EVENT_NAMES[:9])
    assert expand_oss_event_names(["oss:ObjectRemoved:DeleteObject", "ObjectRemoved:*"]) == [
        "ObjectRemoved:DeleteObject",
        "ObjectRemoved:DeleteObjects",
        "ObjectRemoved:AbortMultipartUpload",
    ]
    assert expand_oss_event_names("oss:ObjectCreated:PutObject") == ["ObjectCreated:PutObject"]
    with pytest.raises(ConfigError, match="unknown OSS event 'oss:ObjectCreated:Put'"):
        expand_oss_event_names(["oss:ObjectCreated:Put"])
    with pytest.raises(ConfigError, match="unknown OSS event"):
        oss_event(event_name="GetObject", rng=1)


def test_oss_event_non_ascii_keys_stay_utf8():
    event = oss_event(key="照片/猫.jpg", rng=1)
    assert "照片/猫.jpg".encode() in bytes(event)
    assert json.loads(bytes(event))["events"][0]["oss"]["object"]["key"] == "照片/猫.jpg"


# --------------------------------------------------------------------------- timer
def test_timer_event_fields():
    event = timer_event(trigger_name="every-5m", payload="awesome-fc", rng=rng())
    assert list(event.data) == ["triggerTime", "triggerName", "payload"]
    assert event.data["triggerName"] == "every-5m" and event.data["payload"] == "awesome-fc"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$", event.data["triggerTime"])
    fixed = timer_event(trigger_time=dt.datetime(2018, 2, 9, 5, 49), rng=1)
    assert fixed.data["triggerTime"] == "2018-02-09T05:49:00Z"
    assert timer_event(trigger_time="2018-02-09T05:49:00Z", rng=1).data["triggerTime"] == "2018-02-09T05:49:00Z"
    with pytest.raises(ConfigError, match="payload"):
        timer_event(payload={"a": 1}, rng=1)


# --------------------------------------------------------------------------- SLS
def test_sls_cursor_encoding_matches_the_doc_sample():
    assert encode_sls_cursor(1529480209655978463) == "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw=="
    assert decode_sls_cursor("MTUyOTQ4MDIwOTY1NTk3ODQ2NA==") == 1529480209655978464
    with pytest.raises(ConfigError, match="is not an SLS cursor"):
        decode_sls_cursor("not a cursor")
    with pytest.raises(ConfigError):
        encode_sls_cursor(-1)


def test_sls_event_fields_and_consistency():
    event = sls_event(project="p", logstore="ls", shard_id=2, parameter={"k": "v"}, rng=rng(region="cn-shenzhen"))
    src = event.data["source"]
    assert src["endpoint"] == "http://cn-shenzhen-intranet.log.aliyuncs.com"
    assert (src["projectName"], src["logstoreName"], src["shardId"]) == ("p", "ls", 2)
    begin, end = decode_sls_cursor(src["beginCursor"]), decode_sls_cursor(src["endCursor"])
    assert begin < end
    assert begin // 10**9 <= event.data["cursorTime"]  # positions precede the last arrival
    assert event.data["parameter"] == {"k": "v"}
    assert HEX40.match(event.data["jobName"]) and UUID.match(event.data["taskId"])
    assert isinstance(event.data["cursorTime"], int)


def test_sls_event_cursors_given_as_positions_or_text():
    event = sls_event(begin_cursor=100, rng=1)
    assert decode_sls_cursor(event.data["source"]["endCursor"]) == 101
    text = sls_event(begin_cursor="MTAw", end_cursor="MTA1", rng=1).data["source"]
    assert (text["beginCursor"], text["endCursor"]) == ("MTAw", "MTA1")
    with pytest.raises(ConfigError, match="before begin_cursor"):
        sls_event(begin_cursor=10, end_cursor=5, rng=1)
    with pytest.raises(ConfigError, match="functionParameter"):
        sls_event(parameter="x", rng=1)


# --------------------------------------------------------------------------- CDN
EXPECTED_PARAMS = {
    "LogFileCreated": ["domain", "endTime", "fileSize", "filePath", "startTime"],
    "CachedObjectsRefreshed": ["objectPath", "createTime", "domain", "completeTime", "objectType", "taskId"],
    "CdnDomainStarted": ["domain", "status"],
    "CdnDomainAdded": ["domain"],
}


@pytest.mark.parametrize("name", CDN_EVENT_NAMES)
def test_cdn_event_parameter_shape_per_event(name):
    event = cdn_event(event_name=name, domain="example.com", rng=rng())
    record = event.data["events"][0]
    family = {
        "CachedObjectsPushed": "CachedObjectsRefreshed",
        "CachedObjectsBlocked": "CachedObjectsRefreshed",
        "CdnDomainStopped": "CdnDomainStarted",
        "CdnDomainDeleted": "CdnDomainAdded",
    }.get(name, name)
    params = record["eventParameter"]
    assert list(params) == EXPECTED_PARAMS[family]
    assert record["eventName"] == name and record["eventSource"] == "cdn" and record["eventVersion"] == "1.0.0"
    assert record["resource"] == {"domain": "example.com"} and params["domain"] == "example.com"
    assert UUID.match(record["traceId"]) and ACCOUNT.match(record["userIdentity"]["aliUid"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", record["eventTime"])
    for key in ("endTime", "fileSize", "startTime", "createTime", "completeTime", "taskId"):
        if key in params:  # ints as in the samples (the doc's tables say String)
            assert type(params[key]) is int
    if family == "LogFileCreated":
        assert params["endTime"] - params["startTime"] == 3600
        assert params["filePath"].startswith("http://cdnlog.cn-hangzhou.oss.aliyun-inc.com/example.com/")
    if family == "CachedObjectsRefreshed":
        assert params["objectType"] == "File" and params["objectPath"]
        assert all(p.startswith("/") for p in params["objectPath"])
        assert params["completeTime"] >= params["createTime"]
    if family == "CdnDomainStarted":
        assert params["status"] == ("online" if name == "CdnDomainStarted" else "offline")


def test_cdn_event_rejects_fields_of_other_events_and_bad_values():
    with pytest.raises(ConfigError, match="file_size not part of a CdnDomainAdded event"):
        cdn_event(event_name="CdnDomainAdded", file_size=1, rng=1)
    with pytest.raises(ConfigError, match="valid values"):
        cdn_event(event_name="LogFileDeleted", rng=1)
    with pytest.raises(ConfigError, match="Directory"):
        cdn_event(event_name="CachedObjectsRefreshed", object_type="Folder", rng=1)
    directory = cdn_event(event_name="CachedObjectsPushed", object_type="Directory", rng=1)
    assert all(p.endswith("/") for p in directory.data["events"][0]["eventParameter"]["objectPath"])


# --------------------------------------------------------------------------- MNS topic
def test_mns_topic_stream_without_attributes_is_the_raw_body():
    event = mns_topic_event(message="hello topic", rng=1)
    assert bytes(event) == b"hello topic" and event.data == "hello topic" and event.variant == "STREAM"
    assert mns_topic_event(message="你好".encode(), rng=1).data == "你好"
    with pytest.raises(ConfigError, match="raw message body"):
        mns_topic_event(message="x", overrides={"body": "y"}, rng=1)


def test_mns_topic_stream_with_attributes():
    event = mns_topic_event(message="hello topic", attributes={"Extend": {"key": "value"}}, rng=1)
    assert event.variant == "STREAM+attrs"
    assert event.data == {"body": "hello topic", "attrs": {"Extend": '{"key":"value"}'}}


def test_mns_topic_json_form_has_real_md5_and_int_publish_time():
    r = rng(account_id="1186202104331234")
    event = mns_topic_event(
        message="hello topic", format="JSON", topic="Mytopic", subscription="sub", publish_time=1550216480040, rng=r
    )
    d = event.data
    assert list(d) == [
        "TopicOwner",
        "Message",
        "Subscriber",
        "PublishTime",
        "SubscriptionName",
        "MessageMD5",
        "TopicName",
        "MessageId",
    ]
    assert d["MessageMD5"] == hashlib.md5(b"hello topic").hexdigest().upper()
    assert d["PublishTime"] == 1550216480040 and type(d["PublishTime"]) is int
    assert d["TopicOwner"] == d["Subscriber"] == "1186202104331234"
    assert (d["TopicName"], d["SubscriptionName"], d["Message"]) == ("Mytopic", "sub", "hello topic")
    assert UHEX32.match(d["MessageId"])
    assert event.variant == "JSON"


def test_mns_topic_json_with_attributes_puts_them_first_at_top_level():
    event = mns_topic_event(message="m", format="json", attributes={"key": "value"}, tag="important", rng=1)
    assert list(event.data)[0] == "key" and event.data["key"] == "value"
    assert event.data["MessageTag"] == "important" and event.variant == "JSON+attrs"
    with pytest.raises(ConfigError, match="MessageId would overwrite"):
        mns_topic_event(format="JSON", attributes={"MessageId": "x"}, rng=1)
    with pytest.raises(ConfigError, match="'STREAM' or 'JSON'"):
        mns_topic_event(format="XML", rng=1)


# --------------------------------------------------------------------------- EventBridge family
def _envelope_checks(ev, region, account, type_, source_prefix):
    assert UUID.match(ev["id"])
    assert ev["specversion"] == "1.0" and ev["type"] == type_
    assert ev["source"].startswith(source_prefix) and ev["aliyuneventbusname"] == ev["source"]
    assert ev["aliyunaccountid"] == ev["aliyunoriginalaccountid"] == account
    assert ev["aliyunregionid"] == region
    assert ISO_MS_Z.match(ev["time"]) and ISO_MS_Z.match(ev["aliyunpublishtime"])
    assert ev["aliyunpublishtime"] > ev["time"]  # EventBridge receives after production


def test_mns_queue_event_and_stream_models():
    r = rng(region="cn-chengdu", account_id="1649015465574023")
    single = mns_queue_event(body="TEST", queue="zeus", rng=r)
    assert isinstance(single.data, dict) and single.variant == "event"
    _envelope_checks(single.data, "cn-chengdu", "1649015465574023", "mns:Queue:SendMessage", "MNS-Function-")
    assert single.data["subject"] == "acs:mns:cn-chengdu:1649015465574023:queues/zeus"
    assert single.data["data"]["messageBody"] == "TEST"
    assert UHEX24.match(single.data["data"]["requestId"]) and UHEX32.match(single.data["data"]["messageId"])
    stream = mns_queue_event(body=["a", "b", "c"], rng=r)
    assert isinstance(stream.data, list) and len(stream.data) == 3 and stream.variant == "stream"
    assert [e["data"]["messageBody"] for e in stream.data] == ["a", "b", "c"]
    assert len({e["id"] for e in stream.data}) == 3
    encoded = mns_queue_event(body="mock mns queue message\n", base64_body=True, rng=1)
    assert encoded.data["data"]["messageBody"] == base64.b64encode(b"mock mns queue message\n").decode()
    with pytest.raises(ConfigError, match="only be set for one message"):
        mns_queue_event(batch=2, message_id="X", rng=1)
    with pytest.raises(ConfigError, match="batch=3 but 2 bodies"):
        mns_queue_event(batch=3, body=["a", "b"], rng=1)
    with pytest.raises(ConfigError, match="batch must be >= 1"):
        mns_queue_event(batch=0, rng=1)


def test_rocketmq_event_fields():
    r = rng(region="cn-hangzhou", account_id="1649015465571234")
    ev = rocketmq_event(body="TEST", topic="TopicName", tags="TagA", rng=r).data
    _envelope_checks(ev, "cn-hangzhou", "1649015465571234", "mq:Topic:SendMessage", "RocketMQ-Function-")
    props = ev["data"]["systemProperties"]
    assert re.match(r"^MQ_INST_1649015465571234_[A-Za-z]{8}$", props["INSTANCE_ID"])
    assert ev["subject"] == f"acs:mq:cn-hangzhou:1649015465571234:{props['INSTANCE_ID']}%TopicName"
    assert props["MSG_REGION"] == "cn-hangzhou" and props["TAGS"] == "TagA" and props["TRACE_ON"] == "true"
    assert int(props["MIN_OFFSET"]) < int(props["MAX_OFFSET"])
    assert type(props["CONSUME_START_TIME"]) is int and UHEX32.match(props["UNIQ_KEY"])
    assert ev["data"]["body"] == "TEST" and ev["data"]["userProperties"] == {}
    stream = rocketmq_event(batch=2, rng=r)
    assert len(stream.data) == 2 and stream.variant == "stream"


def test_rabbitmq_event_fields():
    r = rng(region="cn-hangzhou")
    ev = rabbitmq_event(body={"Hello": "RabbitMQ"}, queue="housekeeping", rng=r).data
    _envelope_checks(ev, "cn-hangzhou", r.account_id, "amqp:Queue:SendMessage", "RabbitMQ-Function-")
    assert re.match(
        rf"^acs:amqp:cn-hangzhou:{r.account_id}:/instances/amqp-cn-[a-z0-9]{{12}}"
        r"/vhosts/eb-connect/queues/housekeeping$",
        ev["subject"],
    )
    assert ev["data"]["body"] == {"Hello": "RabbitMQ"}
    envelope = ev["data"]["envelope"]
    assert envelope["routingKey"] == "housekeeping" and envelope["redeliver"] is False
    assert type(envelope["deliveryTag"]) is int and envelope["exchange"] == ""
    assert UUID.match(ev["data"]["props"]["messageId"])
    tags = [e["data"]["envelope"]["deliveryTag"] for e in rabbitmq_event(batch=3, rng=r).data]
    assert tags == sorted(tags) and len(set(tags)) == 3


def test_kafka_eventbridge_array_with_headers():
    event = kafka_event(
        records=[("k1", "v1"), {"key": "k2", "value": "v2", "headers": [{"key": "h", "value": "1"}]}, "v3"],
        topic="mytopic",
        partition=7,
        offset=25,
        rng=1,
    )
    assert isinstance(event.data, list) and len(event.data) == 3 and event.variant == "eventbridge"
    first, second, third = event.data
    assert first["source"] == "acs:alikafka" and first["type"] == "alikafka:Topic:Message"
    assert re.match(r"^acs:alikafka_pre-cn-[a-z0-9]{12}:topic:mytopic$", first["subject"])
    assert first["data"]["headers"] == {"headers": [], "isReadOnly": False}
    assert second["data"]["headers"]["headers"] == [{"key": "h", "value": "1"}]
    assert [e["data"]["offset"] for e in event.data] == [25, 26, 27]
    assert all(e["data"]["partition"] == 7 and type(e["data"]["timestamp"]) is int for e in event.data)
    assert "key" not in third["data"] and third["data"]["value"] == "v3"


def test_kafka_connector_form_and_overflow():
    event = kafka_event(form="connector", records=[("k", "hello"), ("big", "x" * (200 * 1024))], rng=1)
    small, big = event.data
    assert list(small) == ["key", "offset", "overflowFlag", "partition", "timestamp", "topic", "value", "valueSize"]
    assert small["overflowFlag"] is False and small["valueSize"] == 5 and small["value"] == "hello"
    assert big["overflowFlag"] is True and big["valueSize"] == 200 * 1024 and big["value"] == ""
    assert big["offset"] == small["offset"] + 1
    with pytest.raises(ConfigError, match="valid values"):
        kafka_event(form="mqtt", rng=1)


def test_datahub_event_records():
    event = datahub_event(
        records=[["col1's value", "col2's value"], "blob text"],
        project="p",
        topic="t",
        shard_id=0,
        sequence=12345,
        region="cn-hangzhou",
        rng=1,
    )
    d = event.data
    assert d["eventSource"] == "acs:datahub" and d["eventName"] == "acs:datahub:putRecord"
    assert d["eventSourceARN"] == "/projects/p/topics/t"
    assert [r["eventId"] for r in d["records"]] == ["0:12345", "0:12346"]
    assert d["records"][0]["data"] == '["col1\'s value","col2\'s value"]'
    assert d["records"][1]["data"] == "blob text"
    assert d["records"][0]["systemTime"] <= d["records"][1]["systemTime"]


def test_eventbridge_default_is_the_ecs_sample_and_custom_needs_data():
    r = rng(region="cn-hangzhou", account_id="1234567890981234")
    ev = eventbridge_event(rng=r).data
    assert ev["source"] == "acs.ecs" and ev["type"] == "ecs:Disk:ConvertToPostpaidCompleted"
    assert ev["data"]["result"] == "accomplished" and re.match(r"^d-[a-z0-9]{20}$", ev["data"]["diskId"])
    assert ev["subject"] == f"acs:ecs:cn-hangzhou:1234567890981234:disk/{ev['data']['diskId']}"
    assert ev["aliyuneventbusname"] == "default" and ev["aliyunregionid"] == "cn-hangzhou"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$", ev["time"])
    assert ev["aliyunpublishaddr"].startswith("172.")
    custom = eventbridge_event(
        source="acs.oss",
        type="oss:ObjectCreated:PutObject",
        data={"k": 1},
        subject="acs:oss:cn-hangzhou:1:bucket/x",
        rng=r,
    )
    assert custom.data["data"] == {"k": 1} and custom.variant == "oss:ObjectCreated:PutObject"
    with pytest.raises(ConfigError, match="pass data="):
        eventbridge_event(type="ecs:Instance:StateChange", rng=r)


# --------------------------------------------------------------------------- import cost
def test_importing_events_loads_no_builder_dependencies():
    code = (
        "import sys, pytest_fctrigger.events as e; e.CATALOG; "
        "print(sorted(m for m in ('faker', 'cbor2', 'pytest_fctrigger.events.oss') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
