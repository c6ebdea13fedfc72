"""The trigger model: ``App`` -> ``FunctionSpec`` -> ``TriggerSpec``.

``TriggerSpec.config`` is always normalised to the FC API's own spelling (the one the
``fc3`` component and the FC 2023-03-30 API use): ``events``, ``filter.key.prefix``,
``filterTag``, ``notifyContentFormat``, ``sourceConfig.logstore``, ... Loaders accept
the other spellings found in real files and convert them; the loop detector and the
matrix builder read only this normalised form, through the properties below.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import ConfigError

# Trigger types FC configures (FC API ``triggerType``).
TRIGGER_TYPES = ("oss", "log", "timer", "http", "mns_topic", "cdn_events", "tablestore", "eventbridge")

# Other names users write for the same types (Funcraft ``Type:``, short forms).
TYPE_ALIASES = {
    "oss": "oss",
    "log": "log",
    "sls": "log",
    "timer": "timer",
    "http": "http",
    "mns_topic": "mns_topic",
    "mnstopic": "mns_topic",
    "cdn_events": "cdn_events",
    "cdn": "cdn_events",
    "tablestore": "tablestore",
    "ots": "tablestore",
    "eventbridge": "eventbridge",
}

# EventBridge source types an ``eventbridge`` trigger can have (eventSourceConfig.eventSourceType).
EVENTBRIDGE_SOURCE_TYPES = ("Default", "MNS", "RocketMQ", "RabbitMQ", "Kafka", "DTS")

Location = Tuple[str, Optional[int]]


def canonical_type(type_: str, location: Optional[Location] = None) -> str:
    """Map any accepted spelling of a trigger type to the FC API name, or raise ConfigError."""
    key = str(type_).strip().lower().replace("-", "_")
    if key in TYPE_ALIASES:
        return TYPE_ALIASES[key]
    file, line = location if location else (None, None)
    raise ConfigError(
        f"unknown trigger type {type_!r}; valid types: {', '.join(TRIGGER_TYPES)}", file, line
    )


def _arn_parts(arn: Optional[str]) -> List[str]:
    # acs:<service>:<region>:<account>:<resource>; the resource part may contain ':'
    if not arn or not isinstance(arn, str) or not arn.startswith("acs:"):
        return []
    parts = arn.split(":", 4)
    return parts + [""] * (5 - len(parts))


@dataclasses.dataclass
class TriggerSpec:
    """One trigger of one function, with its config in the FC API's spelling."""

    name: str
    type: str
    config: Dict[str, Any] = dataclasses.field(default_factory=dict)
    source_arn: Optional[str] = None
    qualifier: Optional[str] = None
    role: Optional[str] = None
    function: Optional[str] = None
    location: Optional[Location] = None

    # --- construction -------------------------------------------------------------
    @classmethod
    def from_marker(cls, type_: str, /, **config: Any) -> "TriggerSpec":
        """Build from ``@pytest.mark.fc_trigger(type, **config)``.

        ``config`` takes the FC API's ``triggerConfig`` keys plus ``name``,
        ``sourceArn``, ``qualifier``, ``region``, ``account_id`` and the shorthands
        oss ``bucket``/``events``/``prefix``/``suffix``; mns_topic ``topic``/
        ``filter_tag``/``format``; tablestore ``instance``/``table``; log
        ``project``/``logstore``.
        """
        from .normalize import trigger_from_shorthand

        return trigger_from_shorthand(type_, config)

    # --- ARN-derived ----------------------------------------------------------------
    @property
    def region(self) -> Optional[str]:
        parts = _arn_parts(self.source_arn)
        region = parts[2] if parts else None
        if region in (None, "", "*"):
            region = self.config.get("region") or None
        return region

    @property
    def account_id(self) -> Optional[str]:
        parts = _arn_parts(self.source_arn)
        acct = parts[3] if parts else None
        return acct or None

    # --- OSS --------------------------------------------------------------------------
    @property
    def bucket(self) -> Optional[str]:
        if self.type != "oss":
            return None
        parts = _arn_parts(self.source_arn)
        if parts and parts[4]:
            return parts[4]
        return self.config.get("bucketName")

    @property
    def events(self) -> List[str]:
        return list(self.config.get("events") or [])

    @property
    def prefix(self) -> str:
        return ((self.config.get("filter") or {}).get("key") or {}).get("prefix") or ""

    @property
    def suffix(self) -> str:
        return ((self.config.get("filter") or {}).get("key") or {}).get("suffix") or ""

    # --- MNS topic ----------------------------------------------------------------------
    @property
    def topic(self) -> Optional[str]:
        if self.type != "mns_topic":
            return None
        parts = _arn_parts(self.source_arn)
        if parts and "/topics/" in parts[4]:
            return parts[4].split("/topics/", 1)[1].strip("/") or None
        return self.config.get("topicName")

    @property
    def filter_tag(self) -> Optional[str]:
        return self.config.get("filterTag") or None

    @property
    def notify_format(self) -> str:
        """``STREAM`` (FC's default) or ``JSON``."""
        return str(self.config.get("notifyContentFormat") or "STREAM").upper()

    # --- Tablestore -------------------------------------------------------------------
    def _ots_part(self, key: str) -> Optional[str]:
        parts = _arn_parts(self.source_arn)
        if parts:
            segs = parts[4].split("/")
            for i, seg in enumerate(segs[:-1]):
                if seg == key:
                    return segs[i + 1] or None
        return None

    @property
    def instance(self) -> Optional[str]:
        if self.type != "tablestore":
            return None
        return self._ots_part("instance") or self.config.get("instanceName")

    @property
    def table(self) -> Optional[str]:
        if self.type != "tablestore":
            return None
        return self._ots_part("table") or self.config.get("tableName")

    # --- SLS (log) ----------------------------------------------------------------------
    @property
    def project(self) -> Optional[str]:
        """The *source* project (from ``sourceArn``: ``acs:log:<r>:<a>:project/<p>``)."""
        if self.type != "log":
            return None
        parts = _arn_parts(self.source_arn)
        if parts and parts[4].startswith("project/"):
            return parts[4][len("project/"):].strip("/") or None
        return self.config.get("project")

    @property
    def logstore(self) -> Optional[str]:
        """The *source* logstore (``sourceConfig.logstore``)."""
        if self.type != "log":
            return None
        return (self.config.get("sourceConfig") or {}).get("logstore")

    # --- timer --------------------------------------------------------------------------
    @property
    def cron(self) -> Optional[str]:
        return self.config.get("cronExpression") if self.type == "timer" else None

    def describe(self) -> str:
        """Short human description used in messages, e.g. ``oss trigger 'resize' on bucket b``."""
        what = f"{self.type} trigger {self.name!r}"
        if self.type == "oss":
            flt = ", ".join(f"{k} {v!r}" for k, v in (("prefix", self.prefix), ("suffix", self.suffix)) if v)
            what += f" on bucket {self.bucket!r} ({', '.join(self.events) or 'no events'}"
            what += f"; {flt})" if flt else "; no prefix/suffix filter)"
        elif self.type == "mns_topic":
            what += f" on topic {self.topic!r}"
            if self.filter_tag:
                what += f" (filterTag {self.filter_tag!r})"
        elif self.type == "tablestore":
            what += f" on table {self.instance}/{self.table}"
        elif self.type == "log":
            what += f" on logstore {self.project}/{self.logstore}"
        return what


@dataclasses.dataclass
class FunctionSpec:
    """One function: what ``fc_invoke`` needs to run it and what loops are checked against."""

    name: str
    handler: str = "index.handler"
    runtime: str = "python3.10"
    code_dir: Optional[Path] = None
    timeout: int = 3
    memory: int = 128
    environment: Dict[str, str] = dataclasses.field(default_factory=dict)
    triggers: List[TriggerSpec] = dataclasses.field(default_factory=list)
    initializer: Optional[str] = None
    initialization_timeout: Optional[int] = None
    service: Optional[str] = None
    location: Optional[Location] = None

    def trigger(self, name: str) -> TriggerSpec:
        for t in self.triggers:
            if t.name == name:
                return t
        raise KeyError(
            f"function {self.name!r} has no trigger {name!r}; its triggers: "
            + (", ".join(t.name for t in self.triggers) or "none")
        )


@dataclasses.dataclass
class App:
    """Everything a ``s.yaml`` / ``template.yml`` declares."""

    path: Optional[Path] = None
    functions: Dict[str, FunctionSpec] = dataclasses.field(default_factory=dict)
    warnings: List[str] = dataclasses.field(default_factory=list)
    vars: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    format: str = ""  # "fc", "fc3" or "funcraft"

    def function(self, name: str) -> FunctionSpec:
        try:
            return self.functions[name]
        except KeyError:
            raise KeyError(
                f"{self.path or 'app'} declares no function {name!r}; functions: "
                + (", ".join(sorted(self.functions)) or "none")
            ) from None

    @property
    def triggers(self) -> List[TriggerSpec]:
        return [t for f in self.functions.values() for t in f.triggers]
