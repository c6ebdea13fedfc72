"""Event builders for every Function Compute trigger.

Each builder returns an ``FCEvent``: the exact ``bytes`` FC hands to
``handler(event, context)``, with ``.data`` (decoded), ``.trigger_type`` and
``.variant``. Builders take keyword arguments only, draw every default from the
test's seeded ``FCRandom`` (``rng=``), accept ``overrides={"dotted.path": v}``
and reject unknown names with ``UnknownFieldError``.

This package is imported by the pytest plugin and the CLI, so it stays cheap: the
builder modules (and cbor2 / Faker behind them) load on first attribute access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# public name -> submodule that defines it (imported on first use, PEP 562)
_LAZY = {
    "FCEvent": "._base",
    "FCRandom": "._random",
    "EventSource": ".catalog",
    "CATALOG": ".catalog",
    "get_source": ".catalog",
    "trigger_types": ".catalog",
    "timer_event": ".timer",
    "oss_event": ".oss",
    "OSS_EVENT_NAMES": ".oss",
    "expand_oss_event_names": ".oss",
    "normalize_oss_event_name": ".oss",
    "sls_event": ".sls",
    "encode_sls_cursor": ".sls",
    "decode_sls_cursor": ".sls",
    "cdn_event": ".cdn",
    "CDN_EVENT_NAMES": ".cdn",
    "tablestore_event": ".tablestore",
    "tablestore_record": ".tablestore",
    "tablestore_json_view": ".tablestore",
    "TABLESTORE_ROW_TYPES": ".tablestore",
    "mns_topic_event": ".mns",
    "mns_queue_event": ".mns",
    "MNS_TOPIC_VARIANTS": ".mns",
    "rocketmq_event": ".eventbridge",
    "rabbitmq_event": ".eventbridge",
    "kafka_event": ".eventbridge",
    "eventbridge_event": ".eventbridge",
    "datahub_event": ".datahub",
    "apigw_event": ".http",
    "http_event": ".http",
    "wsgi_environ": ".http",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._base import FCEvent
    from ._random import FCRandom
    from .catalog import CATALOG, EventSource, get_source, trigger_types
    from .cdn import CDN_EVENT_NAMES, cdn_event
    from .datahub import datahub_event
    from .eventbridge import eventbridge_event, kafka_event, rabbitmq_event, rocketmq_event
    from .http import apigw_event, http_event, wsgi_environ
    from .mns import MNS_TOPIC_VARIANTS, mns_queue_event, mns_topic_event
    from .oss import OSS_EVENT_NAMES, expand_oss_event_names, normalize_oss_event_name, oss_event
    from .sls import decode_sls_cursor, encode_sls_cursor, sls_event
    from .tablestore import (
        TABLESTORE_ROW_TYPES,
        tablestore_event,
        tablestore_json_view,
        tablestore_record,
    )
    from .timer import timer_event


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pytest_fctrigger.events' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return __all__
