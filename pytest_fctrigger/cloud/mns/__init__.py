"""Simulated MNS (Message Service) topics and queues behind ``aliyun-mns-sdk``.

Interception point: ``mns.mns_http.MNSHttp.send_request`` (the SDK's single I/O
method, same signature in ``aliyun-mns-sdk`` 1.3.0 and the older ``aliyun-mns``
1.1.5). The SDK's own encoders, validators and decoders run unchanged; the fake
answers with the XML, status codes and ``x-mns-request-id`` the service sends.

Like the real service, topics and queues must exist before use (``TopicNotExist`` /
``QueueNotExist``); ``fc_cloud.mns.topic(name)`` / ``.queue(name)`` create them in one
line, as does the SDK's ``create()``.

Every publish is journaled as a ``Write`` whose ``event`` is the STREAM-format event
FC delivers to a topic trigger; every queue send is journaled too (resource
``queue``). See ``docs/cloud/mns.md`` for the served operations and known gaps.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

# the endpoint check runs at the SDK's seam (``_mns_seam``, imported with the SDK):
# ENDPOINT_FORMS and endpoint_problem were defined here and are still importable from here
from .._mns_seam import ENDPOINT_FORMS, SDK_NEW, endpoint_problem, match_host
from ..journal import Write
from .store import (
    SUBSCRIPTION_FORMATS,
    MnsError,
    MnsStore,
    Property,
    PublishedMessage,
    Queue,
    QueueMessage,
    Subscription,
    Topic,
    VirtualClock,
)

__all__ = ["MnsService", "TopicHandle", "QueueHandle", "PublishedMessage", "QueueMessage", "Subscription"]


class MnsService:
    """``fc_cloud.mns``: the simulated MNS account of one test."""

    def __init__(self, cloud: Any) -> None:
        from ...core._random import epoch_ms

        self.cloud = cloud
        self._rng = cloud.rng.child("mns")
        self.clock = VirtualClock(epoch_ms(cloud.rng.base_time))
        # MessageId: 32 upper-case hex digits, as in the service's replies and FC events
        self.store = MnsStore(self.clock, lambda: self._rng.hex(32, upper=True))

    # --- public API ----------------------------------------------------------------------
    def topic(self, name: str, *, maximum_message_size: Optional[int] = None) -> TopicHandle:
        """The topic ``name``, created if it does not exist yet."""
        _check_name("topic", name)
        attrs = {} if maximum_message_size is None else {"MaximumMessageSize": maximum_message_size}
        with self.store.lock:
            if name not in self.store.topics:
                _checked(lambda: self.store.create_topic(name, attrs))
            elif attrs:
                _checked(lambda: self.store.set_topic_attributes(name, attrs))
        return TopicHandle(self, name)

    def queue(self, name: str, **attributes: Any) -> QueueHandle:
        """The queue ``name``, created if needed. ``attributes``: ``visibility_timeout``,
        ``delay_seconds``, ``maximum_message_size``, ``message_retention_period``,
        ``polling_wait_seconds`` (seconds/bytes, as in CreateQueue)."""
        _check_name("queue", name)
        attrs = {_QUEUE_KW[k]: v for k, v in attributes.items() if k in _QUEUE_KW}
        unknown = set(attributes) - set(_QUEUE_KW)
        if unknown:
            from ...errors import UnknownFieldError

            raise UnknownFieldError("fc_cloud.mns.queue()", unknown, _QUEUE_KW)
        with self.store.lock:
            if name not in self.store.queues:
                _checked(lambda: self.store.create_queue(name, attrs))
            elif attrs:
                _checked(lambda: self.store.set_queue_attributes(name, attrs))
        return QueueHandle(self, name)

    @property
    def topics(self) -> Dict[str, TopicHandle]:
        return {name: TopicHandle(self, name) for name in sorted(self.store.topics)}

    @property
    def queues(self) -> Dict[str, QueueHandle]:
        return {name: QueueHandle(self, name) for name in sorted(self.store.queues)}

    def advance(self, seconds: float) -> int:
        """Move the MNS clock forward (visibility timeouts, delays); returns now in ms."""
        with self.store.lock:
            return self.clock.advance(seconds)

    @property
    def now_ms(self) -> int:
        return self.clock.now_ms()

    # --- SDK interception ---------------------------------------------------------------
    def install(self, router: Any, stack: Any) -> None:
        """Patch ``MNSHttp.send_request`` of every copy of the SDK while the cloud is active."""
        self.cloud._seams.add("mns.mns_http", self._patch_copy)

    def _patch_copy(self, mns_http: Any) -> Any:
        """Patch one copy of ``mns.mns_http`` (installed or vendored) to serve it; returns the undo."""
        from .._mns_seam import patch_copy

        return patch_copy(mns_http, lambda: self)

    def handle(
        self, host: str, method: str, uri: str, headers: Dict[str, str], body: Any, *, sdk: str = SDK_NEW
    ) -> Tuple[int, Dict[str, str], str]:
        """Serve one MNS HTTP request; returns ``(status, headers, body)``."""
        from .handlers import MnsApi, Request, error_document, expected_signature

        account_id, region = self._account_region(host)
        request_id = self._rng.request_id()
        req = Request(method, uri, headers, body)
        api = MnsApi(
            self.store,
            host=host,
            account_id=account_id,
            region=region,
            on_publish=lambda topic, message: self._published(topic, message, region, account_id, sdk),
            on_send=lambda queue, api_name, messages: self._sent(queue, api_name, messages, region, account_id, sdk),
        )
        try:
            self._authenticate(req, expected_signature)
            status, extra, text = api.dispatch(req)
        except MnsError as exc:
            status, extra, text = exc.status, {}, error_document(exc, request_id, host)
        reply = {
            "x-mns-request-id": request_id,
            "x-mns-version": "2015-06-06",
            "content-length": str(len(text.encode("utf-8"))),
        }
        if text:
            reply["content-type"] = "text/xml;charset=utf-8"
        reply.update(extra)
        return status, reply, text

    def _account_region(self, host: str) -> Tuple[str, str]:
        match = match_host(host)
        if match:
            return match.group("uid"), match.group("region")
        return self.cloud.rng.account_id, self.cloud.rng.region

    @staticmethod
    def _authenticate(req: Any, expected_signature: Any) -> None:
        """Check the signature of requests made with the plugin's fake credentials.

        A fake key's secret is derivable (``_credentials.secret_for``), so a handler that
        signs with the wrong secret fails as in production. Other key ids (e.g. a test's
        ``Account(host, "ak", "sk")``) are served unchecked: nothing real is reachable.
        """
        from ..._credentials import secret_for

        auth = req.headers.get("authorization", "")
        if not auth.startswith("MNS ") or ":" not in auth:
            raise MnsError(403, "AccessDenied", "The request is missing the MNS Authorization header.")
        access_key_id, _, signature = auth[4:].partition(":")
        secret = secret_for(access_key_id)
        if secret is not None and signature != expected_signature(req, secret):
            raise MnsError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )

    # --- writes and deliveries ----------------------------------------------------------
    def _stream_event(
        self,
        topic: str,
        message: PublishedMessage,
        region: str,
        account_id: str,
        fmt: str = "STREAM",
        subscription: Optional[str] = None,
    ) -> Any:
        from ...events import mns_topic_event

        fields: Dict[str, Any] = dict(
            message=message.body,
            format=fmt,
            attributes=message.attrs or None,
            topic=topic,
            region=region,
            account_id=account_id,
            message_id=message.message_id,
            publish_time=message.publish_time,
            tag=message.tag or None,
            rng=self._rng,
        )
        if subscription is not None:
            fields["subscription"] = subscription
        return mns_topic_event(**fields)

    def _published(
        self, topic: str, message: PublishedMessage, region: str, account_id: str, sdk: Optional[str]
    ) -> None:
        message.event = self._stream_event(topic, message, region, account_id)
        self._deliver(topic, message, region, account_id)
        self.cloud.journal.record(
            Write(
                service="mns",
                api="PublishMessage",
                resource={"topic": topic},
                region=region,
                event=message.event,
                attributes={
                    "message": message.body,
                    "tag": message.tag,
                    "attrs": dict(message.attrs),
                    "message_id": message.message_id,
                },
                sdk=sdk,
            )
        )

    def _deliver(self, topic_name: str, message: PublishedMessage, region: str, account_id: str) -> None:
        """Push to each subscription whose filter tag matches, in its content format."""
        from .handlers import QUEUE_ENDPOINT_RE, notification_xml

        topic = self.store.topics.get(topic_name)
        if topic is None:
            return
        for sub in topic.subscriptions.values():
            if not sub.accepts(message.tag):
                continue
            fmt = sub.notify_content_format
            queue_match = QUEUE_ENDPOINT_RE.match(sub.endpoint)
            if fmt in ("STREAM", "JSON"):
                delivered: Any = self._stream_event(topic_name, message, region, account_id, fmt, sub.name)
            elif fmt == "XML":
                delivered = notification_xml(message, topic_name, sub, account_id)
            else:  # SIMPLIFIED: the body alone
                delivered = message.body
            if queue_match:
                # a queue endpoint receives text; an undeliverable push (no such queue)
                # is retried and dropped by MNS, never reported to the publisher
                queue_name = queue_match.group(1)
                if queue_name not in self.store.queues:
                    continue
                text = bytes(delivered).decode("utf-8") if isinstance(delivered, bytes) else delivered
                self.store.send(queue_name, text)
                delivered = text
            sub.deliveries.append(delivered)

    def _sent(
        self, queue: str, api: str, messages: List[QueueMessage], region: str, account_id: str, sdk: Optional[str]
    ) -> None:
        """Journal queue sends; ``event`` is the MNS-queue-trigger CloudEvent (EventBridge)
        carrying the body as stored (base64 text when the SDK encoded it)."""
        import datetime as _dt

        from ...events import mns_queue_event

        for message in messages:
            event = mns_queue_event(
                body=message.body,
                queue=queue,
                message_id=message.message_id,
                region=region,
                account_id=account_id,
                rng=self._rng,
                event_time=_dt.datetime.fromtimestamp(message.enqueue_time / 1000, _dt.timezone.utc),
            )
            self.cloud.journal.record(
                Write(
                    service="mns",
                    api=api,
                    resource={"queue": queue},
                    region=region,
                    event_name="mns:Queue:SendMessage",
                    event=event,
                    attributes={
                        "message": message.body,
                        "message_id": message.message_id,
                        "priority": message.priority,
                        "attrs": {p.name: p.value for p in message.user_properties},
                    },
                    sdk=sdk,
                )
            )


_QUEUE_KW = {
    "visibility_timeout": "VisibilityTimeout",
    "delay_seconds": "DelaySeconds",
    "maximum_message_size": "MaximumMessageSize",
    "message_retention_period": "MessageRetentionPeriod",
    "polling_wait_seconds": "PollingWaitSeconds",
}


def _check_name(kind: str, name: str) -> None:
    from ...errors import ConfigError
    from .store import NAME_RE

    if not isinstance(name, str) or not re.match(NAME_RE, name):
        raise ConfigError(
            f"invalid MNS {kind} name {name!r}: start with a letter, then letters, "
            "digits or '-', at most 256 characters"
        )


def _check_text(where: str, **values: Any) -> None:
    from ...errors import ConfigError

    for name, value in values.items():
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {name} must be a str, got {type(value).__name__}")


def _checked(call: Any) -> Any:
    """Run a store call for a test helper; service errors become ``ConfigError``."""
    from ...errors import ConfigError

    try:
        return call()
    except MnsError as exc:
        raise ConfigError(f"MNS {exc.code}: {exc.message}") from None


class _Handle:
    """A test's view of one named MNS resource; the state lives in the service's store."""

    kind = ""

    def __init__(self, service: MnsService, name: str):
        self._service = service
        self.name = name

    def _get(self) -> Any:
        store = self._service.store
        return _checked(lambda: getattr(store, f"get_{self.kind}")(self.name))

    def __repr__(self) -> str:
        return f"<MNS {self.kind} {self.name!r}>"


class TopicHandle(_Handle):
    """``fc_cloud.mns.topic(name)``: inspect and drive one topic."""

    kind = "topic"

    @property
    def _topic(self) -> Topic:
        return self._get()

    @property
    def published(self) -> List[PublishedMessage]:
        """Every message published to the topic, oldest first (``.body``, ``.tag``,
        ``.attrs``, ``.message_id``, ``.publish_time``, ``.event``)."""
        return list(self._topic.published)

    @property
    def subscriptions(self) -> Dict[str, Subscription]:
        return dict(self._topic.subscriptions)

    def subscribe(
        self,
        name: Optional[str] = None,
        *,
        format: str = "STREAM",
        filter_tag: str = "",
        endpoint: Optional[str] = None,
    ) -> Subscription:
        """Subscribe like an FC trigger does; ``.deliveries`` then collects what the
        endpoint receives for each matching publish (``FCEvent`` for STREAM/JSON, the
        XML notification or raw body for XML/SIMPLIFIED). A queue ``endpoint``
        (``acs:mns:<region>:<uid>:queues/<name>``) also gets the message in that queue."""
        fmt = str(format).upper()
        if fmt not in SUBSCRIPTION_FORMATS:
            from ...errors import ConfigError

            raise ConfigError(f"unknown subscription format {format!r}; use one of {', '.join(SUBSCRIPTION_FORMATS)}")
        svc = self._service
        rng = svc.cloud.rng
        name = name or f"fc-test-subscription-{len(self.subscriptions) + 1}"
        endpoint = endpoint or f"acs:fc:{rng.region}:{rng.account_id}:functions/fc-test-function"
        sub = Subscription(self.name, name, endpoint, notify_content_format=fmt, filter_tag=filter_tag or "")
        with svc.store.lock:
            return _checked(lambda: svc.store.subscribe(self.name, sub))[0]

    def publish(self, body: str, *, tag: str = "", attributes: Optional[Dict[str, str]] = None) -> PublishedMessage:
        """Publish as an outside producer would (journaled with ``sdk="fc_cloud"``);
        ``.event`` of the result is the STREAM event to hand to a topic-triggered handler."""
        tag = "" if tag is None else tag
        _check_text(f"fc_cloud.mns.topic({self.name!r}).publish()", body=body, tag=tag)
        if attributes is not None and not isinstance(attributes, dict):
            from ...errors import ConfigError

            raise ConfigError(
                f"fc_cloud.mns.topic({self.name!r}).publish(): attributes must be a dict of "
                f"user properties, got {type(attributes).__name__}"
            )
        svc = self._service
        props = [Property(k, str(v)) for k, v in (attributes or {}).items()]
        rng = svc.cloud.rng
        with svc.store.lock:
            message = _checked(lambda: svc.store.publish(self.name, body, tag=tag, user_properties=props))
            svc._published(self.name, message, rng.region, rng.account_id, "fc_cloud")
        return message


class QueueHandle(_Handle):
    """``fc_cloud.mns.queue(name)``: inspect and seed one queue."""

    kind = "queue"

    @property
    def _queue(self) -> Queue:
        return self._get()

    @property
    def messages(self) -> List[QueueMessage]:
        """Messages still in the queue (not deleted), in receive order: ``.body`` as
        stored, ``.decode_base64()``, ``.priority``, ``.dequeue_count``, ``.state(now)``."""
        queue = self._queue
        return sorted(queue.messages, key=lambda m: (m.priority, m.seq))

    @property
    def attributes(self) -> Dict[str, Any]:
        return dict(self._queue.attributes)

    def send(
        self,
        body: str,
        *,
        encode_base64: bool = True,
        delay_seconds: Optional[int] = None,
        priority: Optional[int] = None,
    ) -> QueueMessage:
        """Seed a message as a producer would. ``encode_base64`` mirrors the SDK's default
        queue encoding, so ``queue.receive_message()`` in a handler gets ``body`` back."""
        import base64

        _check_text(f"fc_cloud.mns.queue({self.name!r}).send()", body=body)
        svc = self._service
        text = base64.b64encode(body.encode("utf-8")).decode("ascii") if encode_base64 else body
        with svc.store.lock:
            message = _checked(lambda: svc.store.send(self.name, text, delay_seconds=delay_seconds, priority=priority))
            svc._sent(self.name, "SendMessage", [message], svc.cloud.rng.region, svc.cloud.rng.account_id, "fc_cloud")
        return message
