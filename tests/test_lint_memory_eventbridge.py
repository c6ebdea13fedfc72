"""Lint rules of issue 9 point 10 that main lacked: memory by instance type (FCT602), the
EventBridge source's region (FCT803), the system bus 'default' rule limit (FCT804) and the
names FC gives EventBridge resources (FCT805). Each finding names file:line, what is wrong
and the fix; a compliant config has none."""

from __future__ import annotations

import textwrap

import pytest
from triggers_helpers import write_fc, write_fc3

from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.rules import RULES


def only(findings, code):
    return [f for f in findings if f.code == code]


def _line_of(path, finding):
    return path.read_text(encoding="utf-8").splitlines()[finding.line - 1]


def _fc_file(tmp_path, memory=None, instance_type=None, name="s.yaml"):
    function = {"name": "resize", "runtime": "python3.9", "handler": "index.handler", "codeUri": "./code"}
    if instance_type is not None:
        function["instanceType"] = instance_type
    if memory is not None:
        function["memorySize"] = memory
    import yaml

    doc = {
        "edition": "1.0.0",
        "name": "app",
        "services": {
            "resize": {
                "component": "fc",
                "props": {"region": "cn-hangzhou", "service": {"name": "svc"}, "function": function},
            }
        },
    }
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- FCT602 memory
# seeds/001 7.2 (creating the function): 弹性实例 128 MB、256 MB、512 MB、1 GB、2 GB或3 GB;
# 性能实例 4 GB、8 GB、16 GB或32 GB.
@pytest.mark.parametrize("memory", [128, 256, 512, 1024, 2048, 3072, 192])
def test_elastic_instance_sizes_pass(tmp_path, memory):  # seeds/001 7.2
    assert only(lint(str(_fc_file(tmp_path, memory))), "FCT602") == []
    assert only(lint(str(_fc_file(tmp_path, memory, "e1", name="e1.yaml"))), "FCT602") == []


@pytest.mark.parametrize("memory", [4096, 8192, 16384, 32768])
def test_performance_instance_sizes_pass(tmp_path, memory):  # seeds/001 7.2
    assert only(lint(str(_fc_file(tmp_path, memory, "c1"))), "FCT602") == []


def test_4_gb_on_the_default_elastic_instance_is_an_error_at_the_memory_line(tmp_path):  # seeds/001 7.2
    path = _fc_file(tmp_path, 4096)
    [finding] = only(lint(str(path)), "FCT602")
    assert finding.severity == "error" and finding.function == "resize"
    assert "memorySize:" in _line_of(path, finding)
    assert "4096 MB" in finding.message and "elastic instance" in finding.message and "default" in finding.message
    assert "instanceType: c1" in finding.fix
    assert str(finding).startswith(f"{path}:{finding.line}: error FCT602 [function-memory-size] function 'resize'")


@pytest.mark.parametrize("memory", [100, 3136, 1000])
def test_elastic_sizes_outside_the_range_or_off_step_are_errors(tmp_path, memory):  # seeds/001 7.2
    [finding] = only(lint(str(_fc_file(tmp_path, memory, "e1"))), "FCT602")
    assert f"{memory} MB" in finding.message and "128" in finding.fix


@pytest.mark.parametrize("memory", [512, 6144, 65536])
def test_a_performance_instance_takes_only_its_four_sizes(tmp_path, memory):  # seeds/001 7.2
    [finding] = only(lint(str(_fc_file(tmp_path, memory, "c1"))), "FCT602")
    assert "performance instance" in finding.message and "4096, 8192, 16384, 32768" in finding.fix


def test_gpu_instance_types_are_not_checked(tmp_path):
    assert only(lint(str(_fc_file(tmp_path, 24576, "fc.gpu.tesla.1"))), "FCT602") == []


def test_funcraft_memory_defaults_to_the_elastic_instance(tmp_path):  # seeds/001 7.2
    path = tmp_path / "template.yml"
    path.write_text(
        textwrap.dedent(
            """\
            ROSTemplateFormatVersion: '2015-09-01'
            Transform: 'Aliyun::Serverless-2018-04-03'
            Resources:
              svc:
                Type: 'Aliyun::Serverless::Service'
                fn:
                  Type: 'Aliyun::Serverless::Function'
                  Properties:
                    Handler: index.handler
                    Runtime: python3
                    CodeUri: ./
                    MemorySize: 8192
            """
        ),
        encoding="utf-8",
    )
    [finding] = only(lint(str(path)), "FCT602")
    assert finding.line == 12 and "elastic instance" in finding.message


def test_fc3_takes_128_mb_to_32_gb_in_steps_of_64(tmp_path):
    def fc3(memory, name):
        path = write_fc3(tmp_path, {"f": []}, name=name)
        path.write_text(
            path.read_text().replace("runtime: python3.10", f"runtime: python3.10\n      memorySize: {memory}")
        )
        return path

    assert only(lint(str(fc3(8192, "ok.yaml"))), "FCT602") == []
    [finding] = only(lint(str(fc3(8200, "bad.yaml"))), "FCT602")
    assert "3.0" in finding.message and "memorySize: 8200" in _line_of(tmp_path / "bad.yaml", finding)


def test_an_unreadable_instance_type_is_a_config_error(tmp_path):
    path = _fc_file(tmp_path, 512, ["e1"])
    [finding] = lint(str(path))
    assert finding.code == "FCT001" and "instanceType must be a string" in finding.message


# --------------------------------------------------------------------------- EventBridge
def _eb(name, source_type="RocketMQ", region=None, **extra):
    params = {
        "RocketMQ": {"InstanceId": "MQ_INST_1", "Topic": "t", "GroupID": "GID_g"},
        "RabbitMQ": {"InstanceId": "amqp-cn-x", "VirtualHostName": "v", "QueueName": "q"},
        "MNS": {"QueueName": "q"},
    }.get(source_type, {})
    if region:
        params = {**params, "RegionId": region}
    source = {"eventSourceType": source_type}
    if params:
        source["eventSourceParameters"] = {f"source{source_type}Parameters": params}
    config = {"eventSourceConfig": source, **extra}
    if source_type == "Default":
        config["eventRuleFilterPattern"] = '{"source":["acs.ecs"]}'
    return {"triggerName": name, "triggerType": "eventbridge", "triggerConfig": config}


@pytest.mark.parametrize("source_type", ["RocketMQ", "RabbitMQ", "MNS"])
def test_mq_source_in_another_region_is_an_error(tmp_path, source_type):  # seeds/001 15.2-15.4
    path = write_fc3(tmp_path, {"consume": [_eb("mq", source_type, "cn-beijing")]})
    [finding] = only(lint(str(path)), "FCT803")
    assert finding.severity == "error" and finding.trigger == "mq"
    assert "'cn-beijing'" in finding.message and "'cn-hangzhou'" in finding.message
    assert "RegionId" in _line_of(path, finding)
    assert "cn-hangzhou" in finding.fix


@pytest.mark.parametrize("region", ["cn-hangzhou", None])
def test_mq_source_in_the_function_region_or_unset_passes(tmp_path, region):  # seeds/001 15.2
    path = write_fc3(tmp_path, {"consume": [_eb("mq", "RocketMQ", region)]})
    assert lint(str(path)) == []


def test_kafka_sources_are_not_region_checked(tmp_path):
    trigger = {
        "triggerName": "k",
        "triggerType": "eventbridge",
        "triggerConfig": {
            "eventSourceConfig": {
                "eventSourceType": "Kafka",
                "eventSourceParameters": {
                    "sourceKafkaParameters": {
                        "RegionId": "cn-beijing",
                        "InstanceId": "i",
                        "Topic": "t",
                        "ConsumerGroup": "g",
                    }
                },
            },
            "runOptions": {"mode": "event-streaming"},
        },
    }
    assert only(lint(str(write_fc3(tmp_path, {"f": [trigger]}))), "FCT803") == []


@pytest.mark.parametrize("count, found", [(10, []), (11, ["FCT804"])])
def test_default_bus_holds_ten_rules_per_region(tmp_path, count, found):  # seeds/000, seeds/001 15.5
    functions = {f"fn{i}": [_eb(f"ecs{i}", "Default")] for i in range(count)}
    findings = only(lint(str(write_fc3(tmp_path, functions))), "FCT804")
    assert [f.code for f in findings] == found
    if findings:
        assert findings[0].trigger == "ecs10" and findings[0].severity == "error"
        assert "'cn-hangzhou'" in findings[0].message and "'default'" in findings[0].message


def test_default_bus_rules_count_per_region(tmp_path):  # seeds/000: the limit is per region
    east = {f"e{i}": [_eb(f"ecs{i}", "Default")] for i in range(6)}
    west = {f"w{i}": [_eb(f"ecs{i}", "Default")] for i in range(6)}
    path = write_fc3(tmp_path, {**east, **west})
    text = path.read_text()
    for i in range(6):  # move the w* functions to another region
        text = text.replace(
            f"  w{i}:\n    component: fc3\n    props:\n      region: ${{vars.region}}",
            f"  w{i}:\n    component: fc3\n    props:\n      region: cn-shanghai",
        )
    path.write_text(text)
    assert only(lint(str(path)), "FCT804") == []


def test_mq_triggers_do_not_count_against_the_default_bus(tmp_path):  # seeds/001 15.2: own custom bus
    functions = {f"fn{i}": [_eb(f"mq{i}", "RocketMQ")] for i in range(10)}
    functions.update({f"d{i}": [_eb(f"ecs{i}", "Default")] for i in range(10)})
    assert [f.code for f in lint(str(write_fc3(tmp_path, functions)))] == []


def test_an_underscore_in_the_function_name_breaks_the_eventbridge_names(tmp_path):  # seeds/001 15.2 说明
    path = write_fc(tmp_path, {"order_sync": [_eb("mq", "RocketMQ")]})
    [finding] = only(lint(str(path)), "FCT805")
    assert finding.severity == "error" and "'order_sync'" in finding.message and "'_'" in finding.message
    assert finding.fix.startswith("rename the function")
    assert f"{path}:{finding.line}: error FCT805" in str(finding)


def test_an_underscore_in_the_trigger_name_of_an_fc3_file_is_a_warning(tmp_path):
    [finding] = only(lint(str(write_fc3(tmp_path, {"f": [_eb("on_order", "Default")]}))), "FCT805")
    assert finding.severity == "warning" and "trigger name 'on_order'" in finding.message


def test_an_eventbridge_name_longer_than_127_characters(tmp_path):  # EventBridge "Limits": 127
    long_trigger = "t" * 70
    path = write_fc3(tmp_path, {"f" * 60: [_eb(long_trigger, "RabbitMQ")]})
    [finding] = only(lint(str(path)), "FCT805")
    assert "127" in finding.message and "shorten" in finding.fix


def test_new_rules_are_registered_with_a_reasoned_severity():
    for code, severity in (("FCT602", "error"), ("FCT803", "error"), ("FCT804", "error"), ("FCT805", "error")):
        assert RULES[code].severity == severity
        assert "seeds/" not in RULES[code].source and "reference" not in RULES[code].source
