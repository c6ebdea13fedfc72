"""MNS HTTP API on top of ``MnsStore``: routing, XML in, XML out.

Requests arrive exactly as the SDK would put them on the wire (method, URI with query,
headers, XML body); replies are ``(status, headers, body)`` with the XML the SDK's own
decoders parse. Wire shapes follow the MNS API reference and the ``aliyun-mns-sdk``
1.3.0 encoders/decoders (``mns_xml_handler.py``); see ``docs/cloud/mns.md``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import unquote
from xml.sax.saxutils import escape

from ...errors import NotSimulatedError
from .store import (
    MAX_BATCH,
    QUEUE_LIMITS,
    MnsError,
    MnsStore,
    Property,
    PublishedMessage,
    QueueMessage,
    Subscription,
    invalid_argument,
    page,
)

XMLNS = "http://mns.aliyuncs.com/doc/v1/"
_NS = "{" + XMLNS + "}"

Reply = Tuple[int, Dict[str, str], str]


class Request:
    """One SDK request, parsed."""

    def __init__(self, method: str, uri: str, headers: Dict[str, str], body: Any):
        self.method = method.upper()
        path, _, query = uri.partition("?")
        self.path = path
        self.query = parse_query(query)
        self.headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        if isinstance(body, (bytes, bytearray)):
            body = bytes(body).decode("utf-8")
        self.body = body or ""
        self.uri = uri

    def xml(self, *roots: str) -> ET.Element:
        try:
            root = ET.fromstring(self.body.encode("utf-8"))
        except ET.ParseError as exc:
            raise MnsError(400, "MalformedXML", f"The XML you provided was not well-formed: {exc}.")
        if local(root.tag) not in roots:
            raise MnsError(400, "MalformedXML", f"Expected root element {' or '.join(roots)}, got {local(root.tag)}.")
        return root


def parse_query(query: str) -> Dict[str, str]:
    # The SDK puts receipt handles in the URI unquoted; base64's "+" must stay "+",
    # so no parse_qs (which turns it into a space).
    params: Dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        key, _, value = pair.partition("=")
        params[unquote(key)] = unquote(value)
    return params


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element) -> Dict[str, ET.Element]:
    return {local(c.tag): c for c in element}


def text_of(element: ET.Element, name: str, default: Optional[str] = None) -> Optional[str]:
    found = children(element).get(name)
    if found is None:
        return default
    return found.text or ""


def int_of(element: ET.Element, name: str) -> Optional[int]:
    value = text_of(element, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise invalid_argument(f"The value of {name} should be an integer, got {value!r}.")


def properties_of(element: ET.Element, container: str, item: str) -> List[Property]:
    found = children(element).get(container)
    if found is None:
        return []
    props = []
    for prop in found:
        if local(prop.tag) != item:
            continue
        fields = {local(c.tag): c.text or "" for c in prop}
        props.append(Property(fields.get("Name", ""), fields.get("Value", ""), fields.get("Type", "STRING")))
    return props


# --- XML out ---------------------------------------------------------------------------
def _inner(fields: Iterable[Tuple[str, Any]]) -> str:
    """Child elements; a ``("", xml)`` pair inserts ready-made XML."""
    parts = []
    for key, value in fields:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "True" if value else "False"
        parts.append(value if key == "" else f"<{key}>{escape(str(value))}</{key}>")
    return "".join(parts)


def _node(tag: str, fields: Iterable[Tuple[str, Any]]) -> str:
    return f"<{tag}>{_inner(fields)}</{tag}>"


def document(tag: str, fields: Iterable[Tuple[str, Any]] = (), raw: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} xmlns="{XMLNS}">{_inner(fields)}{raw}</{tag}>'


def properties_xml(container: str, item: str, props: Sequence[Property]) -> str:
    if not props:
        return ""
    items = "".join(_node(item, [("Name", p.name), ("Value", p.value), ("Type", p.type)]) for p in props)
    return f"<{container}>{items}</{container}>"


def message_fields(message: QueueMessage, *, received: bool) -> List[Tuple[str, Any]]:
    fields: List[Tuple[str, Any]] = [("MessageId", message.message_id)]
    if received:
        fields.append(("ReceiptHandle", message.receipt_handle))
    fields += [
        ("MessageBodyMD5", message.body_md5),
        ("MessageBody", message.body),
        ("EnqueueTime", message.enqueue_time),
        ("FirstDequeueTime", message.first_dequeue_time or message.enqueue_time),
        ("DequeueCount", message.dequeue_count),
        ("Priority", message.priority),
    ]
    if received:
        fields.append(("NextVisibleTime", message.visible_at))
    if message.message_group_id:
        fields.append(("MessageGroupId", message.message_group_id))
    fields.append(("", properties_xml("UserProperties", "PropertyValue", message.user_properties)))
    fields.append(("", properties_xml("SystemProperties", "SystemPropertyValue", message.system_properties)))
    return fields


def error_document(error: MnsError, request_id: str, host: str) -> str:
    return document(
        "Error",
        [("Code", error.code), ("Message", error.message), ("RequestId", request_id), ("HostId", f"http://{host}")],
    )


# --- signature ------------------------------------------------------------------------
def expected_signature(req: Request, secret: str) -> str:
    """``MNS`` request signature (MNS API "Signature" page; the SDK's ``get_signature``)."""
    h = req.headers
    mns_headers = "".join(f"{k}:{h[k]}\n" for k in sorted(h) if k.startswith("x-mns-"))
    string_to_sign = (
        "\n".join([req.method, h.get("content-md5", ""), h.get("content-type", ""), h.get("date", "")])
        + "\n"
        + mns_headers
        + req.uri
    )
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


# --- routing ----------------------------------------------------------------------------
Handler = Callable[["MnsApi", Request, "re.Match[str]"], Reply]
_ROUTES: List[Tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str):
    def register(func: Handler) -> Handler:
        _ROUTES.append((method, re.compile(pattern + r"$"), func))
        return func

    return register


_NAME = r"([^/?]+)"
QUEUE_INT_ATTRIBUTES = tuple(QUEUE_LIMITS)  # DelaySeconds, MaximumMessageSize, ...


class MnsApi:
    """Serves MNS requests against a store; ``on_publish``/``on_send`` report writes."""

    def __init__(
        self,
        store: MnsStore,
        *,
        host: str,
        account_id: str,
        region: str,
        on_publish: Callable[[str, PublishedMessage], None],
        on_send: Callable[[str, str, List[QueueMessage]], None],
    ):
        self.store = store
        self.host = host
        self.account_id = account_id
        self.region = region
        self.on_publish = on_publish
        self.on_send = on_send

    def dispatch(self, req: Request) -> Reply:
        for method, pattern, handler in _ROUTES:
            if method == req.method:
                match = pattern.match(req.path)
                if match:
                    with self.store.lock:
                        return handler(self, req, match)
        raise NotSimulatedError(
            "MNS", f"{req.method} {req.path}", "served: queues, queue messages, topics, publish and subscriptions"
        )

    def url(self, *parts: str) -> str:
        return f"http://{self.account_id}.mns.{self.region}.aliyuncs.com/" + "/".join(parts)

    # --- queues ---------------------------------------------------------------------
    def _put(
        self,
        req: Request,
        kind: str,
        root_tag: str,
        int_keys: Sequence[str],
        name: str,
        create: Callable[[str, Dict[str, Any]], Any],
        update: Callable[[str, Dict[str, Any]], None],
    ) -> Reply:
        """CreateQueue/CreateTopic (201, or 204 for an identical re-create) or, with
        ``?metaoverride=true``, SetQueueAttributes/SetTopicAttributes (204)."""
        root = req.xml(root_tag)
        attrs: Dict[str, Any] = {}
        for key in int_keys:
            value = int_of(root, key)
            if value is not None:
                attrs[key] = value
        logging = text_of(root, "LoggingEnabled")
        if logging is not None:
            attrs["LoggingEnabled"] = logging.lower() == "true"
        if req.query.get("metaoverride") == "true":
            update(name, attrs)
            return 204, {}, ""
        _created_or_existing, created = create(name, attrs)
        return (201 if created else 204), {"location": self.url(kind, name)}, ""

    @route("PUT", rf"/queues/{_NAME}")
    def put_queue(self, req: Request, m) -> Reply:
        return self._put(
            req,
            "queues",
            "Queue",
            QUEUE_INT_ATTRIBUTES,
            m.group(1),
            self.store.create_queue,
            self.store.set_queue_attributes,
        )

    @route("DELETE", rf"/queues/{_NAME}")
    def delete_queue(self, req: Request, m) -> Reply:
        self.store.delete_queue(m.group(1))
        return 204, {}, ""

    @route("GET", rf"/queues/{_NAME}")
    def get_queue_attributes(self, req: Request, m) -> Reply:
        q = self.store.get_queue(m.group(1))
        now = self.store.clock.now_ms()
        states = [msg.state(now) for msg in q.messages]
        fields = [("QueueName", q.name), ("CreateTime", q.create_time), ("LastModifyTime", q.last_modify_time)]
        fields += [(k, q.attr(k)) for k in QUEUE_INT_ATTRIBUTES]
        fields += [
            ("ActiveMessages", states.count("Active")),
            ("InactiveMessages", states.count("Inactive")),
            ("DelayMessages", states.count("Delayed")),
            ("LoggingEnabled", q.attr("LoggingEnabled")),
        ]
        return 200, {}, document("Queue", fields)

    @route("GET", r"/queues")
    def list_queues(self, req: Request, m) -> Reply:
        return self._list(
            req,
            "Queues",
            "Queue",
            "QueueURL",
            self.store.queues,
            lambda q: self.url("queues", q.name),
            lambda q: [("QueueName", q.name), ("CreateTime", q.create_time)],
        )

    def _list(
        self,
        req: Request,
        root: str,
        item: str,
        url_tag: str,
        table: Dict[str, Any],
        url_of: Callable[[Any], str],
        meta: Callable[[Any], List[Tuple[str, Any]]],
    ) -> Reply:
        """ListQueue/ListTopic/ListSubscriptionByTopic: paged with x-mns-* headers."""
        limit = _int_param(req.headers, "x-mns-ret-number", 1000)
        names, next_marker = page(
            list(table), req.headers.get("x-mns-prefix", ""), req.headers.get("x-mns-marker", ""), limit
        )
        with_meta = req.headers.get("x-mns-with-meta") == "true"
        items = "".join(
            _node(item, [(url_tag, url_of(table[n]))] + (meta(table[n]) if with_meta else [])) for n in names
        )
        marker = f"<NextMarker>{escape(next_marker)}</NextMarker>" if next_marker else ""
        return 200, {}, document(root, raw=items + marker)

    # --- queue messages -------------------------------------------------------------
    @route("POST", rf"/queues/{_NAME}/messages")
    def send_messages(self, req: Request, m) -> Reply:
        name = m.group(1)
        root = req.xml("Message", "Messages")
        if local(root.tag) == "Message":
            message = self._send_one(name, root)
            self.on_send(name, "SendMessage", [message])
            return (
                201,
                {},
                document("Message", [("MessageId", message.message_id), ("MessageBodyMD5", message.body_md5)]),
            )
        entries = [e for e in root if local(e.tag) == "Message"]
        if not 1 <= len(entries) <= MAX_BATCH:
            raise invalid_argument(f"The count of message in batch request should be between 1 and {MAX_BATCH}.")
        self.store.get_queue(name)
        results: List[Any] = []
        for entry in entries:
            try:
                results.append(self._send_one(name, entry))
            except MnsError as exc:
                results.append(exc)
        sent = [r for r in results if isinstance(r, QueueMessage)]
        if sent:
            self.on_send(name, "BatchSendMessage", sent)
        items = "".join(
            _node("Message", [("ErrorCode", r.code), ("ErrorMessage", r.message)])
            if isinstance(r, MnsError)
            else _node("Message", [("MessageId", r.message_id), ("MessageBodyMD5", r.body_md5)])
            for r in results
        )
        # one failed entry makes the whole reply a 500 listing each entry's outcome
        status = 201 if len(sent) == len(results) else 500
        return status, {}, document("Messages", raw=items)

    def _send_one(self, name: str, element: ET.Element) -> QueueMessage:
        body = text_of(element, "MessageBody", "") or ""
        return self.store.send(
            name,
            body,
            delay_seconds=int_of(element, "DelaySeconds"),
            priority=int_of(element, "Priority"),
            user_properties=properties_of(element, "UserProperties", "PropertyValue"),
            system_properties=properties_of(element, "SystemProperties", "SystemPropertyValue"),
            message_group_id=text_of(element, "MessageGroupId", "") or "",
        )

    @route("GET", rf"/queues/{_NAME}/messages")
    def receive_or_peek(self, req: Request, m) -> Reply:
        name = m.group(1)
        batch = "numOfMessages" in req.query
        count = _int_param(req.query, "numOfMessages", 1)
        if req.query.get("peekonly") == "true":
            messages = self.store.peek(name, count)
            received = False
        else:
            wait = req.query.get("waitseconds")
            messages = self.store.receive(
                name, count, None if wait is None else _int_param(req.query, "waitseconds", 0)
            )
            received = True
        if not batch:
            return 200, {}, document("Message", message_fields(messages[0], received=received))
        items = "".join(_node("Message", message_fields(msg, received=received)) for msg in messages)
        return 200, {}, document("Messages", raw=items)

    @route("DELETE", rf"/queues/{_NAME}/messages")
    def delete_messages(self, req: Request, m) -> Reply:
        name = m.group(1)
        if "ReceiptHandle" in req.query:
            self.store.delete_message(name, req.query["ReceiptHandle"])
            return 204, {}, ""
        root = req.xml("ReceiptHandles")
        handles = [e.text or "" for e in root if local(e.tag) == "ReceiptHandle"]
        if not 1 <= len(handles) <= MAX_BATCH:
            raise invalid_argument(f"The count of receipt handles should be between 1 and {MAX_BATCH}.")
        self.store.get_queue(name)
        errors = []
        for handle in handles:
            try:
                self.store.delete_message(name, handle)
            except MnsError as exc:
                errors.append(
                    _node("Error", [("ErrorCode", exc.code), ("ErrorMessage", exc.message), ("ReceiptHandle", handle)])
                )
        if not errors:
            return 204, {}, ""
        return 404, {}, document("Errors", raw="".join(errors))

    @route("PUT", rf"/queues/{_NAME}/messages")
    def change_visibility(self, req: Request, m) -> Reply:
        if "ReceiptHandle" not in req.query or "VisibilityTimeout" not in req.query:
            raise invalid_argument("ReceiptHandle and VisibilityTimeout are required.")
        message = self.store.change_visibility(
            m.group(1), req.query["ReceiptHandle"], _int_param(req.query, "VisibilityTimeout", 0)
        )
        return (
            200,
            {},
            document(
                "ChangeVisibility", [("ReceiptHandle", message.receipt_handle), ("NextVisibleTime", message.visible_at)]
            ),
        )

    # --- topics -------------------------------------------------------------------------
    @route("PUT", rf"/topics/{_NAME}")
    def put_topic(self, req: Request, m) -> Reply:
        return self._put(
            req,
            "topics",
            "Topic",
            ("MaximumMessageSize",),
            m.group(1),
            self.store.create_topic,
            self.store.set_topic_attributes,
        )

    @route("DELETE", rf"/topics/{_NAME}")
    def delete_topic(self, req: Request, m) -> Reply:
        self.store.delete_topic(m.group(1))
        return 204, {}, ""

    @route("GET", rf"/topics/{_NAME}")
    def get_topic_attributes(self, req: Request, m) -> Reply:
        t = self.store.get_topic(m.group(1))
        return (
            200,
            {},
            document(
                "Topic",
                [
                    ("TopicName", t.name),
                    ("CreateTime", t.create_time),
                    ("LastModifyTime", t.last_modify_time),
                    ("MaximumMessageSize", t.attributes["MaximumMessageSize"]),
                    ("MessageRetentionPeriod", t.attributes["MessageRetentionPeriod"]),
                    ("MessageCount", len(t.published)),
                    ("LoggingEnabled", t.attributes["LoggingEnabled"]),
                ],
            ),
        )

    @route("GET", r"/topics")
    def list_topics(self, req: Request, m) -> Reply:
        return self._list(
            req,
            "Topics",
            "Topic",
            "TopicURL",
            self.store.topics,
            lambda t: self.url("topics", t.name),
            lambda t: [("TopicName", t.name), ("CreateTime", t.create_time)],
        )

    @route("POST", rf"/topics/{_NAME}/messages")
    def publish(self, req: Request, m) -> Reply:
        root = req.xml("Message")
        attributes = children(root).get("MessageAttributes")
        message = self.store.publish(
            m.group(1),
            text_of(root, "MessageBody", "") or "",
            tag=text_of(root, "MessageTag", "") or "",
            user_properties=properties_of(root, "UserProperties", "PropertyValue"),
            message_attributes={local(a.tag): a.text or "" for a in attributes} if attributes is not None else {},
            message_group_id=text_of(root, "MessageGroupId", "") or "",
        )
        self.on_publish(m.group(1), message)
        return 201, {}, document("Message", [("MessageId", message.message_id), ("MessageBodyMD5", message.body_md5)])

    # --- subscriptions ----------------------------------------------------------------
    @route("PUT", rf"/topics/{_NAME}/subscriptions/{_NAME}")
    def put_subscription(self, req: Request, m) -> Reply:
        root = req.xml("Subscription")
        topic, name = m.group(1), m.group(2)
        strategy = text_of(root, "NotifyStrategy")
        if req.query.get("metaoverride") == "true":
            sub = self.store.get_subscription(topic, name)
            if strategy:
                sub.notify_strategy = strategy
            sub.last_modify_time = self.store.clock.now_s()
            return 204, {}, ""
        endpoint = text_of(root, "Endpoint")
        if not endpoint:
            raise invalid_argument("Endpoint is required.")
        fmt = (text_of(root, "NotifyContentFormat") or "XML").upper()
        sub = Subscription(
            topic,
            name,
            endpoint,
            notify_strategy=strategy or "BACKOFF_RETRY",
            notify_content_format=fmt,
            filter_tag=text_of(root, "FilterTag", "") or "",
        )
        _sub, created = self.store.subscribe(topic, sub)
        return (201 if created else 204), {"location": self.url("topics", topic, "subscriptions", name)}, ""

    @route("DELETE", rf"/topics/{_NAME}/subscriptions/{_NAME}")
    def unsubscribe(self, req: Request, m) -> Reply:
        self.store.unsubscribe(m.group(1), m.group(2))
        return 204, {}, ""

    @route("GET", rf"/topics/{_NAME}/subscriptions/{_NAME}")
    def get_subscription(self, req: Request, m) -> Reply:
        s = self.store.get_subscription(m.group(1), m.group(2))
        fields = [
            ("TopicOwner", self.account_id),
            ("TopicName", s.topic),
            ("SubscriptionName", s.name),
            ("Endpoint", s.endpoint),
            ("NotifyStrategy", s.notify_strategy),
            ("NotifyContentFormat", s.notify_content_format),
        ]
        if s.filter_tag:
            fields.append(("FilterTag", s.filter_tag))
        fields += [("CreateTime", s.create_time), ("LastModifyTime", s.last_modify_time)]
        return 200, {}, document("Subscription", fields)

    @route("GET", rf"/topics/{_NAME}/subscriptions")
    def list_subscriptions(self, req: Request, m) -> Reply:
        topic = self.store.get_topic(m.group(1))
        return self._list(
            req,
            "Subscriptions",
            "Subscription",
            "SubscriptionURL",
            topic.subscriptions,
            lambda s: self.url("topics", topic.name, "subscriptions", s.name),
            lambda s: [],
        )


def _int_param(query: Dict[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise invalid_argument(f"The value of {name} should be an integer, got {value!r}.")


# A queue endpoint of a subscription: acs:mns:<region>:<uid>:queues/<name> or the queue's URL.
QUEUE_ENDPOINT_RE = re.compile(r"^(?:acs:mns:[^:]*:[^:]*:queues/|https?://[^/]+/queues/)([^/?]+)/?$")


def notification_xml(message: PublishedMessage, topic: str, sub: Subscription, owner: str) -> str:
    """The XML body MNS pushes to a queue/HTTP endpoint (NotifyContentFormat=XML)."""
    fields = [
        ("TopicOwner", owner),
        ("TopicName", topic),
        ("Subscriber", owner),
        ("SubscriptionName", sub.name),
        ("MessageId", message.message_id),
        ("MessageMD5", message.body_md5),
    ]
    if message.tag:
        fields.append(("MessageTag", message.tag))
    fields += [("Message", message.body), ("PublishTime", message.publish_time)]
    return document("Notification", fields)
