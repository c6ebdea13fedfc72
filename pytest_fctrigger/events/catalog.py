"""The event catalog: every trigger type, its builder and its variants.

``fc_matrix``, the CLI (``fctrigger event`` / ``fctrigger list``) and extension
hooks all go through :data:`CATALOG`, so one table says which events exist. The
builder modules are imported only when an event is built.

Trigger-type names are the canonical ones of the project contract (``timer``,
``oss``, ``log``, ``cdn_events``, ``tablestore``, ``mns_topic``, ``mns_queue``,
``rocketmq``, ``rabbitmq``, ``kafka``, ``datahub``, ``eventbridge``, ``apigw``,
``http``); :func:`get_source` also accepts the aliases in :data:`ALIASES`.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from typing import Any, Dict, Mapping, Optional, Tuple

from ..errors import ConfigError

# The 12 event names of the OSS trigger doc (FC docs "OSS trigger overview", OSS事件定义), in the doc's order.
OSS_EVENT_NAMES: Tuple[str, ...] = (
    "ObjectCreated:PutObject",
    "ObjectCreated:PutSymlink",
    "ObjectCreated:PostObject",
    "ObjectCreated:CopyObject",
    "ObjectCreated:InitiateMultipartUpload",
    "ObjectCreated:UploadPart",
    "ObjectCreated:UploadPartCopy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectCreated:AppendObject",
    "ObjectRemoved:DeleteObject",
    "ObjectRemoved:DeleteObjects",
    "ObjectRemoved:AbortMultipartUpload",
)

# OSS bucket naming rules (OSS docs "Bucket naming conventions"): 3-63 characters of
# lower-case letters, digits and '-', starting and ending with a letter or digit.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
BUCKET_NAME_RULE = "3-63 characters: lower-case letters, digits and '-', not starting or ending with '-'"


def is_valid_bucket_name(name: Any) -> bool:
    """OSS's bucket naming rules (3-63 of ``[a-z0-9-]``, no ``-`` at either end)."""
    return isinstance(name, str) and bool(_BUCKET_NAME.match(name))


# Events a trigger config may name that no notification sample documents (devsapp/fc3
# src/interface/base.ts ``OSSEvents``); they are delivered in the ObjectCreated shape.
OSS_CONFIG_ONLY_EVENT_NAMES: Tuple[str, ...] = ("ObjectModified:UpdateObjectMeta",)

# The 8 CDN event names (FC docs "Formats of event for different triggers", "CDN trigger").
CDN_EVENT_NAMES: Tuple[str, ...] = (
    "LogFileCreated",
    "CachedObjectsRefreshed",
    "CachedObjectsPushed",
    "CachedObjectsBlocked",
    "CdnDomainStarted",
    "CdnDomainStopped",
    "CdnDomainAdded",
    "CdnDomainDeleted",
)

# notifyContentFormat values of an MNS topic subscription (STREAM is FC's default)
MNS_TOPIC_FORMATS: Tuple[str, ...] = ("STREAM", "JSON")

# The four MNS topic event forms (FC docs "Formats of event for different triggers",
# "MNS topic trigger"): format x attributes.
MNS_TOPIC_VARIANTS: Tuple[str, ...] = ("STREAM", "STREAM+attrs", "JSON", "JSON+attrs")

TABLESTORE_ROW_TYPES: Tuple[str, ...] = ("PutRow", "UpdateRow", "DeleteRow")

# EventBridge-delivered sources: one CloudEvent ("event" model) or a JSON array ("stream").
EVENTBRIDGE_MODELS: Tuple[str, ...] = ("event", "stream")

ALIASES: Dict[str, str] = {
    "sls": "log",
    "mnstopic": "mns_topic",
    "cdn": "cdn_events",
    "ots": "tablestore",
    "api_gateway": "apigw",
    "apigateway": "apigw",
}


def aliases_of(name: str) -> Tuple[str, ...]:
    """The aliases of one canonical name (the trigger kinds take theirs from here)."""
    return tuple(alias for alias, target in ALIASES.items() if target == name)


@dataclasses.dataclass(frozen=True)
class EventSource:
    """One trigger type: which builder makes its events and which variants exist.

    ``variant_arg`` names the builder keyword a variant is passed as (e.g. OSS
    variants are ``event_name`` values); ``variant_kwargs`` maps a variant to the
    keyword arguments that select it when it is not a plain value of one keyword.
    """

    trigger_type: str
    builder: str
    variants: tuple
    module: str = ""
    variant_arg: Optional[str] = None
    variant_kwargs: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    description: str = ""

    @property
    def default_variant(self) -> str:
        return self.variants[0]

    def builder_function(self):
        """The builder callable (imports its module on first use)."""
        return getattr(importlib.import_module(self.module, __package__), self.builder)

    def kwargs_for(self, variant: Optional[str] = None) -> Dict[str, Any]:
        """Builder keyword arguments that select ``variant`` (validated)."""
        if variant is None:
            variant = self.default_variant
        if variant not in self.variants:
            raise ConfigError(
                f"unknown variant {variant!r} of trigger type {self.trigger_type!r}; "
                f"valid variants: {', '.join(self.variants)}"
            )
        kwargs: Dict[str, Any] = dict(self.variant_kwargs.get(variant, {}))
        if self.variant_arg is not None:
            kwargs[self.variant_arg] = variant
        return kwargs

    def build(self, rng: Any, variant: Optional[str] = None, **fields: Any):
        """Build one event of ``variant`` (default: the first); ``fields`` go to the builder
        and win over what the variant selects."""
        kwargs = self.kwargs_for(variant)
        kwargs.update(fields)
        return self.builder_function()(rng=rng, **kwargs)


def _models(**stream_kwargs: Any) -> Mapping[str, Mapping[str, Any]]:
    return {"event": {}, "stream": dict(stream_kwargs)}


_SOURCES = (
    EventSource("timer", "timer_event", ("default",), ".timer", description="Timer trigger (cron / @every)"),
    EventSource(
        "oss",
        "oss_event",
        OSS_EVENT_NAMES,
        ".oss",
        variant_arg="event_name",
        description="OSS trigger: the 12 object events",
    ),
    EventSource(
        "log", "sls_event", ("default",), ".sls", description="Log Service (SLS) trigger: one shard's cursor range"
    ),
    EventSource(
        "cdn_events", "cdn_event", CDN_EVENT_NAMES, ".cdn", variant_arg="event_name", description="CDN event trigger"
    ),
    EventSource(
        "tablestore",
        "tablestore_event",
        TABLESTORE_ROW_TYPES,
        ".tablestore",
        variant_arg="row_type",
        description="Tablestore trigger: CBOR row changes",
    ),
    EventSource(
        "mns_topic",
        "mns_topic_event",
        MNS_TOPIC_VARIANTS,
        ".mns",
        variant_kwargs={
            "STREAM": {"format": "STREAM"},
            "STREAM+attrs": {"format": "STREAM", "attributes": True},
            "JSON": {"format": "JSON"},
            "JSON+attrs": {"format": "JSON", "attributes": True},
        },
        description="MNS topic trigger: STREAM/JSON, with/without message attributes",
    ),
    EventSource(
        "mns_queue",
        "mns_queue_event",
        EVENTBRIDGE_MODELS,
        ".mns",
        variant_kwargs=_models(batch=2),
        description="MNS queue trigger (EventBridge): event or stream model",
    ),
    EventSource(
        "rocketmq",
        "rocketmq_event",
        EVENTBRIDGE_MODELS,
        ".eventbridge",
        variant_kwargs=_models(batch=2),
        description="RocketMQ trigger (EventBridge): event or stream model",
    ),
    EventSource(
        "rabbitmq",
        "rabbitmq_event",
        EVENTBRIDGE_MODELS,
        ".eventbridge",
        variant_kwargs=_models(batch=2),
        description="RabbitMQ trigger (EventBridge): event or stream model",
    ),
    EventSource(
        "kafka",
        "kafka_event",
        ("eventbridge", "connector"),
        ".eventbridge",
        variant_arg="form",
        description="Kafka: EventBridge array form, or the FC Sink Connector form",
    ),
    EventSource("datahub", "datahub_event", ("default",), ".datahub", description="DataHub trigger"),
    EventSource(
        "eventbridge",
        "eventbridge_event",
        ("ecs:Disk:ConvertToPostpaidCompleted",),
        ".eventbridge",
        variant_arg="type",
        description="Alibaba Cloud service event via EventBridge (generic CloudEvent)",
    ),
    EventSource(
        "apigw",
        "apigw_event",
        ("plain", "base64"),
        ".http",
        variant_kwargs={"plain": {"base64": False}, "base64": {"base64": True}},
        description="API Gateway trigger: plain or base64 body",
    ),
    EventSource("http", "http_event", ("default",), ".http", description="HTTP trigger, FC 3.0 event form"),
)

CATALOG: Dict[str, EventSource] = {s.trigger_type: s for s in _SOURCES}


def trigger_types() -> Tuple[str, ...]:
    """The canonical trigger-type names, in catalog order."""
    return tuple(CATALOG)


def canonical_type(name: str) -> str:
    """Canonical trigger-type name for ``name`` or an alias (case-insensitive)."""
    key = str(name).strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in CATALOG:
        raise ConfigError(
            f"unknown trigger type {name!r}; valid types: {', '.join(CATALOG)} "
            f"(aliases: {', '.join(f'{a}->{t}' for a, t in ALIASES.items())})"
        )
    return key


def get_source(name: str) -> EventSource:
    """The :class:`EventSource` of a trigger type (aliases accepted)."""
    return CATALOG[canonical_type(name)]
