"""lint rules other than the OSS overlap table, and the `fctrigger lint` command."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import pytest
from triggers_helpers import codes, oss_trigger, write_fc, write_fc3

from pytest_fctrigger.triggers import cli_lint
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.loader import load_app
from pytest_fctrigger.triggers.rules import RULES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "triggers.md"


def only(findings, code):
    return [f for f in findings if f.code == code]


def timer(name, cron, payload="p"):
    return {
        "triggerName": name,
        "triggerType": "timer",
        "triggerConfig": {"cronExpression": cron, "payload": payload, "enable": True},
    }


# --------------------------------------------------------------------------- OSS
def test_prefix_with_leading_slash_is_an_error_naming_file_function_trigger_and_fix(tmp_path):
    path = write_fc3(tmp_path, {"resize": [oss_trigger("up", "oss:ObjectCreated:*", "/source/", ".png")]})
    [finding] = only(lint(str(path)), "FCT101")
    assert finding.severity == "error"
    assert (finding.file, finding.function, finding.trigger) == (str(path), "resize", "up")
    assert finding.line is not None and "prefix:" in path.read_text().splitlines()[finding.line - 1]
    assert "'/source/'" in finding.message and "'source/'" in finding.fix
    assert str(finding).startswith(
        f"{path}:{finding.line}: error FCT101 [oss-prefix-leading-slash] function 'resize', OSS trigger 'up'"
    )


def test_more_than_ten_triggers_on_one_bucket(tmp_path):
    functions = {f"fn{i}": [oss_trigger(f"t{i}", "oss:ObjectCreated:PutObject", f"p{i}/", ".png")] for i in range(11)}
    [finding] = only(lint(str(write_fc3(tmp_path, functions))), "FCT104")
    assert finding.severity == "error" and finding.trigger == "t10"
    assert "11 OSS triggers" in finding.message
    ten = dict(list(functions.items())[:10])
    assert only(lint(str(write_fc3(tmp_path, ten, name="ten.yaml"))), "FCT104") == []


def test_trigger_without_prefix_or_suffix_is_a_loop_risk_warning(tmp_path):
    path = write_fc3(tmp_path, {"f": [oss_trigger("all", "oss:ObjectCreated:*")]})
    [finding] = only(lint(str(path)), "FCT105")
    assert finding.severity == "warning" and "recursion loop" in finding.message
    with_prefix = write_fc3(tmp_path, {"f": [oss_trigger("src", "oss:ObjectCreated:*", "src/")]}, name="b.yaml")
    assert only(lint(str(with_prefix)), "FCT105") == []


def test_wildcard_characters_in_filter_are_literal(tmp_path):
    path = write_fc3(tmp_path, {"f": [oss_trigger("img", "oss:ObjectCreated:*", "src/", "*.png")]})
    [finding] = only(lint(str(path)), "FCT106")
    assert "suffix '*.png'" in finding.message


# --------------------------------------------------------------------------- timer
@pytest.mark.parametrize(
    "cron, reason",
    [
        ("0 0 4 * *", "expected 6 fields"),
        ("* 0 4 * * *", "seconds take a single number"),
        ("0 0 24 * * *", "hours field: 24 is out of range 0-23"),
        ("0 0 4 * * 7", "day-of-week field: 7 is out of range 0-6"),
        ("0 0 4 ? * MON/2", "day-of-week field: '/' is not allowed"),
        ("0 0 4 ? JAN? *", "month field: '?' is not allowed"),
        ("@every 5x", "invalid duration"),
        ("CRON_TZ=Nowhere/Town 0 0 4 * * *", "unknown time zone"),
    ],
)
def test_cron_fc_would_reject_is_an_error(tmp_path, cron, reason):
    path = write_fc3(tmp_path, {"f": [timer("tick", cron)]})
    [finding] = only(lint(str(path)), "FCT201")
    assert finding.severity == "error" and reason in finding.message
    assert repr(cron) in finding.message
    assert "cronExpression" in path.read_text().splitlines()[finding.line - 1]


@pytest.mark.parametrize(
    "cron",
    [
        "0 0 4 * * *",
        "CRON_TZ=Asia/Shanghai 0 0 12 ? * MON-FRI",
        "@every 100m",
        "0 0/5 4-6 ? * MON-FRI",
        "0 0 4 ? JAN,FEB,MAR,APR *",
        "59 59 23 31 DEC SUN",
    ],
)
def test_valid_cron_is_clean(tmp_path, cron):
    assert only(lint(str(write_fc3(tmp_path, {"f": [timer("tick", cron)]}))), "FCT201") == []


def test_cron_that_never_fires_is_a_warning(tmp_path):
    [finding] = only(lint(str(write_fc3(tmp_path, {"f": [timer("tick", "0 0 0 30 2 *")]}))), "FCT203")
    assert finding.severity == "warning"


def test_timer_payload_limit_is_128_kb(tmp_path):
    ok = write_fc3(tmp_path, {"f": [timer("tick", "@every 1h", "x" * (128 * 1024))]}, name="ok.yaml")
    assert only(lint(str(ok)), "FCT202") == []
    big = write_fc3(tmp_path, {"f": [timer("tick", "@every 1h", "é" * (64 * 1024 + 1))]}, name="big.yaml")
    [finding] = only(lint(str(big)), "FCT202")
    assert "131074 bytes" in finding.message  # counted in UTF-8 bytes


# --------------------------------------------------------------------------- SLS / MNS / CDN / EventBridge
def log_trigger(interval, retries):
    return {
        "triggerName": "logs",
        "triggerType": "log",
        "sourceArn": "acs:log:cn-hangzhou:123:project/p",
        "triggerConfig": {
            "sourceConfig": {"logstore": "src"},
            "jobConfig": {"triggerInterval": interval, "maxRetryTime": retries},
            "logConfig": {"project": "p", "logstore": "fc-log"},
        },
    }


@pytest.mark.parametrize(
    "interval, retries, expected",
    [
        (3, 0, []),
        (600, 100, []),
        (2, 0, ["FCT301"]),
        (601, 3, ["FCT301"]),
        (60, -1, ["FCT302"]),
        (60, 101, ["FCT302"]),
        (1, 1000, ["FCT301", "FCT302"]),
    ],
)
def test_sls_interval_and_retry_ranges(tmp_path, interval, retries, expected):
    findings = [
        f
        for f in lint(str(write_fc3(tmp_path, {"f": [log_trigger(interval, retries)]})))
        if f.code in ("FCT301", "FCT302")
    ]
    assert codes(findings) == expected
    assert all(f.severity == "error" for f in findings)


@pytest.mark.parametrize(
    "fmt, strategy, expected",
    [
        ("STREAM", "BACKOFF_RETRY", []),
        ("JSON", "EXPONENTIAL_DECAY_RETRY", []),
        ("XML", "BACKOFF_RETRY", ["FCT401"]),
        ("json", "BACKOFF_RETRY", ["FCT401"]),
        ("JSON", "RETRY_FOREVER", ["FCT402"]),
    ],
)
def test_mns_notify_format_and_strategy(tmp_path, fmt, strategy, expected):
    trigger = {
        "triggerName": "topic",
        "triggerType": "mns_topic",
        "sourceArn": "acs:mns:cn-hangzhou:123:/topics/t",
        "triggerConfig": {"notifyContentFormat": fmt, "notifyStrategy": strategy},
    }
    findings = [f for f in lint(str(write_fc3(tmp_path, {"f": [trigger]}))) if f.code.startswith("FCT40")]
    assert codes(findings) == expected


def test_cdn_event_version_other_than_1_0_0(tmp_path):
    trigger = {
        "triggerName": "cdn",
        "triggerType": "cdn_events",
        "triggerConfig": {
            "eventName": "LogFileCreated",
            "eventVersion": "2.0.0",
            "filter": {"domain": ["a.example.com"]},
        },
    }
    [finding] = only(lint(str(write_fc3(tmp_path, {"f": [trigger]}))), "FCT701")
    assert "'2.0.0'" in finding.message


def test_kafka_source_needs_event_streaming(tmp_path):
    trigger = {
        "triggerName": "kafka",
        "triggerType": "eventbridge",
        "triggerConfig": {
            "eventSourceConfig": {
                "eventSourceType": "Kafka",
                "eventSourceParameters": {
                    "sourceKafkaParameters": {"InstanceId": "i", "Topic": "t", "ConsumerGroup": "g"}
                },
            }
        },
    }
    [finding] = only(lint(str(write_fc3(tmp_path, {"f": [trigger]}))), "FCT801")
    assert "event-driven" in finding.message


# --------------------------------------------------------------------------- HTTP / names
HTTP = {"triggerName": "web", "triggerType": "http", "triggerConfig": {"authType": "anonymous", "methods": ["GET"]}}


def test_http_beside_another_trigger_is_an_error_in_fc_and_a_warning_in_fc3(tmp_path):
    fc_path = write_fc(
        tmp_path,
        {
            "f": [
                {"name": "web", "type": "http", "config": {"authType": "anonymous"}},
                {"name": "tick", "type": "timer", "config": {"cronExpression": "@every 1h"}},
            ]
        },
    )
    [finding] = only(lint(str(fc_path)), "FCT501")
    assert finding.severity == "error" and "timer trigger 'tick'" in finding.message
    fc3_path = write_fc3(tmp_path, {"f": [HTTP, timer("tick", "@every 1h")]}, name="fc3.yaml")
    [finding] = only(lint(str(fc3_path)), "FCT501")
    assert finding.severity == "warning"


def test_one_http_trigger_per_function_and_qualifier(tmp_path):
    second = dict(HTTP, triggerName="web2")
    other_qualifier = dict(HTTP, triggerName="web-prod", qualifier="prod")
    findings = lint(str(write_fc3(tmp_path, {"f": [HTTP, second, other_qualifier]})))
    [finding] = only(findings, "FCT502")
    assert finding.trigger == "web2" and "qualifier 'LATEST'" in finding.message


def test_duplicate_trigger_names_in_one_function(tmp_path):
    findings = lint(str(write_fc3(tmp_path, {"f": [timer("tick", "@every 1h"), timer("tick", "@every 2h")]})))
    [finding] = only(findings, "FCT601")
    assert "two triggers named 'tick'" in finding.message


def test_clean_app_has_no_findings(tmp_path):
    path = write_fc3(
        tmp_path, {"f": [oss_trigger("up", "oss:ObjectCreated:*", "src/", ".png"), timer("t", "@every 1h")]}
    )
    assert lint(str(path)) == []
    assert lint(load_app(path)) == []  # an App works as well as a path


# --------------------------------------------------------------------------- registry and docs
def test_every_rule_code_is_documented_in_docs_triggers_md():
    text = DOCS.read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert re.search(rf"\b{code}\b", text), f"{code} ({rule.name}) missing from docs/triggers.md"
        assert rule.name in text, f"rule name {rule.name} missing from docs/triggers.md"


def test_codes_are_unique_and_well_formed():
    assert all(re.fullmatch(r"FCT\d{3}", code) for code in RULES)
    assert len({r.name for r in RULES.values()}) == len(RULES)


# --------------------------------------------------------------------------- CLI
def run_cli(*argv):
    parser = argparse.ArgumentParser(prog="fctrigger")
    cli_lint.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lint", *argv])
    out = io.StringIO()
    return args.run(args, out=out), out.getvalue()


def test_cli_exit_1_on_errors_with_text_output(tmp_path):
    path = write_fc3(tmp_path, {"f": [oss_trigger("up", "oss:ObjectCreated:*", "/src/")]})
    status, out = run_cli(str(path))
    assert status == 1
    assert f"{path}:" in out and "error FCT101" in out
    assert out.strip().endswith("1 error(s), 0 warning(s)")


def test_cli_exit_0_on_warnings_only_and_json_format(tmp_path):
    path = write_fc3(tmp_path, {"f": [oss_trigger("up", "oss:ObjectCreated:*")]})
    status, out = run_cli(str(path), "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert (report["errors"], report["warnings"]) == (0, 1)
    [finding] = report["findings"]
    assert finding["code"] == "FCT105" and finding["severity"] == "warning"
    assert set(finding) == {"code", "severity", "rule", "message", "fix", "file", "line", "function", "trigger"}


def test_cli_vars_fill_placeholders(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "edition: 3.0.0\nname: x\nresources:\n  f:\n    component: fc3\n    props:\n"
        "      functionName: f\n      runtime: python3.10\n      handler: index.handler\n      triggers:\n"
        "        - triggerName: logs\n          triggerType: log\n"
        "          sourceArn: acs:log:cn-hangzhou:123:project/p\n          triggerConfig:\n"
        "            sourceConfig: {logstore: src}\n"
        "            jobConfig: {triggerInterval: {{ interval }}, maxRetryTime: 3}\n"
    )
    status, out = run_cli(str(tmp_path / "s.yaml"), "--vars", "interval=2", "--vars", "other=x")
    assert status == 1 and "FCT301" in out and "FCT010" not in out
    status, out = run_cli(str(tmp_path / "s.yaml"), "--vars", "interval=30")
    assert status == 0


def test_cli_unloadable_file_is_fct001_and_exit_1(tmp_path):
    (tmp_path / "s.yaml").write_text("edition: 3.0.0\nresources: [\n")
    status, out = run_cli(str(tmp_path / "s.yaml"), "--format", "json")
    assert status == 1
    assert json.loads(out)["findings"][0]["code"] == "FCT001"


def test_cli_rejects_vars_without_equals(tmp_path):
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="--vars takes KEY=VALUE"):
        run_cli(str(tmp_path / "s.yaml"), "--vars", "oops")


def test_fctrigger_entry_point_runs_lint(tmp_path, capsys):
    from pytest_fctrigger.cli import main

    bad = write_fc3(tmp_path, {"f": [timer("tick", "0 0 4 * * 7")]})
    assert main(["lint", str(bad)]) == 1
    assert "error FCT201 [timer-bad-cron]" in capsys.readouterr().out
    good = write_fc3(tmp_path, {"f": [timer("tick", "0 0 4 * * 0")]}, name="good.yaml")
    assert main(["lint", str(good), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["errors"] == 0
