"""In-memory MNS state: queues with visibility semantics, topics with subscriptions.

No HTTP here: ``handlers.py`` turns SDK requests into calls on these objects and
their ``MnsError``s into MNS ``<Error>`` replies.

Time is a virtual clock (milliseconds), starting at the test's seeded ``base_time``
and moving only when the test calls ``advance()`` or a long-polling receive
"waits": visibility timeouts and delays are exact and tests never sleep.

Facts and sources (aliyun MNS API reference, https://help.aliyun.com/en/mns/developer-reference/):
queue defaults VisibilityTimeout 30 s, MaximumMessageSize 65536, MessageRetentionPeriod
345600 s, DelaySeconds 0, PollingWaitSeconds 0, Priority 8 (1 highest .. 16);
topics: MaximumMessageSize 65536, MessageRetentionPeriod 86400 s; batch operations
take at most 16 messages; an expired or superseded receipt handle gives
``MessageNotExist`` ("message not exist appears when you delete a message in mns"),
a malformed one ``ReceiptHandleError``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

QUEUE_DEFAULTS = {
    "VisibilityTimeout": 30,
    "MaximumMessageSize": 65536,
    "MessageRetentionPeriod": 345600,
    "DelaySeconds": 0,
    "PollingWaitSeconds": 0,
    "LoggingEnabled": False,
}
# (low, high) of each settable queue attribute, as in CreateQueue's parameter table
QUEUE_LIMITS = {
    "VisibilityTimeout": (1, 43200),
    "MaximumMessageSize": (1024, 65536),
    "MessageRetentionPeriod": (60, 604800),
    "DelaySeconds": (0, 604800),
    "PollingWaitSeconds": (0, 30),
}
TOPIC_DEFAULTS = {"MaximumMessageSize": 65536, "MessageRetentionPeriod": 86400, "LoggingEnabled": False}
DEFAULT_PRIORITY = 8
MAX_BATCH = 16
# pattern text, compiled by ``re`` on first use (not at import: see _HOST_RE in __init__.py)
NAME_RE = r"^[A-Za-z][A-Za-z0-9-]{0,255}$"
SUBSCRIPTION_FORMATS = ("XML", "JSON", "SIMPLIFIED", "STREAM")


class MnsError(Exception):
    """An MNS service error: becomes an ``<Error>`` reply with ``status``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def queue_not_exist() -> MnsError:
    return MnsError(404, "QueueNotExist", "The queue name you provided is not exist.")


def topic_not_exist() -> MnsError:
    return MnsError(404, "TopicNotExist", "The topic name you provided is not exist.")


def subscription_not_exist() -> MnsError:
    return MnsError(404, "SubscriptionNotExist", "The subscription name you provided is not exist.")


def message_not_exist() -> MnsError:
    return MnsError(404, "MessageNotExist", "Message not exist.")


def invalid_argument(message: str) -> MnsError:
    return MnsError(400, "InvalidArgument", message)


def body_md5(body: str) -> str:
    """``MessageBodyMD5``: upper-case hex MD5 of the body exactly as sent (UTF-8)."""
    return hashlib.md5(body.encode("utf-8")).hexdigest().upper()


def check_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise invalid_argument(f"The value of {name} should between {low} and {high} seconds/bytes.")
    return value


class VirtualClock:
    """Milliseconds since the epoch; moves only when told to."""

    def __init__(self, start_ms: int):
        self._ms = int(start_ms)

    def now_ms(self) -> int:
        return self._ms

    def now_s(self) -> int:
        return self._ms // 1000

    def advance(self, seconds: float) -> int:
        if seconds < 0:
            raise ValueError("the MNS clock cannot go backwards")
        self._ms += int(round(seconds * 1000))
        return self._ms


class _Record:
    """Field-wise equality and repr for the store's records.

    Written out instead of ``@dataclasses.dataclass``: building the six record classes with
    dataclasses was most of what ``fc_cloud`` added to the first ``import mns.account`` of a
    session (benchmarks/bench_cloud_activation.py).
    """

    _fields: Tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable records, as dataclasses make them

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{self.__class__.__name__}({inner})"


class Property(_Record):
    """A message user property as on the wire (``Type``: STRING, NUMBER, BOOLEAN, BINARY)."""

    _fields = (
        "name",
        "value",
        "type",
    )

    def __init__(
        self,
        name: str,
        value: str,
        type: str = "STRING",
    ) -> None:
        self.name = name
        self.value = value
        self.type = type


class QueueMessage(_Record):
    """One message in a queue. ``body`` is stored exactly as sent (base64 text when the
    SDK's queue encoding is on, its default)."""

    _fields = (
        "message_id",
        "body",
        "priority",
        "enqueue_time",
        "visible_at",
        "seq",
        "user_properties",
        "system_properties",
        "message_group_id",
        "dequeue_count",
        "first_dequeue_time",
        "receipt_handle",
    )

    def __init__(
        self,
        message_id: str,
        body: str,
        priority: int,
        enqueue_time: int,
        visible_at: int,
        seq: int,
        user_properties: Optional[List[Property]] = None,
        system_properties: Optional[List[Property]] = None,
        message_group_id: str = "",
        dequeue_count: int = 0,
        first_dequeue_time: int = 0,
        receipt_handle: Optional[str] = None,  # the one valid handle while inactive
    ) -> None:
        self.message_id = message_id
        self.body = body
        self.priority = priority
        self.enqueue_time = enqueue_time
        self.visible_at = visible_at
        self.seq = seq
        self.user_properties: List[Property] = [] if user_properties is None else user_properties
        self.system_properties: List[Property] = [] if system_properties is None else system_properties
        self.message_group_id = message_group_id
        self.dequeue_count = dequeue_count
        self.first_dequeue_time = first_dequeue_time
        self.receipt_handle = receipt_handle

    @property
    def body_md5(self) -> str:
        return body_md5(self.body)

    def decode_base64(self) -> bytes:
        """The body decoded from base64 (what ``receive_message`` returns by default)."""
        try:
            return base64.b64decode(self.body.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError(f"message {self.message_id} body is not base64: {self.body[:40]!r}") from exc

    def state(self, now_ms: int) -> str:
        """``Active``, ``Inactive`` (received, invisible) or ``Delayed``."""
        if self.visible_at <= now_ms:
            return "Active"
        return "Inactive" if self.dequeue_count else "Delayed"


class Queue(_Record):
    _fields = (
        "name",
        "create_time",
        "attributes",
        "last_modify_time",
        "messages",
    )

    def __init__(
        self,
        name: str,
        create_time: int,
        attributes: Dict[str, Any],
        last_modify_time: int = 0,
        messages: Optional[List[QueueMessage]] = None,
    ) -> None:
        self.name = name
        self.create_time = create_time
        self.attributes = attributes
        self.last_modify_time = last_modify_time
        self.messages: List[QueueMessage] = [] if messages is None else messages

    def attr(self, key: str) -> Any:
        return self.attributes[key]


class PublishedMessage(_Record):
    """One message published to a topic, with the STREAM event FC delivers for it."""

    _fields = (
        "message_id",
        "body",
        "tag",
        "attrs",
        "publish_time",
        "user_properties",
        "message_attributes",
        "message_group_id",
        "event",
    )

    def __init__(
        self,
        message_id: str,
        body: str,
        tag: str,
        attrs: Dict[str, str],
        publish_time: int,
        user_properties: Optional[List[Property]] = None,
        message_attributes: Optional[Dict[str, str]] = None,  # DirectMail/DirectSMS
        message_group_id: str = "",
        event: Any = None,
    ) -> None:
        self.message_id = message_id
        self.body = body
        self.tag = tag
        self.attrs = attrs
        self.publish_time = publish_time
        self.user_properties: List[Property] = [] if user_properties is None else user_properties
        self.message_attributes: Dict[str, str] = {} if message_attributes is None else message_attributes
        self.message_group_id = message_group_id
        self.event = event

    @property
    def body_md5(self) -> str:
        return body_md5(self.body)


class Subscription(_Record):
    """A topic subscription. ``deliveries`` lists what it was pushed: FC-style events for
    FC endpoints and test subscriptions, queue message bodies for queue endpoints."""

    _fields = (
        "topic",
        "name",
        "endpoint",
        "notify_strategy",
        "notify_content_format",
        "filter_tag",
        "create_time",
        "last_modify_time",
        "callback",
        "deliveries",
    )

    def __init__(
        self,
        topic: str,
        name: str,
        endpoint: str,
        notify_strategy: str = "BACKOFF_RETRY",
        notify_content_format: str = "XML",
        filter_tag: str = "",
        create_time: int = 0,
        last_modify_time: int = 0,
        callback: Optional[Callable[[Any], Any]] = None,
        deliveries: Optional[List[Any]] = None,
    ) -> None:
        self.topic = topic
        self.name = name
        self.endpoint = endpoint
        self.notify_strategy = notify_strategy
        self.notify_content_format = notify_content_format
        self.filter_tag = filter_tag
        self.create_time = create_time
        self.last_modify_time = last_modify_time
        self.callback = callback
        self.deliveries: List[Any] = [] if deliveries is None else deliveries

    def accepts(self, tag: str) -> bool:
        # a subscription with a filter tag only gets messages carrying exactly that tag
        return not self.filter_tag or self.filter_tag == tag


class Topic(_Record):
    _fields = (
        "name",
        "create_time",
        "attributes",
        "last_modify_time",
        "published",
        "subscriptions",
    )

    def __init__(
        self,
        name: str,
        create_time: int,
        attributes: Dict[str, Any],
        last_modify_time: int = 0,
        published: Optional[List[PublishedMessage]] = None,
        subscriptions: Optional[Dict[str, Subscription]] = None,
    ) -> None:
        self.name = name
        self.create_time = create_time
        self.attributes = attributes
        self.last_modify_time = last_modify_time
        self.published: List[PublishedMessage] = [] if published is None else published
        self.subscriptions: Dict[str, Subscription] = {} if subscriptions is None else subscriptions


class MnsStore:
    """Queues and topics of one simulated account (names are unique per store)."""

    def __init__(self, clock: VirtualClock, new_id: Callable[[], str]):
        self.clock = clock
        self._new_id = new_id
        self.lock = threading.RLock()
        self.queues: Dict[str, Queue] = {}
        self.topics: Dict[str, Topic] = {}
        self._seq = 0
        self._handles = 0

    # --- queues -----------------------------------------------------------------------
    def _create(
        self,
        table: Dict[str, Any],
        name: str,
        given: Dict[str, Any],
        requested: Dict[str, Any],
        make: Callable[..., Any],
        conflict: MnsError,
    ) -> Tuple[Any, bool]:
        """Create, or accept a re-create that repeats the existing attributes (MNS answers
        204); different attributes are a 409 ``conflict``. Returns ``(object, created)``."""
        existing = table.get(name)
        if existing is not None:
            if any(existing.attributes[k] != requested[k] for k in given):
                raise conflict
            return existing, False
        now = self.clock.now_s()
        table[name] = made = make(name, now, requested, now)
        return made, True

    def create_queue(self, name: str, attributes: Dict[str, Any]) -> Tuple[Queue, bool]:
        return self._create(
            self.queues,
            name,
            attributes,
            self._queue_attributes(attributes),
            Queue,
            MnsError(409, "QueueAlreadyExist", "The queue you want to create is already exist."),
        )

    @staticmethod
    def _queue_attributes(given: Dict[str, Any], base: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        attrs = dict(QUEUE_DEFAULTS if base is None else base)
        for key, value in given.items():
            if key == "LoggingEnabled":
                attrs[key] = bool(value)
                continue
            low, high = QUEUE_LIMITS[key]
            attrs[key] = check_range(key, int(value), low, high)
        return attrs

    def set_queue_attributes(self, name: str, attributes: Dict[str, Any]) -> None:
        queue = self.get_queue(name)
        queue.attributes = self._queue_attributes(attributes, queue.attributes)
        queue.last_modify_time = self.clock.now_s()

    def get_queue(self, name: str) -> Queue:
        queue = self.queues.get(name)
        if queue is None:
            raise queue_not_exist()
        return queue

    def delete_queue(self, name: str) -> None:
        # deleting a queue that does not exist succeeds in MNS (idempotent)
        self.queues.pop(name, None)

    def send(
        self,
        name: str,
        body: str,
        *,
        delay_seconds: Optional[int] = None,
        priority: Optional[int] = None,
        user_properties: Optional[List[Property]] = None,
        system_properties: Optional[List[Property]] = None,
        message_group_id: str = "",
    ) -> QueueMessage:
        queue = self.get_queue(name)
        self._check_body(body, queue.attr("MaximumMessageSize"))
        delay = (
            queue.attr("DelaySeconds")
            if delay_seconds is None
            else check_range("DelaySeconds", int(delay_seconds), 0, 604800)
        )
        prio = DEFAULT_PRIORITY if priority is None else check_range("Priority", int(priority), 1, 16)
        now = self.clock.now_ms()
        self._seq += 1
        message = QueueMessage(
            message_id=self._new_id(),
            body=body,
            priority=prio,
            enqueue_time=now,
            visible_at=now + delay * 1000,
            seq=self._seq,
            user_properties=list(user_properties or ()),
            system_properties=list(system_properties or ()),
            message_group_id=message_group_id,
        )
        queue.messages.append(message)
        return message

    @staticmethod
    def _check_body(body: str, limit: int) -> None:
        size = len(body.encode("utf-8"))
        if size == 0 or size > limit:
            raise invalid_argument(f"The length of MessageBody should between 1 and {limit} bytes, got {size}.")

    def _expire(self, queue: Queue) -> None:
        cutoff = self.clock.now_ms() - queue.attr("MessageRetentionPeriod") * 1000
        queue.messages = [m for m in queue.messages if m.enqueue_time > cutoff]

    def _active(self, queue: Queue) -> List[QueueMessage]:
        self._expire(queue)
        now = self.clock.now_ms()
        active = [m for m in queue.messages if m.visible_at <= now]
        active.sort(key=lambda m: (m.priority, m.seq))
        return active

    def receive(self, name: str, count: int = 1, wait_seconds: Optional[int] = None) -> List[QueueMessage]:
        """Receive up to ``count`` messages; long polling advances the virtual clock
        to the moment a message becomes visible (or by the whole wait)."""
        queue = self.get_queue(name)
        count = check_range("numOfMessages", int(count), 1, MAX_BATCH)
        wait = (
            queue.attr("PollingWaitSeconds")
            if wait_seconds is None
            else check_range("waitseconds", int(wait_seconds), 0, 30)
        )
        active = self._active(queue)
        if not active and wait:
            deadline = self.clock.now_ms() + wait * 1000
            upcoming = [m.visible_at for m in queue.messages if m.visible_at <= deadline]
            self.clock.advance(((min(upcoming) if upcoming else deadline) - self.clock.now_ms()) / 1000)
            active = self._active(queue)
        if not active:
            raise message_not_exist()
        now = self.clock.now_ms()
        taken = active[:count]
        for message in taken:
            message.dequeue_count += 1
            if not message.first_dequeue_time:
                message.first_dequeue_time = now
            message.visible_at = now + queue.attr("VisibilityTimeout") * 1000
            message.receipt_handle = self._new_handle(message)
        return taken

    def peek(self, name: str, count: int = 1) -> List[QueueMessage]:
        queue = self.get_queue(name)
        count = check_range("numOfMessages", int(count), 1, MAX_BATCH)
        active = self._active(queue)
        if not active:
            raise message_not_exist()
        return active[:count]

    def _new_handle(self, message: QueueMessage) -> str:
        # Opaque to clients, like MNS's own; "1-" + base64 as in the service's handles.
        self._handles += 1
        raw = f"{message.seq}-{message.message_id}-{self._handles}-{message.visible_at}".encode()
        return "1-" + base64.b64encode(raw).decode("ascii")

    def _by_handle(self, queue: Queue, handle: str) -> QueueMessage:
        try:
            if not handle.startswith("1-"):
                raise ValueError(handle)
            seq = int(base64.b64decode(handle[2:], validate=True).decode().split("-", 1)[0])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise MnsError(400, "ReceiptHandleError", "The receipt handle you provide is not valid.")
        now = self.clock.now_ms()
        for message in queue.messages:
            if message.seq == seq:
                # a handle dies when the message turns active again or is received anew
                if message.receipt_handle != handle or message.visible_at <= now:
                    raise message_not_exist()
                return message
        raise message_not_exist()

    def delete_message(self, name: str, handle: str) -> QueueMessage:
        queue = self.get_queue(name)
        message = self._by_handle(queue, handle)
        queue.messages.remove(message)
        return message

    def change_visibility(self, name: str, handle: str, timeout: int) -> QueueMessage:
        queue = self.get_queue(name)
        timeout = check_range("VisibilityTimeout", int(timeout), 1, 43200)
        message = self._by_handle(queue, handle)
        message.visible_at = self.clock.now_ms() + timeout * 1000
        message.receipt_handle = self._new_handle(message)
        return message

    # --- topics -----------------------------------------------------------------------
    def create_topic(self, name: str, attributes: Dict[str, Any]) -> Tuple[Topic, bool]:
        return self._create(
            self.topics,
            name,
            attributes,
            self._topic_attributes(attributes),
            Topic,
            MnsError(409, "TopicAlreadyExist", "The topic you want to create is already exist."),
        )

    @staticmethod
    def _topic_attributes(given: Dict[str, Any], base: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        attrs = dict(TOPIC_DEFAULTS if base is None else base)
        for key, value in given.items():
            if key == "LoggingEnabled":
                attrs[key] = bool(value)
            elif key == "MaximumMessageSize":
                attrs[key] = check_range(key, int(value), 1024, 65536)
        return attrs

    def set_topic_attributes(self, name: str, attributes: Dict[str, Any]) -> None:
        topic = self.get_topic(name)
        topic.attributes = self._topic_attributes(attributes, topic.attributes)
        topic.last_modify_time = self.clock.now_s()

    def get_topic(self, name: str) -> Topic:
        topic = self.topics.get(name)
        if topic is None:
            raise topic_not_exist()
        return topic

    def delete_topic(self, name: str) -> None:
        self.topics.pop(name, None)

    def publish(
        self,
        name: str,
        body: str,
        *,
        tag: str = "",
        user_properties: Optional[List[Property]] = None,
        message_attributes: Optional[Dict[str, str]] = None,
        message_group_id: str = "",
    ) -> PublishedMessage:
        topic = self.get_topic(name)
        self._check_body(body, topic.attributes["MaximumMessageSize"])
        if len(tag) > 16:
            raise MnsError(400, "MessageTagInvalid", "The length of message tag should be between 1 and 16.")
        props = list(user_properties or ())
        message = PublishedMessage(
            message_id=self._new_id(),
            body=body,
            tag=tag,
            attrs={p.name: p.value for p in props},
            publish_time=self.clock.now_ms(),
            user_properties=props,
            message_attributes=dict(message_attributes or {}),
            message_group_id=message_group_id,
        )
        topic.published.append(message)
        return message

    def subscribe(self, topic_name: str, sub: Subscription) -> Tuple[Subscription, bool]:
        topic = self.get_topic(topic_name)
        existing = topic.subscriptions.get(sub.name)
        if existing is not None:
            same = (existing.endpoint, existing.filter_tag, existing.notify_content_format) == (
                sub.endpoint,
                sub.filter_tag,
                sub.notify_content_format,
            )
            if not same:
                raise MnsError(409, "SubscriptionAlreadyExist", "The subscription you want to create is already exist.")
            return existing, False
        sub.create_time = sub.last_modify_time = self.clock.now_s()
        topic.subscriptions[sub.name] = sub
        return sub, True

    def get_subscription(self, topic_name: str, name: str) -> Subscription:
        sub = self.get_topic(topic_name).subscriptions.get(name)
        if sub is None:
            raise subscription_not_exist()
        return sub

    def unsubscribe(self, topic_name: str, name: str) -> None:
        self.get_topic(topic_name).subscriptions.pop(name, None)


def page(names: List[str], prefix: str, marker: str, limit: int) -> Tuple[List[str], str]:
    """MNS list paging: names sorted, ``marker`` = first name of the page, ``NextMarker``
    = first name of the next page (empty when done)."""
    selected = sorted(n for n in names if n.startswith(prefix) and (not marker or n >= marker))
    return selected[:limit], (selected[limit] if len(selected) > limit else "")
