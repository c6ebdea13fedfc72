"""OSS trigger events (FC docs "Formats of event for different triggers", "OSS trigger";
"Configure a native OSS trigger" for the sample with ``objectMeta``; "OSS trigger overview",
OSS事件定义, for the 12 event names).

Payload: ``{"events": [ {...one record...} ]}``. ``eventName`` carries **no** ``oss:``
prefix (the trigger config's ``events`` do); both spellings are accepted on input.

Sizes. The doc defines ``deltaSize`` for creation only: "if an object is added, the
size of the object; if an object overwrites one with the same name, the size
difference". So for a new object ``deltaSize == size``. The other cases are our
model, stated here so tests can rely on it: ``InitiateMultipartUpload`` has
``size == deltaSize == 0`` (no data yet); ``ObjectRemoved:*`` events report the size
that was removed as ``size`` and ``deltaSize == -size``. Pass ``delta_size`` (e.g. for
an overwrite) to state it yourself.

ETags are 32 upper-case hex digits (the MD5 of a simple upload); a
``CompleteMultipartUpload`` ETag has OSS's multipart form ``<32 hex>-<part count>``.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    MIME_BY_EXT,
    apply_overrides,
    as_int,
    coerce_rng,
    dumps,
    iso_ms,
    jstr,
    object_key,
    reject_unknown,
    resolve_time,
    to_payload,
)
from ._random import FCRandom
from .catalog import BUCKET_NAME_RULE, OSS_EVENT_NAMES, is_valid_bucket_name

MAX_KEY_BYTES = 1023  # OSS object keys: 1-1023 bytes of UTF-8

__all__ = ["OSS_EVENT_NAMES", "oss_event", "expand_oss_event_names", "normalize_oss_event_name"]

_BY_LOWER = {n.lower(): n for n in OSS_EVENT_NAMES}
_CANONICAL = frozenset(OSS_EVENT_NAMES)
_PART_SIZE = 5 * 1024 * 1024  # a common multipart part size (ETag "-<parts>" suffix)


def normalize_oss_event_name(name: str) -> str:
    """``"oss:ObjectCreated:PutObject"`` / ``"ObjectCreated:PutObject"`` -> the name FC
    puts in ``eventName`` (no ``oss:`` prefix). Wildcards are not accepted here."""
    if not isinstance(name, str):
        raise ConfigError(f"OSS event name must be a string, got {type(name).__name__}")
    bare = name[4:] if name[:4].lower() == "oss:" else name
    canonical = _BY_LOWER.get(bare.lower())
    if canonical is None:
        raise ConfigError(
            f"unknown OSS event {name!r}; valid events: "
            f"{', '.join('oss:' + n for n in OSS_EVENT_NAMES)}, oss:ObjectCreated:*, oss:ObjectRemoved:*"
        )
    return canonical


def expand_oss_event_names(config_events: Union[str, Iterable[str]]) -> List[str]:
    """Expand a trigger config's ``events`` list into concrete event names.

    ``oss:`` prefixes are stripped, ``oss:ObjectCreated:*`` (documented) and
    ``oss:ObjectRemoved:*`` become every matching name, duplicates are dropped and the
    first-seen order is kept. Unknown names raise ``ConfigError``.
    """
    if isinstance(config_events, str):
        config_events = [config_events]
    out: List[str] = []
    for raw in config_events:
        bare = raw[4:] if isinstance(raw, str) and raw[:4].lower() == "oss:" else raw
        if isinstance(bare, str) and bare.endswith(":*"):
            family = bare[:-1].lower()
            names = [n for n in OSS_EVENT_NAMES if n.lower().startswith(family)]
            if not names:
                raise ConfigError(
                    f"unknown OSS event wildcard {raw!r}; valid wildcards: oss:ObjectCreated:*, oss:ObjectRemoved:*"
                )
        else:
            names = [normalize_oss_event_name(raw)]
        for n in names:
            if n not in out:
                out.append(n)
    return out


def _object_meta(meta: Any, key: str, rng: FCRandom, when: _dt.datetime) -> Optional[Dict[str, Any]]:
    if meta is None or meta is False:
        return None
    if meta is True:  # realistic default: MIME type from the key, one user metadata entry
        ext = key.rsplit(".", 1)[-1].lower() if "." in key else ""
        return {
            "mimeType": MIME_BY_EXT.get(ext, "application/octet-stream"),
            "userMeta": {"x-oss-meta-last-modified": when.strftime("%Y%m%d")},
        }
    if not isinstance(meta, Mapping):
        raise ConfigError(
            f"oss_event(): object_meta must be a dict like "
            f"{{'mimeType': ..., 'userMeta': {{'x-oss-meta-...': ...}}}}, True or None, "
            f"not {type(meta).__name__}"
        )
    meta = dict(meta)
    user = meta.get("userMeta")
    if user is not None:
        if not isinstance(user, Mapping):
            raise ConfigError("oss_event(): object_meta['userMeta'] must be a dict")
        bad = [k for k in user if not str(k).lower().startswith("x-oss-meta-")]
        if bad:
            # FC docs "Configure a native OSS trigger": "The metadata key must start with x-oss-meta-"
            raise ConfigError(f"oss_event(): userMeta key(s) {', '.join(map(repr, bad))} must start with 'x-oss-meta-'")
        meta["userMeta"] = dict(user)
    return meta


def _default_size(rng: FCRandom) -> int:
    # log-uniform-ish: up to 1 KB .. 64 MB, so small and multipart-sized objects both occur
    bits = rng.random.getrandbits(30)
    return 1 + bits % (1 << (10 + bits % 17))


def oss_event(
    *,
    bucket: Optional[str] = None,
    key: Optional[str] = None,
    event_name: str = "ObjectCreated:PutObject",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    size: Optional[int] = None,
    delta_size: Optional[int] = None,
    etag: Optional[str] = None,
    object_meta: Union[Mapping[str, Any], bool, None] = None,
    source_ip: Optional[str] = None,
    request_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rule_id: Optional[str] = None,
    principal_id: Optional[str] = None,
    owner_id: Optional[str] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """An OSS trigger event for one object operation.

    ``event_name``: one of ``OSS_EVENT_NAMES``, with or without ``oss:``; the
    wildcard ``oss:ObjectCreated:*`` picks one ObjectCreated event from ``rng``.
    ``object_meta``: ``{"mimeType": ..., "userMeta": {"x-oss-meta-...": ...}}``,
    ``True`` (derived from the key) or ``None`` (field omitted, as in the sample of
    "Formats of event for different triggers").
    ``event_time``: datetime (formatted ``2022-08-13T06:45:43.000Z``) or a string kept
    verbatim. The bucket ARN is ``acs:oss:<region>:<account_id>:<bucket>``;
    ``ownerIdentity`` and ``principalId`` default to the account id.
    """
    if unknown:
        reject_unknown(oss_event, unknown)
    return _render(
        *_draw(
            bucket,
            key,
            event_name,
            region,
            account_id,
            size,
            delta_size,
            etag,
            object_meta,
            source_ip,
            request_id,
            event_time,
            rule_id,
            principal_id,
            owner_id,
            rng,
        ),
        overrides=overrides,
    )


def deferred_oss_event(
    *,
    bucket: Optional[str] = None,
    key: Optional[str] = None,
    event_name: str = "ObjectCreated:PutObject",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    size: Optional[int] = None,
    delta_size: Optional[int] = None,
    etag: Optional[str] = None,
    object_meta: Union[Mapping[str, Any], bool, None] = None,
    source_ip: Optional[str] = None,
    request_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rule_id: Optional[str] = None,
    principal_id: Optional[str] = None,
    owner_id: Optional[str] = None,
    rng: Union[FCRandom, int, None] = None,
) -> Callable[[], FCEvent]:
    """``oss_event()`` in two steps: every value (random draws, checks) is fixed now, the
    payload is encoded when the returned function is called, and it is the same
    ``FCEvent`` whenever that happens. The simulated OSS journals its writes this way:
    most writes' events are never read, and encoding one costs more than the write."""
    return functools.partial(
        _render,
        *_draw(
            bucket,
            key,
            event_name,
            region,
            account_id,
            size,
            delta_size,
            etag,
            object_meta,
            source_ip,
            request_id,
            event_time,
            rule_id,
            principal_id,
            owner_id,
            rng,
        ),
        overrides=None,
    )


def _draw(
    bucket: Optional[str],
    key: Optional[str],
    event_name: str,
    region: Optional[str],
    account_id: Optional[str],
    size: Optional[int],
    delta_size: Optional[int],
    etag: Optional[str],
    object_meta: Union[Mapping[str, Any], bool, None],
    source_ip: Optional[str],
    request_id: Optional[str],
    event_time: Union[_dt.datetime, str, None],
    rule_id: Optional[str],
    principal_id: Optional[str],
    owner_id: Optional[str],
    rng: Union[FCRandom, int, None],
) -> tuple:
    """Every value the event is made of: the arguments checked, the random ones drawn
    from ``rng`` (always the same draws in the same order); ``_render`` formats them."""
    # (the type() tests are fast paths for what the simulated OSS passes on every write)
    if type(rng) is not FCRandom:
        rng = coerce_rng(rng)
    if isinstance(event_name, str) and event_name in _CANONICAL:
        name = event_name
    elif isinstance(event_name, str) and event_name.endswith("*"):
        family = expand_oss_event_names([event_name])
        name = family[int(rng.random.random() * len(family))]
    else:
        name = normalize_oss_event_name(event_name)
    region = region or rng.region
    account_id = account_id or rng.account_id
    if bucket is None:
        bucket = f"{rng.choice(('media', 'uploads', 'data', 'assets', 'ingest'))}-{rng.hex(8)}"
    elif not is_valid_bucket_name(bucket):  # OSS would never deliver such an event
        raise ConfigError(
            f"oss_event(bucket={bucket!r}): not a valid OSS bucket name; allowed: a string of {BUCKET_NAME_RULE}"
        )
    if key is None:
        key = object_key(rng)
    elif not isinstance(key, str) or not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise ConfigError(f"oss_event(key={key!r}): an OSS object key is a string of 1-{MAX_KEY_BYTES} bytes")
    if type(event_time) is _dt.datetime and event_time.tzinfo is not None:
        when, when_text = event_time, None
    else:
        when, when_text = resolve_time(event_time, rng, "oss_event(event_time=)")
    if size is None:
        size = 0 if name == "ObjectCreated:InitiateMultipartUpload" else _default_size(rng)
    elif type(size) is not int:
        size = as_int(size, "oss_event(size=)")
    if size < 0:
        raise ConfigError(f"oss_event(size={size!r}): an object size is an integer >= 0 (bytes)")
    if delta_size is None:
        delta_size = -size if name.startswith("ObjectRemoved:") else size
    elif type(delta_size) is not int:
        delta_size = as_int(delta_size, "oss_event(delta_size=)")
    # one draw for the three ids: ETag (32 upper hex), ruleId (40 hex), requestId (24 upper hex)
    ids = rng.random.getrandbits(384)
    meta = _object_meta(object_meta, key, rng, when)
    source_ip = source_ip or rng.public_ipv4()
    return (
        name,
        when,
        when_text,
        region,
        account_id,
        bucket,
        key,
        size,
        delta_size,
        etag,
        ids,
        meta,
        source_ip,
        request_id,
        rule_id,
        principal_id,
        owner_id,
    )


def _render(
    name: str,
    when: _dt.datetime,
    when_text: Optional[str],
    region: str,
    account_id: str,
    bucket: str,
    key: str,
    size: int,
    delta_size: int,
    etag: Optional[str],
    ids: int,
    meta: Optional[Dict[str, Any]],
    source_ip: str,
    request_id: Optional[str],
    rule_id: Optional[str],
    principal_id: Optional[str],
    owner_id: Optional[str],
    *,
    overrides: Optional[Mapping[str, Any]],
) -> FCEvent:
    """The event of the values ``_draw`` fixed (nothing random here)."""
    hex_ids = f"{ids:096x}"
    if etag is None:
        etag = hex_ids[:32].upper()
        if name == "ObjectCreated:CompleteMultipartUpload":
            etag = f"{etag}-{max(1, -(-size // _PART_SIZE))}"
    owner = owner_id or account_id
    event_time_text = when_text if when_text is not None else iso_ms(when)
    arn = f"acs:oss:{region}:{account_id}:{bucket}"
    rule_id = rule_id or hex_ids[32:72]
    request_id = request_id or hex_ids[72:].upper()
    principal_id = principal_id or owner

    obj: Dict[str, Any] = {"deltaSize": delta_size, "eTag": etag, "key": key}
    if meta is not None:
        obj["objectMeta"] = meta
    obj["size"] = size
    record = {
        "eventName": name,
        "eventSource": "acs:oss",
        "eventTime": event_time_text,
        "eventVersion": "1.0",
        "oss": {
            "bucket": {"arn": arn, "name": bucket, "ownerIdentity": owner},
            "object": obj,
            "ossSchemaVersion": "1.0",
            "ruleId": rule_id,
        },
        "region": region,
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {"requestId": request_id},
        "userIdentity": {"principalId": principal_id},
    }
    data = {"events": [record]}
    if overrides:
        apply_overrides(data, overrides, "oss_event()")
        return FCEvent(to_payload(data), data, "oss", name)
    try:
        # Same bytes as json.dumps(data) (a test checks it), without walking the dict.
        text = _TEMPLATE % (
            jstr(name),
            jstr(event_time_text),
            jstr(arn),
            jstr(bucket),
            jstr(owner),
            delta_size,
            jstr(etag),
            jstr(key),
            "" if meta is None else ',"objectMeta":' + dumps(meta),
            size,
            jstr(rule_id),
            jstr(region),
            jstr(source_ip),
            jstr(request_id),
            jstr(principal_id),
        )
    except TypeError:  # a non-str field value given by the caller: let json decide
        return FCEvent(to_payload(data), data, "oss", name)
    return FCEvent(text.encode("utf-8"), data, "oss", name)


_TEMPLATE = (
    '{"events":[{"eventName":%s,"eventSource":"acs:oss","eventTime":%s,"eventVersion":"1.0",'
    '"oss":{"bucket":{"arn":%s,"name":%s,"ownerIdentity":%s},'
    '"object":{"deltaSize":%d,"eTag":%s,"key":%s%s,"size":%d},'
    '"ossSchemaVersion":"1.0","ruleId":%s},"region":%s,'
    '"requestParameters":{"sourceIPAddress":%s},"responseElements":{"requestId":%s},'
    '"userIdentity":{"principalId":%s}}]}'
)
