"""MNS events: topic trigger (four forms) and queue trigger (EventBridge)
(FC docs "Formats of event for different triggers": "MNS topic trigger" and "MNS queue trigger";
"MNS topic trigger", MNS主题触发器).

Topic trigger, by the trigger's event format and whether the message has attributes:

* ``STREAM`` without attributes: the raw message body itself (``hello topic``, not
  JSON). ``FCEvent`` bytes are the UTF-8 body; ``.data`` is the ``str``.
* ``STREAM`` with attributes: ``{"body": "<message>", "attrs": {<attributes>}}``.
* ``JSON``: ``{"TopicOwner", "Message", "Subscriber", "PublishTime", "SubscriptionName",
  "MessageMD5", "TopicName", "MessageId"}`` with ``PublishTime`` an int of
  milliseconds, ``MessageMD5`` the upper-case hex MD5 of the message body (as MNS
  computes it) and ``MessageId`` 32 upper-case hex digits.
* ``JSON`` with attributes: the same, with each attribute as a top-level key placed
  first (the doc's ``"key": "value"``).

Attributes are given as a dict; values are strings on the wire, so non-string values
are JSON-encoded (the sample's ``"Extend": "{\\"key\\":\\"value\\"}"``). ``tag=`` adds
``MessageTag`` to the JSON form, as MNS's NotifyContentFormat JSON does for tagged
messages; the STREAM forms carry no tag.

Queue trigger (via EventBridge): one CloudEvent (event model) or a JSON array of them
(stream model, ``batch=n``), ``type`` ``mns:Queue:SendMessage``, ``data``
``{"requestId", "messageId", "messageBody"}``. Whether ``messageBody`` is base64 depends
on the trigger's ``IsBase64Decode`` setting, whose meaning is ambiguous in the docs
("Formats of event for different triggers", "MNS queue trigger"): the doc sample shows
plain text, so that is the default; ``base64_body=True`` gives the base64 form some
samples show.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
from typing import Any, Dict, List, Mapping, Optional, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    apply_overrides,
    as_text,
    coerce_rng,
    dumps,
    epoch_ms,
    message_text,
    parse_time,
    reject_unknown,
    resource_name,
    to_datetime,
    to_payload,
)
from ._random import FCRandom
from .catalog import MNS_TOPIC_VARIANTS
from .eventbridge import cloud_event, cloud_event_batch, message_bodies, single_only, source_name

__all__ = ["mns_topic_event", "mns_queue_event", "MNS_TOPIC_VARIANTS"]

_JSON_KEYS = (
    "TopicOwner",
    "Message",
    "Subscriber",
    "PublishTime",
    "SubscriptionName",
    "MessageMD5",
    "TopicName",
    "MessageId",
    "MessageTag",
)


def _attributes(attributes: Any, rng: FCRandom) -> Optional[Dict[str, str]]:
    if attributes is None or attributes is False:
        return None
    if attributes is True:  # a realistic attribute like the doc's: Extend = JSON text
        return {"Extend": dumps({"key": rng.choice(("value", "priority", "retry", "trace"))})}
    if not isinstance(attributes, Mapping):
        raise ConfigError(
            f"mns_topic_event(attributes=): expected a dict of message attributes, "
            f"True or None, got {type(attributes).__name__}"
        )
    out = {}
    for k, v in attributes.items():
        if not isinstance(k, str) or not k:
            raise ConfigError(f"mns_topic_event(attributes=): attribute names are non-empty strings, got {k!r}")
        out[k] = v if isinstance(v, str) else dumps(v)
    return out


def mns_topic_event(
    *,
    message: Union[str, bytes, None] = None,
    format: str = "STREAM",
    attributes: Union[Mapping[str, Any], bool, None] = None,
    topic: Optional[str] = None,
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    subscription: Optional[str] = None,
    message_id: Optional[str] = None,
    publish_time: Union[int, _dt.datetime, str, None] = None,
    tag: Optional[str] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """An MNS topic trigger event in one of the four forms (see the module doc).

    ``format``: ``"STREAM"`` or ``"JSON"`` (the trigger's ``notifyContentFormat``).
    ``attributes``: dict of message attributes, ``True`` for a realistic one, or
    ``None``. ``publish_time``: epoch milliseconds (int), a datetime or an ISO-8601
    string. The variant is ``STREAM``, ``STREAM+attrs``, ``JSON`` or ``JSON+attrs``.
    """
    if unknown:
        reject_unknown(mns_topic_event, unknown)
    fmt = str(format).upper()
    if fmt not in ("STREAM", "JSON"):
        raise ConfigError(f"mns_topic_event(format=): {format!r} is not 'STREAM' or 'JSON'")
    rng = coerce_rng(rng)
    text = message_text(rng) if message is None else as_text(message, "mns_topic_event(message=)")
    attrs = _attributes(attributes, rng)
    variant = fmt + ("+attrs" if attrs is not None else "")

    if fmt == "STREAM":
        if attrs is None:
            if overrides:
                raise ConfigError(
                    "mns_topic_event(): a STREAM event without attributes is the raw "
                    "message body and has no fields to override; pass message="
                )
            return FCEvent(text.encode("utf-8"), text, "mns_topic", variant)
        data: Any = {"body": text, "attrs": attrs}
        apply_overrides(data, overrides, "mns_topic_event()")
        return FCEvent(to_payload(data), data, "mns_topic", variant)

    account_id = account_id or rng.account_id
    topic = topic or resource_name(rng, "topic")
    if publish_time is None:
        published = epoch_ms(rng.time())
    elif isinstance(publish_time, int) and not isinstance(publish_time, bool):
        published = publish_time
    elif isinstance(publish_time, str):
        published = epoch_ms(parse_time(publish_time, "mns_topic_event(publish_time=)"))
    elif isinstance(publish_time, _dt.datetime):
        published = epoch_ms(to_datetime(publish_time, "mns_topic_event(publish_time=)"))
    else:  # a float would be ambiguous: seconds or milliseconds?
        raise ConfigError(
            "mns_topic_event(publish_time=): expected epoch milliseconds (int), a datetime "
            f"or an ISO-8601 string, got {publish_time!r}"
        )
    data = {}
    if attrs:
        clash = sorted(set(attrs) & set(_JSON_KEYS))
        if clash:
            raise ConfigError(
                f"mns_topic_event(attributes=): {', '.join(clash)} would overwrite the "
                "JSON event's own field(s) of that name"
            )
        data.update(attrs)
    data.update(
        {
            "TopicOwner": account_id,
            "Message": text,
            "Subscriber": account_id,
            "PublishTime": published,
            "SubscriptionName": subscription or resource_name(rng, "subscription"),
            "MessageMD5": hashlib.md5(text.encode("utf-8")).hexdigest().upper(),
        }
    )
    if tag:
        data["MessageTag"] = tag
    data["TopicName"] = topic
    data["MessageId"] = message_id or rng.hex(32, upper=True)
    apply_overrides(data, overrides, "mns_topic_event()")
    return FCEvent(to_payload(data), data, "mns_topic", variant)


def mns_queue_event(
    *,
    body: Union[str, bytes, List[Any], None] = None,
    batch: Optional[int] = None,
    queue: Optional[str] = None,
    base64_body: bool = False,
    trigger_name: str = "mnstrigger",
    function_name: str = "Function",
    push_format: str = "CloudEvents",
    message_id: Optional[str] = None,
    request_id: Optional[str] = None,
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """An MNS queue trigger event: one CloudEvent, or with ``batch=n`` (or a list of
    bodies) a JSON array of ``n``. ``subject`` is ``acs:mns:<region>:<account>:queues/<queue>``,
    ``source`` and ``aliyuneventbusname`` ``MNS-<function_name>-<trigger_name>`` (default function
    name ``Function``, as in the doc sample); ``push_format="RawData"`` delivers ``data`` only.
    ``message_id``/``request_id`` can be fixed for a single message only."""
    if unknown:
        reject_unknown(mns_queue_event, unknown)
    rng = coerce_rng(rng)
    batch, bodies = message_bodies("mns_queue_event", body, batch, rng, message_text)
    single_only("mns_queue_event", batch, message_id=message_id, request_id=request_id)
    region = region or rng.region
    account_id = account_id or rng.account_id
    queue = queue or resource_name(rng, "queue")
    source = source_name("MNS", function_name, trigger_name, "mns_queue_event")

    def make(i: int, raw: Any) -> Dict[str, Any]:
        text = as_text(raw, "mns_queue_event(body=)")
        if base64_body:
            text = base64.b64encode(text.encode("utf-8")).decode("ascii")
        data = {
            "requestId": request_id or rng.hex(24, upper=True),
            "messageId": message_id or rng.hex(32, upper=True),
            "messageBody": text,
        }
        return cloud_event(
            rng,
            source=source,
            type="mns:Queue:SendMessage",
            subject=f"acs:mns:{region}:{account_id}:queues/{queue}",
            data=data,
            region=region,
            account_id=account_id,
            event_time=event_time,
        )

    return cloud_event_batch("mns_queue_event", "mns_queue", rng, batch, bodies, make, overrides, push_format)
