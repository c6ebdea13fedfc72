"""EventBridge-delivered events: RocketMQ, RabbitMQ, Kafka and Alibaba Cloud
service events (Function Compute docs, "Formats of event for different triggers":
"Message Queue for Apache RocketMQ trigger", "Message Queue for RabbitMQ trigger",
"Message Queue for Apache Kafka trigger"; "Configure event triggers for Alibaba Cloud
services" and "官方事件源触发器" for the ECS event; "创建FC Sink Connector" for the Kafka
connector form). The MNS queue trigger (also EventBridge) lives in ``mns.py`` and uses
the envelope built here.

Two delivery models (the EventBridge trigger pages: event-driven vs event-streaming): the
**event model** passes one CloudEvent object per invocation; the **stream model** passes
a JSON array of them, batched by the trigger's batch window. The builders take
``batch=None`` (event model) or ``batch=n`` (a stream of ``n`` messages).

Envelope fields (CloudEvents 1.0 plus Alibaba Cloud extensions): ``id`` (UUID),
``source``, ``specversion`` ``"1.0"``, ``type``, ``datacontenttype``, ``subject`` (the
resource ARN, in the event's region and account), ``time`` (when the message was
produced), ``aliyunaccountid``, ``aliyunpublishtime`` (when EventBridge received it,
after ``time``), ``aliyunoriginalaccountid``, ``aliyuneventbusname``,
``aliyunregionid``, ``aliyunpublishaddr`` and ``data``. The doc samples mix regions
(a ``cn-hangzhou`` subject with ``aliyunregionid: cn-chengdu``); ours agree with each
other and with the test's region.

Typing choices where the doc's table and sample disagree (we follow the sample,
which is the payload): RocketMQ ``systemProperties.MIN_OFFSET`` / ``MAX_OFFSET`` /
``TRACE_ON`` are strings (``"0"``, ``"8"``, ``"true"``; table: Int/Boolean) and
``CONSUME_START_TIME`` an int; Kafka ``data.timestamp`` is an int of milliseconds
(table: String). ``UNIQ_KEY`` is in the RocketMQ table but not in its sample; we send
it (32 upper-case hex digits, like the table's example).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    alnum,
    apply_overrides,
    as_int,
    as_mapping,
    as_text,
    coerce_rng,
    epoch_ms,
    iso_local,
    iso_ms,
    message_text,
    mixed_letters,
    one_of,
    reject_unknown,
    resolve_time,
    resource_name,
    seq_or_count,
    to_payload,
)
from ._random import FCRandom

__all__ = ["rocketmq_event", "rabbitmq_event", "kafka_event", "eventbridge_event", "cloud_event_batch"]

JSON_UTF8 = "application/json; charset=utf-8"

#: an EventBridge trigger's push format (``eventSinkConfig.deliveryOption.eventSchema``): the
#: whole CloudEvent, or only its ``data`` (FC docs, "RocketMQ trigger" / "RabbitMQ trigger" /
#: "MNS queue trigger" pages: "RawData: only the data field of the CloudEvent is delivered")
PUSH_FORMATS = ("CloudEvents", "RawData")
#: the function-name part of ``<Type>-<function name>-<trigger name>`` in the doc samples
SAMPLE_FUNCTION_NAME = "Function"


def source_name(source_type: str, function_name: Any, trigger_name: Any, builder_name: str) -> str:
    """The event source and bus name FC creates for an MQ trigger: ``<Type>-<function>-<trigger>``
    (FC docs, "RocketMQ trigger": "event bus / event source: RocketMQ-<function name>-<trigger name>")."""
    function_name = as_text(function_name, f"{builder_name}(function_name=)")
    trigger_name = as_text(trigger_name, f"{builder_name}(trigger_name=)")
    if not function_name or not trigger_name:
        raise ConfigError(f"{builder_name}(): function_name and trigger_name must be non-empty")
    return f"{source_type}-{function_name}-{trigger_name}"


def cloud_event(
    rng: FCRandom,
    *,
    source: str,
    type: str,
    subject: str,
    data: Any,
    region: str,
    account_id: str,
    event_time: Union[_dt.datetime, str, None] = None,
    datacontenttype: str = JSON_UTF8,
    event_bus: Optional[str] = None,
    event_id: Optional[str] = None,
) -> Dict[str, Any]:
    """One EventBridge CloudEvent in the key order of the FC trigger samples."""
    when, text = resolve_time(event_time, rng, "event_time")
    published = rng.time()
    if published <= when:
        published = when + _dt.timedelta(milliseconds=rng.randint(1, 900))
    return {
        "id": event_id or rng.uuid(),
        "source": source,
        "specversion": "1.0",
        "type": type,
        "datacontenttype": datacontenttype,
        "subject": subject,
        "time": text if text is not None else iso_ms(when),
        "aliyunaccountid": account_id,
        "aliyunpublishtime": iso_ms(published),
        "aliyunoriginalaccountid": account_id,
        "aliyuneventbusname": event_bus or source,
        "aliyunregionid": region,
        "aliyunpublishaddr": rng.public_ipv4(),
        "data": data,
    }


def cloud_event_batch(
    builder_name: str,
    trigger_type: str,
    rng: FCRandom,
    batch: Optional[int],
    bodies: Sequence[Any],
    make: Callable[[int, Any], Dict[str, Any]],
    overrides: Optional[Mapping[str, Any]],
    push_format: str = "CloudEvents",
) -> FCEvent:
    """Assemble the event model (one object) or the stream model (a JSON array).

    ``bodies`` holds one message body per event; ``make(i, body)`` returns event ``i``.
    With ``push_format="RawData"`` each event is replaced by its ``data``, which is all
    FC delivers in that format; ``overrides`` then address the delivered data.
    """
    one_of(f"{builder_name}(push_format=)", push_format, PUSH_FORMATS)
    raw = push_format == "RawData"

    def made(i: int, body: Any) -> Any:
        event = make(i, body)
        return event["data"] if raw else event

    if batch is None:
        data: Any = made(0, bodies[0])
        variant = "event"
    else:
        data = [made(i, body) for i, body in enumerate(bodies)]
        variant = "stream"
    if raw:
        variant += "+RawData"
    apply_overrides(data, overrides, f"{builder_name}()")
    return FCEvent(to_payload(data), data, trigger_type, variant)


def message_bodies(
    builder_name: str, body: Any, batch: Optional[int], rng: FCRandom, default: Callable[[FCRandom], Any]
) -> tuple:
    """(batch, one body per message). A list ``body`` gives one message per item and
    implies the stream model; a single body is repeated ``batch`` times."""
    batch = seq_or_count(batch, f"{builder_name}(batch=)")
    if isinstance(body, list):
        if not body:
            raise ConfigError(f"{builder_name}(body=): an empty list has no messages")
        if batch is not None and batch != len(body):
            raise ConfigError(f"{builder_name}(): batch={batch} but {len(body)} bodies were given")
        return len(body), list(body)
    count = 1 if batch is None else batch
    if body is None:
        return batch, [default(rng) for _ in range(count)]
    return batch, [body] * count


def single_only(builder_name: str, batch: Optional[int], **ids: Any) -> None:
    """Per-message ids can only be fixed for a single message (ids are unique per message)."""
    given = [k for k, v in ids.items() if v is not None]
    if given and batch not in (None, 1):
        raise ConfigError(
            f"{builder_name}(): {', '.join(given)} can only be set for one message; "
            f"with batch={batch} use overrides={{'0.data....': ...}} per message"
        )


# --------------------------------------------------------------------------- RocketMQ
def rocketmq_event(
    *,
    body: Union[str, bytes, List[Any], None] = None,
    batch: Optional[int] = None,
    topic: Optional[str] = None,
    instance_id: Optional[str] = None,
    tags: Optional[str] = None,
    keys: Optional[str] = None,
    user_properties: Optional[Mapping[str, str]] = None,
    trigger_name: str = "rocketmq-trigger",
    function_name: str = SAMPLE_FUNCTION_NAME,
    push_format: str = "CloudEvents",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A RocketMQ trigger event (``type`` ``mq:Topic:SendMessage``).

    ``source`` and ``aliyuneventbusname`` are ``RocketMQ-<function_name>-<trigger_name>``
    (default function name ``Function``, as in the doc sample); ``push_format="RawData"``
    delivers each message's ``data`` only.

    ``subject`` is ``acs:mq:<region>:<account>:<instance_id>%<topic>``; ``instance_id``
    defaults to ``MQ_INST_<account>_<8 letters>``. Offsets grow along a batch.
    """
    if unknown:
        reject_unknown(rocketmq_event, unknown)
    rng = coerce_rng(rng)
    batch, bodies = message_bodies("rocketmq_event", body, batch, rng, message_text)
    region = region or rng.region
    account_id = account_id or rng.account_id
    topic = topic or resource_name(rng, "topic")
    instance_id = instance_id or f"MQ_INST_{account_id}_{mixed_letters(rng, 8)}"
    source = source_name("RocketMQ", function_name, trigger_name, "rocketmq_event")
    user_props = dict(as_mapping(user_properties, "rocketmq_event(user_properties=)")) if user_properties else {}
    first_offset = rng.randint(0, 10_000)
    max_offset = first_offset + len(bodies)

    def make(i: int, text: Any) -> Dict[str, Any]:
        when, when_text = resolve_time(event_time, rng, "rocketmq_event(event_time=)")
        data = {
            "topic": topic,
            "systemProperties": {
                "MIN_OFFSET": str(first_offset),
                "TRACE_ON": "true",
                "MAX_OFFSET": str(max_offset),
                "MSG_REGION": region,
                "KEYS": keys if keys is not None else f"{topic}-{rng.hex(6)}",
                "CONSUME_START_TIME": epoch_ms(when) + rng.randint(1, 500),
                "UNIQ_KEY": rng.hex(32, upper=True),
                "TAGS": tags if tags is not None else rng.choice(("TagA", "TagB", "order", "audit")),
                "INSTANCE_ID": instance_id,
            },
            "userProperties": user_props,
            "body": as_text(text, "rocketmq_event(body=)"),
        }
        return cloud_event(
            rng,
            source=source,
            type="mq:Topic:SendMessage",
            subject=f"acs:mq:{region}:{account_id}:{instance_id}%{topic}",
            data=data,
            region=region,
            account_id=account_id,
            event_time=when_text or when,
        )

    return cloud_event_batch("rocketmq_event", "rocketmq", rng, batch, bodies, make, overrides, push_format)


# --------------------------------------------------------------------------- RabbitMQ
def _rabbit_body(rng: FCRandom) -> Dict[str, Any]:
    return {"event": rng.choice(("order.created", "user.updated", "job.finished")), "id": rng.randint(1, 10**6)}


def rabbitmq_event(
    *,
    body: Union[Mapping[str, Any], str, List[Any], None] = None,
    batch: Optional[int] = None,
    queue: Optional[str] = None,
    vhost: str = "eb-connect",
    exchange: str = "",
    routing_key: Optional[str] = None,
    instance_id: Optional[str] = None,
    redeliver: bool = False,
    content_encoding: str = "UTF-8",
    trigger_name: str = "rabbitmq-trigger",
    function_name: str = SAMPLE_FUNCTION_NAME,
    push_format: str = "CloudEvents",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A RabbitMQ trigger event (``type`` ``amqp:Queue:SendMessage``).

    ``source`` and ``aliyuneventbusname`` are ``RabbitMQ-<function_name>-<trigger_name>``;
    ``push_format="RawData"`` delivers each message's ``data`` only.

    ``data.body`` is the message as a JSON value: a dict (the sample's
    ``{"Hello": "RabbitMQ"}``) or a string. ``subject`` is
    ``acs:amqp:<region>:<account>:/instances/<instance>/vhosts/<vhost>/queues/<queue>``;
    ``routingKey`` defaults to the queue name (the default exchange routes by queue name).
    """
    if unknown:
        reject_unknown(rabbitmq_event, unknown)
    rng = coerce_rng(rng)
    if isinstance(body, (bytes, bytearray)):
        body = as_text(body, "rabbitmq_event(body=)")
    batch, bodies = message_bodies("rabbitmq_event", body, batch, rng, _rabbit_body)
    region = region or rng.region
    account_id = account_id or rng.account_id
    queue = queue or resource_name(rng, "queue")
    instance_id = instance_id or f"amqp-cn-{alnum(rng, 12)}"
    source = source_name("RabbitMQ", function_name, trigger_name, "rabbitmq_event")
    first_tag = rng.randint(1, 500)

    def make(i: int, payload: Any) -> Dict[str, Any]:
        data = {
            "envelope": {
                "deliveryTag": first_tag + i,
                "exchange": exchange,
                "redeliver": bool(redeliver),
                "routingKey": routing_key if routing_key is not None else queue,
            },
            "body": dict(payload) if isinstance(payload, Mapping) else payload,
            "props": {"contentEncoding": content_encoding, "messageId": rng.uuid()},
        }
        return cloud_event(
            rng,
            source=source,
            type="amqp:Queue:SendMessage",
            subject=f"acs:amqp:{region}:{account_id}:/instances/{instance_id}/vhosts/{vhost}/queues/{queue}",
            data=data,
            region=region,
            account_id=account_id,
            event_time=event_time,
            datacontenttype="application/json;charset=utf-8",
        )

    return cloud_event_batch("rabbitmq_event", "rabbitmq", rng, batch, bodies, make, overrides, push_format)


# --------------------------------------------------------------------------- Kafka
def _kafka_records(records: Any, rng: FCRandom) -> List[Dict[str, Any]]:
    if records is None:
        return [{"key": f"key-{rng.hex(6)}", "value": message_text(rng)} for _ in range(2)]
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, (list, tuple)):
        raise ConfigError(
            "kafka_event(records=): expected a list of records: values, (key, value) "
            "pairs or dicts with key/value/headers"
        )
    out = []
    for i, rec in enumerate(records):
        where = f"kafka_event(records[{i}])"
        if isinstance(rec, Mapping):
            extra = set(rec) - {"key", "value", "headers", "partition", "offset", "timestamp", "topic"}
            if extra:
                raise ConfigError(
                    f"{where}: unknown key(s) {sorted(extra)}; valid: key, value, "
                    "headers, partition, offset, timestamp, topic"
                )
            item = dict(rec)
        elif isinstance(rec, (tuple, list)) and len(rec) == 2:
            item = {"key": rec[0], "value": rec[1]}
        else:
            item = {"key": None, "value": rec}
        for field in ("key", "value"):
            if isinstance(item.get(field), (bytes, bytearray)):
                item[field] = as_text(item[field], f"{where}.{field}")
        out.append(item)
    if not out:
        raise ConfigError("kafka_event(records=): at least one record")
    return out


def kafka_event(
    *,
    records: Optional[Sequence[Any]] = None,
    form: str = "eventbridge",
    topic: Optional[str] = None,
    instance_id: Optional[str] = None,
    partition: Optional[int] = None,
    offset: Optional[int] = None,
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A Kafka event: always a JSON array, one element per record.

    ``form="eventbridge"`` (the Kafka trigger): CloudEvents with ``source``
    ``acs:alikafka``, ``type`` ``alikafka:Topic:Message``, ``subject``
    ``acs:alikafka_<instance>:topic:<topic>`` and ``data`` ``{topic, partition, offset,
    timestamp, headers: {headers: [...], isReadOnly: false}, key, value}``.

    ``form="connector"`` (FC Sink Connector, "创建FC Sink Connector"): ``[{key, offset, overflowFlag,
    partition, timestamp, topic, value, valueSize}]``. A record larger than the
    connector's request limit (128 KB, asynchronous mode) is sent with
    ``overflowFlag: true`` and without its content; the doc's sample still carries a
    ``value`` key, so we keep the key with an empty string and the real ``valueSize``.

    ``records``: values, ``(key, value)`` pairs or dicts (``key``, ``value``,
    ``headers`` list, ``partition``, ``offset``, ``timestamp``); a ``None`` key or value is
    left out, as the connector doc says.
    """
    if unknown:
        reject_unknown(kafka_event, unknown)
    one_of("kafka_event(form=)", form, ("eventbridge", "connector"))
    rng = coerce_rng(rng)
    recs = _kafka_records(records, rng)
    region = region or rng.region
    account_id = account_id or rng.account_id
    topic = topic or resource_name(rng, "topic")
    part = as_int(partition, "kafka_event(partition=)") if partition is not None else rng.randint(0, 11)
    next_offset = as_int(offset, "kafka_event(offset=)") if offset is not None else rng.randint(0, 100_000)
    out: List[Dict[str, Any]] = []
    if form == "eventbridge":
        instance_id = instance_id or f"alikafka_pre-cn-{alnum(rng, 12)}"
        for rec in recs:
            when, _ = resolve_time(event_time, rng, "kafka_event(event_time=)")
            stamp = rec.get("timestamp", epoch_ms(when))
            data: Dict[str, Any] = {
                "topic": rec.get("topic", topic),
                "partition": rec.get("partition", part),
                "offset": rec.get("offset", next_offset),
                "timestamp": stamp,
                "headers": {"headers": list(rec.get("headers") or []), "isReadOnly": False},
            }
            if rec.get("key") is not None:
                data["key"] = rec["key"]
            if rec.get("value") is not None:
                data["value"] = rec["value"]
            next_offset = data["offset"] + 1
            out.append(
                {
                    "specversion": "1.0",
                    "id": rng.uuid(),
                    "source": "acs:alikafka",
                    "type": "alikafka:Topic:Message",
                    "subject": f"acs:{instance_id}:topic:{topic}",
                    "datacontenttype": JSON_UTF8,
                    "time": iso_ms(when),
                    "aliyunaccountid": account_id,
                    "data": data,
                }
            )
    else:
        limit = 128 * 1024
        for rec in recs:
            when, _ = resolve_time(event_time, rng, "kafka_event(event_time=)")
            value = rec.get("value")
            size = len(value.encode("utf-8")) if isinstance(value, str) else 0
            overflow = size > limit
            item: Dict[str, Any] = {}
            if rec.get("key") is not None:
                item["key"] = rec["key"]
            item["offset"] = rec.get("offset", next_offset)
            item["overflowFlag"] = overflow
            item["partition"] = rec.get("partition", part)
            item["timestamp"] = rec.get("timestamp", epoch_ms(when))
            item["topic"] = rec.get("topic", topic)
            if value is not None:
                item["value"] = "" if overflow else value
            item["valueSize"] = size
            next_offset = item["offset"] + 1
            out.append(item)
    apply_overrides(out, overrides, "kafka_event()")
    return FCEvent(to_payload(out), out, "kafka", form)


# --------------------------------------------------------------------------- generic
_ECS_DEFAULT_TYPE = "ecs:Disk:ConvertToPostpaidCompleted"


def eventbridge_event(
    *,
    source: str = "acs.ecs",
    type: str = _ECS_DEFAULT_TYPE,
    data: Any = None,
    subject: Optional[str] = None,
    event_bus: str = "default",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    event_id: Optional[str] = None,
    push_format: str = "CloudEvents",
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """An Alibaba Cloud service event delivered through EventBridge (one CloudEvent, or
    with ``push_format="RawData"`` its ``data`` alone, as FC delivers in that format).

    The default is the ECS sample of the docs ("Configure event triggers for Alibaba
    Cloud services"): ``source`` ``acs.ecs``, ``type``
    ``ecs:Disk:ConvertToPostpaidCompleted``, ``data`` ``{"result": "accomplished",
    "diskId": "d-..."}`` and ``subject`` ``acs:ecs:<region>:<account>:disk/<diskId>``, on
    the ``default`` bus. For any other ``source``/``type`` pass ``data`` (any JSON value)
    and ``subject``. As in the sample, ``time`` is the producer's local time with
    milliseconds and offset (``2021-01-18T11:58:31.125+08:00``) and
    ``aliyunpublishaddr`` a VPC address.
    """
    if unknown:
        reject_unknown(eventbridge_event, unknown)
    one_of("eventbridge_event(push_format=)", push_format, PUSH_FORMATS)
    rng = coerce_rng(rng)
    region = region or rng.region
    account_id = account_id or rng.account_id
    if data is None:
        if (source, type) != ("acs.ecs", _ECS_DEFAULT_TYPE):
            raise ConfigError(
                f"eventbridge_event(): pass data= for {source} {type} (only the ECS "
                f"sample {_ECS_DEFAULT_TYPE} has a built-in default)"
            )
        disk = f"d-{alnum(rng, 20)}"
        data = {"result": "accomplished", "diskId": disk}
        subject = subject or f"acs:ecs:{region}:{account_id}:disk/{disk}"
    if subject is None:
        service = source.split(".", 1)[-1]
        subject = f"acs:{service}:{region}:{account_id}:{rng.hex(12)}"
    when, text = resolve_time(event_time, rng, "eventbridge_event(event_time=)")
    published = rng.time()
    if published <= when:
        published = when + _dt.timedelta(milliseconds=rng.randint(1, 900))
    # Key order of the doc sample ("Configure event triggers for Alibaba Cloud services", "云服务器ECS").
    event = {
        "datacontenttype": "application/json;charset=utf-8",
        "aliyunaccountid": account_id,
        "data": data,
        "subject": subject,
        "source": source,
        "type": type,
        "aliyunpublishtime": iso_ms(published),
        "specversion": "1.0",
        "aliyuneventbusname": event_bus,
        "id": event_id or rng.uuid(),
        "time": text if text is not None else iso_local(when, ms=True),
        "aliyunregionid": region,
        "aliyunpublishaddr": f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    }
    if push_format == "RawData":
        apply_overrides(data, overrides, "eventbridge_event()")
        return FCEvent(to_payload(data), data, "eventbridge", type + "+RawData")
    apply_overrides(event, overrides, "eventbridge_event()")
    return FCEvent(to_payload(event), event, "eventbridge", type)
