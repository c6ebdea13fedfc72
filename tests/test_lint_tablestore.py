"""Lint rules of the Tablestore trigger (seeds/001 10.1 "Tablestore触发器概述": 地域限制, 注意事项)."""

from __future__ import annotations

import pytest

from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.model import App, FunctionSpec, TriggerSpec


def _app(region="cn-hangzhou", timeout=30, environment=None):
    trigger = TriggerSpec(
        name="stream",
        type="tablestore",
        source_arn=f"acs:ots:{region}:123:instance/inst/table/orders",
        function="fn",
    )
    function = FunctionSpec(name="fn", timeout=timeout, environment=environment or {}, triggers=[trigger])
    return App(functions={"fn": function})


def _codes(app):
    return [f.code for f in lint(app) if f.code.startswith("FCT9")]


def test_a_compliant_tablestore_function_has_no_findings():
    assert _codes(_app(environment={"OTS_ENDPOINT": "https://inst.cn-hangzhou.vpc.tablestore.aliyuncs.com"})) == []


@pytest.mark.parametrize("timeout, found", [(60, []), (61, ["FCT901"]), (300, ["FCT901"])])
def test_a_tablestore_triggered_function_must_finish_within_a_minute(timeout, found):  # seeds/001 10.1
    assert _codes(_app(timeout=timeout)) == found


def test_fct901_names_the_timeout_and_the_fix():
    [finding] = [f for f in lint(_app(timeout=120)) if f.code == "FCT901"]
    assert finding.severity == "warning" and "120 s" in finding.message and "60 s" in finding.fix


@pytest.mark.parametrize("region", ["cn-beijing", "cn-hongkong", "ap-southeast-2", "eu-central-1"])
def test_tablestore_trigger_regions_that_exist(region):  # seeds/001 10.1 地域限制
    assert _codes(_app(region=region)) == []


@pytest.mark.parametrize("region", ["cn-qingdao", "us-west-1", "cn-chengdu"])
def test_tablestore_trigger_in_a_region_without_them_is_an_error(region):
    [finding] = [f for f in lint(_app(region=region)) if f.code == "FCT902"]
    assert finding.severity == "error" and repr(region) in finding.message


def test_an_internal_tablestore_endpoint_is_flagged_with_the_vpc_form():  # seeds/001 10.1 注意事项
    app = _app(environment={"OTS_ENDPOINT": "https://inst.cn-hangzhou.ots-internal.aliyuncs.com"})
    [finding] = [f for f in lint(app) if f.code == "FCT903"]
    assert "OTS_ENDPOINT" in finding.message and "vpc.tablestore.aliyuncs.com" in finding.fix


# --------------------------------------------------------------------------- EventBridge buses
def _mq_trigger(i):
    return TriggerSpec(
        name=f"mq{i}",
        type="eventbridge",
        config={
            "eventSourceConfig": {
                "eventSourceType": "RocketMQ",
                "eventSourceParameters": {
                    "sourceRocketMQParameters": {"InstanceId": "i", "Topic": "t", "GroupID": "g"}
                },
            }
        },
        function="fn",
    )


@pytest.mark.parametrize("count, found", [(10, []), (11, ["FCT802"])])
def test_eventbridge_custom_buses_per_region(count, found):  # seeds/001 15.2: 10 custom buses per region
    function = FunctionSpec(name="fn", region="cn-hangzhou", triggers=[_mq_trigger(i) for i in range(count)])
    findings = [f for f in lint(App(functions={"fn": function})) if f.code == "FCT802"]
    assert [f.code for f in findings] == found
    if findings:
        assert findings[0].trigger == "mq10" and "'cn-hangzhou'" in findings[0].message
