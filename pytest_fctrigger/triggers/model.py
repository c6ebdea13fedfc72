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
from ..events.catalog import CDN_EVENT_NAMES
from ..kinds.eventbridge import EVENTBRIDGE_SOURCE_PARAMETERS, EVENTBRIDGE_SOURCE_TYPES
from ..kinds.mns_topic import MNS_NOTIFY_FORMATS, MNS_NOTIFY_STRATEGIES
from ..kinds.oss import (
    OSS_CONFIG_EVENTS,
    OSS_CREATED_EVENTS,
    OSS_MODIFIED_EVENTS,
    OSS_REMOVED_EVENTS,
    expand_oss_events,
)
from ..kinds.registry import REGISTRY

# The tables above are defined once, by their kinds (pytest_fctrigger/kinds/<type>.py) or
# the event catalog, and re-exported here for the model's users.
__all__ = [
    "App",
    "CDN_EVENT_NAMES",
    "EVENTBRIDGE_SOURCE_PARAMETERS",
    "EVENTBRIDGE_SOURCE_TYPES",
    "Finding",
    "FunctionSpec",
    "MNS_NOTIFY_FORMATS",
    "MNS_NOTIFY_STRATEGIES",
    "OSS_CONFIG_EVENTS",
    "OSS_CREATED_EVENTS",
    "OSS_MODIFIED_EVENTS",
    "OSS_REMOVED_EVENTS",
    "SEVERITIES",
    "TriggerSpec",
    "canonical_type",
    "expand_oss_events",
]


def __getattr__(name: str) -> Any:
    if name == "TRIGGER_TYPES":  # FC trigger types, including kinds added by plugins
        return REGISTRY.trigger_types()
    if name == "TYPE_ALIASES":
        import warnings

        warnings.warn(
            "pytest_fctrigger.triggers.model.TYPE_ALIASES is deprecated; use "
            "pytest_fctrigger.kinds.REGISTRY.aliases() (or canonical_type())",
            DeprecationWarning,
            stacklevel=2,
        )
        return {a: t for a, t in REGISTRY.aliases().items() if t in REGISTRY.trigger_types()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Location = Tuple[str, Optional[int]]


def canonical_type(type_: str, location: Optional[Location] = None) -> str:
    """Map any accepted spelling of a trigger type to the FC API name, or raise ConfigError."""
    try:
        return REGISTRY.get(str(type_), fc_trigger=True).name
    except ConfigError as exc:
        file, line = location if location else (None, None)
        raise ConfigError(exc.reason, file, line) from None


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
    description: Optional[str] = None
    # dotted normalised config path (e.g. ``filter.key.prefix``) -> line in the file
    lines: Dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    # --- construction -------------------------------------------------------------
    @classmethod
    def from_marker(cls, type_: str, /, **config: Any) -> TriggerSpec:
        """Build from ``@pytest.mark.fc_trigger(type, **config)``.

        ``config`` takes the FC API's ``triggerConfig`` keys plus ``name``,
        ``sourceArn``, ``qualifier``, ``region``, ``account_id`` and the shorthands
        oss ``bucket``/``events``/``prefix``/``suffix``; mns_topic ``topic``/
        ``filter_tag``/``format``; tablestore ``instance``/``table``; log
        ``project``/``logstore``.
        """
        import copy

        from ..kinds.base import MarkerTrigger

        kind = REGISTRY.get(type_, fc_trigger=True)
        kind.check_marker(config)  # unknown key (with the closest valid one), bad type or value
        extra = dict(config)
        m = MarkerTrigger(
            name=extra.pop("name", None) or f"{kind.name}-trigger",
            type=kind.name,
            config={},
            extra=extra,
            source_arn=extra.pop("sourceArn", None) or extra.pop("source_arn", None),
            qualifier=extra.pop("qualifier", None),
            role=extra.pop("role", None) or extra.pop("invocationRole", None),
            region=extra.pop("region", None) or "*",
            account=extra.pop("account_id", None) or "*",
        )
        if kind.from_marker is not None:
            kind.from_marker(m)
        # everything left is a triggerConfig key in the FC API spelling
        for k, v in m.extra.items():
            m.config[k] = copy.deepcopy(v)
        if kind.name == "oss" and "filter" in m.config:
            from ..kinds.oss import normalize_oss_filter

            m.config["filter"] = normalize_oss_filter(m.config["filter"])
        return cls(
            name=m.name, type=m.type, config=m.config, source_arn=m.source_arn, qualifier=m.qualifier, role=m.role
        )

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
            return parts[4][len("project/") :].strip("/") or None
        return self.config.get("project")

    @property
    def logstore(self) -> Optional[str]:
        """The *source* logstore (``sourceConfig.logstore``)."""
        if self.type != "log":
            return None
        return (self.config.get("sourceConfig") or {}).get("logstore")

    @property
    def job_config(self) -> Dict[str, Any]:
        return dict(self.config.get("jobConfig") or {})

    @property
    def trigger_interval(self) -> int:
        """Seconds between ETL job runs (``jobConfig.triggerInterval``; FC default 60)."""
        value = self.job_config.get("triggerInterval")
        return 60 if value is None else value

    @property
    def max_retry_time(self) -> int:
        """Retries of one shard range (``jobConfig.maxRetryTime``; FC default 3)."""
        value = self.job_config.get("maxRetryTime")
        return 3 if value is None else value

    @property
    def function_parameter(self) -> Any:
        """``functionParameter``: delivered as the event's ``parameter``."""
        value = self.config.get("functionParameter")
        return {} if value is None else value

    @property
    def log_config(self) -> Dict[str, Any]:
        """Where the trigger's own execution logs go (``logConfig.project/logstore``)."""
        return dict(self.config.get("logConfig") or {})

    # --- timer --------------------------------------------------------------------------
    @property
    def cron(self) -> Optional[str]:
        return self.config.get("cronExpression") if self.type == "timer" else None

    @property
    def payload(self) -> Optional[str]:
        return self.config.get("payload") if self.type == "timer" else None

    @property
    def enabled(self) -> bool:
        """``enable`` (timer, log) / ``triggerEnable`` (eventbridge): whichever key the kind's
        config has; other types are always on (an ``enable`` written into an OSS trigger's
        config is an unknown key that lint reports, not a switch FC reads)."""
        kind = REGISTRY.find(self.type)
        keys: Tuple[str, ...] = ("enable", "triggerEnable")
        if kind is not None:
            keys = tuple(k for k in keys if k in kind.config_schema)
        for key in keys:
            if key in self.config and self.config[key] is not None:
                return bool(self.config[key])
        return True

    # --- HTTP ---------------------------------------------------------------------------
    @property
    def auth_type(self) -> str:
        return str(self.config.get("authType") or "anonymous").lower()

    @property
    def methods(self) -> List[str]:
        return [str(m).upper() for m in (self.config.get("methods") or [])]

    # --- MNS topic (strategy) -----------------------------------------------------------
    @property
    def notify_strategy(self) -> str:
        return str(self.config.get("notifyStrategy") or "BACKOFF_RETRY").upper()

    # --- CDN ------------------------------------------------------------------------------
    @property
    def cdn_event_name(self) -> Optional[str]:
        return self.config.get("eventName") if self.type == "cdn_events" else None

    @property
    def event_version(self) -> str:
        return str(self.config.get("eventVersion") or "1.0.0")

    @property
    def domains(self) -> List[str]:
        flt = self.config.get("filter") or {}
        value = flt.get("domain") if isinstance(flt, Mapping) else None
        if isinstance(value, str):
            return [value]
        return [str(d) for d in (value or [])]

    # --- EventBridge ---------------------------------------------------------------------
    @property
    def event_source_type(self) -> Optional[str]:
        """``Default`` | ``MNS`` | ``RocketMQ`` | ``RabbitMQ`` | ``Kafka`` | ``DTS``."""
        if self.type != "eventbridge":
            return None
        source = self.config.get("eventSourceConfig") or {}
        return source.get("eventSourceType") or "Default"

    @property
    def event_source_parameters(self) -> Dict[str, Any]:
        """The ``source<Type>Parameters`` mapping of an EventBridge trigger (empty for Default)."""
        key = EVENTBRIDGE_SOURCE_PARAMETERS.get(self.event_source_type or "")
        if not key:
            return {}
        params = (self.config.get("eventSourceConfig") or {}).get("eventSourceParameters") or {}
        return dict(params.get(key) or {})

    @property
    def event_rule_pattern(self) -> Dict[str, Any]:
        """``eventRuleFilterPattern`` decoded (it is a JSON string in the config)."""
        raw = self.config.get("eventRuleFilterPattern")
        if isinstance(raw, Mapping):
            return dict(raw)
        if not raw:
            return {}
        import json

        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def delivery_mode(self) -> str:
        """``event-driven`` (one CloudEvent per call) or ``event-streaming`` (a batch array)."""
        run_mode = (self.config.get("runOptions") or {}).get("mode")
        sink = ((self.config.get("eventSinkConfig") or {}).get("deliveryOption") or {}).get("mode")
        return str(run_mode or sink or "event-driven")

    @property
    def event_schema(self) -> str:
        """``CloudEvents`` (default) or ``RawData`` (only ``data`` is delivered)."""
        sink = (self.config.get("eventSinkConfig") or {}).get("deliveryOption") or {}
        return str(sink.get("eventSchema") or "CloudEvents")

    # --- locations ---------------------------------------------------------------------
    @property
    def file(self) -> Optional[str]:
        return self.location[0] if self.location else None

    def line_of(self, path: str = "") -> Optional[int]:
        """Line of a normalised config path (``filter.key.prefix``), else of the trigger."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        if "" in self.lines:
            return self.lines[""]
        return self.location[1] if self.location else None

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
    # the s.yaml resource / service key (``resources.<key>``), when it differs from ``name``
    resource: Optional[str] = None
    region: Optional[str] = None
    description: Optional[str] = None
    # the function's asynchronous invocation config as written (fc3 ``asyncInvokeConfig``,
    # fc ``asyncConfiguration``), resolved but not normalised; event flows read it
    async_invoke_config: Dict[str, Any] = dataclasses.field(default_factory=dict)
    # FC 2.0 ``instanceType`` as written (``e1`` elastic, the default; ``c1`` performance;
    # GPU types); None when the file does not set it. Lint checks memory against it.
    instance_type: Optional[str] = None
    # line of each function setting the file wrote (``memorySize``, ``instanceType``,
    # ``timeout``), so lint findings about the function point at that line
    lines: Dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def line_of(self, key: str = "") -> Optional[int]:
        """The line of setting ``key`` (e.g. ``"memorySize"``), else the function's own line."""
        line = self.lines.get(key) if key else None
        if line is None and self.location:
            return self.location[1]
        return line

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
    account_id: Optional[str] = None
    # structured form of ``warnings`` (``Finding`` objects with codes and lines)
    notes: List[Finding] = dataclasses.field(default_factory=list)

    def function(self, name: str) -> FunctionSpec:
        """A function by its name, its resource/service key, or ``service/name``."""
        if name in self.functions:
            return self.functions[name]
        matches = [
            f
            for f in self.functions.values()
            if name in (f.resource, f"{f.service}/{f.name}", f"{f.resource}/{f.name}")
        ]
        if len(matches) == 1:
            return matches[0]
        raise KeyError(
            f"{self.path or 'app'} declares no function {name!r}; functions: "
            + (", ".join(sorted(self.functions)) or "none")
        )

    @property
    def triggers(self) -> List[TriggerSpec]:
        return [t for f in self.functions.values() for t in f.triggers]


SEVERITIES = ("error", "warning")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem found in a config: by the loader (warnings) or by ``lint``.

    ``code`` is stable (documented in docs/triggers.md); ``message`` names the file,
    function and trigger; ``fix`` says what to change.
    """

    code: str
    severity: str
    rule: str
    message: str
    fix: str = ""
    file: Optional[str] = None
    line: Optional[int] = None
    function: Optional[str] = None
    trigger: Optional[str] = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: " if where else ""
        text += f"{self.severity} {self.code} [{self.rule}] {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)
