"""The write journal: every write a handler makes to a simulated service.

Services append a ``Write`` for each successful mutating call; ``fc_invoke`` reads the
writes made during one invocation (``InvokeResult.writes``) and the loop detector
matches them against the function's triggers. Each write carries the event FC would
deliver for it, so a loop can be re-delivered to the handler (``--fc-loop-depth``).
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional

from .._outliving import refuse_if_outlived


class DeferredEvent:
    """A write's event whose content is already fixed but not yet encoded.

    ``build()`` returns the event and must not depend on when it is called (draw
    every random value before wrapping it). ``Write.event`` calls it on first read
    and keeps the result, so writes nobody inspects never pay for the encoding.
    """

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build


class _EventField:
    """``Write.event``: a plain attribute, except that a ``DeferredEvent`` is built on first read."""

    def __get__(self, write: Any, owner: Any = None) -> Any:
        if write is None:  # the class attribute: what dataclasses takes for the default
            return None
        value = write.__dict__["_event"]
        if type(value) is DeferredEvent:
            # two threads reading at once may both build: equal events, either one is kept
            value = value.build()
            write.__dict__["_event"] = value
        return value

    def __set__(self, write: Any, value: Any) -> None:
        write.__dict__["_event"] = value


@dataclasses.dataclass
class Write:
    """One mutating SDK call that reached a simulated service."""

    service: str  # "oss" | "mns" | "tablestore" | "sls"; AWS writes (boto3 on moto): "s3", "sqs", ...
    api: str  # the service API name, e.g. "PutObject", "PublishMessage", "PutRow"
    resource: Dict[str, Any]  # oss: bucket, key; mns: topic|queue; tablestore: instance, table; sls: project, logstore
    region: Optional[str] = None
    event_name: Optional[str] = None  # the trigger-side event name, e.g. "ObjectCreated:PutObject"
    # the FCEvent FC would deliver for this write (None when none); a service may pass a
    # DeferredEvent, read back as the event it builds
    event: Any = _EventField()
    attributes: Dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. MNS message tag
    sdk: Optional[str] = None  # which SDK made the call, e.g. "oss2", "alibabacloud_oss_v2"

    @property
    def cloud(self) -> str:
        """``"alibaba"``, or ``"aws"`` for a write a handler made to AWS (served by moto)."""
        return self.attributes.get("cloud", "alibaba")

    def describe(self) -> str:
        r = self.resource
        if self.attributes.get("cloud") == "aws":
            return f"{self.api} {_describe_aws(self.service, r)} (AWS)"
        if self.service == "oss":
            target = f"oss://{r.get('bucket')}/{r.get('key')}"
        elif self.service == "mns":
            target = f"topic {r['topic']!r}" if r.get("topic") else f"queue {r.get('queue')!r}"
            tag = self.attributes.get("tag")
            if tag:
                target += f" with tag {tag!r}"
        elif self.service == "tablestore":
            target = f"table {r.get('instance')}/{r.get('table')}"
        elif self.service == "sls":
            target = f"logstore {r.get('project')}/{r.get('logstore')}"
        else:
            target = repr(r)
        return f"{self.api} {target}"


def _describe_aws(service: str, r: Dict[str, Any]) -> str:
    if service == "s3" and r.get("bucket"):
        return f"s3://{r['bucket']}/{r['key']}" if r.get("key") is not None else f"s3://{r['bucket']}"
    if service == "sqs" and r.get("queue"):
        return f"queue {r['queue']!r}"
    if service == "sns" and r.get("topic"):
        return f"topic {r['topic']!r}"
    if service == "dynamodb" and r.get("table"):
        return f"table {r['table']!r}"
    return f"{service} {r!r}"


class Journal:
    """Thread-safe, append-only list of writes with positional marks."""

    def __init__(self) -> None:
        self._writes: List[Write] = []
        self._lock = threading.Lock()
        self._listeners: List[Callable[[Write], None]] = []

    def record(self, write: Write) -> Write:
        # every service's writes pass here: code whose invocation ended cannot write
        refuse_if_outlived(f"the write {write.describe()}")
        with self._lock:
            self._writes.append(write)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(write)
        return write

    def mark(self) -> int:
        """Position to pass to ``since`` later."""
        with self._lock:
            return len(self._writes)

    def since(self, mark: int) -> List[Write]:
        with self._lock:
            return list(self._writes[mark:])

    def subscribe(self, listener: Callable[[Write], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def __iter__(self) -> Iterator[Write]:
        return iter(self.since(0))

    def __len__(self) -> int:
        return len(self._writes)

    def clear(self) -> None:
        with self._lock:
            self._writes.clear()
