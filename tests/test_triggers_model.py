"""TriggerSpec / FunctionSpec / App behaviour other areas (loops, invoke, matrix) rely on."""

from __future__ import annotations

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.triggers.model import (
    App,
    Finding,
    FunctionSpec,
    TriggerSpec,
    canonical_type,
    expand_oss_events,
)


def test_marker_shorthands_build_normalised_oss_trigger():
    t = TriggerSpec.from_marker(
        "oss",
        bucket="photos",
        events=["ObjectCreated:PutObject"],
        prefix="src/",
        region="cn-shanghai",
        account_id="123",
    )
    assert t.source_arn == "acs:oss:cn-shanghai:123:photos"
    assert (t.bucket, t.region, t.account_id) == ("photos", "cn-shanghai", "123")
    assert t.events == ["oss:ObjectCreated:PutObject"]
    assert (t.prefix, t.suffix) == ("src/", "")
    assert "on bucket 'photos'" in t.describe() and "prefix 'src/'" in t.describe()


def test_marker_shorthands_for_mns_tablestore_log_and_timer():
    mns = TriggerSpec.from_marker("mns_topic", topic="orders", filter_tag="paid", format="json")
    assert (mns.topic, mns.filter_tag, mns.notify_format, mns.notify_strategy) == (
        "orders",
        "paid",
        "JSON",
        "BACKOFF_RETRY",
    )
    ots = TriggerSpec.from_marker("ots", instance="shop", table="orders")
    assert (ots.type, ots.instance, ots.table) == ("tablestore", "shop", "orders")
    log = TriggerSpec.from_marker(
        "sls", project="p", logstore="src", jobConfig={"triggerInterval": 30, "maxRetryTime": 1}
    )
    assert (log.type, log.project, log.logstore, log.trigger_interval, log.max_retry_time) == ("log", "p", "src", 30, 1)
    timer = TriggerSpec.from_marker("timer", name="t", cronExpression="@every 5m", payload="x", enable=False)
    assert (timer.cron, timer.payload, timer.enabled) == ("@every 5m", "x", False)


def test_defaults_of_unset_fields():
    log = TriggerSpec(name="l", type="log", config={"sourceConfig": {"logstore": "s"}})
    assert (log.trigger_interval, log.max_retry_time, log.function_parameter) == (60, 3, {})
    http = TriggerSpec(name="h", type="http")
    assert (http.auth_type, http.methods, http.enabled) == ("anonymous", [], True)
    eb = TriggerSpec(name="e", type="eventbridge", config={"eventRuleFilterPattern": "not json"})
    assert (eb.event_source_type, eb.event_rule_pattern, eb.delivery_mode, eb.event_schema) == (
        "Default",
        {},
        "event-driven",
        "CloudEvents",
    )
    assert TriggerSpec(name="o", type="oss").event_source_type is None


def test_line_of_falls_back_to_parent_paths_and_the_trigger():
    t = TriggerSpec(name="t", type="oss", location=("s.yaml", 10), lines={"": 10, "filter": 14, "filter.key": 15})
    assert t.line_of("filter.key.prefix") == 15
    assert t.line_of("events") == 10
    assert t.file == "s.yaml"


def test_canonical_type_aliases_and_error():
    assert [canonical_type(n) for n in ("SLS", "cdn", "OTS", "MNSTopic", "mns-topic")] == [
        "log",
        "cdn_events",
        "tablestore",
        "mns_topic",
        "mns_topic",
    ]
    with pytest.raises(ConfigError, match="unknown trigger type 'sqs'; valid types: oss, log"):
        canonical_type("sqs")


def test_expand_oss_events_keeps_order_and_drops_duplicates():
    assert expand_oss_events(["ObjectRemoved:DeleteObject", "oss:ObjectCreated:*", "oss:ObjectCreated:PutObject"])[
        :3
    ] == ["oss:ObjectRemoved:DeleteObject", "oss:ObjectCreated:PutObject", "oss:ObjectCreated:PostObject"]
    assert len(expand_oss_events(["oss:ObjectCreated:*", "oss:ObjectRemoved:*"])) == 12


def test_app_function_lookup_by_name_resource_and_service():
    a = FunctionSpec(name="resize-prod", resource="resize", service="media")
    app = App(functions={"resize-prod": a})
    assert app.function("resize-prod") is a
    assert app.function("resize") is a
    assert app.function("media/resize-prod") is a
    with pytest.raises(KeyError, match="declares no function 'x'; functions: resize-prod"):
        app.function("x")
    with pytest.raises(KeyError, match="has no trigger 'up'; its triggers: none"):
        a.trigger("up")


def test_finding_formats_on_one_line_and_as_dict():
    finding = Finding(
        code="FCT101",
        severity="error",
        rule="oss-prefix-leading-slash",
        message="bad",
        fix="drop it",
        file="s.yaml",
        line=3,
        function="f",
        trigger="t",
    )
    assert str(finding) == "s.yaml:3: error FCT101 [oss-prefix-leading-slash] bad Fix: drop it"
    assert finding.to_dict()["line"] == 3 and finding.is_error
