"""Property tests: whatever a config file contains, load_app returns an App or raises
ONE ConfigError with the file named, and lint returns findings; never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.loader import load_app

KEYS = [
    "triggerName",
    "triggerType",
    "triggerConfig",
    "sourceArn",
    "name",
    "type",
    "config",
    "events",
    "filter",
    "key",
    "Key",
    "prefix",
    "Prefix",
    "suffix",
    "bucketName",
    "cronExpression",
    "payload",
    "sourceConfig",
    "logstore",
    "jobConfig",
    "triggerInterval",
    "maxRetryTime",
    "logConfig",
    "project",
    "eventSourceConfig",
    "eventSourceType",
    "eventSourceParameters",
    "sourceKafkaParameters",
    "methods",
    "authType",
    "eventName",
    "domain",
    "notifyContentFormat",
    "topicName",
    "instanceName",
    "tableName",
    "functionName",
    "runtime",
    "handler",
    "timeout",
    "memorySize",
    "code",
    "environmentVariables",
    "instanceLifecycleConfig",
    "initializer",
    "functionParameter",
]
WORDS = [
    "oss",
    "log",
    "timer",
    "http",
    "mns_topic",
    "cdn_events",
    "tablestore",
    "eventbridge",
    "sls",
    "oss:ObjectCreated:*",
    "oss:ObjectCreated:PutObject",
    "acs:oss:cn-hangzhou:1:b",
    "acs:log:r:a:project/p",
    "acs:mns:r:a:/topics/t",
    "acs:ots:r:a:instance/i/table/t",
    "0 0 4 * * *",
    "@every 5m",
    "Kafka",
    "Default",
    "MNS",
    "GET",
    "anonymous",
    "LogFileCreated",
    "JSON",
    "python3.10",
    "index.handler",
    "${vars.x}",
    "${env(X)}",
    "${config(AccountID)}",
    "${vars.a.b}",
    "{{ x }}",
    "",
    "/src",
    "3",
]

scalars = st.one_of(st.sampled_from(WORDS), st.integers(-5, 700), st.booleans(), st.none(), st.text(max_size=8))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=25,
)
trigger = st.dictionaries(st.sampled_from(KEYS[:11] + ["triggerConfig", "config"]), values, max_size=6)
props = st.fixed_dictionaries(
    {"functionName": st.sampled_from(["f", "g"]), "runtime": st.sampled_from(["python3.10", "custom"])},
    optional={
        "handler": values,
        "timeout": values,
        "memorySize": values,
        "code": values,
        "environmentVariables": values,
        "triggers": st.one_of(st.lists(trigger, max_size=4), values),
        "instanceLifecycleConfig": values,
    },
)
fc3_doc = st.fixed_dictionaries(
    {
        "edition": st.just("3.0.0"),
        "resources": st.dictionaries(
            st.sampled_from(["a", "b"]),
            st.fixed_dictionaries({"component": st.just("fc3"), "props": props}),
            min_size=1,
        ),
    },
    optional={"vars": st.dictionaries(st.sampled_from(["x", "a"]), values, max_size=2)},
)
fc_doc = st.fixed_dictionaries(
    {
        "edition": st.just("1.0.0"),
        "services": st.dictionaries(
            st.sampled_from(["s1", "s2"]),
            st.fixed_dictionaries(
                {
                    "component": st.just("fc"),
                    "props": st.fixed_dictionaries(
                        {"function": st.one_of(props, values)},
                        optional={
                            "service": values,
                            "region": values,
                            "triggers": st.one_of(st.lists(trigger, max_size=4), values),
                        },
                    ),
                }
            ),
            min_size=1,
        ),
    }
)
funcraft_doc = st.fixed_dictionaries(
    {
        "ROSTemplateFormatVersion": st.just("2015-09-01"),
        "Resources": st.dictionaries(
            st.sampled_from(["svc"]),
            st.fixed_dictionaries(
                {"Type": st.just("Aliyun::Serverless::Service")},
                optional={
                    "fn": st.fixed_dictionaries(
                        {
                            "Type": st.just("Aliyun::Serverless::Function"),
                            "Properties": st.one_of(
                                st.just({"Handler": "index.handler", "Runtime": "python3"}), values
                            ),
                        },
                        optional={
                            "Events": st.one_of(
                                st.dictionaries(
                                    st.sampled_from(["e1", "e2"]),
                                    st.fixed_dictionaries(
                                        {
                                            "Type": st.sampled_from(
                                                [
                                                    "OSS",
                                                    "Timer",
                                                    "Log",
                                                    "MNSTopic",
                                                    "TableStore",
                                                    "CDN",
                                                    "HTTP",
                                                    "RDS",
                                                    "Kafka",
                                                ]
                                            )
                                        },
                                        optional={"Properties": values},
                                    ),
                                ),
                                values,
                            )
                        },
                    )
                },
            ),
            min_size=1,
        ),
    }
)
documents = st.one_of(
    fc3_doc.map(lambda d: yaml.safe_dump(d, sort_keys=False)),
    fc_doc.map(lambda d: yaml.safe_dump(d, sort_keys=False)),
    funcraft_doc.map(lambda d: yaml.safe_dump(d, sort_keys=False)),
    values.map(lambda v: yaml.safe_dump(v)),
    st.text(max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_load_and_lint_never_raise_anything_but_config_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            app = load_app(path, env={}, warn=False)
        except ConfigError as exc:
            assert exc.file == str(path)
            assert "\n" not in exc.reason
            [finding] = lint(str(path))
            assert finding.code == "FCT001"
        else:
            for finding in lint(app):
                assert finding.code and finding.message
