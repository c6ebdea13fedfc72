"""EventBridge trigger (``eventbridge``): an event rule plus a source (Default service
events, MNS queue, RocketMQ, RabbitMQ, Kafka, DTS) delivered to the function.

The sources are kinds of their own (``mns_queue``, ``rocketmq``, ``rabbitmq``, ``kafka``
modules; DTS here) with ``fc_trigger_type="eventbridge"``: they build the events, this
module configures the trigger. FC's documentation: "EventBridge触发器" / "Triggers based
on EventBridge" (event-driven vs event-streaming, CloudEvents vs RawData push format).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, Tuple

from ..errors import ConfigError
from ._check import as_bool, as_int, as_str, choice, get_path, set_path
from .base import ANY, CONFIGURED, Case, NormalizeContext, TriggerKind, strings

# eventSourceType values (eventSourceConfig.eventSourceType)
EVENTBRIDGE_SOURCE_TYPES = ("Default", "MNS", "RocketMQ", "RabbitMQ", "Kafka", "DTS")

# eventSourceType -> the key of its parameters under eventSourceConfig.eventSourceParameters
EVENTBRIDGE_SOURCE_PARAMETERS = {
    "MNS": "sourceMNSParameters",
    "RocketMQ": "sourceRocketMQParameters",
    "RabbitMQ": "sourceRabbitMQParameters",
    "Kafka": "sourceKafkaParameters",
    "DTS": "sourceDTSParameters",
}

# Required identity keys of each source
EVENTBRIDGE_REQUIRED = {
    "MNS": ("QueueName",),
    "RocketMQ": ("InstanceId", "Topic", "GroupID"),
    "RabbitMQ": ("InstanceId", "VirtualHostName", "QueueName"),
    "Kafka": ("InstanceId", "Topic", "ConsumerGroup"),
    "DTS": ("BrokerUrl", "Topic", "Sid"),
}
EVENTBRIDGE_MODES = ("event-driven", "event-streaming")
EVENTBRIDGE_SCHEMAS = ("CloudEvents", "RawData")

_RETRY = {"PushRetryStrategy": None, "MaximumEventAgeInSeconds": None, "MaximumRetryAttempts": None}
CONFIG_SCHEMA: Dict[str, Any] = {
    "triggerEnable": None,
    "asyncInvocationType": None,
    "eventRuleFilterPattern": None,
    "eventSourceConfig": {
        "eventSourceType": None,
        "eventSourceParameters": {
            "sourceMNSParameters": {"RegionId": None, "QueueName": None, "IsBase64Decode": None},
            "sourceRocketMQParameters": {
                "RegionId": None,
                "InstanceId": None,
                "Topic": None,
                "Tag": None,
                "Offset": None,
                "Timestamp": None,
                "GroupID": None,
                "InstanceType": None,
                "InstanceNetwork": None,
                "InstanceVpcId": None,
                "InstanceVSwitchIds": None,
                "InstanceSecurityGroupId": None,
                "InstanceEndpoint": None,
                "InstanceUsername": None,
                "InstancePassword": None,
                "AuthType": None,
            },
            "sourceRabbitMQParameters": {
                "RegionId": None,
                "InstanceId": None,
                "VirtualHostName": None,
                "QueueName": None,
            },
            "sourceKafkaParameters": {
                "RegionId": None,
                "InstanceId": None,
                "Topic": None,
                "ConsumerGroup": None,
                "OffsetReset": None,
                "ExtendConfig": ANY,
                "Network": None,
                "VpcId": None,
                "VSwitchIds": None,
                "SecurityGroupId": None,
            },
            "sourceDTSParameters": {
                "RegionId": None,
                "BrokerUrl": None,
                "Topic": None,
                "Sid": None,
                "Username": None,
                "Password": None,
                "InitCheckPoint": None,
                "TaskId": None,
            },
        },
    },
    "eventSinkConfig": {"deliveryOption": {"mode": None, "eventSchema": None, "concurrency": None}},
    "runOptions": {
        "mode": None,
        "maximumTasks": None,
        "errorsTolerance": None,
        "retryStrategy": _RETRY,
        "deadLetterQueue": {"Arn": None},
        "batchWindow": {"CountBasedWindow": None, "TimeBasedWindow": None},
    },
}


def normalize(ctx: NormalizeContext) -> None:
    check, cfg = ctx.check, ctx.config
    source_type = as_str(
        check, cfg, "eventSourceConfig.eventSourceType", required="one of " + ", ".join(EVENTBRIDGE_SOURCE_TYPES)
    )
    source_type = choice(check, "eventSourceConfig.eventSourceType", str(source_type), EVENTBRIDGE_SOURCE_TYPES)
    set_path(cfg, "eventSourceConfig.eventSourceType", source_type)
    params_key = EVENTBRIDGE_SOURCE_PARAMETERS.get(source_type)
    if params_key:
        path = f"eventSourceConfig.eventSourceParameters.{params_key}"
        params = get_path(cfg, path)
        if not isinstance(params, dict):
            raise check.missing(
                path,
                f"a {source_type} source needs its parameters (" + ", ".join(EVENTBRIDGE_REQUIRED[source_type]) + ")",
            )
        for required in EVENTBRIDGE_REQUIRED[source_type]:
            as_str(check, cfg, f"{path}.{required}", required=f"the {source_type} source's {required}")
    pattern = cfg.get("eventRuleFilterPattern")
    if isinstance(pattern, dict):
        cfg["eventRuleFilterPattern"] = json.dumps(pattern, separators=(",", ":"))
    elif pattern is not None:
        try:
            decoded = json.loads(str(pattern))
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            raise check.fail(
                "eventRuleFilterPattern",
                f'eventRuleFilterPattern must be a JSON object such as \'{{"source":["acs.oss"]}}\', got {pattern!r}',
            )
    for path in ("runOptions.mode", "eventSinkConfig.deliveryOption.mode"):
        mode = as_str(check, cfg, path)
        if mode is not None:
            set_path(cfg, path, choice(check, path, mode, EVENTBRIDGE_MODES))
    schema_path = "eventSinkConfig.deliveryOption.eventSchema"
    schema_value = as_str(check, cfg, schema_path)
    if schema_value is not None:
        set_path(cfg, schema_path, choice(check, schema_path, schema_value, EVENTBRIDGE_SCHEMAS))
    for path in (
        "runOptions.maximumTasks",
        "runOptions.batchWindow.CountBasedWindow",
        "runOptions.batchWindow.TimeBasedWindow",
    ):
        as_int(check, cfg, path)
    for path in ("triggerEnable", "asyncInvocationType"):
        as_bool(check, cfg, path)


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    _lint_source_region(checker, function, trigger)
    _lint_resource_names(checker, function, trigger)
    if trigger.event_source_type == "Kafka" and trigger.delivery_mode != "event-streaming":
        checker.add(
            "FCT801",
            trigger,
            f"function {function.name!r}, EventBridge trigger "
            f"{trigger.name!r}: a Kafka source only supports event-streaming, not "
            f"{trigger.delivery_mode}",
            "set runOptions.mode: event-streaming",
            "runOptions.mode",
            function,
        )


# FC's RocketMQ, RabbitMQ and MNS queue trigger pages ("注意事项"): the instance (queue)
# and the function must be in the same region. Kafka and DTS connectors are documented
# elsewhere and not checked.
_SAME_REGION_SOURCES = ("MNS", "RocketMQ", "RabbitMQ")


def _lint_source_region(checker: Any, function: Any, trigger: Any) -> None:
    source_type = trigger.event_source_type
    if source_type not in _SAME_REGION_SOURCES:
        return
    source_region = trigger.event_source_parameters.get("RegionId")
    region = function.region
    if not isinstance(source_region, str) or not source_region or not region or source_region == region:
        return
    what = "queue" if source_type == "MNS" else "instance"
    params_key = EVENTBRIDGE_SOURCE_PARAMETERS[source_type]
    checker.add(
        "FCT803",
        trigger,
        f"function {function.name!r}, EventBridge trigger {trigger.name!r}: the {source_type} "
        f"{what} is in region {source_region!r} but the function is in {region!r}; FC only "
        f"connects a {source_type} {what} to a function of the same region",
        f"deploy the function in {source_region!r}, or use a {source_type} {what} in {region!r} (RegionId: {region})",
        f"eventSourceConfig.eventSourceParameters.{params_key}.RegionId",
        function,
    )


# EventBridge's limits page ("使用限制" / "Limits"): an event bus or rule name is at most
# 127 characters of letters, digits and hyphens, starting with a letter or digit. FC
# names what it creates after the function and trigger (a rule ``<service>-<function>-
# <trigger>`` for every EventBridge trigger, a bus and source ``<Type>-<function>-
# <trigger>`` for MNS queue, RocketMQ and RabbitMQ sources) and "the trigger cannot be
# created" when such a name breaks the rules; FC's own names allow ``_``, these do not.
MAX_EVENTBRIDGE_NAME = 127
_EVENTBRIDGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def _lint_resource_names(checker: Any, function: Any, trigger: Any) -> None:
    who = f"function {function.name!r}, EventBridge trigger {trigger.name!r}"
    # the naming is documented for FC 2.0 (services); an fc3 file gets a warning
    severity = "warning" if getattr(checker.app, "format", "") == "fc3" else None
    for part, value in (("service", function.service), ("function", function.name), ("trigger", trigger.name)):
        bad = sorted({c for c in str(value or "") if not (c.isascii() and (c.isalnum() or c == "-"))})
        if bad:
            checker.add(
                "FCT805",
                trigger,
                f"{who}: the {part} name {value!r} has " + ", ".join(repr(c) for c in bad) + "; FC names the "
                "EventBridge rule (and the bus of an MNS queue, RocketMQ or RabbitMQ source) after the "
                "service, function and trigger, and EventBridge names take only letters, digits and '-'",
                f"rename the {part} without " + ", ".join(repr(c) for c in bad) + " (e.g. use '-')",
                "",
                function,
                severity=severity,
            )
            return
    names = ["-".join(p for p in (function.service, function.name, trigger.name) if p)]
    if trigger.event_source_type in _CUSTOM_BUS_SOURCES:
        names.append(f"{trigger.event_source_type}-{function.name}-{trigger.name}")
    for name in names:
        if len(name) > MAX_EVENTBRIDGE_NAME or not _EVENTBRIDGE_NAME.fullmatch(name):
            checker.add(
                "FCT805",
                trigger,
                f"{who}: FC would name an EventBridge resource {name[:40] + '...' if len(name) > 43 else name!r} "
                f"({len(name)} characters); EventBridge names are at most {MAX_EVENTBRIDGE_NAME} characters of "
                "letters, digits and '-', starting with a letter or digit",
                "shorten the service, function or trigger name",
                "",
                function,
                severity=severity,
            )
            return


# EventBridge: at most 10 custom event buses per region and 10 rules per bus; the MQ and
# MNS-queue triggers each create a custom bus (``<Type>-<function>-<trigger>``).
MAX_CUSTOM_BUSES_PER_REGION = 10
_CUSTOM_BUS_SOURCES = ("MNS", "RocketMQ", "RabbitMQ")


def _lint_buses(checker: Any, app: Any) -> None:
    by_region: Dict[str, List[Tuple[Any, Any]]] = {}
    for function in app.functions.values():
        for trigger in function.triggers:
            if trigger.type == "eventbridge" and trigger.event_source_type in _CUSTOM_BUS_SOURCES:
                region = function.region or trigger.region or "*"
                by_region.setdefault(region, []).append((function, trigger))
    for region, pairs in by_region.items():
        if len(pairs) > MAX_CUSTOM_BUSES_PER_REGION:
            function, extra = pairs[MAX_CUSTOM_BUSES_PER_REGION]
            checker.add(
                "FCT802",
                extra,
                f"{len(pairs)} EventBridge triggers with an MNS queue, RocketMQ or RabbitMQ source in region "
                f"{region!r} (" + ", ".join(f"{f.name}/{t.name}" for f, t in pairs) + "); each needs its own "
                f"custom event bus and EventBridge allows {MAX_CUSTOM_BUSES_PER_REGION} per region",
                "merge triggers or spread them over regions",
                "",
                function,
            )


# FC's "官方事件源触发器" / "Event triggers for Alibaba Cloud services": each trigger with a
# Default source is one rule on the system bus ``default``, which holds at most 10 rules
# per region; past that FC cannot create the trigger.
MAX_DEFAULT_BUS_RULES = 10


def _lint_default_bus(checker: Any, app: Any) -> None:
    by_region: Dict[str, List[Tuple[Any, Any]]] = {}
    for function in app.functions.values():
        for trigger in function.triggers:
            if trigger.type == "eventbridge" and trigger.event_source_type == "Default":
                region = function.region or trigger.region or "*"
                by_region.setdefault(region, []).append((function, trigger))
    for region, pairs in by_region.items():
        if len(pairs) > MAX_DEFAULT_BUS_RULES:
            function, extra = pairs[MAX_DEFAULT_BUS_RULES]
            where = "" if region == "*" else f" in region {region!r}"
            checker.add(
                "FCT804",
                extra,
                f"{len(pairs)} EventBridge triggers with an Alibaba Cloud service (Default) source{where} ("
                + ", ".join(f"{f.name}/{t.name}" for f, t in pairs)
                + f"); each is a rule on the system event bus 'default', which holds at most "
                f"{MAX_DEFAULT_BUS_RULES}",
                f"keep at most {MAX_DEFAULT_BUS_RULES}: merge triggers whose event patterns can be "
                "combined into one rule",
                "",
                function,
            )


# --- matrix -----------------------------------------------------------------------------------
def source_fields(trigger: Any, function: Any = None) -> Dict[str, Any]:
    """Builder fields every EventBridge source shares: region, batch (event-streaming), and
    with the function: the names FC gives the event source and bus
    (``<Type>-<function name>-<trigger name>``) and the push format (``RawData``: only
    each CloudEvent's ``data`` is delivered)."""
    params = trigger.event_source_parameters
    streaming = trigger.delivery_mode == "event-streaming"
    batch = ((trigger.config.get("runOptions") or {}).get("batchWindow") or {}).get("CountBasedWindow")
    fields: Dict[str, Any] = {"region": params["RegionId"]} if params.get("RegionId") else {}
    if streaming and isinstance(batch, int) and batch > 1:
        fields["batch"] = batch
    if function is not None:
        fields["function_name"] = function.name
        fields["push_format"] = trigger.event_schema
    return fields


def model_of(trigger: Any) -> str:
    """``stream`` (event-streaming: a batch array) or ``event`` (one CloudEvent per call)."""
    return "stream" if trigger.delivery_mode == "event-streaming" else "event"


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from .registry import REGISTRY

    source_type = trigger.event_source_type
    for kind in REGISTRY.kinds():
        if kind.eventbridge_source_type == source_type and kind.matrix_cases is not None:
            yield from kind.matrix_cases(trigger, function, fires)
            return
    params = trigger.event_source_parameters
    region = {"region": params["RegionId"]} if params.get("RegionId") else {}
    if source_type == "DTS":
        yield "dts:ConsumeMessage", "eventbridge", dict(region), _dts_event(params)
        return
    # Default: the Alibaba Cloud service events the rule pattern selects
    pattern = trigger.event_rule_pattern
    sources = strings(pattern.get("source"))
    types = strings(pattern.get("type"))
    raw = {"push_format": "RawData"} if trigger.event_schema == "RawData" else {}
    if not types:
        yield "default", "eventbridge", raw, None  # the catalog's ECS sample event
        return
    for event_type in types:
        fields = {"type": event_type, "source": sources[0] if sources else "acs." + event_type.split(":")[0], **raw}
        yield event_type, "eventbridge", fields, _service_event


def _service_event(rng: Any, case: Any) -> Any:
    """A Default-source EventBridge event of the type the rule pattern names.

    The event envelope is exact; ``data`` of arbitrary Alibaba Cloud services is not
    documented per service, so it is an empty object unless it is the ECS sample the
    builder knows. Add real data with the ``pytest_fctrigger_matrix_cases`` hook
    (``case.fields['data']``).
    """
    from ..events import eventbridge_event

    fields = case.resolved_fields(rng)
    try:
        return eventbridge_event(rng=rng, **fields)
    except ConfigError:
        fields.setdefault("data", {})
        return eventbridge_event(rng=rng, **fields)


def _dts_event(params: Mapping[str, Any]) -> Callable[[Any, Any], Any]:
    """DTS change record via EventBridge (type ``dts:ConsumeMessage``, data ``{id,
    topicPartition, offset, sourceTimestamp, operationType, schema, beforeImage,
    afterImage}``; the nesting inside those fields is UNCONFIRMED)."""
    topic = params.get("Topic") or "cn_hangzhou_rm_dts"

    def build(rng: Any, case: Any) -> Any:
        from ..events import eventbridge_event

        when = rng.time()
        row_id = rng.randint(1, 10**6)
        data = {
            "id": rng.randint(1, 10**9),
            "topicPartition": {"hash": 0, "partition": 0, "topic": topic},
            "offset": rng.randint(1, 10**7),
            "sourceTimestamp": int(when.timestamp()),
            "operationType": "INSERT",
            "schema": {
                "recordFields": [
                    {"fieldName": "id", "rawDataTypeNum": 8, "isPrimaryKey": True},
                    {"fieldName": "name", "rawDataTypeNum": 253, "isPrimaryKey": False},
                ],
                "nameIndex": {"id": {"fieldName": "id"}, "name": {"fieldName": "name"}},
                "schemaId": "(`shop`,`orders`)",
                "databaseName": "shop",
                "tableName": "orders",
                "primaryIndexInfo": {"indexType": "PrimaryKey", "indexFields": [{"fieldName": "id"}]},
            },
            "beforeImage": {},
            "afterImage": {"id": row_id, "name": f"order-{rng.hex(6)}"},
        }
        fields = case.resolved_fields(rng)
        return eventbridge_event(
            rng=rng, source="acs.dts", type="dts:ConsumeMessage", data=data, event_time=when, **fields
        )

    return build


KIND = TriggerKind(
    name="eventbridge",
    fc_trigger_type="eventbridge",
    description="Alibaba Cloud service event via EventBridge (generic CloudEvent)",
    config_schema=CONFIG_SCHEMA,
    normalize=normalize,
    lint=(_lint,),
    app_lint=(_lint_buses, _lint_default_bus),
    matrix_cases=matrix_cases,
    event_source="eventbridge",
    invocation_type=CONFIGURED,
)
