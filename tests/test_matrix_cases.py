"""fc_matrix cases built from the catalog and from s.yaml triggers (plain calls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.events._random import FCRandom
from pytest_fctrigger.events.catalog import CATALOG
from pytest_fctrigger.matrix import MatrixCase, cases_for_app, cases_for_types
from pytest_fctrigger.triggers.cron import next_fires
from pytest_fctrigger.triggers.loader import load_app

DATA = Path(__file__).parent / "data" / "triggers"


def test_types_give_every_catalog_variant_with_readable_ids():
    cases = cases_for_types(["oss", "mns_topic"])
    assert [c.id for c in cases] == [f"oss[{v}]" for v in CATALOG["oss"].variants] + [
        "mns_topic[STREAM]",
        "mns_topic[STREAM+attrs]",
        "mns_topic[JSON]",
        "mns_topic[JSON+attrs]",
    ]
    assert len(cases) == 16
    event = cases[0].build(FCRandom(5))
    assert event.trigger_type == "oss" and event.data["events"][0]["eventName"] == "ObjectCreated:PutObject"


def test_no_types_means_the_whole_catalog_and_aliases_work():
    assert len(cases_for_types([])) == sum(len(s.variants) for s in CATALOG.values())
    assert [c.id for c in cases_for_types(["sls"])] == ["log[default]"]


def test_unknown_type_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="unknown trigger type 'sqs'; valid types: timer, oss"):
        cases_for_types(["sqs"])


def test_events_are_seeded_and_built_on_demand():
    [case] = cases_for_types(["timer"])
    assert case.build(FCRandom(1)) == case.build(FCRandom(1))
    assert case.build(FCRandom(1)) != case.build(FCRandom(2))


# --------------------------------------------------------------------------- from s.yaml
@pytest.fixture(scope="module")
def fc_app():
    return load_app(DATA / "fc-templated" / "src" / "s.yaml", {"bucketName": "media-in"}, env={}, warn=False)


def test_oss_trigger_gives_one_case_per_event_with_keys_matching_the_filter(fc_app):
    cases = cases_for_app(fc_app, "resize-dev")
    assert [c.id for c in cases] == ["on-upload[ObjectCreated:PutObject]", "on-upload[ObjectCreated:PostObject]"]
    for seed, case in enumerate(cases):
        record = case.build(FCRandom(seed)).data["events"][0]
        assert record["eventName"] == case.variant
        assert record["oss"]["bucket"]["name"] == "media-in"
        key = record["oss"]["object"]["key"]
        assert key.startswith("source/") and key.endswith(".png") and len(key) > len("source/.png")
        assert record["region"] == "cn-hangzhou"
        assert case.trigger is fc_app.function("resize-dev").triggers[0]
        assert case.function.name == "resize-dev" and case.app is fc_app


def test_wildcard_expansion_and_update_object_meta(tmp_path):
    from triggers_helpers import oss_trigger, write_fc3

    path = write_fc3(
        tmp_path,
        {"f": [oss_trigger("all", ["oss:ObjectCreated:*", "oss:ObjectModified:UpdateObjectMeta"], "in/", ".csv")]},
    )
    cases = cases_for_app(load_app(path, warn=False), "f")
    assert len(cases) == 10  # 9 ObjectCreated + UpdateObjectMeta
    meta = cases[-1]
    assert meta.id == "all[ObjectModified:UpdateObjectMeta]"
    event = meta.build(FCRandom(3))
    assert event.data["events"][0]["eventName"] == "ObjectModified:UpdateObjectMeta"
    assert event.variant == "ObjectModified:UpdateObjectMeta"


def test_every_trigger_type_of_the_fc_app(fc_app):
    ids = [c.id for c in cases_for_app(fc_app)]
    assert ids == [
        "resize-dev/on-upload[ObjectCreated:PutObject]",
        "resize-dev/on-upload[ObjectCreated:PostObject]",
        "etl/sls-trigger[media-logs/access-log]",
        "events/nightly[fire-1]",
        "events/nightly[fire-2]",
        "events/nightly[fire-3]",
        "events/orders[JSON]",
        "events/orders[JSON+attrs]",
        "events/table-stream[PutRow]",
        "events/table-stream[UpdateRow]",
        "events/table-stream[DeleteRow]",
        "events/cdn-logs[LogFileCreated]",
        "web/http[GET]",
        "web/http[POST]",
    ]


def test_case_labels_are_the_bracketed_part_of_the_id(fc_app):
    labels = {c.id: (c.label, c.variant) for c in cases_for_app(fc_app)}
    assert labels["web/http[GET]"] == ("GET", None)  # a method, not a catalog variant
    assert labels["events/nightly[fire-2]"] == ("fire-2", None)
    assert labels["events/orders[JSON+attrs]"] == ("JSON+attrs", "JSON+attrs")
    assert labels["resize-dev/on-upload[ObjectCreated:PostObject]"] == (
        "ObjectCreated:PostObject",
        "ObjectCreated:PostObject",
    )
    by_type = {c.id: c.label for c in cases_for_types(["mns_topic"])}
    assert by_type["mns_topic[STREAM]"] == "STREAM"


def test_timer_cases_are_the_next_fire_times_after_the_test_clock(fc_app):
    cases = cases_for_app(fc_app, "events")[:3]
    rng = FCRandom(11)
    expected = next_fires(fc_app.function("events").trigger("nightly"), rng.base_time, 3)
    for case, when in zip(cases, expected):
        data = case.build(FCRandom(11)).data
        assert data == {
            "triggerTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "triggerName": "nightly",
            "payload": '{"job": "cleanup"}',
        }
        assert when.hour == 18  # 02:00 Asia/Shanghai is 18:00 UTC the day before


def test_mns_sls_tablestore_cdn_http_cases_carry_the_trigger_config(fc_app):
    by_id = {c.id: c for c in cases_for_app(fc_app)}
    plain = by_id["events/orders[JSON]"].build(FCRandom(1)).data
    assert plain["TopicName"] == "orders" and "key" not in plain
    with_attrs = by_id["events/orders[JSON+attrs]"].build(FCRandom(1))
    assert with_attrs.variant == "JSON+attrs"
    sls = by_id["etl/sls-trigger[media-logs/access-log]"].build(FCRandom(1)).data
    assert (sls["source"]["projectName"], sls["source"]["logstoreName"]) == ("media-logs", "access-log")
    assert sls["parameter"] == {"target": "warehouse"}
    update = by_id["events/table-stream[UpdateRow]"].build(FCRandom(1))
    assert update.trigger_type == "tablestore" and update.data["Records"][0]["Type"] == "UpdateRow"
    cdn = by_id["events/cdn-logs[LogFileCreated]"].build(FCRandom(1)).data["events"][0]
    assert cdn["eventName"] == "LogFileCreated" and cdn["resource"]["domain"] == "static.example.com"
    post = by_id["web/http[POST]"].build(FCRandom(1)).data
    assert post["requestContext"]["http"]["method"] == "POST"


def test_eventbridge_sources_build_their_own_events():
    app = load_app(DATA / "fc3-app" / "s.yaml", env={}, warn=False)
    by_id = {c.id: c for c in cases_for_app(app, "orders-prod-bus")}
    assert list(by_id) == [
        "default-source[oss:BucketCreated:PutBucket]",
        "mns-queue[event]",
        "rocketmq[event]",
        "rabbitmq[event]",
        "kafka[eventbridge]",
        "dts[dts:ConsumeMessage]",
    ]
    default = by_id["default-source[oss:BucketCreated:PutBucket]"].build(FCRandom(2)).data
    assert (default["source"], default["type"]) == ("acs.oss", "oss:BucketCreated:PutBucket")
    queue = by_id["mns-queue[event]"].build(FCRandom(2)).data
    assert queue["subject"].endswith(":queues/order-queue") and queue["aliyunregionid"] == "cn-shanghai"
    rocket = by_id["rocketmq[event]"].build(FCRandom(2)).data
    assert rocket["data"]["topic"] == "orders" and rocket["data"]["systemProperties"]["TAGS"] == "paid"
    kafka = by_id["kafka[eventbridge]"].build(FCRandom(2)).data
    assert isinstance(kafka, list) and kafka[0]["data"]["topic"] == "orders"
    dts = by_id["dts[dts:ConsumeMessage]"].build(FCRandom(2)).data
    assert (dts["source"], dts["type"]) == ("acs.dts", "dts:ConsumeMessage")
    assert dts["data"]["topicPartition"]["topic"] == "cn_shanghai_vpc_rm_orders"
    assert set(dts["data"]) == {
        "id",
        "topicPartition",
        "offset",
        "sourceTimestamp",
        "operationType",
        "schema",
        "beforeImage",
        "afterImage",
    }


def test_streaming_mode_gives_a_batch(tmp_path):
    from triggers_helpers import write_fc3

    trigger = {
        "triggerName": "q",
        "triggerType": "eventbridge",
        "triggerConfig": {
            "runOptions": {"mode": "event-streaming", "batchWindow": {"CountBasedWindow": 3, "TimeBasedWindow": 5}},
            "eventSourceConfig": {
                "eventSourceType": "MNS",
                "eventSourceParameters": {"sourceMNSParameters": {"QueueName": "jobs"}},
            },
        },
    }
    [case] = cases_for_app(load_app(write_fc3(tmp_path, {"f": [trigger]}), warn=False), "f")
    assert case.id == "q[stream]"
    batch = case.build(FCRandom(4)).data
    assert isinstance(batch, list) and len(batch) == 3


def test_unknown_function_names_the_functions(fc_app):
    with pytest.raises(ConfigError, match="declares no function 'nope'; functions: etl, events, resize-dev, web"):
        cases_for_app(fc_app, "nope")


def test_custom_case_with_own_builder():
    case = MatrixCase("custom[one]", "timer", builder=lambda rng, c: json.dumps({"seed": rng.seed}).encode())
    assert case.build(9) == b'{"seed": 9}'


def test_a_bad_cron_fails_with_the_file_and_line_of_the_expression(tmp_path):
    from triggers_helpers import write_fc3

    from pytest_fctrigger.triggers.cron import CronError

    path = write_fc3(
        tmp_path,
        {"f": [{"triggerName": "tick", "triggerType": "timer", "triggerConfig": {"cronExpression": "0 0 4 * *"}}]},
    )
    with pytest.raises(CronError, match="expected 6 fields") as info:
        cases_for_app(load_app(path, warn=False), "f")
    assert info.value.file == str(path)
    assert "cronExpression" in path.read_text().splitlines()[info.value.line - 1]
