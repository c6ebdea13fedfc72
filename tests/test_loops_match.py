"""Unit tests of the loop rules: which journal write fires which trigger (pytest_fctrigger.loops).

Sources: seeds/001 OSS "触发规则" (prefix src/ -> dst/ to avoid 循环触发) and MNS "过滤标签";
seeds/003 "Warning ... recursive invocations"; reference fc-runtime-and-config.md section 8.
"""

from __future__ import annotations

import pytest
from loops_helpers import mns_write, oss_write, ots_write, sls_write

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.loops import LoopDetector, TriggerIndex, Watched, write_fires
from pytest_fctrigger.triggers.model import TriggerSpec


def oss_trigger(**config):
    config.setdefault("bucket", "images")
    return TriggerSpec.from_marker("oss", **config)


# --------------------------------------------------------------------------- OSS
@pytest.mark.parametrize(
    "key, fires",
    [
        ("source/cat.png", True),
        ("source/deep/dir/cat.png", True),
        ("processed/cat.png", False),  # the seeds' fix: output under another prefix
        ("source/cat.jpg", False),  # suffix outside the filter
        ("Source/cat.png", False),  # OSS keys are case-sensitive
        ("xsource/cat.png", False),  # prefix is a prefix, not a substring
    ],
)
def test_oss_prefix_and_suffix_filter(key, fires):
    trigger = oss_trigger(prefix="source/", suffix=".png")
    assert write_fires(oss_write("images", key), trigger) is fires


def test_oss_other_bucket_never_fires():
    assert not write_fires(oss_write("images-out", "source/cat.png"), oss_trigger(prefix="source/"))


@pytest.mark.parametrize(
    "api, event_name, fires",
    [
        ("PutObject", "ObjectCreated:PutObject", True),
        ("CopyObject", "ObjectCreated:CopyObject", True),
        ("AppendObject", "ObjectCreated:AppendObject", True),
        ("CompleteMultipartUpload", "ObjectCreated:CompleteMultipartUpload", True),
        ("PutSymlink", "ObjectCreated:PutSymlink", True),
        ("DeleteObject", "ObjectRemoved:DeleteObject", False),
    ],
)
def test_oss_created_wildcard_expands_to_the_family(api, event_name, fires):
    # the trigger's events carry "oss:", the write's (like OSS's eventName) do not
    trigger = oss_trigger(events=["oss:ObjectCreated:*"])
    assert write_fires(oss_write("images", "a.png", api, event_name), trigger) is fires


def test_oss_exact_event_list():
    trigger = oss_trigger(events=["oss:ObjectCreated:PutObject", "oss:ObjectRemoved:DeleteObject"])
    assert write_fires(oss_write("images", "a", "PutObject"), trigger)
    assert write_fires(oss_write("images", "a", "DeleteObject", "ObjectRemoved:DeleteObject"), trigger)
    assert not write_fires(oss_write("images", "a", "CopyObject"), trigger)
    assert not write_fires(oss_write("images", "a", "DeleteObjects", "ObjectRemoved:DeleteObjects"), trigger)


def test_oss_write_event_name_with_prefix_is_accepted():
    trigger = oss_trigger(events=["ObjectCreated:PutObject"])  # marker shorthand without "oss:"
    assert trigger.events == ["oss:ObjectCreated:PutObject"]
    assert write_fires(oss_write("images", "a", event_name="oss:ObjectCreated:PutObject"), trigger)


def test_oss_batch_delete_write_with_several_keys():
    trigger = oss_trigger(events=["oss:ObjectRemoved:*"], prefix="tmp/")
    write = oss_write("images", "ignored", "DeleteObjects", "ObjectRemoved:DeleteObjects")
    write.resource = {"bucket": "images", "keys": ["keep/a", "tmp/b"]}
    assert write_fires(write, trigger)
    write.resource = {"bucket": "images", "keys": ["keep/a", "keep/b"]}
    assert not write_fires(write, trigger)


def test_oss_write_without_event_name_fires_nothing():
    write = oss_write("images", "source/a.png")
    write.event_name = None
    assert not write_fires(write, oss_trigger())


def test_oss_trigger_from_source_arn_and_config_bucket():
    by_arn = TriggerSpec(
        name="t",
        type="oss",
        source_arn="acs:oss:cn-hangzhou:123:images",
        config={"events": ["oss:ObjectCreated:*"], "filter": {"key": {"prefix": "in/"}}},
    )
    by_config = TriggerSpec(name="t", type="oss", config={"bucketName": "images", "events": ["oss:ObjectCreated:*"]})
    assert write_fires(oss_write("images", "in/a"), by_arn)
    assert not write_fires(oss_write("images", "out/a"), by_arn)
    assert write_fires(oss_write("images", "out/a"), by_config)


# --------------------------------------------------------------------------- MNS
def test_mns_same_topic_without_filter_tag_fires():
    trigger = TriggerSpec.from_marker("mns_topic", topic="orders")
    assert write_fires(mns_write("orders"), trigger)
    assert write_fires(mns_write("orders", tag="any"), trigger)
    assert not write_fires(mns_write("orders-out"), trigger)


@pytest.mark.parametrize("tag, fires", [("resize", True), ("done", False), (None, False), ("resize2", False)])
def test_mns_filter_tag_must_equal_the_message_tag(tag, fires):
    # seeds/001 MNS "过滤标签": only messages carrying the filter tag trigger the function
    trigger = TriggerSpec.from_marker("mns_topic", topic="orders", filter_tag="resize")
    assert write_fires(mns_write("orders", tag=tag), trigger) is fires


def test_mns_queue_writes_fire_no_topic_trigger():
    trigger = TriggerSpec.from_marker("mns_topic", topic="orders")
    write = mns_write("orders")
    write.resource = {"queue": "orders"}
    assert not write_fires(write, trigger)


def test_mns_region_is_compared_when_the_trigger_names_one():
    trigger = TriggerSpec.from_marker("mns_topic", topic="orders", region="cn-shanghai")
    assert write_fires(mns_write("orders", region="cn-shanghai"), trigger)
    assert not write_fires(mns_write("orders", region="cn-hangzhou"), trigger)


# --------------------------------------------------------------------------- Tablestore / SLS
def test_tablestore_instance_and_table():
    trigger = TriggerSpec.from_marker("tablestore", instance="shop", table="orders")
    for api in ("PutRow", "UpdateRow", "DeleteRow", "BatchWriteRow"):
        assert write_fires(ots_write("shop", "orders", api), trigger)
    assert write_fires(ots_write("SHOP", "orders"), trigger)  # instance names are host names
    assert not write_fires(ots_write("shop", "orders_audit"), trigger)
    assert not write_fires(ots_write("other", "orders"), trigger)


def test_tablestore_trigger_from_source_arn():
    trigger = TriggerSpec(
        name="ots", type="tablestore", config={}, source_arn="acs:ots:cn-hangzhou:123:instance/shop/table/orders"
    )
    assert write_fires(ots_write("shop", "orders"), trigger)
    assert not write_fires(ots_write("shop", "orders", region="cn-beijing"), trigger)


def test_sls_source_logstore_only():
    trigger = TriggerSpec.from_marker(
        "log", project="etl", logstore="raw", logConfig={"project": "etl", "logstore": "fc-logs"}
    )
    assert write_fires(sls_write("etl", "raw"), trigger)
    assert not write_fires(sls_write("etl", "fc-logs"), trigger)  # where FC writes the function's logs
    assert not write_fires(sls_write("other", "raw"), trigger)


def test_cross_service_writes_never_match():
    oss = oss_trigger()
    assert not write_fires(mns_write("images"), oss)
    assert not write_fires(ots_write("images", "images"), TriggerSpec.from_marker("mns_topic", topic="images"))


# --------------------------------------------------------------------------- index and rules
def _watch(*triggers):
    return [Watched(t, "the function under test", True) for t in triggers]


def test_index_returns_every_trigger_a_write_fires_with_the_reason():
    a = oss_trigger(name="a", prefix="source/")
    b = oss_trigger(name="b", suffix=".png")
    c = oss_trigger(name="c", prefix="other/")
    index = TriggerIndex(_watch(a, b, c))
    matches = index.matches(oss_write("images", "source/cat.png"))
    assert [m.trigger.name for m in matches] == ["a", "b"]
    assert matches[0].reason == (
        "bucket 'images' is the trigger's bucket; event ObjectCreated:PutObject is covered by "
        "oss:ObjectCreated:*; key 'source/cat.png' starts with the prefix 'source/'"
    )


def test_extra_rules_add_matches_for_any_trigger():
    eb = TriggerSpec(name="eb", type="eventbridge", config={"eventRuleFilterPattern": '{"source":["acs.oss"]}'})

    def oss_via_eventbridge(write, trigger):
        return trigger.type == "eventbridge" and write.service == "oss"

    index = TriggerIndex(_watch(eb), [oss_via_eventbridge])
    matches = index.matches(oss_write("images", "x"))
    assert len(matches) == 1
    assert "oss_via_eventbridge" in matches[0].reason
    assert index.matches(mns_write("t")) == []


def test_a_failing_rule_is_named_in_a_config_error():
    def broken(write, trigger):
        raise KeyError("bucket")

    index = TriggerIndex(_watch(oss_trigger()), [broken])
    with pytest.raises(ConfigError, match=r"loop rule .*broken .*raised KeyError"):
        index.matches(mns_write("t"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "stop"}, "loop mode 'stop' is not one of fail, warn, allow"),
        ({"depth": -1}, "loop depth must be an integer >= 0, got -1"),
        ({"depth": "3"}, "loop depth must be an integer >= 0, got '3'"),
    ],
)
def test_detector_rejects_bad_options(kwargs, message):
    with pytest.raises(ConfigError) as info:
        LoopDetector([oss_trigger()], **kwargs)
    assert str(info.value) == message


def test_oss_event_outside_the_catalog_still_matches_itself():
    # fc3's OSSEvents enum lists oss:ObjectModified:UpdateObjectMeta, the seeds' 12 names do not
    trigger = oss_trigger(events=["oss:ObjectModified:UpdateObjectMeta", "oss:ObjectRemoved:*"])
    meta = oss_write("images", "a", "PutObjectMeta", "ObjectModified:UpdateObjectMeta")
    assert write_fires(meta, trigger)
    assert write_fires(oss_write("images", "a", "DeleteObjects", "ObjectRemoved:DeleteObjects"), trigger)
    assert not write_fires(oss_write("images", "a", "PutObject"), trigger)
