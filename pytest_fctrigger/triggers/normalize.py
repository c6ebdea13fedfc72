"""Normalise trigger configs to the FC API spelling, and expand marker shorthands."""

from __future__ import annotations

import copy
from typing import Any, Dict, Mapping, Optional

from ..errors import ConfigError
from .model import TriggerSpec, canonical_type

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
            cfg["events"] = [e if e.startswith("oss:") else "oss:" + e for e in events]
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
    return TriggerSpec(name=name, type=ttype, config=cfg, source_arn=source_arn,
                       qualifier=qualifier, role=role)


def normalize_oss_filter(flt: Any, location: Optional[tuple] = None) -> Dict[str, Any]:
    """Accept ``{Key: {Prefix, Suffix}}``, ``{key: {prefix, suffix}}`` or ``{prefix, suffix}``."""
    if flt is None:
        return {"key": {"prefix": "", "suffix": ""}}
    if not isinstance(flt, Mapping):
        file, line = location if location else (None, None)
        raise ConfigError(f"OSS trigger filter must be a mapping, got {flt!r}", file, line)
    lowered = {str(k).lower(): v for k, v in flt.items()}
    key = lowered.get("key", lowered)
    if not isinstance(key, Mapping):
        file, line = location if location else (None, None)
        raise ConfigError(f"OSS trigger filter.key must be a mapping, got {key!r}", file, line)
    key_l = {str(k).lower(): v for k, v in key.items()}
    return {"key": {"prefix": key_l.get("prefix") or "", "suffix": key_l.get("suffix") or ""}}
