"""CDN event trigger events (FC docs "Formats of event for different triggers", "CDN trigger";
"CDN event trigger", CDN事件触发器).

Payload: ``{"events": [{"eventName", "eventSource": "cdn", "region", "eventVersion":
"1.0.0", "eventTime", "traceId", "resource": {"domain"}, "eventParameter": {...},
"userIdentity": {"aliUid"}}]}``; ``eventTime`` is China Standard Time with an offset
(``2018-06-14T15:31:49+08:00``), ``traceId`` a UUID, ``region`` ``cn-hangzhou`` unless
given (the doc: "Default value: cn-hangzhou"). ``eventParameter`` by event:

* ``LogFileCreated``: ``domain``, ``endTime``, ``fileSize``, ``filePath``, ``startTime``
* ``CachedObjectsRefreshed`` / ``Pushed`` / ``Blocked``: ``objectPath`` (list),
  ``createTime``, ``domain``, ``completeTime``, ``objectType`` (``File`` | ``Directory``),
  ``taskId``
* ``CdnDomainStarted`` / ``Stopped``: ``domain``, ``status`` (``online`` / ``offline``)
* ``CdnDomainAdded`` / ``Deleted``: ``domain``

Types: the doc's tables call ``endTime``, ``fileSize``, ``startTime``, ``createTime``,
``completeTime`` and ``taskId`` "String", but every sample payload carries them as
JSON integers (``"endTime": 1528959900``, ``"taskId": 2089687230``). The payload is
what handlers receive, so we follow the samples: they are ``int``. Key order follows
each sample (``userIdentity`` comes first for ``LogFileCreated``, last otherwise).
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    CST,
    WORDS,
    apply_overrides,
    as_int,
    coerce_rng,
    epoch_s,
    iso_local,
    mixed_letters,
    one_of,
    reject_unknown,
    resolve_time,
    to_payload,
)
from ._random import FCRandom
from .catalog import CDN_EVENT_NAMES

__all__ = ["cdn_event", "CDN_EVENT_NAMES"]

_CACHED = ("CachedObjectsRefreshed", "CachedObjectsPushed", "CachedObjectsBlocked")
_STATUS = {"CdnDomainStarted": "online", "CdnDomainStopped": "offline"}
_MEDIA = ("mp4", "jpg", "png", "css", "js", "m3u8", "webp")


def _domain(rng: FCRandom) -> str:
    return f"{rng.choice(('cdn', 'static', 'img', 'video', 'assets'))}.{rng.choice(WORDS)}-{rng.hex(4)}.com"


def _log_file(rng: FCRandom, domain: str, region: str, start: int, end: int) -> str:
    """An offline-log download URL shaped like the doc's (presigned OSS URL, local dates)."""
    s = _dt.datetime.fromtimestamp(start, CST)
    e = _dt.datetime.fromtimestamp(end, CST)
    day = s.strftime("%Y_%m_%d")
    signature = base64.b64encode(rng.random.getrandbits(160).to_bytes(20, "big")).decode("ascii")
    signature = signature.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (
        f"http://cdnlog.{region}.oss.aliyun-inc.com/{domain}/{day}/"
        f"{domain}_{day}_{s:%H%M}_{e:%H%M}.gz"
        f"?OSSAccessKeyId=LTAI5tFAKE{mixed_letters(rng, 14)}&Expires={end + 7 * 86400}"
        f"&Signature={signature}"
    )


def _object_paths(rng: FCRandom, when: _dt.datetime, object_type: str) -> List[str]:
    local = when.astimezone(CST)
    if object_type == "Directory":
        return [f"/{local:%Y/%m/%d}/{rng.choice(WORDS)}/"]
    return [f"/{local:%Y/%m/%d/%H}/{rng.hex(11)}.{rng.choice(_MEDIA)}" for _ in range(rng.randint(1, 3))]


def _given_paths(paths: Any) -> List[str]:
    if (
        isinstance(paths, (str, bytes))
        or not isinstance(paths, (list, tuple))
        or not all(isinstance(p, str) for p in paths)
    ):
        raise ConfigError(f"cdn_event(object_paths=): expected a list of paths (strings), got {paths!r}")
    return list(paths)


def cdn_event(
    *,
    event_name: str = "LogFileCreated",
    domain: Optional[str] = None,
    region: str = "cn-hangzhou",
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    trace_id: Optional[str] = None,
    file_path: Optional[str] = None,
    file_size: Optional[int] = None,
    start_time: Optional[int] = None,
    end_time: Optional[int] = None,
    object_paths: Optional[Sequence[str]] = None,
    object_type: str = "File",
    task_id: Optional[int] = None,
    create_time: Optional[int] = None,
    complete_time: Optional[int] = None,
    status: Optional[str] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A CDN event of ``event_name`` (one of ``CDN_EVENT_NAMES``).

    Fields that do not belong to ``event_name``'s ``eventParameter`` are rejected
    (e.g. ``file_size`` for ``CdnDomainAdded``), so a test cannot silently set a field
    the event does not carry. ``LogFileCreated`` covers the hour before the event; its
    ``filePath`` is a presigned log URL for that hour.
    """
    if unknown:
        reject_unknown(cdn_event, unknown)
    one_of("cdn_event(event_name=)", event_name, CDN_EVENT_NAMES)
    given = {
        "file_path": file_path,
        "file_size": file_size,
        "start_time": start_time,
        "end_time": end_time,
        "object_paths": object_paths,
        "task_id": task_id,
        "create_time": create_time,
        "complete_time": complete_time,
        "status": status,
    }
    allowed = {
        "LogFileCreated": {"file_path", "file_size", "start_time", "end_time"},
        "CdnDomainStarted": {"status"},
        "CdnDomainStopped": {"status"},
    }.get(event_name, {"object_paths", "task_id", "create_time", "complete_time"} if event_name in _CACHED else set())
    misplaced = sorted(k for k, v in given.items() if v is not None and k not in allowed)
    if misplaced:
        raise ConfigError(
            f"cdn_event(): {', '.join(misplaced)} not part of a {event_name} event "
            f"(its fields: {', '.join(sorted(allowed)) or 'domain only'})"
        )
    rng = coerce_rng(rng)
    domain = domain or _domain(rng)
    when, when_text = resolve_time(event_time, rng, "cdn_event(event_time=)")
    event_time_text = when_text or iso_local(when)
    params: Dict[str, Any]
    if event_name == "LogFileCreated":
        hour_end = (epoch_s(when) // 3600) * 3600
        end = as_int(end_time, "cdn_event(end_time=)") if end_time is not None else hour_end
        start = as_int(start_time, "cdn_event(start_time=)") if start_time is not None else end - 3600
        params = {
            "domain": domain,
            "endTime": end,
            "fileSize": as_int(file_size, "cdn_event(file_size=)")
            if file_size is not None
            else rng.randint(2_000, 50_000_000),
            "filePath": file_path or _log_file(rng, domain, region, start, end),
            "startTime": start,
        }
    elif event_name in _CACHED:
        one_of("cdn_event(object_type=)", object_type, ("File", "Directory"))
        created = (
            as_int(create_time, "cdn_event(create_time=)")
            if create_time is not None
            else epoch_s(when) - rng.randint(5, 120)
        )
        params = {
            "objectPath": _given_paths(object_paths)
            if object_paths is not None
            else _object_paths(rng, when, object_type),
            "createTime": created,
            "domain": domain,
            "completeTime": as_int(complete_time, "cdn_event(complete_time=)")
            if complete_time is not None
            else created + rng.randint(1, 30),
            "objectType": object_type,
            "taskId": as_int(task_id, "cdn_event(task_id=)")
            if task_id is not None
            else rng.randint(1_000_000_000, 9_999_999_999),
        }
    elif event_name in _STATUS:
        params = {"domain": domain, "status": status or _STATUS[event_name]}
    else:
        params = {"domain": domain}

    trace_id = trace_id or rng.uuid()
    user = {"aliUid": account_id or rng.account_id}
    if event_name == "LogFileCreated":
        record = {
            "eventName": event_name,
            "eventSource": "cdn",
            "region": region,
            "eventVersion": "1.0.0",
            "eventTime": event_time_text,
            "traceId": trace_id,
            "userIdentity": user,
            "resource": {"domain": domain},
            "eventParameter": params,
        }
    else:
        record = {
            "eventName": event_name,
            "eventVersion": "1.0.0",
            "eventSource": "cdn",
            "region": region,
            "eventTime": event_time_text,
            "traceId": trace_id,
            "resource": {"domain": domain},
            "eventParameter": params,
            "userIdentity": user,
        }
    data = {"events": [record]}
    apply_overrides(data, overrides, "cdn_event()")
    return FCEvent(to_payload(data), data, "cdn_events", event_name)
