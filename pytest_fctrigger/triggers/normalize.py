"""Normalise trigger configs to the FC API spelling, and expand marker shorthands."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import ConfigError
from .model import OSS_CONFIG_EVENTS, TriggerSpec, canonical_type

# shorthand -> how it maps, per trigger type
_SHORTHANDS = {
    "oss": ("bucket", "events", "prefix", "suffix"),
    "mns_topic": ("topic", "filter_tag", "format"),
    "tablestore": ("instance", "table"),
    "log": ("project", "logstore"),
}
_COMMON = ("name", "sourceArn", "source_arn", "qualifier", "region", "account_id", "role")


def trigger_from_shorthand(type_: str, config: Mapping[str, Any]) -> TriggerSpec:
    """Build a ``TriggerSpec`` from ``fc_trigger(type, **config)`` marker arguments."""
    ttype = canonical_type(type_)
    cfg: Dict[str, Any] = {}
    extra = dict(config)
    name = extra.pop("name", None) or f"{ttype}-trigger"
    source_arn = extra.pop("sourceArn", None) or extra.pop("source_arn", None)
    qualifier = extra.pop("qualifier", None)
    role = extra.pop("role", None) or extra.pop("invocationRole", None)
    region = extra.pop("region", None) or "*"
    account = extra.pop("account_id", None) or "*"

    if ttype == "oss":
        bucket = extra.pop("bucket", None) or extra.pop("bucketName", None)
        events = extra.pop("events", None)
        prefix = extra.pop("prefix", None)
        suffix = extra.pop("suffix", None)
        if isinstance(events, str):
            events = [events]
        if events is not None:
            cfg["events"] = [e if str(e).startswith("oss:") else f"oss:{e}" for e in events]
            for event in cfg["events"]:
                if event not in OSS_CONFIG_EVENTS:  # a typo would silently never match a write
                    raise ConfigError(
                        f"oss trigger {name!r}: unknown OSS event {event!r}; valid events: "
                        + ", ".join(OSS_CONFIG_EVENTS)
                    )
        else:
            cfg["events"] = ["oss:ObjectCreated:*"]
        flt = extra.pop("filter", None)
        if flt is not None:
            cfg["filter"] = normalize_oss_filter(flt)
        if prefix is not None or suffix is not None or "filter" not in cfg:
            key = cfg.setdefault("filter", {"key": {}}).setdefault("key", {})
            if prefix is not None:
                key["prefix"] = prefix
            if suffix is not None:
                key["suffix"] = suffix
            key.setdefault("prefix", "")
            key.setdefault("suffix", "")
        if source_arn is None and bucket:
            source_arn = f"acs:oss:{region}:{account}:{bucket}"
    elif ttype == "mns_topic":
        topic = extra.pop("topic", None) or extra.pop("topicName", None)
        if "filter_tag" in extra:
            cfg["filterTag"] = extra.pop("filter_tag")
        if "format" in extra:
            cfg["notifyContentFormat"] = str(extra.pop("format")).upper()
        if source_arn is None and topic:
            source_arn = f"acs:mns:{region}:{account}:/topics/{topic}"
    elif ttype == "tablestore":
        instance = extra.pop("instance", None) or extra.pop("instanceName", None)
        table = extra.pop("table", None) or extra.pop("tableName", None)
        if source_arn is None and instance and table:
            source_arn = f"acs:ots:{region}:{account}:instance/{instance}/table/{table}"
    elif ttype == "log":
        project = extra.pop("project", None)
        logstore = extra.pop("logstore", None)
        if logstore is not None:
            cfg.setdefault("sourceConfig", {})["logstore"] = logstore
        if source_arn is None and project:
            source_arn = f"acs:log:{region}:{account}:project/{project}"

    # everything left is a triggerConfig key in the FC API spelling
    for k, v in extra.items():
        cfg[k] = copy.deepcopy(v)
    if ttype == "oss" and "filter" in cfg:
        cfg["filter"] = normalize_oss_filter(cfg["filter"])
    return TriggerSpec(name=name, type=ttype, config=cfg, source_arn=source_arn, qualifier=qualifier, role=role)


def normalize_oss_filter(flt: Any, location: Optional[tuple] = None) -> Dict[str, Any]:
    """Accept ``{Key: {Prefix, Suffix}}``, ``{key: {prefix, suffix}}`` or ``{prefix, suffix}``."""
    if flt is None:
        return {"key": {"prefix": "", "suffix": ""}}
    if not isinstance(flt, dict):
        file, line = location if location else (None, None)
        raise ConfigError(f"OSS trigger filter must be a mapping, got {flt!r}", file, line)
    lowered = {str(k).lower(): v for k, v in flt.items()}
    key = lowered.get("key", lowered)
    if not isinstance(key, dict):
        file, line = location if location else (None, None)
        raise ConfigError(f"OSS trigger filter.key must be a mapping, got {key!r}", file, line)
    key_l = {str(k).lower(): v for k, v in key.items()}
    return {"key": {"prefix": key_l.get("prefix") or "", "suffix": key_l.get("suffix") or ""}}


# --------------------------------------------------------------------------- config schemas
# The FC API spelling of every triggerConfig key, per type (devsapp/fc3 src/interface/trigger.ts,
# devsapp/fc docs/zh/yaml/triggers.md, reference section 3). Keys match case-insensitively;
# ``ANY`` marks free-form user data that is kept verbatim.
ANY: Dict[str, Any] = {}
_RETRY = {"PushRetryStrategy": None, "MaximumEventAgeInSeconds": None, "MaximumRetryAttempts": None}
CONFIG_SCHEMAS: Dict[str, Dict[str, Any]] = {
    "oss": {"bucketName": None, "events": None, "filter": {"key": {"prefix": None, "suffix": None}}},
    "log": {
        "sourceConfig": {"logstore": None, "startTime": None},
        "jobConfig": {"maxRetryTime": None, "triggerInterval": None},
        "logConfig": {"project": None, "logstore": None},
        "functionParameter": ANY,
        "enable": None,
    },
    "timer": {"cronExpression": None, "payload": None, "enable": None},
    "http": {"authType": None, "methods": None, "disableURLInternet": None, "authConfig": ANY},
    "mns_topic": {
        "topicName": None,
        "region": None,
        "filterTag": None,
        "notifyContentFormat": None,
        "notifyStrategy": None,
    },
    "cdn_events": {"eventName": None, "eventVersion": None, "notes": None, "filter": {"domain": None}},
    "tablestore": {"instanceName": None, "tableName": None},
    "eventbridge": {
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
    },
}

# Required identity keys of each EventBridge source (reference section 3.1).
EVENTBRIDGE_REQUIRED = {
    "MNS": ("QueueName",),
    "RocketMQ": ("InstanceId", "Topic", "GroupID"),
    "RabbitMQ": ("InstanceId", "VirtualHostName", "QueueName"),
    "Kafka": ("InstanceId", "Topic", "ConsumerGroup"),
    "DTS": ("BrokerUrl", "Topic", "Sid"),
}
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")
HTTP_AUTH_TYPES = ("anonymous", "function", "jwt")
EVENTBRIDGE_MODES = ("event-driven", "event-streaming")
EVENTBRIDGE_SCHEMAS = ("CloudEvents", "RawData")

_LOWER_CACHE: Dict[int, Dict[str, str]] = {}


def _lowered(schema: Mapping[str, Any]) -> Dict[str, str]:
    key = id(schema)
    table = _LOWER_CACHE.get(key)
    if table is None:
        table = _LOWER_CACHE[key] = {k.lower(): k for k in schema}
    return table


class Canonical:
    """A config in FC API spelling, with where each key came from."""

    __slots__ = ("config", "lines", "renamed", "unknown", "filter_style")

    def __init__(self) -> None:
        self.config: Dict[str, Any] = {}
        self.lines: Dict[str, int] = {}
        self.renamed: List[Tuple[str, str, Optional[int]]] = []  # (as written, canonical, line)
        self.unknown: List[Tuple[str, Optional[int]]] = []
        self.filter_style: Optional[Tuple[str, Optional[int]]] = None  # OSS filter spelling


def _line(container: Any, key: Any) -> Optional[int]:
    getter = getattr(container, "line_of", None)
    return getter(key) if getter else None


def _plain(value: Any, path: str, out: Canonical, container: Any = None) -> Any:
    """A plain-``dict``/``list`` copy, recording the line of every list item."""
    if isinstance(value, dict):
        result = {}
        for k, v in value.items():
            sub = f"{path}.{k}"
            line = _line(value, k)
            if line is not None:
                out.lines[sub] = line
            result[k] = _plain(v, sub, out)
        return result
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            sub = f"{path}.{i}"
            line = _line(value, i)
            if line is not None:
                out.lines[sub] = line
            items.append(_plain(v, sub, out))
        return items
    return value


def canonicalize(type_: str, raw: Any, file: Optional[str] = None, line: Optional[int] = None) -> Canonical:
    """Rename every known key of ``raw`` (a trigger config) to the FC API spelling."""
    out = Canonical()
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise ConfigError(f"{type_} trigger config must be a mapping, got {type(raw).__name__} {raw!r}", file, line)
    raw = _lift_oss_filter(raw, out) if type_ == "oss" else raw
    out.config = _canonical_map(raw, CONFIG_SCHEMAS.get(type_, ANY), "", out, file)
    return out


def _canonical_map(
    raw: Mapping[str, Any], schema: Mapping[str, Any], prefix: str, out: Canonical, file: Optional[str]
) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    table = _lowered(schema) if schema is not ANY else {}
    spelled: Dict[str, str] = {}
    for key, value in raw.items():
        key_text = str(key)
        line = _line(raw, key)
        canonical = table.get(key_text.lower()) if schema is not ANY else None
        name = canonical or key_text
        path = f"{prefix}{name}"
        if name in spelled:
            raise ConfigError(
                f"key {key_text!r} repeats {spelled[name]!r} (keys are case-insensitive); keep one", file, line
            )
        spelled[name] = key_text
        if line is not None:
            out.lines[path] = line
        if schema is not ANY and canonical is None:
            out.unknown.append((path, line))
        elif canonical is not None and canonical != key_text:
            out.renamed.append((f"{prefix}{key_text}", path, line))
        sub_schema = schema.get(canonical) if canonical else None
        if isinstance(sub_schema, dict) and isinstance(value, dict):
            result[name] = _canonical_map(value, sub_schema, path + ".", out, file)
        else:
            result[name] = _plain(value, path, out)
    return result


def _lift_oss_filter(raw: Mapping[str, Any], out: Canonical) -> Mapping[str, Any]:
    """Record how an OSS filter is spelled, and move a flat ``filter.prefix`` under ``key``."""
    filter_key = next((k for k in raw if str(k).lower() == "filter"), None)
    flt = raw.get(filter_key) if filter_key is not None else None
    if not isinstance(flt, dict):
        return raw
    keys = {str(k).lower(): k for k in flt}
    line = _line(raw, filter_key)
    if "key" in keys and isinstance(flt[keys["key"]], dict):
        inner = flt[keys["key"]]
        words = [str(keys["key"])] + [str(k) for k in inner]
        out.filter_style = (_style_of(words), line)
        return raw
    if "prefix" in keys or "suffix" in keys:
        out.filter_style = ("prefix/suffix without key", line)
        from ._yaml import YDict

        key_level = YDict(dict(flt.items()), line=getattr(flt, "line", line))
        key_level.key_lines.update(getattr(flt, "key_lines", {}))
        lifted_filter = YDict({"key": key_level}, line=getattr(flt, "line", line))
        lifted_filter.key_lines["key"] = line
        lifted = YDict(raw, line=getattr(raw, "line", None))
        lifted.key_lines.update(getattr(raw, "key_lines", {}))
        lifted[filter_key] = lifted_filter
        return lifted
    return raw


def _style_of(words: List[str]) -> str:
    upper = [w for w in words if w[:1].isupper()]
    if not upper:
        return "key/prefix/suffix"
    if len(upper) == len(words):
        return "Key/Prefix/Suffix"
    return "mixed (" + "/".join(words) + ")"


# --------------------------------------------------------------------------- file triggers
class _Check:
    """Raises ``ConfigError`` at the line of a normalised config path."""

    def __init__(
        self, what: str, canonical: Canonical, file: Optional[str], line: Optional[int], config_line: Optional[int]
    ):
        self.what = what
        self.canonical = canonical
        self.file = file
        self.line = line
        self.config_line = config_line or line

    def line_of(self, path: str) -> Optional[int]:
        while path:
            if path in self.canonical.lines:
                return self.canonical.lines[path]
            path = path.rpartition(".")[0]
        return self.config_line

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.what}: {message}", self.file, self.line_of(path))

    def missing(self, path: str, hint: str) -> ConfigError:
        # a missing key is reported where it belongs: its parent mapping (the trigger
        # itself for sourceArn, which sits beside the config)
        line = self.line if path == "sourceArn" else self.line_of(path.rpartition(".")[0])
        return ConfigError(f"{self.what}: missing required key {path!r}; {hint}", self.file, line)


def _get(config: Mapping[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set(config: Dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = config
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _as_int(check: _Check, config: Dict[str, Any], path: str) -> None:
    value = _get(config, path)
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, str))
        or (isinstance(value, str) and not value.strip().lstrip("-").isdigit())
    ):
        raise check.fail(path, f"{path} must be an integer, got {value!r}")
    _set(config, path, int(value))


def _as_bool(check: _Check, config: Dict[str, Any], path: str) -> None:
    value = _get(config, path)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        _set(config, path, value.strip().lower() == "true")
        return
    raise check.fail(path, f"{path} must be true or false, got {value!r}")


def _as_str(check: _Check, config: Dict[str, Any], path: str, required: str = "") -> Optional[str]:
    value = _get(config, path)
    if value is None or value == "":
        if required:
            raise check.missing(path, required)
        return None
    if isinstance(value, (dict, list)):
        raise check.fail(path, f"{path} must be a string, got {value!r}")
    if not isinstance(value, str):
        value = "true" if value is True else "false" if value is False else str(value)
        _set(config, path, value)
    return value


def _as_str_list(check: _Check, config: Dict[str, Any], path: str) -> Optional[List[str]]:
    value = _get(config, path)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise check.fail(path, f"{path} must be a list of strings, got {value!r}")
    value = [str(v) for v in value]
    _set(config, path, value)
    return value


def _choice(check: _Check, path: str, value: str, choices: Tuple[str, ...], fold=str.lower) -> str:
    for choice in choices:
        if fold(choice) == fold(value):
            return choice
    raise check.fail(path, f"{path} {value!r} is not one of {', '.join(choices)}")


def _arn_resource(arn: Optional[str], service: str) -> Optional[str]:
    if not arn:
        return None
    parts = arn.split(":", 4)
    if len(parts) == 5 and parts[0] == "acs" and parts[1] == service:
        return parts[4]
    return None


def build_trigger(
    *,
    name: Any,
    type_: Any,
    config: Any,
    source_arn: Any = None,
    qualifier: Any = None,
    role: Any = None,
    description: Any = None,
    region: Optional[str] = None,
    account_id: str = "*",
    file: Optional[str] = None,
    line: Optional[int] = None,
    type_line: Optional[int] = None,
    arn_line: Optional[int] = None,
    config_line: Optional[int] = None,
    function: Optional[str] = None,
) -> Tuple[TriggerSpec, Canonical]:
    """Validate one trigger read from a file and return it in normalised form.

    Raises ``ConfigError`` (with the line) for an unknown type, a missing required key
    or a value of the wrong kind. Policy checks (ranges, overlaps, cron syntax) are lint
    rules, so that ``fctrigger lint`` can report all of them at once.
    """
    from .model import (
        CDN_EVENT_NAMES,
        EVENTBRIDGE_SOURCE_PARAMETERS,
        EVENTBRIDGE_SOURCE_TYPES,
    )

    owner = f"function {function!r}, " if function else ""
    if name is None or str(name).strip() == "":
        raise ConfigError(f"{owner}trigger has no name (triggerName / name)", file, line)
    name = str(name)
    if type_ is None:
        raise ConfigError(
            f"{owner}trigger {name!r} has no type (triggerType / type); valid types: "
            "oss, log, timer, http, mns_topic, cdn_events, tablestore, eventbridge",
            file,
            line,
        )
    try:
        ttype = canonical_type(str(type_))
    except ConfigError as exc:
        raise ConfigError(f"{owner}trigger {name!r}: {exc.reason}", file, type_line or line) from None
    canonical = canonicalize(ttype, config, file, config_line or line)
    cfg = canonical.config
    check = _Check(f"{owner}{ttype} trigger {name!r}", canonical, file, line, config_line)
    arn = None if source_arn in (None, "") else str(source_arn)
    if arn is not None:
        canonical.lines.setdefault("sourceArn", arn_line or line)
    acct = account_id or "*"
    where_region = region or "*"

    if ttype == "oss":
        bucket_from_arn = _arn_resource(arn, "oss")
        if arn is not None and not bucket_from_arn:
            raise check.fail(
                "sourceArn", f"sourceArn {arn!r} is not an OSS bucket ARN (acs:oss:<region>:<account-id>:<bucket>)"
            )
        bucket_name = _as_str(check, cfg, "bucketName")
        if bucket_from_arn and bucket_name and bucket_from_arn != bucket_name:
            raise check.fail(
                "bucketName",
                f"bucketName {bucket_name!r} disagrees with sourceArn bucket {bucket_from_arn!r}; keep one",
            )
        bucket = bucket_from_arn or bucket_name
        if not bucket:
            raise check.missing(
                "sourceArn",
                "an OSS trigger needs its bucket: sourceArn "
                "acs:oss:<region>:<account-id>:<bucket> or config bucketName",
            )
        events = _as_str_list(check, cfg, "events")
        if not events:
            raise check.missing("events", "list the OSS events, e.g. [oss:ObjectCreated:*]")
        for i, event in enumerate(events):
            if event not in OSS_CONFIG_EVENTS:
                hint = ""
                if "oss:" + event in OSS_CONFIG_EVENTS:
                    hint = f" (write 'oss:{event}')"
                raise check.fail(
                    f"events.{i}", f"unknown OSS event {event!r}{hint}; valid events: " + ", ".join(OSS_CONFIG_EVENTS)
                )
        flt = cfg.get("filter")
        if flt is not None and not isinstance(flt, dict):
            raise check.fail(
                "filter", f"filter must be a mapping like {{key: {{prefix: src/, suffix: .png}}}}, got {flt!r}"
            )
        if flt is not None and not isinstance(flt.get("key", {}), dict):
            raise check.fail("filter.key", f"filter.key must be a mapping with prefix/suffix, got {flt.get('key')!r}")
        for part in ("prefix", "suffix"):
            _as_str(check, cfg, f"filter.key.{part}")
        key = cfg.setdefault("filter", {}).setdefault("key", {})
        key["prefix"] = key.get("prefix") or ""
        key["suffix"] = key.get("suffix") or ""
        cfg.pop("bucketName", None)
        if arn is None:
            arn = f"acs:oss:{where_region}:{acct}:{bucket}"
    elif ttype == "log":
        logstore = _as_str(
            check,
            cfg,
            "sourceConfig.logstore",
            required="the logstore the ETL job reads (sourceConfig: {logstore: ...})",
        )
        del logstore
        for path in ("jobConfig.triggerInterval", "jobConfig.maxRetryTime"):
            _as_int(check, cfg, path)
        for path in ("logConfig.project", "logConfig.logstore"):
            _as_str(check, cfg, path)
        _as_bool(check, cfg, "enable")
        param = cfg.get("functionParameter")
        if isinstance(param, str):
            import json

            try:
                cfg["functionParameter"] = json.loads(param) if param.strip() else {}
            except ValueError:
                raise check.fail(
                    "functionParameter", f"functionParameter must be a mapping or a JSON string, got {param!r}"
                ) from None
        elif param is not None and not isinstance(param, dict):
            raise check.fail("functionParameter", f"functionParameter must be a mapping, got {param!r}")
        project = _arn_resource(arn, "log")
        if arn is not None and not (project and project.startswith("project/")):
            raise check.fail(
                "sourceArn",
                f"sourceArn {arn!r} is not an SLS project ARN (acs:log:<region>:<account-id>:project/<project>)",
            )
        if arn is None:
            project_name = _get(cfg, "logConfig.project")
            if not project_name:
                raise check.missing(
                    "sourceArn",
                    "an SLS trigger needs its project: sourceArn "
                    "acs:log:<region>:<account-id>:project/<project> or logConfig.project",
                )
            arn = f"acs:log:{where_region}:{acct}:project/{project_name}"
    elif ttype == "timer":
        _as_str(
            check,
            cfg,
            "cronExpression",
            required="e.g. cronExpression: '0 0 4 * * *' (seconds first, UTC) or '@every 5m'",
        )
        payload = cfg.get("payload")
        if isinstance(payload, (dict, list)):
            raise check.fail(
                "payload", "payload must be a string (FC passes it through as text); quote it or JSON-encode it"
            )
        _as_str(check, cfg, "payload")
        _as_bool(check, cfg, "enable")
    elif ttype == "http":
        auth = _as_str(check, cfg, "authType")
        if auth is not None:
            cfg["authType"] = _choice(check, "authType", auth, HTTP_AUTH_TYPES)
        methods = _as_str_list(check, cfg, "methods")
        if methods is not None:
            cfg["methods"] = [_choice(check, f"methods.{i}", m, HTTP_METHODS, str.upper) for i, m in enumerate(methods)]
        _as_bool(check, cfg, "disableURLInternet")
    elif ttype == "mns_topic":
        for path in ("topicName", "region", "filterTag", "notifyContentFormat", "notifyStrategy"):
            _as_str(check, cfg, path)
        resource = _arn_resource(arn, "mns")
        if arn is not None:
            resource = "/" + (resource or "").lstrip("/")
            if not resource.startswith("/topics/") or resource == "/topics/":
                raise check.fail(
                    "sourceArn",
                    f"sourceArn {arn!r} is not an MNS topic ARN (acs:mns:<region>:<account-id>:/topics/<topic>)",
                )
            arn = arn.rsplit(":", 1)[0] + ":" + resource
        else:
            topic = cfg.get("topicName")
            if not topic:
                raise check.missing(
                    "sourceArn",
                    "an MNS topic trigger needs its topic: sourceArn "
                    "acs:mns:<region>:<account-id>:/topics/<topic> or topicName",
                )
            arn = f"acs:mns:{cfg.get('region') or where_region}:{acct}:/topics/{topic}"
    elif ttype == "cdn_events":
        event_name = _as_str(check, cfg, "eventName", required="the CDN event, e.g. LogFileCreated")
        cfg["eventName"] = _choice(check, "eventName", str(event_name), CDN_EVENT_NAMES)
        _as_str(check, cfg, "eventVersion")
        _as_str(check, cfg, "notes")
        domains = _as_str_list(check, cfg, "filter.domain")
        if not domains:
            raise check.missing(
                "filter.domain", "CDN triggers filter by accelerated domain, e.g. filter: {domain: [www.example.com]}"
            )
        if arn is None:
            arn = f"acs:cdn:*:{acct}"
    elif ttype == "tablestore":
        instance = _as_str(check, cfg, "instanceName")
        table = _as_str(check, cfg, "tableName")
        resource = _arn_resource(arn, "ots")
        if arn is not None:
            segs = (resource or "").split("/")
            if len(segs) != 4 or segs[0] != "instance" or segs[2] != "table" or not segs[1] or not segs[3]:
                raise check.fail(
                    "sourceArn",
                    f"sourceArn {arn!r} is not a Tablestore table ARN "
                    "(acs:ots:<region>:<account-id>:instance/<instance>/table/<table>)",
                )
        elif not (instance and table):
            missing = "instanceName" if not instance else "tableName"
            raise check.missing(
                missing,
                "a Tablestore trigger needs its table: sourceArn "
                "acs:ots:<region>:<account-id>:instance/<instance>/table/<table> or "
                "instanceName + tableName",
            )
        else:
            arn = f"acs:ots:{where_region}:{acct}:instance/{instance}/table/{table}"
    elif ttype == "eventbridge":
        source_type = _as_str(
            check, cfg, "eventSourceConfig.eventSourceType", required="one of " + ", ".join(EVENTBRIDGE_SOURCE_TYPES)
        )
        source_type = _choice(check, "eventSourceConfig.eventSourceType", str(source_type), EVENTBRIDGE_SOURCE_TYPES)
        _set(cfg, "eventSourceConfig.eventSourceType", source_type)
        params_key = EVENTBRIDGE_SOURCE_PARAMETERS.get(source_type)
        if params_key:
            path = f"eventSourceConfig.eventSourceParameters.{params_key}"
            params = _get(cfg, path)
            if not isinstance(params, dict):
                raise check.missing(
                    path,
                    f"a {source_type} source needs its parameters ("
                    + ", ".join(EVENTBRIDGE_REQUIRED[source_type])
                    + ")",
                )
            for required in EVENTBRIDGE_REQUIRED[source_type]:
                _as_str(check, cfg, f"{path}.{required}", required=f"the {source_type} source's {required}")
        pattern = cfg.get("eventRuleFilterPattern")
        if isinstance(pattern, dict):
            import json

            cfg["eventRuleFilterPattern"] = json.dumps(pattern, separators=(",", ":"))
        elif pattern is not None:
            import json

            try:
                decoded = json.loads(str(pattern))
            except ValueError:
                decoded = None
            if not isinstance(decoded, dict):
                raise check.fail(
                    "eventRuleFilterPattern",
                    "eventRuleFilterPattern must be a JSON "
                    f'object such as \'{{"source":["acs.oss"]}}\', got {pattern!r}',
                )
        for path in ("runOptions.mode", "eventSinkConfig.deliveryOption.mode"):
            mode = _as_str(check, cfg, path)
            if mode is not None:
                _set(cfg, path, _choice(check, path, mode, EVENTBRIDGE_MODES))
        schema_value = _as_str(check, cfg, "eventSinkConfig.deliveryOption.eventSchema")
        if schema_value is not None:
            _set(
                cfg,
                "eventSinkConfig.deliveryOption.eventSchema",
                _choice(check, "eventSinkConfig.deliveryOption.eventSchema", schema_value, EVENTBRIDGE_SCHEMAS),
            )
        for path in (
            "runOptions.maximumTasks",
            "runOptions.batchWindow.CountBasedWindow",
            "runOptions.batchWindow.TimeBasedWindow",
        ):
            _as_int(check, cfg, path)
        for path in ("triggerEnable", "asyncInvocationType"):
            _as_bool(check, cfg, path)

    spec = TriggerSpec(
        name=name,
        type=ttype,
        config=cfg,
        source_arn=arn,
        qualifier=None if qualifier in (None, "") else str(qualifier),
        role=None if role in (None, "") else str(role),
        function=function,
        location=(file, line) if file is not None else None,
        description=None if description is None else str(description),
        lines=dict(canonical.lines, **({"": line} if line is not None else {})),
    )
    return spec, canonical
