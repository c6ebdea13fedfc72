"""Trigger kinds: one module per type behind a registry; marker keys checked against the
kind's schema; a kind added by a plugin shows up in markers, lint, matrix and loops;
disabled triggers fire nothing (issue 8 points 1-2, issue 9 points 1 and 3)."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest
from loops_helpers import sls_write

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.kinds import ASYNC, CONFIGURED, REGISTRY, SYNC
from pytest_fctrigger.loops import LoopDetector, SelfTriggerLoop
from pytest_fctrigger.matrix import cases_for_app
from pytest_fctrigger.triggers.model import App, FunctionSpec, TriggerSpec

KINDS_DIR = Path(importlib.import_module("pytest_fctrigger.kinds").__file__).parent


def test_one_module_per_trigger_kind_each_defining_its_kind():
    expected = {
        "oss", "log", "timer", "http", "mns_topic", "cdn_events", "tablestore", "eventbridge",
        "mns_queue", "rocketmq", "rabbitmq", "kafka", "datahub", "apigw",
    }  # fmt: skip
    assert expected <= {p.stem for p in KINDS_DIR.glob("*.py")}
    for name in expected:
        assert importlib.import_module(f"pytest_fctrigger.kinds.{name}").KIND.name == name
    assert set(REGISTRY.names()) == expected


def test_invocation_types_follow_fc():  # seeds/001: timer, OSS, MNS topic async; SLS, CDN, OTS, HTTP sync
    types = {k.name: k.invocation_type for k in REGISTRY.kinds()}
    assert [types[n] for n in ("timer", "oss", "mns_topic")] == [ASYNC] * 3
    assert [types[n] for n in ("log", "cdn_events", "tablestore", "http")] == [SYNC] * 4
    assert types["eventbridge"] == CONFIGURED and types["rocketmq"] == CONFIGURED


def test_aliases_resolve_through_the_registry():
    assert [REGISTRY.get(n).name for n in ("SLS", "cdn", "OTS", "MNSTopic", "mns-topic", "api_gateway")] == [
        "log", "cdn_events", "tablestore", "mns_topic", "mns_topic", "apigw",
    ]  # fmt: skip


def test_an_unknown_marker_key_names_the_closest_valid_key():
    with pytest.raises(ConfigError, match=r"unknown oss trigger key 'buckt' \(did you mean 'bucket'\?\)"):
        TriggerSpec.from_marker("oss", buckt="photos", events=["oss:ObjectCreated:*"])


@pytest.mark.parametrize(
    "type_, config, message",
    [
        ("oss", {"bucket": "Bad_Bucket!"}, "bucket='Bad_Bucket!': not a valid OSS bucket name (3-63 characters"),
        ("oss", {"bucket": 123}, "bucket=123: must be str, got int"),
        ("oss", {"bucket": "photos", "prefix": 5}, "prefix=5: must be str, got int"),
        ("mns_topic", {"topic": "t", "format": "XML"}, "notifyContentFormat is one of STREAM, JSON"),
        ("log", {"project": "p", "logstore": "l", "enable": "no"}, "enable='no': must be bool"),
        (
            "tablestore",
            {"instance": "i", "tabel": "t"},
            "unknown tablestore trigger key 'tabel' (did you mean 'table'?)",
        ),
    ],
)
def test_marker_values_are_checked_against_the_schema(type_, config, message):
    with pytest.raises(ConfigError) as info:
        TriggerSpec.from_marker(type_, **config)
    assert message in str(info.value)


def test_a_misspelt_marker_key_fails_the_test_in_one_line(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc_trigger("oss", buckt="photos", events=["oss:ObjectCreated:*"])
        def test_it(fc_invoke):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown oss trigger key 'buckt' (did you mean 'bucket'?)*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_an_unknown_key_in_a_file_config_is_a_finding_with_its_line_and_the_closest_key(tmp_path):
    from pytest_fctrigger.triggers.lint import lint

    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\nname: app\nresources:\n  fn:\n    component: fc3\n    props:\n"
        "      region: cn-hangzhou\n      functionName: fn\n      handler: index.handler\n"
        "      runtime: python3.10\n      code: ./code\n      triggers:\n        - triggerName: t\n"
        "          triggerType: oss\n          sourceArn: acs:oss:cn-hangzhou:123:photos\n"
        "          triggerConfig:\n            events: ['oss:ObjectCreated:*']\n"
        "            filtr: {key: {prefix: src/}}\n"
    )
    (tmp_path / "code").mkdir()
    findings = [f for f in lint(str(tmp_path / "s.yaml")) if f.code == "FCT012"]
    assert len(findings) == 1 and findings[0].line == 18
    assert "'filtr'" in findings[0].message and "did you mean 'filter'" in findings[0].message


# --------------------------------------------------------------------------- disabled
def _log_trigger(enable):
    return TriggerSpec(
        name="etl",
        type="log",
        config={"sourceConfig": {"logstore": "src"}, "enable": enable},
        source_arn="acs:log:cn-hangzhou:123:project/proj",
    )


def test_a_disabled_trigger_gives_no_matrix_case_unless_asked():
    app = App(functions={"fn": FunctionSpec(name="fn", triggers=[_log_trigger(False)])})
    assert cases_for_app(app) == []
    assert [c.id for c in cases_for_app(app, include_disabled=True)] == ["etl[proj/src]"]
    enabled = App(functions={"fn": FunctionSpec(name="fn", triggers=[_log_trigger(True)])})
    assert [c.id for c in cases_for_app(enabled)] == ["etl[proj/src]"]


def test_a_disabled_trigger_is_not_a_loop_unless_asked():
    write = sls_write("proj", "src")
    assert LoopDetector([_log_trigger(False)]).check([write]) is None
    with pytest.raises(SelfTriggerLoop):
        LoopDetector([_log_trigger(False)], include_disabled=True).check([write])
    with pytest.raises(SelfTriggerLoop):
        LoopDetector([_log_trigger(True)]).check([write])


def test_only_the_kinds_switch_disables_a_trigger():
    # timer/log read "enable", EventBridge "triggerEnable"; an OSS trigger has neither
    # (seeds/001 OSS trigger config: events + filter), so an "enable" there is an unknown
    # key (lint FCT012), not a silent off switch that would hide its loops
    oss = TriggerSpec(name="up", type="oss", config={"events": ["oss:ObjectCreated:*"], "enable": False})
    assert oss.enabled is True
    timer = TriggerSpec(name="t", type="timer", config={"cronExpression": "@every 1m", "triggerEnable": False})
    assert timer.enabled is True
    eb = TriggerSpec(name="e", type="eventbridge", config={"triggerEnable": False})
    assert eb.enabled is False
    assert _log_trigger(False).enabled is False


# --------------------------------------------------------------------------- deprecations
def test_type_aliases_still_works_with_a_deprecation_warning():
    from pytest_fctrigger.triggers import model

    with pytest.warns(DeprecationWarning, match="TYPE_ALIASES is deprecated"):
        aliases = model.TYPE_ALIASES
    assert aliases["sls"] == "log" and aliases["oss"] == "oss"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.TRIGGER_TYPES[:3] == ("oss", "log", "timer")


# --------------------------------------------------------------------------- a plugin's kind
TOY_CONFTEST = """
import pytest
from pytest_fctrigger.kinds import SYNC, Shorthand, TriggerKind, WriteRule
from pytest_fctrigger.triggers.rules import Rule
from pytest_fctrigger.events._base import FCEvent


class Source:
    trigger_type = "webhook"
    variants = ("ping", "push")

    def build(self, rng, variant=None, **fields):
        return FCEvent.from_json({"hook": variant or "ping"}, "webhook", variant or "ping")


class HookWrites(WriteRule):
    service = "oss"  # the toy kind fires on writes into its bucket

    def index_key(self, trigger):
        return ("oss", trigger.config.get("bucketName"))

    def write_key(self, write):
        return ("oss", write.resource.get("bucket"))

    def match(self, write, trigger, prepared):
        return "the webhook watches this bucket"


def from_marker(m):
    m.config["bucketName"] = m.extra.pop("bucket")


def lint_rule(checker, function, trigger):
    if not trigger.config.get("bucketName"):
        checker.add("FCX001", trigger, "webhook without a bucket", "set bucket", "", function)


KIND = TriggerKind(
    name="webhook",
    aliases=("hook",),
    fc_trigger_type="webhook",
    config_schema={"bucketName": None},
    shorthands=(Shorthand("bucket", (str,)),),
    from_marker=from_marker,
    lint=(lint_rule,),
    rules=(Rule("FCX001", "webhook-no-bucket", "error", "A webhook needs a bucket.", "toy"),),
    write_rule=HookWrites(),
    matrix_cases=lambda trigger, function, fires: [("ping", "webhook", {}, None)],
    event_source=Source(),
    invocation_type=SYNC,
)


def pytest_fctrigger_trigger_kinds(config):
    return [KIND]
"""

TOY_TESTS = """
import pytest
from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.loops import LoopDetector, SelfTriggerLoop
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.model import App, FunctionSpec, TriggerSpec


@pytest.mark.fc_trigger("hook", bucket="inbox")
def test_marker(fc_triggers):
    assert [(t.type, t.config) for t in fc_triggers] == [("webhook", {"bucketName": "inbox"})]


def test_marker_schema():
    with pytest.raises(ConfigError, match="unknown webhook trigger key 'buckt' \\\\(did you mean 'bucket'"):
        TriggerSpec.from_marker("webhook", buckt="inbox")


def test_lint():
    trigger = TriggerSpec(name="h", type="webhook", config={}, function="fn")
    app = App(functions={"fn": FunctionSpec(name="fn", triggers=[trigger])})
    assert [(f.code, f.rule) for f in lint(app)] == [("FCX001", "webhook-no-bucket")]


@pytest.mark.fc_matrix("webhook")
def test_matrix(fc_trigger_event):
    assert fc_trigger_event.trigger_type == "webhook"


def test_loops():
    from pytest_fctrigger.cloud.journal import Write

    write = Write("oss", "PutObject", {"bucket": "inbox", "key": "a"}, event_name="ObjectCreated:PutObject")
    with pytest.raises(SelfTriggerLoop, match="the webhook watches this bucket"):
        LoopDetector([TriggerSpec.from_marker("webhook", bucket="inbox")]).check([write])
"""


def test_a_kind_from_a_plugin_reaches_markers_lint_matrix_and_loops(pytester: pytest.Pytester):
    pytester.makeconftest(TOY_CONFTEST)
    pytester.makepyfile(test_toy=TOY_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_matrix[[]webhook[[]ping]]*PASSED*", "*test_matrix[[]webhook[[]push]]*PASSED*"])
    assert REGISTRY.find("webhook") is None  # the session's kinds left with it


# --------------------------------------------------------------------------- builders and CLI
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"bucket": 123}, "oss_event(bucket=123): not a valid OSS bucket name; allowed: a string of 3-63 characters"),
        ({"bucket": "Bad_Bucket!"}, "oss_event(bucket='Bad_Bucket!'): not a valid OSS bucket name"),
        ({"size": -1}, "oss_event(size=-1): an object size is an integer >= 0"),
        ({"key": ""}, "oss_event(key=''): an OSS object key is a string of 1-1023 bytes"),
        ({"key": "k" * 1024}, "an OSS object key is a string of 1-1023 bytes"),
    ],
)
def test_oss_event_arguments_are_checked(kwargs, message):
    from pytest_fctrigger.events import oss_event

    with pytest.raises(ConfigError) as info:
        oss_event(rng=1, **kwargs)
    assert message in str(info.value)


def test_cli_rejects_a_bad_bucket_in_one_line(capsys):
    from pytest_fctrigger.cli import main

    assert main(["event", "oss", "--bucket", "Bad_Bucket!"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a valid OSS bucket name" in err
